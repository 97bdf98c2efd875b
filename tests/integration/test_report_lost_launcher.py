# SPDX-License-Identifier: EUPL-1.2
"""The desktop launcher « Signaler la perte de ma carte CPS » (installer/desktop): on a desktop without
the tray it runs `cpslock report-lost` and shows the answer in a notification. Here: the configured
launcher script, the real `cpslock` CLI, a real cpslockd (or none), and python3-dbusmock's notification
daemon on a private session bus (no display: no zenity window, so the notification path is taken)."""
import os
import re
import subprocess
import tempfile
import unittest

from desktop import EVENT_TIMEOUT, SYSTEM_PYTHON, Desktop
from rig import BUILD_DIR, CPSLOCK, Cpslockd

LAUNCHER = os.path.join(BUILD_DIR, "installer", "cpslock-report-lost")
DESKTOP_FILE = os.path.join(BUILD_DIR, "installer", "cpslock-report-lost.desktop")
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
SERIAL = "2600301752"


class ReportLostLauncherTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.path.exists(LAUNCHER), "not built: %s" % LAUNCHER)
        self.desktop = Desktop(logind=False).start()
        self.addCleanup(self.desktop.stop)
        self.desktop._spawn([SYSTEM_PYTHON, "-m", "dbusmock", "--template", "notification_daemon"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.desktop._wait_name("session", NOTIFICATIONS)
        self.dir = tempfile.mkdtemp(prefix="cpslock-launcher-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])

    def cli(self, socket):
        """The launcher runs `cpslock report-lost` on the default socket; the test points it at its own
        cpslockd and names the card (there is no logind session here to take it from)."""
        path = os.path.join(self.dir, "cpslock")
        with open(path, "w") as f:
            f.write('#!/bin/sh\nexec %s "$@" --serial %s --daemon-socket %s\n' % (CPSLOCK, SERIAL, socket))
        os.chmod(path, 0o755)
        return path

    def launch(self, socket):
        env = {"PATH": "/usr/bin:/bin", "LANG": "fr_FR.UTF-8", "CPSLOCK_REPORT_LOST_CLI": self.cli(socket)}
        env.update(self.desktop.env)
        env.pop("XDG_SESSION_ID")  # no logind here: the card is named by serial
        return subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=EVENT_TIMEOUT)

    def notifications(self):
        out = self.desktop.gdbus("session", NOTIFICATIONS, NOTIFICATIONS_PATH, "org.freedesktop.DBus.Mock.GetCalls")
        return re.findall(r"'Notify', \[(.*?)\]\)", out)

    def test_report_reaches_cpslockd_and_the_doctor_sees_it(self):
        daemon = Cpslockd().start()
        self.addCleanup(daemon.stop)
        r = self.launch(daemon.socket)
        shown = self.notifications()
        self.assertEqual(r.returncode, 0, shown)
        self.assertEqual(len(shown), 1, shown)
        self.assertIn("Carte CPS bloquée / CPS card blocked", shown[0])
        self.assertIn("Carte %s bloquée sur ce poste" % SERIAL, shown[0])
        with open(os.path.join(daemon.state, "lost-reports")) as f:
            self.assertIn(SERIAL, f.read())

    def test_cpslockd_down_says_the_card_was_not_blocked(self):
        r = self.launch(os.path.join(self.dir, "absent.sock"))
        self.assertEqual(r.returncode, 1, r)
        shown = self.notifications()
        self.assertEqual(len(shown), 1, shown)
        self.assertIn("Carte CPS NON bloquée / CPS card NOT blocked", shown[0])
        self.assertIn("n'a PAS été bloquée", shown[0])
        self.assertIn("'urgency': <byte 0x02>", shown[0], "a failure is a critical notification (stays on screen)")

    def test_desktop_entry_names_the_launcher_in_french_and_english(self):
        with open(DESKTOP_FILE) as f:
            entry = f.read()
        self.assertIn("Name=Signaler la perte de ma carte CPS\n", entry)
        self.assertIn("Name[en]=Report my CPS card lost\n", entry)
        exec_line = [l for l in entry.splitlines() if l.startswith("Exec=")][0]
        self.assertTrue(exec_line.endswith("/cpslock/cpslock-report-lost"), exec_line)
        r = subprocess.run(["desktop-file-validate", DESKTOP_FILE], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
