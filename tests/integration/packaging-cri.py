#!/usr/bin/python3
"""A minimal Kubernetes CRI client for tests/integration/packaging.bats (Debian has no crictl).

It speaks containerd's CRI gRPC service (runtime.v1, falling back to v1alpha2) with python3-grpcio and a small
protobuf encoder for the handful of messages it needs, so that the test can do what the kubelet does with a
RuntimeClass: run a pod sandbox with a runtime handler.

  packaging-cri.py status SOCK                    runtime conditions, then the CRI config's runtimes (JSON)
  packaging-cri.py runp SOCK HANDLER NAME         RunPodSandbox (host network); prints the sandbox id
  packaging-cri.py inspectp SOCK ID               state (SANDBOX_READY...), runtime handler, runtime type
  packaging-cri.py rmp SOCK ID                    StopPodSandbox and RemovePodSandbox
  packaging-cri.py pause-image OUT.tar BUSYBOX NAME   an OCI image archive whose only file is a static busybox
                                                  and whose entrypoint sleeps, named NAME (the sandbox image)

Errors from containerd are printed on stderr as "grpc CODE: details" with exit status 1.
"""

import hashlib
import io
import json
import sys
import tarfile

import grpc

# Protobuf wire format: just enough to build requests and read responses.


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(num, value):
    return _varint(num << 3) + _varint(value)


def f_bytes(num, data):
    if isinstance(data, str):
        data = data.encode()
    return _varint(num << 3 | 2) + _varint(len(data)) + data


def f_map(num, mapping):
    return b"".join(f_bytes(num, f_bytes(1, k) + f_bytes(2, v)) for k, v in mapping.items())


def decode(data):
    """Message bytes -> {field number: [values]} (varints as int, length-delimited as bytes)."""
    fields = {}
    i = 0
    while i < len(data):
        key, i = _read_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
        elif wire == 2:
            length, i = _read_varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        fields.setdefault(num, []).append(value)
    return fields


def _read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def decode_map(entries):
    out = {}
    for entry in entries:
        kv = decode(entry)
        out[kv.get(1, [b""])[0].decode()] = kv.get(2, [b""])[0].decode()
    return out


# CRI calls.

NODE = 2  # NamespaceMode.NODE: the host's network, so that the pod needs no CNI plugin


def call(sock, method, request):
    channel = grpc.insecure_channel("unix://" + sock)
    last = None
    for version in ("runtime.v1", "runtime.v1alpha2"):
        rpc = channel.unary_unary("/%s.RuntimeService/%s" % (version, method),
                                  request_serializer=None, response_deserializer=None)
        try:
            return rpc(request, timeout=120)
        except grpc.RpcError as err:
            last = err
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                break
    print("grpc %s: %s" % (last.code().name, last.details()), file=sys.stderr)
    sys.exit(1)


def cmd_status(sock):
    resp = decode(call(sock, "Status", f_varint(1, 1)))
    status = decode(resp.get(1, [b""])[0])
    for cond in status.get(1, []):
        c = decode(cond)
        print("condition %s=%s %s" % (c.get(1, [b""])[0].decode(), bool(c.get(2, [0])[0]),
                                      c.get(4, [b""])[0].decode()))
    info = decode_map(resp.get(2, []))
    config = json.loads(info.get("config", "{}"))
    print(json.dumps(config.get("containerd", {}).get("runtimes", {}), sort_keys=True))


def cmd_runp(sock, handler, name):
    metadata = f_bytes(1, name) + f_bytes(2, name + "-uid") + f_bytes(3, "runsc-packaging-test") + f_varint(4, 0)
    namespaces = f_varint(1, NODE) + f_varint(2, 0) + f_varint(3, 0)
    linux = f_bytes(2, f_bytes(1, namespaces))
    # No hostname: the kubelet sends none for a host-network pod (the pod has no UTS namespace of its own).
    config = f_bytes(1, metadata) + f_bytes(8, linux)
    resp = decode(call(sock, "RunPodSandbox", f_bytes(1, config) + f_bytes(2, handler)))
    print(resp[1][0].decode())


def cmd_inspectp(sock, sandbox_id):
    resp = decode(call(sock, "PodSandboxStatus", f_bytes(1, sandbox_id) + f_varint(2, 1)))
    status = decode(resp[1][0])
    state = {0: "SANDBOX_READY", 1: "SANDBOX_NOTREADY"}.get(status.get(3, [0])[0], "?")
    print("state %s" % state)
    print("runtime_handler %s" % status.get(9, [b""])[0].decode())
    info = json.loads(decode_map(resp.get(2, [])).get("info", "{}"))
    print("runtime_type %s" % info.get("runtimeType", ""))
    print("runtime_options %s" % json.dumps(info.get("runtimeOptions"), sort_keys=True))


def cmd_rmp(sock, sandbox_id):
    call(sock, "StopPodSandbox", f_bytes(1, sandbox_id))
    call(sock, "RemovePodSandbox", f_bytes(1, sandbox_id))


def cmd_pause_image(out, busybox, name):
    def blob(data):
        return "sha256:" + hashlib.sha256(data).hexdigest(), data

    layer_buf = io.BytesIO()
    with tarfile.open(fileobj=layer_buf, mode="w") as layer:
        info = tarfile.TarInfo("bin")
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        layer.addfile(info)
        with open(busybox, "rb") as f:
            data = f.read()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        layer.addfile(info, io.BytesIO(data))
    layer_digest, layer_data = blob(layer_buf.getvalue())
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Entrypoint": ["/bin/busybox", "sleep", "1000000"]},
              "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}
    config_digest, config_data = blob(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": config_digest, "size": len(config_data)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": layer_digest, "size": len(layer_data)}]}
    manifest_digest, manifest_data = blob(json.dumps(manifest).encode())
    index = {"schemaVersion": 2,
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": manifest_digest, "size": len(manifest_data),
                            "platform": {"architecture": "amd64", "os": "linux"},
                            "annotations": {"io.containerd.image.name": name,
                                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}}]}
    with tarfile.open(out, mode="w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in ((layer_digest, layer_data), (config_digest, config_data),
                             (manifest_digest, manifest_data)):
            add("blobs/sha256/" + digest.split(":", 1)[1], data)


COMMANDS = {"status": cmd_status, "runp": cmd_runp, "inspectp": cmd_inspectp, "rmp": cmd_rmp,
            "pause-image": cmd_pause_image}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
