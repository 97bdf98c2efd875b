# SPDX-License-Identifier: EUPL-1.2
"""session.exempt_users / exempt_groups end to end: the real agent on the rig (pcscd + vpcd + cardsim,
cpslockd, PAM through pam_wrapper, dbusmock's logind). Who the agent runs as and which groups it is in
come from the real NSS; nss_wrapper (LD_PRELOAD, its own passwd and group files) gives uid 0 another
name and other groups without touching the machine's /etc."""
import os
import time
import unittest

from test_agent import BASE_POLICY, CPS, SLOT0, SLOT1, AgentTestCase

NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"


def exempt_policy(users=(), groups=()):
    quoted = lambda names: ", ".join('"%s"' % n for n in names)
    return BASE_POLICY.replace("[session]", "[session]\nexempt_users = [%s]\nexempt_groups = [%s]"
                               % (quoted(users), quoted(groups)))


class ExemptTestCase(AgentTestCase):
    nss = None  # (passwd, group) file contents for nss_wrapper, None: the real NSS
    _agent_env = False

    def spawn_agent(self, *args, **kwargs):
        # Only the agent sees nss_wrapper: cpslockd and PAM keep the real NSS (root owns the card).
        self._agent_env = True
        try:
            return super().spawn_agent(*args, **kwargs)
        finally:
            self._agent_env = False

    def env(self):
        env = super().env()
        if self.nss is not None and self._agent_env:
            for name, text in zip(("passwd", "group"), self.nss):
                path = os.path.join(self.policy_dir, name)
                with open(path, "w") as f:
                    f.write(text)
                env["NSS_WRAPPER_" + name.upper()] = path
            env["LD_PRELOAD"] = NSS_WRAPPER
        return env

    def assert_no_lock_for(self, agent, seconds):
        """Nothing locks for longer than every grace of the policy, then a sentinel event is seen."""
        time.sleep(seconds)
        vitale = self.rig.card(1)
        vitale.do("insert vitale2", "inserted")
        agent.expect("card-inserted", reader=SLOT1, card_kind="vitale")
        vitale.do("remove", "removed")
        agent.expect("card-removed", reader=SLOT1)
        self.assertEqual(self.desktop.lock_calls(), 0)
        self.assertNotIn("lock", agent.kinds())


class ExemptUserTest(ExemptTestCase):
    def test_exempt_user_is_not_locked_on_removal_and_still_unlocks_with_a_card(self):
        agent, card = self.bound_agent(exempt_policy(users=["root"]))
        exempt = [a for a in agent.audits if a["kind"] == "session-exempt"]
        self.assertEqual(len(exempt), 1, agent.kinds())
        self.assertEqual((exempt[0]["user"], exempt[0]["by"], exempt[0]["name"]), ("root", "user", "root"))
        card.do("remove", "removed")
        agent.expect("card-removed", reader=SLOT0)
        agent.expect("removal-ignored", reader=SLOT0)
        self.assert_no_lock_for(agent, 4.0)  # require_card_grace is 3 s: not applied either
        # PAM is not touched: the exempt user's card and PIN still verify at the screen locker.
        card.do("insert cps3 " + CPS, "inserted")
        self.verify()
        self.stop_agent(agent)


class ExemptGroupTest(ExemptTestCase):
    # uid 0 is "doctor" here, a member of it-staff (and of its own primary group).
    nss = ("doctor:x:0:0:Dr:/root:/bin/sh\n", "doctor:x:0:\nit-staff:x:4242:doctor\n")

    def test_member_of_an_exempt_group_is_not_locked_without_a_card(self):
        agent = self.start_agent(exempt_policy(groups=["no-such-group", "it-staff"]))
        exempt = [a for a in agent.audits if a["kind"] == "session-exempt"]
        self.assertEqual(len(exempt), 1, agent.kinds())
        self.assertEqual((exempt[0]["user"], exempt[0]["by"], exempt[0]["name"]), ("doctor", "group", "it-staff"))
        self.assertTrue(any("'no-such-group', a group this system does not know" in line for line in agent.lines),
                        agent.lines)
        self.assert_no_lock_for(agent, 4.5)
        self.stop_agent(agent)


class ExemptHostileTest(ExemptTestCase):
    # uid 0 is "it-staff", the name of the exempt group, but not a member of it; its primary group
    # "clinic" is listed as an exempt *user*; an exempt group that does not exist.
    nss = ("it-staff:x:0:0:Not IT:/root:/bin/sh\n", "clinic:x:0:\nit-staff:x:4242:someone-else\n")

    def test_user_named_like_the_exempt_group_or_a_group_listed_as_a_user_is_locked(self):
        agent, card = self.bound_agent(exempt_policy(users=["clinic"], groups=["it-staff", "no-such-group"]))
        self.assertNotIn("session-exempt", agent.kinds())
        card.do("remove", "removed")
        self.expect_locked(agent, "card-removed")
        self.assertEqual(self.desktop.lock_calls(), 1)
        self.stop_agent(agent)

    def test_without_nss_wrapper_the_same_policy_does_not_exempt_root(self):
        # Sentinel for the test above: the real root is no member of it-staff either, and locks.
        self.nss = None
        agent = self.start_agent(exempt_policy(users=["clinic"], groups=["it-staff"]))
        self.expect_locked(agent, "no-card")
        self.assertNotIn("session-exempt", agent.kinds())
        self.stop_agent(agent)


if __name__ == "__main__":
    unittest.main()
