#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The repository's habits, checked: clang-format (the committed .clang-format) on every tracked C++
# file, then clang-tidy (the committed .clang-tidy) on every production translation unit of the `ci`
# build. scripts/test.sh runs it first, so CI fails on either. Usage:
#   scripts/lint.sh            check both (configures build/ci when needed)
#   scripts/lint.sh --format   check the formatting only (seconds)
#   scripts/lint.sh --fix      rewrite the tracked C++ files with clang-format, then stop
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case "$mode" in
all | --format | --fix) ;;
*) echo "lint.sh: unknown option '$mode' (--format, --fix)" >&2; exit 2 ;;
esac

mapfile -t sources < <(git ls-files '*.cpp' '*.h' '*.c')

if [ "$mode" = --fix ]; then
    clang-format -i "${sources[@]}"
    exit 0
fi

start=$(date +%s)
clang-format --dry-run -Werror "${sources[@]}"
echo "lint: clang-format: ${#sources[@]} files formatted as .clang-format says" >&2
[ "$mode" = --format ] && exit 0

# clang-tidy reads the compile commands of the ci build, and the generated headers (core/Version.h,
# Qt's moc and uic output) must exist: build it (nothing to do when scripts/test.sh just did).
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" >/dev/null

# Production code only: tests and benchmarks follow the format, but clang-tidy's bugprone/cert rules
# are about code that ships. Third-party and generated files are not ours to fix.
mapfile -t units < <(python3 - <<'EOF'
import json, os
root = os.getcwd()
seen = set()
for entry in json.load(open("build/ci/compile_commands.json")):
    path = os.path.relpath(entry["file"], root)
    if path.startswith(("build/", "tests/", "bench/", "..")) or "_autogen" in path or path in seen:
        continue
    seen.add(path)
    print(path)
EOF
)
jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! printf '%s\n' "${units[@]}" |
    xargs -P "$jobs" -n 4 clang-tidy -p build/ci --quiet --warnings-as-errors='*' >"$log" 2>/dev/null; then
    grep -E 'error:|warning:' -A3 "$log" >&2 || cat "$log" >&2
    echo "lint: clang-tidy found problems (above); fix them or, for a false positive, a NOLINT with its reason" >&2
    exit 1
fi
echo "lint: clang-tidy: ${#units[@]} translation units clean ($(($(date +%s) - start)) s in all)" >&2
