"""newswatchd run end to end: real loopback HTTP servers, a real SQLite state folder, the JSON-lines
sink on stdout. Each test waits for what it expects with a deadline; none asserts on timing except the
10-second shutdown promise."""
import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import NEWSWATCHD, E2ETestCase, read_fixture, rss, wait_for  # noqa: E402

SEED_TITLE = "Russia demands NATO troops leave Romania and Bulgaria"
MOVEMENT = ("Moscow masses troops near the border", "Russia has moved two more battalions of troops towards "
            "the Ukrainian border, satellite images show.")
FILM = ("Film review: a quiet comedy", "The director's new comedy is a gentle story about a baker in Lyon.")


class DaemonJsonLines(E2ETestCase):
    def test_seed_alerts_once_across_polls_feeds_and_restarts(self):
        rss_url = self.publish("eastern-flank.rss", read_fixture("feeds", "eastern-flank.rss"))
        atom_url = self.publish("eastern-flank.atom", read_fixture("feeds", "eastern-flank.atom"))
        daemon = self.daemon([rss_url, atom_url])
        alerts = wait_for(lambda: daemon.alerts(), what="the seed alert")
        # Both feeds are polled several times; the same article in two feeds is one alert.
        wait_for(lambda: self.server.requests()["counts"].get("/files/eastern-flank.atom", 0) >= 3, what="3 polls")
        alerts = daemon.alerts()
        self.assertEqual(1, len(alerts), alerts)
        alert = alerts[0]
        self.assertEqual("high", alert["severity"])
        self.assertEqual(SEED_TITLE, alert["article"]["title"])
        for actor in ("Russia", "NATO", "Romania", "Bulgaria"):
            self.assertIn(actor, alert["actors"])
        self.assertIn("actor-troop-movement", alert["rules"])
        code, seconds = daemon.stop()
        self.assertEqual(0, code)
        self.assertLess(seconds, 10)

        # After a restart: the first request is conditional and nothing is alerted again.
        before = len(self.server.requests()["requests"])
        again = self.daemon([rss_url, atom_url], name="again")
        wait_for(lambda: len(self.server.requests()["requests"]) >= before + 4, what="polls after restart")
        first = [r for r in self.server.requests()["requests"][before:] if r["path"] == "/files/eastern-flank.rss"][0]
        self.assertIn("If-None-Match", first["headers"])
        self.assertEqual([], again.alerts())
        self.assertEqual(0, again.stop()[0])

    def test_a_new_item_alerts_on_the_next_poll_and_a_film_review_never(self):
        url = self.publish("world.rss", rss([("film-1", *FILM)]))
        daemon = self.daemon([url])
        wait_for(lambda: self.server.requests()["counts"].get("/files/world.rss", 0) >= 2, what="two polls")
        self.assertEqual([], daemon.alerts())
        self.publish("world.rss", rss([("film-1", *FILM), ("move-1", *MOVEMENT)]))
        alerts = wait_for(lambda: daemon.alerts(), what="the movement alert")
        self.assertEqual(1, len(alerts))
        self.assertEqual(MOVEMENT[0], alerts[0]["article"]["title"])
        self.assertIn(alerts[0]["severity"], ("medium", "high"))
        self.assertIn("alert " + alerts[0]["alert_id"], daemon.log())
        self.assertEqual(0, daemon.stop()[0])

    def test_hostile_feeds_leave_the_others_polled_and_memory_bounded(self):
        laughs = read_fixture("feeds", "hostile", "billion-laughs.xml")
        xxe = read_fixture("feeds", "hostile", "xxe.xml")
        good = self.publish("good.rss", rss([("film-1", *FILM)]))
        hostile = {
            "bomb": self.server.url("/bomb"),
            "drip": self.server.url("/drip?interval=2"),
            "endless": self.server.url("/endless"),
            "hang": self.server.url("/hang"),
            "500": self.server.url("/status/500"),
            "404": self.server.url("/status/404"),
            "410": self.server.url("/status/410"),
            "429": self.server.url("/status/429?retry_after=120"),
            "503": self.server.url("/status/503"),
            "html": self.server.url("/html"),
            "empty": self.server.url("/empty"),
            "loop": self.server.url("/loop/a"),
            "file": self.server.url("/redirect/302?to=file:///etc/passwd"),
            "huge": self.server.url("/huge?size=%d" % (40 << 20)),
            "laughs": self.publish("laughs.xml", laughs),
            "xxe": self.publish("xxe.xml", xxe),
        }
        daemon = self.daemon([good] + list(hostile.values()))
        wait_for(lambda: self.server.requests()["counts"].get("/files/good.rss", 0) >= 2, what="the good feed")
        # Every fault is one log line naming the feed.
        for name, url in hostile.items():
            if name in ("laughs", "xxe"):
                continue  # these parse to nothing harmful: no items, or no expansion
            wait_for(lambda: ("feed " + url + ":") in daemon.log(), timeout=40, what="a log line for " + name)
        # The good feed is still polled on time and its new alert arrives at once.
        self.publish("good.rss", rss([("film-1", *FILM), ("move-1", *MOVEMENT)]))
        good_alerts = lambda: [a for a in daemon.alerts() if a["feed"]["url"] == good]
        alerts = wait_for(good_alerts, what="the good feed's alert")
        self.assertEqual(MOVEMENT[0], alerts[0]["article"]["title"])
        # Entities are never expanded: the XXE and billion-laughs items come through as written.
        for alert in daemon.alerts():
            self.assertLess(len(alert["article"]["title"]), 200)
        self.assertTrue(daemon.running())
        self.assertLess(daemon.peak_rss_kib(), 200 * 1024, "peak RSS")
        log = daemon.log()
        self.assertNotIn("root:x:0", log)  # the XXE target was never read
        self.assertNotIn("root:x:0", "".join(str(a) for a in daemon.alerts()))
        code, seconds = daemon.stop()
        self.assertEqual(0, code)
        self.assertLess(seconds, 10)

    def test_sigint_stops_within_10_seconds_while_transfers_hang(self):
        daemon = self.daemon([self.server.url("/hang"), self.server.url("/drip?interval=2")])
        wait_for(lambda: self.server.requests()["counts"].get("/hang", 0) >= 1, what="a hanging transfer")
        code, seconds = daemon.stop(signal.SIGINT)
        self.assertEqual(0, code)
        self.assertLess(seconds, 10)

    def test_scan_writes_the_alerts_the_daemon_publishes(self):
        content = read_fixture("feeds", "eastern-flank.rss")
        url = self.publish("eastern-flank.rss", content)
        daemon = self.daemon([url])
        alerts = wait_for(lambda: daemon.alerts(), what="the daemon's alert")
        daemon.stop()
        path = os.path.join(self.workdir, "saved.rss")
        with open(path, "wb") as f:
            f.write(content)
        scanned = subprocess.run([NEWSWATCHD, "scan", "--config", daemon.config, "--feed-url", url, path],
                                 capture_output=True, text=True, check=True)
        import json
        from_scan = [json.loads(line) for line in scanned.stdout.splitlines()]
        for alert in alerts + from_scan:
            alert.pop("detected_at")
        self.assertEqual(alerts, from_scan)


if __name__ == "__main__":
    unittest.main(verbosity=2)
