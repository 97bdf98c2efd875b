# SPDX-License-Identifier: EUPL-1.2
"""Every program prints the one version (CMake's project(VERSION), core/Version.h) and exits 0."""
import os
import re
import subprocess
import unittest

from rig import BUILD_DIR, SOURCE_DIR

PROGRAMS = {
    "cpslock": "tools/cli/cpslock",
    "cpslockd": "daemon/cpslockd",
    "cpslockd-worker": "daemon/cpslockd-worker",
    "cpslock-agent": "agent/cpslock-agent",
    "cpslock-agent-tray": "agent/cpslock-agent-tray",
    "cpslock-cardsim": "tools/cardsim/cpslock-cardsim",
    "cpslock-crl-update": "tools/cli/cpslock-crl-update",
}


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(cpslock VERSION ([0-9.]+)", f.read()).group(1)


class VersionTest(unittest.TestCase):
    def test_each_program_prints_the_project_version_and_exits_0(self):
        version = project_version()
        # No display, no D-Bus, no pcscd: --version needs none of them.
        env = {"PATH": "/usr/bin:/bin"}
        for name, path in PROGRAMS.items():
            with self.subTest(program=name):
                r = subprocess.run([os.path.join(BUILD_DIR, path), "--version"], env=env, capture_output=True,
                                   text=True, timeout=30)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout, "%s %s\n" % (name, version))

    def test_a_wrong_option_is_still_a_usage_error(self):
        # Sentinel: --version is not "any argument exits 0".
        for path in ("tools/cli/cpslock", "agent/cpslock-agent", "tools/cardsim/cpslock-cardsim"):
            r = subprocess.run([os.path.join(BUILD_DIR, path), "--no-such-option"], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 2, path)


if __name__ == "__main__":
    unittest.main()
