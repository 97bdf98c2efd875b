#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Installs every Debian package that building, running the demo and running the tests need.
# Idempotent: apt-get runs only when a package is missing. Run as root on Debian 12.
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ clang pkg-config
    libclang-rt-14-dev
    # scripts/lint.sh (run by scripts/test.sh): the committed .clang-format and .clang-tidy
    clang-format clang-tidy
    libpcsclite-dev libtomlplusplus-dev nlohmann-json3-dev libspdlog-dev
    libgtest-dev libgmock-dev libssl-dev libp11-kit-dev libpam0g-dev libsystemd-dev
    # cpslock crl update downloads the CRLs with libcurl
    libcurl4-openssl-dev
    # reader rig: private pcscd with the vsmartcard virtual reader
    pcscd vsmartcard-vpcd iproute2 util-linux procps python3
    # PKCS#11, PAM and D-Bus test parts
    softhsm2 opensc libpam-wrapper libpamtest0-dev pamtester python3-dbusmock dbus
    # nss_wrapper: the session exemption test gives the agent a user and groups of its own
    libnss-wrapper
    # peer used by the benchmarks
    libpam-pkcs11
    # the agent: Qt 6 (Core + DBus), X11 idle (XScreenSaver), and its desktop test parts
    qt6-base-dev libx11-dev libxss-dev xvfb xdotool x11-utils
    # desktop test fixture: gdbus (talks to dbusmock), dbus-daemon for private buses; systemd for a
    # private systemd-journald (the journald audit sink's test) and systemd-analyze (units)
    libglib2.0-bin dbus-daemon systemd
    # tray: Qt Widgets + SVG icons, Linguist (lupdate/lrelease), a tray host and a screenshot tool for
    # the end-to-end test and scripts/tray-screenshot.sh
    qt6-svg-dev libqt6svg6 qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools trayer imagemagick
    # man pages from Markdown; the Debian packages (scripts/build-packages.sh) and their install test
    go-md2man debhelper lintian mmdebstrap
    # the lost-card launcher test: desktop entry check
    desktop-file-utils
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
