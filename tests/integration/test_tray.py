# SPDX-License-Identifier: EUPL-1.2
"""cpslock-agent's tray end to end: Xvfb with a real tray host (Debian's trayer, XEmbed), the reader rig
(pcscd + vpcd + cpslock-cardsim), private D-Bus buses with dbusmock's logind (tests/integration/desktop.py).
The icon must appear in the tray and change with the card: what is checked is the X server's own
pixels of the embedded icon window, plus the agent's debug line naming the icon.

`TraySession` is also what scripts/tray-screenshot.sh drives. Every wait is on an event or polls a
condition with a deadline; nothing sleeps a fixed time."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from desktop import AgentProcess, Desktop, write_policy  # noqa: E402
from rig import BUILD_DIR, Cpslockd, LineReader, PolicyDir, Rig, card_files, card_serial, rig_policy_dropin  # noqa: E402
from test_pam import PIN, PamService  # noqa: E402

# The session binds only the card cpslockd verified for it: a real cpslockd, a real PAM verification.
AGENT = os.path.join(BUILD_DIR, "agent", "cpslock-agent")
SLOT0 = "Virtual PCD 00 00"
CPS = card_serial("valid-cps")
HOLDER_IDNAT = "810002813839"
TIMEOUT = 20.0

POLICY = """
[session]
idle_timeout = "0s"
require_card = false
# The verified card is inserted when a test wants it: waited for, not a no-card lock.
require_card_grace = "5m"
[service]
loss_grace = "1s"
[audit]
sink = "stderr"
"""

# Colours of agent/icons/*.svg (fill colours of large areas, so the 22-px rendering keeps them).
COLOURS = {
    "card-blue": (0x2B, 0x6C, 0xB0),
    "green": (0x2F, 0x85, 0x5A),
    "red": (0xC5, 0x30, 0x30),
    "slot-grey": (0x4A, 0x55, 0x68),
}


class TrayAgentProcess(AgentProcess):
    """AgentProcess (audit lines, expect...) running `cpslock-agent --tray` instead of --headless."""

    def __init__(self, agent, env, policy, extra=()):  # noqa: super().__init__ would start --headless
        # argv[0] "cpslock-agent" whatever the build: it names the X window class the tests look for.
        argv = ["cpslock-agent", "--tray", "--policy", policy] + list(extra)
        self.proc = subprocess.Popen(argv, executable=agent, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = LineReader(self.proc.stderr)
        self.lines = []
        self.audits = []


def wait_for(predicate, what, timeout=TIMEOUT, interval=0.05):
    """Polls `predicate` until it returns something true; the X server has no event for us to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %.0f s" % (what, timeout))
        time.sleep(interval)


class TraySession:
    """Rig + private desktop with Xvfb + trayer + cpslock-agent --tray."""

    def __init__(self, language="en"):
        self.language = language
        self.rig = None
        self.desktop = None
        self.agent = None
        self.card = None
        self._seen = 0
        self.dir = tempfile.mkdtemp(prefix="cpslock-tray-")
        self.daemon = None
        self.card_policy = None

    def start(self):
        try:
            self.rig = Rig().start()
            self.desktop = Desktop(x11=True).start()
            self.card_policy = PolicyDir('[accounts.holders]\n"%s" = "root"\n' % HOLDER_IDNAT)
            rig_policy_dropin(self.card_policy, self.rig.env)
            self.daemon = Cpslockd(policy=self.card_policy.path, env=self.env()).start()
            self._start_trayer()
            self._start_agent()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_trayer(self):
        log_path = os.path.join(self.dir, "trayer.log")
        with open(log_path, "w") as log:
            trayer = self.desktop._spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                                          "--height", "32", "--transparent", "false", "--SetDockType", "true"],
                                         stdout=log, stderr=log)

        def panel():
            if trayer.poll() is not None:
                with open(log_path) as f:
                    raise AssertionError("trayer exited with %s: %s" % (trayer.returncode, f.read()[-2000:]))
            return self.panel_geometry()
        try:
            wait_for(panel, "trayer's panel")
        except AssertionError as e:
            raise AssertionError("%s\nX windows:\n%s" % (e, self._tree()[-3000:]))

    def env(self):
        env = dict(self.rig.env)
        env.update(self.desktop.env)
        env.pop("LC_ALL", None)
        env.pop("LANGUAGE", None)
        env["LC_CTYPE"] = "C.UTF-8"
        env["LANG"] = "fr_FR.UTF-8" if self.language == "fr" else "en_GB.UTF-8"
        return env

    def _start_agent(self):
        policy_dir = os.path.join(self.dir, "policy")
        os.mkdir(policy_dir, 0o700)
        # The card policy (the test PKI's anchors, CRLs and pins: the tray reads the card's certificate)
        # and this test's session settings as a drop-in next to it.
        dropin = os.path.join(self.card_policy.dir, "policy.d", "20-tray.toml")
        with open(dropin, "w") as f:
            f.write(POLICY)
        os.chmod(dropin, 0o644)
        path = self.card_policy.path
        self.agent = TrayAgentProcess(AGENT, self.env(), path,
                                      extra=["--verbose", "--daemon-socket", self.daemon.socket])
        self.agent.expect("agent-started", lockers="logind")
        self.agent.expect("session-unlocked")

    def stop(self):
        if self.agent is not None and self.agent.proc.poll() is None:
            self.agent.stop()
        if self.daemon is not None:
            self.daemon.stop()
        if self.card_policy is not None:
            self.card_policy.remove()
        if self.desktop is not None:
            self.desktop.stop()
        if self.rig is not None:
            self.rig.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- X11 -------------------------------------------------------------------------------------

    def x(self, *argv, check=True):
        return subprocess.run(list(argv), env=self.env(), capture_output=True, text=True, timeout=TIMEOUT,
                              check=check).stdout

    def _tree(self):
        return self.x("xwininfo", "-root", "-tree")

    def panel_geometry(self):
        m = re.search(r'"panel": \("panel" "trayer"\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)', self._tree())
        return tuple(int(v) for v in m.groups()) if m else None

    def icon_geometry(self):
        """(w, h, x, y) of the agent's icon window embedded in trayer's panel, or None."""
        tree = self._tree()
        panel = tree.find('"panel": ("panel" "trayer")')
        if panel < 0:
            return None
        m = re.search(r'0x[0-9a-f]+ "cpslock-agent": \("cpslock-agent" "cpslock-agent"\)\s+(\d+)x(\d+)\+-?\d+\+-?\d+'
                      r'\s+\+(-?\d+)\+(-?\d+)', tree[panel:])
        if not m:
            return None
        w, h, x, y = (int(v) for v in m.groups())
        return (w, h, x, y) if w > 1 and h > 1 else None

    def pixels(self, geometry):
        """RGB tuples of a screen area, read from the X server by ImageMagick."""
        w, h, x, y = geometry
        out = self.x("import", "-window", "root", "-depth", "8", "-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage", "txt:-")
        return [tuple(int(v) for v in m.groups()[:3])
                for m in re.finditer(r"^\d+,\d+: \((\d+),(\d+),(\d+)", out, re.M)]

    def colours(self):
        """How many icon pixels are close to each of the icons' colours."""
        pixels = self.pixels(wait_for(self.icon_geometry, "the icon in the tray"))
        counts = {}
        for name, (r, g, b) in COLOURS.items():
            counts[name] = sum(1 for (pr, pg, pb) in pixels if abs(pr - r) < 24 and abs(pg - g) < 24 and abs(pb - b) < 24)
        return counts

    def visible_agent_windows(self):
        out = self.x("xdotool", "search", "--onlyvisible", "--class", "cpslock-agent", check=False)
        return set(out.split())

    def open_menu(self):
        """Left click on the icon; returns (w, h, x, y) of the menu that opened."""
        before = self.visible_agent_windows()
        w, h, x, y = wait_for(self.icon_geometry, "the icon in the tray")
        self.x("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        new = wait_for(lambda: self.visible_agent_windows() - before, "the menu window")
        best = None
        for wid in new:
            out = self.x("xwininfo", "-id", wid)
            g = [int(re.search(pattern, out).group(1)) for pattern in
                 (r"Width: (\d+)", r"Height: (\d+)", r"Absolute upper-left X:\s+(-?\d+)", r"Absolute upper-left Y:\s+(-?\d+)")]
            if best is None or g[0] * g[1] > best[0] * best[1]:
                best = tuple(g)
        return best

    def window_named(self, fragment):
        """The id of a visible window of the agent whose title contains `fragment` (ASCII)."""
        return wait_for(lambda: self.x("xdotool", "search", "--onlyvisible", "--name", fragment, check=False).split(),
                        "a window titled ...%s..." % fragment)[0]

    # ---- the agent -------------------------------------------------------------------------------

    def expect_icon(self, kind):
        """Waits for the agent to show this icon next (lines already read count: the first icon is set
        before the agent's start is audited)."""
        pattern = re.compile(r"tray: icon (\S+)$")
        deadline = time.monotonic() + TIMEOUT
        while True:
            while self._seen < len(self.agent.lines):
                m = pattern.search(self.agent.lines[self._seen])
                self._seen += 1
                if m and m.group(1) == kind:
                    return
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no icon %s; last lines:\n%s" % (kind, "\n".join(self.agent.lines[-15:])))
            self.agent.next_line(left)

    def insert_cps(self):
        """The doctor's card in slot 0, verified at the screen locker: lock, PIN through PAM → cpslockd,
        unlock. The agent then binds the session to it."""
        cert, key = card_files("valid-cps")
        self.card = self.rig.card(0, "--auth-cert", cert, "--auth-key", key, "--pin", PIN, "--pin-tries", "15")
        self.card.do("insert cps3 " + CPS, "inserted")
        self.agent.expect("card-inserted", reader=SLOT0, serial=CPS)
        self.desktop.gdbus("system", "org.freedesktop.login1", "/org/freedesktop/login1/session/c1",
                           "org.freedesktop.login1.Session.SetLockedHint", "true")
        self.agent.expect("session-locked")
        env = {k: v for k, v in self.env().items() if k != "OPENSC_CONF"}
        pam = PamService.only("socket=%s wait_card=10" % self.daemon.socket, env)
        try:
            r = pam.run(user="root")
        finally:
            pam.remove()
        if r.rc != 0:
            raise AssertionError("PAM verification failed: %r" % r)
        self.desktop.unlock()


class TrayEndToEndTest(unittest.TestCase):
    def setUp(self):
        # Not a skip: a missing tool is a missing install step, and CI must say so.
        for tool in ("trayer", "import", "xdotool"):
            self.assertTrue(shutil.which(tool), "%s missing (scripts/install-deps.sh)" % tool)
        self.s = TraySession("en").start()
        self.addCleanup(self.s.stop)

    def test_icon_appears_and_follows_the_card(self):
        s = self.s
        s.expect_icon("no-card")

        def embedded():
            # trayer's panel grows to the icon's size after the embedding: read both until they agree.
            icon, panel = s.icon_geometry(), s.panel_geometry()
            if not icon or not panel:
                return False
            w, h, x, y = icon
            pw, ph, px, py = panel
            return px <= x and x + w <= px + pw and py <= y and y + h <= py + ph
        wait_for(embedded, "the icon embedded in trayer's panel")
        no_card = s.colours()
        self.assertGreater(no_card["slot-grey"], 10, no_card)
        self.assertEqual(no_card["card-blue"], 0, no_card)

        s.insert_cps()
        s.expect_icon("card-present")
        present = wait_for(lambda: (lambda c: c if c["green"] > 10 else None)(s.colours()), "green check on the icon")
        # Issue 10: the tray's card details come from cpslockd; the agent never loads a PKCS#11 module.
        with open("/proc/%d/maps" % s.agent.proc.pid) as f:
            self.assertNotIn("pkcs11", f.read())
        self.assertGreater(present["card-blue"], 10, present)
        self.assertEqual(present["red"], 0, present)

        # Removing the session's card locks (logind mock → the desktop answers): padlock, no check.
        s.card.do("remove", "removed")
        s.agent.expect("lock", reason="card-removed")
        s.desktop.wait_locked_by_desktop()
        s.expect_icon("locked")
        # The removal first shows the empty slot, then the padlock: wait for the padlock's own colours
        # (the empty slot has no green either), which fails if the padlock never comes.
        locked = wait_for(lambda: (lambda c: c if c["green"] == 0 and c["card-blue"] > 10 else None)(s.colours()),
                          "the padlock")
        self.assertGreater(locked["card-blue"], 10, locked)

        s.desktop.unlock()
        s.agent.expect("session-unlocked")
        s.expect_icon("no-card")
        wait_for(lambda: s.colours()["slot-grey"] > 10, "the empty slot again")

        # pcscd gone: the agent can no longer see cards, the icon says so.
        s.rig.kill_pcscd("KILL")
        s.expect_icon("error")
        wait_for(lambda: s.colours()["red"] > 10, "the red cross")
        s.agent.stop()

    def test_menu_opens_from_the_icon(self):
        s = self.s
        s.expect_icon("no-card")
        mw, mh, mx, my = s.open_menu()
        self.assertGreater(mw, 100)
        self.assertGreater(mh, 60)  # four entries and a separator
        w, h, x, y = s.icon_geometry()
        self.assertGreaterEqual(my, y + h - 2, "the menu opens under the icon, leaving it visible")
        s.x("xdotool", "key", "Escape")
        s.agent.stop()

    def test_lost_card_from_the_menu_locks_blocks_audits_and_shows_contacts(self):
        s = self.s
        s.insert_cps()
        s.agent.expect("card-bound", serial=CPS)
        s.expect_icon("card-present")
        s.open_menu()
        s.x("xdotool", "key", "Down", "Down", "Return")  # the second entry: report a lost card
        confirm = s.window_named("Lost or stolen")
        self.assertEqual(s.desktop.lock_calls(), 0, "nothing happens before the confirmation")
        s.x("xdotool", "windowfocus", "--sync", confirm, check=False)
        s.x("xdotool", "key", "Return")
        s.agent.expect("lock", reason="lost-card")
        report = s.agent.expect("card-reported-lost", serial=CPS)
        self.assertTrue(report["report"].startswith("cpslockd"), report)
        # cpslockd has it: the card no longer opens this PC, starting with this session.
        self.assertIn("kind=card-reported-lost", s.daemon.audit_with("kind=card-reported-lost"))
        self.assertTrue(s.daemon.request("session-card session=c1").startswith("error no-card"))
        s.desktop.wait_locked_by_desktop()
        s.expect_icon("locked")
        s.window_named("what to do now")
        self.assertEqual(s.desktop.lock_calls(), 1)
        s.agent.stop()


if __name__ == "__main__":
    unittest.main()
