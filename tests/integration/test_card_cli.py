# SPDX-License-Identifier: EUPL-1.2
"""`cpslock card` and `cpslock verify` on the real rig: what happens before any PIN reaches a card
(no card, patient card, contactless CPS, two CPS cards, cards OpenSC cannot use, pcscd down),
configuration and usage errors. CPS cards are the simulator's IAS-ECC CPx (rig.insert_default_cps) read
through OpenSC's default configuration. The PIN path itself is in test_opensc_verify.py."""
import json
import subprocess
import unittest

from rig import CPSLOCK, PolicyDir, Rig


class CardCliTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.policy = PolicyDir()
        self.addCleanup(self.policy.remove)

    def verify(self, *args, pin="1234"):
        r = subprocess.run([CPSLOCK, "verify", "--json", "--policy", self.policy.path, *args], input=pin + "\n",
                           env=self.rig.env, capture_output=True, text=True, timeout=60)
        return r, (json.loads(r.stdout) if r.stdout.strip() else None)

    def card(self, *args):
        r = subprocess.run([CPSLOCK, "card", "--json", "--policy", self.policy.path, *args], env=self.rig.env,
                           capture_output=True, text=True, timeout=60)
        return r, (json.loads(r.stdout) if r.stdout.strip() else None)

    def assert_refused(self, reason, *args):
        r, out = self.verify(*args)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(out["result"], "refused")
        self.assertEqual(out["reason"], reason, out)
        self.assertTrue(out["message_fr"] and out["message_en"])
        return out

    def test_no_card(self):
        out = self.assert_refused("no-card")
        self.assertIn("Insérez", out["message_fr"])
        r, report = self.card()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(report["refusal"]["reason"], "no-card")

    def test_patient_card_is_not_a_cps(self):
        self.rig.insert(1, "insert vitale2")
        self.assert_refused("not-cps")

    def test_contactless_cps_never_gets_a_pin(self):
        self.rig.insert(0, "insert cps3-contactless 12345")
        self.assert_refused("contactless")

    def test_two_cps_cards_without_a_reader_named(self):
        self.rig.insert_default_cps()
        self.rig.insert(1, "insert cps4 2222")
        self.assert_refused("several-cards")
        # Naming the reader chooses one. OpenSC has no CPS4 (ChipDoc) driver: PC/SC sees a CPS that the
        # module cannot use, which is neither "no card" nor a generic module error.
        out = self.assert_refused("card-not-usable", "--reader", "Virtual PCD 00 01")
        self.assertIn("CKR_TOKEN_NOT_RECOGNIZED", out["detail"])
        self.assertIn("logiciel de carte", out["message_fr"])
        r, out = self.verify("--reader", "Virtual PCD 00 00")
        self.assertEqual((r.returncode, out["result"]), (0, "ok"), out)

    def test_cps_without_pkcs15_application_is_not_usable(self):
        # A CPx without keys (no EF.DIR, no PKCS#15): OpenSC's iasecc driver binds, its PKCS#15 layer cannot.
        self.rig.insert(0, "insert cps3 1111")
        self.assert_refused("card-not-usable")
        r, report = self.card()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(report["refusal"]["reason"], "card-not-usable", report)

    def test_reader_named_but_empty(self):
        self.rig.insert_default_cps()
        self.assert_refused("no-card", "--reader", "Virtual PCD 00 01")

    def test_pcscd_down(self):
        self.rig.kill_pcscd("KILL")
        out = self.assert_refused("reader-unavailable")
        self.assertIn("lecteur", out["message_fr"])

    def test_invalid_policy_exits_2_naming_the_line(self):
        self.policy.write("[session]\nidle_timout = \"5m\"\n")
        r, _ = self.verify()
        self.assertEqual(r.returncode, 2)
        self.assertIn(self.policy.path + ":", r.stderr)
        self.assertIn("idle_timeout", r.stderr)  # the "did you mean"

    def test_usage_errors(self):
        for args in (["--bogus"], ["--reader"], ["--user"], ["--pin", "1234"]):
            r, _ = self.verify(*args)
            self.assertEqual(r.returncode, 2, args)
        r = subprocess.run([CPSLOCK, "card", "--user", "x"], env=self.rig.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)

    def test_no_pin_on_stdin(self):
        self.rig.insert_default_cps()
        r, _ = self.verify(pin="")
        self.assertEqual(r.returncode, 2)
        self.assertIn("PIN", r.stderr)
        r, _ = self.verify(pin="9" * 200)
        self.assertEqual(r.returncode, 2)
        self.assertIn("too long", r.stderr)


if __name__ == "__main__":
    unittest.main()
