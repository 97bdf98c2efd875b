# SPDX-License-Identifier: EUPL-1.2
"""`cpslock verify` end to end through the real stack: pcscd + vpcd, the simulated CPS3 (IAS-ECC CPx),
OpenSC's opensc-pkcs11.so in its default configuration (its iasecc driver, as on a clinic PC), the test
PKI. Real PIN counter (wrong → final try → locked), real signatures, real removal."""
import json
import subprocess
import unittest

from rig import CPSLOCK, PolicyDir, Rig, card_manifest as manifest

PIN = "1234"
READER = "Virtual PCD 00 00"




class OpenScVerifyTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.policy = PolicyDir('[accounts.holders]\n"810002813839" = "dr.donnat"\n')
        self.addCleanup(self.policy.remove)

    def insert(self, name, key_of=None):
        return self.rig.insert_default_cps(name, 0, PIN, key_of)

    def verify(self, pin=PIN, *args):
        r = subprocess.run([CPSLOCK, "verify", "--json", "--policy", self.policy.path, *args], input=pin + "\n",
                           env=self.rig.env, capture_output=True, text=True, timeout=120)
        self.assertTrue(r.stdout.strip(), r.stderr)
        return r.returncode, json.loads(r.stdout)

    def assert_refused(self, reason, pin=PIN, *args):
        code, out = self.verify(pin, *args)
        self.assertEqual((code, out["result"], out["reason"]), (1, "refused", reason), out)
        return out

    def test_right_pin_verifies_the_holder(self):
        self.insert("valid-cps")
        code, out = self.verify(PIN, "--user", "dr.donnat")
        self.assertEqual(code, 0, out)
        self.assertEqual(out["result"], "ok")
        self.assertEqual(out["holder"]["idnat"], "810002813839")
        self.assertEqual(out["holder"]["idnat_kind"], "rpps")
        self.assertEqual(out["holder"]["surname"], "DONNAT-GADY")
        self.assertEqual(out["holder"]["profession"], "Médecin")
        self.assertEqual(out["card"]["reader"], READER)
        self.assertEqual(out["card"]["serial"], manifest("valid-cps")["serial"])
        self.assertEqual(out["card"]["cert_sha256"], manifest("valid-cps")["sha256"])
        for step in ("module", "login", "signature", "chain", "identity"):
            self.assertIn(step, out["timings_ms"])

    def test_wrong_pin_counts_down_and_the_last_try_is_kept(self):
        card = self.insert("valid-cps")
        out = self.assert_refused("wrong-pin", "0000")
        self.assertIn("wrong", out["message_en"].lower())
        self.assertEqual(card.do("pin-state", "pin"), "pin tries=2 verified=0")
        self.assert_refused("wrong-pin", "0000")
        # One try left: the default policy refuses to spend it, whatever PIN is typed.
        self.assertEqual(card.do("pin-state", "pin"), "pin tries=1 verified=0")
        self.assert_refused("last-try-refused", PIN)
        self.assertEqual(card.do("pin-state", "pin"), "pin tries=1 verified=0", "no try spent")

    def test_locked_card_is_refused_without_trying(self):
        card = self.insert("valid-cps")
        self.policy.write('[pin]\nlast_try = "warn"\n')
        for _ in range(2):
            self.assert_refused("wrong-pin", "0000")
        # The third wrong PIN blocks the card: the CPx answers 69 83, OpenSC CKR_PIN_LOCKED.
        self.assert_refused("pin-locked", "0000")
        self.assertEqual(card.do("pin-state", "pin"), "pin tries=0 verified=0")
        self.assert_refused("pin-locked", PIN)

    def test_wrong_pin_never_accepted_PamP11Pr32(self):
        self.insert("valid-cps")
        for wrong in ("1235", "0000"):
            code, out = self.verify(wrong)
            self.assertNotEqual(code, 0)
            self.assertNotEqual(out["result"], "ok")

    def test_card_key_not_matching_its_certificate_Cve2025_24032(self):
        # A card carrying a genuine certificate copied from another card: it signs with its own key.
        self.insert("valid-cps", key_of="valid-adeli")
        self.assert_refused("key-mismatch")

    def test_card_pulled_between_login_and_signature(self):
        card = self.insert("valid-cps")
        self.assertEqual(card.do("remove-on sign", "armed"), "armed remove-on sign")
        out = self.assert_refused("card-removed")
        self.assertTrue(out["message_fr"])

    def test_certificate_refusals_through_the_real_card(self):
        for name, reason in (("expired", "expired"), ("revoked", "revoked"), ("foreign", "untrusted-chain"),
                             ("denylisted", "denylisted"), ("no-digsig", "bad-key-usage")):
            with self.subTest(name=name):
                card = self.insert(name)
                self.assert_refused(reason)
                self.rig.remove(card)
                card.close()

    def test_card_reads_without_pin(self):
        self.insert("valid-cps")
        r = subprocess.run([CPSLOCK, "card", "--json", "--policy", self.policy.path], env=self.rig.env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["card"]["kind"], "cps3")
        self.assertEqual(out["certificate"]["sha256"], manifest("valid-cps")["sha256"])
        self.assertEqual(out["holder"]["given_name"], "ISABELLE")
        self.assertEqual(out["certificate_check"], "ok")


if __name__ == "__main__":
    unittest.main()
