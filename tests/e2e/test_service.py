"""newswatchd as a service, end to end with the real binary: live reload (inotify on the folders of the
config and watchlists, SIGHUP), broken edits refused while the old watchlist keeps working, feeds added
and removed live, /metrics (every family present, valid for promtool) and /healthz (following a private
Kafka broker down and up), and the sd_notify protocol (READY, STATUS, RELOADING, WATCHDOG, STOPPING).
test_logging.py imports the helpers below. Every wait has a deadline; nothing asserts on timing."""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import NEWSWATCHD, Daemon, E2ETestCase, rss, wait_for  # noqa: E402
from kafka_support import PrivateKafka  # noqa: E402

HIT = ("Zeppelin sighted over the harbour", "A zeppelin was seen over the harbour this morning.")
GONDOLA = ("Gondola strike in Venice", "Gondola rowers stopped work for a day in Venice.")
FILM = ("Film review: a quiet comedy", "The director's new comedy is a gentle story about a baker in Lyon.")


def save_by_rename(path, text):
    """Writes text to a new file beside path and renames it over path, as vim, emacs and most editors
    (and configuration management) do: the watched name gets a new inode."""
    temporary = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".swp")
    with open(temporary, "w") as f:
        f.write(text)
    os.replace(temporary, path)


def watchlist_text(terms, severity="high"):
    return ("name: probe\n"
            "keywords:\n"
            "  terms: [%s]\n"
            "rules:\n"
            "  - name: probe-hit\n"
            "    require: [terms]\n"
            "    severity: %s\n") % (", ".join(terms), severity)


def service_config(feeds, watchlists, state_dir="state", interval="1s", metrics='{listen: "127.0.0.1:0"}',
                   log_level="info", sink='{type: jsonl, path: "-"}', poll_extra="", extra=""):
    lines = ["state_dir: %s" % state_dir,
             "watchlists: [%s]" % ", ".join(json.dumps(w) for w in watchlists),
             "poll: {interval: %s, timeout: 10s, connect_timeout: 2s, low_speed_time: 3s%s}" % (interval, poll_extra),
             "log: {level: %s}" % log_level,
             "metrics: %s" % metrics,
             "sink: %s" % sink,
             "feeds:" if feeds else "feeds: []"]
    for feed in feeds:
        lines.append("  - url: %s" % json.dumps(feed))
    return "\n".join(lines) + "\n" + extra


class ServiceDaemon(Daemon):
    """A Daemon whose environment the test chooses, with helpers for the metrics endpoint."""

    def __init__(self, workdir, config_text, name="daemon", env=None, stderr_opener=None,
                 watchdog_pid_is_own=False):
        # Not Daemon.__init__: each daemon gets its own config file, so two can run side by side.
        self.workdir = workdir
        self.config = os.path.join(workdir, name + ".yaml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.alerts_path = os.path.join(workdir, name + ".alerts.jsonl")
        self.log_path = os.path.join(workdir, name + ".log")
        self.process = None
        self.env = env or {}
        self.stderr_opener = stderr_opener
        self.watchdog_pid_is_own = watchdog_pid_is_own
        self.metrics_port = None

    def start(self):
        self.alerts_file = open(self.alerts_path, "ab")
        self.log_file = self.stderr_opener() if self.stderr_opener else open(self.log_path, "ab")
        env = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "STATE_DIRECTORY")}
        env.update(self.env)
        argv = [NEWSWATCHD, "run", "--config", self.config]
        if self.watchdog_pid_is_own:
            # systemd sets WATCHDOG_PID to the main process: the shell's pid is the daemon's after exec.
            argv = ["/bin/sh", "-c", 'export WATCHDOG_PID=$$; exec "$0" "$@"'] + argv
        self.process = subprocess.Popen(argv, stdout=self.alerts_file, stderr=self.log_file,
                                        stdin=subprocess.DEVNULL, env=env)
        return self

    def rewrite_config(self, text):
        save_by_rename(self.config, text)

    def wait_for_log(self, pattern, count=1, timeout=30.0):
        """Waits until the log has `count` lines matching the regular expression; returns them."""
        regex = re.compile(pattern)

        def lines():
            found = [line for line in self.log().splitlines() if regex.search(line)]
            return found if len(found) >= count else None
        return wait_for(lines, timeout=timeout, what="%d log line(s) matching %r" % (count, pattern))

    def endpoint(self):
        if self.metrics_port is None:
            line = self.wait_for_log(r"metrics on http://127\.0\.0\.1:\d+/metrics")[0]
            self.metrics_port = int(re.search(r"127\.0\.0\.1:(\d+)/metrics", line).group(1))
        return "http://127.0.0.1:%d" % self.metrics_port

    def get(self, path):
        """(status, body) of GET path on the metrics endpoint."""
        try:
            with urllib.request.urlopen(self.endpoint() + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def metrics(self):
        status, body = self.get("/metrics")
        if status != 200:
            raise AssertionError("/metrics answered %d" % status)
        return body


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format to {(name, frozenset(labels.items())): value}; comments skipped."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if not match:
            raise AssertionError("not a sample line: %r" % line)
        labels = frozenset(LABEL.findall(match.group(3) or ""))
        samples[(match.group(1), labels)] = float(match.group(4))
    return samples


def sample(samples, name, **labels):
    """The value of one sample, 0 when it is absent."""
    return samples.get((name, frozenset(labels.items())), 0.0)


class NotifyListener:
    """A unix datagram socket standing in for systemd's NOTIFY_SOCKET; collects (monotonic time, message)."""

    def __init__(self, path):
        self.path = path
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(path)
        self.socket.settimeout(0.2)
        self.lock = threading.Lock()
        self.received = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data = self.socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.received.append((time.clock_gettime(time.CLOCK_MONOTONIC), data.decode()))

    def messages(self):
        with self.lock:
            return [message for _, message in self.received]

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.socket.close()


class ServiceTestCase(E2ETestCase):
    """E2ETestCase with a watchlist of our own in the test folder and daemons with chosen environments."""

    def setUp(self):
        super().setUp()
        self.watchlist = os.path.join(self.workdir, "watchlists", "probe.yaml")
        os.makedirs(os.path.dirname(self.watchlist))
        with open(self.watchlist, "w") as f:
            f.write(watchlist_text(["zeppelin"]))

    def service(self, feeds, name="daemon", env=None, stderr_opener=None, watchdog_pid_is_own=False, **kwargs):
        kwargs.setdefault("watchlists", [self.watchlist])
        daemon = ServiceDaemon(self.workdir, service_config(feeds, **kwargs), name, env, stderr_opener,
                               watchdog_pid_is_own)
        self.daemons.append(daemon)
        return daemon.start()

    def polls(self, url):
        path = url[len(self.server.base):]
        return self.server.requests()["counts"].get(path, 0)

    def wait_for_polls(self, url, count, timeout=30.0):
        wait_for(lambda: self.polls(url) >= count, timeout=timeout, what="%d polls of %s" % (count, url))


GONDOLA_AGAIN = ("Gondola rowers back at work", "The gondola rowers of Venice went back to work today.")
ZEPPELIN_AGAIN = ("A second zeppelin over the bay", "Another zeppelin crossed the bay at noon.")


def titles(daemon):
    return sorted(alert["article"]["title"] for alert in daemon.alerts())


class LiveReload(ServiceTestCase):
    def test_a_watchlist_saved_by_rename_takes_effect_without_a_restart(self):
        url = self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA)]))
        daemon = self.service([url])
        wait_for(lambda: daemon.alerts(), what="the zeppelin alert")
        self.wait_for_polls(url, 2)
        self.assertEqual([HIT[0]], titles(daemon))  # gondola is not a term yet
        pid = daemon.process.pid

        # An editor's save, three times in a burst: debounced into one reload.
        for terms in (["zeppelin", "gondola"], ["zeppelin"], ["zeppelin", "gondola"]):
            save_by_rename(self.watchlist, watchlist_text(terms))
        daemon.wait_for_log(r"reloaded: 1 feeds, 1 watchlists \(2 terms, 1 rules\)")
        self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA), ("gondola-2", *GONDOLA_AGAIN)]))
        wait_for(lambda: GONDOLA_AGAIN[0] in titles(daemon), what="the alert on the new term")
        polls = self.polls(url)
        self.wait_for_polls(url, polls + 2)  # more than the 500 ms debounce later
        self.assertEqual(sorted([HIT[0], GONDOLA_AGAIN[0]]), titles(daemon))  # gondola-1 was already processed
        samples = parse_metrics(daemon.metrics())
        self.assertEqual(1, sample(samples, "newswatch_config_reloads_total", result="ok"))
        self.assertEqual(0, sample(samples, "newswatch_config_reloads_total", result="failed"))
        self.assertEqual(pid, daemon.process.pid)
        self.assertTrue(daemon.running())
        self.assertEqual(0, daemon.stop()[0])

    def test_a_kubernetes_style_symlink_swap_is_seen(self):
        # A ConfigMap volume: probe.yaml -> ..data/probe.yaml, ..data -> ..<version>; an update writes a new
        # version folder and renames a new ..data symlink over the old one. No event names probe.yaml.
        volume = os.path.join(self.workdir, "configmap")
        os.makedirs(os.path.join(volume, "..v1"))
        shutil.copy(self.watchlist, os.path.join(volume, "..v1", "probe.yaml"))
        os.symlink("..v1", os.path.join(volume, "..data"))
        os.symlink("..data/probe.yaml", os.path.join(volume, "probe.yaml"))
        url = self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA)]))
        daemon = self.service([url], watchlists=[os.path.join(volume, "probe.yaml")])
        wait_for(lambda: daemon.alerts(), what="the zeppelin alert")

        os.makedirs(os.path.join(volume, "..v2"))
        with open(os.path.join(volume, "..v2", "probe.yaml"), "w") as f:
            f.write(watchlist_text(["zeppelin", "gondola"]))
        os.symlink("..v2", os.path.join(volume, "..data_tmp"))
        os.replace(os.path.join(volume, "..data_tmp"), os.path.join(volume, "..data"))
        daemon.wait_for_log(r"reloaded: 1 feeds, 1 watchlists \(2 terms, 1 rules\)")
        self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA), ("gondola-2", *GONDOLA_AGAIN)]))
        wait_for(lambda: GONDOLA_AGAIN[0] in titles(daemon), what="the alert on the new term")
        self.assertEqual(0, daemon.stop()[0])

    def test_sighup_reloads_what_the_watcher_cannot_see(self):
        # The config names a symlink; the file behind it lives in a folder that is not watched, so only
        # SIGHUP can tell the daemon about an edit there.
        linked = os.path.join(self.workdir, "linked", "probe.yaml")
        os.makedirs(os.path.dirname(linked))
        os.symlink(self.watchlist, linked)
        url = self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA)]))
        daemon = self.service([url], watchlists=[linked])
        wait_for(lambda: daemon.alerts(), what="the zeppelin alert")
        save_by_rename(self.watchlist, watchlist_text(["zeppelin", "gondola"]))
        polls = self.polls(url)
        self.wait_for_polls(url, polls + 2)
        self.assertNotIn("reloaded", daemon.log())

        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_for_log(r"reloaded: 1 feeds, 1 watchlists \(2 terms, 1 rules\)")
        self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA), ("gondola-2", *GONDOLA_AGAIN)]))
        wait_for(lambda: GONDOLA_AGAIN[0] in titles(daemon), what="the alert on the new term")
        self.assertEqual(sorted([HIT[0], GONDOLA_AGAIN[0]]), titles(daemon))
        self.assertEqual(1, sample(parse_metrics(daemon.metrics()), "newswatch_config_reloads_total", result="ok"))
        self.assertEqual(0, daemon.stop()[0])

    def test_a_broken_edit_is_refused_with_its_position_and_the_old_watchlist_keeps_working(self):
        url = self.publish("news.rss", rss([("hit-1", *HIT)]))
        daemon = self.service([url])
        wait_for(lambda: daemon.alerts(), what="the zeppelin alert")

        save_by_rename(self.watchlist, "name: probe\nkeywords:\n  terms: [zeppelin, gondola\nrules:\n  - name: x\n")
        refused = daemon.wait_for_log(r"reload refused")
        self.assertEqual(1, len(refused), refused)
        self.assertRegex(refused[0], re.escape(self.watchlist) + r":4:\d+: .*flow")
        samples = parse_metrics(daemon.metrics())
        self.assertEqual(1, sample(samples, "newswatch_config_reloads_total", result="failed"))
        self.assertEqual(0, sample(samples, "newswatch_config_reloads_total", result="ok"))

        save_by_rename(self.watchlist, watchlist_text(["zeppelin", "gondola"]).replace("[terms]", "[nosuch]"))
        refused = daemon.wait_for_log(r"reload refused", count=2)
        self.assertEqual(2, len(refused), refused)
        self.assertRegex(refused[1], re.escape(self.watchlist) + r":6:\d+: .*unknown .*'nosuch'")
        self.assertEqual(2, sample(parse_metrics(daemon.metrics()), "newswatch_config_reloads_total", result="failed"))

        # The watchlist in force is still the first one: zeppelin alerts, gondola does not.
        self.publish("news.rss", rss([("hit-1", *HIT), ("gondola-1", *GONDOLA), ("hit-2", *ZEPPELIN_AGAIN)]))
        wait_for(lambda: ZEPPELIN_AGAIN[0] in titles(daemon), what="an alert from the old watchlist")
        self.wait_for_polls(url, self.polls(url) + 1)
        self.assertEqual(sorted([HIT[0], ZEPPELIN_AGAIN[0]]), titles(daemon))
        self.assertEqual(0, daemon.stop()[0])

    def test_a_state_dir_change_is_logged_as_needing_a_restart(self):
        url = self.publish("news.rss", rss([("film-1", *FILM)]))
        daemon = self.service([url])
        self.wait_for_polls(url, 1)
        daemon.rewrite_config(service_config([url], [self.watchlist], state_dir="elsewhere"))
        line = daemon.wait_for_log(r"state_dir changed")[0]
        self.assertIn("after a restart", line)
        daemon.wait_for_log(r"reloaded: 1 feeds")  # everything else still applies
        self.assertFalse(os.path.exists(os.path.join(self.workdir, "elsewhere")))
        self.publish("news.rss", rss([("film-1", *FILM), ("hit-1", *HIT)]))
        wait_for(lambda: daemon.alerts(), what="an alert after the reload")
        self.assertTrue(os.path.exists(os.path.join(self.workdir, "state", "newswatch.db")))
        self.assertEqual(0, daemon.stop()[0])

    def test_feeds_added_and_removed_live_leave_the_others_undisturbed(self):
        kept = self.publish("kept.rss", rss([("film-1", *FILM)]))
        removed = self.publish("removed.rss", rss([("film-2", *FILM)]))
        added = self.publish("added.rss", rss([("hit-1", *HIT)]))
        daemon = self.service([kept, removed])
        self.wait_for_polls(kept, 2)
        self.wait_for_polls(removed, 2)
        self.assertEqual([], daemon.alerts())

        daemon.rewrite_config(service_config([kept, added], [self.watchlist]))
        daemon.wait_for_log(r"reload: feed %s removed" % re.escape(removed))
        daemon.wait_for_log(r"reload: feed %s added" % re.escape(added))
        daemon.wait_for_log(r"reloaded: 2 feeds")
        alerts = wait_for(lambda: daemon.alerts(), what="the added feed's alert")
        self.assertEqual(added, alerts[0]["feed"]["url"])
        removed_polls = self.polls(removed)
        kept_polls = self.polls(kept)
        self.wait_for_polls(kept, kept_polls + 3)
        self.assertEqual(removed_polls, self.polls(removed))
        # The kept feed kept its validators: its requests after the reload are still conditional.
        requests = [r for r in self.server.requests()["requests"] if r["path"] == "/files/kept.rss"]
        self.assertIn("If-None-Match", requests[-1]["headers"])
        self.assertEqual(1, len(daemon.alerts()))
        samples = parse_metrics(daemon.metrics())
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_fetch_feeds", health="healthy") == 2,
                 what="2 healthy feeds in the metrics")
        self.assertEqual(0, sample(samples, "newswatch_fetch_feeds", health="unhealthy"))
        self.assertEqual(0, daemon.stop()[0])


class Freshness(ServiceTestCase):
    def test_an_rss_ttl_stretches_the_feeds_interval(self):
        with_ttl = rss([("film-1", *FILM)]).replace("<description>e2e</description>",
                                                     "<description>e2e</description><ttl>30</ttl>")
        cached = self.publish("cached.rss", with_ttl)
        plain = self.publish("plain.rss", rss([("film-2", *FILM)]))
        daemon = self.service([cached, plain])
        self.wait_for_polls(plain, 3)
        state = os.path.join(self.workdir, "state", "newswatch.db")

        def next_poll_after_success(url):
            with sqlite3.connect("file:%s?mode=ro" % state, uri=True, timeout=10) as db:
                row = db.execute("SELECT next_poll_ms - last_success_ms FROM feeds WHERE url = ?", (url,)).fetchone()
            return row[0] / 1000 if row and row[0] is not None else None
        # The publisher's 30 minutes win over the configured 1 s; the other feed keeps its 1 s.
        self.assertGreater(wait_for(lambda: next_poll_after_success(cached), what="the cached feed's state"), 25 * 60)
        self.assertLess(next_poll_after_success(plain), 60)
        self.assertEqual(1, self.polls(cached))
        self.assertEqual(0, daemon.stop()[0])
        # The ttl is state too: after a restart a 304 still carries it (the document is unchanged).
        with sqlite3.connect("file:%s?mode=ro" % state, uri=True, timeout=10) as db:
            ttls = dict(db.execute("SELECT url, ttl_minutes FROM feeds").fetchall())
        self.assertEqual({cached: 30, plain: None}, ttls)


# Every family the issue asks for: feeds by health, fetches by result, bytes fetched, items parsed, alerts
# by severity, deliveries by result, outbox depth, reloads by result, poll-cycle latency histogram.
REQUIRED_FAMILIES = {
    "newswatch_fetch_feeds": "gauge",
    "newswatch_fetch_results_total": "counter",
    "newswatch_fetch_bytes_total": "counter",
    "newswatch_feed_items_parsed_total": "counter",
    "newswatch_alert_created_total": "counter",
    "newswatch_sink_deliveries_total": "counter",
    "newswatch_sink_outbox_depth": "gauge",
    "newswatch_config_reloads_total": "counter",
    "newswatch_fetch_poll_cycle_seconds": "histogram",
}


class MetricsAndHealth(ServiceTestCase):
    def active_daemon(self):
        """A daemon with one alerting feed and one failing feed, after one reload."""
        self.good = self.publish("news.rss", rss([("hit-1", *HIT), ("film-1", *FILM)]))
        self.failing = self.server.url("/status/500")
        daemon = self.service([self.good, self.failing], poll_extra=", unhealthy_after: 1")
        wait_for(lambda: daemon.alerts(), what="the alert")
        daemon.wait_for_log(r"feed %s: unhealthy" % re.escape(self.failing))
        daemon.process.send_signal(signal.SIGHUP)  # a reload also refreshes the feed gauges at once
        daemon.wait_for_log(r"reloaded:")
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_sink_deliveries_total",
                                result="delivered") == 1, what="the delivery in the metrics")
        return daemon

    def test_every_metric_is_present_after_some_activity_and_healthz_is_200(self):
        daemon = self.active_daemon()
        text = daemon.metrics()
        types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
        for family, kind in REQUIRED_FAMILIES.items():
            self.assertEqual(kind, types.get(family), family)
        for family in types:  # newswatch_<stage>_<what>, the stage one of the pipeline's (issue 6)
            self.assertRegex(family, r"^newswatch_(fetch|feed|match|alert|state|sink|config)_[a-z_]+$")
        samples = parse_metrics(text)
        self.assertEqual(1, sample(samples, "newswatch_fetch_feeds", health="healthy"))
        self.assertEqual(1, sample(samples, "newswatch_fetch_feeds", health="unhealthy"))
        self.assertGreaterEqual(sample(samples, "newswatch_fetch_results_total", result="ok"), 1)
        self.assertGreaterEqual(sample(samples, "newswatch_fetch_results_total", result="http_status"), 1)
        self.assertGreater(sample(samples, "newswatch_fetch_bytes_total"), 300)
        self.assertGreaterEqual(sample(samples, "newswatch_feed_items_parsed_total"), 2)
        self.assertEqual(1, sample(samples, "newswatch_alert_created_total", severity="high"))
        self.assertEqual(0, sample(samples, "newswatch_sink_outbox_depth"))
        self.assertEqual(1, sample(samples, "newswatch_config_reloads_total", result="ok"))
        self.assertEqual(0, sample(samples, "newswatch_config_reloads_total", result="failed"))
        # A fresh state directory: compiled at start; the reload of unchanged watchlists reads them back.
        self.assertEqual(1, sample(samples, "newswatch_match_watchlist_cache_total", result="compiled"))
        self.assertEqual(1, sample(samples, "newswatch_match_watchlist_cache_total", result="hit"))
        self.assertEqual(0, sample(samples, "newswatch_match_watchlist_cache_total", result="problem"))
        self.assertGreaterEqual(sample(samples, "newswatch_fetch_poll_cycle_seconds_count"), 1)
        self.assertEqual(sample(samples, "newswatch_fetch_poll_cycle_seconds_count"),
                         sample(samples, "newswatch_fetch_poll_cycle_seconds_bucket", le="+Inf"))
        self.assertEqual((200, "ok\n"), daemon.get("/healthz"))
        self.assertEqual(0, daemon.stop()[0])

    @unittest.skipUnless(shutil.which("promtool"), "promtool not installed (Debian package prometheus)")
    def test_the_whole_output_passes_promtool(self):
        daemon = self.active_daemon()
        checked = subprocess.run(["promtool", "check", "metrics"], input=daemon.metrics(), capture_output=True,
                                 text=True, timeout=60)
        self.assertEqual(0, checked.returncode, checked.stdout + checked.stderr)
        self.assertEqual("", checked.stdout + checked.stderr)
        self.assertEqual(0, daemon.stop()[0])

    def test_metrics_disabled_means_nothing_listens(self):
        url = self.publish("news.rss", rss([("hit-1", *HIT)]))
        daemon = self.service([url], metrics='{enabled: false, listen: "127.0.0.1:0"}')
        wait_for(lambda: daemon.alerts(), what="the alert")
        self.assertNotIn("metrics on", daemon.log())
        self.assertEqual(set(), listening_sockets(daemon.process.pid))
        self.assertEqual(0, daemon.stop()[0])

    def test_listening_sockets_finds_the_metrics_endpoint(self):
        # The check above is only worth something if it sees a listener when there is one.
        url = self.publish("news.rss", rss([("hit-1", *HIT)]))
        daemon = self.service([url])
        port = int(daemon.endpoint().rsplit(":", 1)[1])
        self.assertEqual({port}, listening_sockets(daemon.process.pid))
        self.assertEqual(0, daemon.stop()[0])


def listening_sockets(pid):
    """TCP ports the process listens on: its socket inodes joined with /proc/net/tcp{,6} LISTEN rows."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/%d/net/tcp" % pid, "/proc/%d/net/tcp6" % pid):
        with open(table) as f:
            for row in f.read().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class KafkaHealth(ServiceTestCase):
    @unittest.skipUnless(shutil.which("java") and shutil.which("mvn"),
                         "java and mvn are needed for a private Kafka broker (scripts/setup installs them)")
    def test_healthz_turns_503_while_the_broker_is_down_and_200_when_it_is_back(self):
        kafka = PrivateKafka(self.workdir)
        kafka.start()
        try:  # stopped before tearDown removes its folder, whatever happens
            self.check_healthz_follows(kafka)
        finally:
            kafka.stop()

    def check_healthz_follows(self, kafka):
        url = self.publish("news.rss", rss([("hit-1", *HIT)]))
        sink = '{type: kafka, brokers: "%s", topic: newswatch.service-test}' % kafka.brokers
        daemon = self.service([url], sink=sink)
        delivered = lambda n: sample(parse_metrics(daemon.metrics()), "newswatch_sink_deliveries_total",  # noqa: E731
                                     result="delivered") == n
        wait_for(lambda: delivered(1), timeout=60, what="the first delivery to Kafka")
        self.assertEqual((200, "ok\n"), daemon.get("/healthz"))

        kafka.stop()
        status, body = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(daemon.get("/healthz")),
                                timeout=60, what="/healthz 503 with the broker down")
        # The body says why, in words an operator can act on.
        self.assertRegex(body, r"^sink unreachable: Kafka: no broker of %s is reachable: " % re.escape(kafka.brokers))
        self.assertEqual(0, sample(parse_metrics(daemon.metrics()), "newswatch_sink_up"))
        # An alert found while the broker is down waits in the outbox.
        self.publish("news.rss", rss([("hit-1", *HIT), ("hit-2", *ZEPPELIN_AGAIN)]))
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_alert_created_total", severity="high") == 2,
                 what="the second alert")
        wait_for(lambda: sample(parse_metrics(daemon.metrics()), "newswatch_sink_outbox_depth") == 1,
                 what="the second alert waiting in the outbox")
        self.assertEqual(503, daemon.get("/healthz")[0])

        kafka.start()
        wait_for(lambda: daemon.get("/healthz") == (200, "ok\n"), timeout=60, what="/healthz 200 again")
        wait_for(lambda: delivered(2), timeout=60, what="the waiting alert delivered")
        self.assertEqual(0, sample(parse_metrics(daemon.metrics()), "newswatch_sink_outbox_depth"))
        self.assertEqual(1, sample(parse_metrics(daemon.metrics()), "newswatch_sink_up"))
        self.assertEqual(0, daemon.stop()[0])


class SystemdNotify(ServiceTestCase):
    def listener(self, name="notify"):
        listener = NotifyListener(os.path.join(self.workdir, name + ".sock"))
        self.addCleanup(listener.close)
        return listener

    def test_ready_status_reloading_watchdog_and_stopping(self):
        notify = self.listener()
        url = self.publish("news.rss", rss([("hit-1", *HIT)]))
        daemon = self.service([url], env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"})
        wait_for(lambda: "READY=1" in notify.messages(), what="READY=1")
        wait_for(lambda: daemon.alerts(), what="the alert")
        # WatchdogSec=2s: pinged every second from the loop.
        wait_for(lambda: notify.messages().count("WATCHDOG=1") >= 3, what="three watchdog pings")

        before = time.clock_gettime(time.CLOCK_MONOTONIC)
        seen = len(notify.received)
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_for_log(r"reloaded:")
        wait_for(lambda: any(m == "READY=1" for _, m in notify.received[seen:]), what="READY=1 after the reload")
        after_reload = notify.received[seen:]
        reloading = [(t, m) for t, m in after_reload if m.startswith("RELOADING=1")]
        self.assertEqual(1, len(reloading), after_reload)
        received_at, message = reloading[0]
        fields = dict(line.split("=", 1) for line in message.split("\n"))
        self.assertLessEqual(before * 1e6, int(fields["MONOTONIC_USEC"]))
        self.assertLessEqual(int(fields["MONOTONIC_USEC"]), received_at * 1e6)
        order = [m for _, m in after_reload if m in ("READY=1",) or m.startswith("RELOADING=1")]
        self.assertEqual("READY=1", order[-1])
        self.assertTrue(order[0].startswith("RELOADING=1"))
        statuses = [m for _, m in after_reload if m.startswith("STATUS=")]
        self.assertIn("STATUS=1 feeds (1 healthy), 1 alerts, outbox 0", statuses)

        self.assertEqual(0, daemon.stop()[0])
        wait_for(lambda: "STOPPING=1" in notify.messages(), what="STOPPING=1")
        messages = notify.messages()
        self.assertNotIn("READY=1", messages[messages.index("STOPPING=1"):])
        self.assertEqual("READY=1", messages[0])

    def test_watchdog_pings_only_when_watchdog_pid_is_ours(self):
        own, other = self.listener("own"), self.listener("other")
        url = self.publish("news.rss", rss([("film-1", *FILM)]))
        watched = self.service([url], name="own", state_dir="own-state", watchdog_pid_is_own=True,
                               env={"NOTIFY_SOCKET": own.path, "WATCHDOG_USEC": "2000000"})
        unwatched = self.service([url], name="other", state_dir="other-state",
                                 env={"NOTIFY_SOCKET": other.path, "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"})
        wait_for(lambda: own.messages().count("WATCHDOG=1") >= 3, what="three pings from the watched daemon")
        wait_for(lambda: "READY=1" in other.messages(), what="READY=1 from the other")
        self.assertNotIn("WATCHDOG=1", other.messages())
        self.assertEqual(0, watched.stop()[0])
        self.assertEqual(0, unwatched.stop()[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
