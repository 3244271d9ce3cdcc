#!/usr/bin/env bats
# The Sentry's credentials cache (src/sentry/creds.c): an open on the app's behalf is decided with the caller's
# credentials of the moment, never with ones cached from an earlier open. tests/sandbox/credprobe.c (built here,
# static) opens a root-only file as root, then changes credentials in every way that matters (setresuid,
# setfsuid, capset, another thread's setuid, a thread's own setresuid, another thread's umask, execve and a
# second thread's execve) and opens again. The same probe runs under runc first, to show that the expectations
# are the kernel's. Also: processes that drop privileges after the sandbox filter is in place (no
# noNewPrivileges) start, in runsc run and runsc exec: their setgroups/setresuid/capset go through the Sentry,
# which serves the listener from the moment the filter exists.

load helpers

# The probe `make check` built next to runsc, else one compiled here.
setup_file ()
{
  CREDPROBE=${CREDPROBE:-$(dirname "$RUNSC")/tests/sandbox/credprobe}
  if [ ! -x "$CREDPROBE" ]; then
    CREDPROBE=$BATS_FILE_TMPDIR/credprobe
    cc -static -O2 -pthread -o "$CREDPROBE" "$TESTS_DIR/sandbox/credprobe.c" 2> "$BATS_FILE_TMPDIR/cc.err" \
      || { cat "$BATS_FILE_TMPDIR/cc.err" >&2; return 1; }
  fi
  export CREDPROBE
}

setup ()
{
  common_setup
}

teardown ()
{
  common_teardown
}

# Run the bundle's process with runsc; sets $status and $output like bats' run.
run_in_runsc ()
{
  status=0
  timeout 60 "$RUNSC" --root "$ROOT" "$@" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" \
    2>&1 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

# The probe's bundle: root with the capabilities it needs and no ambient set (execve as 1000 must drop them).
probe_bundle ()
{
  cp "$CREDPROBE" "$BUNDLE/rootfs/credprobe"
  echo secret > "$BUNDLE/rootfs/secret"
  chown 0:0 "$BUNDLE/rootfs/secret"
  chmod 0600 "$BUNDLE/rootfs/secret"
  bundle_args "$BUNDLE" /credprobe "$@"
  bundle_jq "$BUNDLE" '.process.capabilities = {bounding: $c, effective: $c, inheritable: [], permitted: $c,
      ambient: []}' --argjson c '["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_SETUID",
      "CAP_SETGID","CAP_KILL"]'
}

EXPECTED="setuid ok
fsuid ok
capset ok
thread-setuid ok
thread-own ok
thread-umask ok
exec ok
thread-exec ok"

@test "credprobe under runc: the kernel's own answers (the expectations of the runsc test)" {
  command -v runc > /dev/null || skip "runc is not installed"
  probe_bundle
  status=0
  timeout 60 runc --root "$ROOT/runc" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/runc.out" 2>&1 3>&- \
    || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/runc.out")
  runc --root "$ROOT/runc" delete -f "$ID" > /dev/null 2>&1 || true
  [ "$status" -eq 0 ] || fail "runc: status $status: $output"
  [ "$output" = "$EXPECTED" ] || fail "runc: $output"
}

@test "an open after a credential change is decided with the new credentials, never cached ones" {
  probe_bundle
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "$EXPECTED" ] || fail "$output"
}

@test "the credential cases with one notification thread (every call served by the same cache)" {
  probe_bundle
  RUNSC_SENTRY_WORKERS=1 run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "$EXPECTED" ] || fail "$output"
}

@test "a non-root user without noNewPrivileges starts: its privilege drop goes through the served listener" {
  bundle_user "$BUNDLE" 1000 1000
  bundle_jq "$BUNDLE" '.process.noNewPrivileges = false | .process.user.additionalGids = [1001, 1002]'
  bundle_args "$BUNDLE" /bin/sh -c 'id -u; id -G; grep NoNewPrivs /proc/self/status'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "1000
1000 1001 1002
NoNewPrivs:	0" ] || fail "$output"
}

@test "runsc exec --user without noNewPrivileges: the exec'd process drops privileges through the Sentry" {
  bundle_jq "$BUNDLE" '.process.noNewPrivileges = false'
  bundle_args "$BUNDLE" /bin/sleep 60
  run_create
  [ "$status" -eq 0 ] || fail "create: $output"
  runtime start "$ID" || fail "start"
  run timeout 30 "$RUNSC" --root "$ROOT" exec --user 1000:1000 "$ID" /bin/sh -c 'id -u; id -g' 3>&-
  [ "$status" -eq 0 ] || fail "exec: status $status: $output"
  [ "$output" = "1000
1000" ] || fail "exec: $output"
}
