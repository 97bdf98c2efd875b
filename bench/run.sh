#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Needs root (the reader rig) and a build; builds the
# `ci` preset if there is none.
#   bench/run.sh [--cycles N] [--idle-seconds S]          reader monitor (monitor_latency.py)
#   bench/run.sh agent [--cycles N] [--idle-seconds S]    cpslock-agent: removal → Lock against a raw
#                                                         watcher and card_eventmgr; idle CPU, RSS
#   bench/run.sh all                                      both, with their default sizes
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci >/dev/null
what=monitor
case "${1:-}" in
agent | monitor | all) what=$1; shift ;;
esac
if [ "$what" = monitor ] || [ "$what" = all ]; then
    cmake --build --preset ci --target cpslock-bench-monitor cpslock-cardsim cpslock >/dev/null
    CPSLOCK_BUILD_DIR=$PWD/build/ci python3 bench/monitor_latency.py "$@"
fi
if [ "$what" = agent ] || [ "$what" = all ]; then
    cmake --build --preset ci --target cpslock-agent cpslock-bench-agent-raw cpslock-cardsim >/dev/null
    CPSLOCK_BUILD_DIR=$PWD/build/ci python3 bench/agent_latency.py "$@"
fi
