#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Screenshot of the tray with its menu open (README): Xvfb + trayer + cpslock-agent --tray against the
# reader rig with a simulated CPS3 card, on private D-Bus buses with dbusmock's logind
# (tests/integration/test_tray.py's TraySession). The menu is opened with xdotool, the picture taken
# with ImageMagick's `import -window root` and cropped around the icon and the menu.
#   scripts/tray-screenshot.sh [fr|en] [OUTPUT.png]     default: fr, docs/img/tray-menu.png
# Needs root (the rig uses namespaces) and a dev build of cpslock-agent, cpslock, cpslock-cardsim.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CPSLOCK_BUILD_DIR:-$root/build/dev}
lang=${1:-fr}
out=${2:-$root/docs/img/tray-menu.png}
for exe in agent/cpslock-agent agent/cpslock-agent-tray tools/cli/cpslock tools/cardsim/cpslock-cardsim; do
    if [ ! -x "$build/$exe" ]; then
        echo "tray-screenshot: $build/$exe missing: cmake --preset dev && cmake --build --preset dev" \
             "--target cpslock-agent cpslock-agent-tray cpslock cpslock-cardsim" >&2
        exit 1
    fi
done
for tool in Xvfb trayer xdotool xwininfo import; do
    command -v "$tool" >/dev/null || { echo "tray-screenshot: $tool missing: bash scripts/install-deps.sh" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"

CPSLOCK_SOURCE_DIR=$root CPSLOCK_BUILD_DIR=$build PYTHONDONTWRITEBYTECODE=1 \
    python3 - "$lang" "$out" "$root/tests/integration" <<'PY'
import sys
lang, out, tests = sys.argv[1:4]
sys.path.insert(0, tests)
from test_tray import TraySession, wait_for

s = TraySession(lang).start()
try:
    s.insert_cps()
    s.expect_icon("card-present")
    wait_for(lambda: s.colours()["green"] > 10, "the card-present icon on screen")
    mw, mh, mx, my = s.open_menu()
    iw, ih, ix, iy = s.icon_geometry()
    screen = s.x("xwininfo", "-root")
    import re
    width = int(re.search(r"Width: (\d+)", screen).group(1))
    margin = 16
    x0 = max(0, min(mx, ix) - margin)
    y1 = my + mh + margin
    s.x("import", "-window", "root", "-crop", "%dx%d+%d+0" % (width - x0, y1, x0), "+repage", "-strip", out)
    s.x("xdotool", "key", "Escape")
    print("tray-screenshot: wrote %s (%dx%d)" % (out, width - x0, y1))
finally:
    s.stop()
PY
