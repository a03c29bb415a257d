#!/usr/bin/python3
"""Hostile OCI image layouts for tests/hostile/images.tsv.

  make_image.py BASE OUT KIND [TARGET]

copies the image layout BASE (a busybox image, tag "latest") to OUT and spoils it the way KIND
says: most kinds add one layer on top whose entries try to reach outside the root (TARGET is
the host path they aim at), the others damage the manifest, the config or a blob.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile


def entry(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, devmajor=0, devminor=0):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, mode
    info.devmajor, info.devminor = devmajor, devminor
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def layer_entries(kind, target):
    """The entries of the added layer; None when KIND spoils something else."""
    planted = b"planted by a hostile layer\n"
    parent = os.path.dirname(target)
    up = "../" * 12
    layers = {
        "dotdot-path": [entry(up + target.lstrip("/"), data=planted)],
        "absolute-path": [entry(target, data=planted)],
        # A link to the host's folder, then a file written through it.
        "symlink-then-file": [entry("escape", tarfile.SYMTYPE, link=parent),
                              entry("escape/" + os.path.basename(target), data=planted)],
        "relative-symlink-then-file": [
            entry("escape", tarfile.SYMTYPE, link=up + parent.lstrip("/")),
            entry("escape/" + os.path.basename(target), data=planted)],
        # A hard link to a host file, then data written into the link.
        "hardlink-outside": [entry("hard", tarfile.LNKTYPE, link=target)],
        "hardlink-dotdot": [entry("hard", tarfile.LNKTYPE, link=up + target.lstrip("/"))],
        # A whiteout whose path climbs out: it would delete the host's file.
        "whiteout-dotdot": [entry(up + parent.lstrip("/") + "/.wh." + os.path.basename(target))],
        "opaque-whiteout-escape": [entry("escape", tarfile.SYMTYPE, link=parent),
                                   entry("escape/.wh..wh..opq")],
        # A block device node for a loop disk: kept out of reach by nodev and the filter.
        "block-device": [entry("disk", tarfile.BLKTYPE, mode=0o666, devmajor=7, devminor=0)],
        # A set-user-ID root copy of busybox: no way up for the container's other users.
        "setuid-root-busybox": [entry("bin/suid-busybox", data=open("/bin/busybox", "rb").read(),
                                      mode=0o4755)],
    }
    return layers.get(kind)


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def put_blob(out, data):
    digest = sha256(data)
    with open(os.path.join(out, "blobs", "sha256", digest[7:]), "wb") as f:
        f.write(data)
    return digest


def blob(out, digest):
    with open(os.path.join(out, "blobs", "sha256", digest[7:]), "rb") as f:
        return f.read()


def main():
    base, out, kind = sys.argv[1:4]
    target = sys.argv[4] if len(sys.argv) > 4 else "/nonexistent/target"
    shutil.copytree(base, out)
    index = json.load(open(os.path.join(out, "index.json")))
    desc = index["manifests"][0]
    manifest = json.loads(blob(out, desc["digest"]))

    entries = layer_entries(kind, target)
    if entries is not None:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for info, data in entries:
                tar.addfile(info, data)
        data = gzip.compress(raw.getvalue())
        manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": put_blob(out, data), "size": len(data)})
        config = json.loads(blob(out, manifest["config"]["digest"]))
        config["rootfs"]["diff_ids"].append(sha256(raw.getvalue()))
        config_data = json.dumps(config).encode()
        manifest["config"].update(digest=put_blob(out, config_data), size=len(config_data))
    elif kind == "layer-digest-mismatch":  # a sound layer, but not the one its digest names
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            tar.addfile(*entry("swapped", data=b"not the layer the manifest names\n"))
        path = os.path.join(out, "blobs", "sha256", manifest["layers"][0]["digest"][7:])
        os.chmod(path, 0o644)
        data = gzip.compress(raw.getvalue())
        with open(path, "wb") as f:
            f.write(data)
        manifest["layers"][0]["size"] = len(data)
    elif kind == "layer-missing":
        os.unlink(os.path.join(out, "blobs", "sha256", manifest["layers"][0]["digest"][7:]))
    elif kind == "layer-not-gzip":
        data = b"this is no tar and no gzip\n" * 100
        manifest["layers"][0].update(digest=put_blob(out, data), size=len(data))
    elif kind == "layer-unknown-media-type":
        manifest["layers"][0]["mediaType"] = "application/x-made-up"
    elif kind == "layer-digest-not-sha256":
        manifest["layers"][0]["digest"] = "md5:0123456789abcdef0123456789abcdef"
    elif kind == "digest-path-escape":  # a digest that is a path, not hex
        manifest["layers"][0]["digest"] = "sha256:../../../../etc/passwd"
    elif kind == "config-not-json":
        data = b"{not json"
        manifest["config"].update(digest=put_blob(out, data), size=len(data))
    elif kind == "config-user-unknown":
        config = json.loads(blob(out, manifest["config"]["digest"]))
        config.setdefault("config", {})["User"] = "nosuchuser"
        data = json.dumps(config).encode()
        manifest["config"].update(digest=put_blob(out, data), size=len(data))
    elif kind == "manifest-size-lies":
        desc["size"] = desc["size"] + 1
    elif kind == "schema1-manifest":
        manifest = {"schemaVersion": 1, "name": "x", "tag": "latest", "fsLayers": []}
    elif kind == "no-such-tag":
        desc["annotations"]["org.opencontainers.image.ref.name"] = "other"
    else:
        raise SystemExit("unknown kind " + kind)

    if kind != "manifest-size-lies":
        data = json.dumps(manifest).encode()
        desc.update(digest=put_blob(out, data), size=len(data))
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main()
