#!/usr/bin/env bats
# runsc exec beyond the runtime-neutral cases of lifecycle-exec.bats: the contract with callers that wait for
# the --pid-file pid as a subreaper (containerd's shims, conmon), signals and exit statuses both ways, the
# foreground terminal, the sandbox the process lands in (cgroup, Sentry, ps), --process files, capabilities,
# wait --pid, refusals, and containerd's own runc shim driving runsc (Docker's --add-runtime path).

load helpers
load shim-helpers

setup ()
{
  common_setup
  bundle_args "$BUNDLE" sleep 1000
}

teardown ()
{
  local p
  for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
    kill -KILL "$p" 2> /dev/null || :
  done
  [ -z "${SHIM_STARTED:-}" ] || shim_containerd_stop
  common_teardown
  [ -z "${SPARE_NAME:-}" ] || spare_hierarchy_remove
}

# A spare v1 cgroup hierarchy of this test's own (none,name=runsc-test-ID): the kind of hierarchy that comes and
# goes under a running container (bench/startup mounts hugetlb for crun, and unmounts it). It is mounted only in
# a private mount namespace (unshare -m), where the test's runsc commands run: another runsc on the machine would
# record it too, were it mounted where that runsc sees it.
spare_hierarchy_init ()
{
  SPARE_NAME=runsc-test-$ID
  # Not under $BATS_TEST_TMPDIR (mode 0700): the container's cgroup mount binds every hierarchy runsc sees, and
  # its init, unprivileged in its user namespace, could not reach that one.
  SPARE=$(mktemp -d /run/runsc-test-spare.XXXXXX) || fail "mktemp"
  chmod 755 "$SPARE"
}

# Remove what was left in the hierarchy (directories with no process, deepest first) and unmount it, in a
# private mount namespace: a v1 hierarchy without mounts and without child cgroups is gone from the kernel. A
# removed cgroup lingers a moment, and an unmount then keeps the hierarchy: again until it is gone (5 s at most).
spare_hierarchy_remove ()
{
  unshare -m --propagation private bash -c '
    for i in $(seq 25); do
      mount -t cgroup -o "none,name=$1" cgroup "$2" || break
      find "$2" -mindepth 1 -depth -type d -exec rmdir {} \; 2> /dev/null
      umount "$2"
      grep -q ":name=$1:" /proc/self/cgroup || break
      sleep 0.2
    done' _ "$SPARE_NAME" "$SPARE" || :
  rmdir "$SPARE" || :
}

start_container ()
{
  create_ok
  runtime start "$ID"
  wait_for_status "$ID" running
}

# A caller that is a subreaper, as containerd's shims are: it runs `runtime exec --detach --pid-file F ARGS`,
# then waits for the pid in F as for its own child and prints "exit N" (N as a shell reports it: 128+sig).
# Writes "pid P" first, on its own line, once it knows the pid.
subreaper ()
{
  /usr/bin/python3 - "$RUNTIME_BIN" "$ROOT" "$@" << 'EOF'
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl: %s" % os.strerror(ctypes.get_errno()))
runtime, root, pid_file = sys.argv[1], sys.argv[2], sys.argv[3]
rc = subprocess.call([runtime, "--root", root, "exec", "--detach", "--pid-file", pid_file] + sys.argv[4:],
                     stdin=subprocess.DEVNULL)
if rc != 0:
    sys.exit("exec --detach exited %d" % rc)
pid = int(open(pid_file).read())
print("pid %d" % pid, flush=True)
_, st = os.waitpid(pid, 0)
print("exit %d" % (128 + os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)), flush=True)
EOF
}

# Start subreaper in the background with its output in $BATS_TEST_TMPDIR/$1.out; sets WAITER to the pid it
# waits for (the stand-in runsc process) and REAPER to the subreaper's own.
subreaper_bg ()
{
  local name=$1 deadline
  shift
  subreaper "$BATS_TEST_TMPDIR/$name.pid" "$@" > "$BATS_TEST_TMPDIR/$name.out" 2>&1 &
  REAPER=$!
  BG_PIDS+=("$REAPER")
  deadline=$((SECONDS + 20))
  until grep -q '^pid ' "$BATS_TEST_TMPDIR/$name.out" 2> /dev/null || [ $SECONDS -gt $deadline ]; do
    kill -0 "$REAPER" 2> /dev/null || break
    sleep 0.05
  done
  WAITER=$(sed -n 's/^pid //p' "$BATS_TEST_TMPDIR/$name.out")
  [ -n "$WAITER" ] || fail "exec --detach did not give a pid: $(cat "$BATS_TEST_TMPDIR/$name.out")"
  BG_PIDS+=("$WAITER")
}

# The exit status the subreaper $REAPER reported for $1 (waits up to 20 s).
subreaper_status ()
{
  wait_pid_timeout "$REAPER" 20 || fail "the caller is still waiting: $(cat "$BATS_TEST_TMPDIR/$1.out")"
  sed -n 's/^exit //p' "$BATS_TEST_TMPDIR/$1.out"
}

# Host pid of the container's process whose command line is exactly $1 (found under the sandbox).
host_pid_of ()
{
  local p deadline=$((SECONDS + 10))
  while [ $SECONDS -le $deadline ]; do
    for p in $(proc_tree "$(state_field "$ID" pid)"); do
      [ "$(proc_cmdline "$p")" = "$1 " ] && { echo "$p"; return 0; }
    done
    sleep 0.05
  done
  return 1
}

@test "exec --detach: the pid file names a child the subreaping caller inherits, with the process's status" {
  start_container
  run subreaper "$BATS_TEST_TMPDIR/a.pid" "$ID" sh -c 'sleep 0.3; exit 7'
  [ "$status" -eq 0 ] || fail "subreaper: $output"
  [ "$(sed -n 's/^exit //p' <<< "$output")" = 7 ] || fail "expected exit 7: $output"
  run subreaper "$BATS_TEST_TMPDIR/b.pid" "$ID" sh -c 'kill -USR1 $$'
  [ "$(sed -n 's/^exit //p' <<< "$output")" = $((128 + 10)) ] || fail "expected exit 138 (SIGUSR1): $output"
  run subreaper "$BATS_TEST_TMPDIR/c.pid" "$ID" true
  [ "$(sed -n 's/^exit //p' <<< "$output")" = 0 ] || fail "expected exit 0: $output"
}

@test "exec --detach: the stand-in lives exactly as long as the process, and takes it along when killed" {
  start_container
  subreaper_bg one "$ID" sleep 901
  target=$(host_pid_of "sleep 901") || fail "no exec'd sleep 901 in the sandbox"
  [ "$target" != "$WAITER" ] || fail "the stand-in is the process itself"
  [ "$(cat "/proc/$WAITER/comm")" = runsc ] || fail "the stand-in $WAITER is not runsc"
  kill -KILL "$target"
  [ "$(subreaper_status one)" = 137 ] || fail "after SIGKILL of the process: $(cat "$BATS_TEST_TMPDIR/one.out")"

  subreaper_bg two "$ID" sleep 902
  target=$(host_pid_of "sleep 902") || fail "no exec'd sleep 902 in the sandbox"
  kill -KILL "$WAITER"
  [ "$(subreaper_status two)" = 137 ] || fail "the stand-in did not die: $(cat "$BATS_TEST_TMPDIR/two.out")"
  for i in $(seq 50); do
    proc_present "$target" || break
    sleep 0.1
  done
  ! proc_present "$target" || fail "the exec'd sleep $target outlived its stand-in"
  [ "$(state_field "$ID" status)" = running ] || fail "the container did not survive"
}

@test "exec --detach: signals sent to the stand-in reach the process" {
  start_container
  subreaper_bg term "$ID" sleep 903
  host_pid_of "sleep 903" > /dev/null || fail "no exec'd sleep 903"
  kill -TERM "$WAITER"
  [ "$(subreaper_status term)" = 143 ] || fail "expected 143: $(cat "$BATS_TEST_TMPDIR/term.out")"
  subreaper_bg hup "$ID" sh -c 'trap "echo got-hup > /tmp/hup; exit 3" HUP; while :; do sleep 0.1; done'
  sleep 0.5
  kill -HUP "$WAITER"
  [ "$(subreaper_status hup)" = 3 ] || fail "expected the trap's 3: $(cat "$BATS_TEST_TMPDIR/hup.out")"
  run runtime exec "$ID" cat /tmp/hup
  [ "$output" = got-hup ] || fail "the trap did not run: $output"
}

@test "exec in the foreground: exit statuses, 128+N for a signal, and forwarded signals" {
  start_container
  run runtime exec "$ID" sh -c 'exit 42'
  [ "$status" -eq 42 ] || fail "expected 42: $status $output"
  run runtime exec "$ID" sh -c 'kill -KILL $$'
  [ "$status" -eq 137 ] || fail "expected 137: $status $output"
  runtime exec "$ID" sleep 904 < /dev/null > /dev/null 2>&1 &
  fg=$!
  BG_PIDS+=("$fg")
  host_pid_of "sleep 904" > /dev/null || fail "no exec'd sleep 904"
  kill -TERM "$fg"
  rc=0
  wait "$fg" || rc=$?
  [ "$rc" -eq 143 ] || fail "runsc exec in the foreground exited $rc after SIGTERM, expected 143"
  run runtime exec "$ID" /bin/no-such-program
  [ "$status" -ne 0 ] || fail "exec of a missing program succeeded"
  assert_output_has "no-such-program"
}

@test "exec with and without a terminal: -t without a console socket uses runsc's own" {
  command -v script > /dev/null || fail "script(1) (bsdutils) is needed for a pty"
  start_container
  run runtime exec "$ID" sh -c 'tty; exit 0'
  assert_output_has "not a tty"
  run timeout -k 5 60 script -qec "$RUNTIME_BIN --root $ROOT exec -t $ID sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 3'" /dev/null < /dev/null
  [ "$status" -eq 3 ] || fail "exec -t: status $status: $output"
  assert_output_has "/dev/pts/"
  assert_output_has "both-tty"
  printf 'echo typed-$((6*7))\nexit 4\n' > "$BATS_TEST_TMPDIR/input"
  run timeout -k 5 60 script -qec "$RUNTIME_BIN --root $ROOT exec -t $ID sh" /dev/null < "$BATS_TEST_TMPDIR/input"
  [ "$status" -eq 4 ] || fail "interactive: status $status: $output"
  assert_output_has "typed-42"
  run runtime exec --detach --tty "$ID" true
  [ "$status" -ne 0 ] || fail "--detach --tty without a console socket was accepted"
  assert_output_has "console-socket"
}

@test "exec: the process is in the container's cgroup and is served by the sandbox's kernel" {
  start_container
  subreaper_bg cg "$ID" sleep 905
  target=$(host_pid_of "sleep 905") || fail "no exec'd sleep 905"
  init=$(host_pid_of "sleep 1000") || fail "no init"
  diff <(sort "/proc/$init/cgroup") <(sort "/proc/$target/cgroup") || fail "the exec'd process is in other cgroups"
  [ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$target/status")" = 2 ] || fail "the exec'd process is not filtered"
  run runtime exec "$ID" uname -r
  [ "$output" = 4.4.0 ] || fail "uname -r in exec: $output"
  run runtime exec "$ID" sh -c 'dmesg | head -n 1'
  [ "$status" -eq 0 ] || fail "dmesg in exec: $status $output"
  assert_output_has "Starting"
}

@test "exec: runsc ps and kill --all reach exec'd processes and their children outside the init's tree" {
  # Without a pid namespace of its own, the exec'd processes are not in the init's tree (they are the
  # Sentry's children): ps must still list them.
  bundle_jq "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
  start_container
  subreaper_bg ps "$ID" sh -c 'sleep 906 & wait'
  target=$(host_pid_of "sleep 906") || fail "no exec'd sleep 906"
  run runtime ps --format json "$ID"
  [ "$status" -eq 0 ] || fail "ps: $output"
  jq -e --argjson p "$target" 'index($p) != null' <<< "$output" > /dev/null || fail "ps lacks $target: $output"
  jq -e --argjson p "$WAITER" 'index($p) == null' <<< "$output" > /dev/null || fail "ps lists the stand-in: $output"
  run runtime ps "$ID"
  grep -q "sleep 906" <<< "$output" || fail "ps table lacks the exec'd sleep: $output"
  runtime kill --all "$ID" KILL
  [ "$(subreaper_status ps)" = 137 ] || fail "kill --all did not reach the exec'd process: $(cat "$BATS_TEST_TMPDIR/ps.out")"
}

@test "exec --process FILE, --env, --cap and --additional-gids" {
  start_container
  cat > "$BATS_TEST_TMPDIR/process.json" << 'EOF'
{"args": ["sh", "-c", "echo \"$FOO\"; id -u; id -G; pwd"], "cwd": "/tmp", "env": ["FOO=from-file", "PATH=/bin"],
 "user": {"uid": 1000, "gid": 1000, "additionalGids": [5, 7]}}
EOF
  run runtime exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
  [ "$status" -eq 0 ] || fail "exec --process: $status $output"
  [ "$output" = "$(printf 'from-file\n1000\n1000 5 7\n/tmp')" ] || fail "output: $output"
  run runtime exec -e A=1 -e PATH=/bin:/sbin -g 9 -g 10,11 "$ID" sh -c 'echo "$A $PATH"; id -G'
  [ "$output" = "$(printf '1 /bin:/sbin\n0 9 10 11')" ] || fail "env/gids: $output"
  without=$(runtime exec "$ID" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
  with=$(runtime exec --cap CAP_SYS_ADMIN "$ID" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
  (( (0x$without & (1 << 21)) == 0 )) || fail "CAP_SYS_ADMIN is there without --cap: $without"
  (( (0x$with & (1 << 21)) != 0 )) || fail "--cap CAP_SYS_ADMIN did not add it: $with"
  run runtime exec --cap NET_RAW "$ID" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status
  (( (0x$output & (1 << 13)) == 0 )) || fail "CAP_NET_RAW without --net-raw: $output"
  run runtime exec --env NOEQUALS "$ID" true
  [ "$status" -ne 0 ] || fail "--env without = was accepted"
}

@test "exec: runsc wait --pid gives an exec'd process's status, before and after it exits" {
  start_container
  subreaper_bg w --internal-pid-file "$BATS_TEST_TMPDIR/w.ipid" "$ID" sh -c 'sleep 1; exit 9'
  ipid=$(cat "$BATS_TEST_TMPDIR/w.ipid")
  [ "$ipid" -gt 1 ] || fail "internal pid $ipid"
  run runtime wait --pid "$ipid" "$ID"
  [ "$status" -eq 0 ] || fail "wait --pid: $output"
  [ "$(jq .exitStatus <<< "$output")" = 9 ] || fail "wait --pid: $output"
  [ "$(subreaper_status w)" = 9 ] || fail "the stand-in: $(cat "$BATS_TEST_TMPDIR/w.out")"
  run runtime wait --pid "$ipid" "$ID"
  [ "$(jq .exitStatus <<< "$output")" = 9 ] || fail "wait --pid after the exit: $output"
  run runtime wait --pid 4242 "$ID"
  [ "$status" -ne 0 ] || fail "wait --pid of an unknown process succeeded: $output"
}

@test "exec: a paused container refuses exec until resumed" {
  start_container
  runtime pause "$ID"
  run runtime exec "$ID" true
  [ "$status" -ne 0 ] || fail "exec in a paused container succeeded"
  assert_output_has "paused"
  runtime resume "$ID"
  run runtime exec "$ID" sh -c 'echo ok'
  [ "$output" = ok ] || fail "exec after resume: $status $output"
}

@test "exec through containerd's runc shim with runsc as its binary (Docker's --add-runtime path)" {
  command -v containerd > /dev/null || fail "containerd is not installed"
  ROOTFS=$(bundle_rootfs_base)
  shim_containerd_start
  SHIM_STARTED=1
  rt=(--runtime io.containerd.runc.v2 --runc-binary "$RUNTIME_BIN" --runc-root "$SHIM_D/runsc-root")
  shim_ctr run -d "${rt[@]}" --rootfs "$ROOTFS" "$ID" /bin/sleep 1000 || fail "ctr run -d failed"
  run shim_ctr task exec --exec-id e1 "$ID" /bin/sh -c 'echo in-exec; uname -r; exit 5'
  [ "$status" -eq 5 ] || fail "exec: status $status: $output"
  assert_output_has "in-exec"
  assert_output_has "4.4.0"
  run timeout -k 5 60 script -qec "ctr --address $SHIM_D/containerd.sock task exec -t --exec-id e2 $ID /bin/sh -c 'tty; exit 6'" /dev/null < /dev/null
  [ "$status" -eq 6 ] || fail "exec -t: status $status: $output"
  assert_output_has "/dev/pts/"
  shim_ctr task exec --exec-id e3 "$ID" /bin/sleep 907 > /dev/null 2>&1 &
  ex=$!
  BG_PIDS+=("$ex")
  deadline=$((SECONDS + 10))
  until shim_ctr task ps "$ID" 2> /dev/null | awk 'NR > 1 { print $1 }' | while read -r p; do
      [ "$(proc_cmdline "$p")" = "/bin/sleep 907 " ] && echo "$p"
    done | grep -q . || [ $SECONDS -gt $deadline ]; do
    sleep 0.1
  done
  [ $SECONDS -le $deadline ] || fail "ctr task ps never listed the exec'd sleep"
  shim_ctr task kill -s TERM --exec-id e3 "$ID"
  rc=0
  wait_pid_timeout "$ex" 20 || rc=$?
  [ "$rc" -eq 143 ] || fail "ctr task exec after kill --exec-id: $rc, expected 143"
  shim_ctr task kill -s KILL "$ID"
  shim_wait_status "$ID" STOPPED
  shim_ctr task rm "$ID"
  shim_ctr containers rm "$ID"
}

@test "exec into a pod member: its own root and init, the pod's Sentry, and ps of that member only" {
  pod=$ID-pod
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  runtime run --detach --bundle "$BUNDLE" "$pod" < /dev/null > /dev/null 2>&1 || fail "run the pod sandbox"
  app=$BATS_TEST_TMPDIR/app
  cp -a "$BUNDLE" "$app"
  touch "$app/rootfs/in-the-app"
  bundle_args "$app" sleep 2000
  bundle_jq "$app" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  runtime create --bundle "$app" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/app.out" 2>&1 || fail "create the member"
  runtime start "$ID" || fail "start the member"
  run runtime exec "$ID" sh -c 'ls /in-the-app; cat /proc/1/cmdline | tr "\0" " "; uname -r'
  [ "$status" -eq 0 ] || fail "exec in the member: $status $output"
  [ "$output" = "$(printf '/in-the-app\nsleep 2000 4.4.0')" ] || fail "output: $output"
  run runtime exec "$pod" ls /in-the-app
  [ "$status" -ne 0 ] || fail "the pod's root container sees the member's file"
  subreaper_bg m "$ID" sleep 908
  target=$(for p in $(proc_tree "$(state_field "$pod" pid)"); do
      [ "$(proc_cmdline "$p")" = "sleep 908 " ] && echo "$p"
    done)
  [ -n "$target" ] || fail "no exec'd sleep 908 under the pod's Sentry"
  run runtime ps --format json "$ID"
  jq -e --argjson p "$target" 'index($p) != null' <<< "$output" > /dev/null || fail "member ps lacks $target: $output"
  run runtime ps --format json "$pod"
  jq -e --argjson p "$target" 'index($p) == null' <<< "$output" > /dev/null || fail "pod ps lists $target: $output"
  runtime delete --force "$pod"
  [ "$(subreaper_status m)" = 137 ] || fail "the member's exec'd process outlived the pod: $(cat "$BATS_TEST_TMPDIR/m.out")"
  runtime delete --force "$ID" || :
}

@test "exec --preserve-fds: runsc's descriptors 3.. become the process's, and nothing else of ours leaks" {
  # (runtime closes fd 3 for bats' sake: call the binary directly here)
  start_container
  echo from-host > "$BATS_TEST_TMPDIR/in"
  run "$RUNTIME_BIN" --root "$ROOT" exec --preserve-fds 2 "$ID" sh -c 'cat <&3; echo to-host >&4; ls /proc/self/fd | tr "\n" " "' \
    3< "$BATS_TEST_TMPDIR/in" 4> "$BATS_TEST_TMPDIR/out"
  [ "$status" -eq 0 ] || fail "exec --preserve-fds 2: $status $output"
  [ "$output" = "from-host
0 1 2 3 4 5 " ] || fail "output (5 is ls's own directory): $output"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = to-host ] || fail "fd 4 did not reach the host file"
  run "$RUNTIME_BIN" --root "$ROOT" exec "$ID" sh -c 'ls /proc/self/fd | tr "\n" " "' 3< "$BATS_TEST_TMPDIR/in"
  [ "$output" = "0 1 2 3 " ] || fail "without --preserve-fds: $output"
  run "$RUNTIME_BIN" --root "$ROOT" exec --preserve-fds 3 "$ID" true 3< "$BATS_TEST_TMPDIR/in" 4> "$BATS_TEST_TMPDIR/out"
  [ "$status" -ne 0 ] || fail "a closed descriptor 5 was accepted"
  assert_output_has "descriptor 5"
}

@test "exec: a cgroup hierarchy mounted after create is not joined; one recorded at create and unmounted since is skipped with a warning, once" {
  spare_hierarchy_init
  cat > "$BATS_TEST_TMPDIR/spare.sh" << 'SCRIPT'
set -u
R() { "$RUNSC" --root "$ROOT" "$@"; }
M() { mount -t cgroup -o "none,name=$SPARE_NAME" cgroup "$SPARE"; }
# Mounted after create: not in the record, so exec neither joins nor needs it.
R create --bundle "$BUNDLE" "$ID-a" < /dev/null > /dev/null 2>&1 || echo "create-a failed"
R start "$ID-a"
M || echo "mount failed"
echo "exec-a $(R exec "$ID-a" echo mounted-after 2>&1) $?"
grep -q "name=$SPARE_NAME" "$ROOT/$ID-a/cgroup.json" && echo "record-a names the spare hierarchy"
R delete --force "$ID-a"
# Mounted at create (recorded; the Sentry and the init are in it), then unmounted while the container runs.
R --debug-log "$LOGS/" create --bundle "$BUNDLE" "$ID-b" < /dev/null > /dev/null 2>&1 || echo "create-b failed"
R start "$ID-b"
grep -q "\"name=$SPARE_NAME\"" "$ROOT/$ID-b/cgroup.json" && echo "record-b has it"
umount "$SPARE" || echo "umount failed"
for i in 1 2; do echo "exec-b$i $(R exec "$ID-b" echo after-unmount 2>&1) $?"; done
echo "delete-b $(R delete --force "$ID-b" 2>&1) $?"
[ -e "$ROOT/$ID-b" ] && echo "state directory left"
# What the unmounted hierarchy kept: the container's directory, with no process left in it.
M || echo "mount again failed"
[ -d "$SPARE/$ID-b" ] && echo "kept $(wc -l < "$SPARE/$ID-b/cgroup.procs") processes"
umount "$SPARE"
SCRIPT
  run env RUNSC="$RUNSC" ROOT="$ROOT" BUNDLE="$BUNDLE" ID="$ID" SPARE="$SPARE" SPARE_NAME="$SPARE_NAME" \
    LOGS="$BATS_TEST_TMPDIR/logs" timeout 120 unshare -m --propagation private bash "$BATS_TEST_TMPDIR/spare.sh"
  [ "$status" -eq 0 ] || fail "script: $status: $output"
  ! grep -q "failed\|state directory left\|record-a names" <<< "$output" || fail "$output"
  grep -qx "exec-a mounted-after 0" <<< "$output" || fail "exec with a hierarchy mounted after create: $output"
  grep -qx "record-b has it" <<< "$output" || fail "the record lacks the spare hierarchy: $output"
  grep -qx "exec-b1 after-unmount 0" <<< "$output" || fail "exec 1 after the unmount: $output"
  grep -qx "exec-b2 after-unmount 0" <<< "$output" || fail "exec 2 after the unmount: $output"
  grep -q "^delete-b .* 0$" <<< "$output" || fail "delete after the unmount: $output"
  grep -qx "kept 0 processes" <<< "$output" || fail "no empty $SPARE/$ID-b left (then the test proves nothing): $output"
  run grep -h "recorded at create is gone" "$BATS_TEST_TMPDIR"/logs/*boot*
  [ "${#lines[@]}" -eq 1 ] || fail "want one warning in the sandbox's log: $output"
  assert_output_has "$SPARE/$ID-b"
}
