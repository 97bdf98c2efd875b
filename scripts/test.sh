#!/usr/bin/env bash
# The test command of README.md (and of .ci/run): installs what is missing, builds with the `ci`
# preset (warnings are errors) and runs every test with ctest; then builds the `asan` preset
# (clang, ASan + UBSan) and runs the unit tests and a short run of each fuzzer under it.
# Needs root: the reader rig mounts a private /run/pcscd and makes network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=$(nproc)
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs" --timeout 900

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs" -L 'unit|fuzz' --timeout 600
