# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures for integration tests on the real reader rig.

A private pcscd with the vsmartcard vpcd driver (tests/rig/pcsc-rig.sh), cards played by
cpslock-cardsim in scripted mode, and helpers to read `cpslock readers --watch --json`.
Every wait is on an event with a generous timeout: no fixed sleeps.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SOURCE_DIR = os.environ.get("CPSLOCK_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("CPSLOCK_BUILD_DIR", os.path.join(SOURCE_DIR, "build", "dev"))
RIG = os.path.join(SOURCE_DIR, "tests", "rig", "pcsc-rig.sh")
CPSLOCK = os.path.join(BUILD_DIR, "tools", "cli", "cpslock")
CARDSIM = os.path.join(BUILD_DIR, "tools", "cardsim", "cpslock-cardsim")
OPENSC_MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
PORT = 35963  # inside the rig's own network namespace: no clash with anything else
EVENT_TIMEOUT = 10.0


class LineReader:
    """Reads a process's stdout lines on a thread so tests can wait with a timeout."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream):
        try:
            for line in iter(stream.readline, ""):
                self.lines.put(line.rstrip("\n"))
        except (ValueError, OSError):
            pass  # the stream was closed under us by Rig.stop(): the process is gone anyway
        self.lines.put(None)

    def next(self, timeout=EVENT_TIMEOUT):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("nothing within %.1f s" % timeout)
        if line is None:
            raise AssertionError("the process ended")
        return line

    def drain(self):
        out = []
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return out
            if line is not None:
                out.append(line)


class Rig:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cpslock-rig-")
        # cpslockd's worker runs as an unprivileged user: it must reach pcscd's socket in here.
        os.chmod(self.dir, 0o755)
        self.env = dict(os.environ)
        self._procs = []

    def start(self):
        out = subprocess.run([RIG, "start", self.dir, str(PORT)], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("export "):
                key, value = line[len("export "):].split("=", 1)
                self.env[key] = value
        return self

    def kill_pcscd(self, sig="TERM"):
        subprocess.run([RIG, "kill", self.dir, sig], check=True)

    def restart_pcscd(self, reader_name=None):
        """Starts pcscd again. `reader_name`: the virtual readers come back under another name ("NAME 00
        00"), which is how a reader unplugged while pcscd was away looks to a client: pcscd 1.9.9 never
        drops a vpcd reader while it runs (no hot-unplug on this rig)."""
        if reader_name is not None:
            conf = os.path.join(self.dir, "conf", "vpcd")
            with open(conf) as f:
                lines = [('FRIENDLYNAME "%s"' % reader_name) if l.startswith("FRIENDLYNAME") else l
                         for l in f.read().splitlines()]
            with open(conf, "w") as f:
                f.write("\n".join(lines) + "\n")
        subprocess.run([RIG, "restart", self.dir], check=True)

    def stop(self):
        for p in self._procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            for stream in (p.stdin, p.stdout, p.stderr):
                if stream:
                    stream.close()
        subprocess.run([RIG, "stop", self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def spawn(self, argv, in_rig_netns=False, stdin=None):
        if in_rig_netns:
            argv = [RIG, "run", self.dir] + argv
        p = subprocess.Popen(argv, env=self.env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, bufsize=1)
        self._procs.append(p)
        return p

    def card(self, slot=0, *extra):
        """A scripted card in reader 'Virtual PCD 00 0<slot>'."""
        return Card(self.spawn([CARDSIM, "--port", str(PORT + slot), "--script", "-"] + list(extra),
                               in_rig_netns=True, stdin=subprocess.PIPE))

    def _readers(self):
        """A long-lived watcher that keeps what each reader holds (reader -> (serial, atr) or None)."""
        if getattr(self, "_tracker", None) is None:
            self._tracker = ReaderTracker(self.watch())
        return self._tracker

    def insert(self, slot, command, *extra):
        """Inserts a scripted card and returns once the reader monitor has seen *this* card (pcscd polls
        the virtual reader every 400 ms): callers can then rely on the card being there."""
        tracker = self._readers()
        card = self.card(slot, *extra)
        line = card.do(command, "inserted")
        said = dict(word.split("=", 1) for word in line.split()[2:] if "=" in word)
        reader = "Virtual PCD 00 0%d" % slot
        tracker.wait(lambda held: held.get(reader) is not None and
                     (held[reader][0] == said["serial"] if "serial" in said else held[reader][1] == said.get("atr")))
        return card

    def insert_default_cps(self, name="valid-cps", slot=0, pin="1234", key_of=None, *extra):
        """Inserts "the default CPS card": a CPS3 answering as an IAS-ECC CPx (profile cps3) with the test
        PKI's certificate and key of card `name` (`key_of`: another card's key, for mismatch tests) as its
        authentication and signature pairs, its EF.SN.ICC serial, PIN `pin`. OPENSC_CONF is dropped from
        self.env so that every program started with it reaches the card through OpenSC's *default*
        configuration (its iasecc driver), as on a clinic PC. Returns the scripted Card."""
        self.env.pop("OPENSC_CONF", None)
        cert, _ = card_files(name)
        _, key = card_files(key_of or name)
        return self.insert(slot, "insert cps3 %s" % card_serial(name), "--auth-cert", cert, "--auth-key", key,
                           "--pin", pin, *extra)

    def remove(self, card, slot=0):
        """Removes the card and returns once the reader monitor has seen the reader empty. A card
        inserted before that could be invisible: pcscd would see the reader full at both polls."""
        tracker = self._readers()
        card.do("remove", "removed")
        reader = "Virtual PCD 00 0%d" % slot
        tracker.wait(lambda held: held.get(reader) is None)

    def watch(self):
        return Watcher(self.spawn([CPSLOCK, "readers", "--watch", "--json"]))

    def cpslock(self, *args, timeout=30):
        return subprocess.run([CPSLOCK] + list(args), env=self.env, capture_output=True, text=True, timeout=timeout)

    def pcscd_log(self):
        with open(os.path.join(self.dir, "pcscd.log"), errors="replace") as f:
            return f.read()


class ReaderTracker:
    def __init__(self, watcher):
        self.watcher = watcher
        self.held = {}
        self.cond = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            while True:
                e = self.watcher.next(timeout=3600)
                with self.cond:
                    if e["event"] == "card-inserted":
                        self.held[e["reader"]] = (e["serial"], e["atr"])
                    elif e["event"] in ("card-removed", "reader-removed"):
                        self.held[e["reader"]] = None
                    elif e["event"] == "service-lost":
                        self.held = {}
                    self.cond.notify_all()
        except AssertionError:
            return  # the watcher ended with the rig

    def wait(self, predicate, timeout=EVENT_TIMEOUT):
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self.held), timeout):
                raise AssertionError("readers never reached the expected state: %s" % self.held)


class Card:
    def __init__(self, proc):
        self.proc = proc
        self.out = LineReader(proc.stdout)

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def do(self, command, expect_prefix):
        """Runs one script command and waits for the simulator's line that confirms it."""
        self.send(command)
        line = self.out.next()
        if not line.startswith(expect_prefix):
            raise AssertionError("%r answered %r, expected %r..." % (command, line, expect_prefix))
        return line

    def apdus(self):
        return int(self.do("stats", "stats ").split("apdus=")[1])

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        return self.proc.returncode


class Watcher:
    def __init__(self, proc):
        self.proc = proc
        self.out = LineReader(proc.stdout)

    def next(self, timeout=EVENT_TIMEOUT):
        line = self.out.next(timeout)
        try:
            return json.loads(line)
        except ValueError:
            raise AssertionError("not JSON: %r" % line)

    def expect(self, event, timeout=EVENT_TIMEOUT, **fields):
        e = self.next(timeout)
        assert e["event"] == event, "expected %s %s, got %s" % (event, fields, e)
        for k, v in fields.items():
            assert e[k] == v, "expected %s=%r in %s" % (k, v, e)
        return e

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


TESTPKI = os.environ.get("CPSLOCK_TESTPKI_DIR", os.path.join(BUILD_DIR, "testpki"))


def card_files(name):
    """(certificate DER, PKCS#8 key DER) of the test PKI's card `name` (tests/data/make-test-pki.sh)."""
    return os.path.join(TESTPKI, "cards", name + ".der"), os.path.join(TESTPKI, "keys", name + ".p8.der")


def card_manifest(name, pki=None):
    """The test PKI manifest's line for card `name`: serial (EF.SN.ICC digits) and cert sha256. `pki`:
    another test PKI folder than the build's (the packaging test makes its own)."""
    with open(os.path.join(pki or TESTPKI, "manifest.tsv")) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == name:
                return {"serial": fields[3], "sha256": fields[4]}
    raise KeyError(name)


def card_serial(name):
    return card_manifest(name)["serial"]


def test_pki_trust():
    """The [trust] lines that declare the test PKI: category 80 cards, issuers and roots pinned by the
    key identifiers of the test CAs (written by make-test-pki.sh)."""
    with open(os.path.join(TESTPKI, "policy-trust.toml")) as f:
        return f.read()


class PolicyDir:
    """A root-owned policy folder for the programs under test: anchors (test root + intermediate),
    the test PKI's current CRLs and deny-list, and whatever TOML the test adds."""

    def __init__(self, extra=""):
        self.dir = tempfile.mkdtemp(prefix="cpslock-policy-")
        os.chmod(self.dir, 0o755)
        self.anchors = os.path.join(self.dir, "anchors")
        os.mkdir(self.anchors)
        os.chmod(self.anchors, 0o755)
        shutil.copy(os.path.join(TESTPKI, "anchors", "root.der"), self.anchors)
        shutil.copy(os.path.join(TESTPKI, "intermediates", "intermediate.der"), self.anchors)
        # The other branches of the test PKI (STANDARD, ELEMENTAIRE), as the real bundle ships every
        # IGC-Santé CA: the policy's pinned issuers, not the anchors, decide which CAs issue cards.
        for sub in ("anchors", "intermediates"):
            for name in sorted(os.listdir(os.path.join(TESTPKI, sub))):
                if name.endswith(".der") and not os.path.exists(os.path.join(self.anchors, name)):
                    shutil.copy(os.path.join(TESTPKI, sub, name), self.anchors)
        self.path = os.path.join(self.dir, "policy.toml")
        self.write(extra)

    def write(self, extra="", crl_dir=None):
        """`crl_dir`: another CRL folder of the test PKI than "current" (e.g. "stale", "empty")."""
        with open(self.path, "w") as f:
            f.write('[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\n%s%s\n' % (
                self.anchors, os.path.join(TESTPKI, "crl", crl_dir or "current"), os.path.join(TESTPKI, "denylist.txt"),
                test_pki_trust(), extra))
        os.chmod(self.path, 0o644)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


CPSLOCKD = os.path.join(BUILD_DIR, "daemon", "cpslockd")
WORKER = os.path.join(BUILD_DIR, "daemon", "cpslockd-worker")
NOBODY = 65534


class Cpslockd:
    """cpslockd in the foreground on a private socket, as the rig runs pcscd: started as root, it drops
    to `nobody` once its socket is bound (as the service unit runs it as its own user). Its audit
    records (stderr lines) are kept in `audit_log`."""

    def __init__(self, policy=None, worker=WORKER, env=None, user="nobody"):
        self.dir = tempfile.mkdtemp(prefix="cpslockd-")
        os.chmod(self.dir, 0o755)
        self.state = os.path.join(self.dir, "state")
        os.mkdir(self.state)
        os.chown(self.state, NOBODY, NOBODY)
        self.socket = os.path.join(self.dir, "cpslockd.sock")
        self.audit_log = os.path.join(self.dir, "audit.log")
        self.argv = [CPSLOCKD, "--socket", self.socket, "--state-dir", self.state, "--worker", worker,
                     "--audit", "stderr"]
        if user:
            self.argv += ["--user", user]
        if policy:
            self.argv += ["--policy", policy]
        self.env = dict(env if env is not None else os.environ)
        self.proc = None

    def start(self, expect_ready=True):
        self._log = open(self.audit_log, "a")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=self._log, start_new_session=True)
        if expect_ready:
            deadline = time.monotonic() + EVENT_TIMEOUT
            while not self.ping():
                if self.proc.poll() is not None:
                    raise AssertionError("cpslockd exited %s: %s" % (self.proc.returncode, self.audit()))
                if time.monotonic() > deadline:
                    raise AssertionError("cpslockd did not answer: %s" % self.audit())
                time.sleep(0.02)
        return self

    def request(self, line, timeout=EVENT_TIMEOUT, as_uid=None):
        """One request line, its reply line. `as_uid` asks from another account (a child process)."""
        code = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.settimeout(%r)\ns.connect(%r)\n"
                "s.sendall(sys.argv[1].encode()+b'\\n')\nf=s.makefile()\nprint(f.readline(), end='')\n"
                % (timeout, self.socket))
        kwargs = {}
        if as_uid is not None:
            kwargs["user"] = as_uid
            kwargs["group"] = as_uid
            kwargs["extra_groups"] = []
        # The system's python: another account may not be able to run the one the tests run under.
        r = subprocess.run(["/usr/bin/python3", "-c", code, line], capture_output=True, text=True,
                           timeout=timeout + 5, **kwargs)
        return r.stdout.strip()

    def ping(self):
        try:
            return self.request("ping", timeout=1).startswith("done")
        except (subprocess.TimeoutExpired, OSError):
            return False

    def audit(self):
        with open(self.audit_log, errors="replace") as f:
            return f.read()

    def audit_with(self, text, timeout=10):
        """The audit log once it holds `text`. cpslockd writes a decision's record after it answered,
        so a client that just got its answer may read the log a moment too early."""
        deadline = time.monotonic() + timeout
        while text not in self.audit() and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.audit()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def rig_policy_dropin(policy_dir, rig_env, opensc_conf=None):
    """The card service of a rig, for cpslockd's worker: pcscd's socket and (PIV path) OpenSC's
    configuration, as a drop-in of PolicyDir (the worker takes neither from an environment)."""
    dropins = os.path.join(policy_dir.dir, "policy.d")
    os.makedirs(dropins, exist_ok=True)
    os.chmod(dropins, 0o755)
    path = os.path.join(dropins, "10-rig.toml")
    with open(path, "w") as f:
        f.write('[pcsc]\nsocket = "%s"\n' % rig_env["PCSCLITE_CSOCK_NAME"])
        if opensc_conf:
            f.write('[pkcs11]\nopensc_conf = "%s"\n' % opensc_conf)
    os.chmod(path, 0o644)
    return path
