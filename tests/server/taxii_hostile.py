#!/usr/bin/env python3
"""A small TAXII 2.1 server on loopback for tests/server/test_taxii_pull.sh.

One collection (c1) of three pages of two indicators each, paged by `next`
(the page number) and `added_after` (the page's date_added). The file MODE
(re-read on every request) makes the second page (index 1) misbehave:
  ok        every page as it should be
  badjson   the second page is not JSON
  oversize  the second page is 65 MiB (over the puller's 64 MiB limit)
  hang      the second page never answers
  status500 the second page answers 500 with a TAXII error message
  badtype   the second page is sent as text/html
  malformed the second page holds a good indicator and an object without id
Every request's path and query is appended to the file LOG; the port is
printed on stdout once listening. Requests need HTTP Basic user:secret.
--tls CERT KEY serves HTTPS; --pages N --per-page M make a larger
collection (the measurement in docs/intel.md).

usage: taxii_hostile.py MODE_FILE LOG_FILE [--tls CERT KEY] [--pages N] [--per-page M]
"""
import argparse
import base64
import hashlib
import http.server
import json
import ssl
import time
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("mode_file")
ap.add_argument("log_file")
ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
ap.add_argument("--pages", type=int, default=3)
ap.add_argument("--per-page", type=int, default=2)
ARGS = ap.parse_args()
MODE_FILE, LOG_FILE = ARGS.mode_file, ARGS.log_file
MEDIA = "application/taxii+json;version=2.1"
DATES = ["2026-11-01T%02d:%02d:%02d.000Z" % (p // 3600, p // 60 % 60, p % 60) for p in range(1, ARGS.pages + 1)]


def sha(page, i):
    return hashlib.sha256(b"hostile %d %d" % (page, i)).hexdigest()


def indicator(page, i):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-%06d%06d" % (page, i),
            "created": DATES[page], "modified": DATES[page], "pattern_type": "stix", "valid_from": DATES[page],
            "name": "Hostile.Page%d.%d" % (page, i), "pattern": "[file:hashes.'SHA-256' = '%s']" % sha(page, i)}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype=MEDIA, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with open(LOG_FILE, "a") as f:
            f.write(self.path + "\n")
        want = "Basic " + base64.b64encode(b"user:secret").decode()
        if self.headers.get("Authorization") != want:
            return self.send(401, {"title": "unauthorized"})
        if MEDIA not in (self.headers.get("Accept") or ""):
            return self.send(406, {"title": "not acceptable"})
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/taxii/collections/c1/objects/":
            return self.send(404, {"title": "not found"})
        q = urllib.parse.parse_qs(url.query)
        if "next" in q:
            page = int(q["next"][0])
        elif "added_after" in q:
            page = sum(1 for d in DATES if d <= q["added_after"][0])
        else:
            page = 0
        if page >= len(DATES):
            return self.send(200, {"more": False})
        mode = open(MODE_FILE).read().strip()
        if page == 1 and mode == "badjson":
            return self.send(200, b'{"more": true, "objects": [{"type": ')
        if page == 1 and mode == "hang":
            time.sleep(30)
            return self.send(200, {"more": False})
        if page == 1 and mode == "status500":
            return self.send(500, {"title": "internal error", "description": "the database is down"})
        if page == 1 and mode == "badtype":
            return self.send(200, b"<html>login</html>", ctype="text/html")
        objects = [indicator(page, i) for i in range(ARGS.per_page)]
        if page == 1 and mode == "malformed":
            objects[1] = {"type": "indicator", "pattern": "[ipv4-addr:value = '198.51.100.1']"}
        body = {"more": page + 1 < len(DATES), "next": str(page + 1), "objects": objects}
        headers = {"X-TAXII-Date-Added-First": DATES[page], "X-TAXII-Date-Added-Last": DATES[page]}
        if page == 1 and mode == "oversize":
            pad = 65 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", MEDIA)
            self.send_header("Content-Length", str(pad))
            self.end_headers()
            chunk = b" " * (1024 * 1024)
            try:
                for _ in range(65):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send(200, body, headers=headers)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if ARGS.tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*ARGS.tls)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
