# tests/cri/k8s-helpers.bash: a private containerd with its CRI plugin, local images and a CNI bridge, for
# tests/integration/k8s.bats (load after helpers).  The tests play the kubelet's part with tests/cri/cri.py.
# The containerd is CONTAINERD_VERSION's (1.6, the host's, by default; 1.7 or 2 from Debian's packages, see
# tests/lib/containerd-versions.bash): k8s.bats calls containerd_select in setup_file.  The config below is
# written in version 2 syntax, which containerd 2.x migrates on load.
#
#   k8s_start            everything below, in $K8S_D (a fresh directory under $TMPDIR, default /tmp; sockets need short paths)
#   k8s_stop             remove every pod left (CRI), stop containerd by pid, kill shims and sandboxes still
#                        naming $K8S_D, unmount, delete the bridge, the pod cgroups and $K8S_D
#   cri ARGS...          tests/cri/cri.py against that containerd (bounded by a timeout)
#   k8s_pod_json NAME [NETWORK] [EXTRA_JQ]    write $K8S_D/pods/NAME.json, a PodSandboxConfig; print its path
#   k8s_ctr_json NAME IMAGE ARGS_JSON [JQ]    write a ContainerConfig; print its path
#   k8s_runp NAME HANDLER [NETWORK] [JQ]      RunPodSandbox; sets POD (id) and POD_JSON
#   k8s_runp_limited NAME HANDLER MEM [QUOTA PERIOD]  the same, with the kubelet's pod-level cgroup limits
#   k8s_run_ctr NAME ARGS_JSON [JQ]           CreateContainer + StartContainer in $POD; sets CTR
#   k8s_log NAME                 the CRI log file of container NAME of the current pod
#
# Layout of $K8S_D: config.toml, containerd.{log,pid,sock}, runsc.toml, runsc-root/ (runsc --root), net.d/
# (the CNI bridge network), cni-ipam/ (host-local's leases), images/ (the archives), logs/ (pods' log
# directories), debug/ (runsc --debug-log), pods/ (request JSON).
#
# Images (built here, imported into the k8s.io namespace): $K8S_PAUSE_IMAGE (tests/cri/pause.c, static, the
# only file) is the CRI plugin's sandbox_image; $K8S_BUSYBOX_IMAGE is the busybox-static root filesystem
# of tests/lib/bundle.bash, with no entrypoint and PATH set.
#
# Network: a bridge $K8S_BRIDGE created here with the gateway address $K8S_NET.1/24 on it (so the host reaches
# the pods, and nothing is forwarded anywhere else: the bridge plugin runs with isGateway false and ipMasq
# false, ip_forward is left as it is), pods get addresses from host-local in $K8S_NET.0/24.

K8S_CRI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
K8S_PY=/usr/bin/python3
K8S_PAUSE_IMAGE=k8s-test.local/pause:1
K8S_BUSYBOX_IMAGE=k8s-test.local/busybox:1
K8S_NS=k8s-test
export K8S_CRI_DIR K8S_PY K8S_PAUSE_IMAGE K8S_BUSYBOX_IMAGE K8S_NS

# shellcheck source=../lib/containerd-versions.bash
. "$K8S_CRI_DIR/../lib/containerd-versions.bash"
: "${CONTAINERD_VERSION:=1.6}"
export CONTAINERD_VERSION

cri ()
{
  timeout -k 5 "${CRI_TIMEOUT:-150}" "$K8S_PY" "$K8S_CRI_DIR/cri.py" --sock "$K8S_D/containerd.sock" "$@"
}

k8s_ctr ()
{
  timeout -k 5 120 ctr --address "$K8S_D/containerd.sock" -n k8s.io "$@"
}

_k8s_images ()
{
  local img=$K8S_D/images rootfs
  mkdir -p "$img/pause-root" || return 1
  cc -static -O2 -o "$img/pause-root/pause" "$K8S_CRI_DIR/pause.c" || return 1
  "$K8S_PY" "$K8S_CRI_DIR/oci-image.py" "$img/pause.tar" "$K8S_PAUSE_IMAGE" "$img/pause-root" \
    --entrypoint '["/pause"]' || return 1
  rootfs=$(bundle_rootfs_base) || return 1
  "$K8S_PY" "$K8S_CRI_DIR/oci-image.py" "$img/busybox.tar" "$K8S_BUSYBOX_IMAGE" "$rootfs" \
    --cmd '["/bin/sh"]' || return 1
  k8s_ctr images import "$img/pause.tar" > /dev/null || return 1
  k8s_ctr images import "$img/busybox.tar" > /dev/null || return 1
}

_k8s_network ()
{
  K8S_NET=$(pick_test_net) || { echo "no free 10.x.y.0/24 for the test bridge" >&2; return 1; }
  K8S_BRIDGE=rk8s$((RANDOM % 1000))x$$
  K8S_BRIDGE=${K8S_BRIDGE:0:15}
  export K8S_NET K8S_BRIDGE
  echo "$K8S_BRIDGE" > "$K8S_D/bridge"
  ip link add "$K8S_BRIDGE" type bridge || return 1
  ip addr add "$K8S_NET.1/24" dev "$K8S_BRIDGE" || return 1
  ip link set "$K8S_BRIDGE" up || return 1
  mkdir -p "$K8S_D/net.d" "$K8S_D/cni-ipam"
  cat > "$K8S_D/net.d/10-k8s-test.conflist" << EOF
{
  "cniVersion": "1.0.0",
  "name": "k8s-test-$$",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$K8S_BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$K8S_D/cni-ipam",
        "ranges": [[{ "subnet": "$K8S_NET.0/24", "rangeStart": "$K8S_NET.10", "rangeEnd": "$K8S_NET.250" }]]
      }
    },
    { "type": "loopback" }
  ]
}
EOF
}

k8s_start ()
{
  local i
  K8S_D=$(mktemp -d "${TMPDIR:-/tmp}/k8s-bats.XXXXXX")
  export K8S_D
  chmod 0755 "$K8S_D"
  mkdir -p "$K8S_D/root" "$K8S_D/state" "$K8S_D/runsc-root" "$K8S_D/logs" "$K8S_D/debug" "$K8S_D/pods"
  # The cgroup parent of every pod (cgroupfs driver, as the kubelet's /kubepods/...).
  K8S_CGROUP=/k8s-test-$$
  echo "$K8S_CGROUP" > "$K8S_D/cgroup"
  export K8S_CGROUP
  _k8s_network || return 1
  cat > "$K8S_D/runsc.toml" << EOF
# runsc.toml of the Kubernetes suite: the runsc under test, a private state root, debug logs per container.
binary_name = "$RUNSC"
root = "$K8S_D/runsc-root"
log_path = "$K8S_D/debug/%ID%/shim.log"
[runsc_config]
debug = "true"
debug-log = "$K8S_D/debug/%ID%/"
EOF
  cat > "$K8S_D/config.toml" << EOF
version = 2
root = "$K8S_D/root"
state = "$K8S_D/state"
[grpc]
  address = "$K8S_D/containerd.sock"
[ttrpc]
  address = "$K8S_D/containerd.sock.ttrpc"
[debug]
  level = "debug"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$K8S_PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$K8S_D/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
      runtime_type = "io.containerd.runsc.v1"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
        TypeUrl = "io.containerd.runsc.v1.options"
        ConfigPath = "$K8S_D/runsc.toml"
EOF
  PATH=$(dirname "$SHIM"):$PATH setsid containerd --config "$K8S_D/config.toml" \
    > "$K8S_D/containerd.log" 2>&1 < /dev/null &
  echo $! > "$K8S_D/containerd.pid"
  for i in $(seq 150); do
    if cri version > /dev/null 2>&1; then
      _k8s_images || { echo "importing the test images failed" >&2; return 1; }
      return 0
    fi
    sleep 0.2
  done
  echo "containerd did not start; its log:" >&2
  tail -n 40 "$K8S_D/containerd.log" >&2
  return 1
}

k8s_stop ()
{
  local p br
  [ -n "${K8S_D:-}" ] && [ -d "$K8S_D" ] || return 0
  if [ -S "$K8S_D/containerd.sock" ]; then
    for p in $(cri pods 2> /dev/null | jq -r '.items[]?.id'); do
      CRI_TIMEOUT=60 cri stopp "$p" > /dev/null 2>&1
      CRI_TIMEOUT=60 cri rmp "$p" > /dev/null 2>&1
    done
  fi
  stop_pid "$(cat "$K8S_D/containerd.pid" 2> /dev/null)" 50
  # Its shims and runsc sandboxes: every process whose command line names the directory.
  kill_naming_dir "$K8S_D"
  sleep 0.2
  umount_under "$K8S_D"
  br=$(cat "$K8S_D/bridge" 2> /dev/null)
  [ -n "$br" ] && ip link del "$br" 2> /dev/null
  rm_cgroup_tree "$(cat "$K8S_D/cgroup" 2> /dev/null)"
  rm -rf "$K8S_D"
}

# k8s_pod_json NAME [NETWORK: pod|node] [JQ]: a PodSandboxConfig as the kubelet sends it (metadata, hostname,
# log directory, cgroup parent /k8s-test-PID/podUID, namespace options, the kubelet's pod labels).
k8s_pod_json ()
{
  local name=$1 net=${2:-pod} filter=${3:-.} uid mode=POD out
  uid=$(cat /proc/sys/kernel/random/uuid)
  [ "$net" = node ] && mode=NODE
  out=$K8S_D/pods/$name.json
  mkdir -p "$K8S_D/logs/$name"
  jq -n --arg name "$name" --arg uid "$uid" --arg ns "$K8S_NS" --arg logdir "$K8S_D/logs/$name" \
    --arg cg "$K8S_CGROUP/pod$uid" --arg mode "$mode" '
    {
      metadata: { name: $name, uid: $uid, namespace: $ns, attempt: 0 },
      hostname: $name,
      log_directory: $logdir,
      labels: { "io.kubernetes.pod.name": $name, "io.kubernetes.pod.namespace": $ns,
                "io.kubernetes.pod.uid": $uid },
      annotations: { "kubernetes.io/config.source": "api" },
      linux: {
        cgroup_parent: $cg,
        security_context: { namespace_options: { network: $mode, pid: "CONTAINER", ipc: "POD" } }
      }
    } | if $mode == "NODE" then del(.hostname) else . end' | jq "$filter" > "$out" || return 1
  echo "$out"
}

# k8s_ctr_json NAME IMAGE ARGS_JSON [JQ]: a ContainerConfig (log path NAME/0.log in the pod's log directory).
k8s_ctr_json ()
{
  local name=$1 image=$2 args=$3 filter=${4:-.} out
  out=$K8S_D/pods/ctr-$name-$RANDOM.json
  jq -n --arg name "$name" --arg image "$image" --argjson args "$args" '
    {
      metadata: { name: $name, attempt: 0 },
      image: { image: $image },
      args: $args,
      log_path: ($name + "/0.log"),
      labels: { "io.kubernetes.container.name": $name },
      linux: { resources: {}, security_context: { namespace_options: { pid: "CONTAINER" } } }
    }' | jq "$filter" > "$out" || return 1
  echo "$out"
}

# k8s_runp NAME HANDLER [NETWORK] [JQ]: run a pod; POD is its id, POD_JSON its config, POD_NAME its name.
k8s_runp ()
{
  POD_NAME=$1
  POD_JSON=$(k8s_pod_json "$1" "${3:-pod}" "${4:-.}") || return 1
  POD=$(cri runp "$POD_JSON" "$2") || return 1
  export POD POD_JSON POD_NAME
}

# k8s_runp_limited NAME HANDLER MEMORY_BYTES [CPU_QUOTA CPU_PERIOD]: run a pod whose containers have limits, as
# the kubelet does: it makes the pod-level cgroup (cgroupfs driver) first, with the sum of the containers'
# limits (here one container's), and sends the same sum in LinuxPodSandboxConfig.resources.
k8s_runp_limited ()
{
  local name=$1 handler=$2 mem=$3 quota=${4:-} period=${5:-} cg
  POD_NAME=$name
  POD_JSON=$(k8s_pod_json "$name" pod ".linux.resources = {memory_limit_in_bytes: $mem}") || return 1
  cg=$(jq -r .linux.cgroup_parent "$POD_JSON")
  mkdir -p "/sys/fs/cgroup/memory$cg" || return 1
  echo "$mem" > "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes" || return 1
  if [ -n "$quota" ]; then
    mkdir -p "/sys/fs/cgroup/cpu$cg" || return 1
    echo "$period" > "/sys/fs/cgroup/cpu$cg/cpu.cfs_period_us" || return 1
    echo "$quota" > "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us" || return 1
  fi
  POD=$(cri runp "$POD_JSON" "$handler") || return 1
  export POD POD_JSON POD_NAME
}

# k8s_pod_cgroup_memory BYTES: what the kubelet does to the pod-level cgroup of $POD_JSON on a resize.
k8s_pod_cgroup_memory ()
{
  echo "$1" > "/sys/fs/cgroup/memory$(jq -r .linux.cgroup_parent "$POD_JSON")/memory.limit_in_bytes"
}

# k8s_run_ctr NAME ARGS_JSON [JQ]: create and start a busybox container in $POD; CTR is its id.
k8s_run_ctr ()
{
  local cfg
  cfg=$(k8s_ctr_json "$1" "$K8S_BUSYBOX_IMAGE" "$2" "${3:-.}") || return 1
  CTR=$(cri create "$POD" "$cfg" "$POD_JSON") || return 1
  cri start "$CTR" || return 1
  export CTR
}

# k8s_log NAME: the CRI log file of container NAME of pod $POD_NAME.
k8s_log ()
{
  echo "$K8S_D/logs/$POD_NAME/$1/0.log"
}

# Remove pod $1 (stop, then remove), failing loudly.
k8s_rmp ()
{
  cri stopp "$1" && cri rmp "$1"
}

# Show containerd's error lines since the last call (for a failing test's diagnostics).
k8s_diag ()
{
  local from=1
  [ -f "$K8S_D/diag.line" ] && from=$(cat "$K8S_D/diag.line")
  echo "--- containerd's errors during the test:" >&2
  tail -n +"$from" "$K8S_D/containerd.log" | grep -E 'level=(error|warning)' | cut -c1-400 | tail -n 20 >&2
  wc -l < "$K8S_D/containerd.log" | awk '{ print $1 + 1 }' > "$K8S_D/diag.line"
}
