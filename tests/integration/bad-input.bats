#!/usr/bin/env bats
# Bad input beyond the spec parser (issue 12): a state root on a full filesystem, too few descriptors (EMFILE),
# a 100 MB config.json, a JSON nesting bomb, a bundle root filesystem that is a symlink out of the bundle, and
# hooks that never exit.  Each ends with a clear error naming the problem and a non-zero exit (or, where runc
# accepts the input, with runc's answer), and nothing half-made: no state directory, process, mount or cgroup
# of the container (tests/lib/faults.bash's checks).

load helpers

setup ()
{
  [ "$RUNTIME_NAME" = runsc ] || skip "the bad-input suite drives runsc"
  common_setup
  . "$TESTS_DIR/lib/faults.bash"
  FAULT_TAG=bad-tag-$$-$BATS_TEST_NUMBER
  bundle_args "$BUNDLE" sh -c 'sleep 1000; :' "$FAULT_TAG"
  fault_snapshot
}

teardown ()
{
  common_teardown
}

# Nothing of container $1 is left (run as a plain script: bats' debug trap slows its loops).
check_clean ()
{
  export FAULT_FUSE_BEFORE FAULT_NSFS_BEFORE FAULT_NETNS_BEFORE ROOT BUNDLE FAULT_TAG BATS_TEST_TMPDIR
  bash "$TESTS_DIR/lib/faults.bash" check "$@" >&2 3>&- || fail "something was left (above)"
}

@test "bad input: a JSON nesting bomb in config.json is refused by name, without a crash" {
  # 200000 nested arrays (400 KB): json-glib's recursive parser overflowed the stack (SIGSEGV, status 139).
  python3 - "$BUNDLE/config.json" << 'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
text = json.dumps(spec)
open(path, "w").write(text[:-1] + ', "x-bomb": ' + "[" * 200000 + "]" * 200000 + "}")
PY
  run_create
  [ "$status" -eq 1 ] || fail "status $status (1 expected): $output"
  assert_output_has "config.json"
  assert_output_has "nested deeper than 1000 levels"
  check_clean "$ID"
}

@test "bad input: a nesting bomb in state.json is an error for state and delete --force still removes it" {
  create_ok
  runtime delete --force "$ID"
  mkdir -p "$ROOT/$ID"
  python3 -c 'import sys; sys.stdout.write("{\"id\": " + "[" * 200000 + "]" * 200000 + "}")' > "$ROOT/$ID/state.json"
  run runtime state "$ID"
  [ "$status" -eq 1 ] || fail "state: status $status (1 expected): $output"
  assert_output_has "nested deeper than 1000 levels"
  run runtime delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete --force: status $status: $output"
  check_clean "$ID"
}

@test "bad input: a state root on a full filesystem fails create with the file and ENOSPC, leaving nothing" {
  local free
  mkdir -p "$BATS_TEST_TMPDIR/tiny"
  mount -t tmpfs -o size=32k tmpfs "$BATS_TEST_TMPDIR/tiny"
  ROOT=$BATS_TEST_TMPDIR/tiny/root
  mkdir -p "$ROOT"
  # From no room at all to room for the spec's copy but not for the rest.
  for free in 0 4 8 12; do
    rm -f "$BATS_TEST_TMPDIR/tiny/fill"
    dd if=/dev/zero of="$BATS_TEST_TMPDIR/tiny/fill" bs=1k count=$((32 - free)) 2> /dev/null || :
    run_create
    if [ "$status" -eq 0 ]; then
      runtime delete --force "$ID"
      continue
    fi
    [ "$status" -eq 1 ] || fail "$free KiB free: status $status: $output"
    assert_output_has "No space left on device"
    assert_output_has "$ROOT/$ID/"
    check_clean "$ID"
  done
  umount "$BATS_TEST_TMPDIR/tiny"
}

@test "bad input: create with too few descriptors (EMFILE) names what it could not open and leaves nothing" {
  local n
  # Each limit runs out at another step: the state directory, the spec's copy, the sync pipe, the cgroups.
  for n in 6 8 10 12 16; do
    status=0
    output=$(exec < /dev/null 3>&-; ulimit -n "$n"; exec "$RUNTIME_BIN" --root "$ROOT" create --bundle "$BUNDLE" "$ID" 2>&1) \
      || status=$?
    [ "$status" -eq 1 ] || fail "ulimit -n $n: status $status: $output"
    assert_output_has "Too many open files"
    [ ! -e "$ROOT/$ID" ] || fail "ulimit -n $n: $ROOT/$ID is left: $(ls -A "$ROOT/$ID")"
    check_clean "$ID"
  done
}

@test "bad input: a 100 MB config.json is refused at once, naming its size" {
  python3 - "$BUNDLE/config.json" << 'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec.setdefault("annotations", {})["x-big"] = "a" * (100 << 20)
json.dump(spec, open(path, "w"))
PY
  run_create
  [ "$status" -eq 1 ] || fail "status $status: $output"
  assert_output_has "$BUNDLE/config.json"
  assert_output_has "larger than the 16 MiB"
  check_clean "$ID"
}

@test "bad input: a root filesystem that is a symlink out of the bundle is refused by name, as runc refuses it" {
  local elsewhere=$BATS_TEST_TMPDIR/elsewhere
  mv "$BUNDLE/rootfs" "$elsewhere"
  ln -s "$elsewhere" "$BUNDLE/rootfs"
  run_create
  [ "$status" -eq 1 ] || fail "status $status: $output"
  assert_output_has "is a symlink"
  assert_output_has "$BUNDLE/rootfs"
  if command -v runc > /dev/null; then
    run runc --root "$BATS_TEST_TMPDIR/runc-root" create --bundle "$BUNDLE" "$ID-runc" < /dev/null
    [ "$status" -ne 0 ] || fail "runc accepted it: $output"
  fi
  check_clean "$ID"
}

@test "bad input: a root filesystem that is a dangling symlink is an error naming it, leaving nothing" {
  rm -rf "$BUNDLE/rootfs"
  ln -s "$BATS_TEST_TMPDIR/nowhere" "$BUNDLE/rootfs"
  run_create
  [ "$status" -eq 1 ] || fail "status $status: $output"
  assert_output_has "rootfs"
  check_clean "$ID"
}

@test "bad input: a hook that never exits with a timeout fails create after it, naming the hook, leaving nothing" {
  bundle_jq "$BUNDLE" '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 1000; :", $t], "timeout": 1}]}' \
    --arg t "$FAULT_TAG"
  run_create
  [ "$status" -eq 1 ] || fail "status $status: $output"
  assert_output_has "timed out after 1 seconds"
  assert_output_has "/bin/sh"
  check_clean "$ID"
}

@test "bad input: a hook that never exits without a timeout keeps create waiting, as runc; killing it and delete --force leave nothing" {
  bundle_jq "$BUNDLE" '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 1000; :", $t]}]}' \
    --arg t "$FAULT_TAG"
  # runsc itself in the background (not the runtime function, whose subshell would be the one killed).
  "$RUNTIME_BIN" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- &
  pid=$!
  sleep 3
  kill -0 "$pid" || fail "create ended: $(cat "$BATS_TEST_TMPDIR/create.out")"
  kill -KILL "$pid"
  wait "$pid" || :
  run runtime delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete --force: status $status: $output"
  check_clean "$ID"
}
