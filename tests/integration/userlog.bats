#!/usr/bin/env bats
# The user log (runsc create/run --user-log FILE): the sandbox's user-facing events as gVisor's json-k8s lines
# ({"log": ..., "level": ..., "time": ...}), written by runsc and by the Sentry for the sandbox's lifetime: its
# start and exit, the containers' starts and exits (a pod's members too), refused system calls once each, OOM
# kills, and why a create failed.  runsc-only (runc has no such flag).  k8s.bats checks the end to end: the shim
# passes <pod log directory>/gvisor.log.

load helpers

setup ()
{
  common_setup
  ULOG=$BATS_TEST_TMPDIR/gvisor.log
}

teardown ()
{
  common_teardown
}

rs ()
{
  "$RUNSC" --root "$ROOT" "$@" 3>&-
}

# Every line of the user log is one JSON object with exactly log, level and time (RFC 3339, UTC).
assert_json_k8s ()
{
  local n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    jq -e 'type == "object" and (keys == ["level", "log", "time"])
      and (.level | IN("debug", "info", "warning", "error"))
      and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))
      and (.log | type == "string" and length > 0)' <<< "$line" > /dev/null \
      || fail "line $n of the user log is not a json-k8s line: $line" || return 1
  done < "$1"
  [ "$n" -gt 0 ] || fail "the user log $1 is empty"
}

# The messages of the user log, one per line.
messages ()
{
  jq -r .log "$1"
}

# The line number of the first message matching the extended regex $2 in user log $1 (fails when none does).
line_of ()
{
  local n
  n=$(messages "$1" | grep -nE -- "$2" | head -n1 | cut -d: -f1)
  [ -n "$n" ] || { echo "no message matching '$2' in $1:" >&2; messages "$1" >&2; return 1; }
  echo "$n"
}

@test "userlog: run --user-log: the sandbox's start, each refused syscall once, the container's exit, as json-k8s lines" {
  # An earlier line stays: the file is appended to.
  echo '{"log":"from before","level":"info","time":"2020-01-01T00:00:00Z"}' > "$ULOG"
  bundle_args "$BUNDLE" /bin/sh -c 'swapoff /x; swapoff /y; swapon /bin/busybox; echo app-done; exit 3'
  run rs run --user-log "$ULOG" --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -eq 3 ] || fail "run: status $status: $output"
  assert_output_has app-done
  cat "$ULOG" >&2
  assert_json_k8s "$ULOG"
  [ "$(messages "$ULOG" | head -n1)" = "from before" ] || fail "the earlier content was not kept"

  start=$(line_of "$ULOG" "^sandbox $ID: started") || fail "no start line"
  started=$(line_of "$ULOG" "^container $ID: started\$") || fail "no container start line"
  swapoff=$(line_of "$ULOG" '^Unsupported syscall swapoff\(0x[0-9a-f]+(,(0x[0-9a-f]+|0)){5}\): refused with EPERM \(container '"$ID"'\)$') \
    || fail "no swapoff line"
  swapon=$(line_of "$ULOG" "^Unsupported syscall swapon\\(.*\\): refused with EPERM \\(container $ID\\)\$") || fail "no swapon line"
  exited=$(line_of "$ULOG" "^container $ID: exited with status 3 ") || fail "no exit line"
  stopped=$(line_of "$ULOG" "^sandbox $ID: stopped \\(exit status 3\\)\$") || fail "no sandbox stop line"
  # In the order they happened.
  [ "$start" -lt "$started" ] && [ "$started" -lt "$swapoff" ] && [ "$swapoff" -lt "$swapon" ] \
    && [ "$swapon" -lt "$exited" ] && [ "$exited" -le "$stopped" ] \
    || fail "out of order: start $start, started $started, swapoff $swapoff, swapon $swapon, exit $exited, stop $stopped"
  # Once per syscall: the second swapoff is not logged again.
  [ "$(messages "$ULOG" | grep -c '^Unsupported syscall swapoff(')" -eq 1 ] || fail "swapoff logged more than once"
  [ "$(jq -r 'select(.log | startswith("Unsupported")) | .level' "$ULOG" | sort -u)" = info ] \
    || fail "refused syscalls are not info-level"
  # Nothing of it on the container's output.
  ! grep -q Unsupported <<< "$output" || fail "the user log leaked into the container's output: $output"
}

@test "userlog: create --user-log: the Sentry writes it for the sandbox's lifetime; a pod's members log there too" {
  pod=$ID-pod
  bundle_args "$BUNDLE" /bin/sleep 1000
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox"}'
  rs create --user-log "$ULOG" --bundle "$BUNDLE" "$pod" < /dev/null > "$BATS_TEST_TMPDIR/pod.out" 2>&1 \
    || fail "create the pod: $(cat "$BATS_TEST_TMPDIR/pod.out")"
  rs start "$pod" || fail "start the pod"
  # runsc create has exited: what follows is the Sentry's writing.
  app=$BATS_TEST_TMPDIR/app
  cp -a "$BUNDLE" "$app"
  bundle_args "$app" /bin/sh -c 'swapoff /z; reboot -f; exit 5'
  bundle_jq "$app" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  rs create --bundle "$app" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/app.out" 2>&1 \
    || fail "create the member: $(cat "$BATS_TEST_TMPDIR/app.out")"
  rs start "$ID" || fail "start the member"
  run rs wait "$ID"
  [ "$(jq .exitStatus <<< "$output")" = 5 ] || fail "wait: $output"
  wait_for_text "$ULOG" "container $ID: exited with status 5" || fail "no exit line for the member"
  cat "$ULOG" >&2
  assert_json_k8s "$ULOG"
  line_of "$ULOG" "^container $ID: created in sandbox $pod " > /dev/null || fail "no creation line for the member"
  line_of "$ULOG" "^container $ID: started\$" > /dev/null || fail "no start line for the member"
  line_of "$ULOG" "^Unsupported syscall swapoff\\(.*\\(container $ID\\)\$" > /dev/null || fail "no swapoff line for the member"
  line_of "$ULOG" "^Unsupported syscall reboot\\(.*\\(container $ID\\)\$" > /dev/null || fail "no reboot line for the member"
  rs delete "$ID" || fail "delete the member"
  rs delete --force "$pod" || fail "delete the pod"
  line_of "$ULOG" "^container $pod: exited with status 137 " > /dev/null || fail "no exit line for the pod's sandbox container"
  line_of "$ULOG" "^sandbox $pod: stopped " > /dev/null || fail "no stop line for the sandbox"
}

@test "userlog: an OOM kill by the memory limit is in the user log" {
  bundle_args "$BUNDLE" sh -c 'awk "BEGIN { s = \"x\"; while (1) s = s s }"; echo "awk exited $?"'
  # 32 MiB: the limit is on the container's own memory cgroup, which the Sentry is not in (resources.bats has
  # the test that the Sentry is never the victim).
  limit=$((32 << 20))
  if [ -e "$(cgroup_mount_of memory)/memory.memsw.limit_in_bytes" ]; then
    bundle_jq "$BUNDLE" '.linux.resources = {"memory": {"limit": $l, "swap": $l}}' --argjson l "$limit"
  else
    bundle_jq "$BUNDLE" '.linux.resources = {"memory": {"limit": $l}}' --argjson l "$limit"
  fi
  run rs run --user-log "$ULOG" --bundle "$BUNDLE" "$ID" < /dev/null
  assert_output_has "awk exited 137"
  # The OOM watcher reports from its own thread: give it a moment after the exit.
  wait_for_text "$ULOG" "out of memory" 5 || fail "no OOM line"
  cat "$ULOG" >&2
  assert_json_k8s "$ULOG"
  line_of "$ULOG" "^container $ID: out of memory: the memory cgroup's limit \\(32768 kB\\) killed a process" > /dev/null \
    || fail "the OOM line does not name the container and the limit"
}

@test "userlog: a user log whose directory does not exist yet is made, and the container runs" {
  # A pod's log directory the kubelet has not made yet (RunPodSandbox used to fail on it).
  local log=$BATS_TEST_TMPDIR/no/such/dir/gvisor.log
  bundle_args "$BUNDLE" echo ran
  run rs run --user-log "$log" --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -eq 0 ] || fail "run with a user log in a missing directory: status $status: $output"
  assert_output_has "ran"
  [ -d "$BATS_TEST_TMPDIR/no/such/dir" ] || fail "no directory made"
  cat "$log" >&2
  assert_json_k8s "$log"
  line_of "$log" "^container $ID: exited with status 0" > /dev/null || fail "no exit line in the made user log"
}

@test "userlog: a user log that cannot be opened at all is a warning, once, and the container runs; a failed create says why in it" {
  # Its directory is a regular file: nothing can make the log there.
  local log=$BATS_TEST_TMPDIR/file/gvisor.log
  touch "$BATS_TEST_TMPDIR/file"
  bundle_args "$BUNDLE" echo ran
  run rs --log "$BATS_TEST_TMPDIR/runsc.log" run --user-log "$log" --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -eq 0 ] || fail "run without a possible user log: status $status: $output"
  assert_output_has "ran"
  [ "$(grep -c "the sandbox runs without its user log" "$BATS_TEST_TMPDIR/runsc.log")" -eq 1 ] \
    || fail "not one warning: $(cat "$BATS_TEST_TMPDIR/runsc.log")"
  grep "the sandbox runs without its user log" "$BATS_TEST_TMPDIR/runsc.log" | grep -qF "$log" \
    || fail "the warning does not name the file: $(cat "$BATS_TEST_TMPDIR/runsc.log")"
  [ ! -e "$ROOT/$ID" ] || fail "state left: $(ls -A "$ROOT/$ID")"

  # A failure inside the Sentry's boot (the process cannot be found in the root filesystem), reported back to
  # runsc create: the user log says it once, at error level.
  bundle_args "$BUNDLE" /no-such-program
  run rs create --user-log "$ULOG" --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -ne 0 ] || fail "create of a missing program succeeded"
  cat "$ULOG" >&2
  assert_json_k8s "$ULOG"
  [ "$(jq -r 'select(.level == "error") | .log' "$ULOG" | grep -c "^create container $ID: .*no-such-program")" -eq 1 ] \
    || fail "the failure is not in the user log once at error level"
  [ ! -e "$ROOT/$ID" ] || fail "state left: $(ls -A "$ROOT/$ID")"
}
