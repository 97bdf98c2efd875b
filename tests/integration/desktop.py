# SPDX-License-Identifier: EUPL-1.2
"""A private desktop for integration tests, demos and benchmarks: a system bus and a session bus
(dbus-daemon with our own config), python3-dbusmock's logind template with one session "c1", a small
"desktop" that answers logind's Lock signal by setting LockedHint (as a screen locker does), an
optional org.freedesktop.ScreenSaver mock and an optional Xvfb server. Also `AgentProcess`, which runs
cpslock-agent and reads its audit lines.

Nothing of the machine's own buses is touched; `stop()` leaves nothing running. dbusmock needs the
Debian python (/usr/bin/python3, python3-dbus, python3-gi): this module talks to the buses through
`gdbus` so that the tests themselves need only the standard library. Run as a script by
/usr/bin/python3 (`desktop.py respond ADDRESS`), it is the desktop responder.

Every wait is on an event (a bus name appearing, a line printed) with a generous timeout.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

SYSTEM_PYTHON = "/usr/bin/python3"
SESSION_ID = "c1"
SESSION_PATH = "/org/freedesktop/login1/session/" + SESSION_ID
LOGIND = "org.freedesktop.login1"
SESSION_IFACE = "org.freedesktop.login1.Session"
SCREENSAVER = "org.freedesktop.ScreenSaver"
SCREENSAVER_PATH = "/org/freedesktop/ScreenSaver"
MUTTER = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
EVENT_TIMEOUT = 20.0

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{type}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"""


def _lines(proc, timeout, what):
    """Reads one line from proc.stdout within timeout (a blocking readline guarded by select)."""
    import select
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise AssertionError("%s: nothing within %.1f s" % (what, timeout))
    line = proc.stdout.readline()
    if not line:
        raise AssertionError("%s: the process ended" % what)
    return line.rstrip("\n")


class Desktop:
    def __init__(self, logind=True, screensaver=False, x11=False, lock_stamp_file=None, answer_lock=True,
                 mutter_idle_ms=None):
        self.want_logind = logind
        self.want_screensaver = screensaver
        self.want_x11 = x11
        self.mutter_idle_ms = mutter_idle_ms
        self.answer_lock = answer_lock
        self.lock_stamp_file = lock_stamp_file
        self.dir = tempfile.mkdtemp(prefix="cpslock-desktop-")
        # cpslockd runs as an unprivileged user and asks logind on this system bus: it must reach it.
        os.chmod(self.dir, 0o755)
        self.env = {}
        self._procs = []
        self.responder = None
        self.logind_proc = None
        self.display = None
        self._xvfb_pipe = None

    # ---- start / stop ----------------------------------------------------------------------------

    def start(self):
        try:
            self.env["DBUS_SYSTEM_BUS_ADDRESS"] = self._bus("system")
            self.env["DBUS_SESSION_BUS_ADDRESS"] = self._bus("session")
            self.env["XDG_SESSION_ID"] = SESSION_ID
            if self.want_logind:
                self._start_logind()
            if self.want_screensaver:
                self._start_screensaver()
            if self.want_x11:
                self._start_xvfb()
            if self.mutter_idle_ms is not None:
                self._start_mutter()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for p in reversed(self._procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            for stream in (p.stdin, p.stdout, p.stderr):
                if stream:
                    stream.close()
        self._procs = []
        if self._xvfb_pipe is not None:
            os.close(self._xvfb_pipe)
            self._xvfb_pipe = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def _spawn(self, argv, **kw):
        env = dict(os.environ)
        env.update(self.env)
        env.update(kw.pop("env", {}))
        p = subprocess.Popen(argv, env=env, **kw)
        self._procs.append(p)
        return p

    def _bus(self, kind):
        socket = os.path.join(self.dir, kind + "_bus_socket")
        conf = os.path.join(self.dir, kind + ".conf")
        with open(conf, "w") as f:
            f.write(BUS_CONFIG.format(type=kind, socket=socket))
        p = self._spawn(["dbus-daemon", "--config-file=" + conf, "--nofork", "--print-address"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # The address is printed once the bus listens.
        return _lines(p, EVENT_TIMEOUT, "dbus-daemon " + kind)

    def gdbus(self, bus, dest, path, method, *args, check=True):
        r = subprocess.run(["gdbus", "call", "--" + bus, "-d", dest, "-o", path, "-m", method] + [str(a) for a in args],
                           env=dict(os.environ, **self.env), capture_output=True, text=True, timeout=EVENT_TIMEOUT)
        if check and r.returncode != 0:
            raise AssertionError("gdbus %s %s: %s" % (path, method, r.stderr.strip()))
        return r.stdout.strip()

    def _wait_name(self, bus, name):
        r = subprocess.run(["gdbus", "wait", "--" + bus, "--timeout", str(int(EVENT_TIMEOUT)), name],
                           env=dict(os.environ, **self.env), capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("%s did not appear on the %s bus: %s" % (name, bus, r.stderr.strip()))

    def _start_logind(self):
        self.logind_proc = self._spawn([SYSTEM_PYTHON, "-m", "dbusmock", "--system", "--template", "logind"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_name("system", LOGIND)
        mock = "org.freedesktop.DBus.Mock"
        self.gdbus("system", LOGIND, "/org/freedesktop/login1", mock + ".AddSession", SESSION_ID, "seat0", 0, "root",
                   "true")
        # Missing from the template: the agent's fallback when XDG_SESSION_ID is unset.
        self.gdbus("system", LOGIND, "/org/freedesktop/login1", mock + ".AddMethod", "org.freedesktop.login1.Manager",
                   "GetSessionByPID", "u", "o", 'ret = "%s"' % SESSION_PATH)
        if self.lock_stamp_file:
            # The benchmark's clock: CLOCK_MONOTONIC when the Lock call reaches the mock.
            code = ("import time\nwith open(%r, 'a') as f: f.write(str(time.monotonic_ns()) + chr(10))\n"
                    "self.EmitSignal('', 'Lock', '', [])" % self.lock_stamp_file)
            self.gdbus("system", LOGIND, SESSION_PATH, mock + ".AddMethod", SESSION_IFACE, "Lock", "", "", code)
        if self.answer_lock:
            self.responder = self._spawn([SYSTEM_PYTHON, os.path.abspath(__file__), "respond"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
            line = _lines(self.responder, EVENT_TIMEOUT, "desktop responder")
            assert line == "ready", line

    def stop_logind(self):
        """logind goes away (a restart, a crash): the mock and the desktop responder end."""
        for p in (self.responder, self.logind_proc):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
        self.responder = None
        self.logind_proc = None
        # Gone from the bus before returning: the caller's next step must not race the old owner.
        deadline = time.monotonic() + EVENT_TIMEOUT
        while self.name_has_owner("system", LOGIND):
            if time.monotonic() > deadline:
                raise AssertionError("logind did not leave the bus")
            time.sleep(0.05)

    def start_logind(self):
        """logind (back) on the bus with session c1 unlocked, and the desktop responder."""
        self._start_logind()

    def name_has_owner(self, bus, name):
        out = self.gdbus(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                         name)
        return "true" in out

    def set_session_state(self, state):
        """logind's State of session c1: "closing" while the user logs out."""
        self.gdbus("system", LOGIND, SESSION_PATH, "org.freedesktop.DBus.Mock.UpdateProperties", SESSION_IFACE,
                   "{'State': <'%s'>}" % state)

    def fail_first_locks(self, count):
        """Session.Lock fails `count` times (a desktop that refuses), then works as before."""
        code = ("if not hasattr(self, 'cpslock_refused'): self.cpslock_refused = 0\n"
                "self.cpslock_refused += 1\n"
                "if self.cpslock_refused <= %d:\n"
                "    raise dbus.exceptions.DBusException('refused', name='org.freedesktop.DBus.Error.Failed')\n"
                "self.EmitSignal('', 'Lock', '', [])" % count)
        self.gdbus("system", LOGIND, SESSION_PATH, "org.freedesktop.DBus.Mock.AddMethod", SESSION_IFACE, "Lock", "",
                   "", code)

    def _start_screensaver(self):
        self._spawn([SYSTEM_PYTHON, "-m", "dbusmock", SCREENSAVER, SCREENSAVER_PATH, SCREENSAVER],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_name("session", SCREENSAVER)
        mock = "org.freedesktop.DBus.Mock"
        self.gdbus("session", SCREENSAVER, SCREENSAVER_PATH, mock + ".AddProperty", SCREENSAVER, "Active", "<false>")
        self.gdbus("session", SCREENSAVER, SCREENSAVER_PATH, mock + ".AddMethod", SCREENSAVER, "GetActive", "", "b",
                   "ret = self.Get('%s', 'Active')" % SCREENSAVER)
        # Lock answers like a screensaver: active, and ActiveChanged(true).
        self.gdbus("session", SCREENSAVER, SCREENSAVER_PATH, mock + ".AddMethod", SCREENSAVER, "Lock", "", "",
                   "self.Set('%s', 'Active', True); self.EmitSignal('%s', 'ActiveChanged', 'b', [True])"
                   % (SCREENSAVER, SCREENSAVER))

    def _start_mutter(self):
        """GNOME's idle monitor: GetIdletime answers the time since the last input, which the test sets
        (set_mutter_idle) and which then grows with CLOCK_MONOTONIC, as gnome-shell's does."""
        self._spawn([SYSTEM_PYTHON, "-m", "dbusmock", MUTTER, MUTTER_PATH, MUTTER],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_name("session", MUTTER)
        self.gdbus("session", MUTTER, MUTTER_PATH, "org.freedesktop.DBus.Mock.AddProperty", MUTTER, "LastInputMs",
                   "<int64 0>")
        self.gdbus("session", MUTTER, MUTTER_PATH, "org.freedesktop.DBus.Mock.AddMethod", MUTTER, "GetIdletime", "",
                   "t", "import time\nret = max(0, time.monotonic_ns() // 1000000 - self.Get('%s', 'LastInputMs'))"
                   % MUTTER)
        self.set_mutter_idle(self.mutter_idle_ms)

    def set_mutter_idle(self, ms):
        """The session has been idle for `ms` now."""
        self.gdbus("session", MUTTER, MUTTER_PATH, "org.freedesktop.DBus.Properties.Set", MUTTER, "LastInputMs",
                   "<int64 %d>" % (time.monotonic_ns() // 1000000 - ms))

    def _start_xvfb(self):
        r, w = os.pipe()
        p = self._spawn(["Xvfb", "-displayfd", str(w), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
                        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        # Xvfb writes its display number when it accepts clients.
        import select
        ready, _, _ = select.select([r], [], [], EVENT_TIMEOUT)
        number = os.read(r, 32).decode().strip() if ready else ""
        # Kept open until stop(): Xvfb dies of SIGPIPE if it writes to a closed pipe later.
        self._xvfb_pipe = r
        if not number:
            raise AssertionError("Xvfb did not start (exit %s)" % p.poll())
        self.display = ":" + number
        self.env["DISPLAY"] = self.display

    # ---- the session as the tests see it ---------------------------------------------------------

    def calls(self, method, path=SESSION_PATH, bus="system", dest=LOGIND):
        """How many times `method` was called on the mock object (dbusmock's call log)."""
        out = self.gdbus(bus, dest, path, "org.freedesktop.DBus.Mock.GetCalls")
        return len(re.findall(r"'%s'" % re.escape(method), out))

    def lock_calls(self):
        return self.calls("Lock")

    def locked_hint(self):
        out = self.gdbus("system", LOGIND, SESSION_PATH, "org.freedesktop.DBus.Properties.Get", SESSION_IFACE,
                         "LockedHint")
        return "true" in out

    def wait_locked_by_desktop(self, timeout=EVENT_TIMEOUT):
        """Waits for the responder to report that it answered a Lock signal."""
        line = _lines(self.responder, timeout, "desktop responder")
        assert line == "locked", line

    def unlock(self):
        """What the screen locker does after a successful PAM conversation."""
        self.gdbus("system", LOGIND, SESSION_PATH, SESSION_IFACE + ".SetLockedHint", "false")

    def set_idle(self, idle, since_monotonic_us=0):
        self.gdbus("system", LOGIND, SESSION_PATH, "org.freedesktop.DBus.Mock.UpdateProperties", SESSION_IFACE,
                   "{'IdleHint': <%s>, 'IdleSinceHintMonotonic': <uint64 %d>}" % ("true" if idle else "false",
                                                                                 since_monotonic_us))

    def x11_input(self):
        """A real input event on the X server: resets its idle counter."""
        subprocess.run(["xdotool", "mousemove_relative", "--", "5", "5"], env=dict(os.environ, **self.env),
                       check=True, timeout=EVENT_TIMEOUT)


def parse_audit(line):
    """`cpslock-audit kind=lock reason=card-removed ...` → dict, or None for other lines."""
    if not line.startswith("cpslock-audit "):
        return None
    out = {}
    for token in shlex.split(line[len("cpslock-audit "):]):
        key, _, value = token.partition("=")
        out[key] = value
    return out


class AgentProcess:
    """cpslock-agent --headless with the rig's and the desktop's environment; reads stderr lines."""

    def __init__(self, agent, env, policy=None, extra=(), prefix=()):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from rig import LineReader
        argv = list(prefix) + [agent, "--headless"] + (["--policy", policy] if policy else []) + list(extra)
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = LineReader(self.proc.stderr)
        self.lines = []
        self.audits = []

    def next_line(self, timeout=EVENT_TIMEOUT):
        line = self.out.next(timeout)
        self.lines.append(line)
        a = parse_audit(line)
        if a is not None:
            self.audits.append(a)
        return line, a

    def expect(self, kind, timeout=EVENT_TIMEOUT, **fields):
        """Waits for the next audit record of this kind (others are kept in self.audits)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no audit %s %s within %.1f s; last lines:\n%s"
                                     % (kind, fields, timeout, "\n".join(self.lines[-15:])))
            try:
                _, a = self.next_line(left)
            except AssertionError as e:
                raise AssertionError("%s while waiting for audit %s %s; last lines:\n%s"
                                     % (e, kind, fields, "\n".join(self.lines[-15:])))
            if a is not None and a.get("kind") == kind and all(a.get(k) == v for k, v in fields.items()):
                return a

    def expect_line(self, pattern, timeout=EVENT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            line, _ = self.next_line(max(0.01, deadline - time.monotonic()))
            if re.search(pattern, line):
                return line

    def kinds(self):
        return [a["kind"] for a in self.audits]

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("cpslock-agent did not stop within %d s of SIGTERM" % timeout)
        # Keep what was printed up to the end.
        for line in self.out.drain():
            self.lines.append(line)
            a = parse_audit(line)
            if a is not None:
                self.audits.append(a)
        return self.proc.returncode


class PrivateJournal:
    """A real systemd-journald of our own: in a private mount namespace with its own /run (tmpfs), so
    /run/systemd/journal/socket there is ours and the machine's journal (if any) is untouched. Programs
    run inside it through `prefix()` (nsenter: no fork, the pid is the program's); `entries()` reads the
    journal back with journalctl. The rig's and the desktop's sockets live under /tmp: still reachable."""

    JOURNALD = "/lib/systemd/systemd-journald"

    def __init__(self):
        if not os.access(self.JOURNALD, os.X_OK):
            raise AssertionError("%s missing (package systemd)" % self.JOURNALD)
        script = ("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal /run/log/journal && "
                  "exec %s" % self.JOURNALD)
        self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket = "/proc/%d/root/run/systemd/journal/socket" % self.proc.pid
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not os.path.exists(socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("systemd-journald did not start in its namespace")
            time.sleep(0.05)

    def prefix(self):
        return ["nsenter", "--target", str(self.proc.pid), "--mount", "--"]

    def entries(self, **match):
        """Every journal entry (JSON objects), optionally only those whose fields equal `match`."""
        import json
        r = subprocess.run(self.prefix() + ["journalctl", "--directory", "/run/log/journal", "--output", "json",
                                            "--no-pager"], capture_output=True, text=True, timeout=EVENT_TIMEOUT)
        if r.returncode != 0:
            raise AssertionError("journalctl: " + r.stderr)
        out = []
        for line in r.stdout.splitlines():
            e = json.loads(line)
            if all(e.get(k) == v for k, v in match.items()):
                out.append(e)
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_policy(directory, text):
    """A policy file the loader accepts (root-owned, 0644, in a 0700 folder)."""
    path = os.path.join(directory, "policy.toml")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)
    return path


def _respond():
    """The desktop: answers logind's Lock signal on session c1 by setting LockedHint (system python)."""
    import dbus
    import dbus.mainloop.glib
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    session = dbus.Interface(bus.get_object(LOGIND, SESSION_PATH), SESSION_IFACE)

    def on_lock():
        session.SetLockedHint(True)
        print("locked", flush=True)

    bus.add_signal_receiver(on_lock, signal_name="Lock", dbus_interface=SESSION_IFACE, path=SESSION_PATH)
    print("ready", flush=True)
    GLib.MainLoop().run()


def _serve(argv):
    """For shell scripts (the demo): starts a desktop, prints `export VAR=value` lines and `ready`,
    and stops everything when standard input closes."""
    desktop = Desktop(x11="--x11" in argv).start()
    try:
        for key, value in sorted(desktop.env.items()):
            print("export %s=%s" % (key, shlex.quote(value)))
        print("ready", flush=True)
        sys.stdin.read()
    finally:
        desktop.stop()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "respond":
        _respond()
    elif len(sys.argv) >= 2 and sys.argv[1] == "serve":
        _serve(sys.argv[2:])
    else:
        sys.exit("usage: desktop.py serve [--x11] | respond")
