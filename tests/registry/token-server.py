#!/usr/bin/python3
"""A Docker/OCI registry token server for tests (the `auth: token:` flow of distribution 2.8).

    token-server.py --port-file F --key K --cert C --issuer I --service S
                    --user U --password P [--expires-in N] [--anonymous-pull] [--log L]

GET /token?service=S&scope=repository:NAME:pull[,push][&scope=...] with HTTP basic
credentials answers {"token", "access_token", "expires_in", "issued_at"}: an RS256 JWT whose
header carries the signing certificate (x5c), which the registry verifies against its
rootcertbundle (the CA that signed C). Wrong or missing credentials get 401, unless
--anonymous-pull, where a caller without credentials gets a token for pull only (as public
registries do). The server listens on 127.0.0.1, on a port the kernel picks, written to F once
listening, so that no other test can take it between choosing and binding. Every request is
logged as a JSON line to L.
"""
import argparse
import base64
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    def __init__(self, key_path, cert_path):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        # x5c holds standard base64 DER (RFC 7515), leaf first.
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)


def parse_scopes(values):
    """scope=repository:NAME:pull,push (repeatable; NAME may hold ':' for a port-less host)."""
    access = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                           "actions": [a for a in parts[-1].split(",") if a]})
    return access


def make_handler(args, signer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # the JSON log below replaces stderr chatter
            pass

        def log(self, **fields):
            if args.log:
                with open(args.log, "a") as f:
                    f.write(json.dumps(fields) + "\n")

        def reply(self, code, body, extra=None):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def credentials(self):
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("basic "):
                return None
            try:
                user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except Exception:
                return ("", "")
            return (user, password)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            creds = self.credentials()
            service = query.get("service", [""])[0]
            access = parse_scopes(query.get("scope", []))
            entry = {"time": time.time(), "path": url.path, "service": service,
                     "scope": query.get("scope", []), "user": creds[0] if creds else None}
            if url.path != "/token":
                entry["status"] = 404
                self.log(**entry)
                return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
            good = creds == (args.user, args.password)
            if not good and not (creds is None and args.anonymous_pull):
                entry["status"] = 401
                self.log(**entry)
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                    "message": "bad credentials"}]},
                                  {"WWW-Authenticate": 'Basic realm="tether-test-token"'})
            if not good:  # anonymous: pull only
                for a in access:
                    a["actions"] = [x for x in a["actions"] if x == "pull"]
            if service != args.service:
                # The registry would refuse the audience anyway; say so plainly here.
                entry["status"] = 400
                self.log(**entry)
                return self.reply(400, {"errors": [{"code": "DENIED",
                                                    "message": "unknown service"}]})
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": creds[0] if good else "",
                      "aud": args.service, "exp": now + args.expires_in,
                      "nbf": now - 10, "iat": now,
                      "jti": b64url(os.urandom(12)), "access": access}
            token = signer.sign(claims)
            entry["status"] = 200
            entry["access"] = access
            self.log(**entry)
            self.reply(200, {"token": token, "access_token": token,
                             "expires_in": args.expires_in,
                             "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                        time.gmtime(now))})

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--expires-in", type=int, default=300)
    p.add_argument("--anonymous-pull", action="store_true")
    p.add_argument("--log")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args, Signer(args.key, args.cert)))
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)  # the reader sees the whole port or nothing
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
