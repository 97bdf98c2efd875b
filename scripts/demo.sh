#!/usr/bin/env bash
# The main job of README.md: cpslock-agent locks the session when the CPS card leaves, and ignores
# the patient's Carte Vitale; then the idle lock with its warning.
# Everything is private and real: pcscd with the virtual reader (its own namespaces), a simulated
# CPS3 card (cpslock-cardsim), a private D-Bus system bus with python3-dbusmock's logind (one session,
# "c1") and a small "desktop" that answers logind's Lock by setting LockedHint, as a screen locker
# does; an Xvfb server is the session's display (idle time from XScreenSaver, input from xdotool).
# Nothing of the machine's own pcscd, buses or display is touched. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --target cpslock-agent cpslock cpslock-cardsim >/dev/null

bin=$PWD/build/ci
rig=$PWD/tests/rig/pcsc-rig.sh
work=$(mktemp -d /tmp/cpslock-demo.XXXXXX)
port=35963
cleanup() {
    exec 3>&- 4>&- 5>&- 2>/dev/null || true
    [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null || true
    kill "${cps_pid:-}" "${vitale_pid:-}" 2>/dev/null || true
    [ -n "${desktop_pid:-}" ] && wait "$desktop_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    "$rig" stop "$work/rig" || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Waits until FILE has N lines matching PATTERN (events arrive when pcscd polls the virtual reader,
# every 400 ms, or when a timer of the agent fires).
wait_for() {
    local file=$1 pattern=$2 count=${3:-1} i
    for i in $(seq 1 1200); do
        [ "$(grep -c -- "$pattern" "$file" 2>/dev/null || true)" -ge "$count" ] 2>/dev/null && return 0
        sleep 0.05
    done
    echo "demo: timed out waiting for '$pattern' in $file" >&2
    exit 1
}
lock_calls() {
    gdbus call --system -d org.freedesktop.login1 -o /org/freedesktop/login1/session/c1 \
        -m org.freedesktop.DBus.Mock.GetCalls | grep -o "'Lock'" | wc -l
}
unlock() { # what the screen locker does after the user's PIN was accepted
    gdbus call --system -d org.freedesktop.login1 -o /org/freedesktop/login1/session/c1 \
        -m org.freedesktop.login1.Session.SetLockedHint false >/dev/null
}

step "Private pcscd with the virtual reader; private D-Bus buses with dbusmock's logind; Xvfb"
eval "$("$rig" start "$work/rig" "$port")"
mkfifo "$work/desktop.in"
python3 tests/integration/desktop.py serve --x11 < "$work/desktop.in" > "$work/desktop.env" &
desktop_pid=$!
exec 5>"$work/desktop.in"
wait_for "$work/desktop.env" '^ready$'
eval "$(grep '^export ' "$work/desktop.env")"
echo "PCSCLITE_CSOCK_NAME=$PCSCLITE_CSOCK_NAME"
echo "DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS  XDG_SESSION_ID=$XDG_SESSION_ID  DISPLAY=$DISPLAY"

cat > "$work/policy.toml" <<'TOML'
# Demo policy: a short idle lock so the demo does not take ten minutes.
[session]
idle_timeout = "30s"
idle_warning = "20s"
[audit]
sink = "stderr"
TOML
chmod 644 "$work/policy.toml"

step "cpslock-agent --check"
"$bin/agent/cpslock-agent" --check --policy "$work/policy.toml" || true

step "Insert a CPS3 card (serial 992138450) in slot 0, then start the agent in the unlocked session"
mkfifo "$work/cps" "$work/vitale"
"$rig" run "$work/rig" "$bin/tools/cardsim/cpslock-cardsim" --port "$port" --script "$work/cps" >/dev/null &
cps_pid=$!
exec 3>"$work/cps"
echo "insert cps3 992138450" >&3
xdotool mousemove_relative -- 1 1
"$bin/agent/cpslock-agent" --headless --policy "$work/policy.toml" 2> >(tee "$work/agent.log" >&2) &
agent_pid=$!
wait_for "$work/agent.log" "kind=card-bound"
echo "-> the session is bound to card 992138450"

step "A patient's Carte Vitale inserted and removed in slot 1: nothing happens"
"$rig" run "$work/rig" "$bin/tools/cardsim/cpslock-cardsim" --port $((port + 1)) --script "$work/vitale" >/dev/null &
vitale_pid=$!
exec 4>"$work/vitale"
echo "insert vitale2" >&4
wait_for "$work/agent.log" "kind=card-inserted.*vitale"
echo "remove" >&4
wait_for "$work/agent.log" "kind=card-removed.*vitale"
echo "-> Lock calls received by logind so far: $(lock_calls)"

step "Remove the CPS card: the agent locks"
echo "remove" >&3
wait_for "$work/agent.log" "locked: card removed"
echo "-> Lock calls received by logind: $(lock_calls); LockedHint: $(gdbus call --system -d org.freedesktop.login1 \
    -o /org/freedesktop/login1/session/c1 -m org.freedesktop.DBus.Properties.Get org.freedesktop.login1.Session LockedHint)"

step "The user comes back: card inserted, session unlocked (the screen locker's PAM step, simulated)"
echo "insert cps3 992138450" >&3
wait_for "$work/agent.log" "kind=card-inserted.*992138450" 2
xdotool mousemove_relative -- 1 1
unlock
wait_for "$work/agent.log" "kind=card-bound" 2

step "Nobody touches the PC: warning after 10 s, idle lock after 30 s (card still inside: reminder)"
wait_for "$work/agent.log" "kind=idle-warning"
wait_for "$work/agent.log" "locked: idle"
echo "-> Lock calls received by logind: $(lock_calls)"

step "Done: the agent stops cleanly on SIGTERM"
kill -TERM "$agent_pid"
wait "$agent_pid" && echo "cpslock-agent exited with status 0"
agent_pid=
