#!/usr/bin/env bats
# containerd-shim-runsc-v1 driven by a real containerd, started privately for this suite with its own root,
# state and sockets: Debian 12's 1.6 by default, CONTAINERD_VERSION=1.7 or 2 for Debian trixie's or sid's
# (tests/lib/containerd-versions.bash fetches and caches them; tests/run runs the suite with each): `ctr run --runtime io.containerd.runsc.v1` end to end, with the shim
# driving the runtime named by SHIM_RUNTIME (default $RUNSC; SHIM_RUNTIME=runc runs the same suite through
# runc, where the sandbox-specific answers are runc's own).  SHIM_DEBUG_LEAKS=FILE appends, after each test,
# the shims still running to FILE.

load helpers
load shim-helpers

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the shim tests run as root"
  fi
  [ -x "$SHIM" ] || { echo "the shim is missing: $SHIM" >&2; return 1; }
  [ -x "$SHIM_RUNTIME_BIN" ] || { echo "the runtime is missing: $SHIM_RUNTIME_BIN" >&2; return 1; }
  containerd_select "$CONTAINERD_VERSION" || return 1
  command -v containerd > /dev/null || { echo "containerd is not installed" >&2; return 1; }
  echo "# containerd $CONTAINERD_FULL_VERSION ($(command -v containerd))" >&3
  # ROOTFS: a busybox root filesystem shared by the suite (ctr run --rootfs uses it read-write through the
  # runtime's overlay, or, with runc, directly; no test writes to it).
  ROOTFS=$(bundle_rootfs_base)
  export ROOTFS
  shim_containerd_start
  : > "$SHIM_D/addresses"
}

teardown_file ()
{
  shim_containerd_stop
}

setup ()
{
  ID=s$$-$BATS_TEST_NUMBER
}

# Whatever this test left (its ids all start with $ID): killed and deleted, so that a failure does not
# spill into the next test.
teardown ()
{
  local t
  for t in $(shim_ctr task ls -q 2> /dev/null | grep -- "^$ID"); do
    shim_ctr task kill -s KILL "$t" > /dev/null 2>&1
  done
  for t in $(shim_ctr task ls -q 2> /dev/null | grep -- "^$ID"); do
    shim_ctr task rm -f "$t" > /dev/null 2>&1
  done
  for t in $(shim_ctr containers ls -q 2> /dev/null | grep -- "^$ID"); do
    shim_ctr containers rm "$t" > /dev/null 2>&1
  done
  [ -z "${SHIM_DEBUG_LEAKS:-}" ] || echo "$BATS_TEST_NUMBER: $(shim_pids | tr '\n' ' ')" >> "$SHIM_DEBUG_LEAKS"
}

# Start a detached `sleep 1000` task $1 and wait until it runs.
run_detached ()
{
  run shim_run -d --rootfs "$ROOTFS" "$1" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "run -d $1: $output"
  remember_address "$1"
  shim_wait_status "$1" RUNNING
}

# Remember the shim socket of task $1 (for the last test: nothing left behind).
remember_address ()
{
  local f
  f=$(shim_bundle "$1")/address
  [ -f "$f" ] && { cat "$f"; echo; } >> "$SHIM_D/addresses"
  return 0
}

@test "shim: ctr run --rm prints the sandbox's kernel release" {
  run shim_run --rm --rootfs "$ROOTFS" "$ID" /bin/uname -r
  [ "$status" -eq 0 ] || fail "ctr run: status $status: $output"
  if shim_is_runsc; then
    [ "$output" = "4.4.0" ] || fail "uname -r in the sandbox: '$output', expected the sandbox release 4.4.0"
  else
    [ "$output" = "$(uname -r)" ] || fail "uname -r through runc: '$output'"
  fi
  ! shim_ctr task ls -q | grep -qx -- "$ID" || fail "task left: $(shim_ctr task ls)"
  ! shim_ctr containers ls -q | grep -qx -- "$ID" || fail "container left: $(shim_ctr containers ls)"
}

@test "shim: dmesg shows the sandbox's kernel log" {
  run shim_run --rm --rootfs "$ROOTFS" "$ID" /bin/dmesg
  if shim_is_runsc; then
    [ "$status" -eq 0 ] || fail "dmesg: status $status: $output"
    head -n1 <<< "$output" | grep -q 'Starting' || fail "first line: $output"
    tail -n1 <<< "$output" | grep -q 'Ready!' || fail "last line: $output"
  else
    # runc: an unprivileged container cannot read the host's log.
    [ "$status" -ne 0 ] || fail "dmesg under runc succeeded: $output"
    assert_output_has "Operation not permitted"
  fi
}

@test "shim: exit codes, stdout and stderr pass through" {
  run shim_run --rm --rootfs "$ROOTFS" "$ID" /bin/sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
  [ "$status" -eq 3 ] || fail "status $status, expected 3: $output"
  assert_output_has "to-stdout"
  assert_output_has "to-stderr"
}

@test "shim: stdin reaches the process and its end closes it (CloseIO)" {
  # The sleep lets ctr finish creating the task before its stdin ends (ctr sends CloseIO only then).
  run bash -c "(sleep 1; echo through-stdin) | timeout -k 5 60 ctr --address $SHIM_D/containerd.sock run --rm \
    --runtime io.containerd.runsc.v1 --runtime-config-path $SHIM_D/runsc.toml --rootfs $ROOTFS $ID /bin/cat"
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "through-stdin" ] || fail "output: $output"
}

@test "shim: a detached task: ps, metrics, checkpoint refused, kill, delete, with its events in order" {
  shim_ctr events > "$BATS_TEST_TMPDIR/events" 2>&1 &
  evpid=$!
  sleep 0.3
  run_detached "$ID"
  pid=$(shim_ctr task ls | awk -v id="$ID" '$1 == id { print $2 }')
  [ "$pid" -gt 0 ] || fail "no task pid"

  run shim_ctr task ps "$ID"
  [ "$status" -eq 0 ] || fail "ps: $output"
  [ "$(wc -l <<< "$output")" -ge 2 ] || fail "ps lists no process: $output"

  run shim_ctr task metrics "$ID"
  [ "$status" -eq 0 ] || fail "metrics: $output"
  assert_output_has "memory.usage_in_bytes"
  assert_output_has "pids.current"

  run shim_ctr task checkpoint "$ID"
  [ "$status" -ne 0 ] || fail "checkpoint succeeded: $output"
  assert_output_has "not supported"

  run shim_ctr task kill -s KILL "$ID"
  [ "$status" -eq 0 ] || fail "kill: $output"
  shim_wait_status "$ID" STOPPED
  run shim_ctr task kill -s KILL "$ID"
  [ "$status" -ne 0 ] || fail "a second kill of a stopped task succeeded"
  assert_output_has "process already finished"
  run shim_ctr task rm "$ID"
  [ "$status" -eq 0 ] || fail "task rm: $output"
  run shim_ctr containers rm "$ID"
  [ "$status" -eq 0 ] || fail "containers rm: $output"
  sleep 0.5
  kill "$evpid"
  wait "$evpid" || true

  # The events the shim published, in order, each with its timestamp set.
  topics=$(grep -F "\"container_id\":\"$ID\"" "$BATS_TEST_TMPDIR/events" | awk '{print $6}' | tr '\n' ' ')
  # (containerd pauses a task around a checkpoint, and resumes it when the checkpoint fails.)
  want="/tasks/create /tasks/start /tasks/paused /tasks/resumed /tasks/exit /tasks/delete "
  [ "$topics" = "$want" ] || fail "events: '$topics', expected '$want'"
  grep -F "/tasks/exit" "$BATS_TEST_TMPDIR/events" | grep -F "\"id\":\"$ID\"" | grep -q '"exit_status":137' \
    || fail "exit event: $(cat "$BATS_TEST_TMPDIR/events")"
  ! grep -F "\"container_id\":\"$ID\"" "$BATS_TEST_TMPDIR/events" | grep -q '^0001-' || fail "an event without timestamp"
}

@test "shim: ctr task exec runs a process in the task, with its exit status and events" {
  shim_ctr events > "$BATS_TEST_TMPDIR/events" 2>&1 &
  evpid=$!
  sleep 0.3
  run_detached "$ID"
  run shim_ctr task exec --exec-id e1 "$ID" /bin/sh -c 'echo in-exec; exit 5'
  [ "$status" -eq 5 ] || fail "exec: status $status: $output"
  assert_output_has "in-exec"
  run shim_ctr task exec --exec-id e2 "$ID" /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "'
  [ "$status" -eq 0 ] || fail "exec 2: status $status: $output"
  assert_output_has "sleep 1000"
  run bash -c "echo piped-in | timeout -k 5 60 ctr --address $SHIM_D/containerd.sock task exec --exec-id e4 $ID /bin/cat"
  [ "$status" -eq 0 ] || fail "exec with stdin: status $status: $output"
  [ "$output" = piped-in ] || fail "exec with stdin: '$output'"
  run timeout -k 5 60 script -qec "ctr --address $SHIM_D/containerd.sock task exec -t --exec-id e3 $ID /bin/sh -c 'tty; exit 6'" /dev/null < /dev/null
  [ "$status" -eq 6 ] || fail "exec -t: status $status: $output"
  assert_output_has "/dev/pts/"
  sleep 0.5
  kill "$evpid"
  wait "$evpid" || true
  topics=$(grep -F "\"exec_id\":\"e1\"" "$BATS_TEST_TMPDIR/events" | grep -F "$ID" | awk '{print $6}' | tr '\n' ' ')
  [ "$topics" = "/tasks/exec-added /tasks/exec-started " ] || fail "exec events: '$topics'"
  grep -F "/tasks/exit" "$BATS_TEST_TMPDIR/events" | grep -F "\"id\":\"e1\"" | grep -q '"exit_status":5' \
    || fail "exec exit event: $(cat "$BATS_TEST_TMPDIR/events")"
}

@test "shim: pause and resume a task, with their events" {
  shim_ctr events > "$BATS_TEST_TMPDIR/events" 2>&1 &
  evpid=$!
  sleep 0.3
  run_detached "$ID"
  run shim_ctr task pause "$ID"
  [ "$status" -eq 0 ] || fail "pause: $output"
  shim_wait_status "$ID" PAUSED
  run shim_ctr task resume "$ID"
  [ "$status" -eq 0 ] || fail "resume: $output"
  shim_wait_status "$ID" RUNNING
  sleep 0.5
  kill "$evpid"
  wait "$evpid" || true
  topics=$(grep -F "\"container_id\":\"$ID\"" "$BATS_TEST_TMPDIR/events" | awk '{print $6}' | tr '\n' ' ')
  [ "$topics" = "/tasks/create /tasks/start /tasks/paused /tasks/resumed " ] || fail "events: '$topics'"
}

@test "shim: Update sets the task's resources (as for UpdateContainerResources)" {
  update=${SHIM_UPDATE:-$(dirname "$SHIM")/tests/lib/shim-update}
  [ -x "$update" ] || fail "tests/lib/shim-update is not built (make check builds it)"
  run_detached "$ID"
  pid=$(shim_ctr task ls | awk -v id="$ID" '$1 == id { print $2 }')
  echo '{"memory":{"limit":67108864},"pids":{"limit":77}}' > "$BATS_TEST_TMPDIR/resources.json"
  run "$update" "$(cat "$(shim_bundle "$ID")/address")" default "$ID" "$BATS_TEST_TMPDIR/resources.json"
  [ "$status" -eq 0 ] || fail "Update: $output"
  mem=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
  [ -n "$mem" ] || fail "task pid $pid has no memory cgroup"
  # runsc's pid is the Sentry's; on cgroup v1 the memory limit is on the child "container" that holds the
  # container's processes (the Sentry is kept out of the cgroup its workload can OOM: runsc-create(8)).
  if [ -d "/sys/fs/cgroup/memory$mem/container" ]; then
    mem=$mem/container
  fi
  limit=$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")
  [ "$limit" = 67108864 ] || fail "memory limit of $mem: $limit, expected 67108864"
  pids=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
  [ "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" = 77 ] || fail "pids.max of $pids: $(cat "/sys/fs/cgroup/pids$pids/pids.max")"
  # The same call under containerd 2.x's service name (a shim whose start prints JSON version 3 gets it);
  # a service the shim does not serve is UNIMPLEMENTED.
  echo '{"pids":{"limit":88}}' > "$BATS_TEST_TMPDIR/resources3.json"
  run env SHIM_TASK_SERVICE=containerd.task.v3.Task "$update" "$(cat "$(shim_bundle "$ID")/address")" default "$ID" \
    "$BATS_TEST_TMPDIR/resources3.json"
  [ "$status" -eq 0 ] || fail "Update through containerd.task.v3.Task: $output"
  [ "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" = 88 ] || fail "pids.max after the v3 Update: $(cat "/sys/fs/cgroup/pids$pids/pids.max")"
  run env SHIM_TASK_SERVICE=containerd.task.v9.Task "$update" "$(cat "$(shim_bundle "$ID")/address")" default "$ID" \
    "$BATS_TEST_TMPDIR/resources3.json"
  [ "$status" -ne 0 ] || fail "an Update through containerd.task.v9.Task succeeded"
  # An unknown task is NOT_FOUND, in containerd's words.
  run "$update" "$(cat "$(shim_bundle "$ID")/address")" default "$ID-none" "$BATS_TEST_TMPDIR/resources.json"
  [ "$status" -ne 0 ] || fail "Update of an unknown task succeeded"
  assert_output_has "not found"
}

@test "shim: ctr run -t gives the process a terminal" {
  command -v script > /dev/null || fail "script(1) (util-linux) is needed for a pty"
  run timeout -k 5 60 script -qec "ctr --address $SHIM_D/containerd.sock run -t --rm --runtime io.containerd.runsc.v1 --runtime-config-path $SHIM_D/runsc.toml --rootfs $ROOTFS $ID /bin/sh -c 'tty; exit 4'" /dev/null < /dev/null
  [ "$status" -eq 4 ] || fail "status $status, expected 4: $output"
  assert_output_has "/dev/pts/"
  printf 'echo typed-$((6*7))\nexit 2\n' > "$BATS_TEST_TMPDIR/input"
  run timeout -k 5 60 script -qec "ctr --address $SHIM_D/containerd.sock run -t --rm --runtime io.containerd.runsc.v1 --runtime-config-path $SHIM_D/runsc.toml --rootfs $ROOTFS $ID-i /bin/sh" /dev/null < "$BATS_TEST_TMPDIR/input"
  [ "$status" -eq 2 ] || fail "interactive: status $status: $output"
  assert_output_has "typed-42"
  grep -q "ResizePty" "$SHIM_D/containerd.log" || fail "no ResizePty reached the shim"

  # ResizePty: ctr sends its terminal's size (45x123 here); read it back from the host through the
  # container process's stdin, the pty's other end.
  timeout -k 5 30 script -qec "stty rows 45 cols 123; ctr --address $SHIM_D/containerd.sock run -t --rm --runtime io.containerd.runsc.v1 --runtime-config-path $SHIM_D/runsc.toml --rootfs $ROOTFS $ID-r /bin/sleep 4" /dev/null < /dev/null > /dev/null 2>&1 &
  spid=$!
  shim_wait_status "$ID-r" RUNNING || fail "the resize task did not run"
  tpid=$(shim_ctr task ls | awk -v id="$ID-r" '$1 == id { print $2 }')
  size=
  for i in $(seq 30); do
    for p in $(proc_tree "$tpid"); do
      [ "$(cat "/proc/$p/comm" 2> /dev/null)" = sleep ] || continue
      size=$(stty -F "/proc/$p/fd/0" size 2> /dev/null)
    done
    [ "$size" = "45 123" ] && break
    sleep 0.1
  done
  wait "$spid" || true
  [ "$size" = "45 123" ] || fail "the container's terminal is '$size', expected 45 rows, 123 columns"
}

@test "shim: stdout to file:// and to a binary:// logger" {
  run shim_run --rm --log-uri "file://$BATS_TEST_TMPDIR/out.log" --rootfs "$ROOTFS" "$ID" \
    /bin/sh -c 'echo to-file; echo err-to-file >&2' < /dev/null
  [ "$status" -eq 0 ] || fail "file://: $output"
  grep -qx "to-file" "$BATS_TEST_TMPDIR/out.log" || fail "file: $(cat "$BATS_TEST_TMPDIR/out.log")"
  grep -qx "err-to-file" "$BATS_TEST_TMPDIR/out.log" || fail "file: $(cat "$BATS_TEST_TMPDIR/out.log")"

  cat > "$BATS_TEST_TMPDIR/logger" << 'LOGGER'
#!/bin/sh
# A containerd binary logger: fd 3 stdout, fd 4 stderr, fd 5 "ready"; arguments from the URI query.
exec 5>&-
{ echo "id=$CONTAINER_ID ns=$CONTAINER_NAMESPACE args=$*"; cat <&3; cat <&4; } > "$2.tmp"
mv "$2.tmp" "$2"
LOGGER
  chmod +x "$BATS_TEST_TMPDIR/logger"
  run shim_run --rm --log-uri "binary://$BATS_TEST_TMPDIR/logger?out=$BATS_TEST_TMPDIR/bin.log" \
    --rootfs "$ROOTFS" "$ID-b" /bin/sh -c 'echo to-logger; echo err-to-logger >&2' < /dev/null
  [ "$status" -eq 0 ] || fail "binary://: $output"
  for i in $(seq 50); do [ -f "$BATS_TEST_TMPDIR/bin.log" ] && break; sleep 0.1; done
  grep -qx "id=$ID-b ns=default args=out $BATS_TEST_TMPDIR/bin.log" "$BATS_TEST_TMPDIR/bin.log" \
    || fail "logger: $(cat "$BATS_TEST_TMPDIR/bin.log" 2>&1)"
  grep -qx "to-logger" "$BATS_TEST_TMPDIR/bin.log" || fail "logger: $(cat "$BATS_TEST_TMPDIR/bin.log")"
  grep -qx "err-to-logger" "$BATS_TEST_TMPDIR/bin.log" || fail "logger: $(cat "$BATS_TEST_TMPDIR/bin.log")"
}

@test "shim: the same containers through io.containerd.runc.v2, for comparison" {
  run shim_ctr run --rm --runtime io.containerd.runc.v2 --rootfs "$ROOTFS" "$ID" /bin/uname -r
  [ "$status" -eq 0 ] || fail "runc.v2: $output"
  [ "$output" = "$(uname -r)" ] || fail "uname -r through runc.v2: '$output'"
  run shim_ctr run --rm --runtime io.containerd.runc.v2 --rootfs "$ROOTFS" "$ID-x" /bin/sh -c 'exit 3'
  [ "$status" -eq 3 ] || fail "runc.v2 exit status $status"
  run shim_ctr run --rm --runtime io.containerd.runc.v2 --rootfs "$ROOTFS" "$ID-d" /bin/dmesg
  [ "$status" -ne 0 ] || fail "dmesg under runc.v2 succeeded"
}

@test "shim: an image's snapshot is mounted on the bundle's rootfs by the shim, and unmounted at delete" {
  if ! shim_ctr images ls -q | grep -qx shimtest.local/busybox:1; then
    python3 "$TESTS_DIR/cri/oci-image.py" "$SHIM_D/busybox.tar" shimtest.local/busybox:1 "$ROOTFS" \
      --cmd '["/bin/sh"]' > /dev/null || fail "cannot build the test image"
    shim_ctr images import "$SHIM_D/busybox.tar" > /dev/null || fail "cannot import the test image"
  fi
  run shim_run -d shimtest.local/busybox:1 "$ID" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "run -d of the image: $output"
  remember_address "$ID"
  shim_wait_status "$ID" RUNNING
  rootfs=$(shim_bundle "$ID")/rootfs
  grep -qF " $rootfs " /proc/self/mountinfo || fail "the snapshot is not mounted on $rootfs"
  grep -F " $rootfs " /proc/self/mountinfo | grep -q " - overlay " || fail "not an overlay: $(grep -F " $rootfs " /proc/self/mountinfo)"
  shim_ctr task kill -s KILL "$ID"
  shim_wait_status "$ID" STOPPED
  run shim_ctr task rm "$ID"
  [ "$status" -eq 0 ] || fail "task rm: $output"
  ! grep -qF " $rootfs " /proc/self/mountinfo || fail "$rootfs is still mounted after delete"
  run shim_ctr containers rm "$ID"
  [ "$status" -eq 0 ] || fail "containers rm: $output"
}

@test "shim: the runtime's error reaches containerd's error message" {
  run shim_run --rm --rootfs "$ROOTFS" "$ID" /no/such/program
  [ "$status" -ne 0 ] || fail "running a missing program succeeded"
  assert_output_has "/no/such/program"
  assert_output_has "OCI runtime create failed"
  ! shim_ctr task ls -q | grep -qx -- "$ID" || fail "task left: $(shim_ctr task ls)"
}

@test "shim: a malformed runsc.toml is refused with its line number" {
  printf 'binary_name = "runsc"\nroot = /unquoted\n' > "$BATS_TEST_TMPDIR/bad.toml"
  printf 'binary_name = "runsc"\n[runsc_config]\nplatform = systrap\n' > "$BATS_TEST_TMPDIR/bad2.toml"
  run shim_ctr run --rm --runtime io.containerd.runsc.v1 --runtime-config-path "$BATS_TEST_TMPDIR/bad.toml" \
    --rootfs "$ROOTFS" "$ID" /bin/true
  [ "$status" -ne 0 ] || fail "a bad runsc.toml was accepted"
  assert_output_has "bad.toml:2: invalid value starting with '/'"
  shim_ctr containers rm "$ID" 2> /dev/null || true
  run shim_ctr run --rm --runtime io.containerd.runsc.v1 --runtime-config-path "$BATS_TEST_TMPDIR/bad2.toml" \
    --rootfs "$ROOTFS" "$ID-2" /bin/true
  [ "$status" -ne 0 ] || fail "a bad runsc.toml was accepted"
  assert_output_has "bad2.toml:3: invalid value systrap (strings must be quoted)"
  shim_ctr containers rm "$ID-2" 2> /dev/null || true
}

@test "shim: runsc.toml: log_path and log_level give the shim's own log, [runsc_config] reaches every runtime command" {
  cat > "$BATS_TEST_TMPDIR/runsc.toml" << TOML
binary_name = "$SHIM_RUNTIME_BIN"
root = "$SHIM_D/runsc-root"
log_path = "$BATS_TEST_TMPDIR/logs/%ID%/shim.log"
log_level = "debug"
[runsc_config]
  debug = true
TOML
  run shim_ctr run -d --runtime io.containerd.runsc.v1 --runtime-config-path "$BATS_TEST_TMPDIR/runsc.toml" \
    --rootfs "$ROOTFS" "$ID" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "run -d: $output"
  remember_address "$ID"
  shim_wait_status "$ID" RUNNING
  log=$BATS_TEST_TMPDIR/logs/$ID/shim.log
  [ -f "$log" ] || fail "no shim log at $log"
  grep -q 'level=debug msg="ttrpc: containerd.task.v2.Task/Start' "$log" || fail "no debug lines in the shim log: $(cat "$log")"
  # --debug=true reached the runtime: its JSON log in the bundle has debug lines.
  grep -q '"level":"debug"' "$(shim_bundle "$ID")/log.json" \
    || fail "the runtime did not get --debug=true: $(cat "$(shim_bundle "$ID")/log.json")"
  shim_ctr task kill -s KILL "$ID"
  shim_wait_status "$ID" STOPPED
  shim_ctr task rm "$ID"
  shim_ctr containers rm "$ID"
}

@test "shim: Kill of a task whose process exited a moment before answers NotFound, not Unknown" {
  # A runtime wrapper whose first kill lets the container exit first (SIGKILL, until its state is stopped),
  # then runs the kill asked for, which the runtime refuses ("container not running") while the shim has not
  # reaped the exit yet: what containerd's StopPodSandbox met.
  local wrap=$BATS_TEST_TMPDIR/runtime-wrap
  cat > "$wrap" << WRAP
#!/bin/bash
if [[ " \$* " == *" kill "* ]] && mkdir "$BATS_TEST_TMPDIR/killed-once" 2> /dev/null; then
  args=("\$@")
  n=\${#args[@]}
  "$SHIM_RUNTIME_BIN" "\${args[@]:0:n-1}" 9
  for i in \$(seq 200); do
    [ "\$("$SHIM_RUNTIME_BIN" --root "$SHIM_D/runsc-root/default" state "\${args[n-2]}" | jq -r .status)" = stopped ] && break
    sleep 0.05
  done
fi
exec "$SHIM_RUNTIME_BIN" "\$@"
WRAP
  chmod +x "$wrap"
  printf 'binary_name = "%s"\nroot = "%s"\n' "$wrap" "$SHIM_D/runsc-root" > "$BATS_TEST_TMPDIR/runsc.toml"
  run shim_ctr run -d --runtime io.containerd.runsc.v1 --runtime-config-path "$BATS_TEST_TMPDIR/runsc.toml" \
    --rootfs "$ROOTFS" "$ID" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "run -d: $output"
  remember_address "$ID"
  shim_wait_status "$ID" RUNNING
  run shim_ctr task kill -s TERM "$ID"
  [ -d "$BATS_TEST_TMPDIR/killed-once" ] || fail "the wrapper did not run"
  [ "$status" -ne 0 ] || fail "kill of an exited process succeeded: $output"
  [[ $output == *"not found"* ]] || fail "not NotFound: $output"
  [[ $output != *"unknown"* ]] || fail "Unknown: $output"
  shim_wait_status "$ID" STOPPED
  shim_ctr task rm "$ID"
  shim_ctr containers rm "$ID"
}

@test "shim: a task killed by the OOM killer gets TaskOOM before TaskExit" {
  shim_ctr events > "$BATS_TEST_TMPDIR/events" 2>&1 &
  evpid=$!
  sleep 0.3
  run shim_run --rm --memory-limit 33554432 --rootfs "$ROOTFS" "$ID" \
    /bin/sh -c 'a=xxxxxxxxxxxxxxxx; while true; do a="$a$a"; done'
  sleep 0.5
  kill "$evpid"
  wait "$evpid" || true
  [ "$status" -eq 137 ] || fail "status $status, expected 137 (OOM kill): $output"
  topics=$(grep -F "\"container_id\":\"$ID\"" "$BATS_TEST_TMPDIR/events" | awk '{print $6}' | tr '\n' ' ')
  [[ $topics == *"/tasks/oom /tasks/exit"* ]] || fail "events: $topics"
}

@test "shim: two containers annotated as one pod share one shim (and one sandbox); deleting the sandbox cleans both" {
  pod=$ID-pod
  app=$ID-app
  [ -z "$(shim_pids)" ] || fail "shims from earlier tests: $(shim_pids)"
  run shim_run -d --annotation io.kubernetes.cri.container-type=sandbox \
    --annotation io.kubernetes.cri.sandbox-id="$pod" --rootfs "$ROOTFS" "$pod" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "sandbox: $output"
  run shim_run -d --annotation io.kubernetes.cri.container-type=container \
    --annotation io.kubernetes.cri.sandbox-id="$pod" --rootfs "$ROOTFS" "$app" /bin/sleep 1000
  [ "$status" -eq 0 ] || fail "container: $output"
  remember_address "$pod"
  [ "$(cat "$(shim_bundle "$pod")/address")" = "$(cat "$(shim_bundle "$app")/address")" ] \
    || fail "the pod's containers have different shim addresses"
  n=$(shim_pids | while read -r p; do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done | grep -c -- "-id $pod ")
  [ "$n" -eq 1 ] || fail "$n shims for the pod"
  [ "$(shim_pids | wc -l)" -eq 1 ] || fail "shims: $(shim_pids)"

  # A third container of the pod, in the foreground: its exit status comes back (with runsc, its process is
  # not the shim's child, so the shim learns it from `runsc wait`).
  run shim_run --rm --annotation io.kubernetes.cri.container-type=container \
    --annotation io.kubernetes.cri.sandbox-id="$pod" --rootfs "$ROOTFS" "$ID-third" /bin/sh -c 'echo third; exit 7'
  [ "$status" -eq 7 ] || fail "the pod's third container: status $status, expected 7: $output"
  assert_output_has "third"
  [ "$(shim_pids | wc -l)" -eq 1 ] || fail "shims after the third container: $(shim_pids)"

  if shim_is_runsc; then
    # One sandbox: the app container's process runs under the sandbox's Sentry.
    spid=$(shim_ctr task ls | awk -v id="$pod" '$1 == id { print $2 }')
    apid=$(shim_ctr task ls | awk -v id="$app" '$1 == id { print $2 }')
    proc_tree "$spid" | grep -qx "$apid" || [ "$spid" = "$apid" ] \
      || fail "the app's pid $apid is not in the sandbox $spid"
    shim_ctr task kill -s KILL "$pod"
    shim_wait_status "$pod" STOPPED
    shim_wait_status "$app" STOPPED
  else
    # runc has no shared sandbox: each container is stopped on its own.
    shim_ctr task kill -s KILL "$pod"
    shim_ctr task kill -s KILL "$app"
    shim_wait_status "$pod" STOPPED
    shim_wait_status "$app" STOPPED
  fi
  run shim_ctr task rm "$app"
  [ "$status" -eq 0 ] || fail "rm app: $output"
  run shim_ctr task rm "$pod"
  [ "$status" -eq 0 ] || fail "rm sandbox: $output"
  shim_ctr containers rm "$app" "$pod"
  for i in $(seq 50); do [ -z "$(shim_pids)" ] && break; sleep 0.1; done
  [ -z "$(shim_pids)" ] || fail "the pod's shim is still running: $(shim_pids)"
}

@test "shim: a running task survives a containerd restart, then is killed and deleted" {
  run_detached "$ID"
  shim_pid=$(shim_pids)
  shim_containerd_restart || fail "containerd did not come back"
  shim_wait_status "$ID" RUNNING
  [ "$(shim_pids)" = "$shim_pid" ] || fail "the shim changed across the restart: $shim_pid -> $(shim_pids)"
  run shim_ctr task ps "$ID"
  [ "$status" -eq 0 ] || fail "ps after restart: $output"
  run shim_ctr task kill -s KILL "$ID"
  [ "$status" -eq 0 ] || fail "kill after restart: $output"
  shim_wait_status "$ID" STOPPED
  run shim_ctr task rm "$ID"
  [ "$status" -eq 0 ] || fail "rm after restart: $output"
  run shim_ctr containers rm "$ID"
  [ "$status" -eq 0 ] || fail "containers rm: $output"
}

@test "shim: when the shim dies, containerd's delete command removes the container" {
  run_detached "$ID"
  pid=$(shim_ctr task ls | awk -v id="$ID" '$1 == id { print $2 }')
  [ "$pid" -gt 0 ] || fail "no task pid"
  [ -d "$SHIM_D/runsc-root/default/$ID" ] || fail "no runtime state for $ID"
  shim=$(shim_pids)
  [ -n "$shim" ] || fail "no shim"
  kill -KILL $shim
  # containerd sees the shim's connection close and runs `containerd-shim-runsc-v1 ... delete`.
  for i in $(seq 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  ! kill -0 "$pid" 2> /dev/null || fail "the task's process $pid outlived its shim"
  [ ! -e "$SHIM_D/runsc-root/default/$ID" ] || fail "runtime state left: $(ls "$SHIM_D/runsc-root/default/$ID")"
  grep -F "$ID" "$SHIM_D/containerd.log" | grep -q "cleaning up dead shim\|cleaning up after shim" \
    || fail "containerd did not clean up after the shim"
}

@test "shim: start prints only the address, reuses the pod's shim, and an unused shim exits by itself" {
  [ "$CONTAINERD_VERSION" = 1.6 ] || skip "runs the shim binary alone, without containerd: once, in the containerd 1.6 run"
  b1=$BATS_TEST_TMPDIR/b1
  b2=$BATS_TEST_TMPDIR/b2
  mkdir -p "$b1" "$b2"
  echo '{"annotations":{"io.kubernetes.cri.sandbox-id":"'"$ID"'-pod"}}' > "$b1/config.json"
  cp "$b1/config.json" "$b2/config.json"
  out1=$(cd "$b1" && "$SHIM" -namespace default -address "$SHIM_D/nowhere.sock" -id "$ID-1" start < /dev/null 2>&1)
  [[ $out1 =~ ^unix:///run/containerd/s/[0-9a-f]{64}$ ]] || fail "start printed '$out1'"
  # sha256 of "<address>/<namespace>/<grouping key>", as containerd's runc shim names its socket.
  want=$(printf '%s' "$SHIM_D/nowhere.sock/default/$ID-pod" | sha256sum | cut -d' ' -f1)
  [ "$out1" = "unix:///run/containerd/s/$want" ] || fail "socket $out1, expected the hash $want"
  [ "$(cat "$b1/address")" = "$out1" ] || fail "address file: $(cat "$b1/address")"
  echo "$out1" >> "$SHIM_D/addresses"
  sock=${out1#unix://}
  [ -S "$sock" ] || fail "no socket $sock"
  [ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode $(stat -c %a "$sock")"
  pid=$(for p in /proc/[0-9]*; do { tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null | grep -q -- "-id $ID-1 " && echo "${p#/proc/}"; done; true)
  [ -n "$pid" ] || fail "no shim server for $ID-1"
  out2=$(cd "$b2" && "$SHIM" -namespace default -address "$SHIM_D/nowhere.sock" -id "$ID-2" start < /dev/null 2>&1)
  [ "$out2" = "$out1" ] || fail "the pod's second container got '$out2'"
  [ "$(cat "$b2/address")" = "$out1" ] || fail "second address file: $(cat "$b2/address")"
  ! pgrep -f -- "-id $ID-2 " > /dev/null || fail "a second shim started for the same pod"
  # Nobody connects and no container is created: the server exits within its 30 s idle limit.
  for i in $(seq 450); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2> /dev/null || fail "the unused shim $pid is still running after 45 s"
  [ ! -e "$sock" ] || fail "the socket outlived the shim"
}

@test "shim: delete is idempotent, quick and prints a DeleteResponse" {
  [ "$CONTAINERD_VERSION" = 1.6 ] || skip "runs the shim binary alone, without containerd: once, in the containerd 1.6 run"
  dir=$BATS_TEST_TMPDIR/gone
  mkdir -p "$dir"
  for round in 1 2; do
    start=$(date +%s%N)
    (cd "$dir" && "$SHIM" -namespace default -address "$SHIM_D/containerd.sock" -id "$ID" -bundle "$dir" delete) \
      > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err"
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$rc" -eq 0 ] || fail "delete round $round: status $rc: $(cat "$BATS_TEST_TMPDIR/err")"
    [ "$ms" -lt 5000 ] || fail "delete took $ms ms"
    # DeleteResponse: field 2 (exit_status) = 137 is 10 89 01; field 3 (exited_at) follows.
    od -An -tx1 "$BATS_TEST_TMPDIR/out" | tr -d ' \n' | grep -q '^1089011a' \
      || fail "stdout is not a DeleteResponse: $(od -An -tx1 "$BATS_TEST_TMPDIR/out")"
  done
}

@test "shim: nothing is left behind: no shim, socket or mount" {
  for i in $(seq 50); do [ -z "$(shim_pids)" ] && break; sleep 0.1; done
  [ -z "$(shim_pids)" ] || fail "shims still running: $(shim_pids)"
  while read -r a; do
    [ -n "$a" ] || continue
    [ ! -e "${a#unix://}" ] || fail "shim socket left: $a"
  done < "$SHIM_D/addresses"
  ! grep -F " $SHIM_D/" /proc/self/mountinfo || fail "mounts left under $SHIM_D"
  [ -z "$(ls "$SHIM_D/runsc-root/default" 2> /dev/null)" ] || fail "runtime state left: $(ls "$SHIM_D/runsc-root/default")"
}
