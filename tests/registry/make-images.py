#!/usr/bin/python3
"""Build the registry tests' images as OCI image layouts, from /bin/busybox only.

    make-images.py --out DIR --escape-dir ESC [--bench] [--bench-layers N] [--bench-layer-mib M]

Writes DIR/NAME/ (oci-layout, index.json tagging "1.0", blobs/sha256/) for every image that
tests/registry/registry.sh lists, and DIR/images.json describing them: per image its manifest
digest, config digest, layers (digest, diff_id, mediaType, size) and, for the index, the
per-platform manifest digests. Layers are written here, entry by entry (tarfile), so that
tests get exactly the bytes they need, hostile ones included. Everything is deterministic
(fixed times, owners, sorted entries; bench data from a seeded generator): the same input
gives the same digests.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tarfile

BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Tar:
    """An uncompressed layer built entry by entry, in the order added (order matters for the
    hostile cases: the symlink must come before the file written through it)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, kind, mode):
        info = tarfile.TarInfo(name)
        info.type = kind
        info.mode = mode
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    def dir(self, name, mode=0o755):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))

    def file(self, name, data, mode=0o644):
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, name, target):
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)

    def hardlink(self, name, target):
        info = self._info(name, tarfile.LNKTYPE, 0o644)
        info.linkname = target
        self.tar.addfile(info)

    def chardev(self, name, major, minor):
        info = self._info(name, tarfile.CHRTYPE, 0o600)
        info.devmajor, info.devminor = major, minor
        self.tar.addfile(info)

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def busybox_tar():
    t = Tar()
    with open(BUSYBOX, "rb") as f:
        busybox = f.read()
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for d in ["bin", "dev", "etc", "proc", "sys", "tmp", "root", "usr", "usr/bin", "var"]:
        t.dir(d, 0o1777 if d == "tmp" else 0o700 if d == "root" else 0o755)
    t.file("bin/busybox", busybox, 0o755)
    for applet in sorted(set(applets) - {"busybox"}):
        t.symlink("bin/" + applet, "busybox")
    t.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    t.file("etc/group", b"root:x:0:\n")
    return t.bytes()


def compress(raw, kind, level=9):
    if kind == "gzip":
        return gzip.compress(raw, compresslevel=level, mtime=0)
    if kind == "zstd":  # the zstd CLI (Debian's zstd): no Python binding needed
        return subprocess.run(["zstd", "-q", "-c", "-19"], input=raw, capture_output=True,
                              check=True).stdout
    raise ValueError(kind)


class Layout:
    """One OCI image layout folder."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, data, media_type):
        digest = sha256(data)
        p = os.path.join(self.path, "blobs", "sha256", digest[7:])
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def json_blob(self, obj, media_type):
        return self.blob(json.dumps(obj, separators=(",", ":")).encode(), media_type)

    def image(self, layers, arch="amd64", variant=None, cmd=("sh",)):
        """layers: [(raw tar bytes, "gzip"|"zstd")], lowest first. Returns the manifest's
        descriptor and a description for images.json."""
        descs, diff_ids = [], []
        for raw, kind in layers:
            level = 1 if len(raw) > 4 << 20 else 9  # big random layers: spend no CPU
            d = self.blob(compress(raw, kind, level), LAYER_GZIP if kind == "gzip" else LAYER_ZSTD)
            diff_ids.append(sha256(raw))
            descs.append(d)
        config = {"architecture": arch, "os": "linux",
                  "config": {"Env": [PATH_ENV], "Cmd": list(cmd)},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        if variant:
            config["variant"] = variant
        cdesc = self.json_blob(config, OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cdesc,
                    "layers": descs}
        mdesc = self.json_blob(manifest, OCI_MANIFEST)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        mdesc["platform"] = platform
        info = {"digest": mdesc["digest"], "config": cdesc["digest"],
                "layers": [dict(d, diff_id=i) for d, i in zip(descs, diff_ids)]}
        return mdesc, info

    def tag(self, desc, tag="1.0"):
        entry = dict(desc)
        entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(index, f, separators=(",", ":"))


def single(out, name, layers, **kw):
    lay = Layout(os.path.join(out, name))
    desc, info = lay.image(layers, **kw)
    lay.tag(desc)
    return info


def marker_tar(name, text):
    t = Tar()
    t.file(name, text.encode())
    return t.bytes()


def build(args):
    out = args.out
    bb = busybox_tar()
    images = {}
    images["busybox"] = single(out, "busybox", [(bb, "gzip")])

    # Multi-arch index: the amd64 image runs here; the arm64 one is only told apart by its
    # marker (a client on amd64 must pick the amd64 manifest).
    lay = Layout(os.path.join(out, "multiarch"))
    amd, amd_info = lay.image([(bb, "gzip"), (marker_tar("platform", "amd64\n"), "gzip")])
    arm, arm_info = lay.image([(marker_tar("platform", "arm64\n"), "gzip")], arch="arm64",
                              variant="v8")
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm]}
    idesc = lay.json_blob(index, OCI_INDEX)
    lay.tag(idesc)
    images["multiarch"] = {"digest": idesc["digest"],
                           "platforms": {"amd64": amd["digest"], "arm64": arm["digest"]},
                           "manifests": {"amd64": amd_info, "arm64": arm_info}}

    images["zstd"] = single(out, "zstd", [(bb, "gzip"),
                                          (marker_tar("zstd-marker", "zstd\n"), "zstd")])

    lower = Tar()
    for d in ["data", "opq", "opq/sub"]:
        lower.dir(d)
    lower.file("data/keep", b"keep\n")
    lower.file("data/gone", b"gone\n")
    lower.file("opq/old", b"old\n")
    lower.file("opq/sub/old2", b"old2\n")
    upper = Tar()
    upper.dir("data")
    upper.file("data/.wh.gone", b"")
    upper.dir("opq")
    upper.file("opq/.wh..wh..opq", b"")
    upper.file("opq/new", b"new\n")
    images["whiteout"] = single(out, "whiteout", [(bb, "gzip"), (lower.bytes(), "gzip"),
                                                  (upper.bytes(), "gzip")])

    images["corrupt"] = single(out, "corrupt", [(bb, "gzip"), (
        marker_tar("corrupt-marker", "this layer is spoiled in the registry's storage\n" * 200),
        "gzip")])

    # Hostile layers: each one alone, after a harmless file, so that a client that refuses
    # the image refuses it for that entry.
    esc = args.escape_dir.strip("/")
    cases = {}
    t = Tar(); t.file("ok", b"ok\n"); t.file("../tether-escape-dotdot", b"dotdot\n")
    cases["hostile-dotdot"] = t
    t = Tar(); t.file("ok", b"ok\n"); t.file("/" + esc + "/absolute", b"absolute\n")
    cases["hostile-absolute"] = t
    t = Tar(); t.symlink("link", "/" + esc); t.file("link/through-symlink", b"symlink\n")
    cases["hostile-symlink"] = t
    t = Tar(); t.file("ok", b"ok\n"); t.hardlink("passwd", "/etc/passwd")
    cases["hostile-hardlink"] = t
    t = Tar(); t.file("ok", b"ok\n"); t.chardev("mem", 1, 1)
    cases["hostile-chardev"] = t
    for name, t in cases.items():
        images[name] = single(out, name, [(t.bytes(), "gzip")])

    if args.bench:
        rng = random.Random(20261204)
        layers = [(bb, "gzip")]
        for i in range(args.bench_layers):
            t = Tar()
            t.file("bench/layer-%d" % i, rng.randbytes(args.bench_layer_mib << 20))
            layers.append((t.bytes(), "gzip"))
        images["bench"] = single(out, "bench", layers)

    # docker-v2s2 is busybox converted by skopeo while pushing (--format v2s2): no layout.
    old = {}
    p = os.path.join(out, "images.json")
    if os.path.exists(p):
        with open(p) as f:
            old = json.load(f)
    old.update(images)
    with open(p + ".tmp", "w") as f:
        json.dump(old, f, indent=1)
    os.rename(p + ".tmp", p)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--escape-dir", required=True)
    p.add_argument("--bench", action="store_true")
    p.add_argument("--bench-layers", type=int, default=8)
    p.add_argument("--bench-layer-mib", type=int, default=5)
    build(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
