#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Builds the Debian packages (cpslock, libpam-cpslock, cpslock-tray, cpslock-testing) from a clean
# copy of the checked-out tree (tracked files, uncommitted edits included) with
# `dpkg-buildpackage -us -uc -b`, then runs lintian on them. Output: build/packages/*.deb.
# Needs the build dependencies of debian/control (scripts/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/packages
rm -rf "$out"
mkdir -p "$out/src"
# A commit of the working tree (without touching it or the index), else HEAD.
tree=$(git stash create 2>/dev/null || true)
git archive "${tree:-HEAD}" | tar -x -C "$out/src"

# The shared compiler cache, when there is one: package rebuilds take seconds instead of minutes.
if [ -d /usr/lib/ccache ] && [ -n "${CCACHE_DIR:-}" ]; then
    export PATH="/usr/lib/ccache:$PATH"
fi
start=$(date +%s)
(cd "$out/src" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}" dpkg-buildpackage -us -uc -b) \
    >"$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; echo "build-packages: failed, see $out/build.log" >&2; exit 1; }
echo "build-packages: built in $(($(date +%s) - start)) s:" >&2
ls "$out"/*.deb >&2

changes=$(ls "$out"/*.changes)
# Overrides, each with its reason, are in debian/*.lintian-overrides.
lintian --fail-on error,warning --info "$changes"
