# SPDX-License-Identifier: EUPL-1.2
"""The generic PIV card path: OpenSC's real PIV driver (opensc-pkcs11.so, pkcs11-tool) against
cpslock-cardsim's PIV applet on the rig: a CPS3 card (its ATR and EF.SN.ICC) that also answers the PIV
application, with a card certificate and key from the generated test PKI (ctest fixture `testpki`).
No CPS card is a PIV card: the CPS path itself (OpenSC's default configuration, iasecc driver, the
simulated CPx) is test_opensc_cpx.py; this file keeps the PIV applet working for PIV cards.

A test OPENSC_CONF restricts OpenSC to its PIV driver: with the CPS3 ATR, OpenSC's iasecc driver
would otherwise claim the card (and, without CPS keys on it, find no PKCS#15 application). PIN caching is off so that OpenSC never re-sends a PIN by
itself, and file caching is off so that every run reads the card.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from rig import EVENT_TIMEOUT, TESTPKI as PKI, Rig

MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
SLOT0 = "Virtual PCD 00 00"
PIN = "4711"
WRONG_PIN = "9999"
SERIAL = "992138450"

OPENSC_CONF = """\
app default {
    # The CPS3 ATR belongs to the iasecc driver ("IAS/ECC CPx"): use the PIV path only.
    card_drivers = PIV-II;
    framework pkcs15 {
        use_file_cache = no;
        use_pin_caching = false;
    }
}
"""


def pki_file(relative):
    path = os.path.join(PKI, relative)
    assert os.path.exists(path), "no test PKI at %s (the make_test_pki fixture writes it)" % PKI
    return path


class OpenScPivTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Declared dependencies of the test machine (packages opensc, openssl): missing is a failure.
        for tool in ("pkcs11-tool", "openssl"):
            assert shutil.which(tool), "%s is not installed" % tool
        assert os.path.exists(MODULE), "no %s (package opensc)" % MODULE

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpslock-piv-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        conf = os.path.join(self.tmp, "opensc.conf")
        with open(conf, "w") as f:
            f.write(OPENSC_CONF)
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.rig.env["OPENSC_CONF"] = conf
        self.data = os.path.join(self.tmp, "data.bin")
        with open(self.data, "wb") as f:
            f.write(os.urandom(200))

    # --- helpers -------------------------------------------------------------------------------

    def insert_card(self, cert="valid-cps", key=None):
        card = self.rig.card(0, "--piv-cert", pki_file("cards/%s.der" % cert),
                             "--piv-key", pki_file("keys/%s.p8.der" % (key or cert)), "--pin", PIN)
        self.addCleanup(card.close)
        card.do("insert cps3 " + SERIAL, "inserted cps3 serial=" + SERIAL)
        self.wait_for_slot(present=True)
        return card

    def p11(self, *args, timeout=30):
        return subprocess.run(["pkcs11-tool", "--module", MODULE] + list(args), env=self.rig.env,
                              capture_output=True, text=True, timeout=timeout)

    def slot0_listing(self):
        """pkcs11-tool -L's lines for slot 0 (the reader name is the slot description)."""
        out = self.p11("-L").stdout
        block = out.split("Slot 0 (0x0): ")[1:] or [""]
        return block[0].split("\nSlot ")[0]

    def wait_for_slot(self, present):
        # pcscd polls vpcd every 400 ms: wait for OpenSC to see the change, with a deadline.
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            listing = self.slot0_listing()
            if listing.startswith(SLOT0) and ("PIV_II" in listing) == present and \
                    ("(empty)" in listing) != present:
                return listing
            if time.monotonic() > deadline:
                self.fail("slot 0 never became %s: %r" % ("a PIV token" if present else "empty", listing))
            time.sleep(0.05)

    def token_flags(self):
        for line in self.slot0_listing().splitlines():
            if "token flags" in line:
                return line.split(":", 1)[1]
        self.fail("no token flags for slot 0")

    def pin_state(self, card):
        words = dict(w.split("=") for w in card.do("pin-state", "pin tries=").split()[1:])
        return int(words["tries"]), words["verified"] == "1"

    def sign(self, pin):
        signature = os.path.join(self.tmp, "sig.bin")
        if os.path.exists(signature):
            os.unlink(signature)
        r = self.p11("--login", "--pin", pin, "--sign", "--mechanism", "SHA256-RSA-PKCS", "--id", "01",
                     "--input-file", self.data, "--output-file", signature)
        return r, signature

    def verifies(self, signature, cert="valid-cps"):
        pub = os.path.join(self.tmp, "pub.pem")
        subprocess.run(["openssl", "x509", "-inform", "der", "-in", pki_file("cards/%s.der" % cert),
                        "-pubkey", "-noout", "-out", pub], check=True, capture_output=True)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", signature, self.data],
                           capture_output=True, text=True)
        return r.returncode == 0 and "Verified OK" in r.stdout

    def assert_no_signature(self, r, signature):
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("CKR_", r.stderr)
        self.assertFalse(os.path.exists(signature) and os.path.getsize(signature) > 0, "a signature was written")

    # --- tests ---------------------------------------------------------------------------------

    def test_token_is_the_piv_application_of_the_cps_card_in_the_reader_slot(self):
        self.insert_card()
        listing = self.slot0_listing()
        self.assertTrue(listing.startswith(SLOT0), listing)
        self.assertIn("PIV_II", listing)
        # The CHUID's GUID ends with the EF.SN.ICC serial (BCD, F-padded).
        self.assertIn("serial num         : 000000992138450f", listing.lower())
        # Still a CPS card to cpslock: CPS ATR and EF.SN.ICC next to the PIV application.
        r = self.rig.cpslock("readers", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["readers"][0]["card"],
                         {"atr": "3BAC00402A001225006480000310009000", "kind": "cps3", "serial": SERIAL})
        objects = self.p11("--list-objects", "--type", "cert").stdout
        self.assertIn("Certificate for PIV Authentication", objects)
        self.assertIn("CN=810002813839", objects)

    def test_login_and_sign_gives_a_signature_the_certificate_verifies(self):
        card = self.insert_card()
        r, signature = self.sign(PIN)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(self.verifies(signature))
        self.assertEqual(self.pin_state(card)[0], 3)

    def test_a_right_pin_after_a_wrong_one_restores_the_tries(self):
        card = self.insert_card()
        r, _ = self.sign(WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertEqual(self.pin_state(card), (2, False))
        r, signature = self.sign(PIN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.verifies(signature))
        self.assertEqual(self.pin_state(card), (3, True))

    def test_three_wrong_pins_block_the_card_even_for_the_right_pin_and_across_reinsertion(self):
        card = self.insert_card()
        self.assertNotIn("final user PIN try", self.token_flags())
        r, signature = self.sign(WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertNotIn("final user PIN try", self.token_flags())
        r, signature = self.sign(WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertIn("final user PIN try", self.token_flags())
        self.assertNotIn("user PIN locked", self.token_flags())
        r, signature = self.sign(WRONG_PIN)
        self.assertIn("CKR_PIN_INCORRECT", r.stderr)
        self.assertIn("user PIN locked", self.token_flags())
        self.assertEqual(self.pin_state(card), (0, False))

        r, signature = self.sign(PIN)
        self.assertIn("CKR_PIN_LOCKED", r.stderr)
        self.assert_no_signature(r, signature)

        # Taken out and put back: still blocked.
        card.do("remove", "removed")
        self.wait_for_slot(present=False)
        card.do("insert cps3 " + SERIAL, "inserted cps3")
        self.wait_for_slot(present=True)
        self.assertIn("user PIN locked", self.token_flags())
        r, signature = self.sign(PIN)
        self.assertIn("CKR_PIN_LOCKED", r.stderr)
        self.assert_no_signature(r, signature)
        self.assertEqual(self.pin_state(card), (0, False))

    def sign_with_card_change_after_login(self, card, change):
        """Starts a login + sign whose input is a FIFO: pkcs11-tool logs in, then waits for the data
        to sign; `change` runs in between; then the data goes in."""
        fifo = os.path.join(self.tmp, "input.fifo")
        signature = os.path.join(self.tmp, "sig.bin")
        os.mkfifo(fifo)
        proc = subprocess.Popen(["pkcs11-tool", "--module", MODULE, "--login", "--pin", PIN, "--sign",
                                 "--mechanism", "SHA256-RSA-PKCS", "--id", "01", "--input-file", fifo,
                                 "--output-file", signature],
                                env=self.rig.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + EVENT_TIMEOUT
        while self.pin_state(card) != (3, True):
            self.assertIsNone(proc.poll(), "pkcs11-tool ended before logging in")
            self.assertLess(time.monotonic(), deadline, "pkcs11-tool never logged in")
            time.sleep(0.05)
        change()
        while True:  # pkcs11-tool is (or soon will be) blocked opening the FIFO for reading
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:
                self.assertIsNone(proc.poll(), "pkcs11-tool ended before reading its input")
                self.assertLess(time.monotonic(), deadline + EVENT_TIMEOUT, "pkcs11-tool never read its input")
                time.sleep(0.05)
        with open(self.data, "rb") as f:
            os.write(fd, f.read())
        os.close(fd)
        out, err = proc.communicate(timeout=30)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), signature

    def test_card_removed_between_login_and_sign_gives_an_error_never_a_signature(self):
        card = self.insert_card()

        def pull_out():
            card.do("remove", "removed")
            self.wait_for_slot(present=False)

        r, signature = self.sign_with_card_change_after_login(card, pull_out)
        self.assert_no_signature(r, signature)

    def test_card_swapped_back_between_login_and_sign_needs_the_pin_again(self):
        card = self.insert_card()

        def out_and_back():
            card.do("remove", "removed")
            self.wait_for_slot(present=False)
            card.do("insert cps3 " + SERIAL, "inserted cps3")
            self.wait_for_slot(present=True)
            self.assertEqual(self.pin_state(card), (3, False))

        r, signature = self.sign_with_card_change_after_login(card, out_and_back)
        self.assert_no_signature(r, signature)

    def test_key_not_matching_the_certificate_signs_but_the_signature_does_not_verify(self):
        self.insert_card(cert="valid-cps", key="valid-staff")
        r, signature = self.sign(PIN)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(os.path.getsize(signature) > 0)
        self.assertFalse(self.verifies(signature))
        # Same card material, the key's own certificate: it does verify (the test can fail).
        self.assertTrue(self.verifies(signature, cert="valid-staff"))


if __name__ == "__main__":
    unittest.main()
