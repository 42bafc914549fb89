"""newswatchd's log lines end to end: sd-daemon "<N>" priorities and no timestamps when stderr is the
journal (JOURNAL_STREAM names the very file stderr is), readable timestamped lines elsewhere, the level
from the config (and from a reload), and one line per alert, per feed failure and per reload."""
import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_service import FILM, HIT, ServiceTestCase, rss, wait_for  # noqa: E402

TIMESTAMPED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} (trace|debug|info |warning|error|critical) \S")
LEADING_TIMESTAMP = re.compile(r"^(<\d>)?\d{4}-\d\d-\d\d[T ]\d\d:\d\d")  # messages may name a time later on
SD_PRIORITY = re.compile(r"^<([0-7])>\S")
MORE_HITS = [("hit-%d" % n, "Zeppelin number %d over the harbour" % n, "A zeppelin, the %dth today." % n)
             for n in (2, 3)]


class Logs(ServiceTestCase):
    def journal_stderr(self, name):
        """An opener for the daemon's stderr and the JOURNAL_STREAM value that says it is the journal."""
        path = os.path.join(self.workdir, name + ".log")
        log = open(path, "ab")
        self.addCleanup(log.close)
        st = os.fstat(log.fileno())
        return (lambda: log), "%d:%d" % (st.st_dev, st.st_ino)

    def failing_feeds(self):
        good = self.publish("news.rss", rss([("hit-1", *HIT), ("film-1", *FILM)]))
        return good, self.server.url("/status/500")

    def test_under_systemd_lines_carry_priorities_and_no_timestamps(self):
        good, failing = self.failing_feeds()
        opener, stream = self.journal_stderr("journal")
        daemon = self.service([good, failing], name="journal", stderr_opener=opener,
                              env={"JOURNAL_STREAM": stream}, poll_extra=", unhealthy_after: 1")
        wait_for(lambda: daemon.alerts(), what="the alert")
        daemon.wait_for_log(r"unhealthy after")
        self.assertEqual(0, daemon.stop()[0])
        lines = daemon.log().splitlines()
        self.assertGreater(len(lines), 4)
        for line in lines:
            self.assertRegex(line, SD_PRIORITY)
            self.assertNotRegex(line, LEADING_TIMESTAMP)
        priority = lambda fragment: [line[1] for line in lines if fragment in line]  # noqa: E731
        self.assertEqual(["6"], priority("newswatchd 0"))                      # info: started
        self.assertEqual(["6"], priority("alert "))                             # info: the alert
        self.assertIn("4", priority("feed %s: HTTP 500" % failing))             # warning: each failure
        self.assertEqual(["3"], priority("feed %s: unhealthy" % failing))       # error: unhealthy

    def test_elsewhere_lines_are_readable_with_timestamps(self):
        good, failing = self.failing_feeds()
        # JOURNAL_STREAM inherited from a unit but stderr redirected elsewhere: not the journal.
        _, other_stream = self.journal_stderr("unrelated")
        plain = self.service([good, failing], name="plain", state_dir="plain-state")
        redirected = self.service([good, failing], name="redirected", state_dir="redirected-state",
                                  env={"JOURNAL_STREAM": other_stream})
        for daemon in (plain, redirected):
            wait_for(lambda: daemon.alerts(), what="the alert")
            daemon.wait_for_log(r"feed %s: HTTP 500" % re.escape(failing))
            self.assertEqual(0, daemon.stop()[0])
            lines = daemon.log().splitlines()
            self.assertGreater(len(lines), 3)
            for line in lines:
                self.assertRegex(line, TIMESTAMPED)
            self.assertTrue(any(re.search(r" warning feed %s: HTTP 500" % re.escape(failing), line) for line in lines))
            self.assertTrue(any(" info  newswatchd " in line for line in lines))

    def test_the_level_is_configurable_and_a_reload_changes_it(self):
        good, failing = self.failing_feeds()
        debug = self.service([good, failing], name="debug", state_dir="debug-state", log_level="debug")
        quiet = self.service([good, failing], name="quiet", state_dir="quiet-state", log_level="warn")
        debug.wait_for_log(r" debug feed %s: 2 new articles" % re.escape(good))
        wait_for(lambda: quiet.alerts(), what="the quiet daemon's alert")
        quiet.wait_for_log(r" warning feed %s: HTTP 500" % re.escape(failing))
        self.assertNotIn(" info ", quiet.log())
        self.assertNotIn(" debug ", quiet.log())
        self.assertIn(" info  alert ", debug.log())

        with open(quiet.config) as f:
            text = f.read()
        self.assertIn("log: {level: warn}", text)
        quiet.rewrite_config(text.replace("log: {level: warn}", "log: {level: info}"))
        quiet.wait_for_log(r" info  reloaded: 2 feeds")
        self.assertNotIn(" debug ", quiet.log())
        self.assertEqual(0, debug.stop()[0])
        self.assertEqual(0, quiet.stop()[0])

    def test_one_line_per_alert_per_feed_failure_and_per_reload(self):
        good = self.publish("news.rss", rss([("hit-1", *HIT), ("film-1", *FILM)] + MORE_HITS))
        failing = self.server.url("/status/500")
        daemon = self.service([good, failing])
        wait_for(lambda: len(daemon.alerts()) == 3, what="three alerts")
        daemon.wait_for_log(r"feed %s: HTTP 500" % re.escape(failing))
        for n in (1, 2):
            daemon.process.send_signal(signal.SIGHUP)
            daemon.wait_for_log(r"reloaded: ", count=n)
        self.assertEqual(0, daemon.stop()[0])
        lines = daemon.log().splitlines()

        for alert in daemon.alerts():
            mentions = [line for line in lines if alert["alert_id"] in line]
            self.assertEqual(1, len(mentions), mentions)
            self.assertRegex(mentions[0], r' info  alert %s high feed="%s" title="%s"$' % (
                alert["alert_id"], re.escape(good), re.escape(alert["article"]["title"])))

        failures = [line for line in lines if ("feed %s: HTTP 500" % failing) in line]
        self.assertGreaterEqual(len(failures), 1)
        # Every request that failed was logged once; a request still in flight at SIGTERM is not.
        requested = self.polls(failing)
        self.assertIn(len(failures), (requested, requested - 1), failures)

        self.assertEqual(2, len([line for line in lines if "SIGHUP: reloading" in line]))
        self.assertEqual(2, len([line for line in lines if re.search(r" info  reloaded: 2 feeds", line)]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
