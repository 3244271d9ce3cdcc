#!/usr/bin/env bats
# `exec`: a new process in a running container, runtime-neutral (runs against runsc and runc like
# lifecycle.bats).  While a runtime answers "not implemented" to exec, these tests are reported as skipped,
# with that reason, never as passed.

load helpers

setup ()
{
  common_setup
  bundle_args "$BUNDLE" sleep 1000
  create_ok
  runtime start "$ID"
  wait_for_status "$ID" running
}

teardown ()
{
  common_teardown
}

# bats' run of `runtime exec ARGS...`, skipping the test when the runtime says exec is not implemented.
# With --detach, stdio goes to a file instead: the detached process keeps it open, and bats' run would wait.
run_exec ()
{
  if [[ " $* " == *" --detach "* ]] || [[ " $* " == *" -d "* ]]; then
    status=0
    runtime exec "$@" < /dev/null > "$BATS_TEST_TMPDIR/exec.out" 2>&1 || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/exec.out")
  else
    run runtime exec "$@"
  fi
  if [ "$status" -ne 0 ] && grep -qi "not implemented" <<< "$output"; then
    skip "$RUNTIME_NAME exec: $output"
  fi
}

@test "exec: output and exit status of a process in the container" {
  run_exec "$ID" sh -c 'echo "in $(hostname)"; exit 5'
  [ "$status" -eq 5 ] || fail "exec: status $status, expected 5: $output"
  [ "$output" = "in runsc-test" ] || fail "output: $output"
  run_exec "$ID" /bin/true
  [ "$status" -eq 0 ] || fail "exec true: status $status: $output"
}

@test "exec: the process shares the container's root, pid namespace and mounts" {
  echo marker > "$BATS_TEST_TMPDIR/marker"
  touch "$BUNDLE/rootfs/etc/in-image"
  run_exec "$ID" sh -c 'ls /etc/in-image; cat /proc/1/comm; readlink /proc/self/ns/pid'
  [ "$status" -eq 0 ] || fail "exec: status $status: $output"
  grep -qx /etc/in-image <<< "$output" || fail "the container's root is not the exec's root: $output"
  grep -qx sleep <<< "$output" || fail "pid 1 is not the container's init: $output"
  init=$(for p in $(proc_tree "$(state_field "$ID" pid)"); do
      [ "$(cat "/proc/$p/comm" 2> /dev/null)" = sleep ] && readlink "/proc/$p/ns/pid"
    done | head -n 1)
  grep -qxF "$init" <<< "$output" || fail "exec's pid namespace differs from the init's ($init): $output"
}

@test "exec: user, working directory and environment" {
  run_exec --user 1000:1000 --cwd /home/tester --env GREETING=hej "$ID" sh -c 'id -u; id -g; pwd; echo "$GREETING"'
  [ "$status" -eq 0 ] || fail "exec: status $status: $output"
  [ "$output" = "$(printf '1000\n1000\n/home/tester\nhej')" ] || fail "output: $output"
}

@test "exec: stdin reaches the process" {
  run_exec "$ID" true
  status=0
  output=$(echo ping | runtime exec "$ID" sh -c 'read l; echo "got:$l"' 2>&1) || status=$?
  [ "$status" -eq 0 ] || fail "exec: status $status: $output"
  [ "$output" = got:ping ] || fail "output: $output"
}

@test "exec: a TTY through --console-socket" {
  [ -x "$RECVTTY" ] || fail "recvtty is not built: $RECVTTY (make check builds it)"
  run_exec "$ID" true
  sock=$BATS_TEST_TMPDIR/tty.sock
  "$RECVTTY" --timeout 30 --input 'hello\n' --out "$BATS_TEST_TMPDIR/tty.out" "$sock" &
  receiver=$!
  deadline=$((SECONDS + 10))
  until [ -S "$sock" ] || [ $SECONDS -gt $deadline ]; do sleep 0.05; done
  run_exec --tty --console-socket "$sock" --detach "$ID" \
    sh -c 'tty; [ -t 0 ] && echo stdio-is-tty; read x; echo "got:$x"'
  [ "$status" -eq 0 ] || fail "exec --tty: status $status: $output"
  rc=0
  wait_pid_timeout "$receiver" 30 || rc=$?
  out=$(tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out")
  echo "tty output: $out"
  [ "$rc" -eq 0 ] || fail "recvtty exited $rc"
  grep -qx '/dev/pts/[0-9]*' <<< "$out" || fail "tty did not print a pts"
  grep -qx stdio-is-tty <<< "$out" || fail "stdin is not the terminal"
  grep -qx got:hello <<< "$out" || fail "the input did not reach the process"
}

@test "exec: --detach with --pid-file, and delete --force takes the exec'd process too" {
  run_exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 999
  [ "$status" -eq 0 ] || fail "exec --detach: status $status: $output"
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  # runc names the exec'd process itself; runsc, like gVisor's, a runsc process that lives exactly as long as
  # it (exec.bats checks that), so that a subreaping caller can wait for it.
  comm=$(cat "/proc/$pid/comm" 2> /dev/null)
  [ "$comm" = sleep ] || { [ "$RUNTIME_NAME" = runsc ] && [ "$comm" = runsc ]; } \
    || fail "the pid file's $pid ($comm) is neither the exec'd sleep nor runsc's stand-in for it"
  start=$(proc_start_time "$pid")
  leak_snapshot "$ID"
  LEAK_PROCS+=("$pid:$start")
  run runtime delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete --force: $output"
  assert_no_leaks "$ID"
}

@test "exec: a stopped container refuses exec" {
  run_exec "$ID" true
  runtime kill "$ID" KILL
  wait_for_status "$ID" stopped
  run runtime exec "$ID" /bin/true
  [ "$status" -ne 0 ] || fail "exec in a stopped container succeeded: $output"
  run runtime exec "no-such-$ID" /bin/true
  [ "$status" -ne 0 ] || fail "exec in an unknown container succeeded: $output"
  assert_output_has "does not exist"
}
