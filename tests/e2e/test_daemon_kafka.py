"""newswatchd with the Kafka sink, end to end: a real broker (scripts/kafka), a real consumer (kcat), the real
daemon. What a consumer reads (value, key, headers); and that no alert is lost when the broker goes away
during a run, when the daemon is killed with SIGKILL just after new items appear, when it is restarted
during an outage, or when the outbox reaches its bound. Alerts are compared as sets of alert ids: a
duplicate is allowed (at-least-once) only with the same id. Every wait has a deadline; nothing asserts on
timing except the 10-second shutdown promise."""
import hashlib
import json
import os
import re
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import wait_for  # noqa: E402
from kafka_support import PrivateKafka, SharedKafka, consume, missing_tools, unique_topic  # noqa: E402
from test_service import ServiceTestCase, parse_metrics, rss, sample  # noqa: E402

SKIP = missing_tools()
ALERT_LINE = re.compile(r"\balert ([0-9a-f]{64}) ")
FILM = ("Film review: a quiet comedy", "The director's new comedy is a gentle story about a baker in Lyon.")


def hit(n):
    """An item the test watchlist (term: zeppelin) alerts on."""
    return ("hit-%d" % n, "Zeppelin number %d over the harbour" % n, "A zeppelin was seen, the %dth today." % n)


def alert_id(guid):
    """What the daemon must use as key and ce_id: the hex SHA-256 of the article identity, which for these
    items is their (already normalised) link."""
    return hashlib.sha256(("https://news.example.org/%s" % guid).encode()).hexdigest()


class KafkaTestCase(ServiceTestCase):
    brokers = None

    def kafka_daemon(self, feeds, topic, name="daemon", extra_sink="", **kwargs):
        sink = '{type: kafka, brokers: "%s", topic: %s%s}' % (self.brokers, topic, extra_sink)
        return self.service(feeds, name=name, sink=sink, **kwargs)

    def state_file(self):
        return os.path.join(self.workdir, "state", "newswatch.db")

    def outbox(self):
        """alert ids in the outbox, read with SQLite itself (the daemon may be running: WAL allows it)."""
        if not os.path.exists(self.state_file()):
            return []
        with sqlite3.connect("file:%s?mode=ro" % self.state_file(), uri=True, timeout=10) as db:
            return [row[0] for row in db.execute("SELECT alert_id FROM outbox ORDER BY id")]

    def delivered(self, topic):
        return [record["key"] for record in consume(self.brokers, topic)]

    def wait_delivered(self, topic, ids, timeout=90):
        """Waits until the topic holds exactly the alert ids `ids` (as a set) and returns its keys."""
        want = set(ids)
        keys = wait_for(lambda: (lambda k: k if set(k) >= want else None)(self.delivered(topic)), timeout=timeout,
                        what="alerts %s on %s" % (sorted(want), topic))
        self.assertEqual(want, set(keys), "only the expected alerts, duplicates only with the same id")
        return keys

    @staticmethod
    def logged_alerts(daemon):
        return {match.group(1) for match in ALERT_LINE.finditer(daemon.log())}


@unittest.skipIf(SKIP, SKIP)
class KafkaRecords(KafkaTestCase):
    """On the shared broker (one topic per test): the daemon is killed, never the broker."""

    @classmethod
    def setUpClass(cls):
        cls.kafka_tmp = tempfile.TemporaryDirectory(prefix="newswatch-kafka-")
        cls.kafka = SharedKafka(cls.kafka_tmp.name)
        cls.brokers = cls.kafka.brokers

    @classmethod
    def tearDownClass(cls):
        cls.kafka.stop()
        cls.kafka_tmp.cleanup()

    def test_records_carry_the_alert_json_the_key_and_the_documented_headers(self):
        topic = unique_topic("records")
        url = self.publish("news.rss", rss([hit(1), ("film-1", *FILM), hit(2)]))
        daemon = self.kafka_daemon([url], topic)
        wait_for(lambda: len(consume(self.brokers, topic)) >= 2, timeout=90, what="two records")
        records = consume(self.brokers, topic)
        self.assertEqual({alert_id("hit-1"), alert_id("hit-2")}, {r["key"] for r in records})
        self.assertEqual(self.logged_alerts(daemon), {r["key"] for r in records})
        for record in records:
            alert = json.loads(record["payload"])
            self.assertEqual(record["key"], alert["alert_id"])
            self.assertEqual("newswatch.alert.v1", alert["schema"])
            self.assertEqual(url, alert["feed"]["url"])
            self.assertIn(alert["article"]["title"], (hit(1)[1], hit(2)[1]))
            self.assertNotIn("\n", record["payload"], "the value is the compact, one-line alert JSON")
            self.assertEqual({
                "content-type": "application/json",
                "newswatch-schema": "newswatch.alert.v1",
                "newswatch-severity": alert["severity"],
                "ce_specversion": "1.0",
                "ce_id": alert["alert_id"],
                "ce_type": "org.newswatch.alert.v1",
                "ce_source": url,
                "ce_time": alert["detected_at"],
            }, record["headers"])
            self.assertEqual("high", alert["severity"])
        self.assertEqual(0, daemon.stop()[0])
        self.assertEqual([], self.outbox())

    def test_sigkill_just_after_new_items_appear_loses_no_alert(self):
        topic = unique_topic("sigkill")
        url = self.publish("news.rss", rss([hit(1)]))
        daemon = self.kafka_daemon([url], topic)
        self.wait_delivered(topic, [alert_id("hit-1")])

        items = [hit(n) for n in range(1, 9)]
        self.publish("news.rss", rss(items))
        # Killed as soon as the first new alert is logged: its batch is committed, little is acknowledged.
        wait_for(lambda: len(self.logged_alerts(daemon)) >= 2, what="a new alert in the log")
        daemon.process.kill()
        daemon.process.wait()
        left = self.outbox()

        again = self.kafka_daemon([url], topic, name="again")
        expected = [alert_id(guid) for guid, _, _ in items]
        keys = self.wait_delivered(topic, expected)
        wait_for(lambda: self.outbox() == [], what="the outbox to empty")
        if left:
            again.wait_for_log(r"outbox holds %d undelivered alerts from before" % len(left))
        # The killed daemon may not have logged all of its batch; the new one created nothing: it replayed.
        self.assertLessEqual(self.logged_alerts(daemon), set(expected))
        self.assertEqual(set(), self.logged_alerts(again))
        self.assertGreaterEqual(len(keys), len(expected))
        self.assertEqual(0, again.stop()[0])


@unittest.skipIf(SKIP, SKIP)
class KafkaOutages(KafkaTestCase):
    """On a private broker that the tests stop and start; each test leaves it running."""

    @classmethod
    def setUpClass(cls):
        cls.kafka_tmp = tempfile.TemporaryDirectory(prefix="newswatch-kafka-")
        cls.kafka = PrivateKafka(cls.kafka_tmp.name)
        cls.kafka.start()
        cls.brokers = cls.kafka.brokers

    @classmethod
    def tearDownClass(cls):
        try:
            cls.kafka.stop()  # before its folder goes, whatever happened
        finally:
            cls.kafka_tmp.cleanup()

    def tearDown(self):
        try:
            if not self.kafka.started:
                self.kafka.start()
        finally:
            super().tearDown()

    def test_a_broker_outage_during_a_run_loses_no_alert(self):
        topic = unique_topic("outage")
        news = self.publish("news.rss", rss([hit(1)]))
        other = self.publish("other.rss", rss([("film-1", *FILM)]))
        daemon = self.kafka_daemon([news, other], topic)
        self.wait_delivered(topic, [alert_id("hit-1")])

        self.kafka.stop()
        daemon.wait_for_log(r"sink kafka: degraded: .*no broker", timeout=60)
        polls = (self.polls(news), self.polls(other))
        self.publish("news.rss", rss([hit(1), hit(2), hit(3)]))
        self.publish("other.rss", rss([("film-1", *FILM), hit(4)]))
        waiting = {alert_id("hit-%d" % n) for n in (2, 3, 4)}
        wait_for(lambda: set(self.outbox()) == waiting, what="the new alerts waiting in the outbox")
        self.wait_for_polls(news, polls[0] + 3)  # still polled on time
        self.wait_for_polls(other, polls[1] + 3)
        self.assertTrue(daemon.running())
        self.assertEqual(503, daemon.get("/healthz")[0])

        self.kafka.start()
        expected = {alert_id("hit-%d" % n) for n in (1, 2, 3, 4)}
        self.wait_delivered(topic, expected)
        wait_for(lambda: self.outbox() == [], what="the outbox to empty")
        daemon.wait_for_log(r"sink kafka: delivering again")
        self.assertEqual(expected, self.logged_alerts(daemon))
        self.assertEqual(0, daemon.stop()[0])

    def test_sigterm_during_an_outage_keeps_the_outbox_for_the_next_start(self):
        topic = unique_topic("restart")
        url = self.publish("news.rss", rss([hit(1)]))
        daemon = self.kafka_daemon([url], topic)
        self.wait_delivered(topic, [alert_id("hit-1")])

        self.kafka.stop()
        self.publish("news.rss", rss([hit(1), hit(2), hit(3)]))
        waiting = [alert_id("hit-2"), alert_id("hit-3")]
        wait_for(lambda: sorted(self.outbox()) == sorted(waiting), what="two alerts in the outbox")
        daemon.wait_for_log(r"sink kafka: degraded: .*no broker", timeout=60)
        code, seconds = daemon.stop()
        self.assertEqual(0, code)
        self.assertLess(seconds, 10)
        self.assertEqual(sorted(waiting), sorted(self.outbox()), "the outbox survives the shutdown")
        daemon.wait_for_log(r"not waiting for 2 alerts in flight")
        daemon.wait_for_log(r"stopped; outbox holds 2 alerts")

        self.kafka.start()
        again = self.kafka_daemon([url], topic, name="again")
        again.wait_for_log(r"outbox holds 2 undelivered alerts from before")
        self.wait_delivered(topic, [alert_id("hit-%d" % n) for n in (1, 2, 3)])
        wait_for(lambda: self.outbox() == [], what="the outbox to empty")
        self.assertEqual(set(), self.logged_alerts(again), "replayed, not alerted again")
        self.assertEqual(0, again.stop()[0])

    def test_a_full_outbox_pauses_polling_and_drops_nothing(self):
        topic = unique_topic("bound")
        self.kafka.stop()
        url = self.publish("news.rss", rss([hit(1), hit(2), hit(3)]))
        daemon = self.kafka_daemon([url], topic, extra="outbox: {max_depth: 2}\n")
        paused = daemon.wait_for_log(r"polling paused")
        self.assertIn("outbox.max_depth 2", paused[0])
        self.assertEqual(3, len(self.outbox()))
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_fetch_polling_paused") == 1,
                 what="the polling-paused gauge at 1")
        polls = self.polls(url)
        self.publish("news.rss", rss([hit(n) for n in range(1, 6)]))
        # While paused the loop still turns (the health check follows it) but fetches nothing.
        self.assertEqual(polls, self.polls(url))

        self.kafka.start()
        daemon.wait_for_log(r"polling resumed", timeout=90)
        expected = [alert_id("hit-%d" % n) for n in range(1, 6)]
        self.wait_delivered(topic, expected)
        wait_for(lambda: self.outbox() == [], what="the outbox to empty")
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_fetch_polling_paused") == 0,
                 what="the polling-paused gauge at 0")
        self.assertEqual(set(expected), self.logged_alerts(daemon))
        self.assertEqual(0, daemon.stop()[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
