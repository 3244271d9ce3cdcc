#!/usr/bin/env bats
# Privileged containers (CAP_SYS_ADMIN, CAP_NET_ADMIN), with runc's answer beside: inside a user namespace of
# their own, mount(2), umount2(2) and the network-configuration ioctls reach the kernel, which confines them to
# the container's namespaces; with the host's user namespace they stay refused (runsc(8), PRIVILEGED
# CONTAINERS). Also: a mount made inside never propagates back to the host.

load helpers

PRIV_CAPS=(CAP_SYS_ADMIN CAP_NET_ADMIN CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_SETUID CAP_SETGID CAP_MKNOD)

# Each step prints "NAME ok" or "NAME failed: MESSAGE"; the last step lists the bridge the ioctl made.
MOUNT_SCRIPT='
step () { name=$1; shift; if out=$("$@" 2>&1); then echo "$name ok"; else echo "$name failed: $out"; fi; }
mkdir -p /tmp/b /tmp/t
step tmpfs mount -t tmpfs -o size=1m none /tmp/t
step write-tmpfs sh -c "echo hi > /tmp/t/f"
step bind mount --bind /etc /tmp/b
step read-bind test -s /tmp/b/passwd
step umount-bind umount /tmp/b
step umount-tmpfs umount /tmp/t
step proc mount -t proc proc /tmp/b
step umount-proc umount /tmp/b
step gone test ! -e /tmp/t/f'

NET_SCRIPT='
step () { name=$1; shift; if out=$("$@" 2>&1); then echo "$name ok"; else echo "$name failed: $out"; fi; }
step brctl-addbr brctl addbr br0
step ip-link-bridge ip link add br1 type bridge
step ip-addr ip addr add 10.99.0.1/24 dev br1
step ip-up ip link set br1 up
step brctl-delbr brctl delbr br0
step list sh -c "ls /sys/class/net | grep -x br1"'

setup ()
{
  common_setup
  command -v runc > /dev/null || fail "runc is needed for the side-by-side answers (tests/packages.txt)"
  RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
  bundle_caps "$BUNDLE" "${PRIV_CAPS[@]}"
  HOLDER=
  # These tests choose the user namespace in the spec, so runsc runs with --userns=host (the sandbox's own
  # default user namespace is the last test's).
  DEFAULT_RUNSC=$RUNSC
  RUNSC=$BATS_TEST_TMPDIR/runsc-userns-host
  printf '#!/bin/sh\nexec %q --userns=host "$@"\n' "$DEFAULT_RUNSC" > "$RUNSC"
  chmod +x "$RUNSC"
  RUNTIME_BIN=$RUNSC
}

teardown ()
{
  [ -z "${RUNC_ROOT:-}" ] || runc --root "$RUNC_ROOT" delete --force "$ID-runc" > /dev/null 2>&1 || true
  [ -z "${HOLDER:-}" ] || { kill "$HOLDER" 2> /dev/null; wait "$HOLDER" 2> /dev/null; } || true
  common_teardown
}

# Run the bundle under runsc and under runc; stdout in $BATS_TEST_TMPDIR/{runsc,runc}.out.
run_both ()
{
  local rc=0
  timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runsc.out" \
    2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runsc: status $rc: $(cat "$BATS_TEST_TMPDIR/runsc.out" "$BATS_TEST_TMPDIR/runsc.err")"
  timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null > "$BATS_TEST_TMPDIR/runc.out" \
    2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runc: status $rc: $(cat "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runc.err")"
}

same_answers ()
{
  local diff
  diff=$(diff "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runsc.out") \
    || fail "answers that differ (< runc, > runsc):
$diff"
}

@test "compat-privileged: in its own user namespace, mount and umount work as under runc" {
  bundle_userns "$BUNDLE"
  bundle_args "$BUNDLE" sh -c "$MOUNT_SCRIPT"
  run_both
  same_answers
  for step in tmpfs bind umount-bind umount-tmpfs proc umount-proc gone; do
    grep -qx "$step ok" "$BATS_TEST_TMPDIR/runsc.out" || fail "$step: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  done
}

@test "compat-privileged: with the host's user namespace, mount and umount stay refused (runc allows them)" {
  bundle_args "$BUNDLE" sh -c "$MOUNT_SCRIPT"
  run_both
  grep -qx "tmpfs ok" "$BATS_TEST_TMPDIR/runc.out" || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.out")"
  grep -qx "tmpfs failed: mount: permission denied (are you root?)" "$BATS_TEST_TMPDIR/runsc.out" \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  grep -qx "bind failed: mount: permission denied (are you root?)" "$BATS_TEST_TMPDIR/runsc.out" \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  # umount of a mount the runtime made: EPERM from the refused row, not the kernel's EINVAL for a non-mount.
  bundle_args "$BUNDLE" umount /dev/shm
  run "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID-u" 3>&-
  [ "$status" -ne 0 ] && [[ $output == *"Operation not permitted"* ]] || fail "umount /dev/shm: $status $output"
}

@test "compat-privileged: network ioctls in a network namespace of the container's user namespace, as under runc" {
  # A pod whose network namespace was made inside its user namespace (the spec names both by path), as
  # runc makes it for a spec that asks for new ones.
  unshare -U -n sleep 600 &
  HOLDER=$!
  local n=0
  while [ "$(readlink /proc/$HOLDER/ns/user)" = "$(readlink /proc/self/ns/user)" ] && [ $n -lt 100 ]; do
    sleep 0.05
    n=$((n + 1))
  done
  echo "0 100000 65536" > /proc/$HOLDER/uid_map
  echo "0 100000 65536" > /proc/$HOLDER/gid_map
  bundle_userns "$BUNDLE"
  bundle_args "$BUNDLE" sh -c "$NET_SCRIPT"
  # runc: new namespaces from the mappings (runc 1.1 needs mappings, so it cannot be given the paths).
  timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null > "$BATS_TEST_TMPDIR/runc.out" \
    2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  bundle_jq "$BUNDLE" '(.linux.namespaces) |= map(if .type == "user" then .path = $u
        elif .type == "network" then .path = $n else . end)
      | del(.linux.uidMappings) | del(.linux.gidMappings)' \
    --arg u /proc/$HOLDER/ns/user --arg n /proc/$HOLDER/ns/net
  timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runsc.out" \
    2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  same_answers
  grep -qx "brctl-addbr ok" "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  grep -qx "list ok" "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  # The bridge is in the pod's network namespace, not the host's.
  nsenter -t "$HOLDER" -n ip link show br1 > /dev/null || fail "br1 is not in the pod's network namespace"
  ! ip link show br1 > /dev/null 2>&1 || fail "br1 appeared on the host"
}

@test "compat-privileged: a new user namespace passes the ioctls to the kernel, which owns the network namespace to the host" {
  # runsc makes the sandbox's network namespace before the container's user namespace: the kernel, not the
  # filter, answers EPERM (runsc(8), PRIVILEGED CONTAINERS).
  bundle_userns "$BUNDLE"
  bundle_args "$BUNDLE" sh -c "$NET_SCRIPT"
  run_both
  grep -qx "brctl-addbr ok" "$BATS_TEST_TMPDIR/runc.out" || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.out")"
  grep -qx "brctl-addbr failed: brctl: bridge br0: Operation not permitted" "$BATS_TEST_TMPDIR/runsc.out" \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
}

@test "compat-privileged: with the host's user namespace, bridge ioctls stay refused (runc allows them)" {
  bundle_args "$BUNDLE" sh -c "$NET_SCRIPT"
  run_both
  grep -qx "brctl-addbr ok" "$BATS_TEST_TMPDIR/runc.out" || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.out")"
  grep -qx "brctl-addbr failed: brctl: bridge br0: Inappropriate ioctl for device" "$BATS_TEST_TMPDIR/runsc.out" \
    || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
}

@test "compat-privileged: a mount made in the container never propagates to the host, even on an rshared volume" {
  local vol=$BATS_TEST_TMPDIR/vol
  mkdir -p "$vol/sub"
  # The volume's source a shared mount on the host, so that propagation is possible at all.
  mount --bind "$vol" "$vol"
  mount --make-shared "$vol"
  chown -R 100000:100000 "$vol"
  bundle_userns "$BUNDLE"
  bundle_bind "$BUNDLE" "$vol" /vol rbind rw rshared
  bundle_args "$BUNDLE" sh -c 'mount -t tmpfs none /vol/sub && touch /vol/sub/inside && echo mounted && sleep 2'
  timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runsc.out" \
    2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- &
  local job=$!
  wait_for_text "$BATS_TEST_TMPDIR/runsc.out" mounted 20 || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  local seen=no
  if grep -q " $vol/sub " /proc/self/mountinfo || [ -e "$vol/sub/inside" ]; then
    seen=yes
  fi
  wait_pid_timeout "$job" 30 || true
  umount "$vol/sub" 2> /dev/null || true
  umount "$vol"
  [ "$seen" = no ] || fail "the container's tmpfs propagated to the host"
}

@test "compat-privileged: a pod member without the sandbox's user namespace is refused (it would get the widened filter)" {
  local pod=$ID-pod member=$BATS_TEST_TMPDIR/member
  cp -a "$BUNDLE" "$member"
  bundle_userns "$BUNDLE"
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  bundle_args "$BUNDLE" sleep 1000
  runtime create --bundle "$BUNDLE" "$pod" < /dev/null > "$BATS_TEST_TMPDIR/pod.out" 2>&1 \
    || fail "create the pod: $(cat "$BATS_TEST_TMPDIR/pod.out")"
  runtime start "$pod" || fail "start the pod"
  # The member names the pod's user namespace through the sandbox's pid, as CRI does: accepted.
  local spid
  spid=$(state_field "$pod" pid)
  cp -a "$member" "$member-ok"
  bundle_jq "$member-ok" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}
      | .linux.namespaces += [{type: "user", path: $u}]' --arg p "$pod" --arg u "/proc/$spid/ns/user"
  bundle_args "$member-ok" sh -c 'mount -t tmpfs none /mnt && echo member-mounted'
  runtime create --bundle "$member-ok" "$ID-ok" < /dev/null > "$BATS_TEST_TMPDIR/ok.out" 2>&1 \
    || fail "create the member in the pod's user namespace: $(cat "$BATS_TEST_TMPDIR/ok.out")"
  runtime start "$ID-ok" || fail "start the member"
  wait_for_text "$BATS_TEST_TMPDIR/ok.out" member-mounted 20 || fail "member: $(cat "$BATS_TEST_TMPDIR/ok.out")"
  # Without a user namespace: refused, naming the container and the reason.
  bundle_jq "$member" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  run runtime create --bundle "$member" "$ID-m" < /dev/null
  [ "$status" -ne 0 ] || fail "a member without a user namespace joined a sandbox that has one"
  [[ $output == *"container $ID-m"*"no user namespace of its own"* ]] || fail "error: $output"
  runtime delete --force "$ID-ok" > /dev/null 2>&1 || true
  runtime delete --force "$pod" > /dev/null 2>&1 || true
}

@test "compat-privileged: in the sandbox's default user namespace, mount, umount and bridge ioctls work as under runc; a fresh proc is refused (runc allows it)" {
  # No user namespace in the spec: runsc gives the sandbox its own (runsc(8), --userns), whose network
  # namespace it makes inside it; runc, given the same spec, runs in the host's. The runtime's mounts are
  # locked there, so the kernel refuses a proc that would show what the sandbox kernel's files cover.
  bundle_args "$BUNDLE" sh -c "$MOUNT_SCRIPT; $NET_SCRIPT"
  timeout 60 "$DEFAULT_RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runsc.out" \
    2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out" "$BATS_TEST_TMPDIR/runsc.err")"
  timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null > "$BATS_TEST_TMPDIR/runc.out" \
    2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  for step in tmpfs bind umount-bind umount-tmpfs proc umount-proc gone brctl-addbr ip-link-bridge list; do
    grep -qx "$step ok" "$BATS_TEST_TMPDIR/runc.out" || fail "runc $step: $(cat "$BATS_TEST_TMPDIR/runc.out")"
    case $step in
      proc) grep -q "^proc failed: .*permission denied" "$BATS_TEST_TMPDIR/runsc.out" \
        || fail "runsc: a fresh proc was not refused: $(cat "$BATS_TEST_TMPDIR/runsc.out")" ;;
      umount-proc) ;;
      *) grep -qx "$step ok" "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc $step: $(cat "$BATS_TEST_TMPDIR/runsc.out")" ;;
    esac
  done
}
