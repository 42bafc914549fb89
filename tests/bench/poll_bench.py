#!/usr/bin/python3
"""Figures 4 and 6, poll: one newswatchd process polling 10,000 feeds served by nginx on 127.0.0.1.
Measures a full cycle of 200s (50-item feeds, every article new: parse, match, state, jsonl sink),
then two full cycles of 304s (nginx answers If-None-Match from the ETag it sends for static files);
the first 304 cycle still carries the end of the 200 cycle's article processing (parsing, matching
and committing 500,000 articles lags the last response), so the second is the steady state reported:
wall time, CPU seconds of the daemon (utime + stime of all its threads, /proc/PID/stat) and peak RSS
(VmHWM), once with the shipped eastern-flank watchlist and once with it plus a 10,000-term PETRARCH
watchlist. Progress is read from the daemon's metrics (newswatch_fetch_results_total).

Why nginx: Python's http.server cannot serve 10,000 feeds per cycle fast enough to measure the daemon
rather than the server; nginx (Debian nginx-light) runs as a non-daemon from a config in OUT.
Item texts: sentences of the benchmark corpus (fixture feed items + seed, OUT/../corpus.txt).
The daemon's config: interval 30 s (first polls are spread over one interval), 32 transfers at once,
per_host 32 (all feeds share one host here; real feeds are spread over hundreds of hosts). The daemon
runs on core 0 and nginx on core 1 (taskset), so the server's work is not counted as the daemon's.
Prints one JSON line per cycle and watchlist."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from xml.sax.saxutils import escape

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sentences(corpus_path, limit=20000):
    with open(corpus_path, encoding="utf-8", errors="replace") as f:
        text = f.read(4_000_000)
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if 40 <= len(s.strip()) <= 300]
    return found[:limit]


def write_feeds(www, count, items, texts):
    feeds = os.path.join(www, "feeds")
    os.makedirs(feeds, exist_ok=True)
    k = 0
    for n in range(count):
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                 '<title>Feed %d</title><link>http://127.0.0.1/site/%d</link><description>bench</description>' % (n, n)]
        for i in range(items):
            title, summary = texts[k % len(texts)], texts[(k + 1) % len(texts)] + " " + texts[(k + 2) % len(texts)]
            k += 3
            parts.append("<item><title>%s</title><link>http://127.0.0.1/site/%d/%d</link><guid>%d-%d</guid>"
                         "<pubDate>Fri, 21 Jan 2022 10:%02d:00 GMT</pubDate><description>%s</description></item>"
                         % (escape(title), n, i, n, i, i % 60, escape(summary)))
        parts.append("</channel></rss>\n")
        with open(os.path.join(feeds, "%d.xml" % n), "w", encoding="utf-8") as f:
            f.write("".join(parts))


def start_nginx(workdir, www, port):
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""daemon off;
worker_processes 1;
pid %(w)s/nginx.pid;
error_log %(w)s/nginx-error.log warn;
%(user)s
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %(w)s/tmp-body; proxy_temp_path %(w)s/tmp-proxy; fastcgi_temp_path %(w)s/tmp-fcgi;
  uwsgi_temp_path %(w)s/tmp-uwsgi; scgi_temp_path %(w)s/tmp-scgi;
  types { application/rss+xml xml; }
  keepalive_requests 100000;
  server { listen 127.0.0.1:%(port)d; root %(www)s; etag on; }
}
""" % {"w": workdir, "www": www, "port": port, "user": "user root;" if os.geteuid() == 0 else ""})
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    error_log = os.path.join(workdir, "nginx-error.log")
    process = subprocess.Popen(["taskset", "-c", "1", nginx, "-c", conf, "-p", workdir, "-e", error_log])
    wait(lambda: connectable(port), 10, "nginx")
    return process


def connectable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("poll_bench: timed out waiting for " + what)
        time.sleep(0.2)


def fetch_results(metrics_port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % metrics_port, timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return {}
    results = {}
    for line in text.splitlines():
        match = re.match(r'newswatch_fetch_results_total\{result="([^"]+)"\} (\S+)', line)
        if match:
            results[match.group(1)] = float(match.group(2))
    return results


def progressed(daemon, metrics_port, result, wanted):
    if daemon.poll() is not None:
        raise SystemExit("poll_bench: newswatchd exited with %d; see its log in the output folder" % daemon.returncode)
    return fetch_results(metrics_port).get(result, 0) >= wanted


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


def vmhwm_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run_daemon(args, workdir, port, watchlists, label):
    metrics_port = free_port()
    state = os.path.join(workdir, "state-" + label)
    shutil.rmtree(state, ignore_errors=True)
    config = os.path.join(workdir, "newswatch-%s.yaml" % label)
    with open(config, "w") as f:
        f.write("state_dir: %s\nwatchlists: [%s]\n" % (state, ", ".join(watchlists)))
        f.write("poll: {interval: %ds, concurrency: 32, per_host: 32}\n" % args.interval)
        f.write("sink: {type: jsonl, path: /dev/null}\nlog: {level: warn}\n")
        f.write("metrics: {enabled: true, listen: \"127.0.0.1:%d\"}\nfeeds:\n" % metrics_port)
        for n in range(args.feeds):
            f.write("  - http://127.0.0.1:%d/feeds/%d.xml\n" % (port, n))
    with open(os.path.join(workdir, "daemon-%s.log" % label), "w") as log:
        start = time.monotonic()
        daemon = subprocess.Popen(["taskset", "-c", "0", args.daemon, "run", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=log)
        try:
            cpu_before = 0.0
            wall_before = start
            # A cycle is over when every feed answered once with that status.
            for cycle, result, wanted in (("200", "ok", args.feeds), ("304-first", "not_modified", args.feeds),
                                          ("304", "not_modified", 2 * args.feeds)):
                wait(lambda: progressed(daemon, metrics_port, result, wanted),
                     args.interval * 4 + 120, "cycle " + cycle)
                now, cpu = time.monotonic(), cpu_seconds(daemon.pid)
                results = fetch_results(metrics_port)
                print(json.dumps({"bench": "poll", "impl": "newswatch", "watchlist": label, "cycle": cycle,
                                  "feeds": args.feeds, "items_per_feed": args.items, "interval_s": args.interval,
                                  "wall_s": round(now - wall_before, 2), "cpu_s": round(cpu - cpu_before, 2),
                                  "cpu_share_at_5min": round((cpu - cpu_before) / 300.0, 4),
                                  "vmhwm_mib": round(vmhwm_mib(daemon.pid), 1), "fetch_results": results}),
                      flush=True)
                cpu_before, wall_before = cpu, now
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--daemon", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--watchlist", required=True)
    parser.add_argument("--big-watchlist")
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--interval", type=int, default=30)
    args = parser.parse_args()
    args.watchlist = os.path.abspath(args.watchlist)
    if args.big_watchlist:
        args.big_watchlist = os.path.abspath(args.big_watchlist)
    workdir = os.path.abspath(args.out)
    os.makedirs(workdir, exist_ok=True)
    www = os.path.join(workdir, "www")
    shutil.rmtree(www, ignore_errors=True)
    corpus = os.path.join(os.path.dirname(workdir), "corpus.txt")
    write_feeds(www, args.feeds, args.items, sentences(corpus))
    port = free_port()
    nginx = start_nginx(workdir, www, port)
    try:
        run_daemon(args, workdir, port, [args.watchlist], "eastern-flank")
        if args.big_watchlist:
            run_daemon(args, workdir, port, [args.watchlist, args.big_watchlist], "eastern-flank+10000")
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)


if __name__ == "__main__":
    main()
