"""The command line as a user meets it: help with examples, the version, and unknown options or
commands refused with a hint at what was meant. Runs the real binary."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import NEWSWATCHD, SOURCE_DIR, read_fixture


def run(*args):
    return subprocess.run([NEWSWATCHD, *args], capture_output=True, text=True, timeout=60)


class CommandLine(unittest.TestCase):
    def test_help_lists_every_command_with_examples(self):
        result = run("--help")
        self.assertEqual(0, result.returncode)
        for command in ("run", "check-config", "parse", "match", "scan", "import-dictionary"):
            self.assertIn(command, result.stdout)
        self.assertIn("Examples:", result.stdout)
        self.assertIn("newswatchd scan --config", result.stdout)

    def test_version(self):
        result = run("--version")
        self.assertEqual(0, result.returncode)
        self.assertRegex(result.stdout, r"^newswatchd \d+\.\d+\.\d+")

    def test_run_without_its_service_module_says_where_it_looked(self):
        with tempfile.TemporaryDirectory() as directory:
            alone = os.path.join(directory, "newswatchd")
            shutil.copy(NEWSWATCHD, alone)
            result = subprocess.run([alone, "run", "--config", os.path.join(directory, "none.yaml")],
                                    capture_output=True, text=True, timeout=60)
        if "cannot load the service module" not in result.stderr:
            self.skipTest("a service module is installed on this machine: " + result.stderr[:200])
        self.assertEqual(1, result.returncode)
        self.assertIn(os.path.join(directory, "newswatchd-service.so") + ": not there", result.stderr)

    def test_run_refuses_a_service_module_from_another_build(self):
        # The pair as built runs (and stops at the missing config); the same module with one byte of
        # its GNU build ID changed stands for a module of another build of the same version.
        module = os.path.join(os.path.dirname(NEWSWATCHD), "newswatchd-service.so")
        recorded = os.path.join(os.path.dirname(NEWSWATCHD), "service_module_build_id.cpp")
        with open(recorded, encoding="utf-8") as f:
            if 'kServiceModuleBuildId[] = "";' in f.read():
                self.skipTest("built with -DNEWSWATCH_MODULE_BUILD_ID_CHECK=OFF (or without readelf)")
        with tempfile.TemporaryDirectory() as directory:
            binary = os.path.join(directory, "newswatchd")
            shutil.copy(NEWSWATCHD, binary)
            shutil.copy(module, directory)
            config = os.path.join(directory, "none.yaml")
            matching = subprocess.run([binary, "run", "--config", config],
                                      capture_output=True, text=True, timeout=60)
            self.assertNotIn("service module", matching.stderr)
            self.assertIn("none.yaml", matching.stderr)

            copy = os.path.join(directory, "newswatchd-service.so")
            with open(copy, "rb") as f:
                data = bytearray(f.read())
            note = re.search(rb"\x04\x00\x00\x00(.)\x00\x00\x00\x03\x00\x00\x00GNU\x00", data, re.DOTALL)
            self.assertIsNotNone(note, "the module has no GNU build ID note")
            data[note.end()] ^= 0xFF
            with open(copy, "wb") as f:
                f.write(data)
            other = subprocess.run([binary, "run", "--config", config],
                                   capture_output=True, text=True, timeout=60)
        self.assertEqual(1, other.returncode)
        self.assertIn(copy + ": from another build", other.stderr)
        self.assertIn("install both from the same build", other.stderr)
        self.assertNotIn("none.yaml:", other.stderr)

    def test_a_mistyped_option_is_an_error_with_a_hint(self):
        result = run("check-config", "--confg", "x.yaml")
        self.assertNotEqual(0, result.returncode)
        self.assertIn("--confg", result.stderr)
        self.assertIn("did you mean --config?", result.stderr)

    def test_a_mistyped_command_is_an_error_with_a_hint(self):
        result = run("chek-config")
        self.assertNotEqual(0, result.returncode)
        self.assertIn("did you mean check-config?", result.stderr)

    def test_nonsense_gets_an_error_but_no_invented_hint(self):
        result = run("--frobnicate-everything")
        self.assertNotEqual(0, result.returncode)
        self.assertIn("--frobnicate-everything", result.stderr)
        self.assertNotIn("did you mean", result.stderr)

    def test_config_without_a_command_means_run(self):
        # A config whose watchlist is missing: `run` refuses it at start-up, naming the file, exit 1.
        with tempfile.TemporaryDirectory() as folder:
            config = os.path.join(folder, "newswatch.yaml")
            with open(config, "w", encoding="utf-8") as f:
                f.write("state_dir: state\nwatchlists: [missing.yaml]\nfeeds: [http://127.0.0.1:9/a.xml]\n")
            result = run("--config", config)
            self.assertNotEqual(0, result.returncode)
            self.assertIn("missing.yaml", result.stderr)
            self.assertNotIn("not expected", result.stderr)

    def test_the_shipped_config_is_valid(self):
        result = run("check-config", "--config", os.path.join(SOURCE_DIR, "config", "newswatch.yaml"))
        self.assertEqual(0, result.returncode, result.stderr)

    def test_scan_names_each_file_by_its_normalised_absolute_path(self):
        # A scanned file's feed URL is what a configured file:// feed of it would be called, however
        # the path was written; files from several directories, in and out of order, each get their own.
        feed = read_fixture("feeds", "eastern-flank.rss")
        with tempfile.TemporaryDirectory() as folder:
            for directory in ("a", "b", os.path.join("b", "c")):
                os.makedirs(os.path.join(folder, directory), exist_ok=True)
            for name in ("top.rss", os.path.join("a", "one.rss"), os.path.join("b", "two.rss")):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(feed)
            with open(os.path.join(folder, "scan.yaml"), "w", encoding="utf-8") as f:
                f.write("state_dir: state\nwatchlists: [%s]\nfeeds: [http://127.0.0.1:9/a.xml]\n"
                        % os.path.join(SOURCE_DIR, "config", "watchlists", "eastern-flank.yaml"))
            written = {"top.rss": "top.rss", "a/one.rss": "a/one.rss", "b/c/../two.rss": "b/two.rss",
                       "./a//one.rss": "a/one.rss", os.path.join(folder, "b", ".", "two.rss"): "b/two.rss"}
            for path, expected in written.items():
                # One run a file: the same articles in two files are alerted once per run.
                result = subprocess.run([NEWSWATCHD, "scan", "--config", "scan.yaml", "top.rss", path],
                                        cwd=folder, capture_output=True, text=True, timeout=60)
                self.assertEqual(0, result.returncode, result.stderr)
                urls = {json.loads(line)["feed"]["url"] for line in result.stdout.splitlines()}
                if path == "top.rss":
                    self.assertEqual({"file://" + os.path.join(folder, "top.rss")}, urls)
                    continue
                # The first file's articles are alerted, the second's are the same articles: none.
                self.assertEqual({"file://" + os.path.join(folder, "top.rss")}, urls, path)
                result = subprocess.run([NEWSWATCHD, "scan", "--config", "scan.yaml", path, "missing.rss"],
                                        cwd=folder, capture_output=True, text=True, timeout=60)
                self.assertEqual(1, result.returncode)
                self.assertIn("missing.rss: cannot read the file", result.stderr)
                urls = {json.loads(line)["feed"]["url"] for line in result.stdout.splitlines()}
                self.assertEqual({"file://" + os.path.join(folder, expected)}, urls, path)

    def test_files_can_be_listed_in_a_file_or_on_standard_input(self):
        # Thousands of saved feeds do not fit a command line: `--files-from` reads their paths, one a
        # line (blank lines and CRs ignored), after the files named as arguments.
        feed = read_fixture("feeds", "eastern-flank.rss")
        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(os.path.join(folder, "saved"))
            with open(os.path.join(folder, "saved", "one.rss"), "wb") as f:
                f.write(feed)
            with open(os.path.join(folder, "saved", "two.rss"), "wb") as f:
                f.write(feed.replace(b"<link>", b"<link>https://second.example"))
            with open(os.path.join(folder, "list.txt"), "w") as f:
                f.write("saved/one.rss\r\n\n" + os.path.join(folder, "saved", "two.rss") + "\n")
            with open(os.path.join(folder, "scan.yaml"), "w", encoding="utf-8") as f:
                f.write("state_dir: state\nwatchlists: [%s]\nfeeds: [http://127.0.0.1:9/a.xml]\n"
                        % os.path.join(SOURCE_DIR, "config", "watchlists", "eastern-flank.yaml"))

            def scan(*args, stdin=None):
                return subprocess.run([NEWSWATCHD, "scan", "--config", "scan.yaml", *args], cwd=folder,
                                      input=stdin, capture_output=True, text=True, timeout=60)

            by_argument = scan("saved/one.rss", "saved/two.rss")
            self.assertEqual(0, by_argument.returncode, by_argument.stderr)
            self.assertGreater(len(by_argument.stdout.splitlines()), 1)
            by_list = scan("--files-from", "list.txt")
            self.assertEqual(0, by_list.returncode, by_list.stderr)
            urls = lambda out: [json.loads(line)["feed"]["url"] for line in out.splitlines()]
            self.assertEqual(urls(by_argument.stdout), urls(by_list.stdout))
            by_stdin = scan("--files-from", "-", stdin="saved/one.rss\nsaved/two.rss\n")
            self.assertEqual(urls(by_argument.stdout), urls(by_stdin.stdout))
            # Arguments first, then the list: the list's copy of one.rss is a repeat, not alerted again.
            both = scan("saved/one.rss", "--files-from", "list.txt")
            self.assertEqual(urls(by_argument.stdout), urls(both.stdout))
            parse = lambda *args: subprocess.run([NEWSWATCHD, "parse", *args], cwd=folder,
                                                 capture_output=True, text=True, timeout=60)
            parsed = parse("--files-from", "list.txt")
            self.assertEqual(0, parsed.returncode, parsed.stderr)
            self.assertEqual(parse("saved/one.rss", "saved/two.rss").stdout, parsed.stdout)

            missing = scan("--files-from", "nowhere.txt")
            self.assertEqual(1, missing.returncode)
            self.assertIn("--files-from nowhere.txt: cannot read the file", missing.stderr)
            nothing = scan()
            self.assertEqual(2, nothing.returncode)
            self.assertIn("no feed files", nothing.stderr)
            twice = scan("-", "--files-from", "-", stdin="")
            self.assertEqual(2, twice.returncode)
            self.assertIn("standard input cannot be both", twice.stderr)

    def test_match_answers_each_typed_line_before_the_next_arrives(self):
        # A user debugging a watchlist types sentences into `newswatchd match` and expects each answer
        # at once, while a piped file is written in blocks: the command flushes when input runs dry.
        watchlist = os.path.join(SOURCE_DIR, "config", "watchlists", "eastern-flank.yaml")
        with subprocess.Popen([NEWSWATCHD, "match", "--watchlist", watchlist], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) as process:
            process.stdin.write("NATO troops in Romania\n")
            process.stdin.flush()
            first = process.stdout.readline()  # would block until the timeout if the answer were held
            process.stdin.write("a film review\n")
            process.stdin.flush()
            second = process.stdout.readline()
            process.stdin.close()
            self.assertEqual(0, process.wait(timeout=30))
        self.assertIn('"line":1', first)
        self.assertIn('"name":"NATO"', first)
        self.assertEqual('{"line":2,"matches":[]}\n', second)


if __name__ == "__main__":
    unittest.main()
