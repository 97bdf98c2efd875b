# SPDX-License-Identifier: EUPL-1.2
"""The one language rule (core/UiLanguage) in real programs: cpslock-agent's command-line errors and
what `cpslock` tells the doctor, under different locale environments (the PAM prompts: test_pam; the tray: TrayControllerTest)."""
import os
import subprocess
import unittest

from rig import BUILD_DIR, CPSLOCK

AGENT = os.path.join(BUILD_DIR, "agent", "cpslock-agent")
FRENCH = "--json ne va qu'avec --check"
ENGLISH = "--json goes with --check only"


class AgentCommandLineLanguageTest(unittest.TestCase):
    def error_for(self, **locale):
        env = {"PATH": "/usr/bin:/bin"}
        env.update(locale)
        r = subprocess.run([AGENT, "--headless", "--json"], env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("usage: cpslock-agent", r.stderr)
        return r.stderr

    def test_french_unless_the_locale_asks_for_english(self):
        cases = [
            ({}, FRENCH),
            ({"LANG": "fr_FR.UTF-8"}, FRENCH),
            ({"LANG": "en_US.UTF-8"}, ENGLISH),
            ({"LANG": "de_DE.UTF-8"}, FRENCH),
            ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, ENGLISH),
            ({"LANG": "en_US.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, FRENCH),
            ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "de:en"}, ENGLISH),
            ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr"}, FRENCH),
            ({"LANG": "C.UTF-8", "LANGUAGE": "en"}, FRENCH),  # LANGUAGE ignored under C (gettext)
            ({"LC_ALL": "POSIX", "LANGUAGE": "en"}, FRENCH),
        ]
        for locale, expected in cases:
            with self.subTest(**locale):
                stderr = self.error_for(**locale)
                self.assertIn(expected, stderr)
                self.assertNotIn(ENGLISH if expected == FRENCH else FRENCH, stderr)


class CommandLineLanguageTest(unittest.TestCase):
    """What `cpslock` says to the doctor (report-lost) follows the same rule, in one language."""

    def test_report_lost_speaks_the_locale_language_only(self):
        fr, en = "la carte n'a PAS été bloquée sur ce poste", "the card was NOT blocked on this PC"
        for locale, expected, other in (({}, fr, en), ({"LANG": "en_US.UTF-8"}, en, fr),
                                        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr"}, fr, en),
                                        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "en"}, en, fr)):
            with self.subTest(**locale):
                env = {"PATH": "/usr/bin:/bin"}
                env.update(locale)
                r = subprocess.run([CPSLOCK, "report-lost", "--serial", "1000000001", "--session", "c1",
                                    "--daemon-socket", "/nonexistent/cpslockd.sock"], env=env, capture_output=True,
                                   text=True, timeout=30)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(expected, r.stderr)
                self.assertNotIn(other, r.stderr)


if __name__ == "__main__":
    unittest.main()
