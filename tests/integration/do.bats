#!/usr/bin/env bats
# runsc do (gVisor's): a host command in a fresh sandbox over the host's root filesystem, writes kept in memory,
# the current directory, identity and environment kept, network none unless --network=host, the command's exit
# status, and nothing left behind (state directory, cgroups, mounts, the temporary bundle), also when runsc do
# is stopped with SIGINT or SIGTERM.

load helpers

setup ()
{
  common_setup
  # The generated bundle goes to $TMPDIR: a directory of the test's own, to see that it is removed.
  DO_TMP=$BATS_TEST_TMPDIR/tmp
  mkdir -p "$DO_TMP"
  WORK=$BATS_TEST_TMPDIR/work
  mkdir -p "$WORK"
  [ "$(stat -c %d /)" = "$(stat -c %d "$WORK")" ] || skip "the test directory is not on the root filesystem"
  cd "$WORK"
}

teardown ()
{
  local p
  for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
    kill -KILL "$p" 2> /dev/null || :
    wait "$p" 2> /dev/null || :
  done
  cd /
  common_teardown
}

# runsc do with this test's state root and temporary directory.
rdo ()
{
  TMPDIR=$DO_TMP "$RUNSC" --root "$ROOT" "$@" 3>&-
}

# Nothing of a finished runsc do is left: no container in the state root, no bundle in $TMPDIR, no mount that
# names either, and none of the cgroup directories in $1... (recorded while it ran).
assert_nothing_left ()
{
  local left
  left=$(ls -A "$ROOT")
  [ -z "$left" ] || fail "the state root still has: $left"
  left=$(ls -A "$DO_TMP")
  [ -z "$left" ] || fail "\$TMPDIR still has: $left"
  ! grep -qE "$DO_TMP|$ROOT" /proc/self/mountinfo || fail "a mount is left: $(grep -E "$DO_TMP|$ROOT" /proc/self/mountinfo)"
  for dir in "$@"; do
    [ ! -d "$dir" ] || fail "cgroup left: $dir"
  done
}

# The id and Sentry pid of the one container in the state root, once runsc do has made it (10 s at most).
wait_for_sandbox ()
{
  local deadline=$((SECONDS + 10)) f
  while [ $SECONDS -le $deadline ]; do
    for f in "$ROOT"/*/state.json; do
      [ -e "$f" ] || continue
      SANDBOX_ID=$(jq -r .id "$f")
      SANDBOX_PID=$(jq -r .sandbox_pid "$f")
      [ -n "$SANDBOX_PID" ] && [ "$SANDBOX_PID" != null ] && return 0
    done
    sleep 0.05
  done
  fail "runsc do made no container in $ROOT"
}

# Wait (10 s at most) until a descendant of pid $1 has the command line $2.
wait_for_process ()
{
  local deadline=$((SECONDS + 10)) p
  while [ $SECONDS -le $deadline ]; do
    for p in $(proc_tree "$1"); do
      [ "$(proc_cmdline "$p")" = "$2 " ] && return 0
    done
    sleep 0.05
  done
  fail "no process '$2' under $1"
}

@test "do: uname -r prints the sandbox kernel's release, dmesg its boot log" {
  run rdo do uname -r
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = 4.4.0 ]
  [ "$(uname -r)" != 4.4.0 ]
  run rdo do dmesg
  [ "$status" -eq 0 ] || fail "dmesg: status $status: $output"
  echo "$output" | head -1 | grep -q 'Starting'
  echo "$output" | tail -1 | grep -q 'Ready!'
  run rdo --kernel-release=5.15.0 do cat /proc/sys/kernel/osrelease
  [ "$output" = 5.15.0 ]
  assert_nothing_left
}

@test "do: writes stay in the sandbox; the host's files are unchanged" {
  echo original > "$WORK/existing"
  run rdo do sh -c "echo new > '$WORK/created'; echo changed > '$WORK/existing'; rm -f /etc/hostname;
    mkdir /runsc-do-test-dir; cat '$WORK/created' '$WORK/existing'; ls /etc/hostname 2>&1; ls -d /runsc-do-test-dir"
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$(echo "$output" | sed -n 1p)" = new ]
  [ "$(echo "$output" | sed -n 2p)" = changed ]
  echo "$output" | grep -q '/etc/hostname.*No such file'
  echo "$output" | grep -qx /runsc-do-test-dir
  [ ! -e "$WORK/created" ]
  [ "$(cat "$WORK/existing")" = original ]
  [ -e /etc/hostname ]
  [ ! -e /runsc-do-test-dir ]
  assert_nothing_left
}

@test "do: the current directory, uid, gids, environment and host name are the caller's" {
  run env RUNSC_DO_TEST=hello-from-host "$RUNSC" --root "$ROOT" do sh -c \
    'pwd; id -u; id -g; echo "$RUNSC_DO_TEST"; hostname' 3>&-
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$(echo "$output" | sed -n 1p)" = "$WORK" ]
  [ "$(echo "$output" | sed -n 2p)" = "$(id -u)" ]
  [ "$(echo "$output" | sed -n 3p)" = "$(id -g)" ]
  [ "$(echo "$output" | sed -n 4p)" = hello-from-host ]
  [ "$(echo "$output" | sed -n 5p)" = "$(hostname)" ]
  run rdo do --cwd /usr/share pwd
  [ "$output" = /usr/share ]
}

@test "do: the command's exit status is runsc do's" {
  run rdo do sh -c 'exit 42'
  [ "$status" -eq 42 ]
  run rdo do false
  [ "$status" -eq 1 ]
  run rdo do true
  [ "$status" -eq 0 ]
  run rdo do /nonexistent/command
  [ "$status" -eq 1 ]
  assert_output_has "/nonexistent/command"
  assert_nothing_left
}

@test "do: network none by default (loopback only), --network=host shares the host's interfaces" {
  host_ifs=$(awk 'NR > 2 { sub(":", "", $1); print $1 }' /proc/net/dev | sort | tr '\n' ' ')
  [ "$host_ifs" != "lo " ] || skip "the host has only a loopback interface"
  run rdo do cat /proc/net/dev
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$(echo "$output" | awk 'NR > 2 { sub(":", "", $1); print $1 }' | sort | tr '\n' ' ')" = "lo " ]
  run rdo --network=host do cat /proc/net/dev
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$(echo "$output" | awk 'NR > 2 { sub(":", "", $1); print $1 }' | sort | tr '\n' ' ')" = "$host_ifs" ]
  run rdo --network=none do cat /proc/net/dev
  [ "$(echo "$output" | awk 'NR > 2 { sub(":", "", $1); print $1 }' | sort | tr '\n' ' ')" = "lo " ]
}

# Run runsc do under a pseudo-terminal of size 33x101 (python3's pty module): the lines of $1 are "TEXT=>INPUT",
# each INPUT (with \n, \x03 escapes) written once the output so far contains its TEXT, in order; the rest of the
# arguments are runsc do's.  Prints what the terminal showed, then "status N".
rdo_pty ()
{
  local script=$1
  shift
  TMPDIR=$DO_TMP timeout -k 5 60 /usr/bin/python3 -c '
import fcntl, os, pty, select, struct, sys, termios
steps = [l.split("=>", 1) for l in sys.argv[1].splitlines() if "=>" in l]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
out = b""
while True:
    if steps and steps[0][0].encode() in out:
        os.write(fd, steps.pop(0)[1].encode().decode("unicode_escape").encode())
    r, _, _ = select.select([fd], [], [], 30)
    if not r:
        out += b"(no output for 30 s)\n"
        os.kill(pid, 9)
        break
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
text = out.decode(errors="replace").replace("\r", "")
sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
print("status", os.waitstatus_to_exitcode(st))
' "$script" "$RUNSC" --root "$ROOT" do "$@" 3>&-
}

@test "do: with a terminal on stdin the command gets one of its own: size, input, ^C; without, none" {
  run rdo_pty 'ready=>go\n
33 101=>input line\n' sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-terminals; echo ready;
    read a; stty size; read x; echo "got=$x"; exit 3'
  echo "$output"
  echo "$output" | grep -q '^/dev/pts/[0-9]*$' || fail "no pty: $output"
  echo "$output" | grep -qx all-terminals
  echo "$output" | grep -qx '33 101'
  echo "$output" | grep -qx 'got=input line'
  echo "$output" | tail -n 1 | grep -qx 'status 3'
  # ^C is the sandbox terminal's: its foreground processes get SIGINT (and runsc do exits 130, as sh does) ...
  run rdo_pty 'sleeping=>\x03' sh -c 'echo sleeping; sleep 100'
  echo "$output"
  echo "$output" | tail -n 1 | grep -qx 'status 130'
  # ... and our terminal is raw: a command that puts its own in raw mode reads ^C as the byte 003.
  run rdo_pty 'raw=>\x03' sh -c 'stty raw -echo; echo raw; head -c 1 | od -An -c'
  echo "$output"
  echo "$output" | grep -q '^ *003 *$'
  echo "$output" | tail -n 1 | grep -qx 'status 0'
  assert_nothing_left
  # In the background of a job-control shell on that terminal it gets none, and is not stopped (SIGTTOU) by
  # trying to make the terminal raw.
  run timeout -k 5 60 /usr/bin/python3 -c '
import os, pty, select, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv("/bin/bash", ["bash", "-c", "set -m; \"$0\" \"$@\" < /dev/tty & wait $!; echo rc=$?"] + sys.argv[1:])
out = b""
while select.select([fd], [], [], 30)[0]:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
os.kill(pid, 9) if not out.endswith(b"\n") else None
os.waitpid(pid, 0)
print(out.decode(errors="replace").replace("\r", ""))
' env TMPDIR="$DO_TMP" "$RUNSC" --root "$ROOT" do sh -c 'echo in-background' 3>&-
  echo "$output"
  echo "$output" | grep -qx in-background
  echo "$output" | grep -qx 'rc=0'
  # Not a terminal: none for the command either (gVisor decides on stdin too).
  run rdo do sh -c 'test -t 0 || test -t 1 || echo no-terminal; tty' < /dev/null
  echo "$output"
  echo "$output" | grep -qx no-terminal
  echo "$output" | grep -qx 'not a tty'
}

@test "do: --root runs over another root directory; --force-overlay=false writes through to it" {
  run rdo do --root "$BUNDLE/rootfs" --cwd / sh -c 'echo in > /written; cat /written; uname -r'
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "in
4.4.0" ]
  [ ! -e "$BUNDLE/rootfs/written" ]
  run rdo do --root "$BUNDLE/rootfs" --cwd / --force-overlay=false sh -c 'echo through > /written'
  [ "$status" -eq 0 ] || fail "status $status: $output"
  assert_output_has "--force-overlay=false"
  [ "$(cat "$BUNDLE/rootfs/written")" = through ]
  run rdo do --root "$BUNDLE/rootfs" --cwd /no/such/dir true
  [ "$status" -eq 1 ]
  assert_output_has "/no/such/dir"
  assert_nothing_left
}

@test "do: what it cannot do is an error naming the flag, and leaves nothing" {
  run rdo --network=sandbox do true
  [ "$status" -eq 1 ]
  assert_output_has "--network=sandbox"
  run rdo do --ip 192.168.10.2 true
  [ "$status" -eq 1 ]
  assert_output_has "--ip 192.168.10.2"
  run rdo do --root /no/such/root true
  [ "$status" -eq 1 ]
  assert_output_has "/no/such/root"
  run rdo do
  [ "$status" -eq 1 ]
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$RUNSC" --root "$ROOT" do true
  [ "$status" -eq 1 ]
  assert_output_has "run it as root"
  if [ "$(stat -c %d /dev/shm)" != "$(stat -c %d /)" ]; then
    run rdo do --cwd /dev/shm true
    [ "$status" -eq 1 ]
    assert_output_has "/dev/shm is on another filesystem"
  fi
  assert_nothing_left
}

@test "do: SIGTERM reaches the command; a command that ignores it is killed; nothing is left" {
  # runsc itself in the background (not a function: $! would be a subshell).
  TMPDIR=$DO_TMP "$RUNSC" --root "$ROOT" do sh -c 'trap "echo got TERM; exit 7" TERM; sleep 100 & wait' \
    > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  pid=$!
  BG_PIDS=("$pid")
  wait_for_sandbox
  cgroups=$(cgroup_dirs_of "$SANDBOX_PID")
  [ -n "$cgroups" ] || fail "the sandbox $SANDBOX_PID is in no cgroup of its own"
  wait_for_process "$SANDBOX_PID" "sleep 100" # sh has set its trap by then
  kill -TERM "$pid"
  status=0
  wait_pid_timeout "$pid" 20 || status=$?
  [ "$status" -eq 7 ] || fail "status $status: $(cat "$BATS_TEST_TMPDIR/out")"
  grep -q "got TERM" "$BATS_TEST_TMPDIR/out"
  # shellcheck disable=SC2086
  assert_nothing_left $cgroups

  # sleep as the sandbox's first process has no handler: SIGINT is ignored, then it is killed.
  TMPDIR=$DO_TMP "$RUNSC" --root "$ROOT" do sleep 100 > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  pid=$!
  BG_PIDS=("$pid")
  wait_for_sandbox
  cgroups=$(cgroup_dirs_of "$SANDBOX_PID")
  kill -INT "$pid"
  status=0
  wait_pid_timeout "$pid" 20 || status=$?
  [ "$status" -eq 137 ] || fail "status $status: $(cat "$BATS_TEST_TMPDIR/out")"
  grep -q "did not exit 3000 ms after the signal" "$BATS_TEST_TMPDIR/out"
  ! kill -0 "$SANDBOX_PID" 2> /dev/null || [ "$(awk '{print $3}' /proc/$SANDBOX_PID/stat)" = Z ]
  # shellcheck disable=SC2086
  assert_nothing_left $cgroups
}

@test "do: a second SIGTERM kills at once; the sandbox is listed while it runs" {
  TMPDIR=$DO_TMP "$RUNSC" --root "$ROOT" do sleep 100 > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  pid=$!
  BG_PIDS=("$pid")
  wait_for_sandbox
  wait_for_process "$SANDBOX_PID" "sleep 100"
  run "$RUNSC" --root "$ROOT" list -q
  [ "$output" = "$SANDBOX_ID" ]
  [[ $SANDBOX_ID == runsc-[0-9][0-9][0-9][0-9][0-9][0-9] ]]
  kill -TERM "$pid"
  sleep 0.2
  kill -TERM "$pid"
  status=0
  wait_pid_timeout "$pid" 20 || status=$?
  [ "$status" -eq 137 ] || fail "status $status: $(cat "$BATS_TEST_TMPDIR/out")"
  # Killed on the second signal, not after the grace period.
  ! grep -q "did not exit" "$BATS_TEST_TMPDIR/out"
  assert_nothing_left
}

@test "do: a SIGKILLed runsc do takes its sandbox with it; runsc delete removes what is left" {
  TMPDIR=$DO_TMP "$RUNSC" --root "$ROOT" do sleep 100 > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  pid=$!
  BG_PIDS=("$pid")
  wait_for_sandbox
  wait_for_process "$SANDBOX_PID" "sleep 100"
  sleeper=$(for p in $(proc_tree "$SANDBOX_PID"); do [ "$(proc_cmdline "$p")" = "sleep 100 " ] && echo "$p"; done)
  kill -KILL "$pid"
  wait "$pid" 2> /dev/null || :
  deadline=$((SECONDS + 10))
  while { proc_present "$SANDBOX_PID" || proc_present "$sleeper"; } && [ $SECONDS -le $deadline ]; do
    sleep 0.05
  done
  ! proc_present "$SANDBOX_PID" || fail "the sandbox $SANDBOX_PID outlived runsc do"
  ! proc_present "$sleeper" || fail "the command $sleeper outlived its sandbox"
  [ "$(state_field "$SANDBOX_ID" status)" = stopped ]
  "$RUNSC" --root "$ROOT" delete "$SANDBOX_ID"
  [ -z "$(ls -A "$ROOT")" ]
}
