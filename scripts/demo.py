#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The main job of README.md, driven step by step: cpslockd, the card authority, decides which card
opens the session; cpslock-agent binds the session to exactly that card and locks when it leaves.

Everything is private and real: pcscd with the virtual reader (its own namespaces), the simulated CPS3
(cpslock-cardsim, an IAS-ECC CPx read by OpenSC in its default configuration), cpslockd on a private
socket (dropped to `nobody`) with its card worker, pam_cpslock.so under pam_wrapper + pamtester as the
"screen locker" (the PIN typed by this script), a private D-Bus system bus with python3-dbusmock's
logind (session c1) and a small desktop that answers Lock by setting LockedHint, and an Xvfb display.
Nothing of the machine's own pcscd, buses or display is touched. Needs root; run by scripts/demo.sh.
"""
import os
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from desktop import AgentProcess, Desktop, write_policy  # noqa: E402
from rig import CPSLOCK, Cpslockd, PolicyDir, Rig, card_files, card_serial, rig_policy_dropin  # noqa: E402
from test_pam import PIN, PamService  # noqa: E402

AGENT = os.path.join(os.environ["CPSLOCK_BUILD_DIR"], "agent", "cpslock-agent")
DOCTOR = card_serial("valid-cps")
STRANGER = "1234567897"  # a CPS-looking card nobody verified

AGENT_POLICY = """# Demo policy: short graces and a short idle lock so the demo does not take ten minutes.
[session]
require_card_grace = "3s"
idle_timeout = "30s"
idle_warning = "20s"
[audit]
sink = "stderr"
"""


def step(text):
    print("\n\033[1m== %s\033[0m" % text, flush=True)


def say(text):
    print("-> " + text, flush=True)


def main():
    work = tempfile.mkdtemp(prefix="cpslock-demo-")
    rig = Rig().start()
    desktop = Desktop(x11=True).start()
    card_policy = PolicyDir('[accounts.holders]\n"810002813839" = "root"\n')
    daemon = agent = pam = None
    try:
        env = dict(rig.env)
        env.update(desktop.env)
        step("Private pcscd + virtual reader, private D-Bus with dbusmock's logind (session c1), Xvfb; cpslockd")
        rig_policy_dropin(card_policy, rig.env)
        daemon = Cpslockd(policy=card_policy.path, env=env).start()
        say("cpslockd listens on %s (its worker reaches pcscd through the policy's pcsc.socket)" % daemon.socket)
        pam = PamService.only("socket=%s wait_card=10" % daemon.socket, env)
        pam.env.pop("PAM_WRAPPER_DEBUGLEVEL", None)

        def screen_locker_unlock(expect_ok=True):
            """pam_cpslock.so under pamtester, the PIN typed by the demo, then the locker unlocks."""
            r = pam.run(user="root")
            lines = [l for l in (r.out + r.err).splitlines() if l and not l.startswith("PWRAP")]
            for line in lines:
                print("   pamtester: " + line)
            if (r.rc == 0) != expect_ok:
                raise SystemExit("demo: unexpected PAM outcome %d" % r.rc)
            if r.rc == 0:
                desktop.unlock()

        def lock_calls():
            return desktop.lock_calls()

        step("cpslock-agent starts in the locked session; the doctor's CPS3 card (serial %s) goes in slot 0" % DOCTOR)
        desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                      "org.freedesktop.login1.Session.SetLockedHint", "true")
        agent = AgentProcess(AGENT, env, write_policy(work, AGENT_POLICY), ["--daemon-socket", daemon.socket])
        started = agent.expect("agent-started")
        say("agent: lockers %s, idle source %s, policy %s" % (started["lockers"], started["idle_source"],
                                                              started["policy"]))
        cert, key = card_files("valid-cps")
        doctor = rig.card(0, "--auth-cert", cert, "--auth-key", key, "--pin", PIN, "--pin-tries", "15")
        doctor.do("insert cps3 " + DOCTOR, "inserted")
        agent.expect("card-inserted", serial=DOCTOR)

        step("The screen locker asks the PIN: PAM → cpslockd → its worker → OpenSC → the card")
        screen_locker_unlock()
        bound = agent.expect("card-bound", serial=DOCTOR)
        say("session bound to the verified card %s in %s" % (bound["serial"], bound["reader"]))

        step("A patient's Carte Vitale in slot 1, in and out: nothing happens")
        vitale = rig.card(1)
        vitale.do("insert vitale2", "inserted")
        agent.expect("card-inserted", card_kind="vitale")
        vitale.do("remove", "removed")
        agent.expect("card-removed", card_kind="vitale")
        say("Lock calls so far: %d" % lock_calls())

        step("The doctor's card leaves the reader: the agent locks")
        doctor.do("remove", "removed")
        lock = agent.expect("lock", reason="card-removed")
        agent.expect("session-locked")
        say("locked (%s ms after the monitor's wake-up); Lock calls: %d" % (lock.get("latency_ms"), lock_calls()))

        step("Someone unlocks with a password while a CPS-looking card nobody verified is in the reader")
        stranger = rig.card(0)
        stranger.do("insert cps3 " + STRANGER, "inserted")
        agent.expect("card-inserted", serial=STRANGER)
        desktop.unlock()
        agent.expect("session-unlocked")
        lock = agent.expect("lock", timeout=20)
        agent.expect("session-locked")
        say("locked again after the grace (reason %s): only a card cpslockd verified counts" % lock["reason"])
        stranger.do("remove", "removed")
        agent.expect("card-removed", serial=STRANGER)

        step("The doctor comes back: card in, PIN at the screen locker, session bound again")
        doctor.do("insert cps3 " + DOCTOR, "inserted")
        agent.expect("card-inserted", serial=DOCTOR)
        screen_locker_unlock()
        agent.expect("card-bound", serial=DOCTOR)

        step("Nobody touches the PC: warning 20 s before the idle lock at 30 s (card inside: reminder)")
        desktop.x11_input()
        agent.expect("idle-warning", timeout=40)
        agent.expect("lock", reason="idle", timeout=30)
        agent.expect("session-locked")
        say("Lock calls: %d" % lock_calls())

        step("The card is reported lost from the command line (no tray): cpslock report-lost")
        r = subprocess.run([CPSLOCK, "report-lost", "--serial", DOCTOR, "--daemon-socket", daemon.socket],
                           env=env, capture_output=True, text=True, timeout=30)
        print(r.stdout + r.stderr, end="")
        step("Its next unlock is refused, even with the right PIN")
        screen_locker_unlock(expect_ok=False)

        step("Done: the agent stops on SIGTERM in a locked session without locking again")
        say("cpslock-agent exited with status %d" % agent.stop())
        agent = None
        return 0
    finally:
        if agent is not None:
            agent.proc.kill()
        if pam is not None:
            pam.remove()
        if daemon is not None:
            daemon.stop()
        card_policy.remove()
        desktop.stop()
        rig.stop()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
