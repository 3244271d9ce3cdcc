#!/usr/bin/env bats
# Fault injection (issue 12): kill -9 of the runsc command and of the Sentry (runsc-sandbox) at seeded random
# points of create, start, exec and delete; after each trial `runsc list` answers, `runsc delete --force`
# succeeds and nothing of the container is left (tests/lib/faults.bash says what is checked).  The suite runs
# a fixed seeded subset; `make faults` (or FAULT_TRIALS=N) runs N seeded trials in one test (the full count:
# 120).

load helpers

setup ()
{
  [ "$RUNTIME_NAME" = runsc ] || skip "the fault-injection suite drives runsc"
  common_setup
  # The container's init names this tag, so that a process left by a trial is found by its command line.
  FAULT_TAG=fault-tag-$$-$BATS_TEST_NUMBER
  bundle_args "$BUNDLE" sh -c 'sleep 1000; :' "$FAULT_TAG"
  export ROOT BUNDLE FAULT_TAG BATS_TEST_TMPDIR
}

# Trials run in a plain bash (tests/lib/faults.bash as a script): bats' debug trap slows loops tenfold.
fault_cli_trial ()
{
  bash "$TESTS_DIR/lib/faults.bash" trial "$@" 3>&-
}

teardown ()
{
  common_teardown
}

@test "faults: kill -9 of runsc create at seeded points leaves nothing after delete --force" {
  for seed in 101 102 103; do fault_cli_trial "$seed" create runsc; done
}

@test "faults: kill -9 of the Sentry during create leaves nothing after delete --force" {
  for seed in 201 202; do fault_cli_trial "$seed" create sentry; done
}

@test "faults: kill -9 of runsc start, exec and delete leaves nothing after delete --force" {
  for seed in 301; do
    fault_cli_trial "$seed" start runsc
    fault_cli_trial "$seed" exec runsc
    fault_cli_trial "$seed" delete runsc
  done
}

@test "faults: kill -9 of the Sentry during start, exec and delete leaves nothing after delete --force" {
  for seed in 401; do
    fault_cli_trial "$seed" start sentry
    fault_cli_trial "$seed" exec sentry
    fault_cli_trial "$seed" delete sentry
  done
}

# A Sentry that stops answering (stopped here; stuck in the field) still queues connections on its listening
# socket: state says so within its timeout and delete --force kills it by pid instead of waiting for an answer
# that never comes.
@test "faults: delete --force of a sandbox whose Sentry does not answer kills it and leaves nothing" {
  # shellcheck source=../lib/faults.bash
  . "$TESTS_DIR/lib/faults.bash"
  fault_snapshot
  "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  sentry=$("$RUNSC" --root "$ROOT" state "$ID" | jq .pid)
  kill -STOP "$sentry"
  run timeout 60 "$RUNSC" --root "$ROOT" delete --force "$ID"
  kill -CONT "$sentry" 2> /dev/null || true
  [ "$status" -eq 0 ] || fail "delete --force: status $status: $output"
  grep -q "did not answer" <<< "$output" || fail "no word of the silent sandbox: $output"
  for _ in $(seq 50); do proc_present "$sentry" || break; sleep 0.1; done
  ! proc_present "$sentry" || fail "the Sentry $sentry is still alive: $(grep State "/proc/$sentry/status")"
  fault_check_clean "$ID" || fail "left behind"
}

@test "faults: FAULT_TRIALS seeded trials through the CLI (make faults)" {
  [ -n "${FAULT_TRIALS:-}" ] || skip "set FAULT_TRIALS=N (make faults runs 120)"
  bash "$TESTS_DIR/lib/faults.bash" trials "${FAULT_SEED:-1000}" "$FAULT_TRIALS"
}
