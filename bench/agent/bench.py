#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""cpslock-agent benchmark on the real rig (pcscd + vpcd + cpslock-cardsim) and a private desktop
(dbus-daemon + dbusmock logind, tests/integration/desktop.py).

1. Removal → Lock: over N removals of the session's card, the time from a raw SCardGetStatusChange
   watcher's wake-up (the rig's limit; same process group, same run) to the Lock call arriving at
   dbusmock (stamped with CLOCK_MONOTONIC inside the mock). That is the agent's own delay plus
   D-Bus routing and the mock's Python dispatch. The peer in the same run: card_eventmgr
   (libpam-pkcs11) with a removal action that stamps CLOCK_MONOTONIC (fork + /bin/sh + exec, as it
   runs every action).
2. Idle: CPU time and wake-ups (context switches of every thread) of the agent over S seconds with
   no card and with the session's card in the reader; RSS.

usage: bench/agent/bench.py [--cycles 200] [--idle-seconds 60]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from figures import summary_line  # noqa: E402
import rig as rigmod  # noqa: E402
from desktop import AgentProcess, Desktop, write_policy  # noqa: E402
from test_pam import PIN, PamService  # noqa: E402

AGENT = os.path.join(rigmod.BUILD_DIR, "agent", "cpslock-agent")
RAW = os.path.join(rigmod.BUILD_DIR, "bench", "agent", "cpslock-bench-agent")
READER = "Virtual_PCD_00_00"
POLICY = """
[session]
require_card = false
[audit]
sink = "stderr"
"""
PEER_CONF = """card_eventmgr {{
    daemon = false;
    debug = false;
    timeout = 1000;
    event card_insert {{ on_error = ignore; action = "true"; }}
    event card_remove {{ on_error = ignore; action = "{stamp} --stamp {file}"; }}
    event timeout {{ }}
}}
"""


def summary(name, ns_values):
    print(summary_line(name, [v / 1e6 for v in ns_values], "ms", 44, 3))


def read_stamps(path):
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def wait_stamps(path, count, timeout):
    """The stamp files are written by other processes; wait for the expected count (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        stamps = read_stamps(path)
        if len(stamps) >= count or time.monotonic() > deadline:
            return stamps
        time.sleep(0.005)


def process_stats(pid):
    """(context switches of every thread, CPU seconds) of a process."""
    switches = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        switches += int(line.split()[1])
        except FileNotFoundError:
            pass
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return switches, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([l for l in f if l.startswith("VmRSS")][0].split()[1])


FLOOR_CLIENT = r"""
import dbus, sys, time
bus = dbus.bus.BusConnection(sys.argv[1])
session = bus.get_object("org.freedesktop.login1", "/org/freedesktop/login1/session/c1")
sent = []
for _ in range(int(sys.argv[2])):
    t = time.monotonic_ns()
    session.Lock(dbus_interface="org.freedesktop.login1.Session")
    sent.append(t)
    time.sleep(0.01)
print(" ".join(map(str, sent)))
"""


def dbus_floor(desktop, lock_stamps, count):
    before = len(read_stamps(lock_stamps))
    r = subprocess.run(["/usr/bin/python3", "-c", FLOOR_CLIENT, desktop.env["DBUS_SYSTEM_BUS_ADDRESS"], str(count)],
                       capture_output=True, text=True, timeout=300)
    sent = [int(x) for x in r.stdout.split()]
    got = wait_stamps(lock_stamps, before + len(sent), 5.0)[before:]
    return [g - t for g, t in zip(got, sent)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--idle-seconds", type=float, default=60)
    ap.add_argument("--no-peer", action="store_true", help="skip card_eventmgr")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="cpslock-bench-agent-")
    lock_stamps = os.path.join(work, "lock.stamps")
    peer_stamps = os.path.join(work, "peer.stamps")
    rig = rigmod.Rig().start()
    desktop = Desktop(lock_stamp_file=lock_stamps).start()
    agent = peer = daemon = pam = None
    card_policy = rigmod.PolicyDir('[accounts.holders]\n"810002813839" = "root"\n')
    try:
        env = dict(rig.env)
        env.update(desktop.env)
        # The session binds only the card cpslockd verified for it: each cycle verifies it (PAM).
        rigmod.rig_policy_dropin(card_policy, rig.env)
        daemon = rigmod.Cpslockd(policy=card_policy.path, env=env).start()
        pam = PamService.only("socket=%s wait_card=10" % daemon.socket, env)
        pam.env.pop("PAM_WRAPPER_DEBUGLEVEL", None)

        def verified_unlock(locked):
            """The screen locker's cycle: (lock), PIN → cpslockd, unlock."""
            if not locked:
                desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                              "org.freedesktop.login1.Session.SetLockedHint", "true")
                agent.expect("session-locked")
            r = pam.run(user="root")
            if r.rc != 0:
                raise SystemExit("PAM verification failed: %r" % r)
            desktop.unlock()
            agent.expect("session-unlocked")
        raw = rig.spawn([RAW], stdin=subprocess.PIPE)
        raw_out = rigmod.LineReader(raw.stdout)
        assert raw_out.next() == "ready"
        agent = AgentProcess(AGENT, env, write_policy(work, POLICY), ["--daemon-socket", daemon.socket])
        agent.expect("agent-started", lockers="logind")
        agent.expect("session-unlocked")
        if not a.no_peer:
            conf = os.path.join(work, "card_eventmgr.conf")
            with open(conf, "w") as f:
                f.write(PEER_CONF.format(stamp=RAW, file=peer_stamps))
            peer = subprocess.Popen(["card_eventmgr", "nodaemon", "config_file=" + conf], env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cert, key = rigmod.card_files("valid-cps")
        serial = rigmod.card_serial("valid-cps")
        card = rig.card(0, "--auth-cert", cert, "--auth-key", key, "--pin", PIN, "--pin-tries", "15")

        def raw_event(state):
            while True:
                f = raw_out.next().split()
                if f[0] == "raw" and f[1] == state and f[2] == READER:
                    return int(f[3])

        raw_removed, agent_latency = [], []
        for i in range(a.cycles):
            card.do("insert cps3 " + serial, "inserted")
            raw_event("present")
            agent.expect("card-inserted", serial=serial)
            verified_unlock(locked=i > 0)
            agent.expect("card-bound", serial=serial)
            card.do("remove", "removed")
            raw_removed.append(raw_event("empty"))
            lock = agent.expect("lock", reason="card-removed")
            agent_latency.append(float(lock["latency_ms"]))
            agent.expect("session-locked")
            if peer is not None:
                wait_stamps(peer_stamps, i + 1, 5.0)

        locks = wait_stamps(lock_stamps, a.cycles, 5.0)
        peers = wait_stamps(peer_stamps, a.cycles, 5.0) if peer is not None else []
        print("Removal → lock, %d removals (raw watcher, agent and peer in the same run)" % a.cycles)
        if len(locks) != a.cycles:
            print("  WARNING: %d Lock calls for %d removals" % (len(locks), a.cycles))
        agent_ns = [l - r for l, r in zip(locks, raw_removed)]
        summary("agent: raw wake-up → Lock at dbusmock", agent_ns)
        summary("agent: own audit (monitor wake-up → call sent)", [int(x * 1e6) for x in agent_latency])
        if peer is not None:
            if len(peers) != a.cycles:
                print("  peer: %d stamps for %d removals (card_eventmgr %s)" % (
                    len(peers), a.cycles, "exited" if peer.poll() is not None else "running"))
            peer_ns = [p - r for p, r in zip(peers, raw_removed)]
            if peer_ns:
                summary("card_eventmgr: raw wake-up → action ran", peer_ns)
                print("  ratio of medians (card_eventmgr / agent): %.1f"
                      % (statistics.median(peer_ns) / statistics.median(agent_ns)))
            peer.terminate()
            peer.wait(timeout=10)
            peer = None

        # The floor of the measuring end: D-Bus routing and dbusmock's Python dispatch alone, measured
        # from a plain dbus-python client in the same run (not the agent).
        floor_ns = dbus_floor(desktop, lock_stamps, min(a.cycles, 200))
        if floor_ns:
            summary("floor: dbus-python client send → Lock at dbusmock", floor_ns)

        # ---- idle --------------------------------------------------------------------------------
        pid = agent.proc.pid
        desktop.unlock()
        agent.expect("session-unlocked")
        for label, with_card in (("no card", False), ("session card in the reader", True)):
            if with_card:
                card.do("insert cps3 " + serial, "inserted")
                agent.expect("card-inserted", serial=serial)
                verified_unlock(locked=False)
                agent.expect("card-bound", serial=serial)
            # Let the last event's work finish (audit lines written, D-Bus replies and signals read):
            # the window starts after 1 s without output.
            while True:
                try:
                    agent.next_line(1.0)
                except AssertionError:
                    break
            sw0, cpu0 = process_stats(pid)
            try:
                line, _ = agent.next_line(a.idle_seconds)
                raise AssertionError("unexpected agent output while idle: %r" % line)
            except AssertionError as e:
                if "unexpected" in str(e):
                    raise
            sw1, cpu1 = process_stats(pid)
            print("Idle %.0f s, %s: agent wake-ups (context switches, all threads) %d, CPU %.3f s"
                  % (a.idle_seconds, label, sw1 - sw0, cpu1 - cpu0))
        print("Agent RSS: %d kB (headless, Qt Core + DBus)" % rss_kb(pid))
        raw.stdin.close()
    finally:
        if peer is not None and peer.poll() is None:
            peer.kill()
        if agent is not None:
            agent.stop()
        if pam is not None:
            pam.remove()
        if daemon is not None:
            daemon.stop()
        card_policy.remove()
        desktop.stop()
        rig.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
