#!/usr/bin/python3
"""The Kafka figure: outbox replay of 100,000 alerts to a local broker, alerts/s until the outbox is empty.

    tests/bench/outbox_replay.py BUILD_DIR [--alerts N] [--keep DIR] [--wrap "perf record -g -o FILE --"]

BUILD_DIR holds daemon/newswatchd. Starts a private broker (scripts/kafka with its own KAFKA_PORT and
KAFKA_DIR, stopped at the end even on failure), lets newswatchd create a state file, fills its outbox with
N realistic alerts (about 2 KB of JSON each, the shape lib/alert writes) through SQLite, creates the topic
with one idempotent record (as a deployed topic and a warm broker would be), then starts newswatchd with a
Kafka sink and no feeds and times it from its start until its outbox gauge reads 0 (start-up and the first
connection to the broker included). The producer runs with newswatch's defaults
(idempotent, acks=all, zstd, linger 5 ms). The broker runs on the same two cores, so the figure is a
floor for a host with a remote broker. Prints one human line to stderr and one JSON line to stdout:
{"bench":"kafka","impl":"newswatch","alerts":N,"seconds":S,"alerts_per_s":R}."""
import argparse
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
from kafka_support import PrivateKafka, consume, missing_tools  # noqa: E402

WORDS = ("troops border ministry statement exercise convoy brigade satellite images harbour defence "
         "parliament sanctions embassy negotiations ceasefire artillery drills reserve mobilisation").split()


def text(seed, length):
    words = []
    n = seed
    while sum(len(w) + 1 for w in words) < length:
        n = (n * 1103515245 + 12345) & 0x7FFFFFFF
        words.append(WORDS[n % len(WORDS)])
    return " ".join(words)[:length]


def alert_json(n, created_ms):
    """One alert shaped like lib/alert's newswatch.alert.v1 output, about 2 KB."""
    link = "https://news.example.org/world/2026/11/28/story-%d" % n
    alert_id = hashlib.sha256(link.encode()).hexdigest()
    detected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created_ms / 1000))
    alert = {
        "schema": "newswatch.alert.v1",
        "alert_id": alert_id,
        "detected_at": detected,
        "severity": ("low", "medium", "high")[n % 3],
        "feed": {"url": "https://feeds.example.org/world-%d.rss" % (n % 500), "title": "World news %d" % (n % 500)},
        "article": {"title": text(n, 90).capitalize(), "link": link, "id": link,
                    "published": "2026-11-28T09:%02d:00Z" % (n % 60), "summary": text(n + 1, 900)},
        "rules": ["actor-troop-movement", "border-activity"],
        "actors": ["Russia", "NATO", "Romania"],
        "match_count": 3,
        "matches": [{"term": w, "watchlist": "eastern-flank", "field": "summary",
                     "snippet": text(n + i, 150)} for i, w in enumerate(("troops", "border", "convoy"))],
        "watchlists": [{"name": "eastern-flank", "version": "sha256:" + "ab" * 16}],
        "truncated": [],
    }
    return alert_id, alert["severity"], alert["feed"]["url"], json.dumps(alert, separators=(",", ":"))


def config(state_dir, sink, metrics):
    return ("state_dir: %s\nwatchlists: [%s]\nmetrics: %s\nlog: {level: info}\nsink: %s\nfeeds: []\n"
            % (state_dir, os.path.join(os.path.dirname(os.path.dirname(HERE)), "config", "watchlists",
                                       "eastern-flank.yaml"), metrics, sink))


def run_until(argv, log_path, pattern, timeout=60):
    """Starts argv with stderr to log_path and waits for a log line matching pattern."""
    log = open(log_path, "ab")
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + timeout
    while True:
        with open(log_path, errors="replace") as f:
            found = re.search(pattern, f.read())
        if found:
            return process, found
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            with open(log_path, errors="replace") as f:
                raise SystemExit("newswatchd did not log %r:\n%s" % (pattern, f.read()[-3000:]))
        time.sleep(0.02)


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def fill_outbox(state_file, count):
    created_ms = int(time.time() * 1000)
    with sqlite3.connect(state_file) as db:
        version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if version < 2:  # the outbox's source column came with schema 2; later schemas left the outbox alone
            raise SystemExit("state schema %s: this benchmark writes outbox rows of schema 2 or later" % version)
        db.executemany("INSERT INTO outbox (alert_id, severity, created_at_ms, payload, source) "
                       "VALUES (?, ?, ?, ?, ?)",
                       ((a, s, created_ms, p, u) for a, s, u, p in (alert_json(n, created_ms) for n in range(count))))
        size = db.execute("SELECT avg(length(payload)) FROM outbox").fetchone()[0]
    return size


def cpu_seconds(pid):
    """User + system CPU of a process and all its threads so far (/proc/PID/stat utime, stime)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outbox_depth(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if re.match(r"newswatch_sink_outbox_depth ", line):
                return float(line.split()[1])
    raise SystemExit("no outbox depth gauge in the metrics")


def warm_up(brokers, topic):
    """Creates the topic and has the broker load its producer-id state, as on a broker that has run a while."""
    subprocess.run(["kcat", "-P", "-b", brokers, "-t", topic, "-X", "enable.idempotence=true", "-k", "warm-up"],
                   input=b"{}", check=True, timeout=120, capture_output=True)
    if not consume(brokers, topic):
        raise SystemExit("the warm-up record did not arrive on %s" % topic)


def bench(daemon, work, kafka, alerts, wrap, properties):
    state_dir = os.path.join(work, "state")
    config_path = os.path.join(work, "create.yaml")
    with open(config_path, "w") as f:
        f.write(config(state_dir, '{type: jsonl, path: "-"}', "{enabled: false}"))
    process, _ = run_until([daemon, "run", "--config", config_path], os.path.join(work, "create.log"), r"started:")
    stop(process)
    average = fill_outbox(os.path.join(state_dir, "newswatch.db"), alerts)

    topic = "newswatch.bench.replay.%d" % os.getpid()
    config_path = os.path.join(work, "replay.yaml")
    with open(config_path, "w") as f:
        extra = ", properties: {%s}" % ", ".join('"%s": "%s"' % tuple(p.split("=", 1)) for p in properties)
        f.write(config(state_dir, '{type: kafka, brokers: "%s", topic: %s%s}' % (kafka.brokers, topic, extra),
                       '{listen: "127.0.0.1:0"}'))
    warm_up(kafka.brokers, topic)
    with open(os.path.join(kafka.dir, "kafka.pid")) as f:
        broker_pid = int(f.read())
    broker_cpu = cpu_seconds(broker_pid)
    started = time.monotonic()
    process, found = run_until(wrap + [daemon, "run", "--config", config_path], os.path.join(work, "replay.log"),
                               r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
    port = int(found.group(1))
    while outbox_depth(port) > 0:
        if process.poll() is not None:
            raise SystemExit("newswatchd exited during the replay; see %s" % os.path.join(work, "replay.log"))
        if time.monotonic() - started > 600:
            raise SystemExit("the outbox did not empty within 10 minutes")
        time.sleep(0.01)
    seconds = time.monotonic() - started
    daemon_cpu = cpu_seconds(process.pid) if not wrap else 0.0
    broker_cpu = cpu_seconds(broker_pid) - broker_cpu
    stop(process)
    delivered = len(consume(kafka.brokers, topic, timeout=300)) - 1  # the warm-up record
    if delivered < alerts:
        raise SystemExit("only %d of %d alerts are on the topic" % (delivered, alerts))
    return seconds, daemon_cpu, broker_cpu, average


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir")
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--wrap", default="", help='a command to run the replaying daemon under, e.g. '
                        '"perf record -g -o /tmp/replay.perf --" (then no CPU figure)')
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE",
                        help="a librdkafka producer property over newswatch's defaults (repeatable)")
    args = parser.parse_args()
    daemon = os.path.join(args.build_dir, "daemon", "newswatchd")
    if not os.access(daemon, os.X_OK):
        raise SystemExit("%s is not there: build newswatchd first" % daemon)
    if missing_tools():
        raise SystemExit(missing_tools())

    tmp = None
    if args.keep:
        work = args.keep
        os.makedirs(work, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="newswatch-replay-")
        work = tmp.name
    kafka = PrivateKafka(work)
    try:
        kafka.start()
        seconds, daemon_cpu, broker_cpu, average = bench(daemon, work, kafka, args.alerts, args.wrap.split(), args.property)
    finally:
        kafka.stop()
        if tmp:
            tmp.cleanup()
    rate = args.alerts / seconds
    print("kafka outbox replay: %d alerts (%.0f bytes of JSON each) in %.2f s = %.0f alerts/s; newswatchd used "
          "%.2f CPU s, the broker %.2f" % (args.alerts, average, seconds, rate, daemon_cpu, broker_cpu), file=sys.stderr)
    print(json.dumps({"bench": "kafka", "impl": "newswatch", "alerts": args.alerts, "seconds": round(seconds, 3),
                      "alerts_per_s": round(rate), "payload_bytes": round(average),
                      "daemon_cpu_s": round(daemon_cpu, 2), "broker_cpu_s": round(broker_cpu, 2)}))


if __name__ == "__main__":
    main()
