#!/usr/bin/python3
"""A hostile loopback HTTP/1.1 server for newswatch's fetcher and end-to-end tests.

Usage:  http_server.py [--host 127.0.0.1] [--port 0] [--tls-cert CERT.pem --tls-key KEY.pem]
            [--root DIR]

Prints the port it listens on as the first line of stdout, then serves until stdin closes or it gets
SIGTERM/SIGINT. Python 3 standard library only.

Routes (all GET; query parameters in brackets are optional):
  /feed[?etag=E&last_modified=D]  small RSS with ETag (default "v1") and Last-Modified; 304 when
                                  If-None-Match or If-Modified-Since match
  /gzip, /deflate                 the RSS gzip- / zlib-deflate-encoded (Content-Encoding set)
  /bad-gzip                       Content-Encoding: gzip but the body is not gzip
  /redirect/<code>?to=URL         <code> (301/302/303/307/308) with Location: URL (relative or absolute)
  /loop/a, /loop/b                redirect to each other forever (301)
  /chain/<n>                      302 to /chain/<n-1>; /chain/0 is the RSS
  /status/<code>[?retry_after=V]  that status with a small HTML body and Retry-After: V if given
  /bomb[?size=N]                  gzip stream decoding to N zero bytes (default 2 GiB), made on the fly
  /endless[?rate=B]               200 chunked body that never ends; B bytes/s (default 0: full speed)
  /drip[?interval=S]              200 chunked body, one byte every S seconds (default 2), forever
  /empty                          200 with an empty body
  /html                           an HTML page (text/html)
  /huge[?size=N]                  RSS of N bytes (default 40 MiB) with Content-Length, made on the fly
  /hang                           reads the request, never answers
  /delay/<ms>                     the RSS after <ms> milliseconds
  /files/<name>                   a file under --root, if given, with ETag (hash of its bytes) and
                                  Last-Modified (its mtime); 304 when If-None-Match matches
  /_requests                      JSON: {"requests": [{"path", "headers"}], "counts": {path: n},
                                  "max_concurrent": {group: n}} where a group is the first path segment;
                                  /_requests itself is not recorded
"""
import argparse
import email.utils
import gzip
import hashlib
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

LAST_MODIFIED = "Sat, 01 Nov 2025 10:00:00 GMT"
RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<rss version="2.0"><channel><title>Loopback</title><link>http://127.0.0.1/</link>'
    b"<description>test feed</description>"
    b"<item><title>Hello</title><link>http://127.0.0.1/hello</link><guid>hello</guid></item>"
    b"</channel></rss>\n"
)
HTML = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>\n"


class Recorder:
    """What the tests assert on: every request's path and headers, and concurrency per group."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.counts = {}
        self.in_flight = {}
        self.max_concurrent = {}

    def enter(self, path, headers):
        group = path.split("?")[0].strip("/").split("/")[0]
        with self.lock:
            self.requests.append({"path": path, "headers": dict(headers.items())})
            self.counts[path] = self.counts.get(path, 0) + 1
            now = self.in_flight.get(group, 0) + 1
            self.in_flight[group] = now
            self.max_concurrent[group] = max(self.max_concurrent.get(group, 0), now)
        return group

    def leave(self, group):
        with self.lock:
            self.in_flight[group] -= 1

    def snapshot(self):
        with self.lock:
            return json.dumps(
                {"requests": self.requests, "counts": self.counts, "max_concurrent": self.max_concurrent}
            ).encode()


RECORDER = Recorder()
STOPPING = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = None

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/_requests":
            return self.send_body(200, RECORDER.snapshot(), "application/json")
        group = RECORDER.enter(self.path, self.headers)
        try:
            self.route(url.path, query)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        finally:
            RECORDER.leave(group)

    def route(self, path, query):
        parts = path.strip("/").split("/")
        head = parts[0]
        arg = parts[1] if len(parts) > 1 else ""
        if head == "feed":
            return self.feed(query)
        if head == "gzip":
            return self.send_body(200, gzip.compress(RSS), "application/rss+xml", {"Content-Encoding": "gzip"})
        if head == "deflate":
            return self.send_body(200, zlib.compress(RSS), "application/rss+xml", {"Content-Encoding": "deflate"})
        if head == "bad-gzip":
            return self.send_body(200, b"this is not gzip at all" * 10, "application/rss+xml",
                                  {"Content-Encoding": "gzip"})
        if head == "redirect":
            return self.send_body(int(arg), b"moved", "text/plain", {"Location": query.get("to", "/feed")})
        if head == "loop":
            other = "/loop/b" if arg == "a" else "/loop/a"
            return self.send_body(301, b"", "text/plain", {"Location": other})
        if head == "chain":
            n = int(arg)
            if n <= 0:
                return self.send_body(200, RSS, "application/rss+xml")
            return self.send_body(302, b"", "text/plain", {"Location": "/chain/%d" % (n - 1)})
        if head == "status":
            extra = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
            return self.send_body(int(arg), b"<html><body>status %s</body></html>" % arg.encode(), "text/html",
                                  extra)
        if head == "bomb":
            return self.bomb(int(query.get("size", 2 << 30)))
        if head == "endless":
            return self.endless(int(query.get("rate", 0)))
        if head == "drip":
            return self.drip(float(query.get("interval", 2)))
        if head == "empty":
            return self.send_body(200, b"", "application/rss+xml")
        if head == "html":
            return self.send_body(200, HTML, "text/html; charset=utf-8")
        if head == "huge":
            return self.huge(int(query.get("size", 40 << 20)))
        if head == "hang":
            STOPPING.wait()
            self.close_connection = True
            return None
        if head == "delay":
            time.sleep(int(arg) / 1000.0)
            return self.send_body(200, RSS, "application/rss+xml")
        if head == "files" and Handler.root:
            return self.file(os.path.join(Handler.root, os.path.basename(arg)))
        return self.send_body(404, b"<html><body>no such route</body></html>", "text/html")

    def feed(self, query):
        etag = '"%s"' % query.get("etag", "v1")
        last_modified = query.get("last_modified", LAST_MODIFIED)
        validators = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "max-age=300"}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims is not None and ims == last_modified):
            return self.send_body(304, b"", None, validators)
        return self.send_body(200, RSS, "application/rss+xml; charset=utf-8", validators)

    def file(self, path):
        """A file with validators derived from its bytes and mtime, like a static web server."""
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return self.send_body(404, b"<html><body>no such file</body></html>", "text/html")
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        last_modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if self.headers.get("If-None-Match") == etag:
            return self.send_body(304, b"", None, validators)
        return self.send_body(200, body, "application/xml", validators)

    def send_body(self, status, body, content_type, extra=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and body:
            self.wfile.write(body)

    def start_chunked(self, content_type, extra=None):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True

    def chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")

    def bomb(self, size):
        # Zeros compress about 1000:1, so a 2 GiB bomb is about 2 MiB on the wire and never in memory.
        self.start_chunked("application/rss+xml", {"Content-Encoding": "gzip"})
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        left = size
        while left > 0 and not STOPPING.is_set():
            piece = block if left >= len(block) else bytes(left)
            left -= len(piece)
            self.chunk(compressor.compress(piece))
        self.chunk(compressor.flush())
        self.end_chunks()

    def endless(self, rate):
        self.start_chunked("application/rss+xml")
        self.chunk(RSS[:60])
        piece = b"<!-- filler -->" * 64
        while not STOPPING.is_set():
            if rate > 0:
                step = max(1, rate // 8)
                self.chunk((piece * (step // len(piece) + 1))[:step])
                time.sleep(0.125)
            else:
                self.chunk(piece * 64)

    def drip(self, interval):
        self.start_chunked("application/rss+xml")
        for byte in RSS * 1000:
            if STOPPING.wait(interval):
                return
            self.chunk(bytes([byte]))

    def huge(self, size):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        opening = RSS[: RSS.index(b"<item>")]
        closing = b"</channel></rss>\n"
        item = b"<item><title>Filler</title><description>" + b"x" * 900 + b"</description></item>\n"
        self.wfile.write(opening)
        left = size - len(opening) - len(closing)
        block = item * 64
        while left > 0:
            piece = block[: min(left, len(block))]
            self.wfile.write(piece)
            left -= len(piece)
        self.wfile.write(closing)


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the default 5 drops connections when hundreds of feeds start at once

    def handle_error(self, request, client_address):
        # Clients that hang up or refuse our certificate are what the tests do on purpose.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--root", help="folder served under /files/")
    args = parser.parse_args()
    Handler.root = args.root

    server = Server((args.host, args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # Handshake in the handler thread (on first read), so one stalled client cannot block accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def stop(*_):
        STOPPING.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.1)
    # Handler threads may be parked in /hang or a drip: do not wait for them.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
