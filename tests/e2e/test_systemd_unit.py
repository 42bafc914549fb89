"""The systemd unit: `cmake --install` puts the binary, its service module, the unit, config and
watchlists in place; the installed binary runs the installed module; the
installed unit passes `systemd-analyze verify` (with the installed binary's path) and scores an
exposure of 2.0 or lower on the offline security review."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOURCE_DIR  # noqa: E402

BUILD_DIR = os.environ.get("NEWSWATCH_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="newswatch-install-")
        self.prefix = self.tmp.name
        # DESTDIR stages an install of the configured prefix and /etc paths under a temporary root.
        env = dict(os.environ, DESTDIR=self.prefix)
        subprocess.run(["cmake", "--install", BUILD_DIR], env=env, check=True, capture_output=True)
        units = [os.path.join(d, f) for d, _, files in os.walk(self.prefix) for f in files if f == "newswatchd.service"]
        self.assertEqual(1, len(units), units)
        self.unit_path = units[0]
        with open(self.unit_path) as f:
            self.unit = f.read()
        binary = re.search(r"^ExecStart=(\S+)", self.unit, re.M).group(1)
        self.installed_binary = self.prefix + binary
        self.assertTrue(os.access(self.installed_binary, os.X_OK), self.installed_binary)
        # verify and security read the unit where the binary's installed path (under DESTDIR) is real.
        self.checked = os.path.join(self.prefix, "newswatchd.service")
        with open(self.checked, "w") as f:
            f.write(self.unit.replace("ExecStart=" + binary, "ExecStart=" + self.installed_binary))

    def tearDown(self):
        self.tmp.cleanup()

    def test_install_puts_config_and_watchlists_in_place(self):
        config_dir = [d for d, _, files in os.walk(self.prefix) if "newswatch.yaml" in files]
        self.assertEqual(1, len(config_dir))
        self.assertTrue(os.path.exists(os.path.join(config_dir[0], "watchlists", "eastern-flank.yaml")))
        result = subprocess.run([self.installed_binary, "check-config", "--config",
                                 os.path.join(config_dir[0], "newswatch.yaml")], capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stderr)

    def test_the_installed_binary_runs_the_installed_service_module(self):
        # `run` is loaded from a module installed apart from the binary; a configuration with a problem
        # gets as far as the service's own check, which only the module can make.
        config = os.path.join(self.prefix, "broken.yaml")
        with open(config, "w") as f:
            f.write("feeds: 12\n")
        result = subprocess.run([self.installed_binary, "run", "--config", config], capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(1, result.returncode, result.stderr)
        self.assertNotIn("cannot load the service module", result.stderr)
        self.assertIn("not started: the configuration has", result.stderr)

    def test_unit_verifies_cleanly(self):
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", self.checked],
                                capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stderr)
        # Bad values only warn: any output at all is a defect in the unit.
        self.assertEqual("", result.stderr.strip())

    def test_exposure_is_at_most_2_0(self):
        result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20", self.checked],
                                capture_output=True, text=True)
        score = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
        self.assertIsNotNone(score, result.stdout + result.stderr)
        self.assertLessEqual(float(score.group(1)), 2.0, result.stdout)
        self.assertEqual(0, result.returncode, result.stdout[-2000:])

    def test_unit_declares_the_service_contract(self):
        for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "DynamicUser=yes",
                     "StateDirectory=newswatch", "ConfigurationDirectory=newswatch"):
            self.assertIn(line, self.unit)
        self.assertRegex(self.unit, r"WatchdogSec=\d+")
        self.assertRegex(self.unit, r"TimeoutStopSec=\d+")


if __name__ == "__main__":
    unittest.main(verbosity=2)
