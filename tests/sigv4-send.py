#!/usr/bin/python3
"""Sends one operator API request signed with SigV4 (hmac and hashlib only, no botocore), so a
test can choose the X-Amz-Date and send the very same signed bytes more than once.

sigv4-send.py URL KEY_ID SECRET TARGET BODY [--date YYYYMMDDTHHMMSSZ] [--times N] [--ca PEM]

Prints one line per sending: the HTTP status and the answer's __type ("-" when none), then
the answer's message."""
import argparse, datetime, hashlib, hmac, http.client, json, ssl, urllib.parse


def sign(key_id, secret, host, target, body, amz_date):
    date = amz_date[:8]
    service = "ssm" if target.startswith("AmazonSSM.") else "ecs"
    scope = f"{date}/local/{service}/aws4_request"
    headers = {
        "content-type": "application/x-amz-json-1.1",
        "host": host,
        "x-amz-date": amz_date,
        "x-amz-target": target,
    }
    signed = ";".join(sorted(headers))
    canonical = "\n".join([
        "POST", "/", "",
        "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
        signed,
        hashlib.sha256(body).hexdigest(),
    ])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")
    return headers


def main():
    p = argparse.ArgumentParser()
    for name in ("url", "key_id", "secret", "target", "body"):
        p.add_argument(name)
    p.add_argument("--date")
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--ca")
    a = p.parse_args()
    url = urllib.parse.urlsplit(a.url)
    amz_date = a.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    body = a.body.encode()
    headers = sign(a.key_id, a.secret, url.netloc, a.target, body, amz_date)
    for _ in range(a.times):
        if url.scheme == "https":
            conn = http.client.HTTPSConnection(url.netloc, timeout=20,
                                               context=ssl.create_default_context(cafile=a.ca))
        else:
            conn = http.client.HTTPConnection(url.netloc, timeout=20)
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        answer = json.loads(r.read() or b"{}")
        print(r.status, answer.get("__type", "-"), answer.get("message", answer.get("Message", "")))
        conn.close()


main()
