# SPDX-License-Identifier: EUPL-1.2
"""Hostile certificates through the real stack: pcscd + vpcd, the simulated CPS3 card carrying the
certificate and its key, OpenSC's PKCS#11 module, `cpslock verify`. One named test per rule of the
IGC-Santé card authentication profile (docs/card-identity.md) and per other RFC 5280 end-entity
violation: each certificate would have unlocked before issue 11 (or is malformed), and must now be
refused with its own reason and the doctor's message, after a real PIN and a real signature.

Cards are started with rig.py's helper for "the default CPS card" (Rig.insert_default_cps: today a CPS3
answering as an IAS-ECC CPx, read through OpenSC's default configuration and its iasecc driver), so
these tests follow the simulated card when that fixture changes."""
import json
import os
import subprocess
import unittest

from rig import CPSLOCK, TESTPKI, PolicyDir, Rig, card_files, card_manifest

PIN = "1234"

# name -> (reason, a piece of the French message the person at the screen reads)
HOSTILE = {
    # End entity only.
    "hostile-ca-true": ("not-end-entity", "autorité de certification"),
    "hostile-keycertsign": ("not-end-entity", "autorité de certification"),
    "hostile-crlsign": ("not-end-entity", "autorité de certification"),
    # keyUsage critical, digitalSignature, no nonRepudiation.
    "hostile-ku-noncritical": ("bad-key-usage", "ne permet pas l'authentification"),
    "hostile-nonrepudiation": ("bad-key-usage", "ne permet pas l'authentification"),
    "hostile-signature-cert": ("bad-key-usage", "ne permet pas l'authentification"),
    "hostile-no-ku": ("bad-key-usage", "ne permet pas l'authentification"),
    # extendedKeyUsage with clientAuth.
    "hostile-eku-email": ("bad-extended-key-usage", "pas prévu pour la connexion"),
    "hostile-no-eku": ("bad-extended-key-usage", "pas prévu pour la connexion"),
    "hostile-eku-any": ("bad-extended-key-usage", "pas prévu pour la connexion"),
    "hostile-eku-client-any": ("bad-extended-key-usage", "pas prévu pour la connexion"),
    "hostile-eku-server": ("bad-extended-key-usage", "pas prévu pour la connexion"),
    # Card origin: product category, card type, token id.
    "hostile-software-fort": ("not-card-certificate", "certificat logiciel"),
    "hostile-no-category": ("not-card-certificate", "certificat logiciel"),
    "hostile-category-ms": ("not-card-certificate", "certificat logiciel"),
    "hostile-category-encoding": ("not-card-certificate", "certificat logiciel"),
    "hostile-no-type": ("unknown-card-type", "n'a pas pu être établi"),
    "hostile-type-unknown": ("unknown-card-type", "n'a pas pu être établi"),
    "hostile-type-subject": ("unknown-card-type", "n'a pas pu être établi"),
    "hostile-no-token": ("card-serial-mismatch", "n'appartient pas à la carte insérée"),
    "hostile-token-malformed": ("card-serial-mismatch", "n'appartient pas à la carte insérée"),
    "hostile-token-other-card": ("card-serial-mismatch", "n'appartient pas à la carte insérée"),
    "hostile-token-other-issuer": ("card-serial-mismatch", "n'appartient pas à la carte insérée"),
    # Issuers pinned by key identifier; card type <-> issuer.
    "hostile-software": ("issuer-not-allowed", "autorité IGC-Santé qui délivre les cartes"),
    "hostile-from-root": ("issuer-not-allowed", "autorité IGC-Santé qui délivre les cartes"),
    "hostile-cps-from-standard": ("issuer-card-type-mismatch", "ne correspond pas à l'autorité"),
    "hostile-cpe-from-fort": ("issuer-card-type-mismatch", "ne correspond pas à l'autorité"),
    # Crypto floor.
    "hostile-sha1": ("weak-crypto", "cryptographie trop ancienne"),
    "hostile-rsa1024": ("weak-crypto", "cryptographie trop ancienne"),
    # Certificate policies.
    "hostile-no-policy": ("bad-certificate-policy", "politique de certification"),
    "hostile-any-policy": ("bad-certificate-policy", "politique de certification"),
    "hostile-legacy-policy": ("bad-certificate-policy", "politique de certification"),
    # Subject.
    "hostile-bad-idnat": ("bad-subject", "illisible ou incomplète"),
    "hostile-no-country": ("bad-subject", "illisible ou incomplète"),
    "hostile-country-de": ("bad-subject", "illisible ou incomplète"),
    "hostile-upn-other": ("bad-subject", "illisible ou incomplète"),
    "hostile-no-surname": ("bad-subject", "illisible ou incomplète"),
    # Other RFC 5280 end-entity violations.
    "hostile-unknown-critical": ("malformed-certificate", "mal formé"),
    "hostile-no-aki": ("malformed-certificate", "mal formé"),
    "hostile-ee-pathlen": ("malformed-certificate", "mal formé"),
    "hostile-serial-zero": ("malformed-certificate", "mal formé"),
    "hostile-serial-negative": ("malformed-certificate", "mal formé"),
    "hostile-v1": ("malformed-certificate", "mal formé"),
    "hostile-duplicate-extension": ("malformed-certificate", "mal formé"),
    "hostile-sigalg-mismatch": ("malformed-certificate", "mal formé"),
}

MESSAGES_EN = {
    "not-end-entity": "certification authority",
    "bad-key-usage": "cannot be used for authentication",
    "bad-extended-key-usage": "not meant for logging on",
    "not-card-certificate": "software certificate",
    "unknown-card-type": "could not be established",
    "card-serial-mismatch": "does not belong to the inserted card",
    "issuer-not-allowed": "issues CPS cards",
    "issuer-card-type-mismatch": "does not match the authority",
    "weak-crypto": "too old",
    "bad-certificate-policy": "certification policy",
    "bad-subject": "unreadable or incomplete",
    "malformed-certificate": "malformed",
}


class HostileCertificateTest(unittest.TestCase):
    """One rig for the class (a card per test, inserted and removed): the rig is the slow part."""

    @classmethod
    def setUpClass(cls):
        for tool in (CPSLOCK,):
            assert os.path.exists(tool), "not built: %s" % tool
        cls.rig = Rig().start()
        cls.policy = PolicyDir('[accounts.holders]\n"810002813839" = "dr.donnat"\n')

    @classmethod
    def tearDownClass(cls):
        cls.rig.stop()
        cls.policy.remove()

    def setUp(self):
        self.card = None
        self.policy.write('[accounts.holders]\n"810002813839" = "dr.donnat"\n'
                          '[cards]\nallowed_types = ["CPS", "CPF", "CPE", "CPA"]\n')

    def tearDown(self):
        if self.card is not None:
            self.rig.remove(self.card)
            self.card.close()

    def insert(self, name, serial=None):
        if serial is None:
            self.card = self.rig.insert_default_cps(name, 0, PIN)
        else:
            # The default CPS card, but presenting another EF.SN.ICC serial than its certificate names.
            self.rig.env.pop("OPENSC_CONF", None)
            cert, key = card_files(name)
            self.card = self.rig.insert(0, "insert cps3 %s" % serial, "--auth-cert", cert, "--auth-key", key,
                                        "--pin", PIN)
        return self.card

    def verify(self, *args):
        r = subprocess.run([CPSLOCK, "verify", "--json", "--policy", self.policy.path, *args], input=PIN + "\n",
                           env=self.rig.env, capture_output=True, text=True, timeout=120)
        self.assertTrue(r.stdout.strip(), r.stderr)
        return r.returncode, json.loads(r.stdout)

    def assert_refused(self, name, reason, message_fr):
        code, out = self.verify()
        self.assertEqual((code, out["result"], out["reason"]), (1, "refused", reason), out)
        self.assertIn(message_fr, out["message_fr"], out)
        self.assertIn(MESSAGES_EN[reason], out["message_en"], out)
        # The verdict names the certificate it judged.
        sha = card_manifest(name)["sha256"]
        self.assertIn("sha256 " + sha, out["detail"], out)
        self.assertEqual(out["certificate"]["sha256"], sha, out)
        self.assertTrue(out["certificate"]["issuer"], out)
        return out

    # -- genuine cards still verify, with what the card-profile checks read --

    def test_genuine_cps_verifies_with_its_card_origin(self):
        self.insert("valid-cps")
        code, out = self.verify("--user", "dr.donnat")
        self.assertEqual(code, 0, out)
        self.assertEqual(out["holder"]["card_type"], "cps")
        origin = out["certificate"]["card_origin"]
        self.assertEqual(origin["card_type"], "cps")
        self.assertEqual(origin["product_category"], "80 (CPx de TEST)")
        self.assertEqual(origin["token_id"], "8025000001/" + card_manifest("valid-cps")["serial"])
        self.assertEqual(out["certificate"]["policies"], ["2.999.1.1"])

    def test_genuine_cards_of_every_type(self):
        for name, card_type in (("valid-staff", "cpe"), ("cpf", "cpf"), ("valid-cpa", "cpa")):
            with self.subTest(name=name):
                self.insert(name)
                code, out = self.verify()
                self.assertEqual(code, 0, out)
                self.assertEqual(out["holder"]["card_type"], card_type)
                self.rig.remove(self.card)
                self.card.close()
                self.card = None

    # -- policy-dependent refusals --

    def test_test_card_without_a_declared_test_pki_is_not_a_card(self):
        self.insert("valid-cps")
        # The test CAs pinned, but no test PKI declared: category 80 ("CPx de TEST") is refused.
        with open(os.path.join(TESTPKI, "policy-trust.toml")) as f:
            pins = f.read().replace("test_pki = true", "test_pki = false")
        with open(self.policy.path, "w") as f:
            f.write('[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\n%s\n' % (
                self.policy.anchors, os.path.join(TESTPKI, "crl", "current"), os.path.join(TESTPKI, "denylist.txt"),
                pins))
        self.assert_refused("valid-cps", "not-card-certificate", "certificat logiciel")

    def test_default_pins_refuse_every_ca_of_the_test_pki(self):
        self.insert("valid-cps")
        # No issuers named: the production pins (the real FORT / STANDARD PERSONNES CAs) apply.
        with open(self.policy.path, "w") as f:
            f.write('[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\ntest_pki = true\n' % (
                self.policy.anchors, os.path.join(TESTPKI, "crl", "current"), os.path.join(TESTPKI, "denylist.txt")))
        self.assert_refused("valid-cps", "issuer-not-allowed", "autorité IGC-Santé qui délivre les cartes")

    def test_genuine_certificate_on_another_card_serial(self):
        # A genuine card's certificate and key moved onto a card with another EF.SN.ICC serial.
        self.insert("valid-cps", serial="1000000042")
        out = self.assert_refused("valid-cps", "card-serial-mismatch", "n'appartient pas à la carte insérée")
        self.assertIn("1000000042", out["detail"])

    def test_required_policy_oids(self):
        self.insert("valid-cps")
        self.policy.write('[cards]\nrequired_policy_oids = ["1.2.250.1.213.1.7.1.1.1.1.1"]\n')
        self.assert_refused("valid-cps", "bad-certificate-policy", "politique de certification")
        self.policy.write('[cards]\nrequired_policy_oids = ["1.2.250.1.213.1.7.1.1.1.1.1", "2.999.1.1"]\n')
        code, out = self.verify()
        self.assertEqual(code, 0, out)

    # -- cpslock card shows the card-origin fields --

    def test_card_command_shows_the_card_origin(self):
        self.insert("hostile-token-other-card")
        r = subprocess.run([CPSLOCK, "card", "--json", "--policy", self.policy.path], env=self.rig.env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        origin = out["certificate"]["card_origin"]
        self.assertEqual(origin["product_category"], "80 (CPx de TEST)")
        self.assertEqual(origin["card_type"], "cps")
        self.assertEqual(origin["card_type_code"], 0)
        self.assertEqual(origin["token_id"], "8025000001/1000000999")
        self.assertFalse(origin["token_id_matches_card"])
        self.assertEqual(out["certificate"]["policies"], ["2.999.1.1"])
        self.assertEqual(out["certificate_check"]["reason"], "card-serial-mismatch")
        text = subprocess.run([CPSLOCK, "card", "--policy", self.policy.path], env=self.rig.env,
                              capture_output=True, text=True, timeout=60).stdout
        self.assertIn("8025000001/1000000999 != cette carte / NOT this card", text)
        self.assertIn("80 (CPx de TEST)", text)


def _named_test(name, reason, message_fr):
    def test(self):
        self.insert(name)
        self.assert_refused(name, reason, message_fr)
    test.__doc__ = "%s is refused with %s through OpenSC and the simulated card" % (name, reason)
    return test


for _name, (_reason, _message) in HOSTILE.items():
    setattr(HostileCertificateTest, "test_" + _name.replace("-", "_"), _named_test(_name, _reason, _message))


if __name__ == "__main__":
    unittest.main()
