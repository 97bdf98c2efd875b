#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Needs root (the reader rig, SoftHSM tokens) and
# builds the `ci` preset. Usage:
#   bench/run.sh                         every benchmark with its default size
#   bench/run.sh monitor [--cycles N] [--idle-seconds S]   reader monitor (monitor_latency.py)
#   bench/run.sh verify [--runs N]                         card verification (verify_bench.py)
#   bench/run.sh agent [--cycles N] [--idle-seconds S]     cpslock-agent: removal → Lock against a raw
#                                                          watcher and card_eventmgr; idle CPU, RSS
#   bench/run.sh pam [--runs N]          (needs the simulator's PIV applet)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci >/dev/null
export CPSLOCK_BUILD_DIR=$PWD/build/ci

which=${1:-all}
[ $# -gt 0 ] && shift
build() { cmake --build --preset ci --target "$@" >/dev/null; }
case "$which" in
monitor) build cpslock-bench-monitor cpslock-cardsim cpslock && python3 bench/monitor_latency.py "$@" ;;
verify) build cpslock-bench-verify cpslock-cardsim cpslock && python3 bench/verify_bench.py "$@" ;;
agent) build cpslock-agent cpslock-bench-agent-raw cpslock-cardsim && python3 bench/agent_latency.py "$@" ;;
pam) build cpslock-bench-pam pam_cpslock cpslock-auth cpslock-cardsim cpslock && python3 bench/pam_latency.py "$@" ;;
all)
    build cpslock-bench-monitor cpslock-bench-verify cpslock-bench-pam pam_cpslock cpslock-auth cpslock-agent \
        cpslock-bench-agent-raw cpslock-cardsim cpslock
    python3 bench/monitor_latency.py
    echo
    python3 bench/verify_bench.py
    echo
    python3 bench/agent_latency.py
    echo
    python3 bench/pam_latency.py
    ;;
*) echo "bench/run.sh: unknown benchmark '$which' (monitor, verify, agent, pam, all)" >&2; exit 2 ;;
esac
