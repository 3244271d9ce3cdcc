#!/usr/bin/env bats
# The Sentry's syscall layer seen from inside real containers run by runsc: the sandbox kernel's identity
# (uname), its boot log (dmesg, syslog(2)), refused and argument-checked calls (the static probe from
# tests/sandbox/probe.c), the refusal log and --strace, and `runsc help syscalls`.

load helpers

setup ()
{
  common_setup
  PROBE=${PROBE:-$(dirname "$RUNSC")/tests/sandbox/probe}
}

teardown ()
{
  common_teardown
}

# Run the bundle's process with runsc (extra global flags in "$@"), stdin from /dev/null; sets $status and
# $output like bats' run.
run_in_runsc ()
{
  status=0
  "$RUNSC" --root "$ROOT" "$@" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- \
    || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

@test "sentry-core: uname -a shows the sandbox kernel, with the spec's hostname" {
  bundle_jq "$BUNDLE" '.hostname = "sentry-host"'
  bundle_args "$BUNDLE" uname -a
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "Linux sentry-host 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016 x86_64 GNU/Linux" ] \
    || fail "uname -a: $output"
}

@test "sentry-core: --kernel-release sets uname -r, and the dev.gvisor.kernel-release annotation wins over it" {
  bundle_args "$BUNDLE" uname -r
  run_in_runsc --kernel-release=5.10.0-flag
  [ "$status" -eq 0 ] && [ "$output" = 5.10.0-flag ] || fail "flag: status $status: $output"

  # The annotation (per pod) wins over the flag (set for every sandbox).
  ID=$ID-anno
  bundle_jq "$BUNDLE" '.annotations["dev.gvisor.kernel-release"] = "6.1.0-anno"'
  run_in_runsc --kernel-release=5.10.0-flag
  [ "$status" -eq 0 ] && [ "$output" = 6.1.0-anno ] || fail "annotation: status $status: $output"
}

@test "sentry-core: dmesg works unprivileged and prints the sandbox's boot log" {
  bundle_caps "$BUNDLE"
  bundle_user "$BUNDLE" 1000 1000
  bundle_args "$BUNDLE" dmesg
  run_in_runsc
  [ "$status" -eq 0 ] || fail "dmesg: status $status: $output"
  mapfile -t lines <<< "$output"
  [ "${#lines[@]}" -eq 12 ] || fail "expected 12 lines: $output"
  [ "${lines[0]}" = "[   0.000000] Starting runsc Sentry..." ] || fail "first line: ${lines[0]}"
  [[ "${lines[11]}" =~ ^\[\ *[0-9]+\.[0-9]{6}\]\ Ready!$ ]] || fail "last line: ${lines[11]}"
  for l in "${lines[@]:1:10}"; do
    [[ "$l" =~ ^\[\ *[0-9]+\.[0-9]{6}\]\ .+$ ]] || fail "line format: $l"
  done
  # ten distinct messages
  [ "$(printf '%s\n' "${lines[@]:1:10}" | sed 's/^\[[^]]*\] //' | sort -u | wc -l)" -eq 10 ] \
    || fail "repeated messages: $output"
  # the host's log is not what the container sees
  ! grep -qF -- "$(dmesg 2> /dev/null | head -n 1 | sed 's/^\[[^]]*\] //')" <<< "$output" || [ -z "$(dmesg)" ] \
    || fail "the host's kernel log leaked: $output"
}

@test "sentry-core: dmesg -c (read and clear) is refused with Operation not permitted" {
  bundle_args "$BUNDLE" dmesg -c
  run_in_runsc
  [ "$status" -ne 0 ] || fail "dmesg -c succeeded: $output"
  assert_output_has "Operation not permitted"
}

@test "sentry-core: the in-sandbox probe passes (uname, syslog, refused and argument-checked calls)" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE (make check builds it)"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  bundle_jq "$BUNDLE" '.hostname = "probe-box"'
  bundle_args "$BUNDLE" /probe --quiet --hostname=probe-box
  run_in_runsc
  [ "$status" -eq 0 ] || fail "probe: status $status: $output"
  assert_output_has " 0 failed"
}

@test "sentry-core: --net-raw allows raw and packet sockets (the probe expects them to work)" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE (make check builds it)"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  bundle_caps "$BUNDLE" CAP_NET_RAW CAP_KILL CAP_AUDIT_WRITE CAP_NET_BIND_SERVICE
  bundle_args "$BUNDLE" /probe --quiet --net-raw
  run_in_runsc --net-raw
  [ "$status" -eq 0 ] || fail "probe --net-raw: status $status: $output"
  # Without the flag the same spec gets neither the capability nor the sockets.
  ID=$ID-noraw
  bundle_args "$BUNDLE" /probe --quiet
  run_in_runsc
  [ "$status" -eq 0 ] || fail "probe without --net-raw: status $status: $output"
}

@test "sentry-core: sethostname needs CAP_SYS_ADMIN and changes only the sandbox's hostname" {
  bundle_args "$BUNDLE" hostname renamed
  run_in_runsc
  [ "$status" -ne 0 ] || fail "hostname without CAP_SYS_ADMIN succeeded: $output"
  assert_output_has "Operation not permitted"

  local before
  before=$(hostname)
  ID=$ID-admin
  bundle_caps "$BUNDLE" CAP_SYS_ADMIN
  bundle_args "$BUNDLE" sh -c 'hostname renamed && hostname && uname -n'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "$(printf 'renamed\nrenamed')" ] || fail "output: $output"
  [ "$(hostname)" = "$before" ] || fail "the host's hostname changed to $(hostname)"
}

@test "sentry-core: --strace-syscalls with an unknown name fails the run with a message naming it" {
  bundle_args "$BUNDLE" true
  run_in_runsc --strace --strace-syscalls=getpid,no_such_call
  [ "$status" -ne 0 ] || fail "succeeded: $output"
  assert_output_has "no_such_call"
}

@test "sentry-core: a refused call is logged once at info level with its name and arguments" {
  bundle_args "$BUNDLE" sh -c 'mount -t tmpfs none /mnt; mount -t tmpfs none /mnt; echo done'
  bundle_caps "$BUNDLE" CAP_SYS_ADMIN
  # --userns=host: in the sandbox's own user namespace mount is the kernel's, not refused.
  run_in_runsc --userns=host --debug-log="$BATS_TEST_TMPDIR/logs/"
  [ "$status" -eq 0 ] || fail "status $status: $output"
  assert_output_has "done"
  assert_output_has "mount: "
  local n
  n=$(cat "$BATS_TEST_TMPDIR"/logs/* | grep -c "Unsupported syscall mount(0x") || true
  [ "$n" -eq 1 ] || fail "expected one refusal line for mount, got $n: $(cat "$BATS_TEST_TMPDIR"/logs/*)"
}

@test "sentry-core: --strace logs the application's calls, native ones included" {
  bundle_args "$BUNDLE" uname -r
  run_in_runsc --debug --debug-log="$BATS_TEST_TMPDIR/logs/" --strace --strace-syscalls=uname,getpid,execve
  [ "$status" -eq 0 ] && [ "$(tail -n 1 <<< "$output")" = 4.4.0 ] || fail "status $status: $output"
  grep -h "strace:" "$BATS_TEST_TMPDIR"/logs/* | grep -q "] uname(0x.*) = 0" \
    || fail "no uname strace line: $(cat "$BATS_TEST_TMPDIR"/logs/*)"
  grep -h "strace:" "$BATS_TEST_TMPDIR"/logs/* | grep -q "] execve(.*= (native)" \
    || fail "no native execve strace line: $(cat "$BATS_TEST_TMPDIR"/logs/*)"
}

@test "sentry-core: --strace without --strace-syscalls traces every call, and the container runs and is removed" {
  # Every call notified: the one that hands the sandbox filter's listener to the Sentry (sendmsg) must not be,
  # or the container waits for an answer from a listener only it holds (it used to hang here).
  bundle_args "$BUNDLE" uname -r
  status=0
  timeout 60 "$RUNSC" --root "$ROOT" --debug --debug-log="$BATS_TEST_TMPDIR/logs/" --strace run --bundle "$BUNDLE" \
    "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
  [ "$status" -ne 124 ] || fail "runsc --strace run hung: $(cat "$BATS_TEST_TMPDIR"/logs/*)"
  [ "$status" -eq 0 ] && [ "$(tail -n 1 <<< "$output")" = 4.4.0 ] || fail "status $status: $output"
  grep -h "strace:" "$BATS_TEST_TMPDIR"/logs/* | grep -q "] uname(0x.*) = 0" \
    || fail "no uname strace line: $(cat "$BATS_TEST_TMPDIR"/logs/*)"
  grep -h "strace:" "$BATS_TEST_TMPDIR"/logs/* | grep -q "] exit_group(" \
    || fail "no exit_group strace line (not every call traced): $(cat "$BATS_TEST_TMPDIR"/logs/*)"
  [ ! -e "$ROOT/$ID" ] || fail "state directory left: $(ls -A "$ROOT/$ID")"
  local left
  left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$ID")
  [ -z "$left" ] || fail "cgroups left: $left"
}

@test "sentry-core: a tiny pids.limit leaves the Sentry fewer notification threads (room for the app), not an abort" {
  # Five tasks are the least a sandbox needs: the Sentry, the thread that serves its /proc files (FUSE), its
  # spawner (the privileged helper of a confined Sentry), the container's init and one notification thread
  # (which then also watches for the container's end). The OOM
  # watcher and the other threads are optional. No room for a fork either: one process, whose reads of
  # /proc/version the Sentry serves.
  bundle_args "$BUNDLE" cat /proc/sys/kernel/osrelease /proc/version
  bundle_jq "$BUNDLE" '.linux.resources.pids.limit = 5'
  run_in_runsc --log "$BATS_TEST_TMPDIR/log4" --debug
  [ "$status" -eq 0 ] || fail "pids.limit 5: status $status: $output; log: $(cat "$BATS_TEST_TMPDIR/log4")"
  [ "$(head -1 <<< "$output")" = 4.4.0 ] || fail "pids.limit 5: osrelease: $output"
  grep -q "^Linux version 4.4.0 " <<< "$output" || fail "pids.limit 5: /proc/version: $output"
  grep -q "no room for more than one notification thread" "$BATS_TEST_TMPDIR/log4" \
    || fail "no warning: $(cat "$BATS_TEST_TMPDIR/log4")"

  # pids.limit 10: the Sentry takes at most half of the room, so that the container's shell can still fork.
  ID=$ID-10
  bundle_args "$BUNDLE" sh -c 'uname -r; uname -r; echo forked'
  bundle_jq "$BUNDLE" '.linux.resources.pids.limit = 10'
  run_in_runsc --log "$BATS_TEST_TMPDIR/log9" --debug
  [ "$status" -eq 0 ] && [ "$output" = "$(printf '4.4.0\n4.4.0\nforked')" ] \
    || fail "pids.limit 10: status $status: $output"
  grep -q "2 notification threads instead of 4, to leave the container room" "$BATS_TEST_TMPDIR/log9" \
    || fail "pids.limit 10: $(grep -i thread "$BATS_TEST_TMPDIR/log9")"

  # No room for the init's one thread: a clean error, never SIGABRT.
  ID=$ID-4
  bundle_jq "$BUNDLE" '.linux.resources.pids.limit = 4'
  run_in_runsc
  [ "$status" -ne 0 ] || fail "pids.limit 4 ran: $output"
  grep -q "Resource temporarily unavailable" <<< "$output" || fail "pids.limit 4: $output"
  ! grep -q "signal 6" <<< "$output" || fail "pids.limit 4: the Sentry aborted: $output"
}

@test "sentry-core: runsc help syscalls prints the table as table, json and csv" {
  run "$RUNSC" help syscalls --format=json
  [ "$status" -eq 0 ] || fail "json: $output"
  total=$(jq .counts.total <<< "$output")
  native=$(jq .counts.native <<< "$output")
  [ "$total" -gt 350 ] && [ "$native" -gt 0 ] || fail "counts: total $total native $native"
  [ "$(jq '.syscalls | length' <<< "$output")" -eq "$total" ] || fail "rows != total"
  [ "$(jq -r '.syscalls[] | select(.name == "reboot") | .disposition' <<< "$output")" = refused ] \
    || fail "reboot is not refused"
  [ "$(jq -r '.syscalls[] | select(.name == "uname") | .disposition' <<< "$output")" = emulated ] \
    || fail "uname is not emulated"

  run "$RUNSC" help syscalls --format=csv
  [ "$status" -eq 0 ] || fail "csv: $output"
  [ "$(wc -l <<< "$output")" -eq $((total + 1)) ] || fail "csv rows"
  grep -q '^169,reboot,refused,EPERM,' <<< "$output" || fail "csv reboot row"

  run "$RUNSC" help syscalls --format=table
  [ "$status" -eq 0 ] || fail "table: $output"
  grep -qE '^63 +uname +emulated' <<< "$output" || fail "table uname row"

  run "$RUNSC" help syscalls --format=yaml
  [ "$status" -ne 0 ] || fail "an unknown format succeeded"
}
