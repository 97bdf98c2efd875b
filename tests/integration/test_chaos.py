# SPDX-License-Identifier: EUPL-1.2
"""A seeded, randomized chaos run of the whole unlock/lock chain (issue 10): the real pcscd + vpcd rig
with the simulated CPx card, cpslockd and its worker, pam_cpslock.so (pam_wrapper + pamtester) for the
verified unlocks, cpslock-agent, and a private D-Bus with dbusmock's logind and a desktop that answers
Lock by setting LockedHint.

Each step is drawn from: the doctor's card in or out, an unverified CPS-looking card in the other
reader, a verified unlock (PIN through PAM → cpslockd, then the locker unlocks), an illegal unlock
(LockedHint false without any verification: a password unlock, a broken locker), pcscd killed with
SIGKILL and restarted, the agent killed with SIGKILL and restarted 1 s later, logind restarted.

Oracle, checked after every step once the policy's grace (and the rig's latencies) have passed: the
session is never unlocked without the card cpslockd verified for it since the last lock, present in
its reader. No crash either (the agent and cpslockd still run, or were restarted by the run).

Short in CI (CPSLOCK_CHAOS_STEPS, default 24, seed CPSLOCK_CHAOS_SEED, default 1); the long run:

    CPSLOCK_CHAOS_STEPS=300 CPSLOCK_CHAOS_SEED=7 ctest --preset ci -R integration.chaos --timeout 3600
"""
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from desktop import AgentProcess, Desktop, write_policy  # noqa: E402
from rig import BUILD_DIR, Cpslockd, PolicyDir, Rig, card_files, card_serial, rig_policy_dropin  # noqa: E402
from test_pam import PIN, PamService  # noqa: E402

AGENT = os.path.join(BUILD_DIR, "agent", "cpslock-agent")
DOCTOR = "valid-cps"
IDNAT = "810002813839"
OTHER_SERIAL = "1234567897"
GRACE = 1.0          # require_card_grace and loss_grace of the run's policy
SETTLE = GRACE + 3.0  # + pcscd's 400 ms poll, a restart, the lock confirmation

AGENT_POLICY = """[session]
idle_timeout = "0s"
require_card = true
require_card_grace = "1s"
[service]
loss_grace = "1s"
[audit]
sink = "stderr"
"""


class ChaosRun:
    def __init__(self, seed, steps):
        self.random = random.Random(seed)
        self.seed = seed
        self.steps = steps
        self.log = []
        self.violations = []
        self.rig = Rig().start()
        self.desktop = Desktop().start()
        self.env = dict(self.rig.env)
        self.env.update(self.desktop.env)
        self.env.pop("OPENSC_CONF", None)
        self.policy = PolicyDir('[accounts.holders]\n"%s" = "root"\n' % IDNAT)
        rig_policy_dropin(self.policy, self.rig.env)
        self.daemon = Cpslockd(policy=self.policy.path, env=self.env).start()
        self.work = tempfile.mkdtemp(prefix="cpslock-chaos-")
        self.agent_policy = write_policy(self.work, AGENT_POLICY)
        self.pam = PamService.only("socket=%s" % self.daemon.socket, self.env)
        self.pam.env.pop("PAM_WRAPPER_DEBUGLEVEL", None)
        cert, key = card_files(DOCTOR)
        # --persist: the cards come back by themselves after a pcscd restart.
        self.doctor = self.rig.card(0, "--persist", "--auth-cert", cert, "--auth-key", key, "--pin", PIN,
                                    "--pin-tries", "15")
        self.other = self.rig.card(1, "--persist")
        self.doctor_in = False
        self.other_in = False
        self.verified = False  # a verification of the doctor's card since the session last locked
        self.verified_unlocks = 0
        self.agent = None
        self.start_agent()

    # -- the parts ----------------------------------------------------------------------------------

    def start_agent(self):
        self.agent = AgentProcess(AGENT, self.env, self.agent_policy, ["--daemon-socket", self.daemon.socket])

    def note(self, text):
        self.log.append("%.1f %s" % (time.monotonic(), text))

    def locked(self):
        try:
            return self.desktop.locked_hint()
        except AssertionError:
            return None  # logind away: unknown

    # -- the actions ----------------------------------------------------------------------------------

    def insert_doctor(self):
        if not self.doctor_in:
            self.doctor.do("insert cps3 %s" % card_serial(DOCTOR), "inserted")
            self.doctor_in = True

    def remove_doctor(self):
        if self.doctor_in:
            self.doctor.do("remove", "removed")
            self.doctor_in = False

    def insert_other(self):
        if not self.other_in:
            self.other.do("insert cps3 %s" % OTHER_SERIAL, "inserted")
            self.other_in = True

    def remove_other(self):
        if self.other_in:
            self.other.do("remove", "removed")
            self.other_in = False

    def verified_unlock(self):
        """The screen locker: PIN through PAM → cpslockd (records the card for c1), then it unlocks."""
        if not self.doctor_in or self.other_in:
            return
        time.sleep(0.6)  # pcscd sees the card
        r = self.pam.run(user="root")
        if r.rc == 0:
            self.verified = True
            self.verified_unlocks += 1
            self.desktop.unlock()
        else:
            self.note("verification refused: %s" % r.text[-200:])

    def illegal_unlock(self):
        """LockedHint false without any verification (a password unlock, a locker bug)."""
        try:
            self.desktop.unlock()
        except AssertionError:
            pass

    def kill_pcscd(self):
        inserted = [c for c, in_reader in ((self.doctor, self.doctor_in), (self.other, self.other_in)) if in_reader]
        self.rig.kill_pcscd("KILL")
        for card in inserted:
            line = card.out.next(timeout=20)
            if line != "reader-gone":
                raise AssertionError("card said %r after pcscd died" % line)
        time.sleep(0.3)
        self.rig.restart_pcscd()
        for card in inserted:  # --persist: the card comes back by itself
            line = card.out.next(timeout=30)
            if not line.startswith("inserted"):
                raise AssertionError("card said %r after pcscd came back" % line)

    def kill_agent(self):
        self.agent.proc.kill()
        self.agent.proc.wait()
        time.sleep(1.0)
        self.start_agent()

    def restart_logind(self):
        self.desktop.stop_logind()
        time.sleep(0.3)
        self.desktop.start_logind()  # comes back with the session unlocked: an illegal unlock too

    ACTIONS = [
        ("insert-doctor", 3), ("remove-doctor", 3), ("insert-other", 1), ("remove-other", 1),
        ("verified-unlock", 4), ("illegal-unlock", 3), ("kill-pcscd", 1), ("kill-agent", 1),
        ("restart-logind", 1),
    ]

    def step(self, number):
        names = [n for n, w in self.ACTIONS for _ in range(w)]
        action = self.random.choice(names)
        self.note("step %d: %s" % (number, action))
        getattr(self, action.replace("-", "_"))()
        time.sleep(SETTLE)
        self.check(number, action)

    def check(self, number, action):
        locked = self.locked()
        if locked:
            self.verified = False  # a lock retires the verification (the agent tells cpslockd)
            return
        if locked is None:
            return
        if not (self.verified and self.doctor_in):
            self.violations.append("step %d (%s): unlocked %.1f s after the step with %s" % (
                number, action, SETTLE,
                "no verification since the last lock" if not self.verified else "the verified card out"))
            # Put the session back in a known state so that one violation is counted once.
            self.verified = False

    def run(self):
        for number in range(1, self.steps + 1):
            self.step(number)
            if self.agent.proc.poll() is not None:
                self.violations.append("step %d: the agent exited (%s)" % (number, self.agent.proc.returncode))
                self.start_agent()
            if self.daemon.proc.poll() is not None:
                self.violations.append("step %d: cpslockd exited (%s)" % (number, self.daemon.proc.returncode))
                self.daemon.start()
        return self.violations

    def stop(self):
        if self.agent:
            self.agent.proc.kill()
            self.agent.proc.wait()
        for p in (self.doctor, self.other):
            try:
                p.close()
            except Exception:
                pass
        self.daemon.stop()
        self.pam.remove()
        self.policy.remove()
        self.desktop.stop()
        self.rig.stop()
        subprocess.run(["rm", "-rf", self.work])


class ChaosTest(unittest.TestCase):
    def test_issue10_the_session_is_never_unlocked_without_its_verified_card(self):
        self.assertEqual(os.geteuid(), 0, "needs root (the rig)")
        seed = int(os.environ.get("CPSLOCK_CHAOS_SEED") or "1")
        steps = int(os.environ.get("CPSLOCK_CHAOS_STEPS") or "24")
        run = ChaosRun(seed, steps)
        try:
            violations = run.run()
        finally:
            run.stop()
        done = {}
        for line in run.log:
            if ": " in line and line.split(" ")[1] == "step":
                action = line.rsplit(": ", 1)[1]
                done[action] = done.get(action, 0) + 1
        sys.stderr.write("chaos seed %d, %d steps: %s; verified unlocks %d\n" % (
            seed, steps, ", ".join("%s %d" % kv for kv in sorted(done.items())), run.verified_unlocks))
        self.assertGreater(run.verified_unlocks, 0, "the run never unlocked with the card: it tested nothing")
        self.assertEqual(violations, [], "seed %d, %d steps:\n%s\nlog:\n%s" % (
            seed, steps, "\n".join(violations), "\n".join(run.log[-40:])))


if __name__ == "__main__":
    unittest.main()
