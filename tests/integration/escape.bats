#!/usr/bin/env bats
# The escape battery (issue 11): tests/sandbox/escape.c (static) attempts mounts, every namespace kind, setns,
# nested user namespaces, keyrings, bpf, perf_event_open, userfaultfd, io_uring, open_by_handle_at, modules,
# kexec, reboot, raw/packet sockets, AF_VSOCK/ALG/TIPC/KEY, netfilter setsockopt, TIOCSTI, a block device node,
# /proc/sysrq-trigger and core_pattern, and ptrace, process_vm_readv, signals and /proc/PID/mem of the Sentry.
# It runs under runsc and under runc side by side, with the default spec's capabilities and with every
# capability (a privileged container's set; the spec's masked and read-only paths stay), and the two columns
# are printed. Every runsc attempt must be blocked; runc's column with every capability must show escapes (the
# battery is real). Note: under runc the socket attempts may make the host load af_key, tipc, vsock modules.

load helpers

# Attempts in the battery: a run that reports fewer (an attempt lost) fails, as does one with any not blocked.
ESCAPE_FLOOR=50

# In capability number order (0-40).
ALL_CAPS=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID
  CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK
  CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT
  CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE
  CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND
  CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE)

setup_file ()
{
  ESCAPE=${ESCAPE:-$(dirname "$RUNSC")/tests/sandbox/escape}
  if [ ! -x "$ESCAPE" ]; then
    ESCAPE=$BATS_FILE_TMPDIR/escape
    cc -static -O2 -o "$ESCAPE" "$TESTS_DIR/sandbox/escape.c" 2> "$BATS_FILE_TMPDIR/cc.err" \
      || { cat "$BATS_FILE_TMPDIR/cc.err" >&2; return 1; }
  fi
  export ESCAPE
}

setup ()
{
  common_setup
  command -v runc > /dev/null || fail "runc is needed for the side-by-side column (tests/packages.txt)"
  RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
  cp "$ESCAPE" "$BUNDLE/rootfs/escape"
  bundle_args "$BUNDLE" sleep 1000
}

teardown ()
{
  [ -z "${RUNC_ROOT:-}" ] || runc --root "$RUNC_ROOT" delete --force "$ID-runc" > /dev/null 2>&1 || true
  runtime delete --force "$ID" > /dev/null 2>&1 || true
  common_teardown
}

# Start the bundle under both runtimes and run the battery in each with exec; output in $BATS_TEST_TMPDIR/{runsc,runc}.
# runsc's battery is given the Sentry's host pid (what `runsc state` reports) to aim at; runc's the host pid of
# its container's init's parent (this shell), its nearest supervisor.
battery_both ()
{
  local sentry rc=0
  runtime run --detach --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2> "$BATS_TEST_TMPDIR/runsc.err" \
    || fail "runsc run: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  sentry=$(state_field "$ID" pid)
  [ -n "$sentry" ] && [ "$sentry" -gt 0 ] || fail "no Sentry pid in runsc state"
  SENTRY=$sentry
  timeout 120 "$RUNSC" --root "$ROOT" exec "$ID" /escape --sentry-pid="$sentry" < /dev/null \
    > "$BATS_TEST_TMPDIR/runsc" 2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runsc exec /escape: status $rc: $(cat "$BATS_TEST_TMPDIR/runsc" "$BATS_TEST_TMPDIR/runsc.err")"
  # The Sentry outlived the battery (signals to it were blocked, and nothing killed it).
  kill -0 "$sentry" || fail "the Sentry ($sentry) is gone after the battery"
  runc --root "$RUNC_ROOT" run --detach --bundle "$BUNDLE" "$ID-runc" < /dev/null > /dev/null \
    2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || fail "runc run: $(cat "$BATS_TEST_TMPDIR/runc.err")"
  timeout 120 runc --root "$RUNC_ROOT" exec "$ID-runc" /escape --sentry-pid=$$ < /dev/null \
    > "$BATS_TEST_TMPDIR/runc" 2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runc exec /escape: status $rc: $(cat "$BATS_TEST_TMPDIR/runc" "$BATS_TEST_TMPDIR/runc.err")"
  # Both columns, for the log.
  {
    printf '# %-34s %-24s %s\n' attempt runsc runc
    join -j1 <(grep -v '^blocked ' "$BATS_TEST_TMPDIR/runsc" | sort) <(grep -v '^blocked ' "$BATS_TEST_TMPDIR/runc" | sort) \
      | awk '{ printf "# %-34s %-24s %s\n", $1, $2 " " $3, $4 " " $5 }'
    echo "# runsc: $(tail -n1 "$BATS_TEST_TMPDIR/runsc"); runc: $(tail -n1 "$BATS_TEST_TMPDIR/runc")"
  } >&3
}

# Every capability this host has (a test runner's bounding set may lack some): what a privileged container gets.
all_caps ()
{
  local bnd i caps=()
  bnd=$((0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)))
  for i in "${!ALL_CAPS[@]}"; do
    (( (bnd >> i) & 1 )) && caps+=("${ALL_CAPS[$i]}")
  done
  bundle_caps "$BUNDLE" "${caps[@]}"
}

# TRUE when the runsc container's processes are in a user namespace of their own (their uid_map is not the
# host's identity map).
runsc_in_userns ()
{
  local init
  init=$(container_init_of "$SENTRY")
  [ -n "$init" ] || fail "no container init among the Sentry's children"
  ! awk '{ exit !($1 == 0 && $2 == 0 && $3 == 4294967295) }' /proc/"$init"/uid_map
}

# Every runsc attempt blocked, and no fewer attempts than the floor.
assert_runsc_blocked ()
{
  local out total blocked escaped
  out=$(cat "$BATS_TEST_TMPDIR/runsc")
  total=$(grep -cE ' (blocked|ESCAPED) ' <<< "$out")
  blocked=$(grep -c ' blocked ' <<< "$out")
  escaped=$(grep ' ESCAPED ' <<< "$out" || true)
  [ -z "$escaped" ] || fail "escapes under runsc ($1):
$escaped"
  [ "$total" -ge "$ESCAPE_FLOOR" ] || fail "only $total attempts ran under runsc (floor $ESCAPE_FLOOR): $out"
  [ "$blocked" -ge "$ESCAPE_FLOOR" ] || fail "only $blocked blocked under runsc (floor $ESCAPE_FLOOR): $out"
  grep -qx "blocked $blocked of $total" <<< "$out" || fail "the battery's own count disagrees: $out"
  # The attempts the issue names are all there.
  local name
  for name in mount unshare-mnt unshare-uts unshare-ipc unshare-net unshare-pid unshare-cgroup unshare-user \
    unshare-time setns nested-userns keyctl add_key bpf perf_event_open userfaultfd io_uring_setup \
    open_by_handle_at init_module finit_module kexec_load reboot socket-raw socket-packet socket-af_vsock \
    socket-af_alg socket-af_tipc socket-af_key setsockopt-ipt_so_set_replace ioctl-tiocsti mknod-block \
    write-sysrq-trigger write-core_pattern sentry-ptrace sentry-process_vm_readv sentry-kill sentry-proc-mem; do
    grep -q "^$name " <<< "$out" || fail "attempt $name missing: $out"
  done
}

@test "escape: the battery is blocked under runsc with the default spec's capabilities (runc beside it)" {
  battery_both
  assert_runsc_blocked "default capabilities"
  [ "$(wc -l < "$BATS_TEST_TMPDIR/runc")" -eq "$(wc -l < "$BATS_TEST_TMPDIR/runsc")" ] \
    || fail "runc ran a different battery: $(cat "$BATS_TEST_TMPDIR/runc")"
}

@test "escape: the battery is blocked under runsc with every capability; under runc some attempts succeed" {
  all_caps
  battery_both
  assert_runsc_blocked "every capability"
  # runc with every capability: the same calls reach the host kernel and succeed (the battery is real).
  local runc_escaped
  runc_escaped=$(grep -c ' ESCAPED ' "$BATS_TEST_TMPDIR/runc" || true)
  [ "$runc_escaped" -ge 10 ] || fail "only $runc_escaped escapes under runc with every capability: $(cat "$BATS_TEST_TMPDIR/runc")"
  local name
  for name in mount unshare-mnt setns open_by_handle_at mknod-block; do
    grep -q "^$name ESCAPED " "$BATS_TEST_TMPDIR/runc" || fail "$name is not an escape under runc with every capability: $(cat "$BATS_TEST_TMPDIR/runc")"
  done
}

@test "escape: a privileged spec (every capability, no masked or read-only paths) is blocked under runsc in a user namespace" {
  # What docker run --privileged asks for, but the devices. The syscall table cannot stop this one: opening
  # /proc/sys/kernel/core_pattern is a native open, and only a user namespace (container root is not host root)
  # or a read-only /proc/sys keeps it from the host's core dump handler.
  all_caps
  bundle_jq "$BUNDLE" '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
  battery_both
  if ! runsc_in_userns; then
    local escaped
    escaped=$(grep ' ESCAPED ' "$BATS_TEST_TMPDIR/runsc" | tr '\n' ' ')
    skip "container root is host root (no user namespace): known escapes under runsc: ${escaped:-none}"
  fi
  assert_runsc_blocked "a privileged spec"
}
