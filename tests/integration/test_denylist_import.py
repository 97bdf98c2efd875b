# SPDX-License-Identifier: EUPL-1.2
"""`cpslock denylist import FILE`: the ANS extract of CPS/CPF cards (CSV) into the deny-list. Columns
found by header name, separators, encodings, idempotence, counts, bad rows with their line, dry run,
atomic write, malformed files that write nothing; and the imported list refuses through the loader
exactly as a hand-written one (check-policy parses it)."""
import os
import shutil
import subprocess
import tempfile
import unittest

from rig import CPSLOCK

HEADER = ("Type de carte;Numéro carte;Identifiant national de la carte;Date début validité carte;"
          "Date fin validité carte;Date opposition carte;Date mise à jour carte;Nom d'exercice\n")


class DenylistImportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cpslock-denyimport-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.denylist = os.path.join(self.dir, "denylist.txt")
        with open(self.denylist, "w") as f:
            f.write("# local list\nserial:0000000042 2026-01-02 perdue, signalée par le Dr Martin\n")

    def csv(self, text, name="extract.csv", encoding="utf-8"):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(text.encode(encoding) if isinstance(text, str) else text)
        return path

    def run_import(self, *args):
        return subprocess.run([CPSLOCK, "denylist", "import", *args, "--denylist", self.denylist],
                              capture_output=True, text=True, timeout=60)

    def content(self):
        with open(self.denylist) as f:
            return f.read()

    def test_import_is_idempotent_and_counts(self):
        path = self.csv(HEADER +
                        "CPS;2600301752;8102;2024-01-01;2027-01-01;2026-03-04;2026-03-05;DUPONT\n"
                        "CPS;1000000042;8103;2024-01-01;2027-01-01;;2026-03-05;MARTIN\n"
                        "CPF;0000000042;8104;2024-01-01;2027-01-01;15/02/2026;2026-03-05;DURAND\n"
                        "CPS;2800636234;8105;2024-01-01;2027-01-01;20260410;2026-04-10;LEROY\n"
                        "CPS;2800636234;8105;2024-01-01;2027-01-01;2026-04-10 08:00:00;2026-04-10;LEROY\n")
        r = self.run_import(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 ajoutée(s) / added, 2 déjà présente(s) / already present, 1 non opposée(s) / not opposed, "
                      "0 ligne(s) illisible(s) / bad rows", r.stdout)
        self.assertIn("'Numéro carte' and 'Date opposition carte'", r.stdout)
        text = self.content()
        self.assertTrue(text.startswith("# local list\nserial:0000000042 2026-01-02 perdue"), text)
        self.assertIn("serial:2600301752 2026-03-04 opposition ANS\n", text)
        self.assertIn("serial:2800636234 2026-04-10 opposition ANS\n", text)
        self.assertNotIn("1000000042", text)
        # Twice: nothing changes, not even the file.
        inode = os.stat(self.denylist).st_ino
        r = self.run_import(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("0 ajoutée(s) / added, 4 déjà présente(s)", r.stdout)
        self.assertEqual(self.content(), text)
        self.assertEqual(os.stat(self.denylist).st_ino, inode)
        # The result is a deny-list the loader accepts (check-policy reads it as the agent does).
        policy = os.path.join(self.dir, "policy.toml")
        with open(policy, "w") as f:
            f.write('[trust]\ndenylist = "%s"\n' % self.denylist)
        r = subprocess.run([CPSLOCK, "check-policy", "--policy", policy], capture_output=True, text=True)
        self.assertNotIn(self.denylist + ":", r.stderr)

    def test_dry_run_writes_nothing(self):
        before = self.content()
        r = self.run_import(self.csv(HEADER + "CPS;2600301752;1;;;2026-03-04;;X\n"), "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[dry run] 1 ajoutée(s) / added", r.stdout)
        self.assertEqual(self.content(), before)
        self.assertEqual(sorted(os.listdir(self.dir)), ["denylist.txt", "extract.csv"])

    def test_separators_encodings_and_quotes(self):
        latin1 = ("Numéro carte|Date opposition carte\r\n2600301752|2026-03-04\r\n").encode("latin-1")
        r = self.run_import(self.csv(latin1))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("read as Latin-1", r.stdout)
        self.assertIn("serial:2600301752 2026-03-04", self.content())
        bom = "\ufeff\"N° carte\",\"Nom\",\"Date d'opposition\"\n\"2600301753\",\"DE LA \"\"TOUR\"\", Anne\",\"05/03/2026\",\n"
        r = self.run_import(self.csv(bom))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("serial:2600301753 2026-03-05", self.content())
        r = self.run_import(self.csv("numero_carte\tdate_opposition\n2600301754\t2026-03-06\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("serial:2600301754 2026-03-06", self.content())

    def test_bad_rows_are_reported_with_their_line(self):
        path = self.csv(HEADER +
                        "CPS;26003A1752;1;;;2026-03-04;;X\n"          # line 2: not digits
                        "CPS;2600301752;1;;;2026-02-30;;X\n"          # line 3: no such day
                        "CPS;2600301752;1\n"                          # line 4: cut row
                        "CPS;\"2600301752;1;;;2026-03-04;;X\n"        # line 5: unbalanced quote
                        "CPS;;1;;;2026-03-04;;X\n"                    # line 6: no card number
                        "CPS;123456789012345678901;1;;;2026-03-04;;X\n"  # line 7: too long
                        "CPS;2600301799;1;;;2026-03-04;;X;;\n")       # line 8: fine (trailing separators)
        before = self.content()
        r = self.run_import(path)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        for line, why in ((2, "card number '26003A1752'"), (3, "'2026-02-30' is not a date"), (4, "3 fields, the header has 8"),
                          (5, "unbalanced quotes"), (6, "without a card number"), (7, "not 1 to 20 digits")):
            self.assertIn("%s:%d: " % (path, line), r.stderr)
            self.assertIn(why, r.stderr)
        self.assertIn("1 ajoutée(s) / added", r.stdout)
        self.assertIn("6 ligne(s) illisible(s) / bad rows", r.stdout)
        self.assertEqual(self.content(), before + "# 1 opposed cards imported on %s from the ANS extract\n"
                         "serial:2600301799 2026-03-04 opposition ANS\n" % self.content().split("imported on ")[1][:10])

    def test_unusable_files_write_nothing(self):
        before = self.content()
        cases = {
            "no-columns": ("nom;prenom\nA;B\n", "no card number column"),
            "two-card-columns": ("Numéro carte;N° carte;Date opposition\n1;2;2026-01-01\n", "'Numéro carte', 'N° carte'"),
            "no-separator": ("just one column\n", "not a CSV header"),
            "empty": ("", "no header line"),
        }
        for name, (text, expected) in cases.items():
            r = self.run_import(self.csv(text, name + ".csv"))
            self.assertEqual(r.returncode, 2, name)
            self.assertIn(expected, r.stderr, name)
        r = self.run_import(os.path.join(self.dir, "missing.csv"))
        self.assertEqual(r.returncode, 2)
        os.symlink("/etc/passwd", os.path.join(self.dir, "link.csv"))
        r = self.run_import(os.path.join(self.dir, "link.csv"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("symbolic link", r.stderr)
        self.assertEqual(self.content(), before)
        # An invalid deny-list is never rewritten (an import would hide its errors).
        with open(self.denylist, "a") as f:
            f.write("card:123\n")
        broken = self.content()
        r = self.run_import(self.csv(HEADER + "CPS;2600301752;1;;;2026-03-04;;X\n"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(self.denylist + ":3: unknown entry kind 'card'", r.stderr)
        self.assertEqual(self.content(), broken)

    def test_missing_denylist_is_created(self):
        os.unlink(self.denylist)
        r = self.run_import(self.csv(HEADER + "CPS;2600301752;1;;;2026-03-04;;X\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("serial:2600301752 2026-03-04 opposition ANS", self.content())
        self.assertEqual(os.stat(self.denylist).st_mode & 0o777, 0o644)

    def test_usage(self):
        self.assertEqual(subprocess.run([CPSLOCK, "denylist"], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([CPSLOCK, "denylist", "export"], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([CPSLOCK, "denylist", "import"], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([CPSLOCK, "denylist", "import", "a", "b"], capture_output=True).returncode, 2)


if __name__ == "__main__":
    unittest.main()
