# SPDX-License-Identifier: EUPL-1.2
"""The journald message catalog (installer/journald/cpslock.catalog) as journalctl reads it: imported into
a private root with `journalctl --root DIR --update-catalog` (the machine's catalog is untouched), every
MESSAGE_ID of the code listed, French and English entries in the database."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from rig import SOURCE_DIR

CATALOG = os.path.join(SOURCE_DIR, "installer", "journald", "cpslock.catalog")


def code_message_ids():
    with open(os.path.join(SOURCE_DIR, "platform", "linux", "AuditSinks.cpp")) as f:
        return dict(re.findall(r'\{"([a-z-]+)", "([0-9a-f]{32})"\}', f.read()))


class CatalogTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="cpslock-catalog-")
        self.addCleanup(shutil.rmtree, self.root, True)
        catalog_dir = os.path.join(self.root, "usr", "lib", "systemd", "catalog")
        os.makedirs(catalog_dir)
        os.makedirs(os.path.join(self.root, "var", "lib", "systemd", "catalog"))
        shutil.copy(CATALOG, catalog_dir)

    def journalctl(self, *args):
        r = subprocess.run(["journalctl", "--root", self.root] + list(args), capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_journalctl_imports_an_entry_for_every_message_id(self):
        r = self.journalctl("--update-catalog")
        self.assertNotIn("Failed", r.stderr)
        database = os.path.join(self.root, "var", "lib", "systemd", "catalog", "database")
        self.assertTrue(os.path.getsize(database) > 0)
        listed = self.journalctl("--list-catalog").stdout
        ids = code_message_ids()
        self.assertGreaterEqual(len(ids), 38)
        for kind, message_id in ids.items():
            self.assertRegex(listed, r"(?m)^%s cpslock: \S" % message_id, kind)
            dump = self.journalctl("--dump-catalog", message_id).stdout
            self.assertIn("Defined-By: cpslock", dump, kind)
            self.assertIn("Documentation: ", dump, kind)
        # The French entries are in the database too (journalctl shows them under a French locale).
        with open(database, "rb") as f:
            data = f.read()
        self.assertIn("Session exemptée : pas de verrouillage automatique".encode(), data)
        self.assertIn("Agent cpslock démarré".encode(), data)

    def test_a_broken_catalog_is_not_silently_accepted(self):
        # Sentinel: journalctl does check what it imports (an entry header without a valid id).
        with open(os.path.join(self.root, "usr", "lib", "systemd", "catalog", "broken.catalog"), "w") as f:
            f.write("-- not-an-id\nSubject: x\n\nbody\n")
        r = subprocess.run(["journalctl", "--root", self.root, "--update-catalog"], capture_output=True, text=True,
                           timeout=60)
        self.assertTrue(r.returncode != 0 or "broken.catalog" in r.stderr, r.stderr)


if __name__ == "__main__":
    unittest.main()
