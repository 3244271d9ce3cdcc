#!/usr/bin/env bats
# The kernel's own answers, seen from a container: tests/sandbox/errnoprobe.c (static) makes calls that Linux
# rejects for their arguments (socket and socketpair shapes, the clock setters, the keyring calls,
# name_to_handle_at, clone, unshare, prctl, ioctl), sets personality flags and checks getpid() against pid_max, under runsc and under runc
# side by side: the answers must be the same line for line. Also: the pid_max a container reads is the one its
# pid namespace enforces, ns_last_pid reads and writes as under runc (CRIU's way of choosing the next pid), and
# seccomp strict mode answers as under runc with a seccomp profile.

load helpers

setup_file ()
{
  ERRNOPROBE=${ERRNOPROBE:-$(dirname "$RUNSC")/tests/sandbox/errnoprobe}
  if [ ! -x "$ERRNOPROBE" ]; then
    ERRNOPROBE=$BATS_FILE_TMPDIR/errnoprobe
    cc -static -O2 -o "$ERRNOPROBE" "$TESTS_DIR/sandbox/errnoprobe.c" 2> "$BATS_FILE_TMPDIR/cc.err" \
      || { cat "$BATS_FILE_TMPDIR/cc.err" >&2; return 1; }
  fi
  export ERRNOPROBE
}

setup ()
{
  common_setup
  command -v runc > /dev/null || fail "runc is needed for the side-by-side answers (tests/packages.txt)"
  RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
  cp "$ERRNOPROBE" "$BUNDLE/rootfs/errnoprobe"
}

teardown ()
{
  [ -z "${RUNC_ROOT:-}" ] || runc --root "$RUNC_ROOT" delete --force "$ID-runc" > /dev/null 2>&1 || true
  common_teardown
}

# The bundle under runsc (with $RUNSC_EXTRA's global flags, if set) and under runc: stdout and stderr in
# $BATS_TEST_TMPDIR/{runsc,runc}.{out,err}.
run_both ()
{
  local rc
  rc=0
  timeout 60 "$RUNSC" --root "$ROOT" ${RUNSC_EXTRA:-} run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runsc.out" \
    2> "$BATS_TEST_TMPDIR/runsc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runsc: status $rc: $(cat "$BATS_TEST_TMPDIR/runsc.out" "$BATS_TEST_TMPDIR/runsc.err")"
  timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$ID-runc" < /dev/null > "$BATS_TEST_TMPDIR/runc.out" \
    2> "$BATS_TEST_TMPDIR/runc.err" 3>&- || rc=$?
  [ "$rc" -eq 0 ] || fail "runc: status $rc: $(cat "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runc.err")"
}

@test "compat-errno: bad arguments get the same errno under runsc as under runc" {
  bundle_args "$BUNDLE" /errnoprobe
  run_both
  local diff
  diff=$(diff "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runsc.out") \
    || fail "answers that differ (< runc, > runsc):
$diff"
  # The answers the issue named, checked by value so that a probe that printed nothing cannot pass.
  local out
  out=$(cat "$BATS_TEST_TMPDIR/runsc.out")
  [ "$(wc -l <<< "$out")" -ge 55 ] || fail "too few answers: $out"
  for want in "socket(AF_INET, 75, 0) EINVAL" "socket(AF_INET, SOCK_RAW, 0) EPROTONOSUPPORT" \
    "socketpair(AF_INET, SOCK_STREAM, 0) EOPNOTSUPP" "settimeofday(usec -1) EINVAL" \
    "adjtimex(ADJ_ADJTIME) EINVAL" "request_key(bad description) EFAULT" \
    "name_to_handle_at(-1, relative) EBADF" "name_to_handle_at(not a directory) ENOTDIR" \
    "clone(CLONE_NEWNS | CLONE_FS) EINVAL" "prctl(PR_SET_MM, PR_SET_MM_START_CODE) EPERM" \
    "ioctl(-1, TIOCSTI) EBADF" "ioctl(socket, TIOCSTI) ENOTTY" \
    "personality(ADDR_LIMIT_32BIT) ok" "personality(STICKY_TIMEOUTS) ok" "pids within pid_max: yes"; do
    grep -qxF -- "$want" <<< "$out" || fail "missing \"$want\" in: $out"
  done
}

@test "compat-errno: the pid_max a container reads is the one its pid namespace enforces" {
  bundle_args "$BUNDLE" sleep 1000
  "$RUNSC" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 3>&- \
    || fail "runsc run --detach failed"
  runc --root "$RUNC_ROOT" run --detach --bundle "$BUNDLE" "$ID-runc" < /dev/null > /dev/null 2>&1 3>&- \
    || fail "runc run --detach failed"
  local rt pid shown enforced runsc_shown
  for rt in runsc runc; do
    if [ "$rt" = runsc ]; then
      # runsc state gives the Sentry's pid; the container's init is the Sentry's child that is pid 1 inside.
      pid=$(container_init_of "$(state_field "$ID" pid)")
      [ -n "$pid" ] || fail "no container init among the Sentry's children"
      shown=$("$RUNSC" --root "$ROOT" exec "$ID" cat /proc/sys/kernel/pid_max 3>&-)
    else
      pid=$(runc --root "$RUNC_ROOT" state "$ID-runc" | jq -r .pid)
      shown=$(runc --root "$RUNC_ROOT" exec "$ID-runc" cat /proc/sys/kernel/pid_max 3>&-)
    fi
    # What the kernel enforces in the container's pid namespace: read by a process in it that the Sentry does
    # not serve (nsenter's child). On kernels before 6.14 pid_max is global and both are the host's.
    enforced=$(nsenter -t "$pid" -p cat /proc/sys/kernel/pid_max)
    echo "# $rt: the container reads $shown, its pid namespace enforces $enforced (host: $(cat /proc/sys/kernel/pid_max))" >&3
    [ -n "$shown" ] && [ "$shown" = "$enforced" ] || fail "$rt: the container reads pid_max $shown, its namespace enforces $enforced"
    [ "$rt" = runc ] || runsc_shown=$shown
  done
  # runsc shows the host's real value, not one of its own.
  [ "$runsc_shown" = "$(cat /proc/sys/kernel/pid_max)" ] \
    || fail "runsc shows pid_max $runsc_shown, the host has $(cat /proc/sys/kernel/pid_max)"
}

@test "compat-errno: /proc/sys/kernel/ns_last_pid: the last pid the container's namespace gave out; writable as under runc with the spec's user namespace, not in the sandbox's" {
  # The file is the kernel's for the container's own pid namespace (the Sentry serves none of /proc/sys/kernel
  # but the identity files), so the next child gets the pid after it; a write needs CAP_CHECKPOINT_RESTORE (or
  # CAP_SYS_ADMIN) over the user namespace owning that pid namespace, and is bounded by the pid_max the container
  # reads. In the sandbox's own user namespace the owner is the outer one, so the write is refused (runsc(8),
  # NOTES and PRIVILEGED CONTAINERS); with --userns=host it works as under runc.
  local script='p=/proc/sys/kernel/ns_last_pid
    l=$(cat $p); c=$(sh -c "echo \$\$"); echo "next pid after the one read: +$((c - l))"
    if echo 500 > $p; then echo "write 500: next $(sh -c "echo \$\$")"; fi
    max=$(cat /proc/sys/kernel/pid_max)
    if echo $((max + 1)) > $p; then echo "pid_max+1: accepted"; else echo "pid_max+1: refused"; fi
    if echo $((max - 1)) > $p; then echo "pid_max-1: accepted"; fi'
  bundle_args "$BUNDLE" sh -c "$script"
  # Default capabilities, /proc/sys read-only (runc spec's readonlyPaths): the write fails in both.
  run_both
  echo "# runsc: $(tr '\n' ';' < "$BATS_TEST_TMPDIR/runsc.out")" >&3
  diff "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc and runc differ (default spec)"
  grep -qx 'next pid after the one read: +1' "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
  ! grep -q 'write 500' "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc: a read-only ns_last_pid was written"
  # CRIU's needs: CAP_CHECKPOINT_RESTORE alone, /proc/sys writable.
  bundle_caps "$BUNDLE" CAP_CHECKPOINT_RESTORE
  bundle_jq "$BUNDLE" '.linux.readonlyPaths = []'
  ID=$ID-w
  run_both
  echo "# runsc: $(tr '\n' ';' < "$BATS_TEST_TMPDIR/runsc.out")" >&3
  [ "$(cat "$BATS_TEST_TMPDIR/runc.out")" = "$(printf '%s\n' 'next pid after the one read: +1' 'write 500: next 501' \
    'pid_max+1: refused' 'pid_max-1: accepted')" ] || fail "runc: $(cat "$BATS_TEST_TMPDIR/runc.out")"
  [ "$(cat "$BATS_TEST_TMPDIR/runsc.out")" = "$(printf '%s\n' 'next pid after the one read: +1' 'pid_max+1: refused')" ] \
    || fail "runsc (sandbox's user namespace): $(cat "$BATS_TEST_TMPDIR/runsc.out" "$BATS_TEST_TMPDIR/runsc.err")"
  grep -q "Operation not permitted" "$BATS_TEST_TMPDIR/runsc.err" || fail "runsc: not EPERM: $(cat "$BATS_TEST_TMPDIR/runsc.err")"
  ID=$ID-h
  RUNSC_EXTRA=--userns=host run_both
  diff "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runsc.out" || fail "runsc --userns=host and runc differ (CAP_CHECKPOINT_RESTORE)"
}

@test "compat-errno: seccomp strict mode: EINVAL in runsc, as under runc with any seccomp profile" {
  # Linux lets a process enter strict mode only when no filter is in place; every runsc process is under the
  # sandbox's filter, so the kernel answers EINVAL (docs/syscalls.md, prctl and seccomp rows).
  local m
  for m in --strict --strict-seccomp; do
    bundle_args "$BUNDLE" /errnoprobe "$m"
    ID=$ID-x
    run_both
    [ "$(cat "$BATS_TEST_TMPDIR/runc.out")" = "strict: in" ] \
      || fail "runc without a profile $m: $(cat "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runc.err")"
    [ "$(cat "$BATS_TEST_TMPDIR/runsc.out")" = "strict: EINVAL" ] \
      || fail "runsc $m: $(cat "$BATS_TEST_TMPDIR/runsc.out" "$BATS_TEST_TMPDIR/runsc.err")"
  done
  # runc with a seccomp profile (one that denies a single call) answers as runsc does.
  bundle_jq "$BUNDLE" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
      syscalls: [{names: ["kexec_load"], action: "SCMP_ACT_ERRNO"}]}'
  ID=$ID-p
  run_both
  [ "$(cat "$BATS_TEST_TMPDIR/runc.out")" = "strict: EINVAL" ] \
    || fail "runc with a profile: $(cat "$BATS_TEST_TMPDIR/runc.out" "$BATS_TEST_TMPDIR/runc.err")"
  [ "$(cat "$BATS_TEST_TMPDIR/runsc.out")" = "strict: EINVAL" ] || fail "runsc with a profile: $(cat "$BATS_TEST_TMPDIR/runsc.out")"
}
