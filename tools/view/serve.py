#!/usr/bin/env python3
"""serve.py - the live memory view (`VIEW=1 make run`, docs/view.md).

    python3 tools/view/serve.py SOCKET [--port PORT] [--save FILE]

Listens on the Unix socket SOCKET for QEMU's second serial port
(`-serial unix:SOCKET`), where Aspen's init copies the memory trace of
the shell and everything it runs, and serves on http://127.0.0.1:PORT/
the same page tools/aspen-view writes, in live mode: the page asks for
the trace past what it has (GET /trace?from=BYTES) a few times a
second and follows the newest step. Python's standard library only.
--save also appends the trace to FILE (to make a static page later with
tools/view/mkview.py).

Prints one line, "view: http://127.0.0.1:PORT/", once both are ready.
"""
import argparse
import http.server
import os
import socket
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkview  # noqa: E402

CHUNK = 65536


class TraceBuffer:
    """Everything received so far; readers ask from a byte offset."""

    def __init__(self, save):
        self.data = bytearray()
        self.lock = threading.Lock()
        self.save = open(save, "ab") if save else None

    def add(self, chunk):
        with self.lock:
            self.data += chunk
        if self.save:
            self.save.write(chunk)
            self.save.flush()

    def since(self, offset):
        with self.lock:
            return bytes(self.data[offset:])


def receive(sock_path, buf):
    """Accept QEMU's connections on the socket and keep what they send."""
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)

    def loop():
        while True:
            conn, _ = srv.accept()
            with conn:
                while True:
                    chunk = conn.recv(CHUNK)
                    if not chunk:
                        break
                    buf.add(chunk.replace(b"\r", b""))
    threading.Thread(target=loop, daemon=True).start()


def handler_for(buf, title):
    page = mkview.page("", title, live=True).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            if url.path in ("/", "/index.html"):
                self.reply(200, "text/html; charset=utf-8", page)
            elif url.path == "/trace":
                q = urllib.parse.parse_qs(url.query)
                try:
                    offset = max(0, int(q.get("from", ["0"])[0]))
                except ValueError:
                    offset = 0
                self.reply(200, "text/plain; charset=utf-8", buf.since(offset))
            else:
                self.reply(404, "text/plain", b"not found\n")

        def reply(self, code, ctype, body):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass   # the terminal belongs to Aspen's console

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("socket")
    ap.add_argument("--port", type=int, default=8018)
    ap.add_argument("--save")
    args = ap.parse_args()
    buf = TraceBuffer(args.save)
    receive(args.socket, buf)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(buf, "live: Aspen's shell"))
    print(f"view: http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
