#!/usr/bin/python3
"""cri.py: the project's Kubernetes CRI client for tests (it plays the kubelet's part; not installed).

It drives containerd's CRI plugin over its gRPC socket with messages generated at run time from
tests/cri/cri-subset.proto by `python3 -m grpc_tools.protoc` (Debian's python3-grpc-tools), into
$CRI_GEN_DIR (default: a directory under $TMPDIR named after the .proto's digest).

Usage: cri.py --sock SOCK COMMAND [ARGS]

  version                         runtime name and versions
  status                          runtime conditions and the CRI plugin's config (JSON)
  images                          image names the CRI image service lists, one a line
  runp POD.json [HANDLER]         RunPodSandbox with the PodSandboxConfig in POD.json; prints the pod id
  inspectp POD                    PodSandboxStatus (verbose), as JSON (info values parsed from JSON)
  pods                            ListPodSandbox, as JSON
  stopp POD / rmp POD             StopPodSandbox / RemovePodSandbox
  create POD CTR.json POD.json    CreateContainer (ContainerConfig from CTR.json); prints the container id
  start ID                        StartContainer
  inspect ID                      ContainerStatus (verbose), as JSON (info values parsed from JSON)
  ps [POD]                        ListContainers (of one pod), as JSON
  stop ID [TIMEOUT]               StopContainer (grace period in seconds, default 0)
  rm ID                           RemoveContainer
  update ID RESOURCES.json        UpdateContainerResources (LinuxContainerResources from the file)
  stats ID                        ContainerStats, as JSON
  exec-sync ID TIMEOUT CMD...     ExecSync: the command's stdout and stderr on ours, its exit code as ours
  exec [-i] [-t] ID CMD...        Exec through the streaming server (WebSocket, v4.channel.k8s.io): stdin
                                  (-i) from ours, output to ours, the command's exit code as ours
  attach [-i] [-t] ID             Attach to the container's stdio in the same way; ends when it does
  wait ID STATE [SECONDS]         poll ContainerStatus until the state is STATE (CONTAINER_EXITED, ...)

JSON files use the CRI API's field names (PodSandboxConfig, ContainerConfig, LinuxContainerResources).
A gRPC error prints "grpc CODE: details" on stderr and exits 1 (exec: 1 as well, with the server's words).
"""

import base64
import hashlib
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "cri-subset.proto")


def load_generated():
    """Generate the Python messages and stubs from the .proto (once per digest) and import them."""
    with open(PROTO, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    gen = os.environ.get("CRI_GEN_DIR") or os.path.join(tempfile.gettempdir(), "cri-gen-" + digest)
    stamp = os.path.join(gen, "stamp-" + digest)
    if not os.path.exists(stamp):
        os.makedirs(gen, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=gen)
        cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I" + HERE, "--python_out=" + tmp,
               "--grpc_python_out=" + tmp, PROTO]
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if res.returncode != 0:
            sys.exit("cri.py: %s failed: %s" % (" ".join(cmd), res.stdout.decode(errors="replace")))
        for name in os.listdir(tmp):
            os.replace(os.path.join(tmp, name), os.path.join(gen, name))
        os.rmdir(tmp)
        open(stamp, "w").close()
    sys.path.insert(0, gen)
    import cri_subset_pb2  # noqa: E402
    import cri_subset_pb2_grpc  # noqa: E402
    return cri_subset_pb2, cri_subset_pb2_grpc


pb, pb_grpc = load_generated()

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402


class Client:
    def __init__(self, sock):
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.rt = pb_grpc.RuntimeServiceStub(self.channel)
        self.img = pb_grpc.ImageServiceStub(self.channel)

    def call(self, stub, method, request, timeout=180):
        try:
            return getattr(stub, method)(request, timeout=timeout)
        except grpc.RpcError as err:
            print("grpc %s: %s" % (err.code().name, err.details()), file=sys.stderr)
            sys.exit(1)


def to_json(msg):
    return json.loads(json_format.MessageToJson(msg, preserving_proto_field_name=True,
                                                including_default_value_fields=True))


def with_info(msg):
    """A *StatusResponse as JSON, its info map's values parsed when they are JSON."""
    out = to_json(msg)
    info = {}
    for key, value in msg.info.items():
        try:
            info[key] = json.loads(value)
        except ValueError:
            info[key] = value
    out["info"] = info
    return out


def read_json(path, message):
    with open(path) as f:
        return json_format.ParseDict(json.load(f), message)


def dump(obj):
    print(json.dumps(obj, indent=1, sort_keys=True))


# --- streaming (Exec, Attach): a minimal WebSocket client for the kubelet's streaming protocol ---

STDIN, STDOUT, STDERR, ERROR, RESIZE = range(5)


class WebSocket:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise SystemExit("cri.py: streaming URL %s: only http is supported" % url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n" % (path, u.netloc, key))
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SystemExit("cri.py: %s: the streaming server closed the connection: %r" % (url, head))
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status + " ":
            raise SystemExit("cri.py: %s: no WebSocket upgrade: %s" % (url, head.decode(errors="replace")))
        self.sock.settimeout(None)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, payload, opcode=2):
        header = bytearray([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack("!H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", n)
        mask = os.urandom(4)
        header += mask
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + masked)

    def recv(self):
        """The next data message (bytes), or None at a close frame or the end of the connection."""
        message = b""
        try:
            while True:
                b0, b1 = self._read(2)
                opcode, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._read(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read(8))[0]
                mask = self._read(4) if b1 & 0x80 else None
                payload = self._read(n)
                if mask:
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                if opcode == 8:
                    return None
                if opcode == 9:
                    self.send(payload, opcode=10)
                    continue
                if opcode == 10:
                    continue
                message += payload
                if b0 & 0x80:
                    return message
        except EOFError:
            return None

    def pending(self):
        return bool(self.buf)


def stream(url, send_stdin):
    """Run one exec/attach stream; return the exit code (from the error channel's Status)."""
    ws = WebSocket(url)
    code = None
    stdin_open = send_stdin
    while True:
        fds = [ws.sock] + ([sys.stdin.buffer] if stdin_open else [])
        ready = [ws.sock] if ws.pending() else select.select(fds, [], [])[0]
        if stdin_open and sys.stdin.buffer in ready:
            data = os.read(sys.stdin.fileno(), 65536)
            if data:
                ws.send(bytes([STDIN]) + data)
            else:
                stdin_open = False  # v4 of the protocol has no way to close the remote stdin
        if ws.sock not in ready and not ws.pending():
            continue
        msg = ws.recv()
        if msg is None:
            break
        if not msg:
            continue
        channel, data = msg[0], msg[1:]
        if channel == STDOUT:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        elif channel == STDERR:
            sys.stderr.buffer.write(data)
            sys.stderr.buffer.flush()
        elif channel == ERROR and data:
            try:
                status = json.loads(data)
            except ValueError:
                print("cri.py: stream error: %s" % data.decode(errors="replace"), file=sys.stderr)
                code = 1
                continue
            if status.get("status") == "Success":
                code = 0
            else:
                for cause in (status.get("details") or {}).get("causes") or []:
                    if cause.get("reason") == "ExitCode":
                        code = int(cause.get("message"))
                if code is None:
                    print("cri.py: stream: %s" % status.get("message", data.decode()), file=sys.stderr)
                    code = 1
    ws.sock.close()
    return 0 if code is None else code


# --- commands ---

def cmd_version(c):
    dump(to_json(c.call(c.rt, "Version", pb.VersionRequest(version="v1"))))


def cmd_status(c):
    dump(with_info(c.call(c.rt, "Status", pb.StatusRequest(verbose=True))))


def cmd_images(c):
    for image in c.call(c.img, "ListImages", pb.ListImagesRequest()).images:
        for tag in image.repo_tags:
            print(tag)


def cmd_runp(c, pod_json, handler=""):
    config = read_json(pod_json, pb.PodSandboxConfig())
    resp = c.call(c.rt, "RunPodSandbox", pb.RunPodSandboxRequest(config=config, runtime_handler=handler))
    print(resp.pod_sandbox_id)


def cmd_inspectp(c, pod):
    dump(with_info(c.call(c.rt, "PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=pod, verbose=True))))


def cmd_pods(c):
    dump(to_json(c.call(c.rt, "ListPodSandbox", pb.ListPodSandboxRequest())))


def cmd_stopp(c, pod):
    c.call(c.rt, "StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod))


def cmd_rmp(c, pod):
    c.call(c.rt, "RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def cmd_create(c, pod, ctr_json, pod_json):
    request = pb.CreateContainerRequest(pod_sandbox_id=pod, config=read_json(ctr_json, pb.ContainerConfig()),
                                        sandbox_config=read_json(pod_json, pb.PodSandboxConfig()))
    print(c.call(c.rt, "CreateContainer", request).container_id)


def cmd_start(c, cid):
    c.call(c.rt, "StartContainer", pb.StartContainerRequest(container_id=cid))


def cmd_inspect(c, cid):
    dump(with_info(c.call(c.rt, "ContainerStatus", pb.ContainerStatusRequest(container_id=cid, verbose=True))))


def cmd_ps(c, pod=""):
    request = pb.ListContainersRequest(filter=pb.ContainerFilter(pod_sandbox_id=pod))
    dump(to_json(c.call(c.rt, "ListContainers", request)))


def cmd_stop(c, cid, timeout="0"):
    c.call(c.rt, "StopContainer", pb.StopContainerRequest(container_id=cid, timeout=int(timeout)),
           timeout=int(timeout) + 120)


def cmd_rm(c, cid):
    c.call(c.rt, "RemoveContainer", pb.RemoveContainerRequest(container_id=cid))


def cmd_update(c, cid, res_json):
    request = pb.UpdateContainerResourcesRequest(container_id=cid,
                                                 linux=read_json(res_json, pb.LinuxContainerResources()))
    c.call(c.rt, "UpdateContainerResources", request)


def cmd_stats(c, cid):
    dump(to_json(c.call(c.rt, "ContainerStats", pb.ContainerStatsRequest(container_id=cid))))


def cmd_exec_sync(c, cid, timeout, *argv):
    resp = c.call(c.rt, "ExecSync", pb.ExecSyncRequest(container_id=cid, cmd=list(argv), timeout=int(timeout)),
                  timeout=int(timeout) + 60 if int(timeout) else 600)
    sys.stdout.buffer.write(resp.stdout)
    sys.stderr.buffer.write(resp.stderr)
    sys.stdout.flush()
    sys.exit(resp.exit_code)


def _stream_flags(args):
    stdin = tty = False
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag == "-i":
            stdin = True
        elif flag == "-t":
            tty = True
        elif flag == "--":
            break
        else:
            raise SystemExit("cri.py: unknown flag %s" % flag)
    return stdin, tty, args


def cmd_exec(c, *args):
    stdin, tty, args = _stream_flags(list(args))
    cid, argv = args[0], args[1:]
    request = pb.ExecRequest(container_id=cid, cmd=argv, tty=tty, stdin=stdin, stdout=True, stderr=not tty)
    url = c.call(c.rt, "Exec", request).url
    sys.exit(stream(url, stdin))


def cmd_attach(c, *args):
    stdin, tty, args = _stream_flags(list(args))
    request = pb.AttachRequest(container_id=args[0], stdin=stdin, tty=tty, stdout=True, stderr=not tty)
    url = c.call(c.rt, "Attach", request).url
    sys.exit(stream(url, stdin))


def cmd_wait(c, cid, state, seconds="30"):
    deadline = time.time() + float(seconds)
    now = None
    while time.time() < deadline:
        resp = c.call(c.rt, "ContainerStatus", pb.ContainerStatusRequest(container_id=cid))
        now = pb.ContainerState.Name(resp.status.state)
        if now == state:
            return
        time.sleep(0.1)
    print("container %s: state %s after %ss, expected %s" % (cid, now, seconds, state), file=sys.stderr)
    sys.exit(1)


COMMANDS = {
    "version": cmd_version, "status": cmd_status, "images": cmd_images,
    "runp": cmd_runp, "inspectp": cmd_inspectp, "pods": cmd_pods, "stopp": cmd_stopp, "rmp": cmd_rmp,
    "create": cmd_create, "start": cmd_start, "inspect": cmd_inspect, "ps": cmd_ps, "stop": cmd_stop,
    "rm": cmd_rm, "update": cmd_update, "stats": cmd_stats, "exec-sync": cmd_exec_sync, "exec": cmd_exec,
    "attach": cmd_attach, "wait": cmd_wait,
}


def main(argv):
    sock = os.environ.get("CRI_SOCK", "/run/containerd/containerd.sock")
    if len(argv) >= 2 and argv[0] == "--sock":
        sock, argv = argv[1], argv[2:]
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    COMMANDS[argv[0]](Client(sock), *argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
