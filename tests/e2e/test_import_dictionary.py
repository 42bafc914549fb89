"""newswatchd import-dictionary: TABARI/PETRARCH .actors files to a watchlist that the daemon loads.
Runs the real binary on the hand-made samples in tests/fixtures/dictionaries and on the PETRARCH
dictionaries in the shared folder."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import FIXTURES, NEWSWATCHD, SHARED_DIR

SAMPLES = os.path.join(FIXTURES, "dictionaries")
SAMPLE = os.path.join(SAMPLES, "sample.actors")
OTHER = os.path.join(SAMPLES, "other.actors")
PETRARCH = os.path.join(SHARED_DIR, "fixtures", "dictionaries", "petrarch2")


def run(*args, stdin=None):
    return subprocess.run([NEWSWATCHD, *args], input=stdin, capture_output=True, text=True, timeout=120)


class ImportDictionaryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.watchlist = os.path.join(self.tmp.name, "imported.yaml")

    def tearDown(self):
        self.tmp.cleanup()

    def import_samples(self):
        result = run("import-dictionary", SAMPLE, OTHER, "--output", self.watchlist)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(self.watchlist, encoding="utf-8") as f:
            return f.read(), result.stderr

    def match(self, line):
        result = run("match", "--watchlist", self.watchlist, stdin=line + "\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        return [(m["name"], m["term"]) for m in json.loads(result.stdout)["matches"]]

    def test_actors_aliases_codes_and_merges(self):
        text, _ = self.import_samples()
        self.assertIn('  - name: "ROMANIA"  # [ROU]\n', text)
        # Synonyms from both files, '_' as spaces, duplicates after normalisation dropped.
        self.assertIn('      - "ROMANIAN"\n      - "BUCHAREST"\n      - "BUCUREȘTI"\n      - "CONSTANTA"\n'
                      '      - "MIHAIL KOGALNICEANU AIR BASE"\n', text)
        self.assertNotIn('"BUCURESTI"', text)
        self.assertNotIn('"nato"', text)
        self.assertEqual(text.count('name: "ROMANIA"'), 1)
        self.assertEqual(text.count('"ROMANIAN"'), 1)
        # The first of several dated codes is the one kept; doubled '_' is one space; quotes escaped.
        self.assertIn('  - name: "NICOLAE CIUCA"  # [ROUMIL 150101-191104]\n', text)
        self.assertIn('  - name: "SHEIKH `ISA IBN SALMAN AL KHALIFAH"  # [BHRGOV]\n', text)
        self.assertIn('      - "\\"THE ALLIANCE\\""\n', text)
        # A discard ([---]) is not an actor.
        self.assertNotIn("INDIAN OCEAN", text)

    def test_invalid_terms_are_warnings_with_position(self):
        _, stderr = self.import_samples()
        self.assertIn(SAMPLE + ":10: skipped term '-': term is only separators (warning)", stderr)
        self.assertIn("5 actors, 14 terms, 1 skipped", stderr)

    def test_output_loads_and_matches(self):
        self.import_samples()
        hits = self.match("Troops near Bucuresti and Constanța, NATO says; Sofia calm")
        self.assertEqual(hits, [("ROMANIA", "BUCUREȘTI"), ("ROMANIA", "CONSTANTA"),
                                ("NORTH ATLANTIC TREATY ORGANIZATION", "NATO"), ("BULGARIA", "SOFIA")])
        # Whole words: TABARI's stem reading of "BUCHAREST" is not applied.
        self.assertEqual(self.match("Bucharesters"), [])

    def test_check_config_accepts_the_output(self):
        self.import_samples()
        config = os.path.join(self.tmp.name, "newswatch.yaml")
        with open(config, "w") as f:
            f.write("state_dir: state\nwatchlists: [imported.yaml]\nfeeds: [\"http://127.0.0.1:9/feed.xml\"]\n")
        result = run("check-config", "--config", config)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("1 watchlists, 14 terms", result.stdout)

    def test_standard_output_and_unreadable_file(self):
        result = run("import-dictionary", SAMPLE)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("# Imported by `newswatchd import-dictionary`"))
        missing = run("import-dictionary", os.path.join(self.tmp.name, "missing.actors"))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("missing.actors: cannot read the file", missing.stderr)

    @unittest.skipUnless(os.path.isdir(PETRARCH), "no shared PETRARCH dictionaries")
    def test_petrarch_dictionaries_import_and_load(self):
        files = [os.path.join(PETRARCH, "Phoenix.%s.actors.txt" % n) for n in ("Countries", "International", "MilNonState")]
        result = run("import-dictionary", *files, "--output", self.watchlist)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"import-dictionary: 2\d{4} actors, 3\d{4} terms")
        self.assertEqual(self.match("AFGHANISTAN and Kabul")[:2], [("AFGHANISTAN", "AFGHANISTAN"), ("AFGHANISTAN", "KABUL")])


if __name__ == "__main__":
    unittest.main()
