#!/usr/bin/python3
"""An HTTP/1.1 proxy for tests that breaks one blob download half-way.

    cut-proxy.py --upstream HOST:PORT --cut-bytes N --port-file F --log L

Listens on 127.0.0.1 (a port the kernel picks, written to F once listening) and forwards
every connection to the plain-HTTP registry at HOST:PORT. The first GET of a blob
(/v2/.../blobs/sha256:...) whose response body is longer than N bytes gets its status line,
its headers and only the first N bytes of its body; then both connections close. Everything
else, before and after, passes byte for byte. Requests and responses are parsed (keep-alive,
Content-Length, chunked) only to know where each one ends, so that requests sent on a kept
connection are logged too.

L gets one JSON object a line:
  {"event": "request", "conn": C, "method": ..., "path": ..., "range": "bytes=..." or null}
  {"event": "response", "conn": C, "path": ..., "status": S, "length": body length or null}
  {"event": "cut", "conn": C, "path": ..., "length": L, "forwarded": N}
so a test can tell that the cut happened and whether the client's next request for that blob
carried a Range header.
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time

BLOB_PATH = re.compile(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}$")


class Done(Exception):
    """The connection is over (closed by a side, or cut on purpose)."""


class Reader:
    """Buffered reads from a socket: lines for heads, counted bytes for bodies."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Done()
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            # A TLS hello (clients that try HTTPS first, as skopeo does without TLS
            # verification) never ends a head: close at once so they fall back to HTTP.
            if len(self.buf) > 1 << 20 or (self.buf and not self.buf[:1].isalpha()):
                raise Done()
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head + b"\r\n\r\n"

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def some(self, limit):
        """Up to limit bytes (at least one)."""
        if not self.buf:
            self.fill()
        data, self.buf = self.buf[:limit], self.buf[limit:]
        return data


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], headers


class Proxy:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.cut_done = False
        self.conns = 0

    def log(self, **fields):
        with self.lock:
            with open(self.args.log, "a") as f:
                f.write(json.dumps(fields) + "\n")

    def claim_cut(self):
        """True for exactly one caller: the response that gets cut."""
        with self.lock:
            if self.cut_done:
                return False
            self.cut_done = True
            return True

    def copy_body(self, src, dst, headers, limit=None, rate=0):
        """Forwards one message body from src to dst; with limit, stops after limit bytes
        and reports it by raising Done; with rate, at most rate bytes a second."""
        sent = 0
        started = time.monotonic()

        def forward(n):
            nonlocal sent
            while n > 0:
                if limit is not None and sent >= limit:
                    raise Done()
                want = n if limit is None else min(n, limit - sent)
                data = src.some(min(want, 1 << 14) if rate else want)
                dst.sendall(data)
                sent += len(data)
                n -= len(data)
                if rate:
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)

        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                line = src.line()
                dst.sendall(line)
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        line = src.line()
                        dst.sendall(line)
                        if line == b"\r\n":
                            return
                forward(size + 2)  # the chunk and its CRLF
        elif "content-length" in headers:
            forward(int(headers["content-length"]))
        else:  # the body lasts until the server closes
            while True:
                forward(1 << 16)

    def handle(self, client):
        with self.lock:
            self.conns += 1
            conn = self.conns
        try:
            upstream = socket.create_connection(self.args.upstream_addr)
        except OSError as e:
            self.log(event="upstream-error", conn=conn, error=str(e))
            client.close()
            return
        creader, ureader = Reader(client), Reader(upstream)
        try:
            while True:
                head = creader.head()
                request_line, headers = parse_head(head)
                method, path = (request_line.split(" ") + ["", ""])[:2]
                self.log(event="request", conn=conn, method=method, path=path,
                         range=headers.get("range"))
                upstream.sendall(head)
                if "content-length" in headers or "transfer-encoding" in headers:
                    self.copy_body(creader, upstream, headers)
                rhead = ureader.head()
                status_line, rheaders = parse_head(rhead)
                status = int(status_line.split(" ")[1])
                length = rheaders.get("content-length")
                length = int(length) if length is not None else None
                self.log(event="response", conn=conn, path=path, status=status, length=length)
                client.sendall(rhead)
                if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                    continue
                if (method == "GET" and BLOB_PATH.match(path.split("?")[0]) and status == 200
                        and length is not None and length > self.args.cut_bytes
                        and self.claim_cut()):
                    self.log(event="cut", conn=conn, path=path, length=length,
                             forwarded=self.args.cut_bytes)
                    self.copy_body(ureader, client, rheaders, limit=self.args.cut_bytes)
                    raise Done()
                self.copy_body(ureader, client, rheaders, rate=self.args.rate)
        except (Done, OSError, ValueError):
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--cut-bytes", type=int, required=True)
    p.add_argument("--rate", type=int, default=0,
                   help="bytes a second for the responses that pass whole (0: no limit)")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    args.upstream_addr = (host, int(port))
    proxy = Proxy(args)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    while True:
        client, _ = server.accept()
        threading.Thread(target=proxy.handle, args=(client,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
