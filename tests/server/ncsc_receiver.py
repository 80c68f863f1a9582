#!/usr/bin/env python3
"""A stand-in for the national centre's AVReport endpoint (test_ncsc.sh).

HTTPS on 127.0.0.1 (any free port, written to DIR/port), requiring a client
certificate signed by the test CA. Every POST body is kept as DIR/post-N.xml
and checked with `xmlsec1 --verify --trusted-pem CA` and `xmllint --schema
XSD`; one line per POST goes to DIR/log:
    N MODE STATUS content-type=... verify=ok|bad schema=ok|bad sha256=HEX
How it answers is read from DIR/mode at each request: `ok` (200 when both
checks pass, 400 otherwise), `500` (always 500), `hang` (answers nothing for
30 s, then 500).
"""
import hashlib
import http.server
import os
import ssl
import subprocess
import sys
import threading
import time

DIR, CERT, KEY, CA, XSD = sys.argv[1:6]
lock = threading.Lock()
count = [0]


def check(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return "ok" if r.returncode == 0 else "bad"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            count[0] += 1
            n = count[0]
        path = os.path.join(DIR, "post-%d.xml" % n)
        with open(path, "wb") as f:
            f.write(body)
        verify = check(["xmlsec1", "--verify", "--trusted-pem", CA, path])
        schema = check(["xmllint", "--noout", "--schema", XSD, path])
        try:
            mode = open(os.path.join(DIR, "mode")).read().strip()
        except OSError:
            mode = "ok"
        if mode == "hang":
            status = 500
        elif mode == "500":
            status = 500
        else:
            status = 200 if verify == "ok" and schema == "ok" else 400
        with lock, open(os.path.join(DIR, "log"), "a") as log:
            log.write("%d %s %d content-type=%s verify=%s schema=%s sha256=%s\n" % (
                n, mode, status, self.headers.get("Content-Type", "").replace(" ", ""), verify, schema,
                hashlib.sha256(body).hexdigest()))
        if mode == "hang":
            time.sleep(30)
        try:
            answer = b"<result>accepted</result>" if status == 200 else b"<error>try later</error>"
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
ctx.load_verify_locations(CA)
ctx.verify_mode = ssl.CERT_REQUIRED
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
