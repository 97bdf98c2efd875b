# SPDX-License-Identifier: EUPL-1.2
"""OpenSC's own CPS3 path, end to end: opensc-pkcs11.so in its *default* configuration (no OPENSC_CONF:
its iasecc driver claims the CPS3 ATR, as on a clinic PC) against cpslock-cardsim's IAS-ECC CPx on the
pcscd + vpcd rig, with the test PKI's card certificate and key (rig.insert_default_cps).

What it shows: the token and its objects, the certificate read back byte for byte, login and a
CKM_RSA_PKCS signature (INTERNAL AUTHENTICATE) verified with OpenSSL, the live PIN counter (count low,
final try, locked) read from the card's CHV SDO, a blocked card staying blocked, and a card pulled
mid-signature. OpenSC 0.23 offers no hashing mechanism on a CPx (docs/reference/cpx-card.md, limit 4):
that is asserted too, so a change of OpenSC shows up here.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from rig import CPSLOCK, OPENSC_MODULE, PolicyDir, Rig, card_files, card_serial

PIN = "4711"
WRONG_PIN = "9999"
SHA256_DIGESTINFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


class OpenScCpxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Declared dependencies of the test machine (packages opensc, openssl): missing is a failure.
        for tool in ("pkcs11-tool", "openssl"):
            assert shutil.which(tool), "%s is not installed" % tool
        assert os.path.exists(OPENSC_MODULE), "no %s (package opensc)" % OPENSC_MODULE

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpslock-cpx-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.card = self.rig.insert_default_cps("valid-cps", 0, PIN)
        self.assertNotIn("OPENSC_CONF", self.rig.env)
        self.cert_der, _ = card_files("valid-cps")
        self.pubkey = os.path.join(self.tmp, "pub.pem")
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", self.cert_der, "-pubkey", "-noout",
                        "-out", self.pubkey], check=True)

    def tool(self, *args, timeout=60):
        return subprocess.run(["pkcs11-tool", "--module", OPENSC_MODULE] + list(args), env=self.rig.env,
                              capture_output=True, text=True, timeout=timeout)

    def token_flags(self):
        r = self.tool("-L")
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in r.stdout.splitlines():
            if "token flags" in line:
                return line.split(":", 1)[1]
        self.fail("no token in:\n" + r.stdout)

    def sign(self, data, pin=PIN, key_id="02", mechanism="RSA-PKCS"):
        data_path = os.path.join(self.tmp, "data.bin")
        sig_path = os.path.join(self.tmp, "sig.bin")
        if os.path.exists(sig_path):
            os.unlink(sig_path)
        with open(data_path, "wb") as f:
            f.write(data)
        r = self.tool("--login", "--pin", pin, "--sign", "--mechanism", mechanism, "--id", key_id,
                      "--input-file", data_path, "--output-file", sig_path)
        signature = None
        if r.returncode == 0:
            with open(sig_path, "rb") as f:
                signature = f.read()
        return r, signature

    def openssl_verifies(self, message, signature):
        msg = os.path.join(self.tmp, "msg.bin")
        sig = os.path.join(self.tmp, "msg.sig")
        with open(msg, "wb") as f:
            f.write(message)
        with open(sig, "wb") as f:
            f.write(signature)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", self.pubkey, "-signature", sig, msg],
                           capture_output=True, text=True)
        return r.returncode == 0

    def test_token_is_the_cps_with_its_serial_from_ef_sn_icc(self):
        r = self.tool("-L")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Virtual PCD 00 00", r.stdout)
        self.assertIn("token label        : CPS", r.stdout)
        # OpenSC's serial: the last 8 bytes of EF.SN.ICC in hex (16 digits), unlike Cryptolib's 8 digits.
        self.assertIn("serial num         : 000001" + card_serial("valid-cps"), r.stdout)
        self.assertIn("login required", r.stdout)
        self.assertIn("pin min/max        : 4/8", r.stdout)

    def test_certificate_read_back_is_the_card_certificate(self):
        r = self.tool("-O")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Certificat d'Authentification CPS", r.stdout)
        self.assertIn("Certificat de Signature CPS", r.stdout)
        self.assertIn("CN=810002813839", r.stdout)
        out = os.path.join(self.tmp, "cert.der")
        r = self.tool("--read-object", "--type", "cert", "--id", "02", "--output-file", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as got, open(self.cert_der, "rb") as want:
            self.assertEqual(got.read(), want.read())

    def test_private_keys_appear_after_login(self):
        r = self.tool("--login", "--pin", PIN, "-O")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("CPS_PRIV_AUT", r.stdout)
        self.assertIn("CPS_PRIV_SIG", r.stdout)
        self.assertIn("never extractable", r.stdout)

    def test_login_and_rsa_pkcs_signature_verify_with_openssl(self):
        # What cpslock does: CKM_RSA_PKCS over the SHA-256 DigestInfo of a fresh challenge, auth key.
        challenge = os.urandom(32)
        digest_info = SHA256_DIGESTINFO_PREFIX + hashlib.sha256(challenge).digest()
        r, signature = self.sign(digest_info)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(signature), 256)
        self.assertTrue(self.openssl_verifies(challenge, signature))
        self.assertFalse(self.openssl_verifies(challenge + b"x", signature))
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=3 verified=1")

    def test_hashing_mechanisms_are_not_offered_on_a_cpx(self):
        r, signature = self.sign(b"challenge", mechanism="SHA256-RSA-PKCS")
        self.assertNotEqual(r.returncode, 0)
        self.assertIsNone(signature)
        self.assertIn("CKR_MECHANISM_INVALID", r.stderr)

    def test_wrong_pin_counts_down_to_locked(self):
        self.assertNotIn("count low", self.token_flags())
        r, signature = self.sign(b"x" * 51, pin=WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertIsNone(signature)
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=2 verified=0")
        self.assertIn("user PIN count low", self.token_flags())
        r, _ = self.sign(b"x" * 51, pin=WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertIn("final user PIN try", self.token_flags())
        r, _ = self.sign(b"x" * 51, pin=WRONG_PIN)
        self.assertIn("CKR_PIN_LOCKED", r.stderr)
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=0 verified=0")
        self.assertIn("user PIN locked", self.token_flags())
        # Blocked means blocked: the right PIN is refused too, and nothing is signed.
        r, signature = self.sign(b"x" * 51, pin=PIN)
        self.assertIn("CKR_PIN_LOCKED", r.stderr)
        self.assertIsNone(signature)

    def test_right_pin_restores_the_counter(self):
        self.sign(b"x" * 51, pin=WRONG_PIN)
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=2 verified=0")
        r, signature = self.sign(b"x" * 51)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=3 verified=1")
        self.assertNotIn("count low", self.token_flags())

    def test_blocked_card_stays_blocked_when_reinserted_and_cpslock_refuses_it(self):
        for _ in range(3):
            self.sign(b"x" * 51, pin=WRONG_PIN)
        self.rig.remove(self.card)
        # The same card (same process, same counter) back in.
        self.card.do("insert cps3 %s" % card_serial("valid-cps"), "inserted")
        self.rig._readers().wait(lambda held: held.get("Virtual PCD 00 00") is not None)
        self.assertIn("user PIN locked", self.token_flags())
        policy = PolicyDir()
        self.addCleanup(policy.remove)
        r = subprocess.run([CPSLOCK, "verify", "--json", "--policy", policy.path], input=PIN + "\n",
                           env=self.rig.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["reason"], out["card"]["serial"]), ("pin-locked", card_serial("valid-cps")), out)
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=0 verified=0")

    def test_card_pulled_mid_signature_gives_no_signature(self):
        self.assertEqual(self.card.do("remove-on sign", "armed"), "armed remove-on sign")
        r, signature = self.sign(b"x" * 51)
        self.assertNotEqual(r.returncode, 0)
        self.assertIsNone(signature)
        self.assertEqual(self.card.out.next(), "removed")
        # Back in, the card has forgotten the PIN: power was cut.
        self.card.do("insert cps3 %s" % card_serial("valid-cps"), "inserted")
        self.assertEqual(self.card.do("pin-state", "pin"), "pin tries=3 verified=0")


if __name__ == "__main__":
    unittest.main()
