# SPDX-License-Identifier: EUPL-1.2
"""pam_cpslock.so → cpslockd → the real cpslockd-worker on the virtual reader rig (pcscd + vpcd +
cpslock-cardsim), through libpam (pam_wrapper + pamtester).

What needs a card that can do a PIN and a signature uses the simulated CPS3 answering as an IAS-ECC
CPx, through OpenSC in its default configuration (its iasecc driver), as on a clinic PC; everything
that happens before a PIN reaches a card also runs on the plain simulator. Nothing is skipped: a
missing part fails."""
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from rig import CARDSIM, WORKER, Cpslockd, PolicyDir, Rig, card_files, card_serial, rig_policy_dropin
from test_pam import AUTH_ERR, AUTH_OK, AUTHINFO_UNAVAIL, MODULE, PIN, PamService

SLOT0 = "Virtual PCD 00 00"
MAPPED_IDNAT = "810002813839"  # valid-cps (and foreign) of the test PKI
def cardsim_has_piv():
    try:
        r = subprocess.run([CARDSIM, "--help"], capture_output=True, text=True, timeout=10)
    except OSError:
        return False
    return "--piv-cert" in r.stdout + r.stderr




class ProcWatch:
    """Samples /proc/*/cmdline, environ and status of every running cpslockd-worker while a test runs."""

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
                    if b"cpslockd-worker" not in cmdline.split(b"\0")[0]:
                        continue
                    with open("/proc/%s/environ" % pid, "rb") as f:
                        environ = f.read()
                    with open("/proc/%s/status" % pid) as f:
                        uids = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
                    self.samples.append((cmdline, environ, uids))
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
        self.assertEqual(os.geteuid(), 0, "needs root (the rig uses namespaces; the worker must be root-owned)")
        for path in (MODULE, WORKER, CARDSIM):
            self.assertTrue(os.path.exists(path), "not built: %s" % path)
        self.policy = PolicyDir(self.mapping())
        self.addCleanup(self.policy.remove)
        self.daemon = None
        self.fresh_rig()

    @staticmethod
    def mapping():
        # "nobody" plays the session's user of a screen locker that runs as that user.
        return '[accounts.holders]\n"%s" = ["alice", "nobody"]\n' % MAPPED_IDNAT

    def fresh_rig(self):
        """A new pcscd and readers (one card process per reader port at a time, no leftovers), and a
        cpslockd whose worker reaches them (the policy names the rig's pcscd and OpenSC configuration)."""
        if getattr(self, "rig", None):
            self.rig.stop()
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)
        rig_policy_dropin(self.policy, self.rig.env)
        if self.daemon is None:
            self.daemon = Cpslockd(policy=self.policy.path).start()
            self.addCleanup(self.daemon.stop)

    def service(self, options=""):
        # The module gets neither the rig's pcscd nor OpenSC's configuration: only cpslockd's policy does.
        env = {k: v for k, v in self.rig.env.items() if k not in ("PCSCLITE_CSOCK_NAME", "OPENSC_CONF")}
        s = PamService.only("socket=%s %s" % (self.daemon.socket, options), env)
        self.addCleanup(s.remove)
        return s

    def piv_card(self, name, *extra, slot=0, insert=True):
        """The test PKI's card `name` as a CPS3 IAS-ECC CPx (OpenSC's default iasecc driver reads it)."""
        cert, key = card_files(name)
        args = ["--auth-cert", cert, "--auth-key", key, "--pin", PIN] + list(extra)
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

    def test_missing_policy_of_cpslockd_is_a_policy_error(self):
        self.daemon.stop()
        self.daemon = Cpslockd(policy=os.path.join(self.policy.dir, "absent.toml")).start()
        self.addCleanup(self.daemon.stop)
        r = self.service().run()
        self.assert_refused(r, AUTHINFO_UNAVAIL, "La configuration de sécurité du poste est invalide")

    def test_patient_card_alone_is_refused(self):
        self.rig.insert(1, "insert vitale2")
        self.assert_refused(self.service().run(), AUTH_ERR, "n'est pas une carte CPS")

    def test_contactless_cps_is_refused_before_any_pin(self):
        self.rig.insert(0, "insert cps3-contactless 12345")
        r = self.service().run()
        self.assert_refused(r, AUTH_ERR, "sans contact")
        self.assertNotIn("Code porteur", r.err)

    # -- screen lockers run the module as the session's user --

    def run_as(self, service, user="nobody", stdin=PIN + "\n"):
        """pamtester as an unprivileged user, as kscreenlocker, xsecurelock or i3lock run it."""
        subprocess.run(["chmod", "-R", "go+rX", service.dir], check=True)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        start = time.monotonic()
        r = subprocess.run(prefix + service.argv(user), input=stdin, env=service.env, capture_output=True,
                           text=True, timeout=60)
        from test_pam import Result
        return Result(r.returncode, r.stdout, r.stderr, time.monotonic() - start)

    def test_right_pin_as_the_session_user(self):
        self.piv_card("valid-cps")
        r = self.run_as(self.service())
        self.assertEqual(r.rc, 0, r)
        self.assertIn(AUTH_OK, r.out)

    def test_unprivileged_caller_cannot_verify_a_card_for_another_account(self):
        # Issue 10: only root (a display manager) may authenticate someone else.
        self.piv_card("valid-cps")
        self.policy.write('[accounts.holders]\n"%s" = ["alice", "nobody", "root"]\n' % MAPPED_IDNAT)
        r = self.run_as(self.service(), user="root")
        self.assert_refused(r, AUTH_ERR, "n'est pas autorisée à ouvrir cette session")
        self.assertNotIn(AUTH_OK, r.out)
        self.assertIn("may only verify a card for its own account, not root", self.daemon.audit())

    def test_hostile_environment_of_the_caller_changes_nothing(self):
        """Issue 10, finding 1: under su/sudo the module's environment is the unprivileged caller's. Its
        OPENSC_CONF (loading code), PCSCLITE_CSOCK_NAME (its own pcscd), SOFTHSM2_CONF and LD_PRELOAD
        must not reach the card check, which must not run as root."""
        evil = tempfile.mkdtemp(prefix="cpslock-evil-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", evil]))
        marker = os.path.join(evil, "payload-ran")
        conf = os.path.join(evil, "opensc.conf")
        with open(conf, "w") as f:
            f.write('app default {\n card_drivers = evil;\n card_driver evil {\n module = %s/evil.so;\n }\n}\n' % evil)
        self.piv_card("valid-cps")
        s = self.service()
        s.env.update({"OPENSC_CONF": conf, "PCSCLITE_CSOCK_NAME": os.path.join(evil, "pcscd.comm"),
                      "SOFTHSM2_CONF": os.path.join(evil, "softhsm2.conf")})
        watch = ProcWatch()
        r = s.run()
        samples = watch.stop()
        self.assertEqual(r.rc, 0, "the verification used the policy's card service, not the caller's: %r" % r)
        self.assertFalse(os.path.exists(marker))
        self.assertTrue(samples, "cpslockd-worker was never seen running")
        for cmdline, environ, uids in samples:
            self.assertEqual(environ, b"", "the worker's environment is empty")
            self.assertNotIn("0", uids, "the worker never runs as root: %s" % uids)

    def test_real_setuid_su_run_by_an_unprivileged_user_with_a_hostile_environment(self):
        """Issue 10, finding 1, with the real setuid-root util-linux `su`, started by uid 65534 with
        OPENSC_CONF (a driver module to load), PCSCLITE_CSOCK_NAME (its own pcscd), SOFTHSM2_CONF and
        LD_PRELOAD. /etc/pam.d/su is replaced only inside a private mount namespace."""
        import pty
        evil = tempfile.mkdtemp(prefix="cpslock-evil-")
        os.chmod(evil, 0o777)
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", evil]))
        marker = os.path.join(evil, "payload-ran")
        source = os.path.join(evil, "evil.c")
        with open(source, "w") as f:
            f.write('#include <stdio.h>\n__attribute__((constructor)) static void p(void) {'
                    ' FILE* f = fopen("%s", "a"); if (f) { fputs("ran\\n", f); fclose(f); } }\n'
                    'int sc_module_init(void) { return 0; }\n' % marker)
        library = os.path.join(evil, "evil.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", library, source], check=True)
        conf = os.path.join(evil, "opensc.conf")
        with open(conf, "w") as f:
            f.write('app default {\n card_drivers = evil;\n card_driver evil {\n module = %s;\n }\n}\n' % library)
        service = os.path.join(evil, "su")
        with open(service, "w") as f:
            f.write("auth required %s socket=%s\naccount required pam_permit.so\n"
                    "session required pam_permit.so\n" % (MODULE, self.daemon.socket))
        self.policy.write('[accounts.holders]\n"%s" = ["alice", "nobody", "root"]\n' % MAPPED_IDNAT)
        self.piv_card("valid-cps")
        env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
        hostile = ["OPENSC_CONF=" + conf, "PCSCLITE_CSOCK_NAME=" + os.path.join(evil, "pcscd.comm"),
                   "SOFTHSM2_CONF=" + os.path.join(evil, "softhsm2.conf"), "LD_PRELOAD=" + library]
        # Only su gets the hostile environment (as the unprivileged user's shell would give it).
        script = ("mount --bind %s /etc/pam.d/su && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
                  "/usr/bin/env %s /bin/su root -c 'echo SU-OK'" % (service, " ".join(hostile)))
        master, slave = pty.openpty()
        watch = ProcWatch()
        proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], env=env,
                                stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 60
        sent = False
        while time.monotonic() < deadline:
            import select
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if not sent and b"Code porteur" in out or not sent and b"CPS card PIN" in out:
                    os.write(master, (PIN + "\n").encode())
                    sent = True
            elif proc.poll() is not None:
                break
        proc.wait(timeout=30)
        os.close(master)
        samples = watch.stop()
        text = out.decode(errors="replace")
        self.assertTrue(sent, "su never asked the PIN: %s" % text)
        self.assertIn("SU-OK", text, "the real card verified through cpslockd opens su: %s" % text)
        self.assertFalse(os.path.exists(marker), "the caller's code ran: %s" % text)
        self.assertTrue(samples, "cpslockd-worker was never seen running")
        for cmdline, environ, uids in samples:
            self.assertEqual(environ, b"", "the worker's environment is empty")
            self.assertNotIn("0", uids, "the worker never runs as root: %s" % uids)
        self.assertIn("kind=auth-verified caller_uid=0", self.daemon.audit_with("kind=auth-verified caller_uid=0"))

    def test_card_reported_lost_is_refused_and_stays_refused(self):
        self.piv_card("valid-cps")
        serial = card_serial("valid-cps")
        self.assertTrue(self.daemon.request("report-lost serial=%s" % serial, as_uid=65534).startswith("done"))
        self.assert_refused(self.service().run(), AUTH_ERR, "déclarée perdue ou volée")
        self.assert_refused(self.run_as(self.service()), AUTH_ERR, "déclarée perdue ou volée")
        # A restarted cpslockd still refuses it (the report is in its own state folder).
        self.daemon.proc.terminate()
        self.daemon.proc.wait(timeout=10)
        self.daemon.start()
        self.assert_refused(self.service().run(), AUTH_ERR, "déclarée perdue ou volée")
        self.assertIn("card-reported-lost", self.daemon.audit_with("card-reported-lost"))

    def test_report_flood_from_another_account_does_not_undo_a_report(self):
        # Issue 10, finding 3: 20,000 files from another account pushed a report past the cap.
        self.piv_card("valid-cps")
        self.assertTrue(self.daemon.request("report-lost serial=%s" % card_serial("valid-cps")).startswith("done"))
        code = ("import socket,sys\nok=quota=0\nfor i in range(200):\n"
                " s=socket.socket(socket.AF_UNIX); s.connect(%r)\n"
                " s.sendall(b'report-lost serial=%%d\\n' %% (2000000000+i)); r=s.makefile().readline()\n"
                " ok+=r.startswith('done'); quota+=r.startswith('error quota')\n"
                "print(ok, quota)\n" % self.daemon.socket)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code],
                           capture_output=True, text=True, timeout=120)
        ok, quota = map(int, r.stdout.split())
        self.assertEqual(ok, 20, r)
        self.assertEqual(quota, 180, r)
        self.assert_refused(self.service().run(), AUTH_ERR, "déclarée perdue ou volée")

    def test_unreadable_lost_reports_fail_closed(self):
        # A report store cpslockd cannot read (a FIFO, garbage) must not let a reported card in.
        self.daemon.stop()
        self.daemon = Cpslockd(policy=self.policy.path)
        self.addCleanup(self.daemon.stop)
        os.mkfifo(os.path.join(self.daemon.state, "lost-reports"))
        self.daemon.start()
        self.piv_card("valid-cps")
        self.assert_refused(self.service().run(), AUTHINFO_UNAVAIL, "configuration")

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
        self.assertTrue(samples, "cpslockd-worker was never seen running")
        for cmdline, environ, _ in samples:
            self.assertNotIn(PIN.encode(), cmdline)
            self.assertNotIn(PIN.encode(), environ)
        self.assertNotIn(PIN, r.out + r.err)
        self.assertNotIn(PIN, self.rig.pcscd_log())
        self.assertNotIn(PIN, self.daemon.audit())
        self.assertIn("auth-verified", self.daemon.audit_with("auth-verified"))
        # Issue 11: the audit records the certificate's full policy OIDs and the card's origin.
        verified = [l for l in self.daemon.audit().splitlines() if "kind=auth-verified" in l][-1]
        self.assertRegex(verified, r"policies=\d+(\.\d+)+")
        self.assertIn("card_type=cps", verified)
        self.assertRegex(verified, r"issuer_key_id=[0-9A-F]{40}")

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
        self.policy.write('[pin]\nlast_try = "warn"\n' + self.mapping())
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

    def test_card_pulled_and_put_back_while_the_pin_is_typed_is_refused(self):
        # The same card (or a clone with its serial) back in the reader before the PIN is sent: OpenSC
        # carries on with it, but pcscd counted a removal and an insertion since the card was found,
        # so the verification does not end on "the same card is still there".
        card = self.piv_card("valid-cps")
        session = self.service().start()
        session.wait_for("Code porteur CPS")
        self.rig.remove(card)
        card.close()
        self.piv_card("valid-cps")
        session.answer(PIN)
        r = session.finish()
        self.assert_refused(r, AUTH_ERR, "La carte a été retirée pendant la vérification")
        self.assertNotIn(AUTH_OK, r.out)


if __name__ == "__main__":
    unittest.main()
