# tests/integration/helpers.bash: what every bats suite of this project loads (`load helpers`).
#
# Environment (tests/run sets all of these; the defaults suit a run from a source tree built in _build/):
#   RUNSC    the runsc binary under test            (default: <source>/_build/runsc)
#   SHIM     the containerd-shim-runsc-v1 binary    (default: next to RUNSC)
#   RUNTIME  the OCI runtime the runtime-neutral suites (lifecycle*.bats) drive: "runsc" (default, meaning
#            $RUNSC), another name on PATH ("runc", "crun") or a path
#   RECVTTY  the console-socket receiver built from tests/lib/recvtty.c (default: <dir of RUNSC>/tests/lib/)
#
# Each test gets its own state root ($ROOT) and bundle ($BUNDLE, a busybox root filesystem) under
# $BATS_TEST_TMPDIR, and a container id ($ID) unique on the machine.  common_teardown force-deletes whatever
# the test left in $ROOT, kills processes still naming the test's directory and unmounts what is still
# mounted under it, so that one failing test does not leave the machine dirty for the next.

HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$HELPERS_DIR")
SRC_DIR=$(dirname "$TESTS_DIR")

# shellcheck source=../lib/bundle.bash
. "$TESTS_DIR/lib/bundle.bash"
# shellcheck source=../lib/daemons.bash
. "$TESTS_DIR/lib/daemons.bash"

: "${RUNSC:=$SRC_DIR/_build/runsc}"
: "${SHIM:=$(dirname "$RUNSC")/containerd-shim-runsc-v1}"
: "${RECVTTY:=$(dirname "$RUNSC")/tests/lib/recvtty}"
: "${RUNTIME:=runsc}"
case $RUNTIME in
  runsc) RUNTIME_BIN=$RUNSC ;;
  */*) RUNTIME_BIN=$RUNTIME ;;
  *) RUNTIME_BIN=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
RUNTIME_NAME=$(basename "$RUNTIME_BIN")
export RUNSC SHIM RECVTTY RUNTIME RUNTIME_BIN RUNTIME_NAME

# The busybox root filesystem is built once per bats run and copied into each bundle.
if [ -z "${BUNDLE_CACHE:-}" ] && [ -n "${BATS_RUN_TMPDIR:-}" ]; then
  BUNDLE_CACHE=$BATS_RUN_TMPDIR/rootfs-cache
fi
export BUNDLE_CACHE

common_setup ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the integration tests run as root"
  fi
  if [ ! -x "$RUNTIME_BIN" ]; then
    echo "the runtime under test is missing: $RUNTIME_BIN (build it, or set RUNSC/RUNTIME)" >&2
    return 1
  fi
  ROOT=$BATS_TEST_TMPDIR/root
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  ID=t$$-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$RANDOM
  mkdir -p "$ROOT"
  bundle_new "$BUNDLE" /bin/true
}

# The runtime under test with this test's state root.  bats' fd 3 is closed: a container that inherited it
# would keep bats waiting after the test.
runtime ()
{
  "$RUNTIME_BIN" --root "$ROOT" "$@" 3>&-
}

# `runtime create --bundle $BUNDLE ARGS... $ID` with stdin from /dev/null and stdout and stderr on a file,
# and $status and $output set as bats' run sets them.  Never create with bats' run: it waits for the end of
# the output it captures, and the container keeps that pipe open.
run_create ()
{
  status=0
  runtime create --bundle "$BUNDLE" "$@" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/create.out")
}

# run_create, failing the test if create fails.
create_ok ()
{
  run_create "$@"
  [ "$status" -eq 0 ] || fail "create $ID: status $status: $output"
}

# Print one field of `runtime state ID` (the JSON of the OCI state).
state_field ()
{
  runtime state "$1" | jq -r ".$2"
}

# Wait (up to $3 seconds, default 10) until container $1 reports status $2.
wait_for_status ()
{
  local id=$1 want=$2 limit=${3:-10} now=
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -le $deadline ]; do
    now=$(runtime state "$id" 2> /dev/null | jq -r .status 2> /dev/null)
    [ "$now" = "$want" ] && return 0
    sleep 0.05
  done
  echo "container $id: status is '$now' after ${limit}s, expected '$want'" >&2
  return 1
}

# Wait (up to $3 seconds, default 10) until file $1 contains the fixed string $2.
wait_for_text ()
{
  local file=$1 text=$2 limit=${3:-10}
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -le $deadline ]; do
    grep -qF -- "$text" "$file" 2> /dev/null && return 0
    sleep 0.05
  done
  echo "$file: no '$text' after ${limit}s; it holds:" >&2
  cat "$file" >&2 2> /dev/null
  return 1
}

# Wait for a background job to end, at most $2 seconds (default 20); its status is the job's.  A job still
# running then is killed and the status is 124.
wait_pid_timeout ()
{
  local pid=$1 limit=${2:-20}
  local deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2> /dev/null; do
    if [ $SECONDS -gt $deadline ]; then
      echo "pid $pid still running after ${limit}s: killed" >&2
      kill -KILL "$pid" 2> /dev/null
      wait "$pid" 2> /dev/null
      return 124
    fi
    # A finished job stays a zombie until waited for: check through /proc.
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2> /dev/null)" = Z ] && break
    sleep 0.05
  done
  wait "$pid"
}

# Create file $2 (a path inside the container) in the root of process $1 from the host, in the process's user and
# mount namespaces, with the container's own touch: in the sandbox's user namespace the container's files are the
# namespace's, and host root (not mapped there) may not create one (EOVERFLOW), as under runc with a user
# namespace.
touch_in_container ()
{
  nsenter -t "$1" -U -m -r /bin/touch "$2"
}

# Fail the test with a message.
fail ()
{
  echo "FAIL: $*" >&2
  return 1
}

# Check that "$output" (from bats' run) contains the fixed string $1, case-insensitively.
assert_output_has ()
{
  if ! grep -qiF -- "$1" <<< "$output"; then
    echo "expected the output to contain: $1" >&2
    echo "output was: $output" >&2
    return 1
  fi
}

# --- Leak checks: what a container owns, recorded while it exists, then checked after delete. ---

# The start time (field 22 of /proc/PID/stat), which tells a pid's process from a later one with that pid.
proc_start_time ()
{
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}

# The pids of $1 and all its descendants (from the kernel's children lists, which need no scan of /proc).
proc_tree ()
{
  local child
  echo "$1"
  for child in $(cat /proc/"$1"/task/*/children 2> /dev/null); do
    proc_tree "$child"
  done
}

# Run $BUNDLE under runc as $ID-runc (root under the test's tmpdir), like the suites' run_in_runsc: $status and
# $output. Skips when runc is not installed (tests/packages.txt installs it).
run_in_runc ()
{
  local runc
  runc=$(command -v runc) || skip "runc is not installed"
  status=0
  "$runc" --root "$BATS_TEST_TMPDIR/runc-root" run --bundle "$BUNDLE" "$ID-runc" < /dev/null \
    > "$BATS_TEST_TMPDIR/runc.out" 2>&1 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/runc.out")
}

# The host pid of the child of the Sentry (pid $1) that is pid 1 of its own pid namespace:
# the container's init, not the Sentry's runsc-spawner, which is also its child.
container_init_of ()
{
  local c
  for c in $(cat /proc/"$1"/task/*/children 2> /dev/null); do
    if grep -qE '^NSpid:.*[[:space:]]1$' /proc/"$c"/status 2> /dev/null; then
      echo "$c"
      return 0
    fi
  done
}

proc_cmdline ()
{
  { tr '\0' ' ' < "/proc/$1/cmdline"; } 2> /dev/null
}

# True when process $1 exists and is not a zombie that PID 1 inherited.  An orphan's exit is PID 1's to
# reap, and PID 1 on these machines reaps late: such a zombie is not the runtime's leak.  A zombie whose
# parent is anything else (a Sentry that does not reap its children) is.
proc_present ()
{
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  ! { [ "$1" = Z ] && [ "$2" = 1 ]; }
}

# Record what container $1 owns: its processes (state pid and descendants, with start times), the pid
# namespaces they are in other than ours, and the cgroups they are in other than ours.  Sets LEAK_PROCS,
# LEAK_PIDNS and LEAK_CGROUPS for assert_no_leaks.
leak_snapshot ()
{
  local id=$1 pid p ns line ours
  LEAK_ID=$id
  LEAK_PROCS=()
  LEAK_PIDNS=()
  LEAK_CGROUPS=()
  pid=$(state_field "$id" pid)
  if [ -z "$pid" ] || [ "$pid" = 0 ] || [ "$pid" = null ]; then
    return 0
  fi
  ours=$(readlink /proc/self/ns/pid)
  for p in $(proc_tree "$pid"); do
    LEAK_PROCS+=("$p:$(proc_start_time "$p")")
    ns=$(readlink "/proc/$p/ns/pid" 2> /dev/null) || continue
    if [ "$ns" != "$ours" ] && [[ " ${LEAK_PIDNS[*]} " != *" $ns "* ]]; then
      LEAK_PIDNS+=("$ns")
    fi
    while IFS= read -r line; do
      [ -n "$line" ] && [[ " ${LEAK_CGROUPS[*]} " != *" $line "* ]] && LEAK_CGROUPS+=("$line")  || :
    done < <(cgroup_dirs_of "$p")
  done
}

# The directories of the cgroups process $1 is in that the test shell is not in.
cgroup_dirs_of ()
{
  local pid=$1 hid ctrl path mine dir stat
  # A zombie's /proc/PID/cgroup reads as the hierarchies' roots: nothing to learn from it.
  stat=$(cat "/proc/$pid/stat" 2> /dev/null) || return 0
  stat=${stat##*) }
  [ "${stat%% *}" = Z ] && return 0
  while IFS=: read -r hid ctrl path; do
    mine=$(awk -F: -v c="$ctrl" '$2 == c { print $3 }' /proc/self/cgroup)
    [ "$path" = "$mine" ] || [ "$path" = / ] && continue
    dir=$(cgroup_mount_of "$ctrl") || continue
    echo "$dir$path"
  done < <(cat "/proc/$pid/cgroup" 2> /dev/null)
}

# The mount point of the hierarchy named $1 as /proc/PID/cgroup names it ("memory", "cpu,cpuacct",
# "name=systemd", or "" for cgroup2).
cgroup_mount_of ()
{
  awk -v want="$1" '
    {
      for (i = 7; $i != "-"; i++) ;
      fstype = $(i + 1); opts = $(i + 3)
      if (want == "" && fstype == "cgroup2") { print $5; exit }
      if (want != "" && fstype == "cgroup") {
        n = split(want, w, ","); ok = 1
        for (j = 1; j <= n; j++) if (("," opts ",") !~ ("," w[j] ",")) ok = 0
        if (ok) { print $5; exit }
      }
    }' /proc/self/mountinfo | grep .
}

# After a delete: check that nothing recorded by leak_snapshot, nor anything else of the container, is left:
# no process (the recorded ones, anything in their pid namespaces, anything whose command line names the id,
# such as a runsc-sandbox), no mount under the bundle or the state root, no entry for the id in the state
# root, no cgroup directory the runtime made.  Processes get 5 seconds to be reaped.
assert_no_leaks ()
{
  local id=${1:-$LEAK_ID} entry pid start now ns deadline left problems=()
  deadline=$((SECONDS + 5))
  while :; do
    left=()
    for entry in "${LEAK_PROCS[@]}"; do
      pid=${entry%%:*}
      start=${entry#*:}
      now=$(proc_start_time "$pid") || continue
      proc_present "$pid" || continue
      [ "$now" = "$start" ] && left+=("pid $pid ($(proc_cmdline "$pid")) is still there")
    done
    for ns in "${LEAK_PIDNS[@]}"; do
      for pid in $(procs_in_pidns "$ns"); do
        proc_present "$pid" || continue
        left+=("pid $pid is still in the container's pid namespace $ns")
      done
    done
    for pid in $(procs_naming "$id"); do
      proc_present "$pid" || continue
      left+=("pid $pid names the container: $(proc_cmdline "$pid")")
    done
    [ ${#left[@]} -eq 0 ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  problems+=("${left[@]}")
  while read -r mnt; do
    [ -n "$mnt" ] && problems+=("still mounted: $mnt")
  done < <(mounts_under "$BUNDLE" "$ROOT")
  if [ -e "$ROOT/$id" ]; then
    problems+=("the state root still has $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')")
  fi
  for entry in "${LEAK_CGROUPS[@]}"; do
    [ -d "$entry" ] && problems+=("cgroup left: $entry")
  done
  if [ ${#problems[@]} -gt 0 ]; then
    echo "leaks after the delete of $id:" >&2
    printf '  %s\n' "${problems[@]}" >&2
    return 1
  fi
}

# Pids of processes in the pid namespace named $1 (as readlink /proc/PID/ns/pid prints it).
procs_in_pidns ()
{
  local f
  for f in /proc/[0-9]*/ns/pid; do
    [ "$(readlink "$f" 2> /dev/null)" = "$1" ] && { f=${f#/proc/}; echo "${f%%/*}"; }
  done
  return 0
}

# Pids of processes one of whose arguments is $1, or contains it as a path component or after "=" (so that
# "--id=ID", "--bundle DIR/bundle" and "DIR/x" count).  Not awk over /proc/*/cmdline: mawk stops at the
# first process that has gone.
procs_naming ()
{
  local word=$1 f pid arg args
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    { mapfile -d '' -t args < "$f"; } 2> /dev/null || continue
    for arg in "${args[@]}"; do
      if [ "$arg" = "$word" ] || [[ $arg == *"=$word"* ]] || [[ $arg == *"$word/"* ]] \
        || [[ $arg == *"/$word" ]]; then
        echo "$pid"
        break
      fi
    done
  done
  return 0
}

# Mount points (from our mountinfo) at or under any of the given directories.
mounts_under ()
{
  local d
  for d in "$@"; do
    d=$(readlink -f "$d" 2> /dev/null || echo "$d")
    awk -v d="$d" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
  done
}

common_teardown ()
{
  local id pid mnt
  [ -n "${ROOT:-}" ] || return 0
  if [ -d "$ROOT" ]; then
    for id in $(ls -A "$ROOT" 2> /dev/null); do
      [ -d "$ROOT/$id" ] || continue
      timeout 20 "$RUNTIME_BIN" --root "$ROOT" delete --force "$id" > /dev/null 2>&1 3>&- || true
    done
  fi
  # Processes still naming this test's directory or container id (a runtime that failed to clean up).
  for pid in $(procs_naming "$BATS_TEST_TMPDIR") $( [ -n "${ID:-}" ] && procs_naming "$ID"); do
    kill -KILL "$pid" 2> /dev/null || true
  done
  # Mounts left under the test's directory, deepest first.
  mounts_under "$BATS_TEST_TMPDIR" | sort -r | while read -r mnt; do
    umount -l "$mnt" 2> /dev/null || true
  done
  return 0
}
