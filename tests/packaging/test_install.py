# SPDX-License-Identifier: EUPL-1.2
"""Install test of the Debian packages, as a clinic's IT admin would do it on a clean Debian 12.

A fresh Debian 12 root (mmdebstrap minbase + pamtester, cached as a tarball in the build folder) gets
the built .debs with apt; `pam-auth-update --enable cpslock`; then through the root's real PAM stack
(`pamtester login`, the service a console login uses, with the packaged common-auth):
- the simulated CPS card (cpslock-cardsim of cpslock-testing, the test PKI's card) and its PIN open
  the session, verified by the installed cpslockd and its worker through OpenSC and pcscd;
- without a card, the password opens it (the documented fallback), a wrong password does not;
then `apt-get remove` and `purge` leave common-auth exactly as it was and password logins working,
and no installed file is under /usr/local.

pcscd with the virtual reader runs on the host's rig (tests/rig/pcsc-rig.sh, its own network and
mount namespaces); everything else is the installed packages inside the root. Needs root, network
to a Debian mirror the first time (the tarball and apt's archives are then cached in the build
folder). Run by `scripts/test.sh --packaging`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from rig import LineReader, card_manifest  # noqa: E402  (the rig's reader: stdout lines with a timeout)

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEB_DIR = os.environ.get("CPSLOCK_DEB_DIR", os.path.join(SOURCE_DIR, "build", "packages"))
WORK = os.environ.get("CPSLOCK_PACKAGING_DIR", os.path.join(SOURCE_DIR, "build", "packaging"))
RIG = os.path.join(SOURCE_DIR, "tests", "rig", "pcsc-rig.sh")
TARBALL = os.path.join(WORK, "bookworm-minbase.tar")
APT_CACHE = os.path.join(WORK, "apt-archives")
TESTPKI = os.path.join(WORK, "testpki")
MIRRORS = ["deb http://deb.debian.org/debian bookworm main",
           "deb http://deb.debian.org/debian bookworm-updates main",
           "deb http://deb.debian.org/debian-security bookworm-security main"]
PORT = 35973  # in the rig's own network namespace
PIN = "73915846"
PASSWORD = "mot-de-passe-1"
USER = "docteur"
MAPPED_CARD = "valid-cps"  # idNat 810002813839 in the test PKI
AUTH_OK = "successfully authenticated"
EVENT_TIMEOUT = 15.0


def run(argv, check=True, **kwargs):
    r = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if check and r.returncode != 0:
        raise AssertionError("%s exited %d:\n%s\n%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    return r


def ensure_tarball():
    """The clean Debian 12 root, bootstrapped once and kept in the build folder (never committed)."""
    if os.path.exists(TARBALL):
        return
    os.makedirs(WORK, exist_ok=True)
    run(["mmdebstrap", "--variant=minbase", "--include=pamtester", "--skip=cleanup/apt/lists", "--format=tar",
         "bookworm", TARBALL + ".part"] + MIRRORS)
    os.rename(TARBALL + ".part", TARBALL)


def ensure_testpki():
    if not os.path.exists(os.path.join(TESTPKI, "manifest.tsv")):
        shutil.rmtree(TESTPKI, ignore_errors=True)
        run(["bash", os.path.join(SOURCE_DIR, "tests", "data", "make-test-pki.sh"), TESTPKI])


def manifest(name):
    return card_manifest(name, TESTPKI)


class Root:
    """A Debian 12 root in a folder. Every command runs in its own private mount namespace with /proc,
    /dev and the rig's folder mounted into the root: nothing stays mounted on the host afterwards."""

    def __init__(self, rig_dir):
        self.dir = tempfile.mkdtemp(prefix="cpslock-root-", dir=WORK)
        self.rig_dir = rig_dir
        run(["tar", "-xf", TARBALL, "-C", self.dir])
        shutil.copy("/etc/resolv.conf", os.path.join(self.dir, "etc", "resolv.conf"))
        os.makedirs(APT_CACHE, exist_ok=True)
        os.makedirs(os.path.join(self.dir, "run", "rig"), exist_ok=True)

    def argv(self, command):
        mounts = ("mount -t proc proc {r}/proc && mount --rbind /dev {r}/dev && "
                  "mount --bind {cache} {r}/var/cache/apt/archives && mount --bind {rig} {r}/run/rig && "
                  "exec chroot {r} \"$@\"").format(r=self.dir, cache=APT_CACHE, rig=self.rig_dir)
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts, "sh"] + command

    def run(self, *command, check=True, stdin=None, env=None, timeout=900):
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        environment.update(env or {})
        return run(self.argv(list(command)), check=check, input=stdin, env=environment, timeout=timeout)

    def spawn(self, *command, netns_of_rig=False, env=None, log=None):
        """A process in the root; its output in pipes, or with `log` in that file (a long-running
        process whose output nobody reads must not block on a full pipe)."""
        argv = self.argv(list(command))
        if netns_of_rig:
            argv = [RIG, "run", self.rig_dir] + argv
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        environment.update(env or {})
        out = open(log, "a") if log else subprocess.PIPE
        try:
            return subprocess.Popen(argv, env=environment, stdin=subprocess.PIPE, stdout=out,
                                    stderr=subprocess.STDOUT if log else subprocess.PIPE, text=True, bufsize=1,
                                    start_new_session=True)
        finally:
            if log:
                out.close()

    def path(self, inside):
        return os.path.join(self.dir, inside.lstrip("/"))

    def read(self, inside):
        with open(self.path(inside)) as f:
            return f.read()

    def write(self, inside, text, mode=0o644):
        path = self.path(inside)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def auth_lines(text):
    """The rules of a PAM file, without comments and blank lines."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert os.geteuid() == 0, "needs root (chroot, namespaces)"
        cls.debs = sorted(os.path.join(DEB_DIR, f) for f in os.listdir(DEB_DIR)
                          if f.endswith(".deb") and "-dbgsym_" not in f)
        names = {os.path.basename(d).split("_")[0] for d in cls.debs}
        assert {"cpslock", "libpam-cpslock", "cpslock-tray", "cpslock-testing"} <= names, \
            "build the packages first (scripts/build-packages.sh): %s" % names
        ensure_tarball()
        ensure_testpki()

    def setUp(self):
        self.started = time.monotonic()
        self.rig_dir = tempfile.mkdtemp(prefix="cpslock-rig-", dir=WORK)
        os.chmod(self.rig_dir, 0o755)  # the worker (user _cpslock) reaches pcscd's socket in here
        self.addCleanup(shutil.rmtree, self.rig_dir, True)
        self.addCleanup(run, [RIG, "stop", self.rig_dir], check=False)  # cleanups run last first
        out = run([RIG, "start", self.rig_dir, str(PORT)]).stdout
        # PCSCLITE_CSOCK_NAME=<rig>/run/pcscd.comm on the host, /run/rig/run/pcscd.comm in the root.
        self.assertIn("PCSCLITE_CSOCK_NAME=%s/run/pcscd.comm" % self.rig_dir, out)
        self.root = Root(self.rig_dir)
        self.addCleanup(self.root.remove)
        self.procs = []
        self.addCleanup(self.stop_processes)

    def stop_processes(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, 15)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, 9)
                    p.wait()
            for stream in (p.stdin, p.stdout, p.stderr):
                if stream:
                    stream.close()

    # -- steps --

    def login(self, secret):
        """`login`'s PAM stack for the doctor's account, the secret typed at every prompt."""
        return self.root.run("pamtester", "login", USER, "authenticate", check=False, stdin=secret + "\n",
                             env={"LANG": "fr_FR.UTF-8"}, timeout=120)

    def install(self):
        inside = []
        for deb in self.debs:
            shutil.copy(deb, self.root.path("/tmp"))
            inside.append("/tmp/" + os.path.basename(deb))
        lists = self.root.path("/var/lib/apt/lists")
        if not any(f.endswith("_Packages") for f in os.listdir(lists)):
            self.root.run("apt-get", "update", "-q")
        # As an admin would, apt resolves the dependencies. Recommends are named rather than pulled: the
        # tray's (gnome-shell-extension-appindicator) would bring a whole GNOME into the root.
        self.root.run("apt-get", "install", "-y", "-q", "--no-install-recommends", *inside, "pcscd", "opensc-pkcs11")
        recommends = self.root.run("dpkg-query", "-W", "-f", "${Recommends}", "cpslock").stdout
        self.assertEqual(recommends, "pcscd, opensc-pkcs11")

    def start_cpslockd(self):
        """The installed cpslockd as its unit runs it (user _cpslock, state in /var/lib/cpslock), in the
        foreground: there is no systemd in the root. The PAM module uses its default socket."""
        os.makedirs(self.root.path("/run/cpslock"), exist_ok=True)
        self.daemon_log = os.path.join(self.root.dir, "cpslockd.log")
        daemon = self.root.spawn("/usr/sbin/cpslockd", "--socket", "/run/cpslock/cpslockd.sock", "--user", "_cpslock",
                                 "--state-dir", "/var/lib/cpslock", "--audit", "stderr", log=self.daemon_log)
        self.procs.append(daemon)
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not os.path.exists(self.root.path("/run/cpslock/cpslockd.sock")):
            if daemon.poll() is not None or time.monotonic() > deadline:
                self.fail("cpslockd did not bind its socket: %s" % self.daemon_audit())
            time.sleep(0.05)
        return daemon

    def daemon_audit(self):
        with open(self.daemon_log, errors="replace") as f:
            return f.read()

    def deploy_test_policy(self):
        """The test PKI as the trusted one, the rig's pcscd, and the card's holder mapped to the account:
        a drop-in, as a clinic would deploy its own settings (the packaged policy.toml stays as shipped)."""
        for sub, dest in (("anchors", "/etc/cpslock/test-anchors"), ("intermediates", "/etc/cpslock/test-anchors")):
            for name in sorted(os.listdir(os.path.join(TESTPKI, sub))):
                if name.endswith(".der"):
                    os.makedirs(self.root.path(dest), exist_ok=True)
                    shutil.copy(os.path.join(TESTPKI, sub, name), self.root.path(dest))
        shutil.copytree(os.path.join(TESTPKI, "crl", "current"), self.root.path("/etc/cpslock/test-crl"))
        with open(os.path.join(TESTPKI, "policy-trust.toml")) as f:
            trust = f.read()
        self.root.write("/etc/cpslock/policy.d/50-install-test.toml",
                        '[pcsc]\nsocket = "/run/rig/run/pcscd.comm"\n'
                        '[trust]\nanchors_dir = "/etc/cpslock/test-anchors"\ncrl_dir = "/etc/cpslock/test-crl"\n%s\n'
                        '[accounts.holders]\n"810002813839" = "%s"\n' % (trust, USER))

    def insert_card(self, name):
        """cpslock-cardsim (package cpslock-testing, in the root) plays the test PKI's card in the rig's
        reader; returns once the installed `cpslock readers --watch` has seen it."""
        for part, sub in (("cards", ".der"), ("keys", ".p8.der")):
            os.makedirs(self.root.path("/tmp/card"), exist_ok=True)
            shutil.copy(os.path.join(TESTPKI, part, name + sub), self.root.path("/tmp/card"))
        watch = self.root.spawn("cpslock", "readers", "--watch", "--json",
                                env={"PCSCLITE_CSOCK_NAME": "/run/rig/run/pcscd.comm"})
        self.procs.append(watch)
        events = LineReader(watch.stdout)
        card = self.root.spawn("cpslock-cardsim", "--port", str(PORT), "--script", "-",
                               "--auth-cert", "/tmp/card/%s.der" % name, "--auth-key", "/tmp/card/%s.p8.der" % name,
                               "--pin", PIN, netns_of_rig=True)
        self.procs.append(card)
        card.stdin.write("insert cps3 %s\n" % manifest(name)["serial"])
        card.stdin.flush()
        self.assertTrue(LineReader(card.stdout).next(EVENT_TIMEOUT).startswith("inserted"))
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            event = json.loads(events.next(max(0.1, deadline - time.monotonic())))
            if event["event"] == "card-inserted" and event["serial"] == manifest(name)["serial"]:
                break
        return card

    def assert_documentation_installed(self):
        """Every unit's Documentation= names a man page or a file that the packages installed."""
        units = ["/lib/systemd/system/cpslockd.service", "/lib/systemd/system/cpslockd.socket",
                 "/lib/systemd/system/cpslock-crl-update.service", "/lib/systemd/system/cpslock-crl-update.timer",
                 "/usr/lib/systemd/user/cpslock-agent.service"]
        for unit in units:
            docs = [word for line in self.root.read(unit).splitlines() if line.startswith("Documentation=")
                    for word in line.split("=", 1)[1].split()]
            self.assertTrue(docs, unit)
            for doc in docs:
                if doc.startswith("man:"):
                    name, section = doc[4:].rstrip(")").split("(")
                    path = "/usr/share/man/man%s/%s.%s.gz" % (section, name, section)
                else:
                    self.assertTrue(doc.startswith("file://"), doc)
                    path = doc[len("file://"):]
                self.assertTrue(os.path.exists(self.root.path(path)), "%s: %s not installed" % (unit, doc))

    # -- the test --

    def test_install_card_login_password_fallback_remove_purge(self):
        self.root.run("useradd", "--create-home", USER)
        self.root.run("chpasswd", stdin="%s:%s\n" % (USER, PASSWORD))
        original = auth_lines(self.root.read("/etc/pam.d/common-auth"))
        self.assertIn(AUTH_OK, self.login(PASSWORD).stdout, "password login before installing")

        self.install()
        installed = self.root.run("dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n").stdout
        for package in ("cpslock", "libpam-cpslock", "cpslock-tray", "cpslock-testing", "pcscd", "opensc-pkcs11"):
            self.assertIn("%s installed" % package, installed)
        files = self.root.run("dpkg", "-L", "cpslock", "libpam-cpslock", "cpslock-tray", "cpslock-testing").stdout
        self.assertNotIn("/usr/local", files)
        self.assertRegex(files, r"/usr/lib/x86_64-linux-gnu/security/pam_cpslock.so")
        # Installing must not enable the profile (Default: no). What the dependencies' own profiles
        # add (none today) is "original" from here on.
        self.assertNotIn("pam_cpslock", self.root.read("/etc/pam.d/common-auth"))
        original = auth_lines(self.root.read("/etc/pam.d/common-auth"))
        # What the maintainer scripts set up: the system user, cpslockd's state folder, the units enabled.
        self.assertIn("_cpslock:", self.root.read("/etc/passwd"))
        state = os.stat(self.root.path("/var/lib/cpslock"))
        self.assertEqual(oct(state.st_mode & 0o777), "0o700")
        self.assertTrue(os.path.lexists(self.root.path("/etc/systemd/system/sockets.target.wants/cpslockd.socket")))
        self.assertTrue(os.path.lexists(
            self.root.path("/etc/systemd/user/graphical-session.target.wants/cpslock-agent.service")))
        self.assertTrue(os.path.lexists(self.root.path("/etc/systemd/system/timers.target.wants/cpslock-crl-update.timer")))
        # The packaged policy loads with the installed loader (warnings only: no CRL yet).
        self.root.run("cpslock", "check-policy")
        self.assertEqual(len([f for f in os.listdir(self.root.path("/usr/share/cpslock/igc-sante"))
                              if f.endswith(".cer")]), 9)

        self.assert_documentation_installed()

        self.root.run("pam-auth-update", "--enable", "cpslock")
        self.assertIn("pam_cpslock.so", self.root.read("/etc/pam.d/common-auth"))

        self.deploy_test_policy()
        self.root.run("cpslock", "check-policy")
        self.start_cpslockd()
        # No card in the reader: the documented fallback is the password (PAM_AUTHINFO_UNAVAIL, ignored).
        r = self.login(PASSWORD)
        self.assertIn(AUTH_OK, r.stdout, r)
        r = self.login("wrong-password")
        self.assertNotIn(AUTH_OK, r.stdout, r)
        # The doctor's card and PIN.
        card = self.insert_card(MAPPED_CARD)
        r = self.login(PIN)
        self.assertIn(AUTH_OK, r.stdout, "%s\n--- cpslockd:\n%s" % (r, self.daemon_audit()))
        self.assertIn("Code porteur", r.stdout + r.stderr)
        # A card in the reader with a wrong PIN refuses the login: no fallback to the password.
        r = self.login("00000000")
        self.assertNotIn(AUTH_OK, r.stdout, r)
        card.stdin.close()
        self.stop_processes()
        self.procs = []

        # Removing the PAM module takes it out of the stack; password logins still work.
        self.root.run("apt-get", "remove", "-y", "-q", "libpam-cpslock")
        self.assertEqual(auth_lines(self.root.read("/etc/pam.d/common-auth")), original)
        self.assertIn(AUTH_OK, self.login(PASSWORD).stdout, "password login after removing libpam-cpslock")
        self.root.run("apt-get", "purge", "-y", "-q", "libpam-cpslock", "cpslock", "cpslock-tray", "cpslock-testing")
        self.assertEqual(auth_lines(self.root.read("/etc/pam.d/common-auth")), original)
        self.assertIn(AUTH_OK, self.login(PASSWORD).stdout, "password login after purging")
        self.assertFalse(os.path.exists(self.root.path("/etc/cpslock/policy.toml")))
        self.assertFalse(os.path.exists(self.root.path("/var/lib/cpslock")))
        left = self.root.run("dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n").stdout
        self.assertNotRegex(left, r"cpslock")
        print("install test: %.0f s" % (time.monotonic() - self.started))


if __name__ == "__main__":
    unittest.main()
