#!/usr/bin/env bats
# The Sentry confines itself once its sandbox is set up (runsc(8), THE SENTRY'S CONFINEMENT; src/sentry/confine.h):
# its capabilities (only CAP_SYS_PTRACE and CAP_KILL when the containers share the host's user namespace, none
# in a user namespace), no_new_privs and its own seccomp allowlist, in every thread, an empty read-only root in a
# mount namespace of its own (what it still serves, it reaches through directories it holds), read from
# /proc/<sentry>/task/*/status; the allowlist refuses a call outside it, made by the Sentry itself through the
# test-only control command of tests/sandbox/runsc-hooked (src/sentry/test-hook.h); the containers' processes,
# forked by the spawner, inherit none of it; the spawner refuses requests a compromised Sentry could send it
# (src/sentry/spawner-policy.h), sent through the test-only "test-spawner" command; and
# `runsc help syscalls --sentry`.

load helpers

setup ()
{
  common_setup
  HOOKED=${HOOKED:-$(dirname "$RUNSC")/tests/sandbox/runsc-hooked}
  [ -x "$HOOKED" ] || skip "tests/sandbox/runsc-hooked is not built (make check builds it)"
  bundle_args "$BUNDLE" /bin/sleep 1000
}

teardown ()
{
  common_teardown
}

rs ()
{
  "$HOOKED" --root "$ROOT" "$@" 3>&-
}

# Field $2 of /proc/$1/status.
field ()
{
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# Every thread of pid $1 shows CapEff and CapPrm $2, CapBnd within it, NoNewPrivs 1, Seccomp 2.
check_threads ()
{
  local pid=$1 caps=$2 t n=0 errors=()
  for t in /proc/"$pid"/task/*; do
    t=${t##*/}
    n=$((n + 1))
    for f in CapEff CapPrm CapBnd; do
      v=$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$pid/task/$t/status")
      [ "$v" = "$caps" ] || errors+=("thread $t: $f $v, not $caps")
    done
    v=$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/task/$t/status")
    [ "$v" = 1 ] || errors+=("thread $t: NoNewPrivs $v")
    v=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/task/$t/status")
    [ "$v" = 2 ] || errors+=("thread $t: Seccomp $v")
  done
  [ "$n" -gt 1 ] || errors+=("only $n thread: the notification and FUSE threads are missing")
  [ ${#errors[@]} -eq 0 ] || fail "${errors[*]}"
}

# A control request {"cmd": "test-syscall", "nr": $1} to the sandbox $ID; prints "ret errno".
test_syscall ()
{
  python3 - "$ROOT/$ID/sandbox.sock" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(json.dumps({"cmd": "test-syscall", "nr": int(sys.argv[2])}).encode())
r = json.loads(s.recv(65536))
print(r["ret"], r["errno"]) if r.get("ok") else print("error", r.get("error"))
PY
}

# A control request {"cmd": "test-spawner", "kind": $1, "req": $2} to the sandbox $ID: the Sentry sends the
# request to its spawner unchecked, as a compromised Sentry could. Prints "ok pid P" or "error MESSAGE".
test_spawner ()
{
  python3 - "$ROOT/$ID/sandbox.sock" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(json.dumps({"cmd": "test-spawner", "kind": sys.argv[2], "req": json.loads(sys.argv[3])}).encode())
r = json.loads(s.recv(65536))
print("ok pid", r.get("pid")) if r.get("ok") else print("error", r.get("error"))
PY
}

@test "sentry-confine: by default (the sandbox's user namespace) the Sentry and its threads hold no capability" {
  rs create --bundle "$BUNDLE" "$ID" < /dev/null || fail "create"
  rs start "$ID" || fail "start"
  sentry=$(rs state "$ID" | jq .pid)
  check_threads "$sentry" 0000000000000000
  run rs exec "$ID" cat /proc/sys/kernel/osrelease
  [ "$status" -eq 0 ] && [ "$output" = 4.4.0 ] || fail "exec: $output"
}

@test "sentry-confine: with --userns=host the Sentry and each of its threads: CAP_SYS_PTRACE and CAP_KILL only, no_new_privs, its own filter" {
  rs --userns=host create --bundle "$BUNDLE" "$ID" < /dev/null || fail "create"
  rs start "$ID" || fail "start"
  sentry=$(rs state "$ID" | jq .pid)
  [ "$(cat /proc/$sentry/comm)" = runsc-sandbox ] || fail "pid $sentry is $(cat /proc/$sentry/comm)"
  # 0x80020: CAP_KILL (5) and CAP_SYS_PTRACE (19), for containers in the host's user namespace.
  check_threads "$sentry" 0000000000080020
  [ "$(field "$sentry" Seccomp_filters)" = 1 ] || fail "Seccomp_filters $(field "$sentry" Seccomp_filters)"
  [ "$(field "$sentry" CapInh)" = 0000000000000000 ] && [ "$(field "$sentry" CapAmb)" = 0000000000000000 ] \
    || fail "inheritable or ambient capabilities left"
}

@test "sentry-confine: in a user namespace the Sentry keeps no capability at all, and exec still works" {
  bundle_userns "$BUNDLE" 200000
  rs create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  rs start "$ID" || fail "start"
  sentry=$(rs state "$ID" | jq .pid)
  check_threads "$sentry" 0000000000000000
  # Emulated calls (uname, syslog) and the FUSE files need the Sentry to reach the application: it still does.
  run rs exec "$ID" sh -c 'uname -r; cat /proc/sys/kernel/osrelease; dmesg | tail -n 1'
  [ "$status" -eq 0 ] || fail "exec: $output"
  [ "${lines[0]}" = 4.4.0 ] && [ "${lines[1]}" = 4.4.0 ] && [[ "${lines[2]}" == *"Ready!" ]] || fail "exec: $output"
}

@test "sentry-confine: the Sentry's root is empty and read-only, in a mount namespace of its own, and it still serves a lifecycle, exec and a pod member" {
  pod=$ID
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  rs create --bundle "$BUNDLE" "$pod" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  rs start "$pod" || fail "start"
  sentry=$(rs state "$pod" | jq .pid)
  # Its root and every thread's: nothing in it, not even the host's /proc; one mount, the empty tmpfs.
  [ -z "$(ls -A "/proc/$sentry/root/")" ] || fail "the Sentry's root holds: $(ls -A "/proc/$sentry/root/")"
  for t in /proc/"$sentry"/task/*; do
    [ -z "$(ls -A "$t/root/")" ] || fail "thread ${t##*/}: its root holds $(ls -A "$t/root/")"
    [ "$(readlink "$t/ns/mnt")" = "$(readlink "/proc/$sentry/ns/mnt")" ] || fail "thread ${t##*/}: another mount namespace"
  done
  [ "$(readlink "/proc/$sentry/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] || fail "the host's mount namespace"
  [ "$(wc -l < "/proc/$sentry/mountinfo")" -eq 1 ] || fail "mounts: $(cat "/proc/$sentry/mountinfo")"
  grep -q ' / / ro,' "/proc/$sentry/mountinfo" || fail "not read-only: $(cat "/proc/$sentry/mountinfo")"
  ! touch "/proc/$sentry/root/x" 2> /dev/null || fail "host root wrote into the Sentry's root"

  # What it serves through the directories it holds: the sandbox kernel's files (the container's cgroup limits,
  # the host's online CPUs), exec, ps, pause and resume (the freezer), kill --all.
  run rs exec "$pod" sh -c 'grep -c ^processor /proc/cpuinfo; head -n 1 /proc/meminfo; cat /proc/sys/kernel/osrelease'
  [ "$status" -eq 0 ] && [ "${lines[0]}" = "$(nproc)" ] && [[ "${lines[1]}" == MemTotal:* ]] \
    && [ "${lines[2]}" = 4.4.0 ] || fail "exec: $output"
  rs exec -d "$pod" /bin/sleep 1000 < /dev/null > /dev/null 2>&1 || fail "exec -d"
  [ "$(rs ps --format json "$pod" | jq length)" -eq 2 ] || fail "ps: $(rs ps --format json "$pod")"
  rs pause "$pod" && [ "$(rs state "$pod" | jq -r .status)" = paused ] || fail "pause"
  rs resume "$pod" && [ "$(rs state "$pod" | jq -r .status)" = running ] || fail "resume"

  # A pod member: its spec and cgroup record read from its state directory, its exit status written there.
  member=$BATS_TEST_TMPDIR/member
  cp -a "$BUNDLE" "$member"
  bundle_args "$member" /bin/sh -c 'read x < /proc/uptime && exit 7'
  bundle_jq "$member" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  rs create --bundle "$member" "$pod-m" < /dev/null > "$BATS_TEST_TMPDIR/member.out" 2>&1 \
    || fail "create the member: $(cat "$BATS_TEST_TMPDIR/member.out")"
  rs start "$pod-m" || fail "start the member"
  RUNTIME_BIN=$HOOKED wait_for_status "$pod-m" stopped || fail "the member did not stop"
  [ "$(cat "$ROOT/$pod-m/exit-status")" = 7 ] || fail "member exit status: $(cat "$ROOT/$pod-m/exit-status")"
  rs delete "$pod-m" || fail "delete the member"
  rs kill --all "$pod" KILL || fail "kill --all"
  RUNTIME_BIN=$HOOKED wait_for_status "$pod" stopped || fail "the pod did not stop"
  [ "$(cat "$ROOT/$pod/exit-status")" = 137 ] || fail "exit status: $(cat "$ROOT/$pod/exit-status")"
}

@test "sentry-confine: the Sentry's allowlist refuses a call outside it (made by the Sentry itself), allows one in it" {
  rs create --bundle "$BUNDLE" "$ID" < /dev/null || fail "create"
  sentry=$(rs state "$ID" | jq .pid)
  # getpid (39) is in the table; socket (41) and getppid (110) are not: EPERM (1), not their host answers
  # (EAFNOSUPPORT for socket(0, 0, 0), the parent's pid for getppid).
  run test_syscall 39
  [ "$status" -eq 0 ] && [ "${output#* }" = 0 ] && [ "${output% *}" -gt 0 ] || fail "getpid: $output"
  run test_syscall 41
  [ "$output" = "-1 1" ] || fail "socket: $output"
  run test_syscall 110
  [ "$output" = "-1 1" ] || fail "getppid: $output"
  # The refused calls did not harm it: it still answers.
  [ "$(rs state "$ID" | jq -r .status)" = created ] || fail "state after the refused calls"
  # The installed runsc has no such command.
  "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID-plain" < /dev/null > "$BATS_TEST_TMPDIR/plain.out" 2>&1 3>&- \
    || fail "create with runsc: $(cat "$BATS_TEST_TMPDIR/plain.out")"
  ID=$ID-plain run test_syscall 41
  [[ "$output" == *"unsupported control command"* ]] || fail "runsc answered test-syscall: $output"
  "$RUNSC" --root "$ROOT" delete -f "$ID-plain" 3>&-
}

@test "sentry-confine: the spawner refuses what a compromised Sentry could ask of it: a spec outside the state directory, an init pid, an unknown container, an exec outside the limits" {
  rs create --bundle "$BUNDLE" "$ID" < /dev/null || fail "create"
  sentry=$(rs state "$ID" | jq .pid)
  before=$(pgrep -P "$sentry" | sort)
  # A pod member from a host file outside the sandbox's state: this test's own bundle's spec, which runsc would run.
  run test_spawner sub "$(jq -cn --arg c "$BUNDLE/config.json" --arg b "$BUNDLE" \
    '{id: "intruder", config: $c, bundle: $b, console: false}')"
  [ "$output" = "error spawner: refused: config $BUNDLE/config.json is not container intruder's spec in the state directory ($ROOT/intruder/config.json)" ] \
    || fail "sub from $BUNDLE/config.json: $output"
  run test_spawner sub "$(jq -cn --arg c "$ROOT/intruder/config.json" '{id: "intruder", config: $c, bundle: "/tmp/../etc"}')"
  [[ "$output" == *'refused: bundle "/tmp/../etc" is not an absolute, clean path'* ]] || fail "bundle: $output"
  # The namespaces of another process: pid 1's are the host's.
  run test_spawner exec "{\"target\": \"$ID\", \"init_pid\": 1, \"exec\": {\"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}}}"
  [[ "$output" == *"refused: exec names an init pid (1)"* ]] || fail "exec with init_pid 1: $output"
  run test_spawner setup '{"root_init_pid": 1}'
  [[ "$output" == *"refused: setup again"* ]] || fail "a second setup: $output"
  run test_spawner exec '{"target": "nosuch", "exec": {"process": {"args": ["/bin/true"], "cwd": "/"}}}'
  [[ "$output" == *"refused: no container nosuch"* ]] || fail "exec in an unknown container: $output"
  run test_spawner exec "{\"target\": \"$ID\", \"exec\": {\"process\": {\"args\": [], \"cwd\": \"/\"}}}"
  [[ "$output" == *"refused: process.args has 0 entries"* ]] || fail "exec without args: $output"
  run test_spawner exec "{\"target\": \"$ID\", \"exec\": {\"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"tmp\"}}}"
  [[ "$output" == *'refused: process.cwd "tmp" is not absolute'* ]] || fail "exec with a relative cwd: $output"
  run test_spawner exec "{\"target\": \"$ID\", \"exec\": {\"process\": {\"args\": [\"/bin/true\"], \"env\": [\"NOEQUALS\"]}}}"
  [[ "$output" == *'refused: process.env[0] "NOEQUALS" is not NAME=value'* ]] || fail "exec with a bad env: $output"
  # Nothing was started, nothing was made in the state root, and the sandbox still works.
  [ "$(pgrep -P "$sentry" | sort)" = "$before" ] || fail "the spawner started something: $(pgrep -P "$sentry")"
  [ ! -e "$ROOT/intruder" ] || fail "$ROOT/intruder exists"
  rs start "$ID" || fail "start"
  run rs exec "$ID" cat /proc/sys/kernel/osrelease
  [ "$status" -eq 0 ] && [ "$output" = 4.4.0 ] || fail "exec after the refusals: $output"
}

@test "sentry-confine: the containers' processes, forked by the spawner, inherit neither the Sentry's filter nor no_new_privs" {
  bundle_jq "$BUNDLE" '.process.noNewPrivileges = false'
  rs create --bundle "$BUNDLE" "$ID" < /dev/null || fail "create"
  rs start "$ID" || fail "start"
  sentry=$(rs state "$ID" | jq .pid)
  spawner=$(pgrep -P "$sentry" -x runsc-spawner) || fail "no runsc-spawner child of the Sentry $sentry"
  [ "$(field "$spawner" Seccomp)" = 0 ] || fail "the spawner has a filter"
  rs exec -d "$ID" /bin/sleep 1000 < /dev/null > "$BATS_TEST_TMPDIR/exec.out" 2>&1 || fail "exec -d"
  pids=$(rs ps --format json "$ID" | jq -r '.[]') || fail "ps"
  [ "$(echo "$pids" | wc -w)" -eq 2 ] || fail "ps: $pids"
  for p in $pids; do
    [ "$(awk '$1 == "PPid:" { print $2 }' /proc/$p/status)" = "$sentry" ] || fail "$p is not the Sentry's child"
    # One filter (the sandbox's), not two: the Sentry's own is not stacked under it.
    [ "$(field "$p" Seccomp_filters)" = 1 ] || fail "$p: Seccomp_filters $(field "$p" Seccomp_filters)"
    [ "$(field "$p" NoNewPrivs)" = 0 ] || fail "$p: NoNewPrivs $(field "$p" NoNewPrivs)"
  done
}

@test "sentry-confine: runsc help syscalls --sentry prints the second table in each format, at most 60 calls" {
  run "$RUNSC" help syscalls --sentry --format json
  [ "$status" -eq 0 ] || fail "json: $output"
  allowed=$(echo "$output" | jq .counts.allowed)
  [ "$allowed" -le 60 ] && [ "$allowed" -gt 20 ] || fail "allowed: $allowed"
  [ "$(echo "$output" | jq -r '.syscalls[] | select(.name == "ioctl") | .allowed | length')" = 5 ] || fail "ioctl rules"
  [ "$(echo "$output" | jq -r '.syscalls[] | select(.name == "clone3") | .errno')" = ENOSYS ] || fail "clone3"
  run "$RUNSC" help syscalls --sentry --format csv
  [ "$status" -eq 0 ] && [ "${lines[0]}" = "nr,name,disposition,errno,detail,note" ] || fail "csv: ${lines[0]}"
  [ "$(printf '%s\n' "${lines[@]}" | grep -c ',allowed,')" = "$allowed" ] || fail "csv rows"
  run "$RUNSC" help syscalls --sentry
  [ "$status" -eq 0 ] && [[ "${lines[-1]}" == "$allowed syscalls allowed to the confined Sentry"* ]] \
    || fail "table: ${lines[-1]}"
  # socket is not in it: the sandbox's table has it, the Sentry's does not.
  run "$RUNSC" help syscalls --sentry --format csv
  ! printf '%s\n' "${lines[@]}" | grep -q '^41,socket,' || fail "socket in the Sentry's table"
  run "$RUNSC" help syscalls --sentry --format xml
  [ "$status" -ne 0 ] && [[ "$output" == *"invalid --format xml"* ]] || fail "bad format: $output"
}
