#!/usr/bin/env bats
# Devices: linux.resources.devices in real containers run by runsc (the host's devices cgroup on v1, the eBPF
# device program on cgroup v2; tests/unit/test-cgroup-devices.c covers the program on this host's cgroup2 mount),
# and the Sentry's opens of device nodes on the app's behalf held to the container's rules (a pod member's, whose
# cgroup the Sentry is not in). /dev/fuse's numbers (10:229) are the forbidden device: not in runc's defaults,
# and opening it needs no privilege. Where runc is installed, the same bundle run by runc must agree.

load helpers

setup ()
{
  common_setup
  POD=$ID-pod
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT"
  # mknod needs CAP_MKNOD; the rest are the template's.
  bundle_caps "$BUNDLE" CAP_MKNOD CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE
}

teardown ()
{
  common_teardown
}

# --userns=host: this suite is about the device cgroup, probed with nodes the container mknods (CAP_MKNOD over
# the host) and host nodes passed in as root owns them; in the sandbox's default user namespace mknod is refused
# and the Sentry makes linux.devices' nodes itself (the last test).
rs ()
{
  "$RUNSC" --root "$ROOT" --userns=host "$@" 3>&-
}

# Run the bundle to completion with runsc; $status and $output as bats' run sets them.
run_runsc ()
{
  status=0
  rs run --bundle "$BUNDLE" "$ID" < /dev/null > "$OUT/run.out" 2>&1 || status=$?
  output=$(cat "$OUT/run.out")
}

# The same with runc, when it is installed (prints nothing otherwise).
run_runc ()
{
  local root=$BATS_TEST_TMPDIR/runc-root
  command -v runc > /dev/null || return 0
  mkdir -p "$root"
  runc --root "$root" run --bundle "$BUNDLE" "$ID-runc" < /dev/null 2>&1 3>&- || true
  runc --root "$root" delete -f "$ID-runc" > /dev/null 2>&1 || true
}

# Opens a node of major:minor made with mknod, and /dev/null, and prints what happened to each.
PROBE='mknod /tmp/node c $0 $1 || echo mknod-failed
  if (exec 3<> /tmp/node); then echo node-opened; else echo node-refused; fi
  if (exec 4<> /dev/null); then echo null-opened; else echo null-refused; fi'

@test "devices: runc's default rules: a mknod'ed node of a device not allowed gets EPERM, /dev/null works" {
  bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  bundle_args "$BUNDLE" /bin/sh -c "$PROBE" 10 229
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has "Operation not permitted"
  assert_output_has node-refused
  assert_output_has null-opened
  [[ $output != *mknod-failed* ]] || fail "mknod is allowed (rule c *:* m): $output"
  runc_out=$(run_runc)
  [ -z "$runc_out" ] || [[ $runc_out == *node-refused*null-opened* ]] || fail "runc disagrees: $runc_out"
}

@test "devices: an allow rule for the device's numbers lets the mknod'ed node open" {
  bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"},
    {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
  bundle_args "$BUNDLE" /bin/sh -c "$PROBE" 10 229
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has node-opened
  assert_output_has null-opened
}

@test "devices: an allow rule for read only: the node opens for reading, not for writing" {
  bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"},
    {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
  bundle_args "$BUNDLE" /bin/sh -c 'mknod /tmp/node c 10 229
    if (exec 3< /tmp/node); then echo read-opened; else echo read-refused; fi
    if (exec 4> /tmp/node); then echo write-opened; else echo write-refused; fi'
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has read-opened
  assert_output_has write-refused
}

@test "devices: a spec rule denying /dev/null's numbers does not take /dev/null away (runc's defaults come last)" {
  bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"},
    {"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
  bundle_args "$BUNDLE" /bin/sh -c "$PROBE" 1 3
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has node-opened
  assert_output_has null-opened
  runc_out=$(run_runc)
  [ -z "$runc_out" ] || [[ $runc_out == *node-opened*null-opened* ]] || fail "runc disagrees: $runc_out"
}

@test "devices: a device passed in linux.devices works with a matching allow rule, and is refused without one" {
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  bundle_jq "$BUNDLE" '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
    "fileMode": 438, "uid": 0, "gid": 0}]
    | .linux.resources.devices = [{"allow": false, "access": "rwm"},
      {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]'
  bundle_args "$BUNDLE" /bin/sh -c 'ls -l /dev/fuse; if (exec 3<> /dev/fuse); then echo fuse-opened; else echo fuse-refused; fi'
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has "10, 229"
  assert_output_has fuse-opened

  bundle_jq "$BUNDLE" '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  ID=$ID-2
  run_runsc
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has fuse-refused
  assert_output_has "Operation not permitted"
}

@test "devices: a pod member's rules hold for the Sentry's opens on its behalf (the Sentry is not in its cgroup)" {
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  # The sandbox allows /dev/fuse: the Sentry, in the sandbox's cgroup, may open it.
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}
    | .linux.resources.devices = [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]' --arg p "$POD"
  bundle_args "$BUNDLE" /bin/sleep 1000
  rs create --bundle "$BUNDLE" "$POD" < /dev/null > "$OUT/pod.out" 2>&1 || fail "create the pod: $(cat "$OUT/pod.out")"
  rs start "$POD" || fail "start the pod"

  APP=$BATS_TEST_TMPDIR/app
  cp -a "$BUNDLE" "$APP"
  bundle_args "$APP" /bin/sh -c "$PROBE; echo done" 10 229
  # The member: runc's defaults only.
  bundle_jq "$APP" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}
    | .linux.resources.devices = [{"allow": false, "access": "rwm"}]' --arg p "$POD"
  rs create --bundle "$APP" "$ID" < /dev/null > "$OUT/app.out" 2>&1 || fail "create the member: $(cat "$OUT/app.out")"
  rs start "$ID" || fail "start the member"
  wait_for_text "$OUT/app.out" done || fail "the member did not finish: $(cat "$OUT/app.out")"
  output=$(cat "$OUT/app.out")
  assert_output_has node-refused
  assert_output_has null-opened

  # The sandbox's own container, allowed, opens the same numbers.
  rs exec "$POD" /bin/sh -c "$PROBE" 10 229 > "$OUT/exec.out" 2>&1 3>&- || fail "exec: $(cat "$OUT/exec.out")"
  output=$(cat "$OUT/exec.out")
  assert_output_has node-opened
}

@test "devices: in the sandbox's default user namespace, linux.devices are made as runc makes them (numbers, mode, owner), and open" {
  # runtime-tools' linux_devices test: nodes the host does not have (10:666, 8:666, a fifo) failed create with
  # "bind device /dev/test1: No such file or directory". The Sentry now makes them on a tmpfs of its own
  # (devices.h); /dev/mynull (1:3) shows the node opens (no nodev) under the device cgroup's allow rule.
  command -v runc > /dev/null || skip "runc is needed for the side-by-side answer"
  [ ! -e /dev/test1 ] || skip "the host has a /dev/test1"
  bundle_caps "$BUNDLE" CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE
  bundle_jq "$BUNDLE" '.linux.devices = [
      {path: "/dev/test1", type: "c", major: 10, minor: 666, fileMode: 432, uid: 0, gid: 0},
      {path: "/dev/test2", type: "b", major: 8, minor: 666, fileMode: 384, uid: 1000, gid: 1000},
      {path: "/dev/test3", type: "p", fileMode: 420, uid: 0, gid: 1000},
      {path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 438}]
    | .linux.resources.devices = [{allow: false, access: "rwm"},
      {allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
  bundle_args "$BUNDLE" /bin/sh -c 'stat -c "%n %F %t:%T %a %u:%g" /dev/test1 /dev/test2 /dev/test3 /dev/mynull
    if echo x > /dev/mynull; then echo mynull-written; else echo mynull-refused; fi
    if (exec 3<> /dev/test1); then echo test1-opened; else echo test1-refused; fi'
  status=0
  "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$OUT/run.out" 2>&1 3>&- || status=$?
  output=$(cat "$OUT/run.out")
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  echo "# runsc: $(tr '\n' ';' <<< "$output")" >&3
  local runc_out
  runc_out=$(run_runc)
  [ "$output" = "$runc_out" ] || fail "runsc and runc differ: runsc [$output] runc [$runc_out]"
  assert_output_has "/dev/test1 character special file a:29a 660 0:0"
  assert_output_has "/dev/test2 block special file 8:29a 600 1000:1000"
  assert_output_has "/dev/test3 fifo 0:0 644 0:1000"
  assert_output_has mynull-written
  assert_output_has test1-refused
}
