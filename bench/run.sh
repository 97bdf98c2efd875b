#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Runs the benchmarks and prints their figures. Needs root (the reader rig, SoftHSM tokens) and
# builds the `ci` preset. Usage:
#   bench/run.sh                         every benchmark with its default size
#   bench/run.sh monitor [--cycles N] [--idle-seconds S]
#   bench/run.sh verify [--runs N]
#   bench/run.sh pam [--runs N] [--idle-seconds S]
#                                        unlock through cpslockd vs pkcs11-tool; cpslockd idle wake-ups, RSS
#   bench/run.sh agent [--cycles N] [--idle-seconds S] [--no-peer]
#                                        cpslock-agent: removal → Lock at dbusmock against a raw watcher
#                                        and card_eventmgr in the same run; idle CPU, wake-ups, RSS
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cpslock-bench-monitor cpslock-bench-verify cpslock-bench-pam pam_cpslock \
    cpslockd cpslockd-worker cpslock-cardsim cpslock cpslock-agent cpslock-bench-agent >/dev/null
export CPSLOCK_BUILD_DIR=$PWD/build/ci

which=${1:-all}
[ $# -gt 0 ] && shift
case "$which" in
monitor) python3 bench/monitor/bench.py "$@" ;;
verify) python3 bench/verify/bench.py "$@" ;;
pam) python3 bench/pam/bench.py "$@" ;;
agent) python3 bench/agent/bench.py "$@" ;;
all)
    python3 bench/monitor/bench.py
    echo
    python3 bench/verify/bench.py
    echo
    python3 bench/pam/bench.py
    echo
    python3 bench/agent/bench.py
    ;;
*) echo "bench/run.sh: unknown benchmark '$which' (monitor, verify, pam, agent, all)" >&2; exit 2 ;;
esac
