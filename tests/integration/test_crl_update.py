# SPDX-License-Identifier: EUPL-1.2
"""`cpslock crl update` against a local publication point (crl_server.py: this test's own network
namespace, the test PKI's CRL URLs): good CRLs installed, the same ones again change nothing, a newer
one replaces, an older one (replay) / garbled bytes / a CRL signed by another key / HTTP errors / a
slow server / an oversize body / a redirect to another protocol each leave the installed CRL as it
was and fail the run. `cpslock check-policy` then shows each CA's CRL age, and --strict fails when no
card could open a session. End to end: after an update whose new CRL revokes the card, the real
verifier (`cpslock verify` on the rig, OpenSC, the simulated CPx) refuses it."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from crl_server import CRL_HOST, CrlServer, Route, make_crl
from rig import CPSLOCK, SOURCE_DIR, TESTPKI, PolicyDir, Rig, test_pki_trust

BASE = "http://%s/CRL/" % CRL_HOST
# The card-issuing CAs' CRLs are named by trust.crl_urls; the roots' by the intermediates' CDPs.
ISSUING = {"ACI-FO-PP-TEST.crl": "inter", "ACI-ST-PP-TEST.crl": "inter_st"}
ROOTS = {"ACR-FO-TEST.crl": "root", "ACR-ST-TEST.crl": "root_st", "ACR-EL-TEST.crl": "root_el"}


class CrlUpdateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CrlServer()
        cls.good = {name: make_crl(ca) for name, ca in {**ISSUING, **ROOTS}.items()}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.routes.clear()
        for name, der in self.good.items():
            self.server.serve(name, der)
        self.anchors = PolicyDir()
        self.addCleanup(self.anchors.remove)
        self.crl_dir = tempfile.mkdtemp(prefix="cpslock-crl-")
        os.chmod(self.crl_dir, 0o755)
        self.addCleanup(shutil.rmtree, self.crl_dir, True)
        self.write_policy()

    def write_policy(self, extra="", trust=None):
        urls = ", ".join('"%s%s"' % (BASE, name) for name in ISSUING)
        with open(self.anchors.path, "w") as f:
            f.write('[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\ncrl_urls = [%s]\n%s%s\n' % (
                self.anchors.anchors, self.crl_dir, os.path.join(TESTPKI, "denylist.txt"), urls,
                test_pki_trust() if trust is None else trust, extra))
        os.chmod(self.anchors.path, 0o644)

    def update(self, *args, env=None):
        r = subprocess.run([CPSLOCK, "crl", "update", "--policy", self.anchors.path, *args], capture_output=True,
                           text=True, timeout=120, env=env)
        return r

    def installed(self, name):
        with open(os.path.join(self.crl_dir, name), "rb") as f:
            return f.read()

    def assert_clean_folder(self):
        self.assertEqual([n for n in os.listdir(self.crl_dir) if n.startswith(".")], [], "temporary file left")

    def test_good_crls_installed_then_unchanged(self):
        r = self.update()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sorted(os.listdir(self.crl_dir)), sorted(self.good))
        for name, der in self.good.items():
            self.assertEqual(self.installed(name), der, name)
            self.assertEqual(os.stat(os.path.join(self.crl_dir, name)).st_mode & 0o777, 0o644)
        self.assertEqual(r.stdout.count("installed "), 5, r.stdout)
        # The file's time is the CRL's thisUpdate (one hour ago), not the download time.
        age = time.time() - os.stat(os.path.join(self.crl_dir, "ACR-FO-TEST.crl")).st_mtime
        self.assertTrue(3500 < age < 3700, age)
        self.assertIn("fresh    AC IGC-SANTE FORT PERSONNES (TEST)", r.stdout)
        # Idempotent: the same CRLs again change nothing.
        before = {n: os.stat(os.path.join(self.crl_dir, n)).st_ino for n in self.good}
        r = self.update()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count("unchanged "), 5, r.stdout)
        self.assertEqual({n: os.stat(os.path.join(self.crl_dir, n)).st_ino for n in self.good}, before)

    def test_newer_crl_replaces_older_one_is_a_replay(self):
        old = make_crl("inter", last_hours=-30, number=3)
        new = make_crl("inter", last_hours=-2, number=4)
        self.server.serve("ACI-FO-PP-TEST.crl", old)
        self.assertEqual(self.update().returncode, 0)
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), old)
        self.server.serve("ACI-FO-PP-TEST.crl", new)
        self.assertEqual(self.update().returncode, 0)
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), new)
        # The older one served again (a replay, a lagging mirror): refused, the newer stays.
        self.server.serve("ACI-FO-PP-TEST.crl", old)
        r = self.update()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("older than the installed CRL", r.stdout)
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), new)
        # Same cRLNumber, other content (a re-signed replay): refused too.
        self.server.serve("ACI-FO-PP-TEST.crl", make_crl("inter", last_hours=-1, number=4))
        r = self.update()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("same cRLNumber", r.stdout)
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), new)
        self.assert_clean_folder()

    def test_pem_crl_is_installed_as_der(self):
        der = make_crl("inter", number=9)
        self.server.serve("ACI-FO-PP-TEST.crl", make_crl("inter", number=9, pem=True))
        self.assertEqual(self.update().returncode, 0)
        # RSA PKCS#1 v1.5 signatures are deterministic: the same CRL, now in DER.
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), der)

    def assert_refused_and_kept(self, route, expected, *args):
        self.server.serve("ACI-FO-PP-TEST.crl", self.good["ACI-FO-PP-TEST.crl"])
        self.assertEqual(self.update().returncode, 0)
        kept = self.installed("ACI-FO-PP-TEST.crl")
        self.server.serve("ACI-FO-PP-TEST.crl", route)
        r = self.update(*args)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        line = [ln for ln in r.stdout.splitlines() if "ACI-FO-PP-TEST.crl" in ln and "FAILED" in ln]
        self.assertEqual(len(line), 1, r.stdout)
        self.assertIn(expected, line[0])
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), kept)
        # The other CAs were still updated, and the summary says what failed in both languages.
        self.assertEqual(r.stdout.count("unchanged "), 4, r.stdout)
        self.assertIn("Échec de la mise à jour des CRL", r.stdout)
        self.assertIn("CRL update failed", r.stdout)
        self.assert_clean_folder()
        return r

    def test_garbled_bytes(self):
        self.assert_refused_and_kept(Route(os.urandom(3000)), "not a DER or PEM CRL")
        self.assert_refused_and_kept(Route(self.good["ACI-FO-PP-TEST.crl"][:-7]), "not a DER or PEM CRL")

    def test_wrongly_signed(self):
        # Same issuer name as the FORT PERSONNES test CA, another key (make-test-pki.sh's rogue CA).
        with open(os.path.join(TESTPKI, "crl", "rogue", "intermediate.crl"), "rb") as f:
            rogue = f.read()
        self.assert_refused_and_kept(Route(rogue), "not signed by any CA certificate")
        # A genuine, newer CRL of another CA served under this name: it never overwrites the file
        # holding this CA's CRL.
        r = self.assert_refused_and_kept(Route(make_crl("root_st", number=2)), "holds the CRL of another CA")
        self.assertIn("AC RACINE IGC-SANTE STANDARD (TEST)", r.stdout)

    def test_http_errors(self):
        self.assert_refused_and_kept(Route(b"gone", status=404), "HTTP 404")
        self.assert_refused_and_kept(Route(b"oops", status=500), "HTTP 500")

    def test_slow_server_times_out(self):
        start = time.monotonic()
        self.assert_refused_and_kept(Route(self.good["ACI-FO-PP-TEST.crl"], delay=6), "timeout", "--timeout", "2")
        self.assertLess(time.monotonic() - start, 20)

    def test_oversize_body(self):
        self.assert_refused_and_kept(Route(stream=33 * 1024 * 1024), "larger than 33554432 bytes")
        self.assert_refused_and_kept(Route(stream=33 * 1024 * 1024, length=False), "larger than 33554432 bytes")

    def test_redirects_only_to_http(self):
        self.assert_refused_and_kept(Route(status=302, location="file:///etc/passwd"), "FAILED")
        self.assert_refused_and_kept(Route(status=302, location="ftp://%s/CRL/x.crl" % CRL_HOST), "FAILED")
        # A redirect to http is followed.
        moved = make_crl("inter", number=20)
        self.server.serve("moved.crl", moved)
        self.server.serve("ACI-FO-PP-TEST.crl", Route(status=301, location=BASE + "moved.crl"))
        r = self.update()
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(self.installed("ACI-FO-PP-TEST.crl"), moved)

    def test_proxy_environment_is_ignored(self):
        env = dict(os.environ, http_proxy="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
                   ALL_PROXY="http://127.0.0.1:9")
        r = self.update(env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The explicit option is used (nothing listens there: every download fails).
        r = self.update("--proxy", "http://127.0.0.1:9", "--connect-timeout", "2")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.count("FAILED"), 5, r.stdout)

    def test_expired_crl_fails_the_run(self):
        self.server.serve("ACI-FO-PP-TEST.crl", make_crl("inter", last_hours=-24 * 10, next_hours=-24, number=2))
        r = self.update()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("EXPIRED", r.stdout)
        self.assertIn("expired  AC IGC-SANTE FORT PERSONNES (TEST)", r.stdout)

    def test_usage_and_configuration_errors(self):
        self.assertEqual(subprocess.run([CPSLOCK, "crl"], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([CPSLOCK, "crl", "fetch"], capture_output=True).returncode, 2)
        self.assertEqual(self.update("--timeout", "0").returncode, 2)
        self.assertEqual(self.update("--proxy", "socks5://x").returncode, 2)
        self.write_policy('crl_urls_typo = 1\n')
        self.assertEqual(self.update().returncode, 2)
        with open(self.anchors.path) as f:
            text = f.read().replace('crl_urls = [', 'crl_urls = ["ldap://x/y", ')
        with open(self.anchors.path, "w") as f:
            f.write(text.replace("crl_urls_typo = 1\n", ""))
        r = self.update()
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("crl_urls", r.stderr)

    def test_check_policy_shows_age_and_strict(self):
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path, "--strict"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("missing  AC IGC-SANTE FORT PERSONNES (TEST)", r.stdout)
        self.assertIn("cpslock crl update", r.stderr)
        self.assertIn("aucune carte ne peut ouvrir de session", r.stderr)
        # Without --strict the policy itself is valid.
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.update().returncode, 0)
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path, "--strict"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"fresh +AC IGC-SANTE FORT PERSONNES \(TEST\): thisUpdate .* \(1 h old\)")
        self.assertIn("missing  AC IGC-SANTE ELEMENTAIRE PERSONNES (TEST) (not in the policy's card chains)", r.stdout)
        # Older than trust.crl_max_age: stale, and --strict fails again.
        self.write_policy('crl_max_age = "1h"\n')
        self.server.serve("ACI-FO-PP-TEST.crl", make_crl("inter", last_hours=-3, number=1))
        shutil.rmtree(self.crl_dir)
        os.mkdir(self.crl_dir, 0o755)
        self.update()
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path, "--strict"], capture_output=True,
                           text=True)
        self.assertIn("stale    AC IGC-SANTE FORT PERSONNES (TEST)", r.stdout)
        # The STANDARD chain still has fresh CRLs: CPE cards can still open a session.
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        # Soft revocation: cards are not all refused.
        self.write_policy('crl_max_age = "1h"\nrevocation = "soft"\n')
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path, "--strict"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # No card-issuing CA among the anchors at all.
        other = "".join('issuers_%s = ["%s"]\n' % (t, "AB" * 20) if line.startswith("issuers_%s " % t) else ""
                        for line in test_pki_trust().splitlines() for t in ("cps", "cpf", "cpe", "cpa"))
        kept = "".join(line + "\n" for line in test_pki_trust().splitlines() if not line.startswith("issuers_"))
        self.write_policy(trust=kept + other)
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", self.anchors.path, "--strict"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no card-issuing CA", r.stderr)


class CrlUpdateEndToEndTest(unittest.TestCase):
    """The verifier reads what the update wrote: a card accepted with the first CRL is refused as
    revoked once the update installs a CRL listing it."""

    def setUp(self):
        self.server = CrlServer()
        self.addCleanup(self.server.stop)
        for name, ca in {**ISSUING, **ROOTS}.items():
            self.server.serve(name, make_crl(ca, number=1))
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        self.policy = PolicyDir()
        self.addCleanup(self.policy.remove)
        self.crl_dir = tempfile.mkdtemp(prefix="cpslock-crl-")
        os.chmod(self.crl_dir, 0o755)
        self.addCleanup(shutil.rmtree, self.crl_dir, True)
        urls = ", ".join('"%s%s"' % (BASE, name) for name in ISSUING)
        with open(self.policy.path, "w") as f:
            f.write('[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\ncrl_urls = [%s]\n%s\n' % (
                self.policy.anchors, self.crl_dir, os.path.join(TESTPKI, "denylist.txt"), urls, test_pki_trust()))

    def verify(self):
        r = subprocess.run([CPSLOCK, "verify", "--json", "--policy", self.policy.path], input="1234\n",
                           env=self.rig.env, capture_output=True, text=True, timeout=60)
        return r

    def test_revoked_after_update(self):
        self.rig.insert_default_cps()
        # No CRL yet: revocation "hard" refuses.
        r = self.verify()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('"crl-stale"', r.stdout)
        u = subprocess.run([CPSLOCK, "crl", "update", "--policy", self.policy.path], capture_output=True, text=True)
        self.assertEqual(u.returncode, 0, u.stdout + u.stderr)
        r = self.verify()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The ANS opposes the card: the next day's CRL lists it.
        self.server.serve("ACI-FO-PP-TEST.crl", make_crl("inter", last_hours=-0.5, number=2, revoked=["valid-cps"]))
        u = subprocess.run([CPSLOCK, "crl", "update", "--policy", self.policy.path], capture_output=True, text=True)
        self.assertEqual(u.returncode, 0, u.stdout + u.stderr)
        r = self.verify()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('"reason": "revoked"', r.stdout.replace('"reason":"revoked"', '"reason": "revoked"'))


class CrlUnitsTest(unittest.TestCase):
    """The service and its timer: daily after 07:00 with a spread, caught up after downtime, the run
    hardened, and `systemd-analyze verify` clean (ExecStart pointed at the built binary)."""

    def configure(self, name, folder):
        with open(os.path.join(SOURCE_DIR, "installer", "systemd", name + ".in")) as f:
            text = f.read()
        text = text.replace("@CMAKE_INSTALL_FULL_BINDIR@", os.path.dirname(CPSLOCK))
        text = text.replace("@CMAKE_INSTALL_FULL_DOCDIR@", "/usr/share/doc/cpslock")
        self.assertNotRegex(text, r"@[A-Z_]+@")
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
        return text

    def test_units(self):
        folder = tempfile.mkdtemp(prefix="cpslock-units-")
        self.addCleanup(shutil.rmtree, folder, True)
        service = self.configure("cpslock-crl-update.service", folder)
        timer = self.configure("cpslock-crl-update.timer", folder)
        self.assertRegex(timer, r"(?m)^OnCalendar=\*-\*-\* 07:15:00$")
        self.assertRegex(timer, r"(?m)^RandomizedDelaySec=2h$")
        self.assertRegex(timer, r"(?m)^Persistent=true$")
        self.assertRegex(service, r"(?m)^ExecStart=%s crl update --policy /etc/cpslock/policy.toml$" % CPSLOCK)
        for line in ("NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=",
                     "StateDirectory=cpslock-crl", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"):
            self.assertRegex(service, r"(?m)^%s$" % re.escape(line))
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed")
        r = subprocess.run(["systemd-analyze", "verify", os.path.join(folder, "cpslock-crl-update.service"),
                            os.path.join(folder, "cpslock-crl-update.timer")], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", r.stderr)


if __name__ == "__main__":
    unittest.main()
