#!/usr/bin/python3
"""oci-image.py: write an OCI image archive (oci-layout, index.json, blobs) from a directory, for
`ctr -n k8s.io images import` in the Kubernetes tests (no registry here).  Not installed.

Usage: oci-image.py OUT.tar NAME ROOTFS_DIR [--entrypoint JSON] [--cmd JSON] [--env K=V]... [--workdir DIR]

NAME is the full reference the image is imported as (e.g. k8s-test.local/busybox:1).  The image has one
uncompressed layer: ROOTFS_DIR's content with its modes, owners (numeric) and symbolic links.
"""

import argparse
import hashlib
import io
import json
import os
import tarfile


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def layer_of(rootfs):
    buf = io.BytesIO()

    def numeric(info):
        info.uname = info.gname = ""
        info.mtime = 0
        return info

    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(os.listdir(rootfs)):
            tar.add(os.path.join(rootfs, name), arcname=name, recursive=True, filter=numeric)
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser(description="write an OCI image archive from a directory")
    p.add_argument("out")
    p.add_argument("name")
    p.add_argument("rootfs")
    p.add_argument("--entrypoint", type=json.loads)
    p.add_argument("--cmd", type=json.loads)
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir")
    a = p.parse_args()

    layer_digest, layer_data = blob(layer_of(a.rootfs))
    cfg = {"Env": a.env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if a.entrypoint is not None:
        cfg["Entrypoint"] = a.entrypoint
    if a.cmd is not None:
        cfg["Cmd"] = a.cmd
    if a.workdir:
        cfg["WorkingDir"] = a.workdir
    config = {"architecture": "amd64", "os": "linux", "config": cfg,
              "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
              "history": [{"created_by": "tests/cri/oci-image.py"}]}
    config_digest, config_data = blob(json.dumps(config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": config_digest, "size": len(config_data)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": layer_digest, "size": len(layer_data)}]}
    manifest_digest, manifest_data = blob(json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2,
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": manifest_digest, "size": len(manifest_data),
                            "platform": {"architecture": "amd64", "os": "linux"},
                            "annotations": {"io.containerd.image.name": a.name,
                                            "org.opencontainers.image.ref.name": a.name.rsplit(":", 1)[-1]}}]}
    with tarfile.open(a.out, mode="w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in ((layer_digest, layer_data), (config_digest, config_data),
                             (manifest_digest, manifest_data)):
            add("blobs/sha256/" + digest.split(":", 1)[1], data)


if __name__ == "__main__":
    main()
