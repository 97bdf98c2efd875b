"""pam_cpslock.so with the real cpslock-auth on the virtual reader rig (pcscd + vpcd +
cpslock-cardsim), through libpam (pam_wrapper + pamtester).

What needs a card that can do a PIN and a signature uses OpenSC + the simulator's PIV applet;
everything that happens before a PIN reaches a card also runs on the plain simulator. Nothing is
skipped: a missing part fails."""
import os
import subprocess
import tempfile
import threading
import time
import unittest

from rig import CARDSIM, PolicyDir, Rig, card_files, card_serial
from test_pam import AUTH_ERR, AUTH_OK, AUTHINFO_UNAVAIL, HELPER, MODULE, PIN, PamService

SLOT0 = "Virtual PCD 00 00"
MAPPED_IDNAT = "810002813839"  # valid-cps (and foreign) of the test PKI
NO_PIV = "cpslock-cardsim has no PIV applet yet (--piv-cert): OpenSC cannot log in to the simulated card"


def cardsim_has_piv():
    try:
        r = subprocess.run([CARDSIM, "--help"], capture_output=True, text=True, timeout=10)
    except OSError:
        return False
    return "--piv-cert" in r.stdout + r.stderr




class ProcWatch:
    """Samples /proc/*/cmdline and environ of every running cpslock-auth while a test runs."""

    def __init__(self):
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmdline = f.read()
                    if b"cpslock-auth" not in cmdline.split(b"\0")[0]:
                        continue
                    with open("/proc/%s/environ" % pid, "rb") as f:
                        environ = f.read()
                    self.samples.append((cmdline, environ))
                except OSError:
                    pass
            self._stop.wait(0.005)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.samples


CERTIFICATE_CASES = [(name, message) for name, message in (
    ("expired", "Votre carte CPS a expiré"),
    ("revoked", "Cette carte CPS a été révoquée"),
    ("foreign", "n'a pas été émise par l'autorité de confiance"),
    ("denylisted", "bloquée sur ce poste")) if name in os.environ.get("CPSLOCK_PAM_CERT_CASES", name)]


class PamRigTest(unittest.TestCase):
    def setUp(self):
        # Nothing here is skipped: CI runs as root with everything built, and a missing part must fail.
        self.assertEqual(os.geteuid(), 0, "needs root (the rig uses namespaces; the helper must be root-owned)")
        for path in (MODULE, HELPER, CARDSIM):
            self.assertTrue(os.path.exists(path), "not built: %s" % path)
        self.assertTrue(cardsim_has_piv(), NO_PIV)
        self.fresh_rig()
        self.policy = PolicyDir('[accounts.holders]\n"%s" = "alice"\n' % MAPPED_IDNAT)
        self.addCleanup(self.policy.remove)
        # OpenSC must use its PIV driver for a card with the CPS3 ATR (its IAS-ECC driver claims it).
        self.opensc_dir = tempfile.mkdtemp(prefix="cpslock-opensc-")
        conf = os.path.join(self.opensc_dir, "opensc.conf")
        with open(conf, "w") as f:
            f.write("app default {\n    card_drivers = PIV-II;\n}\n")
        self.rig.env["OPENSC_CONF"] = conf
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.opensc_dir]))

    def fresh_rig(self):
        """A new pcscd and readers (one card process per reader port at a time, no leftovers)."""
        conf = None
        if getattr(self, "rig", None):
            conf = self.rig.env.get("OPENSC_CONF")
            self.rig.stop()
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        if conf:
            self.rig.env["OPENSC_CONF"] = conf

    def service(self, options="", policy=None):
        s = PamService.only("helper=%s policy=%s %s" % (HELPER, policy or self.policy.path, options), self.rig.env)
        self.addCleanup(s.remove)
        return s

    def piv_card(self, name, *extra, slot=0, insert=True):
        cert, key = card_files(name)
        args = ["--piv-cert", cert, "--piv-key", key, "--pin", PIN] + list(extra)
        command = "insert cps3 %s" % card_serial(name)
        return self.rig.insert(slot, command, *args) if insert else (self.rig.card(slot, *args), command)

    def assert_refused(self, r, outcome, message):
        self.assertIn(outcome, r.text, r)
        self.assertIn(message, r.text, r)
        self.assertNotEqual(r.rc, 0)

    # -- before any PIN: no card, no service, bad policy, wrong kind of card --

    def test_no_card_is_authinfo_unavail_and_no_pin_is_asked(self):
        r = self.service().run()
        self.assert_refused(r, AUTHINFO_UNAVAIL, "Aucune carte dans le lecteur. Insérez votre carte CPS.")
        self.assertNotIn("Code porteur", r.err)

    def test_pcscd_down_is_authinfo_unavail(self):
        self.rig.kill_pcscd("KILL")
        self.assert_refused(self.service().run(), AUTHINFO_UNAVAIL, "Le lecteur de cartes ne répond pas")

    def test_policy_error_is_authinfo_unavail(self):
        self.policy.write("[session]\nidle_timout = \"5m\"\n")
        self.assert_refused(self.service("debug").run(), AUTHINFO_UNAVAIL,
                            "La configuration de sécurité du poste est invalide")

    def test_missing_policy_named_by_the_module_line_is_a_policy_error(self):
        r = self.service(policy=os.path.join(self.policy.dir, "absent.toml")).run()
        self.assert_refused(r, AUTHINFO_UNAVAIL, "La configuration de sécurité du poste est invalide")

    def test_patient_card_alone_is_refused(self):
        self.rig.insert(1, "insert vitale2")
        self.assert_refused(self.service().run(), AUTH_ERR, "n'est pas une carte CPS")

    def test_contactless_cps_is_refused_before_any_pin(self):
        self.rig.insert(0, "insert cps3-contactless 12345")
        r = self.service().run()
        self.assert_refused(r, AUTH_ERR, "sans contact")
        self.assertNotIn("Code porteur", r.err)

    # -- screen lockers run the module (and so the helper) as the session's user --

    def as_session_user(self, service):
        """pamtester as an unprivileged user, as kscreenlocker, xsecurelock or i3lock run it."""
        for path in (service.dir, self.rig.dir, self.opensc_dir):
            subprocess.run(["chmod", "-R", "go+rX", path], check=True)
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    def run_as_user(self, service, stdin=PIN + "\n"):
        prefix = self.as_session_user(service)
        start = time.monotonic()
        r = subprocess.run(prefix + service.argv("alice"), input=stdin, env=service.env, capture_output=True,
                           text=True, timeout=60)
        from test_pam import Result
        return Result(r.returncode, r.stdout, r.stderr, time.monotonic() - start)

    def test_helper_as_the_session_user_reads_the_policy_and_reaches_pcscd(self):
        r = self.run_as_user(self.service())
        self.assert_refused(r, AUTHINFO_UNAVAIL, "Aucune carte dans le lecteur")
        self.assertNotIn("configuration", r.text, "the policy must be readable by the session's user")

    def test_right_pin_as_the_session_user(self):
        self.piv_card("valid-cps")
        r = self.run_as_user(self.service())
        self.assertEqual(r.rc, 0, r)
        self.assertIn(AUTH_OK, r.out)

    def lost_report(self, name):
        box = tempfile.mkdtemp(prefix="cpslock-lost-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", box]))
        os.chmod(box, 0o1777)
        with open(os.path.join(box, "%s-report.deny" % card_serial(name)), "w") as f:
            f.write("serial:%s 2026-11-28 signalée perdue depuis la barre des tâches\n" % card_serial(name))
        # PolicyDir's extra text continues its [trust] table.
        self.policy.write('lost_reports_dir = "%s"\n[accounts.holders]\n"%s" = "alice"\n' % (box, MAPPED_IDNAT))
        return box

    def test_card_reported_lost_is_refused(self):
        self.piv_card("valid-cps")
        self.lost_report("valid-cps")
        self.assert_refused(self.service().run(), AUTH_ERR, "bloquée sur ce poste")

    def test_card_reported_lost_is_refused_when_the_locker_runs_as_the_user(self):
        # kscreenlocker, xsecurelock and i3lock run the helper as the session's user: the drop-box
        # (mode 1777) must be readable to them.
        self.piv_card("valid-cps")
        self.lost_report("valid-cps")
        self.assert_refused(self.run_as_user(self.service()), AUTH_ERR, "bloquée sur ce poste")

    def test_unreadable_lost_reports_fail_closed(self):
        # A drop-box the user's locker cannot list (e.g. chmod 1733 by mistake) must not let a
        # reported card in: every card is refused with a configuration error.
        self.piv_card("valid-cps")
        box = self.lost_report("valid-cps")
        os.chmod(box, 0o1733)
        self.assert_refused(self.run_as_user(self.service()), AUTHINFO_UNAVAIL, "configuration")

    # -- wait_card --

    def test_wait_card_runs_out_as_no_card(self):
        r = self.service("wait_card=1").run()
        self.assertIn("Insérez votre carte CPS", r.text, r)
        self.assert_refused(r, AUTHINFO_UNAVAIL, "Aucune carte dans le lecteur")
        self.assertGreaterEqual(r.seconds, 1.0)

    def test_wait_card_ends_on_the_insertion(self):
        session = self.service("wait_card=30").start()
        session.wait_for("Insérez votre carte CPS")
        card, command = self.piv_card("valid-cps", insert=False)
        card.do(command, "inserted")
        session.wait_for("Code porteur CPS")
        session.answer(PIN)
        r = session.finish()
        self.assertLess(r.seconds, 25, "the wait ended with the insertion, not the deadline")
        self.assertNotIn("Aucune carte", r.out, r)
        self.assertIn(AUTH_OK, r.out, r)

    # -- with the PIN (OpenSC + PIV applet) --

    def test_right_pin_is_success_and_the_pin_shows_nowhere(self):
        self.piv_card("valid-cps")
        watch = ProcWatch()
        r = self.service("debug").run()
        samples = watch.stop()
        self.assertEqual(r.rc, 0, r)
        self.assertIn(AUTH_OK, r.out)
        self.assertIn("Code porteur CPS", r.err)
        self.assertTrue(samples, "cpslock-auth was never seen running")
        for cmdline, environ in samples:
            self.assertNotIn(PIN.encode(), cmdline)
            self.assertNotIn(PIN.encode(), environ)
        self.assertNotIn(PIN, r.out + r.err)
        self.assertNotIn(PIN, self.rig.pcscd_log())

    def test_wrong_pin_is_auth_err_with_tries_left(self):
        self.piv_card("valid-cps")
        r = self.service().run(stdin="00000000\n")
        # OpenSC's PKCS#11 gives no count, only "low" and "final try": the count shows when known.
        self.assert_refused(r, AUTH_ERR, "Code porteur incorrect.")

    def test_last_try_is_kept_by_default_policy(self):
        self.piv_card("valid-cps", "--pin-tries", "1")
        r = self.service().run()
        self.assert_refused(r, AUTH_ERR, "Il ne reste qu'un essai avant le blocage")
        self.assertNotIn("Code porteur CPS", r.err)

    def test_locked_pin_is_refused_without_asking(self):
        self.piv_card("valid-cps", "--pin-tries", "1")
        self.policy.write('[pin]\nlast_try = "warn"\n[accounts.holders]\n"%s" = "alice"\n' % MAPPED_IDNAT)
        first = self.service().run(stdin="00000000\n")
        self.assertIn(AUTH_ERR, first.text, first)
        r = self.service().run()
        self.assert_refused(r, AUTH_ERR, "Carte CPS bloquée")
        self.assertNotIn("Code porteur CPS", r.err)

    def test_certificate_refusals_are_auth_err(self):
        for name, message in CERTIFICATE_CASES:
            with self.subTest(name):
                self.fresh_rig()
                self.piv_card(name)
                self.assert_refused(self.service().run(), AUTH_ERR, message)

    def test_holder_not_mapped_to_the_account_is_auth_err(self):
        self.piv_card("valid-cps")
        r = self.service().run(user="bob")
        self.assert_refused(r, AUTH_ERR, "n'est pas autorisée à ouvrir cette session")

    def test_card_pulled_while_the_pin_is_typed_is_refused(self):
        card = self.piv_card("valid-cps")
        session = self.service().start()
        session.wait_for("Code porteur CPS")
        watch = self.rig.watch()
        card.do("remove", "removed")
        while watch.next()["event"] != "card-removed":
            pass
        watch.stop()
        session.answer(PIN)
        r = session.finish()
        self.assertIn(AUTH_ERR, r.out, r)
        self.assertNotIn(AUTH_OK, r.out)


if __name__ == "__main__":
    unittest.main()
