#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# A private smart-card rig: pcscd with the vsmartcard virtual reader (vpcd), isolated from the
# machine's own pcscd and network. Used by the integration tests, the benchmarks and the demo.
#
#   pcsc-rig.sh start DIR [PORT]   start; prints the environment to use (eval it)
#   pcsc-rig.sh kill DIR [SIGNAL]  kill pcscd (default TERM) and wait until it is gone
#   pcsc-rig.sh restart DIR        start pcscd again (same readers, same namespace)
#   pcsc-rig.sh stop DIR           stop everything and remove the namespace
#   pcsc-rig.sh run DIR CMD...     run CMD inside the rig's network namespace (for cpslock-cardsim)
#
# Isolation:
# - pcscd's socket path is compiled in (/run/pcscd/pcscd.comm): pcscd runs in a private mount
#   namespace where DIR/run is bind-mounted over /run/pcscd; clients reach it through
#   PCSCLITE_CSOCK_NAME=DIR/run/pcscd.comm.
# - vpcd listens on 0.0.0.0:PORT and PORT+1: pcscd runs in a private network namespace (only its own
#   loopback), so nothing outside the rig can insert a card. Cards join it with `run`.
# Needs root (namespaces, bind mount). Everything lives in DIR; `stop` leaves nothing running.
set -euo pipefail

cmd=${1:?usage: pcsc-rig.sh start|kill|restart|stop|run DIR ...}
dir=${2:?usage: pcsc-rig.sh $cmd DIR ...}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pid_alive() { # a zombie counts as gone (orphans are reaped late on some machines)
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
    [ "$st" != gone ] && [ "$st" != Z ]
}

wait_gone() {
    local i
    for i in $(seq 1 500); do pid_alive "$1" || return 0; sleep 0.01; done
    echo "pcsc-rig: process $1 did not stop" >&2
    return 1
}

netns() { echo "/proc/$(cat "$dir/netns.pid")/ns/net"; }

start_pcscd() {
    rm -f "$dir/run/pcscd.comm" "$dir/run/pcscd.pid"
    : > "$dir/pcscd.log"
    # setsid: pcscd must not get the test's terminal signals.
    setsid nsenter --net="$(netns)" unshare --mount --propagation private \
        sh -c "mount --bind '$dir/run' /run/pcscd && exec /usr/sbin/pcscd --foreground --debug -c '$dir/conf'" \
        >> "$dir/pcscd.log" 2>&1 < /dev/null &
    echo $! > "$dir/pcscd.pid"
    local i
    for i in $(seq 1 500); do
        if [ -S "$dir/run/pcscd.comm" ]; then return 0; fi
        pid_alive "$(cat "$dir/pcscd.pid")" || break
        sleep 0.01
    done
    echo "pcsc-rig: pcscd did not start; its log:" >&2
    cat "$dir/pcscd.log" >&2
    return 1
}

case "$cmd" in
start)
    port=${3:-35963}
    [ -x /usr/sbin/pcscd ] || { echo "pcsc-rig: pcscd is not installed (scripts/install-deps.sh)" >&2; exit 1; }
    [ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || { echo "pcsc-rig: vsmartcard-vpcd is not installed" >&2; exit 1; }
    mkdir -p "$dir/run" "$dir/conf" /run/pcscd
    cat > "$dir/conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $port
CONF
    echo "$port" > "$dir/port"
    # The namespace holder: a process that only keeps the network namespace alive across pcscd restarts.
    setsid unshare --net sh -c 'ip link set lo up && exec sleep infinity' < /dev/null > /dev/null 2>&1 &
    echo $! > "$dir/netns.pid"
    for i in $(seq 1 200); do
        [ "$(readlink "/proc/$(cat "$dir/netns.pid")/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
        sleep 0.01
    done
    start_pcscd
    echo "export PCSCLITE_CSOCK_NAME=$dir/run/pcscd.comm"
    ;;
kill)
    sig=${3:-TERM}
    pid=$(cat "$dir/pcscd.pid")
    kill "-$sig" "$pid" 2>/dev/null || true
    wait_gone "$pid"
    ;;
restart)
    start_pcscd
    ;;
stop)
    for f in pcscd.pid netns.pid; do
        if [ -f "$dir/$f" ]; then
            pid=$(cat "$dir/$f")
            kill -TERM "$pid" 2>/dev/null || true
            wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
            rm -f "$dir/$f"
        fi
    done
    ;;
run)
    shift 2
    exec nsenter --net="$(netns)" "$@"
    ;;
*)
    echo "pcsc-rig: unknown command $cmd" >&2
    exit 2
    ;;
esac
