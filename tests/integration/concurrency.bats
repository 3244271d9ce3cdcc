#!/usr/bin/env bats
# Concurrency (issue 12): many `runsc run` at once with distinct ids, and kill, delete and state racing on the
# same ids.  Every command is bounded by a timeout (a command that hits it is a deadlock and fails the test),
# ends with exit status 0 or a non-zero status with an error message, and no state file is ever seen
# half-written; at the end nothing is left (the leak checks of tests/lib/faults.bash).

load helpers

setup ()
{
  [ "$RUNTIME_NAME" = runsc ] || skip "the concurrency suite drives runsc"
  common_setup
  . "$TESTS_DIR/lib/faults.bash"
  FAULT_TAG=conc-tag-$$-$BATS_TEST_NUMBER
  bundle_args "$BUNDLE" sh -c 'sleep 1000; :' "$FAULT_TAG"
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT"
  BG_PIDS=()
}

# Wait for the background jobs this test started, by pid: a bare `wait` would also wait for bats' own
# BATS_TEST_TIMEOUT sleeper and time the test out.
wait_bg ()
{
  [ ${#BG_PIDS[@]} -eq 0 ] || wait "${BG_PIDS[@]}"
  BG_PIDS=()
}

teardown ()
{
  common_teardown
}

# Run `runtime ARGS...` in the background, bounded (60 s, then KILL), its status in $OUT/NAME.rc and its
# output in $OUT/NAME.out.
bg_runtime ()
{
  local name=$1
  shift
  ( rc=0
    timeout -k 5 60 "$RUNTIME_BIN" --root "$ROOT" "$@" < /dev/null > "$OUT/$name.out" 2>&1 3>&- || rc=$?
    echo "$rc" > "$OUT/$name.rc" ) &
  BG_PIDS+=($!)
}

# Every command ended (no status 124/137 from the timeout) and each failure said why.
check_answers ()
{
  local f rc name problems=()
  for f in "$OUT"/*.rc; do
    name=$(basename "$f" .rc)
    rc=$(cat "$f")
    case $rc in
      0) ;;
      124 | 137) problems+=("$name: did not end within 60 s (status $rc): $(cat "$OUT/$name.out")") ;;
      *) [ -s "$OUT/$name.out" ] || problems+=("$name: status $rc without any message") ;;
    esac
  done
  if [ ${#problems[@]} -gt 0 ]; then
    printf '%s\n' "${problems[@]}" >&2
    return 1
  fi
}

# Parse every state.json under $ROOT until $1 exists (a file of the test): a torn write shows as bad JSON.
watch_state_files ()
{
  local stop=$1 f
  while [ ! -e "$stop" ]; do
    for f in "$ROOT"/*/state.json; do
      [ -e "$f" ] || continue
      if ! jq -e .id "$f" > /dev/null 2>&1 && [ -e "$f" ]; then
        # Gone between the test and the read is fine; present and unparsable is not.
        cp "$f" "$BATS_TEST_TMPDIR/torn.json" 2> /dev/null && jq -e .id "$BATS_TEST_TMPDIR/torn.json" > /dev/null 2>&1 \
          || echo "$f" >> "$BATS_TEST_TMPDIR/torn"
      fi
    done
  done
}

# Nothing of containers $@ is left (tests/lib/faults.bash, run as a plain script: bats' debug trap slows loops).
check_clean ()
{
  export FAULT_FUSE_BEFORE FAULT_NSFS_BEFORE FAULT_NETNS_BEFORE ROOT BUNDLE FAULT_TAG BATS_TEST_TMPDIR
  bash "$TESTS_DIR/lib/faults.bash" check "$@" >&2 3>&- || fail "something was left (above)"
}

@test "concurrency: 50 runsc run --detach at once all start, list shows them, and 50 concurrent deletes leave nothing" {
  local i n
  fault_snapshot
  for i in $(seq 50); do
    bg_runtime "run$i" run --detach --bundle "$BUNDLE" "$ID-$i"
  done
  wait_bg
  check_answers
  for i in $(seq 50); do
    [ "$(cat "$OUT/run$i.rc")" -eq 0 ] || fail "run $ID-$i: $(cat "$OUT/run$i.out")"
  done
  run runtime list --format json
  [ "$status" -eq 0 ] || fail "list: $output"
  n=$(jq '[.[] | select(.status == "running")] | length' <<< "$output")
  [ "$n" -eq 50 ] || fail "list shows $n running containers, not 50: $output"
  rm -f "$OUT"/*
  for i in $(seq 50); do
    bg_runtime "delete$i" delete --force "$ID-$i"
  done
  wait_bg
  check_answers
  for i in $(seq 50); do
    [ "$(cat "$OUT/delete$i.rc")" -eq 0 ] || fail "delete $ID-$i: $(cat "$OUT/delete$i.out")"
  done
  check_clean $(for i in $(seq 50); do echo "$ID-$i"; done)
}

@test "concurrency: kill, delete --force and state racing on the same ids always answer, never tear state.json" {
  local i j rc
  fault_snapshot
  for i in $(seq 8); do
    runtime create --bundle "$BUNDLE" "$ID-$i" < /dev/null > /dev/null 2>&1 || fail "create $ID-$i"
    [ $((i % 2)) -eq 0 ] && { runtime start "$ID-$i" > /dev/null 2>&1 || fail "start $ID-$i"; }
  done
  watch_state_files "$BATS_TEST_TMPDIR/stop" &
  local watcher=$!
  for i in $(seq 8); do
    for j in 1 2 3; do
      bg_runtime "state$i-$j" state "$ID-$i"
      bg_runtime "kill$i-$j" kill "$ID-$i" KILL
      bg_runtime "start$i-$j" start "$ID-$i"
      bg_runtime "delete$i-$j" delete --force "$ID-$i"
      bg_runtime "list$i-$j" list
    done
  done
  # Every background runtime command (the watcher is the last job: wait for the others by name).
  while [ "$(ls "$OUT"/*.rc 2> /dev/null | wc -l)" -lt $((8 * 3 * 5)) ]; do
    sleep 0.2
  done
  touch "$BATS_TEST_TMPDIR/stop"
  wait_bg
  wait "$watcher"
  check_answers
  [ ! -e "$BATS_TEST_TMPDIR/torn" ] || fail "state files read half-written: $(sort -u "$BATS_TEST_TMPDIR/torn")"
  # A state that answered 0 printed a whole state; list always answers.
  for f in "$OUT"/state*.rc "$OUT"/list*.rc; do
    name=$(basename "$f" .rc)
    if [ "$(cat "$f")" -eq 0 ] && [[ $name == state* ]]; then
      jq -e .status "$OUT/$name.out" > /dev/null || fail "$name: status 0 but not a state: $(cat "$OUT/$name.out")"
    fi
    [[ $name != list* ]] || [ "$(cat "$f")" -eq 0 ] || fail "$name: $(cat "$OUT/$name.out")"
  done
  # Some delete --force of each id succeeded; the others said it did not exist or succeeded too.
  for i in $(seq 8); do
    rc=1
    for j in 1 2 3; do
      [ "$(cat "$OUT/delete$i-$j.rc")" -eq 0 ] && rc=0
    done
    [ "$rc" -eq 0 ] || fail "no delete --force of $ID-$i succeeded: $(cat "$OUT"/delete$i-*.out)"
  done
  check_clean $(for i in $(seq 8); do echo "$ID-$i"; done)
}
