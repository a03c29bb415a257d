#!/usr/bin/python3
"""A raw websocket client for the hostile link cases (tests/hostile/link-frames.tsv).

It speaks RFC 6455 itself, so that it can send what a well-behaved client never would:
unmasked frames, binary frames, invalid UTF-8, oversized or fragmented messages, or bytes
that are no frame at all. With --state it first authenticates as that node (the node's
identity.json and node.key, the signature the agent makes), so that cases can target the
link after the welcome.

Prints one line: the hub's answer to the case's frame.
  close CODE REASON    the hub closed the link
  error MESSAGE        the hub answered with an error frame and kept the link
  open                 the hub said nothing within the wait
"""
import argparse
import base64
import json
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key


def frame(payload, opcode=1, masked=True, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 65536:
        head += bytes([mask_bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class Link:
    def __init__(self, port, wait):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=wait)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((
            "GET /v1/connect HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: tether.v1\r\n\r\n" % (port, key)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("no upgrade")
            self.buf += data
        status, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in status.split(b"\r\n")[0]:
            raise SystemExit("no upgrade: %r" % status.split(b"\r\n")[0])

    def header_length(self):
        """(header size, payload size) of the frame at the start of buf, None if incomplete."""
        if len(self.buf) < 2:
            return None
        n = self.buf[1] & 0x7F
        if n < 126:
            return 2, n
        size = 4 if n == 126 else 10
        if len(self.buf) < size:
            return None
        return size, int.from_bytes(self.buf[2:size], "big")

    def read_frame(self):
        """(opcode, payload) of the next frame, None when the connection ended."""
        while True:
            header = self.header_length()
            if header:
                at, n = header
                if len(self.buf) >= at + n:
                    op, payload = self.buf[0] & 0x0F, self.buf[at:at + n]
                    self.buf = self.buf[at + n:]
                    return op, payload
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data

    def answer(self):
        """The first close or error frame, skipping pings and other frames."""
        try:
            while True:
                f = self.read_frame()
                if f is None:
                    return "closed without a close frame"
                op, payload = f
                if op == 8:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 0
                    return "close %d %s" % (code, payload[2:].decode("utf-8", "replace"))
                if op == 1:
                    msg = json.loads(payload)
                    if msg.get("type") == "error":
                        return "error " + msg.get("message", "")
        except socket.timeout:
            return "open"

    def text(self):
        op, payload = self.read_frame()
        return json.loads(payload)


def hello(link, state):
    """Authenticate as the node in state (the agent's identity and key)."""
    with open(os.path.join(state, "identity.json")) as f:
        node_id = json.load(f)["node_id"]
    challenge = link.text()
    message = "tether-connect-v1\n%s\n%s" % (challenge["nonce"], node_id)
    with open(os.path.join(state, "node.key"), "rb") as f:
        signature = load_pem_private_key(f.read(), None).sign(message.encode())
    link.sock.sendall(frame(json.dumps({
        "type": "hello", "node_id": node_id, "protocol": "1.0", "agent_version": "0.1.0",
        "signature": base64.b64encode(signature).decode()}).encode()))
    while link.text().get("type") != "welcome":
        pass


def case_bytes(kind, payload):
    """What to send for a case: KIND is how PAYLOAD is framed."""
    data = payload.encode()
    if kind == "text":
        return frame(data)
    if kind == "binary":
        return frame(data, opcode=2)
    if kind == "unmasked":
        return frame(data, masked=False)
    if kind == "hex-text":  # a text frame whose payload is given in hex (invalid UTF-8)
        return frame(bytes.fromhex(payload))
    if kind == "size":  # a text frame of PAYLOAD bytes of JSON
        n = int(payload)
        return frame(b'{"type":"heartbeat","pad":"' + b"x" * (n - 29) + b'"}')
    if kind == "fragments":  # a message split in frames of PAYLOAD bytes each, 300 KiB in all
        n, body = int(payload), b'{"type":"heartbeat","pad":"' + b"x" * (300 << 10) + b'"}'
        parts = [body[i:i + n] for i in range(0, len(body), n)]
        return b"".join(frame(p, opcode=1 if i == 0 else 0, fin=i == len(parts) - 1)
                        for i, p in enumerate(parts))
    if kind == "raw":  # bytes sent as they are, given in hex
        return bytes.fromhex(payload)
    raise SystemExit("unknown kind " + kind)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state", help="authenticate as this agent state folder's node first")
    p.add_argument("--wait", type=float, default=3.0)
    p.add_argument("kind")
    p.add_argument("payload", help="the payload, or @FILE for a file's contents")
    a = p.parse_args()
    if a.payload.startswith("@"):
        with open(a.payload[1:]) as f:
            a.payload = f.read()
    link = Link(a.port, a.wait)
    if a.state:
        hello(link, a.state)
    else:
        link.text()  # the challenge
    link.sock.sendall(case_bytes(a.kind, a.payload))
    print(link.answer())


if __name__ == "__main__":
    sys.exit(main())
