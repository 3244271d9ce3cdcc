#!/usr/bin/env bats
# linux.namespaces beside runc: joining network and IPC namespaces by path works as under runc; joining a mount
# namespace by path and a spec without a mount namespace are refused with an error that names the namespace
# and the reason, leaving nothing behind (runsc(8), NOTES); linux.sysctl in the sandbox's new namespaces.

load helpers

setup ()
{
  common_setup
  command -v runc > /dev/null || fail "runc is needed for the side-by-side answers (tests/packages.txt)"
  RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
  HOLDER=
}

teardown ()
{
  [ -z "${RUNC_ROOT:-}" ] || runc --root "$RUNC_ROOT" delete --force "$ID-runc" > /dev/null 2>&1 || true
  [ -z "${HOLDER:-}" ] || { kill "$HOLDER" 2> /dev/null; wait "$HOLDER" 2> /dev/null; } || true
  [ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2> /dev/null || true
  common_teardown
}

# Nothing of the refused container is left: no state, no process naming the bundle.
assert_nothing_left ()
{
  [ -z "$(runtime list -q 2> /dev/null)" ] || fail "runsc list shows: $(runtime list -q)"
  [ -z "$(procs_naming "$BUNDLE")" ] || fail "processes left: $(procs_naming "$BUNDLE")"
}

@test "compat-namespaces: network and IPC namespaces joined by path, as under runc" {
  unshare -n -i sleep 600 &
  HOLDER=$!
  local n=0
  while [ "$(readlink /proc/$HOLDER/ns/net)" = "$(readlink /proc/self/ns/net)" ] && [ $n -lt 100 ]; do
    sleep 0.05
    n=$((n + 1))
  done
  nsenter -t "$HOLDER" -n ip link add rsc0 type veth peer name rsc1 || fail "veth in the holder's namespace"
  nsenter -t "$HOLDER" -i ipcmk -M 4096 > /dev/null || fail "shm segment in the holder's namespace"
  bundle_jq "$BUNDLE" '(.linux.namespaces) |= map(if .type == "network" then .path = $n
      elif .type == "ipc" then .path = $i else . end)' \
    --arg n /proc/$HOLDER/ns/net --arg i /proc/$HOLDER/ns/ipc
  bundle_args "$BUNDLE" sh -c 'ls /sys/class/net | sort | tr "\n" " "; echo; tail -n +2 /proc/sysvipc/shm | wc -l'
  local a b
  a=$(timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null 2> "$BATS_TEST_TMPDIR/runsc.err" 3>&-) \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  b=$(timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null 2> "$BATS_TEST_TMPDIR/runc.err" 3>&-) \
    || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  echo "# runsc: $a" >&3
  [ "$a" = "$b" ] || fail "runsc [$a], runc [$b]"
  [[ $a == *rsc0* && $a == *rsc1* ]] || fail "the holder's links are not in the container: $a"
  [ "$(tail -n 1 <<< "$a")" = 1 ] || fail "the holder's shm segment is not in the container: $a"
}

@test "compat-namespaces: a mount namespace by path is refused, naming the path and the reason" {
  bundle_jq "$BUNDLE" '(.linux.namespaces) |= map(if .type == "mount" then .path = "/proc/1/ns/mnt" else . end)'
  run_create
  [ "$status" -ne 0 ] || fail "create joined a mount namespace by path"
  [[ $output == *"mount namespace (/proc/1/ns/mnt) is not supported"*"of its own"* ]] || fail "error: $output"
  assert_nothing_left
}

@test "compat-namespaces: a spec without a mount namespace is refused with the reason (runc runs it in the host's root)" {
  bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "mount")) | del(.linux.maskedPaths)
      | del(.linux.readonlyPaths)'
  bundle_args "$BUNDLE" readlink /proc/self/ns/mnt
  run_create
  [ "$status" -ne 0 ] || fail "create accepted a spec without a mount namespace"
  [[ $output == *"no mount namespace"*"host's"* ]] || fail "error: $output"
  assert_nothing_left
  # runc's answer: the process runs in the host's mount namespace.
  run timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" 3>&-
  [ "$status" -eq 0 ] && [ "$output" = "$(readlink /proc/self/ns/mnt)" ] || fail "runc: $status $output"
}

@test "compat-namespaces: linux.sysctl sets IPC, mqueue and net sysctls of the sandbox's new namespaces, as under runc" {
  # The Kubernetes safe sysctl kernel.shm_rmid_forced (critest "should support safe sysctls") failed create with
  # "Permission denied": in the sandbox's user namespace the IPC and mqueue sysctls are writable only by that
  # namespace's root, not by host root. The values below differ from Linux's defaults.
  local keys='kernel.shm_rmid_forced kernel.msgmax kernel.sem fs.mqueue.msg_max net.ipv4.ip_unprivileged_port_start'
  local host
  host=$(cat /proc/sys/kernel/shm_rmid_forced /proc/sys/fs/mqueue/msg_max)
  bundle_jq "$BUNDLE" '.linux.sysctl = {"kernel.shm_rmid_forced": "1", "kernel.msgmax": "9000",
      "kernel.sem": "250 32000 32 200", "fs.mqueue.msg_max": "100", "net.ipv4.ip_unprivileged_port_start": "0"}'
  bundle_args "$BUNDLE" sh -c 'for k in '"$keys"'; do printf "%s=%s\n" $k "$(cat /proc/sys/$(echo $k | tr . /) | tr -s "\t " " ")"; done'
  local a b
  a=$(timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null 2> "$BATS_TEST_TMPDIR/runsc.err" 3>&-) \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  b=$(timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null 2> "$BATS_TEST_TMPDIR/runc.err" 3>&-) \
    || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  echo "# runsc: $(tr '\n' ';' <<< "$a")" >&3
  [ "$a" = "$b" ] || fail "runsc [$a], runc [$b]"
  [ "$a" = "$(printf '%s\n' kernel.shm_rmid_forced=1 kernel.msgmax=9000 'kernel.sem=250 32000 32 200' \
    fs.mqueue.msg_max=100 net.ipv4.ip_unprivileged_port_start=0)" ] || fail "not the spec's values: [$a]"
  # ... and the host's own values are untouched.
  [ "$(cat /proc/sys/kernel/shm_rmid_forced /proc/sys/fs/mqueue/msg_max)" = "$host" ] \
    || fail "the host's values changed: $(cat /proc/sys/kernel/shm_rmid_forced /proc/sys/fs/mqueue/msg_max), were $host"
}

@test "compat-namespaces: a hostPID pod's member, given the pod's pid namespace (the host's) by path, runs in it" {
  # critest "runtime should support HostPID": containerd names the pod's pid namespace /proc/<sandbox pid>/ns/pid
  # for every member; for a hostPID pod that is the host's, which the init, in the sandbox's user namespace,
  # may not setns into ("setns ...: Operation not permitted"). It is already the namespace the init is born in.
  local pod=$ID-pod member=$BATS_TEST_TMPDIR/member spid
  cp -a "$BUNDLE" "$member"
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox"}
      | .linux.namespaces |= map(select(.type != "pid"))'
  bundle_args "$BUNDLE" sleep 1000
  runtime create --bundle "$BUNDLE" "$pod" < /dev/null > "$BATS_TEST_TMPDIR/pod.out" 2>&1 \
    || fail "create the pod: $(cat "$BATS_TEST_TMPDIR/pod.out")"
  runtime start "$pod" || fail "start the pod"
  spid=$(state_field "$pod" pid)
  bundle_jq "$member" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}
      | .linux.namespaces = [{type: "pid", path: "/proc/\($s)/ns/pid"}, {type: "network", path: "/proc/\($s)/ns/net"},
        {type: "ipc", path: "/proc/\($s)/ns/ipc"}, {type: "uts", path: "/proc/\($s)/ns/uts"}, {type: "mount"}]' \
    --arg p "$pod" --arg s "$spid"
  bundle_args "$member" sh -c 'readlink /proc/self/ns/pid; echo member-ran'
  runtime create --bundle "$member" "$ID-m" < /dev/null > "$BATS_TEST_TMPDIR/m.out" 2>&1 \
    || fail "create the member: $(cat "$BATS_TEST_TMPDIR/m.out")"
  runtime start "$ID-m" || fail "start the member"
  wait_for_text "$BATS_TEST_TMPDIR/m.out" member-ran 20 || fail "member: $(cat "$BATS_TEST_TMPDIR/m.out")"
  [ "$(head -n 1 "$BATS_TEST_TMPDIR/m.out")" = "$(readlink /proc/self/ns/pid)" ] \
    || fail "the member is not in the host's pid namespace: $(cat "$BATS_TEST_TMPDIR/m.out")"
  runtime delete --force "$ID-m" > /dev/null 2>&1 || true
  runtime delete --force "$pod" > /dev/null 2>&1 || true
}

@test "compat-namespaces: in a network namespace the host made (a pod's), container root listens on port 80, as under runc" {
  # critest's port mapping, portforward and multi-container network tests: the pod's web server could not bind
  # port 80 ("bind: Permission denied"): the CNI namespace belongs to the host's user namespace, over which
  # container root holds no CAP_NET_BIND_SERVICE. runsc opens the low ports in that namespace only.
  NETNS=rsc-$$-$RANDOM
  ip netns add "$NETNS" || fail "ip netns add"
  local host_before a b
  host_before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
  bundle_jq "$BUNDLE" '(.linux.namespaces) |= map(if .type == "network" then .path = $n else . end)' \
    --arg n "/var/run/netns/$NETNS"
  bundle_args "$BUNDLE" sh -c 'if nc -l -p 80 -e true & sleep 0.5; kill -0 $! 2> /dev/null; then echo port-80-listening; kill $!; else echo port-80-refused; fi'
  a=$(timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null 2> "$BATS_TEST_TMPDIR/runsc.err" 3>&-) \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  b=$(timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null 2> "$BATS_TEST_TMPDIR/runc.err" 3>&-) \
    || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  echo "# runsc: $a; runc: $b" >&3
  [ "$a" = port-80-listening ] && [ "$a" = "$b" ] || fail "runsc [$a $(cat "$BATS_TEST_TMPDIR/runsc.err")], runc [$b]"
  [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$host_before" ] || fail "the host's threshold changed"
  # A spec that sets the threshold itself keeps it: then container root may not bind port 80.
  bundle_jq "$BUNDLE" '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "1024"}'
  a=$(timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID-2" < /dev/null 2> "$BATS_TEST_TMPDIR/runsc.err" 3>&-) \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  [ "$a" = port-80-refused ] || fail "with the spec's 1024: [$a]"
}
