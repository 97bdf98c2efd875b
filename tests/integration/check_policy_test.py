# SPDX-License-Identifier: EUPL-1.2
"""`cpslock check-policy` end to end: the real binary on real files (modes, owners, symlinks).

Runs as root (CI does): policy files must be root's and the tests chown some to 65534. Not root is a
failure, never a skip (ctest would count a skip as passed).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("CPSLOCK_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("CPSLOCK_BUILD_DIR", os.path.join(SOURCE_DIR, "build", "dev"))
CPSLOCK = os.path.join(BUILD_DIR, "tools", "cli", "cpslock")
IGC_SANTE = os.path.join(SOURCE_DIR, "installer", "trust", "igc-sante")
NOBODY = 65534


class CheckPolicyTest(unittest.TestCase):
    def setUp(self):
        # A skip would be counted as a pass by ctest (issue 10, test audit): without root these checks
        # cannot run (files must be root's, some are chowned to 65534), so the test fails and says why.
        if os.geteuid() != 0:
            self.fail("needs root: policy files must be owned by root and the tests chown to 65534 "
                      "(run ctest as root, as CI does)")
        self.dir = tempfile.mkdtemp(prefix="cpslock-check-policy-")
        os.chmod(self.dir, 0o755)
        self.main = os.path.join(self.dir, "policy.toml")
        self.dropins = os.path.join(self.dir, "policy.d")
        os.mkdir(self.dropins, 0o755)
        os.chmod(self.dropins, 0o755)
        # Paths the policies name, so that only what a test breaks is wrong.
        self.anchors = os.path.join(self.dir, "anchors")
        shutil.copytree(IGC_SANTE, self.anchors)
        os.chmod(self.anchors, 0o755)
        self.deny = self.write("denylist.txt", "# nothing denied yet\n")
        self.env = {k: v for k, v in os.environ.items() if k != "CPSLOCK_POLICY"}

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, content, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        os.chmod(path, mode)
        return path

    def trust(self):
        return '[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\n' % (self.anchors, self.anchors, self.deny)

    def run_check(self, *args, env=None):
        return subprocess.run([CPSLOCK, "check-policy", *args], capture_output=True, text=True, timeout=60,
                              env=self.env if env is None else env)

    def check(self, *extra):
        return self.run_check("--policy", self.main, *extra)

    def assert_refused(self, result, *expected_lines):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        for line in expected_lines:
            self.assertIn(line, lines)
        self.assertTrue(lines[-1].startswith("cpslock check-policy: "), lines)
        self.assertTrue(lines[-1].endswith("policy refused"), lines)
        return lines

    # --- valid ----------------------------------------------------------------------------

    def test_valid_policy_prints_every_value_with_its_source(self):
        self.write("policy.toml", self.trust() + '[session]\nidle_timeout = "5m"\n')
        self.write("policy.d/10-site.toml", '[session]\nidle_timeout = "3m"\n[pin]\nlast_try = "warn"\n')
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        site = os.path.join(self.dropins, "10-site.toml")
        self.assertIn("#   " + self.main, out)
        self.assertIn("#   " + site, out)
        self.assertRegex(r.stdout, r'session\.idle_timeout = "3m" +# %s:2:1\n' % site)
        self.assertRegex(r.stdout, r'pin\.last_try = "warn" +# %s:4:1\n' % site)
        self.assertRegex(r.stdout, r'trust\.anchors_dir = "%s" +# %s:2:1\n' % (self.anchors, self.main))
        self.assertRegex(r.stdout, r'session\.removal_action = "lock" +# default\n')
        self.assertNotIn("error", r.stderr)

    def test_json_when_valid(self):
        self.write("policy.toml", self.trust() + '[accounts.holders]\n"810002813839" = "dr.martin"\n')
        r = self.check("--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["valid"])
        self.assertEqual(doc["files"], [self.main])
        self.assertEqual(doc["policy"]["accounts.holders.810002813839"], "dr.martin")
        self.assertEqual(doc["policy"]["session.require_card"], True)
        self.assertEqual(doc["policy"]["cards.allowed_types"], ["CPS"])
        self.assertEqual(doc["sources"]["accounts.holders.810002813839"], self.main + ":6:1")
        self.assertEqual(doc["sources"]["session.idle_timeout"], "default")
        self.assertEqual(doc["errors"], [])

    def test_environment_names_the_file_and_the_option_wins(self):
        self.write("policy.toml", self.trust() + '[session]\nidle_timeout = "7m"\n')
        other = self.write("other.toml", self.trust() + '[session]\nidle_timeout = "9m"\n')
        env = dict(self.env, CPSLOCK_POLICY=self.main)
        r = self.run_check(env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('session.idle_timeout = "7m"', r.stdout)
        r = self.run_check("--policy", other, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('session.idle_timeout = "9m"', r.stdout)

    def test_policy_dir_option_and_ignored_files(self):
        self.write("policy.toml", self.trust())
        os.mkdir(os.path.join(self.dir, "site.d"), 0o755)
        self.write("site.d/20.toml", '[audit]\nsink = "stderr"\n')
        self.write("site.d/20.toml.dpkg-old", "garbage that is never read")
        r = self.check("--policy-dir", os.path.join(self.dir, "site.d"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('audit.sink = "stderr"', r.stdout)
        self.assertIn(os.path.join(self.dir, "site.d", "20.toml.dpkg-old") +
                      ": note: ignored: only *.toml files not starting with '.' are read", r.stderr.splitlines())

    def test_trust_anchors_are_listed(self):
        self.write("policy.toml", self.trust())
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("# trust anchors in %s:" % self.anchors, r.stdout)
        self.assertRegex(r.stdout, r"#   .*CN=AC RACINE IGC-SANTE FORT")

    # --- errors ---------------------------------------------------------------------------

    def test_bad_denylist_lines_make_the_policy_invalid(self):
        self.write("denylist.txt", "serial:992138450\nserial:12a4\ncard:1\n")
        self.write("policy.toml", self.trust())
        lines = self.assert_refused(self.check())
        errors = [l for l in lines if l.startswith(self.deny + ":")]
        self.assertEqual(len(errors), 2, lines)
        self.assertTrue(errors[0].startswith(self.deny + ":2: error: "), errors)
        self.assertTrue(errors[1].startswith(self.deny + ":3: error: "), errors)

    def test_a_stray_file_among_the_anchors_is_an_error(self):
        self.write("anchors/README", "not a certificate\n")
        self.write("policy.toml", self.trust())
        lines = self.assert_refused(self.check())
        self.assertTrue(any(l.startswith(self.main + ":2:1: error: 'trust.anchors_dir' = \"%s\": " % self.anchors)
                            and "README" in l for l in lines), lines)

    def test_an_empty_anchors_folder_is_an_error(self):
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty, 0o755)
        os.chmod(empty, 0o755)
        self.write("policy.toml", '[trust]\nanchors_dir = "%s"\ncrl_dir = "%s"\ndenylist = "%s"\n'
                   % (empty, self.anchors, self.deny))
        self.assert_refused(self.check(),
                            self.main + ":2:1: error: 'trust.anchors_dir' = \"%s\": no trust anchor (self-signed CA "
                                        "certificate) in this folder: every card would be refused" % empty)


    def test_every_error_of_every_file_with_file_line_column(self):
        self.write("policy.toml", self.trust() + '[session]\nidle_timout = "5m"\nremoval_action = "lokc"\n')
        self.write("policy.d/10-site.toml", '[session]\n    idle_timeout = 600\n[cards]\nallow_contactless = true\n')
        self.write("policy.d/20-holders.toml", '[accounts.holders]\n"81234" = "dr.x"\n')
        site = os.path.join(self.dropins, "10-site.toml")
        holders = os.path.join(self.dropins, "20-holders.toml")
        lines = self.assert_refused(
            self.check(),
            self.main + ":6:1: error: unknown key 'idle_timout' in [session] (did you mean 'idle_timeout'?)",
            self.main + ':7:18: error: invalid value \'lokc\' for \'session.removal_action\': expected one of "lock", '
                        '"logout", "none" (did you mean \'lock\'?)',
            site + ":2:20: error: wrong type for 'session.idle_timeout': expected a duration string, got the integer "
                   "600 (write e.g. \"600s\")",
            site + ":4:1: error: key 'cards.allow_contactless' not supported: a contactless CPS has no PIN, only a "
                   "technical key, and never unlocks a session",
            holders + ":2:1: error: invalid idNat '81234' in 'accounts.holders': '8' announces an RPPS number: 11 "
                      "digits (12 characters in all)")
        self.assertEqual(lines[-1], "cpslock check-policy: 5 errors: policy refused")

    def test_json_when_invalid(self):
        self.write("policy.toml", '[session]\nidle_timeout = "5 m"\n')
        r = self.check("--json")
        self.assertEqual(r.returncode, 2)
        doc = json.loads(r.stdout)
        self.assertFalse(doc["valid"])
        self.assertIsNone(doc["policy"])
        self.assertEqual(len(doc["errors"]), 1)
        e = doc["errors"][0]
        self.assertEqual((e["file"], e["line"], e["column"]), (self.main, 2, 16))
        self.assertIn("invalid duration '5 m'", e["message"])

    def test_insecure_modes_and_owners_are_refused(self):
        self.write("policy.toml", self.trust(), mode=0o664)
        theirs = self.write("policy.d/10-theirs.toml", "[pin]\nlast_try = \"warn\"\n")
        os.chown(theirs, NOBODY, NOBODY)
        self.assert_refused(
            self.check(),
            self.main + ": error: insecure file: writable by group (mode 0664); fix with chmod go-w",
            theirs + ": error: insecure file: owned by uid 65534, must be owned by root")

    def test_insecure_folders_are_refused(self):
        self.write("policy.toml", self.trust())
        os.chmod(self.dropins, 0o777)
        self.assert_refused(
            self.check(),
            self.dropins + ": error: insecure folder: writable by group and others (mode 0777); fix with chmod go-w")
        os.chmod(self.dropins, 0o755)
        os.chown(self.dir, NOBODY, NOBODY)
        self.assert_refused(self.check(),
                            self.dir + ": error: insecure folder: owned by uid 65534, must be owned by root")

    def test_symlinked_policy_file_is_refused(self):
        real = self.write("real.toml", self.trust())
        os.symlink(real, self.main)
        self.assert_refused(self.check(),
                            self.main + ": error: symbolic link refused (policy files must be regular files)")

    def test_named_paths_must_be_safe(self):
        os.chmod(self.anchors, 0o777)
        self.write("policy.toml", self.trust())
        self.assert_refused(self.check(),
                            self.main + ':2:1: error: \'trust.anchors_dir\' = "%s": insecure: writable by group and '
                                        'others (mode 0777); fix with chmod go-w' % self.anchors)

    def test_the_retired_lost_reports_drop_box_is_refused_with_its_reason(self):
        box = os.path.join(self.dir, "lost")
        os.mkdir(box)
        os.chmod(box, 0o1777)
        self.write("policy.toml", self.trust() + 'lost_reports_dir = "%s"\n' % box)
        r = self.check()
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("retired: lost-card reports are kept by cpslockd", r.stderr)

    def test_missing_named_file(self):
        self.assert_refused(self.check(), self.main + ": error: file does not exist")

    def test_bad_files_are_errors_never_crashes(self):
        cases = {
            "empty": (b"", "empty policy file"),
            "blank": (b"\n \n\t\n", "empty policy file"),
            "binary": (bytes(range(256)) * 4, "binary data (NUL byte at offset 0)"),
            "garbage": (b"\xff\xfe\x00\x01ELF\x7f" * 10, "binary data"),
            "not utf-8": (b"[session]\nidle_timeout = \"\xc3\x28\"\n", "syntax error"),
            "half-written": (b'[session]\nidle_timeout = "5m"\nremoval_action = "lo', "syntax error"),
            "huge": (b"# " + b"x" * (300 * 1024) + b"\n", "file too large"),
            "deep nesting": (b"a = " + b"[" * 5000 + b"\n", "syntax error"),
        }
        for name, (content, message) in cases.items():
            with self.subTest(name):
                self.write("policy.toml", content)
                r = self.check()
                self.assertEqual(r.returncode, 2, "%s: %s" % (name, r.stderr))
                self.assertIn(message, r.stderr)
                self.assertTrue(r.stderr.startswith(self.main), r.stderr)

    # --- usage ----------------------------------------------------------------------------

    def test_usage_errors_exit_2(self):
        for args in (["--bogus"], ["--policy"], ["--policy", "a", "--policy", "b"], ["--policy-dir"],
                     ["--policy="], ["extra"]):
            with self.subTest(args=args):
                r = self.run_check(*args)
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage: cpslock check-policy", r.stderr)
                self.assertEqual(r.stdout, "")

    def test_help_exits_0(self):
        r = self.run_check("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("Exit status: 0 valid policy, 2 invalid policy or usage error.", r.stdout)


if __name__ == "__main__":
    unittest.main()
