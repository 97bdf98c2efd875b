# SPDX-License-Identifier: EUPL-1.2
"""`cpslock-agent --check --json` on the rig: one JSON object on stdout with the documented keys
(docs/admin.md), against a real pcscd with a card, a real cpslockd and dbusmock's logind; a broken
policy, an exemption and a missing locker are reported, and the exit code says whether the agent
could protect the session."""
import json
import os
import re
import subprocess
import unittest

from desktop import write_policy
from rig import SOURCE_DIR
from test_agent import AGENT, BASE_POLICY, CPS, SLOT0, SLOT1, AgentTestCase

KEYS = ["schema", "version", "user", "policy", "exemption", "unknown_exempt_groups", "settings", "cpslockd",
        "lockers", "locker_available", "session", "idle_source", "audit", "pcscd", "protected", "problems"]


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(cpslock VERSION ([0-9.]+)", f.read()).group(1)


class CheckJsonTestCase(AgentTestCase):
    def check_json(self, policy_text, *extra, rc=0):
        policy = write_policy(self.policy_dir, policy_text)
        r = subprocess.run([AGENT, "--check", "--json", "--policy", policy] + list(extra), env=self.env(),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count("\n"), 1, "one line, one object: %r" % r.stdout)
        report = json.loads(r.stdout)
        self.assertEqual(list(report), KEYS)
        self.assertEqual(report["schema"], 1)
        self.assertEqual(report["version"], project_version())
        return report, policy


class CheckJsonTest(CheckJsonTestCase):
    def test_everything_found_on_the_rig(self):
        watch = self.rig.watch()
        card = self.doctor_card()
        card.do("insert cps3 " + CPS, "inserted")
        watch.expect("reader-added", reader=SLOT0)
        watch.expect("reader-added", reader=SLOT1)
        watch.expect("card-inserted", reader=SLOT0, serial=CPS)
        report, policy = self.check_json(BASE_POLICY, "--daemon-socket", self.daemon.socket)
        self.assertEqual(report["user"], "root")
        self.assertEqual({k: report["policy"][k] for k in ("file", "loaded", "in_force", "errors")},
                         {"file": policy, "loaded": True, "in_force": "file", "errors": []})
        # The rig has no IGC-Santé anchors nor CRLs where the defaults look: warnings, as check-policy says.
        self.assertTrue(all(isinstance(w, str) and "warning" in w for w in report["policy"]["warnings"]))
        self.assertIsNone(report["exemption"])
        self.assertEqual(report["settings"]["removal_action"], "lock")
        self.assertEqual(report["settings"]["require_card_grace_s"], 3)
        self.assertEqual(report["cpslockd"]["socket"], self.daemon.socket)
        self.assertTrue(report["cpslockd"]["reachable"])
        self.assertEqual(report["cpslockd"]["version"], project_version())
        self.assertIsNone(report["cpslockd"]["error"])
        self.assertEqual(report["lockers"][0]["name"], "logind")
        self.assertTrue(report["lockers"][0]["usable"])
        self.assertTrue(report["locker_available"])
        self.assertEqual(report["session"], "unlocked")
        self.assertEqual(report["idle_source"], "logind")
        self.assertEqual(report["audit"], "stderr")
        self.assertTrue(report["pcscd"]["reachable"])
        readers = {r["name"]: r["card"] for r in report["pcscd"]["readers"]}
        self.assertEqual(readers[SLOT0], {"kind": "cps3", "serial": CPS})
        self.assertIsNone(readers[SLOT1])
        self.assertTrue(report["protected"])
        self.assertEqual(report["problems"], [])

    def test_broken_policy_unreachable_cpslockd_and_an_exemption_are_reported(self):
        report, policy = self.check_json('[session]\nidle_timout = "5m"\n', "--daemon-socket",
                                         os.path.join(self.policy_dir, "nobody-listens.sock"))
        self.assertFalse(report["policy"]["loaded"])
        self.assertEqual(report["policy"]["in_force"], "defaults")
        self.assertEqual(len(report["policy"]["errors"]), 1)
        self.assertIn(policy + ":2:1: error: unknown key 'idle_timout'", report["policy"]["errors"][0])
        self.assertEqual(report["settings"]["idle_timeout_s"], 600)  # the strict built-in defaults
        self.assertFalse(report["cpslockd"]["reachable"])
        self.assertIsNone(report["cpslockd"]["version"])
        self.assertTrue(report["cpslockd"]["error"])
        self.assertEqual(report["problems"], ["policy-refused", "cpslockd-unreachable"])
        self.assertTrue(report["protected"])  # it still locks (fail closed): exit 0

        exempt = BASE_POLICY.replace("[session]", '[session]\nexempt_users = ["root"]\nexempt_groups = ["no-such-grp"]')
        report, _ = self.check_json(exempt, "--daemon-socket", self.daemon.socket)
        self.assertEqual(report["exemption"], {"by": "user", "name": "root"})
        self.assertEqual(report["unknown_exempt_groups"], ["no-such-grp"])
        self.assertEqual(report["settings"]["removal_action"], "none")
        self.assertFalse(report["settings"]["require_card"])

    def test_json_goes_with_check_only(self):
        r = subprocess.run([AGENT, "--headless", "--json"], env=self.env(), capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--json", r.stderr)
        self.assertEqual(r.stdout, "")


class CheckJsonNoLockerTest(CheckJsonTestCase):
    desktop_options = {"logind": False}

    def test_without_a_locker_the_session_is_not_protected_exit_3(self):
        report, _ = self.check_json(BASE_POLICY, "--daemon-socket", self.daemon.socket, rc=3)
        self.assertFalse(report["locker_available"])
        self.assertFalse(report["protected"])
        self.assertIn("no-locker", report["problems"])
        self.assertFalse(report["lockers"][0]["usable"])


if __name__ == "__main__":
    unittest.main()
