#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Every source file (C++, CMake, Python, shell) starts with its SPDX licence line, after the shebang
# when there is one. `scripts/spdx.sh` lists the files without it and fails; `--fix` adds it.
set -euo pipefail
cd "$(dirname "$0")/.."

line='SPDX-License-Identifier: EUPL-1.2'
missing=0
while IFS= read -r -d '' f; do
    [ -f "$f" ] || continue
    case "$f" in
    *.cpp | *.h | *.c) prefix='// ' ;;
    *.py | *.sh | *.cmake | */CMakeLists.txt | CMakeLists.txt | .ci/run | debian/rules | debian/*.postinst | \
        debian/*.prerm | debian/*.postrm | installer/*/*-autostart.in | installer/desktop/cpslock-report-lost.in)
        prefix='# ' ;;
    *) continue ;;
    esac
    head -n 3 "$f" | grep -q "$line" && continue
    if [ "${1:-}" = --fix ]; then
        if head -n 1 "$f" | grep -q '^#!'; then
            sed -i "1a ${prefix}${line}" "$f"
        else
            sed -i "1i ${prefix}${line}" "$f"
        fi
    else
        echo "$f: no '$line' line" >&2
        missing=$((missing + 1))
    fi
done < <(git ls-files -z)
[ "$missing" -eq 0 ] || { echo "spdx: $missing files without it; run scripts/spdx.sh --fix" >&2; exit 1; }
