"""Kafka for the end-to-end tests: the shared broker that scripts/test starts (NEWSWATCH_TEST_KAFKA), private
brokers that a test may stop and start (scripts/kafka on free ports with their own KAFKA_DIR), and a real
consumer (kcat) that reads a topic back with keys and headers."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import uuid

from harness import SOURCE_DIR

KAFKA_SCRIPT = os.path.join(SOURCE_DIR, "scripts", "kafka")
POM = os.path.join(SOURCE_DIR, "tests", "support", "kafka", "pom.xml")


def missing_tools():
    """Why a real-broker test cannot run here ("" when it can): kcat reads the topic, java runs the
    broker, mvn resolves its jars the first time."""
    missing = [tool for tool in ("kcat", "java", "mvn") if not shutil.which(tool)]
    if not missing:
        return ""
    return "%s not installed (scripts/setup installs kcat, openjdk-17-jre-headless and maven)" % ", ".join(missing)


def free_port_pair():
    """A port p with p + 1 free too (the broker's client and controller ports)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two consecutive free ports")


def _resolved_jars():
    """A folder of broker jars that scripts/kafka already resolved for the current pom, if any: reusing it
    saves a Maven run (about 30 s) per private broker."""
    try:
        with open(POM, "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None
    candidates = []
    if os.environ.get("KAFKA_DIR"):
        candidates.append(os.path.join(os.environ["KAFKA_DIR"], "jars"))
    if os.environ.get("NEWSWATCH_BUILD_DIR"):
        candidates.append(os.path.join(os.environ["NEWSWATCH_BUILD_DIR"], "kafka", "jars"))
    candidates.append(os.path.join(SOURCE_DIR, "build", "kafka", "jars"))
    for jars in candidates:
        try:
            with open(os.path.join(jars, ".pom.sha256")) as f:
                if f.read().strip() == want:
                    return os.path.realpath(jars)
        except OSError:
            continue
    return None


class PrivateKafka:
    """A broker of our own via scripts/kafka on free ports with its own KAFKA_DIR, so that stopping it
    never disturbs the shared broker other tests use. Call stop() before the folder is removed."""

    def __init__(self, workdir):
        self.port = free_port_pair()
        self.dir = os.path.join(workdir, "kafka-%d" % self.port)
        os.makedirs(self.dir, exist_ok=True)
        jars = _resolved_jars()
        if jars and not os.path.exists(os.path.join(self.dir, "jars")):
            os.symlink(jars, os.path.join(self.dir, "jars"))
        self.env = dict(os.environ, KAFKA_PORT=str(self.port), KAFKA_DIR=self.dir)
        self.env.pop("KAFKA_CONTROLLER_PORT", None)
        self.started = False

    def _run(self, command):
        done = subprocess.run([KAFKA_SCRIPT, command], env=self.env, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise AssertionError("scripts/kafka %s failed:\n%s" % (command, done.stderr))

    def start(self):
        self._run("start")
        self.started = True

    def stop(self):
        if self.started:
            self._run("stop")
            self.started = False

    @property
    def brokers(self):
        return "127.0.0.1:%d" % self.port


class SharedKafka:
    """The broker scripts/test started for the whole run, or, when a test runs on its own without one, a
    private broker in `workdir` (stop() stops only that one)."""

    def __init__(self, workdir):
        self.brokers = os.environ.get("NEWSWATCH_TEST_KAFKA", "")
        self.private = None
        if not self.brokers:
            self.private = PrivateKafka(workdir)
            self.private.start()
            self.brokers = self.private.brokers

    def stop(self):
        if self.private:
            self.private.stop()


def unique_topic(name):
    """A topic of its own per test: the shared broker keeps what earlier tests and runs wrote."""
    return "newswatch.e2e.%s.%s" % (name, uuid.uuid4().hex[:12])


def consume(brokers, topic, timeout=60):
    """Every record on the topic from the beginning, through kcat: [{key, payload, headers: {name: value}}].
    A topic that does not exist yet reads as empty."""
    done = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-J", "-q",
                           "-X", "topic.metadata.refresh.interval.ms=1000"],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        if "Unknown topic" in done.stderr or "UNKNOWN_TOPIC" in done.stderr:
            return []
        raise AssertionError("kcat failed (%d): %s" % (done.returncode, done.stderr))
    records = []
    for line in done.stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        headers = record.get("headers") or []
        # kcat -J gives headers as a flat list: [name1, value1, name2, value2, ...]
        record["headers"] = dict(zip(headers[0::2], headers[1::2]))
        records.append(record)
    return records
