#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The test command of README.md (and of .ci/run): installs what is missing, builds with the `ci`
# preset (warnings are errors) and runs every test with ctest; then builds the `asan` preset
# (clang, ASan + UBSan) and runs the unit tests and a short run of each fuzzer under it. The lint
# (scripts/lint.sh: clang-format, then clang-tidy on the ci build) fails it before any test runs.
# `scripts/test.sh --packaging` builds and tests the Debian packages instead (see below).
# Needs root: the reader rig mounts a private /run/pcscd and makes network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

# --packaging: the Debian packages instead (not part of the default run: it needs a Debian mirror the
# first time and about ten minutes more): build them, lintian, then the install test in a clean
# Debian 12 root (tests/packaging/test_install.py).
if [ "${1:-}" = --packaging ]; then
    start=$(date +%s)
    bash scripts/build-packages.sh
    python3 tests/packaging/test_install.py -v
    echo "test.sh --packaging: $(($(date +%s) - start)) s" >&2
    exit 0
fi

jobs=$(nproc)
bash scripts/lint.sh --format
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
bash scripts/lint.sh
ctest --preset ci -j "$jobs" --timeout 900

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs" -L 'unit|fuzz' --timeout 600
