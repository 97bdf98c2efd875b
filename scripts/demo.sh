#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The main job of README.md: cpslockd (the card authority) verifies the CPS card at the "screen
# locker" (PAM), cpslock-agent binds the session to exactly that card and locks when it leaves, a
# password-style unlock with an unverified card is locked, a card reported lost never unlocks again.
# Everything is private and real (scripts/demo.py says what runs). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cpslock-agent cpslock cpslock-cardsim cpslockd cpslockd-worker pam_cpslock \
    >/dev/null
export CPSLOCK_BUILD_DIR=$PWD/build/ci
export CPSLOCK_TESTPKI_DIR=$CPSLOCK_BUILD_DIR/testpki
# The test PKI the simulated card's certificate comes from (generated, as the tests do).
[ -f "$CPSLOCK_TESTPKI_DIR/manifest.tsv" ] || bash tests/data/make-test-pki.sh "$CPSLOCK_TESTPKI_DIR" >/dev/null
exec python3 scripts/demo.py
