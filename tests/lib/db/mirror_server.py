#!/usr/bin/env python3
"""Test HTTP server for mirror updates: serves DIR on 127.0.0.1 (port 0,
printed on the first line of stdout) and logs each GET path to LOG.
MODE changes how .rqdb files are served: serve (normally), drop (the full
Content-Length announced, half the bytes sent, connection closed), hang
(nothing sent, connection held), error (HTTP 500)."""
import http.server
import os
import sys
import threading
import time

MODE, ROOT, LOG = sys.argv[1], sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        path = os.path.join(ROOT, self.path.lstrip("/"))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        if self.path.endswith(".rqdb") and MODE != "serve":
            if MODE == "hang":
                time.sleep(3600)
                return
            if MODE == "error":
                self.send_error(500)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def exit_with_parent():
    sys.stdin.read()  # EOF: the test ended or crashed
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
