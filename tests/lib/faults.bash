# tests/lib/faults.bash: fault injection for the runtime (tests/integration/faults.bats, `make faults`).
# Load after tests/integration/helpers.bash.
#
#   fault_snapshot              record what the machine has before a trial: FUSE connections, nsfs mounts
#   fault_check_clean ID        after a trial and its clean-up: fail (listing each) if anything of container ID
#                               is left: a process naming the id, the bundle or the state root; a mount under
#                               the bundle or the state root; the state directory; a cgroup directory named ID
#                               under the test shell's cgroups (every v1 hierarchy and cgroup2); a FUSE
#                               connection (/sys/fs/fuse/connections) that appeared during the trial and is not
#                               mounted by someone else; a namespace pinned by a mount (nsfs) or named in
#                               /run/netns that appeared during the trial and names the id or lies under the
#                               bundle or the state root
#   fault_cli_trial SEED PHASE VICTIM
#                               one seeded trial through the CLI: bring a container to PHASE's starting point,
#                               run the PHASE command (create, start, exec, delete) and kill -9 the VICTIM
#                               (runsc: the command itself; sentry: the runsc-sandbox) after a delay drawn from
#                               SEED; then the command must end within 30 s, `runsc list` must answer, `runsc
#                               delete --force` must succeed, and fault_check_clean must find nothing.  Prints
#                               one line "seed S phase P victim V delay Dms: OUTCOME".
#   fault_cli_trials FIRST COUNT
#                               COUNT trials with seeds FIRST.. (phase and victim drawn from the seed too);
#                               fails after the last if any trial failed
#
# The delays are drawn in [0, the phase's usual length] (create about 200 ms, the others about 50 ms on the
# development machines), so the kill lands before, during and after the command's work.

fault_snapshot ()
{
  FAULT_FUSE_BEFORE=" $(ls /sys/fs/fuse/connections 2> /dev/null | tr '\n' ' ') "
  FAULT_NSFS_BEFORE=$(awk '$0 ~ / - nsfs / { print $5 }' /proc/self/mountinfo | sort)
  FAULT_NETNS_BEFORE=$(ls /run/netns 2> /dev/null | sort)
}

# The cgroup directories named $1 directly under the test shell's own cgroups (where a runtime without a
# cgroupsPath puts a container's cgroups, as runc does).
fault_cgroup_dirs ()
{
  # One awk over /proc/self/cgroup and mountinfo (a cgroup_mount_of per hierarchy takes seconds on a busy host).
  awk -v id="$1" '
    FILENAME == "/proc/self/cgroup" {
      split($0, f, ":"); path[f[2]] = f[3]; next
    }
    {
      for (i = 7; $i != "-"; i++) ;
      fstype = $(i + 1); opts = "," $(i + 3) ","
      for (c in path) {
        if (c == "" && fstype == "cgroup2") mnt[c] = $5
        if (c != "" && fstype == "cgroup") {
          n = split(c, w, ","); ok = 1
          for (j = 1; j <= n; j++) if (index(opts, "," w[j] ",") == 0) ok = 0
          if (ok && !(c in mnt)) mnt[c] = $5
        }
      }
    }
    END {
      for (c in mnt) { p = path[c]; sub(/\/$/, "", p); print mnt[c] p "/" id }
    }' /proc/self/cgroup /proc/self/mountinfo | while read -r d; do [ -d "$d" ] && echo "$d"; done
  return 0
}

# Is FUSE connection $1 mounted by a process that has nothing to do with container $2 (another user of the
# machine)?  Then it is not ours.
fault_fuse_foreign ()
{
  local conn=$1 id=$2 f pid
  for f in /proc/[0-9]*/mountinfo; do
    pid=${f#/proc/}
    pid=${pid%/mountinfo}
    if awk -v d="0:$conn" '$3 == d && / - fuse/ { found = 1 } END { exit !found }' "$f" 2> /dev/null; then
      proc_cmdline "$pid" | grep -qF -- "$id" && return 1
      return 0
    fi
  done
  return 1
}

# Pids of processes whose command line has one of the fixed strings in file $1 (one scan of /proc; the patterns
# are in a file so that grep's own command line does not match).
fault_procs_matching ()
{
  (cd /proc && grep -laF -f "$1" [0-9]*/cmdline 2> /dev/null) | cut -d/ -f1
  return 0
}

fault_check_clean ()
{
  local id=$1 problems=() deadline pid c left mnt ns pats=$BATS_TEST_TMPDIR/fault.patterns
  printf "%s\n" "--id=$id" "$ROOT/" "$BUNDLE" "${FAULT_TAG:?}" > "$pats"
  deadline=$((SECONDS + 5))
  while :; do
    left=()
    for pid in $(fault_procs_matching "$pats"); do
      [ "$pid" = $$ ] && continue
      proc_present "$pid" && left+=("pid $pid is left: $(proc_cmdline "$pid")")
    done
    for c in $(ls /sys/fs/fuse/connections 2> /dev/null); do
      [[ $FAULT_FUSE_BEFORE == *" $c "* ]] && continue
      fault_fuse_foreign "$c" "$id" || left+=("FUSE connection $c is left")
    done
    [ ${#left[@]} -eq 0 ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  problems+=("${left[@]}")
  while read -r mnt; do
    [ -n "$mnt" ] && problems+=("still mounted: $mnt")
  done < <(mounts_under "$BUNDLE" "$ROOT")
  [ ! -e "$ROOT/$id" ] || problems+=("the state directory is left: $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')")
  for c in $(fault_cgroup_dirs "$id"); do
    problems+=("cgroup left: $c")
  done
  # Namespaces pinned by a mount: new ones that name the container or lie under its directories (other users
  # of the machine make their own).
  while read -r ns; do
    case $ns in *"$id"* | "$ROOT"/* | "$BUNDLE"/*) problems+=("namespace mount left: $ns") ;; esac
  done < <(comm -13 <(echo "$FAULT_NSFS_BEFORE") <(awk '$0 ~ / - nsfs / { print $5 }' /proc/self/mountinfo | sort))
  while read -r ns; do
    case $ns in *"$id"*) problems+=("network namespace left: /run/netns/$ns") ;; esac
  done < <(comm -13 <(echo "$FAULT_NETNS_BEFORE") <(ls /run/netns 2> /dev/null | sort))
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  %s\n' "${problems[@]}"
    return 1
  fi
  return 0
}

# The runsc-sandbox of container $1: a child of the create command $2 while it runs, or any process whose
# command line has --id=$1 and boot.
fault_sentry_pid ()
{
  local pats=$BATS_TEST_TMPDIR/fault.sentry-pattern pid
  printf '%s\n' "--id=$1" > "$pats"
  for pid in $(fault_procs_matching "$pats"); do
    [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = runsc-sandbox ] && { echo "$pid"; return 0; }
  done
  return 1
}

# Run "$@" (a runtime command) in the background with its output on $FAULT_OUT; sets FAULT_PID.
fault_bg ()
{
  "$RUNTIME_BIN" --root "$ROOT" "$@" < /dev/null > "$FAULT_OUT" 2>&1 3>&- &
  FAULT_PID=$!
}

fault_cli_trial ()
{
  local seed=$1 phase=$2 victim=$3 id max delay cmd_status outcome=ok rc sentry deadline out delete_out
  RANDOM=$((seed * 7919 + 17))
  id=f$$-$seed
  FAULT_OUT=$BATS_TEST_TMPDIR/fault.out
  case $phase in create) max=200 ;; *) max=50 ;; esac
  delay=$((RANDOM % (max + 1)))
  fault_snapshot
  # The starting point: nothing for create, a created container for start, a running one for exec and delete.
  if [ "$phase" != create ]; then
    runtime create --bundle "$BUNDLE" "$id" < /dev/null > "$FAULT_OUT" 2>&1 \
      || { echo "seed $seed: setup create failed: $(cat "$FAULT_OUT")"; return 1; }
    if [ "$phase" != start ]; then
      runtime start "$id" > "$FAULT_OUT" 2>&1 \
        || { echo "seed $seed: setup start failed: $(cat "$FAULT_OUT")"; return 1; }
    fi
  fi
  case $phase in
    create) fault_bg create --bundle "$BUNDLE" "$id" ;;
    start) fault_bg start "$id" ;;
    exec) fault_bg exec "$id" /bin/sh -c 'sleep 0.2' "$FAULT_TAG" ;;
    delete) fault_bg delete --force "$id" ;;
  esac
  sleep "$(printf '0.%03d' "$delay")"
  case $victim in
    runsc) kill -KILL "$FAULT_PID" 2> /dev/null || : ;;
    sentry)
      # During create the Sentry may not exist yet: wait for it (the command's own end bounds the wait).
      deadline=$((SECONDS + 10))
      until sentry=$(fault_sentry_pid "$id"); do
        if ! kill -0 "$FAULT_PID" 2> /dev/null || [ $SECONDS -ge $deadline ]; then
          sentry=
          break
        fi
        sleep 0.01
      done
      [ -z "$sentry" ] || kill -KILL "$sentry" 2> /dev/null || :
      ;;
  esac
  cmd_status=0
  wait_pid_timeout "$FAULT_PID" 30 > /dev/null 2>&1 || cmd_status=$?
  [ "$cmd_status" -eq 124 ] && outcome="FAILED: the $phase command did not end within 30 s"
  rc=0
  out=$(timeout 30 "$RUNTIME_BIN" --root "$ROOT" list 2>&1 3>&-) || rc=$?
  [ "$rc" -eq 0 ] || outcome="FAILED: runsc list: status $rc: $out"
  rc=0
  out=$(timeout 30 "$RUNTIME_BIN" --root "$ROOT" delete --force "$id" 2>&1 3>&-) || rc=$?
  [ "$rc" -eq 0 ] || outcome="FAILED: runsc delete --force: status $rc: $out"
  delete_out=$out
  if ! out=$(fault_check_clean "$id"); then
    outcome="FAILED: left behind after delete --force (which said: ${delete_out:-nothing}):
$out"
  fi
  echo "seed $seed phase $phase victim $victim delay ${delay}ms (command status $cmd_status, ${SECONDS}s): $outcome"
  { [ -z "${FAULT_LOG:-}" ] || echo "$(date +%T) seed $seed $phase $victim ${delay}ms: $outcome" >> "$FAULT_LOG"; } \
    2> /dev/null || :
  [ "$outcome" = ok ]
}

FAULT_PHASES=(create start exec delete)
FAULT_VICTIMS=(runsc sentry)

fault_cli_trials ()
{
  local first=$1 count=$2 seed failed=0 phase victim
  for ((seed = first; seed < first + count; seed++)); do
    RANDOM=$seed
    phase=${FAULT_PHASES[RANDOM % 4]}
    victim=${FAULT_VICTIMS[RANDOM % 2]}
    fault_cli_trial "$seed" "$phase" "$victim" || failed=$((failed + 1))
  done
  echo "$count trials from seed $first: $failed failed"
  [ "$failed" -eq 0 ]
}

# Run as a script (bats' debug trap makes its loops over /proc ten times slower):
#   bash tests/lib/faults.bash trial SEED PHASE VICTIM      one fault_cli_trial
#   bash tests/lib/faults.bash trials FIRST COUNT           fault_cli_trials
#   bash tests/lib/faults.bash check ID...                  fault_check_clean of each, after the caller's fault_snapshot
# with ROOT, BUNDLE, FAULT_TAG and BATS_TEST_TMPDIR (a scratch directory) in the environment, and RUNSC or
# RUNTIME as helpers.bash reads them.  FAULT_LOG=FILE appends each trial's line to FILE as it ends.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  . "$(dirname "${BASH_SOURCE[0]}")/../integration/helpers.bash"
  : "${ROOT:?}" "${BUNDLE:?}" "${FAULT_TAG:?}" "${BATS_TEST_TMPDIR:?}"
  case ${1:-} in
    trial) fault_cli_trial "$2" "$3" "$4" ;;
    trials) fault_cli_trials "$2" "$3" ;;
    # The snapshot comes from the caller's fault_snapshot (FAULT_FUSE_BEFORE, FAULT_NSFS_BEFORE and
    # FAULT_NETNS_BEFORE exported).
    check)
      shift
      rc=0
      for id in "$@"; do fault_check_clean "$id" || rc=1; done
      exit "$rc"
      ;;
    *) echo "usage: $0 trial SEED PHASE VICTIM | trials FIRST COUNT | check ID" >&2; exit 2 ;;
  esac
fi
