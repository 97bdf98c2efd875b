# SPDX-License-Identifier: EUPL-1.2
"""cpslock-agent end to end: the real reader rig (pcscd + vpcd + cpslock-cardsim), private D-Bus buses
with dbusmock's logind (its call log is the truth about Lock calls), the agent's audit on stderr.

The session is bound only to the card the card authority verified for it: every test runs a real
cpslockd (dropped to nobody) on the rig, and "verified" means a real PAM verification (pam_wrapper +
pamtester → pam_cpslock.so → cpslockd → its worker → OpenSC's default iasecc driver → the simulated
CPx card with the test PKI's valid CPS certificate) in session c1, which cpslockd records for that
session after asking dbusmock's logind who owns it."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from desktop import AgentProcess, Desktop, PrivateJournal, write_policy
from rig import BUILD_DIR, Cpslockd, PolicyDir, Rig, card_files, card_serial, rig_policy_dropin
from test_pam import PIN, PamService

AGENT = os.path.join(BUILD_DIR, "agent", "cpslock-agent")
SLOT0 = "Virtual PCD 00 00"
SLOT1 = "Virtual PCD 00 01"
CPS = card_serial("valid-cps")
HOLDER_IDNAT = "810002813839"  # valid-cps of the test PKI

# No idle lock unless a test asks for it; a short require_card grace so tests never wait long.
BASE_POLICY = """
[session]
idle_timeout = "0s"
require_card_grace = "3s"
[service]
loss_grace = "1s"
[audit]
sink = "stderr"
"""


class AgentTestCase(unittest.TestCase):
    desktop_options = {}

    def setUp(self):
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.desktop = Desktop(**self.desktop_options).start()
        self.addCleanup(self.desktop.stop)
        self.policy_dir = tempfile.mkdtemp(prefix="cpslock-policy-")
        self.addCleanup(shutil.rmtree, self.policy_dir, True)
        self.start_cpslockd()

    def env(self):
        env = dict(self.rig.env)
        env.update(self.desktop.env)
        return env

    def start_cpslockd(self):
        """cpslockd with the rig's card service and the desktop's system bus (logind owns session c1)."""
        self.card_policy = PolicyDir('[accounts.holders]\n"%s" = "root"\n' % HOLDER_IDNAT)
        self.addCleanup(self.card_policy.remove)
        rig_policy_dropin(self.card_policy, self.rig.env)
        self.daemon = Cpslockd(policy=self.card_policy.path, env=self.env()).start()
        self.addCleanup(self.daemon.stop)
        env = {k: v for k, v in self.env().items() if k != "OPENSC_CONF"}
        self.pam = PamService.only("socket=%s wait_card=10" % self.daemon.socket, env)
        self.pam.env.pop("PAM_WRAPPER_DEBUGLEVEL", None)
        self.addCleanup(self.pam.remove)

    def doctor_card(self, *extra):
        """The doctor's card in slot 0: a CPS3 IAS-ECC CPx with the test PKI's valid CPS certificate (not
        inserted yet: `card.do("insert cps3 " + CPS, "inserted")`)."""
        cert, key = card_files("valid-cps")
        return self.rig.card(0, "--auth-cert", cert, "--auth-key", key, "--pin", PIN, "--pin-tries", "15", *extra)

    def verify(self):
        """The screen locker's PAM step in session c1 (XDG_SESSION_ID): PIN → cpslockd → the card in slot 0.
        cpslockd records the card for c1."""
        r = self.pam.run(user="root")
        self.assertEqual(r.rc, 0, "the PAM verification failed: %r\n%s" % (r, self.daemon.audit()[-2000:]))

    def assert_retired(self):
        """The agent told cpslockd that the session locked: the verification no longer opens it."""
        deadline = time.monotonic() + 5
        reply = ""
        while time.monotonic() < deadline:
            reply = self.daemon.request("session-card session=c1")
            if reply.startswith("error no-card"):
                return
            time.sleep(0.05)
        self.fail("cpslockd still has a card for c1 after the lock: %s" % reply)

    def spawn_agent(self, policy=BASE_POLICY, daemon=True):
        """cpslock-agent asking this test's cpslockd (daemon=False: a socket nobody listens on), killed at
        cleanup whatever happens to the test."""
        socket = self.daemon.socket if daemon else os.path.join(self.policy_dir, "no-cpslockd.sock")
        agent = AgentProcess(AGENT, self.env(), write_policy(self.policy_dir, policy), ["--daemon-socket", socket])
        self.addCleanup(lambda: agent.proc.poll() is None and agent.proc.kill())
        return agent

    def start_agent(self, policy=BASE_POLICY, daemon=True):
        agent = self.spawn_agent(policy, daemon)
        agent.expect("agent-started", lockers="logind")
        agent.expect("session-unlocked")
        return agent

    def bound_agent(self, policy=BASE_POLICY):
        """An agent in an unlocked session bound to the CPS card in slot 0, which cpslockd verified."""
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        self.verify()
        agent = self.start_agent(policy)
        agent.expect("card-bound", reader=SLOT0, serial=CPS)
        return agent, card

    def expect_locked(self, agent, reason, timeout=20):
        lock = agent.expect("lock", timeout=timeout, reason=reason)
        self.desktop.wait_locked_by_desktop()
        agent.expect("session-locked")
        return lock

    def stop_agent(self, agent):
        started = time.monotonic()
        self.assertEqual(agent.stop(), 0, "\n".join(agent.lines[-10:]))
        self.assertLess(time.monotonic() - started, 5.0, "SIGTERM must stop the agent at once")


class CardRemovalTest(AgentTestCase):
    def test_removal_of_the_session_card_calls_lock_exactly_once_with_the_audit_event(self):
        agent, card = self.bound_agent()
        self.assertEqual(self.desktop.lock_calls(), 0)
        card.do("remove", "removed")
        lock = self.expect_locked(agent, "card-removed")
        self.assertEqual(lock["reader"], SLOT0)
        self.assertEqual(lock["serial"], CPS)
        self.assertEqual(lock["card_kind"], "cps3")
        self.assertLess(float(lock["latency_ms"]), 1000.0)
        self.assertTrue(any(re.search(r"locked: card removed \([0-9.]+ ms after pcscd reported it\)", line)
                            for line in agent.lines), agent.lines)
        self.assertTrue(self.desktop.locked_hint())
        # Sentinel: a later event is seen, and still only one Lock call was made.
        vitale = self.rig.card(1)
        vitale.do("insert vitale2", "inserted")
        agent.expect("card-inserted", reader=SLOT1, card_kind="vitale")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.assertNotIn("lock-failed", agent.kinds())
        self.stop_agent(agent)

    def test_vitale_inserted_and_removed_in_the_other_reader_does_nothing(self):
        agent, card = self.bound_agent()
        vitale = self.rig.card(1)
        for _ in range(3):
            vitale.do("insert vitale2", "inserted")
            agent.expect("card-inserted", reader=SLOT1, card_kind="vitale")
            vitale.do("remove", "removed")
            agent.expect("card-removed", reader=SLOT1, card_kind="vitale")
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.assertNotIn("lock", agent.kinds())
        # Sentinel: the session card's removal still locks, and it is the first and only lock.
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_swap_in_the_same_reader_locks(self):
        agent, card = self.bound_agent()
        card.send("swap cps3 1234567890")
        lock = agent.expect("lock")
        self.assertIn(lock["reason"], ("card-removed", "card-swapped"))
        self.desktop.wait_locked_by_desktop()
        agent.expect("session-locked")
        agent.expect("card-inserted", reader=SLOT0, serial="1234567890")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_unlock_binds_the_card_again_and_the_next_removal_locks_again(self):
        agent, card = self.bound_agent()
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        self.assert_retired()  # a password unlock now would not inherit the first verification
        card.do("insert cps3 " + CPS, "inserted")
        agent.expect("card-inserted", reader=SLOT0)
        self.verify()  # the unlock's PAM verification
        self.desktop.unlock()
        agent.expect("session-unlocked")
        agent.expect("card-bound", reader=SLOT0, serial=CPS)
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        self.assertEqual(self.desktop.lock_calls(), 2)
        self.stop_agent(agent)


class FailClosedTest(AgentTestCase):
    def test_pcscd_killed_locks_then_the_agent_recovers(self):
        card = self.doctor_card("--persist")
        card.do("insert cps3 " + CPS, "inserted")
        self.verify()
        agent = self.start_agent()
        agent.expect("card-bound", reader=SLOT0, serial=CPS)
        self.rig.kill_pcscd("KILL")
        agent.expect("service-lost")
        self.expect_locked(agent, "service-lost")
        self.assertEqual(card.out.next(), "reader-gone")
        self.rig.restart_pcscd()
        self.assertTrue(card.out.next(timeout=20).startswith("inserted cps3"))
        agent.expect("service-restored", timeout=30)
        agent.expect("card-inserted", reader=SLOT0, serial=CPS, timeout=30)
        # Recovered: unlock (verified again), the card binds again and its removal locks again.
        self.verify()
        self.desktop.unlock()
        agent.expect("card-bound", reader=SLOT0, serial=CPS)
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        self.assertEqual(self.desktop.lock_calls(), 2)
        self.stop_agent(agent)

    def test_session_reader_gone_when_pcscd_comes_back_locks_reader_removed(self):
        # The nearest this rig gets to a reader unplugged under a running session: pcscd goes away and
        # comes back without the session's reader; the same card shows up in another reader. Neither
        # the service loss (action "none") nor the removal action ("none") locks: the reader does.
        policy = BASE_POLICY.replace('loss_grace = "1s"', 'loss_grace = "1s"\nloss_action = "none"').replace(
            "[session]\n", '[session]\nremoval_action = "none"\n')
        card = self.doctor_card("--persist")
        card.do("insert cps3 " + CPS, "inserted")
        self.verify()
        agent = self.start_agent(policy)
        agent.expect("card-bound", reader=SLOT0, serial=CPS)
        self.rig.kill_pcscd("TERM")
        agent.expect("service-lost")
        self.assertEqual(card.out.next(), "reader-gone")
        self.rig.restart_pcscd(reader_name="Moved PCD")
        self.assertTrue(card.out.next(timeout=20).startswith("inserted cps3"))
        agent.expect("service-restored", timeout=30)
        agent.expect("card-inserted", reader="Moved PCD 00 00", serial=CPS, timeout=30)
        lock = self.expect_locked(agent, "reader-removed", timeout=10)
        self.assertEqual(lock["reader"], SLOT0)
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_agent_started_in_an_unlocked_session_without_a_card_locks(self):
        agent = self.start_agent()
        self.expect_locked(agent, "no-card")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_issue10_password_unlock_with_an_unverified_cps_card_locks_after_the_grace(self):
        # A password unlock: nobody verified the CPS card in the reader, cpslockd has no card for c1.
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        agent = self.start_agent()
        started = time.monotonic()
        lock = self.expect_locked(agent, "no-card")
        self.assertGreater(time.monotonic() - started, 1.0, "locked only after the grace (3 s)")
        self.assertNotIn("card-bound", agent.kinds())
        self.assertIn("card-not-verified", agent.kinds())
        self.assertEqual(lock["reason"], "no-card")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_agent_started_in_a_locked_session_does_not_call_lock(self):
        self.desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                           "org.freedesktop.login1.Session.SetLockedHint", "true")
        agent = self.spawn_agent()
        agent.expect("agent-started")
        agent.expect("reader-added", reader=SLOT1)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.assertNotIn("session-unlocked", agent.kinds())
        self.stop_agent(agent)

    def test_sigterm_while_the_monitor_waits_stops_cleanly(self):
        agent, _ = self.bound_agent()
        self.stop_agent(agent)
        self.assertIn("agent-stopped", agent.kinds())


class PolicyTest(AgentTestCase):
    def test_invalid_policy_change_is_refused_and_the_last_valid_one_stays(self):
        agent, card = self.bound_agent()
        write_policy(self.policy_dir, "[session]\nidle_timout = \"5m\"\n")
        refused = agent.expect("policy-refused")
        self.assertIn("idle_timout", refused["errors"])
        # Still the valid policy: removal locks.
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        # A valid change is applied.
        write_policy(self.policy_dir, BASE_POLICY.replace('loss_grace = "1s"', 'loss_grace = "2s"'))
        applied = agent.expect("policy-applied")
        self.assertIn("service.loss_grace", applied["changes"])
        self.stop_agent(agent)

    def test_removal_action_none_from_the_policy_does_not_lock(self):
        agent, card = self.bound_agent(BASE_POLICY.replace("[session]", '[session]\nremoval_action = "none"'))
        card.do("remove", "removed")
        agent.expect("card-removed", reader=SLOT0)
        agent.expect("removal-ignored", reader=SLOT0)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.stop_agent(agent)


IDLE_POLICY = """
[session]
idle_timeout = "30s"
idle_warning = "25s"
require_card = false
[audit]
sink = "stderr"
"""


class LogindIdleTest(AgentTestCase):
    def test_logind_idle_hint_gives_a_warning_then_a_lock(self):
        # Idle for 20 s already when the agent starts: warning at once, lock 10 s later.
        since_us = time.monotonic_ns() // 1000 - 20 * 1000 * 1000
        self.desktop.set_idle(True, since_us)
        agent = self.spawn_agent(IDLE_POLICY)
        agent.expect("agent-started", idle_source="logind")
        agent.expect("idle-warning")
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.expect_locked(agent, "idle")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_activity_during_the_warning_cancels_it(self):
        since_us = time.monotonic_ns() // 1000 - 20 * 1000 * 1000
        self.desktop.set_idle(True, since_us)
        agent = self.spawn_agent(IDLE_POLICY)
        agent.expect("idle-warning")
        self.desktop.set_idle(False, 0)
        agent.expect("idle-cancelled")
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.stop_agent(agent)


class X11IdleTest(AgentTestCase):
    desktop_options = {"x11": True}

    def test_x11_idle_warning_input_cancels_then_lock(self):
        self.desktop.x11_input()
        agent = self.spawn_agent(IDLE_POLICY)
        agent.expect("agent-started", idle_source="x11")
        agent.expect("idle-warning", timeout=30)
        self.desktop.x11_input()
        agent.expect("idle-cancelled", timeout=10)
        agent.expect("idle-warning", timeout=30)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.expect_locked(agent, "idle", timeout=40)
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)


class MutterIdleTest(AgentTestCase):
    desktop_options = {"mutter_idle_ms": 20000}

    def test_mutter_idle_monitor_is_used_without_x11_and_gives_warning_then_lock(self):
        agent = self.spawn_agent(IDLE_POLICY)
        agent.expect("agent-started", idle_source="mutter")
        agent.expect("idle-warning")
        # Input seen by gnome-shell: the next sample (every second during the countdown) cancels.
        self.desktop.set_mutter_idle(100)
        agent.expect("idle-cancelled")
        self.assertEqual(self.desktop.lock_calls(), 0)
        agent.expect("idle-warning", timeout=15)
        self.expect_locked(agent, "idle", timeout=40)
        self.stop_agent(agent)


class NoLockerTest(AgentTestCase):
    desktop_options = {"logind": False}

    def test_check_fails_loudly_without_a_locker(self):
        r = subprocess.run([AGENT, "--check", "--policy", write_policy(self.policy_dir, BASE_POLICY)],
                           env=self.env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("NONE USABLE", r.stdout)
        self.assertIn("locker logind: unusable", r.stdout)

    def test_headless_without_a_locker_says_so_and_reports_every_failed_lock(self):
        agent = self.spawn_agent()
        agent.expect("agent-started", lockers="none")
        agent.expect("locker-missing")
        self.assertTrue(any("NO LOCKER WORKS" in l for l in agent.lines))
        # No card: require_card asks for a lock, which cannot happen: lock-failed, retried.
        agent.expect("lock", reason="no-card")
        agent.expect("lock-failed")
        agent.expect("lock-failed")
        self.stop_agent(agent)


class ScreenSaverTest(AgentTestCase):
    desktop_options = {"logind": False, "screensaver": True}

    def test_screensaver_locks_when_logind_is_absent(self):
        # Without logind no session can be shown to own a verification: nothing binds, and the unlocked
        # session locks through the ScreenSaver once require_card's grace is over.
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        agent = self.spawn_agent()
        agent.expect("agent-started", lockers="screensaver")
        agent.expect("lock", reason="no-card")
        agent.expect("session-locked")
        self.assertEqual(self.desktop.calls("Lock", path="/org/freedesktop/ScreenSaver", bus="session",
                                            dest="org.freedesktop.ScreenSaver"), 1)
        self.stop_agent(agent)


class LockerThatDoesNothingTest(AgentTestCase):
    # logind answers Lock but no screen locker listens (nothing sets LockedHint): accepted is not locked.
    # A ScreenSaver that answers Lock and ActiveChanged(true) does not count where logind knows the state.
    desktop_options = {"answer_lock": False, "screensaver": True}

    def test_accepted_lock_that_never_happens_is_a_failure_and_the_next_locker_is_asked(self):
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        self.verify()
        agent = self.spawn_agent()
        agent.expect("agent-started", lockers="logind, screensaver")
        agent.expect("card-bound")
        agent.audits.clear()
        card.do("remove", "removed")
        agent.expect("lock", reason="card-removed")
        failed = agent.expect("lock-failed", timeout=15)
        self.assertIn("did not lock", failed["detail"])
        self.assertIn("logind", failed["detail"])
        # The ScreenSaver was asked and says it is active; where logind knows the session's state that
        # is not "locked" (issue 10: a saver that only blanks): still failing, still retried.
        failed = agent.expect("lock-failed", timeout=15)
        self.assertIn("screensaver", failed["detail"])
        self.assertEqual(self.desktop.calls("Lock", path="/org/freedesktop/ScreenSaver", bus="session",
                                            dest="org.freedesktop.ScreenSaver"), 1)
        self.assertNotIn("session-locked", agent.kinds())
        # The real screen locker sets LockedHint: now the session is locked.
        self.desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                           "org.freedesktop.login1.Session.SetLockedHint", "true")
        agent.expect("session-locked")
        self.assertGreaterEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)


NO_REQUIRE_POLICY = BASE_POLICY.replace("[session]", "[session]\nrequire_card = false")


class StopTest(AgentTestCase):
    """Issue 10: SIGTERM (systemctl --user stop) ended the agent without locking."""

    def test_issue10_sigterm_in_an_unlocked_session_locks_then_exits(self):
        agent = self.start_agent(NO_REQUIRE_POLICY)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.assertEqual(agent.stop(timeout=20), 0, "\n".join(agent.lines[-10:]))
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.assertTrue(self.desktop.locked_hint())
        kinds = agent.kinds()
        self.assertIn("agent-stopping", kinds)
        lock = [a for a in agent.audits if a["kind"] == "lock"]
        self.assertEqual([a["reason"] for a in lock], ["agent-stopped"])
        # Exits only once the session is locked.
        self.assertLess(kinds.index("lock"), kinds.index("session-locked"))
        self.assertLess(kinds.index("session-locked"), kinds.index("agent-stopped"))

    def test_sigterm_during_a_logout_exits_without_locking(self):
        agent = self.start_agent(NO_REQUIRE_POLICY)
        self.desktop.set_session_state("closing")
        self.stop_agent(agent)
        self.assertEqual(self.desktop.lock_calls(), 0)
        stopping = [a for a in agent.audits if a["kind"] == "agent-stopping"]
        self.assertEqual(len(stopping), 1, agent.lines)
        self.assertIn("closing", stopping[0]["detail"])

    def test_sigterm_in_a_locked_session_exits_without_a_lock(self):
        self.desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                           "org.freedesktop.login1.Session.SetLockedHint", "true")
        agent = self.spawn_agent(NO_REQUIRE_POLICY)
        agent.expect("agent-started")
        agent.expect("session-locked")
        self.stop_agent(agent)
        self.assertEqual(self.desktop.lock_calls(), 0)


class RestartTest(AgentTestCase):
    """Issue 10: a restarted agent bound whatever CPS-looking card was in the reader."""

    def test_issue10_killed_and_restarted_agent_is_bound_to_the_verified_card_again(self):
        agent, card = self.bound_agent()
        agent.proc.kill()
        agent.proc.wait()
        other = self.rig.insert(1, "insert cps3 1234567890")
        again = self.start_agent()
        again.expect("card-bound", reader=SLOT0, serial=CPS)
        again.expect("card-inserted", reader=SLOT1)
        other.do("remove", "removed")
        again.expect("card-removed", reader=SLOT1)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.assertEqual([a["serial"] for a in again.audits if a["kind"] == "card-bound"], [CPS])
        card.do("remove", "removed")
        self.expect_locked(again, "card-removed")
        self.assert_retired()
        self.stop_agent(again)

    def test_issue10_card_swapped_while_the_agent_was_down_locks(self):
        agent, card = self.bound_agent()
        agent.proc.kill()
        agent.proc.wait()
        card.do("remove", "removed")
        card.do("insert cps3 1234567890", "inserted")
        again = self.start_agent()
        lock = self.expect_locked(again, "card-swapped")
        self.assertEqual(lock["reader"], SLOT0)
        self.assertNotEqual(lock.get("serial"), CPS)
        self.assertNotIn("card-bound", again.kinds())
        self.stop_agent(again)


class LockRetryTest(AgentTestCase):
    def test_issue10_a_refused_lock_is_really_asked_again(self):
        # Not only an armed timer: the second Lock() reaches logind.
        self.desktop.fail_first_locks(1)
        agent = self.start_agent()
        agent.expect("lock", reason="no-card")
        failed = agent.expect("lock-failed")
        self.assertIn("refused", failed["detail"])
        self.desktop.wait_locked_by_desktop()
        agent.expect("session-locked")
        self.assertEqual(self.desktop.lock_calls(), 2)
        self.stop_agent(agent)


class LogindFollowTest(AgentTestCase):
    """Issue 10 (chaos run): lockers and the session-state watch follow logind's bus name."""

    def test_issue10_logind_restarted_is_picked_up_again(self):
        agent = self.start_agent(NO_REQUIRE_POLICY)
        self.desktop.stop_logind()
        missing = agent.expect("locker-missing", locker="logind")
        self.assertEqual(missing["lockers"], "none")
        self.desktop.start_logind()
        agent.expect("locker-available", locker="logind")
        # The new logind gets the lock, and its LockedHint (subscription re-armed) ends the stop.
        self.assertEqual(agent.stop(timeout=20), 0, "\n".join(agent.lines[-10:]))
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.assertIn("session-locked", agent.kinds())


class LogindAbsentAtStartTest(AgentTestCase):
    desktop_options = {"logind": False}

    def test_issue10_agent_started_while_logind_is_away_keeps_looking_and_locks(self):
        agent = self.spawn_agent()
        agent.expect("agent-started", lockers="none")
        agent.expect("lock", reason="no-card")
        agent.expect("lock-failed")
        agent.expect("lock-failed")
        self.desktop.start_logind()
        agent.expect("locker-available", locker="logind")
        self.desktop.wait_locked_by_desktop()
        agent.expect("session-locked")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)


class LockCommandTest(AgentTestCase):
    desktop_options = {"logind": False}

    def test_policy_lock_command_locks_and_its_end_is_the_unlock(self):
        pids = os.path.join(self.policy_dir, "locker.pids")
        script = os.path.join(self.policy_dir, "locker.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho \"$$ $*\" >> %s\nexec sleep 600\n" % pids)
        os.chmod(script, 0o755)

        def kill_lockers():
            # A lock command outlives the agent (a locked screen must stay locked): the test ends it.
            if os.path.exists(pids):
                with open(pids) as f:
                    for line in f.read().split("\n")[:-1]:
                        try:
                            os.kill(int(line.split()[0]), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
        self.addCleanup(kill_lockers)
        agent = self.spawn_agent(BASE_POLICY + '[locker]\ncommand = ["%s", "--nofork"]\n' % script)
        agent.expect("agent-started", lockers="command")
        agent.expect("lock", reason="no-card")
        agent.expect("session-locked")

        def started():
            # The command writes its line once its shell runs, a moment after QProcess said "started".
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if os.path.exists(pids):
                    with open(pids) as f:
                        lines = f.read().split("\n")[:-1]
                    if lines:
                        return lines
                time.sleep(0.05)
            return []

        first = started()[0].split()
        self.assertEqual(first[1:], ["--nofork"], "argv from the policy, no shell")
        os.kill(int(first[0]), signal.SIGTERM)  # the user unlocked: the locker ends
        agent.expect("session-unlocked")
        # Still no verified card: locked again after the grace, by a second run of the command.
        agent.expect("lock", reason="no-card")
        agent.expect("session-locked")
        deadline = time.monotonic() + 10
        while len(started()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(started()), 2)
        self.stop_agent(agent)


class LogoutTest(AgentTestCase):
    def test_removal_action_logout_calls_logind_terminate_and_the_logout_stop_does_not_lock(self):
        agent, card = self.bound_agent(BASE_POLICY.replace("[session]", '[session]\nremoval_action = "logout"'))
        card.do("remove", "removed")
        agent.expect("logout", reason="card-removed")
        deadline = time.monotonic() + 10
        while self.desktop.calls("Terminate") < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.desktop.calls("Terminate"), 1)
        self.assertEqual(self.desktop.lock_calls(), 0)
        # The session ends: logind says closing, systemd stops the agent: no lock on the way out.
        self.desktop.set_session_state("closing")
        self.stop_agent(agent)
        self.assertEqual(self.desktop.lock_calls(), 0)


class JournaldTest(AgentTestCase):
    """The journald audit sink, read back from a real systemd-journald (desktop.PrivateJournal)."""

    def test_audit_records_reach_journald_with_their_message_ids(self):
        journal = PrivateJournal()
        self.addCleanup(journal.stop)
        policy = BASE_POLICY.replace('sink = "stderr"', 'sink = "journald"')
        agent = AgentProcess(AGENT, self.env(), write_policy(self.policy_dir, policy), prefix=journal.prefix())
        self.addCleanup(lambda: agent.proc.poll() is None and agent.proc.kill())
        agent.expect_line(r"audit to journald")
        agent.expect_line(r"locked: no card")
        self.stop_agent(agent)
        ids = {
            "agent-started": "5575ece976bb465e946d0406be431e5e",
            "authority-unavailable": "e83b1f5a90c24d7fa6d2c4b18e5f0a97",
            "session-unlocked": "b07b9449797c42a08368603b5a462156",
            "lock": "c0ef45126968434e959441fd87b62b09",
            "session-locked": "df5504c1eda14f12876a23802d82b408",
            "agent-stopping": "b51f08d3c7e6429aa0d4e92f13c8b7d6",
            "agent-stopped": "21b3450986364b6587177267c4fc95c2",
        }
        ours = journal.entries(SYSLOG_IDENTIFIER="cpslock-agent")
        kinds = [e.get("CPSLOCK_KIND") for e in ours]
        for kind, message_id in ids.items():
            found = [e for e in ours if e.get("CPSLOCK_KIND") == kind]
            self.assertTrue(found, "%s not in the journal: %s" % (kind, kinds))
            self.assertEqual(found[0].get("MESSAGE_ID"), message_id, kind)
        lock = journal.entries(MESSAGE_ID=ids["lock"])
        self.assertEqual(len(lock), 1)
        self.assertEqual(lock[0]["CPSLOCK_REASON"], "no-card")
        self.assertEqual(lock[0]["PRIORITY"], "5")
        self.assertIn("Session verrouillée", lock[0]["MESSAGE"])
        self.assertEqual(self.desktop.lock_calls(), 1)


    def run_on_journal_stream(self, journal, journal_stream):
        """The agent as the user unit runs it: stderr is a stream to journald (identifier
        cpslock-agent-stream, default priority 6, as systemd's StandardError=journal), JOURNAL_STREAM
        says so unless `journal_stream` gives another value. Runs until the no-card lock is journaled."""
        stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(stream.close)
        stream.connect("/proc/%d/root/run/systemd/journal/stdout" % journal.proc.pid)
        # journald's stream header: identifier, unit, priority, level prefix, syslog, kmsg, console.
        stream.sendall(b"cpslock-agent-stream\n\n6\n1\n0\n0\n0\n")
        st = os.fstat(stream.fileno())
        env = self.env()
        env["JOURNAL_STREAM"] = journal_stream or "%d:%d" % (st.st_dev, st.st_ino)
        policy = BASE_POLICY.replace('sink = "stderr"', 'sink = "journald"')
        proc = subprocess.Popen(journal.prefix() + [AGENT, "--headless", "--policy", write_policy(self.policy_dir, policy)],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stream.fileno())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + 30
        while not journal.entries(CPSLOCK_KIND="session-locked"):
            self.assertLess(time.monotonic(), deadline, "no lock journaled")
            time.sleep(0.2)
        proc.terminate()
        self.assertEqual(proc.wait(timeout=10), 0)
        self.assertEqual(self.desktop.lock_calls(), 1)

    def test_log_lines_reach_journald_natively_each_with_its_priority(self):
        journal = PrivateJournal()
        self.addCleanup(journal.stop)
        self.run_on_journal_stream(journal, None)
        lines = [e for e in journal.entries(SYSLOG_IDENTIFIER="cpslock-agent") if "CPSLOCK_KIND" not in e]
        started = [e for e in lines if e["MESSAGE"].startswith("started: lockers [logind]")]
        self.assertEqual(len(started), 1, lines)
        self.assertEqual(started[0]["PRIORITY"], "6")  # info
        authority = [e for e in lines if e["MESSAGE"].startswith("card authority: ")]
        self.assertTrue(authority, lines)
        self.assertEqual(authority[0]["PRIORITY"], "4")  # warning: no cpslockd here
        # Nothing came through the stream: no line at the stream's one priority.
        self.assertEqual(journal.entries(SYSLOG_IDENTIFIER="cpslock-agent-stream"), [])
        # The audit MESSAGE carries the key=value fields for plain syslog forwarding.
        lock = journal.entries(CPSLOCK_KIND="lock")[0]
        self.assertTrue(lock["MESSAGE"].startswith("cpslock-audit kind=lock reason=no-card "), lock["MESSAGE"])

    def test_a_stale_journal_stream_keeps_stderr_lines(self):
        # Sentinel: JOURNAL_STREAM naming another file (stderr redirected since) is not trusted.
        journal = PrivateJournal()
        self.addCleanup(journal.stop)
        self.run_on_journal_stream(journal, "1:1")
        self.assertEqual([e for e in journal.entries(SYSLOG_IDENTIFIER="cpslock-agent") if "CPSLOCK_KIND" not in e],
                         [])
        streamed = journal.entries(SYSLOG_IDENTIFIER="cpslock-agent-stream")
        self.assertTrue(any(e["MESSAGE"].startswith("cpslock-agent: warning: card authority") for e in streamed),
                        [e["MESSAGE"] for e in streamed])
        self.assertEqual({e["PRIORITY"] for e in streamed}, {"6"})


class CheckTest(AgentTestCase):
    def test_check_lists_readers_locker_idle_source_and_policy(self):
        watch = self.rig.watch()
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        watch.expect("reader-added", reader=SLOT0)
        watch.expect("reader-added", reader=SLOT1)
        watch.expect("card-inserted", reader=SLOT0, serial=CPS)
        policy = write_policy(self.policy_dir, BASE_POLICY)
        r = subprocess.run([AGENT, "--check", "--policy", policy], env=self.env(), capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("locker logind: usable", r.stdout)
        self.assertIn("policy: " + policy, r.stdout)
        self.assertIn("idle source: logind", r.stdout)
        self.assertIn('card-inserted "%s" cps3 %s' % (SLOT0, CPS), r.stdout)

    def test_logind_session_found_by_pid_without_xdg_session_id(self):
        env = self.env()
        del env["XDG_SESSION_ID"]
        r = subprocess.run([AGENT, "--check", "--policy", write_policy(self.policy_dir, BASE_POLICY)], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("locker logind: usable (session /org/freedesktop/login1/session/c1 (by PID)", r.stdout)

    def test_bad_arguments_exit_2(self):
        for args in (["--bogus"], [], ["--policy"]):
            r = subprocess.run([AGENT] + args, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage", r.stderr)


if __name__ == "__main__":
    unittest.main()
