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
