"""Shared pieces of the end-to-end tests: the real newswatchd binary, the loopback HTTP server from
tests/support/http_server.py, temporary folders, and waiting for conditions without fixed sleeps."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SOURCE_DIR = os.environ.get("NEWSWATCH_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
NEWSWATCHD = os.environ.get("NEWSWATCHD", os.path.join(SOURCE_DIR, "build", "daemon", "newswatchd"))
SHARED_DIR = os.environ.get("NEWSWATCH_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
WATCHLIST = os.path.join(SOURCE_DIR, "config", "watchlists", "eastern-flank.yaml")
HTTP_SERVER = os.path.join(SOURCE_DIR, "tests", "support", "http_server.py")


def wait_for(condition, timeout=30.0, what="condition"):
    """Polls condition() until it returns something truthy; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(0.1)


class HttpServer:
    """tests/support/http_server.py on 127.0.0.1, serving files from `root` under /files/."""

    def __init__(self, root):
        self.process = subprocess.Popen([sys.executable, HTTP_SERVER, "--root", root],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline().strip())
        self.base = "http://127.0.0.1:%d" % self.port

    def url(self, path):
        return self.base + path

    def requests(self):
        with urllib.request.urlopen(self.url("/_requests"), timeout=10) as response:
            return json.load(response)

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process.stdout.close()


class Daemon:
    """newswatchd run on a config file; alerts (jsonl sink) and logs are captured to files."""

    def __init__(self, workdir, config_text, name="daemon"):
        self.workdir = workdir
        self.config = os.path.join(workdir, "newswatch.yaml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.alerts_path = os.path.join(workdir, name + ".alerts.jsonl")
        self.log_path = os.path.join(workdir, name + ".log")
        self.process = None

    def start(self):
        self.alerts_file = open(self.alerts_path, "ab")
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen([NEWSWATCHD, "run", "--config", self.config], stdout=self.alerts_file,
                                        stderr=self.log_file, stdin=subprocess.DEVNULL)
        return self

    def alerts(self):
        with open(self.alerts_path, "rb") as f:
            return [json.loads(line) for line in f.read().splitlines() if line.strip()]

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends sig and returns (exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("newswatchd did not exit within %.0fs of signal %d" % (timeout, sig))
        self.alerts_file.close()
        self.log_file.close()
        return code, time.monotonic() - started

    def kill(self):
        if self.running():
            self.process.kill()
            self.process.wait()
        if self.process is not None:
            self.alerts_file.close()
            self.log_file.close()

    def peak_rss_kib(self):
        with open("/proc/%d/status" % self.process.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def config_text(feeds, state_dir="state", interval="1s", sink='{type: jsonl, path: "-"}', extra=""):
    lines = ["state_dir: %s" % state_dir,
             "watchlists: [%s]" % WATCHLIST,
             "poll: {interval: %s, timeout: 10s, connect_timeout: 2s, low_speed_time: 3s, max_body: 4MiB}" % interval,
             "metrics: {enabled: false}",
             "sink: %s" % sink,
             "feeds:"]
    for feed in feeds:
        lines.append("  - url: %s" % json.dumps(feed))
    return "\n".join(lines) + "\n" + extra


class E2ETestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="newswatch-e2e-")
        self.workdir = self.tmp.name
        self.root = os.path.join(self.workdir, "www")
        os.makedirs(self.root)
        self.server = HttpServer(self.root)
        self.daemons = []

    def tearDown(self):
        for daemon in self.daemons:
            daemon.kill()
        self.server.stop()
        self.tmp.cleanup()

    def publish(self, name, content):
        """Writes a feed file the server serves at /files/<name> (atomically, as a CMS would)."""
        path = os.path.join(self.root, name)
        with open(path + ".tmp", "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode())
        os.replace(path + ".tmp", path)
        return self.server.url("/files/" + name)

    def daemon(self, feeds, name="daemon", **kwargs):
        daemon = Daemon(self.workdir, config_text(feeds, **kwargs), name)
        self.daemons.append(daemon)
        return daemon.start()


def rss(items, title="E2E feed"):
    """A small RSS 2.0 document; items are (guid, title, description) tuples."""
    body = "".join(
        "<item><title>%s</title><link>https://news.example.org/%s</link><guid>%s</guid>"
        "<pubDate>Fri, 21 Jan 2022 10:00:00 GMT</pubDate><description>%s</description></item>" % (t, g, g, d)
        for g, t, d in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title>'
            "<link>https://news.example.org/</link><description>e2e</description>%s</channel></rss>" % (title, body))


def read_fixture(*parts):
    with open(os.path.join(FIXTURES, *parts), "rb") as f:
        return f.read()
