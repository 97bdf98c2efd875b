#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Needs root (the reader rig) and a build; builds the
# `ci` preset if there is none. Usage: bench/run.sh [--cycles N] [--idle-seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cpslock-bench-monitor cpslock-cardsim cpslock >/dev/null
CPSLOCK_BUILD_DIR=$PWD/build/ci python3 bench/monitor_latency.py "$@"
