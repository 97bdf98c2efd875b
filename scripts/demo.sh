#!/usr/bin/env bash
# The main job of README.md: the reader monitor against the built-in virtual CPS card and reader.
# Starts a private pcscd with the virtual reader (nothing of the machine's own pcscd is touched),
# inserts a simulated CPS3 card, and shows what `cpslock readers --watch` reports while the card is
# removed and a patient's Carte Vitale is inserted in the second slot. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cpslock cpslock-cardsim >/dev/null

bin=$PWD/build/ci/tools
rig=$PWD/tests/rig/pcsc-rig.sh
work=$(mktemp -d /tmp/cpslock-demo.XXXXXX)
port=35963
cleanup() {
    exec 3>&- 4>&- 2>/dev/null || true
    kill "${watch_pid:-}" "${cps_pid:-}" "${vitale_pid:-}" 2>/dev/null || true
    wait 2>/dev/null || true
    "$rig" stop "$work/rig" || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Waits until the watcher has printed N lines matching PATTERN (the monitor reacts to pcscd, which
# polls the virtual reader every 400 ms).
wait_for() {
    local pattern=$1 count=${2:-1} i
    for i in $(seq 1 200); do
        [ "$(grep -c -- "$pattern" "$work/watch.log" 2>/dev/null || true)" -ge "$count" ] 2>/dev/null && return 0
        sleep 0.05
    done
    echo "demo: timed out waiting for '$pattern'" >&2
    exit 1
}

step "Private pcscd with the virtual reader (two slots, isolated network namespace)"
eval "$("$rig" start "$work/rig" "$port")"
echo "PCSCLITE_CSOCK_NAME=$PCSCLITE_CSOCK_NAME"

step "cpslock readers --watch   (events as the monitor sees them)"
"$bin/cli/cpslock" readers --watch > >(tee "$work/watch.log") 2>&1 &
watch_pid=$!
wait_for "reader-added" 2

step "Insert a CPS3 card (serial 992138450) in slot 0"
mkfifo "$work/cps" "$work/vitale"
"$rig" run "$work/rig" "$bin/cardsim/cpslock-cardsim" --port "$port" --script "$work/cps" >/dev/null &
cps_pid=$!
exec 3>"$work/cps"
echo "insert cps3 992138450" >&3
wait_for "card-inserted.*cps3"

step "cpslock readers   (a snapshot)"
"$bin/cli/cpslock" readers

step "Remove the CPS card"
echo "remove" >&3
wait_for "card-removed"

step "Insert the patient's Carte Vitale in slot 1: recognised, never treated as a CPS"
"$rig" run "$work/rig" "$bin/cardsim/cpslock-cardsim" --port $((port + 1)) --script "$work/vitale" >/dev/null &
vitale_pid=$!
exec 4>"$work/vitale"
echo "insert vitale2" >&4
wait_for "card-inserted.*vitale"

step "A bank card in slot 0 (its ATR starts like a Carte Vitale 1): other"
echo "insert bank" >&3
wait_for "card-inserted.*other"

step "cpslock readers --json"
"$bin/cli/cpslock" readers --json

step "Done: the watcher stops cleanly on SIGTERM"
kill -TERM "$watch_pid"
wait "$watch_pid" && echo "cpslock readers --watch exited with status 0"
