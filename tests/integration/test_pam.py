# SPDX-License-Identifier: EUPL-1.2
"""pam_cpslock.so → cpslockd through real libpam (pam_wrapper + pamtester), with stand-in card
workers for what a real card cannot be made to do on demand: crash, hang, answer garbage, answer ok
out of turn.

Each test starts a real cpslockd (rig.Cpslockd) whose `--worker` is a stand-in; cpslockd refuses a
worker that is not root-owned in root-owned folders, so the tests (root, as in CI) write them to a
root-owned folder. test_pam_rig.py runs the real cpslockd-worker against the virtual reader."""
import os
import pty
import shutil
import stat
import subprocess
import tempfile
import textwrap
import threading
import time
import unittest

SOURCE_DIR = os.environ.get("CPSLOCK_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("CPSLOCK_BUILD_DIR", os.path.join(SOURCE_DIR, "build", "dev"))
MODULE = os.path.join(BUILD_DIR, "pam", "pam_cpslock.so")
PAM_DIR = "/lib/x86_64-linux-gnu/security"
PAM_PERMIT = os.path.join(PAM_DIR, "pam_permit.so")
INSTALLER = os.path.join(SOURCE_DIR, "installer", "pam")
PIN = "73915846"  # distinctive, so a leak is found by grep and not by chance

AUTH_OK = "successfully authenticated"
AUTH_ERR = "Authentication failure"                                    # PAM_AUTH_ERR
AUTHINFO_UNAVAIL = "Authentication service cannot retrieve authentication info"  # PAM_AUTHINFO_UNAVAIL


class Result:
    def __init__(self, rc, out, err, seconds):
        self.rc, self.out, self.err, self.seconds = rc, out, err, seconds

    @property
    def text(self):
        return self.out + self.err

    def __repr__(self):
        return "rc=%d after %.2f s\nstdout: %s\nstderr: %s" % (self.rc, self.seconds, self.out, self.err)


class PamService:
    """A service file generated for one test, run through pam_wrapper and pamtester."""

    def __init__(self, lines, env=None):
        self.dir = tempfile.mkdtemp(prefix="cpslock-pam-svc-")
        with open(os.path.join(self.dir, "cpslock-test"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.env = dict(env if env is not None else os.environ)
        self.env.update({"LD_PRELOAD": "libpam_wrapper.so", "PAM_WRAPPER": "1", "PAM_WRAPPER_SERVICE_DIR": self.dir,
                         # pam_syslog goes to stderr at this level: the tests read what would be logged.
                         "PAM_WRAPPER_DEBUGLEVEL": "3"})
        self.env.setdefault("LANG", "fr_FR.UTF-8")

    @staticmethod
    def only(options, env=None):
        return PamService(["auth required %s %s" % (MODULE, options)], env)

    def argv(self, user):
        return ["pamtester", "cpslock-test", user, "authenticate"]

    def run(self, user="alice", stdin=PIN + "\n", timeout=60):
        start = time.monotonic()
        r = subprocess.run(self.argv(user), input=stdin, env=self.env, capture_output=True, text=True, timeout=timeout)
        return Result(r.returncode, r.stdout, r.stderr, time.monotonic() - start)

    def start(self, user="alice"):
        # On a pseudo-terminal, as at a console: misc_conv then flushes its info lines at once and
        # really turns the echo off for the PIN.
        master, slave = pty.openpty()
        proc = subprocess.Popen(self.argv(user), env=self.env, stdin=slave, stdout=slave, stderr=slave,
                                start_new_session=True)
        os.close(slave)
        return Session(proc, master)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Session:
    """An interactive pamtester on a pseudo-terminal: wait for a prompt or a message, then act."""

    def __init__(self, proc, master):
        self.proc = proc
        self.master = master
        self.start = time.monotonic()
        self._text = ""
        self._ended = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self):
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._ended = True
                    self._cond.notify_all()
                    return
                self._text += chunk.decode(errors="replace")
                self._cond.notify_all()

    def wait_for(self, text, timeout=20):
        with self._cond:
            if not self._cond.wait_for(lambda: text in self._text or self._ended, timeout):
                raise AssertionError("%r not seen within %s s; got %r" % (text, timeout, self._text[-2000:]))
            if text not in self._text:
                raise AssertionError("pamtester ended before %r: %r" % (text, self._text[-2000:]))

    def answer(self, line):
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout=60):
        rc = self.proc.wait(timeout=timeout)
        self._thread.join(timeout=10)
        os.close(self.master)
        return Result(rc, self._text, "", time.monotonic() - self.start)


class StandIns:
    """Root-owned folder of stand-in workers (Python scripts); what they write goes to `out`, which
    cpslockd's user (nobody) may write."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cpslock-pam-workers-")
        os.chmod(self.dir, 0o755)
        self.out = os.path.join(self.dir, "out")
        os.mkdir(self.out)
        os.chmod(self.out, 0o1777)

    def write(self, name, body, mode=0o755):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("#!/usr/bin/python3\nimport os, signal, sys, time\n" + textwrap.dedent(body))
        os.chmod(path, mode)
        return path

    def file(self, name):
        return os.path.join(self.out, name)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# A stand-in that plays a card with PIN 73915846; what it does after the PIN depends on the script.
READY = 'print("ready tries=3 final=0 reader=Virtual%20PCD%2000%2000", flush=True)\n'
READ_PIN = 'pin = sys.stdin.readline().rstrip("\\n")\n'
USER = 'user = sys.argv[sys.argv.index("--user") + 1]\n'


def daemon_for(test, worker):
    """A cpslockd whose card worker is `worker`; stopped at the end of the test."""
    from rig import Cpslockd
    daemon = Cpslockd(worker=worker).start()
    test.addCleanup(daemon.stop)
    return daemon


class PamModuleTest(unittest.TestCase):
    def setUp(self):
        self.assertEqual(os.geteuid(), 0, "needs root (workers must be root-owned)")
        for path in (MODULE, shutil.which("pamtester")):
            self.assertTrue(path and os.path.exists(path), "missing %s" % path)
        self.helpers = StandIns()
        self.addCleanup(self.helpers.remove)

    def service(self, helper, options="", lines_after=()):
        self.daemon = daemon_for(self, helper)
        s = PamService(["auth required %s socket=%s %s" % (MODULE, self.daemon.socket, options)] + list(lines_after))
        self.addCleanup(s.remove)
        return s

    def card_helper(self, after_pin):
        return self.helpers.write("card", USER + READY + READ_PIN + textwrap.dedent(after_pin))

    # -- the happy path and the plain refusal, to show the stand-in is a faithful peer --

    def test_right_pin_is_success(self):
        helper = self.card_helper('print("ok user=%s serial=1000000001 cert=ab holder=X" % user '
                                  'if pin == "73915846" else "refused wrong-pin tries=2", flush=True)\n')
        r = self.service(helper).run()
        self.assertEqual(r.rc, 0, r)
        self.assertIn(AUTH_OK, r.out)
        self.assertIn("Code porteur CPS (3 essais restants) : ", r.err)

    def test_wrong_pin_is_auth_err_with_the_message(self):
        helper = self.card_helper('print("refused wrong-pin tries=2", flush=True)\n')
        r = self.service(helper).run(stdin="0000\n")
        self.assertEqual(r.rc, 1, r)
        self.assertIn(AUTH_ERR, r.text)
        self.assertIn("Code porteur incorrect. Il vous reste 2 essais.", r.err)

    def test_english_locale_gets_english_prompt_and_messages(self):
        helper = self.card_helper('print("refused pin-locked tries=0", flush=True)\n')
        s = self.service(helper)
        s.env["LANG"] = "en_US.UTF-8"
        r = s.run()
        self.assertIn("CPS card PIN (3 tries left): ", r.err)
        self.assertIn("CPS card blocked after too many wrong PINs", r.err)
        self.assertIn(AUTH_ERR, r.text)

    # -- the worker misbehaves: always a refusal --

    def test_helper_killed_mid_way_is_a_refusal(self):
        helper = self.card_helper('os.kill(os.getpid(), signal.SIGKILL)\n')
        r = self.service(helper, "debug").run()
        self.assertEqual(r.rc, 1, r)
        self.assertIn(AUTH_ERR, r.text)
        self.assertIn("La vérification de votre carte n'a pas abouti", r.err)
        self.assertIn("card worker", r.err)  # the debug log says why
        self.assertIn("auth-refused", self.daemon.audit_with("auth-refused"))

    def test_helper_hanging_past_timeout_is_killed_and_refused(self):
        pidfile = self.helpers.file("pid")
        helper = self.card_helper('open(%r, "w").write(str(os.getpid()))\ntime.sleep(60)\n' % pidfile)
        r = self.service(helper, "timeout=1").run()
        self.assertEqual(r.rc, 1, r)
        self.assertIn(AUTH_ERR, r.text)
        self.assertLess(r.seconds, 10, "the module must not wait for the hanging helper")
        pid = int(open(pidfile).read())
        deadline = time.monotonic() + 5
        while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists("/proc/%d" % pid), "the hanging worker was killed and reaped")

    def test_helper_hanging_before_ready_is_refused(self):
        helper = self.helpers.write("hang", "time.sleep(60)\n")
        r = self.service(helper, "timeout=1").run()
        self.assertEqual(r.rc, 1, r)
        self.assertIn(AUTH_ERR, r.text)
        self.assertNotIn("Code porteur", r.err, "no PIN asked without a ready card")

    def test_garbage_answers_are_refusals(self):
        for name, after in (("garbage", 'print("yes", flush=True)\n'),
                            ("ok-upper", 'print("OK user=%s" % user, flush=True)\n'),
                            ("other-user", 'print("ok user=root", flush=True)\n'),
                            ("no-newline", 'sys.stdout.write("ok user=%s" % user); sys.stdout.flush()\n'),
                            ("ok-then-fail", 'print("ok user=%s" % user, flush=True)\nsys.exit(1)\n'),
                            ("flood", 'sys.stdout.write("o" * 100000); sys.stdout.flush(); time.sleep(5)\n')):
            with self.subTest(name):
                r = self.service(self.helpers.write(name, USER + READY + READ_PIN + after)).run()
                self.assertEqual(r.rc, 1, r)
                self.assertIn(AUTH_ERR, r.text)

    def test_ok_before_the_pin_is_never_a_success(self):
        helper = self.helpers.write("eager", USER + 'print("ok user=%s" % user, flush=True)\n')
        r = self.service(helper).run()
        self.assertIn(AUTH_ERR, r.text, r)
        self.assertNotIn("Code porteur", r.err)

    def test_insecure_worker_is_never_run(self):
        from rig import Cpslockd
        marker = self.helpers.file("ran")
        body = 'open(%r, "w").close()\n' % marker + USER + READY + READ_PIN + 'print("ok user=%s" % user, flush=True)\n'
        other = self.helpers.write("not-root", body)
        os.chown(other, 65534, 65534)
        for name, mode in (("group-writable", 0o775), ("world-writable", 0o757), ("not-root", None)):
            with self.subTest(name):
                worker = other if mode is None else self.helpers.write(name, body, mode)
                daemon = Cpslockd(worker=worker)
                self.addCleanup(daemon.stop)
                daemon.start(expect_ready=False)
                self.assertNotEqual(daemon.proc.wait(timeout=10), 0)
                self.assertIn("must be owned by root", daemon.audit())
                s = PamService(["auth required %s socket=%s" % (MODULE, daemon.socket)])
                self.addCleanup(s.remove)
                r = s.run()
                self.assertIn(AUTHINFO_UNAVAIL, r.text, r)
                self.assertIn("Le service de vérification des cartes CPS ne répond pas", r.err)
                self.assertFalse(os.path.exists(marker), "an insecure worker must never be started")

    def test_cpslockd_not_running_is_authinfo_unavail_never_success(self):
        s = PamService(["auth required %s socket=/nonexistent/cpslockd.sock" % MODULE,
                        "auth sufficient %s" % PAM_PERMIT])
        self.addCleanup(s.remove)
        r = s.run()
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn(AUTHINFO_UNAVAIL, r.text, r)
        self.assertIn("Le service de vérification des cartes CPS ne répond pas", r.err)

    def test_bad_module_line_is_a_configuration_error(self):
        helper = self.card_helper('print("ok user=%s" % user, flush=True)\n')
        for options in ("polcy=/etc/x.toml", "timeout=0", "alwaysok", "helper=/usr/libexec/x", "policy=/etc/x.toml"):
            with self.subTest(options):
                r = self.service(helper, options).run()
                self.assertIn(AUTHINFO_UNAVAIL, r.text, r)
                self.assertIn("La configuration de sécurité du poste est invalide", r.err)

    def test_cancelled_conversation_is_a_refusal(self):
        helper = self.card_helper('print("ok user=%s" % user, flush=True)\n')
        r = self.service(helper).run(stdin="")
        self.assertIn(AUTH_ERR, r.text, r)

    def test_empty_pin_is_refused_without_reaching_the_worker(self):
        seen = self.helpers.file("seen")
        helper = self.helpers.write("card", USER + READY + textwrap.dedent('''\
            raw = sys.stdin.readline()
            open(%r, "w").write(repr(raw))
            print("ok user=%%s" %% user, flush=True)
            ''' % seen))
        r = self.service(helper).run(stdin="\n")
        self.assertIn(AUTH_ERR, r.text, r)
        # The module answers as soon as it refuses; the worker sees its end of file a moment later.
        deadline = time.monotonic() + 10
        while not (os.path.exists(seen) and open(seen).read()) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(open(seen).read(), "''", "the worker got a PIN line instead of end of file")

    # -- the PIN: only on the worker's standard input, through cpslockd --

    def test_pin_never_in_helper_argv_environment_or_logs(self):
        dump = self.helpers.file("dump")
        helper = self.card_helper(textwrap.dedent('''\
            with open(%r, "wb") as f:
                for name in ("cmdline", "environ"):
                    f.write(open("/proc/self/" + name, "rb").read() + b"\\n")
                f.write(("pin=" + pin).encode())
            print("refused wrong-pin tries=2 detail=card%%20said%%20no", flush=True)
            ''' % dump))
        s = self.service(helper, "debug")
        s.env["CPSLOCK_SHOULD_NOT_PASS"] = "1"
        r = s.run()
        self.assertIn(AUTH_ERR, r.text, r)
        data = open(dump, "rb").read().decode()
        self.assertIn("pin=" + PIN, data, "the stand-in did get the PIN on its standard input")
        before_pin = data.split("pin=")[0]
        self.assertNotIn(PIN, before_pin, "PIN in the worker's argv or environment")
        self.assertNotIn("CPSLOCK_SHOULD_NOT_PASS", before_pin, "the worker's environment is not clean")
        self.assertIn("--user\0alice", before_pin)
        environ = data.split("\n")[1]
        self.assertEqual(environ.strip("\0"), "", "the worker's environment is empty: %r" % environ)
        self.assertNotIn(PIN, r.out + r.err, "PIN in the module's output or log")
        self.assertNotIn(PIN, self.daemon.audit(), "PIN in cpslockd's audit")
        self.assertIn("card said no", r.err, "the debug log is on (so the grep above means something)")

    # -- CVE-2025-24531 (pam_pkcs11): a card-only path returned PAM_IGNORE, and the rest of the
    # stack (here pam_permit as 'sufficient') then let the user in. Every failure must stop it. --

    def test_cve_2025_24531_no_failure_path_returns_ignore_or_success(self):
        permit_after = ["auth sufficient %s" % PAM_PERMIT]
        u = USER + READY + READ_PIN
        cases = {
            "wrong-pin": (u + 'print("refused wrong-pin tries=2", flush=True)\n', ""),
            "no-card": ('print("refused no-card", flush=True)\n', ""),
            "module-error": ('print("refused module-error", flush=True)\n', ""),
            "crash": (u + 'os.kill(os.getpid(), signal.SIGSEGV)\n', ""),
            "exit-silently": ("sys.exit(0)\n", ""),
            "hang": (u + "time.sleep(60)\n", "timeout=1"),
            "garbage": (u + 'print("PAM_IGNORE", flush=True)\n', ""),
            "unknown-reason": (u + 'print("refused ignore", flush=True)\n', ""),
            "bad-option": ('print("ready tries=3 final=0", flush=True)\n', "nullok"),
        }
        for name, (body, options) in cases.items():
            with self.subTest(name):
                s = self.service(self.helpers.write(name, body), options, permit_after)
                r = s.run()
                self.assertNotEqual(r.rc, 0, "%s let the stack succeed: %r" % (name, r))
                self.assertNotIn(AUTH_OK, r.text)
        dead = PamService(["auth required %s socket=/nonexistent/cpslockd.sock" % MODULE] + permit_after)
        self.addCleanup(dead.remove)
        missing = dead.run()
        self.assertNotEqual(missing.rc, 0, missing)

    def test_authinfo_unavail_lets_an_explicit_fallback_apply_and_nothing_else(self):
        # The pam-auth-update profile's control once written out ("end" becomes "done" or a jump):
        # a refusal ends the stack, "cannot decide" goes on to the administrator's fallback.
        control = "[success=done authinfo_unavail=ignore default=die]"
        fallback = ["auth required %s" % PAM_PERMIT]
        for reason, allowed in (("no-card", True), ("reader-unavailable", True), ("policy-error", True),
                                ("wrong-pin", False), ("revoked", False), ("not-mapped", False)):
            with self.subTest(reason):
                helper = self.helpers.write(reason, 'print("refused %s", flush=True)\n' % reason)
                daemon = daemon_for(self, helper)
                s = PamService(["auth %s %s socket=%s" % (control, MODULE, daemon.socket)] + fallback)
                self.addCleanup(s.remove)
                r = s.run()
                self.assertEqual(r.rc == 0, allowed, r)


def installed_auth_lines(path):
    """The auth lines an administrator gets from the profile or a snippet, as libpam reads them:
    pam-auth-update's "end" written out, "@include" (the password stack) played by pam_permit."""
    with open(path) as f:
        text = f.read()
    lines = []
    if os.path.basename(path) == "cpslock":  # pam-auth-update profile: the Auth: block
        block = text.split("\nAuth:\n", 1)[1].split("\nAuth-Initial:", 1)[0]
        lines = ["auth " + l.strip().replace("success=end", "success=done") for l in block.splitlines() if l.strip()]
        lines.append("auth required %s" % PAM_PERMIT)  # pam_unix, below the profile
    else:
        for l in text.splitlines():
            if l.startswith("auth"):
                lines.append(l)
            elif l.startswith("@include"):
                lines.append("auth required %s" % PAM_PERMIT)
    return lines


class InstalledLinesTest(unittest.TestCase):
    """The profile and every snippet of installer/pam, run through real libpam."""

    def setUp(self):
        self.assertEqual(os.geteuid(), 0, "needs root (workers must be root-owned)")
        self.helpers = StandIns()
        self.addCleanup(self.helpers.remove)

    def run_lines(self, lines, answer, user):
        helper = self.helpers.write(answer.split()[0] + "-" + str(len(os.listdir(self.helpers.dir))),
                                    USER + READY + READ_PIN + 'print(%r %% {"user": user}, flush=True)\n' % answer)
        daemon = daemon_for(self, helper)
        svc = [l.replace("pam_cpslock.so", "%s socket=%s" % (MODULE, daemon.socket))
                .replace("pam_succeed_if.so", os.path.join(PAM_DIR, "pam_succeed_if.so")) for l in lines]
        s = PamService(svc)
        self.addCleanup(s.remove)
        return s.run(user=user)

    def test_profile_and_snippets(self):
        files = [os.path.join(INSTALLER, "cpslock")] + sorted(
            os.path.join(INSTALLER, "snippets", n) for n in os.listdir(os.path.join(INSTALLER, "snippets")))
        self.assertGreaterEqual(len(files), 8)
        for path in files:
            lines = installed_auth_lines(path)
            card_line = [l for l in lines if "pam_cpslock.so" in l]
            self.assertEqual(len(card_line), 1, path)
            fallback = "authinfo_unavail=ignore" in card_line[0] and any(PAM_PERMIT in l for l in lines)
            rescue = any("pam_succeed_if.so uid eq 0" in l for l in lines)
            cases = (("ok user=%(user)s", "alice", True),
                     ("refused wrong-pin tries=2", "alice", False),
                     ("refused revoked", "alice", False),
                     ("refused no-card", "alice", fallback),
                     ("refused reader-unavailable", "alice", fallback),
                     ("refused wrong-pin tries=2", "root", rescue and fallback))
            for answer, user, success in cases:
                with self.subTest(file=os.path.basename(path), answer=answer, user=user):
                    r = self.run_lines(lines, answer, user)
                    self.assertEqual(r.rc == 0, success, r)


if __name__ == "__main__":
    unittest.main()
