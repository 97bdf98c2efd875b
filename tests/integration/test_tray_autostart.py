# SPDX-License-Identifier: EUPL-1.2
"""Runs at login, exactly once: the XDG autostart script defers to the systemd user unit when it is
enabled and runs the agent itself otherwise; the unit restarts the agent always; the autostart entry
is hidden from systemd's generator. Fake `systemctl` and `cpslock-agent` record what was run."""
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("CPSLOCK_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
INSTALLER = os.path.join(SOURCE_DIR, "installer")


def configure(path, values):
    with open(path) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace("@%s@" % key, value)
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, "unconfigured %s in %s" % (left, path)
    return text


def desktop_entry(text):
    entry = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entry[key.strip()] = value.strip()
    return entry


class AutostartTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cpslock-autostart-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.bin = os.path.join(self.dir, "bin")
        os.mkdir(self.bin)
        self.log = os.path.join(self.dir, "calls.log")
        fake = "#!/bin/sh\necho \"${0##*/} $*\" >> %s\n" % self.log
        self._script("systemctl", fake + 'case "$*" in *is-enabled*) exit "${FAKE_ENABLED_STATUS:-1}";; esac\nexit 0\n')
        self._script("cpslock-agent", fake)
        self.values = {"CMAKE_INSTALL_FULL_BINDIR": self.bin, "CMAKE_INSTALL_FULL_LIBEXECDIR": "/usr/libexec",
                       "CMAKE_INSTALL_FULL_DOCDIR": "/usr/share/doc/cpslock"}
        self.autostart = self._script("cpslock-agent-autostart",
                                      configure(os.path.join(INSTALLER, "autostart", "cpslock-agent-autostart.in"),
                                                self.values))

    def _script(self, name, text):
        path = os.path.join(self.bin, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def run_autostart(self, enabled):
        env = dict(os.environ, PATH=self.bin + ":/usr/bin:/bin", FAKE_ENABLED_STATUS="0" if enabled else "1",
                   DISPLAY=":5", XDG_SESSION_ID="c1")
        subprocess.run(["/bin/sh", self.autostart], env=env, check=True, timeout=30)
        with open(self.log) as f:
            return f.read().splitlines()

    def test_enabled_unit_is_started_and_the_agent_not_run_directly(self):
        calls = self.run_autostart(enabled=True)
        self.assertIn("systemctl --user -q is-enabled cpslock-agent.service", calls)
        self.assertTrue(any(c.startswith("systemctl --user import-environment DISPLAY") and "XDG_SESSION_ID" in c
                            for c in calls), calls)
        self.assertEqual(calls[-1], "systemctl --user start cpslock-agent.service")
        self.assertFalse(any(c.startswith("cpslock-agent") for c in calls), calls)

    def test_without_the_unit_the_agent_runs_with_the_tray(self):
        calls = self.run_autostart(enabled=False)
        self.assertEqual(calls[-1], "cpslock-agent --tray")
        self.assertFalse(any("start cpslock-agent.service" in c for c in calls), calls)

    def test_without_systemctl_the_agent_runs(self):
        os.remove(os.path.join(self.bin, "systemctl"))
        env = dict(os.environ, PATH=self.bin + ":/nonexistent")
        subprocess.run(["/bin/sh", self.autostart], env=env, check=True, timeout=30)
        with open(self.log) as f:
            self.assertEqual(f.read().splitlines(), ["cpslock-agent --tray"])

    def test_desktop_entry_is_skipped_by_the_systemd_generator_and_runs_the_script(self):
        entry = desktop_entry(configure(os.path.join(INSTALLER, "autostart", "cpslock-agent.desktop.in"), self.values))
        self.assertEqual(entry["Type"], "Application")
        self.assertEqual(entry["X-systemd-skip"], "true")
        self.assertEqual(entry["Exec"], "/usr/libexec/cpslock/cpslock-agent-autostart")
        self.assertEqual(entry.get("Hidden", "false"), "false")

    def test_unit_restarts_always_and_runs_the_tray(self):
        unit = configure(os.path.join(INSTALLER, "systemd", "cpslock-agent.service.in"), self.values)
        self.assertRegex(unit, r"(?m)^Restart=always$")
        self.assertRegex(unit, r"(?m)^StartLimitIntervalSec=0$")
        self.assertRegex(unit, r"(?m)^ExecStart=%s/cpslock-agent --tray$" % re.escape(self.bin))
        self.assertRegex(unit, r"(?m)^WantedBy=graphical-session.target$")
        if shutil.which("systemd-analyze"):
            path = os.path.join(self.dir, "cpslock-agent.service")
            with open(path, "w") as f:
                f.write(unit)
            # --man=no: the man pages Documentation= names are installed by the package, not here
            # (tests/packaging/test_install.py checks that every Documentation= target is installed).
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", path], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_cpslockd_state_is_its_own_and_the_old_drop_box_goes(self):
        # Issue 10: lost-card reports live in cpslockd's state, which no session user can write; the
        # world-writable drop-box of earlier versions is removed on upgrade.
        with open(os.path.join(INSTALLER, "systemd", "cpslock-tmpfiles.conf")) as f:
            lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
        self.assertEqual(lines, [["d", "/var/lib/cpslock", "0700", "_cpslock", "_cpslock", "-"],
                                 ["R", "/var/lib/cpslock/lost", "-", "-", "-", "-"]])


if __name__ == "__main__":
    unittest.main()
