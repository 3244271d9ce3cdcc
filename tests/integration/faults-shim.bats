#!/usr/bin/env bats
# Fault injection through containerd (issue 12): kill -9 of containerd-shim-runsc-v1 at seeded points of a
# task's create and start (`ctr run -d`), of an exec and of a delete, and a containerd restart (kill -9, then
# the same configuration again) during the creation of a pod sandbox.  After each trial containerd's own
# clean-up (`ctr task rm -f`, `ctr containers rm`), the shim's delete, `runsc list` and `runsc delete --force`
# answer, and nothing of the task is left (tests/lib/faults.bash: processes, mounts, the state directory,
# cgroups, FUSE connections, pinned namespaces), nor a shim serving it.  containerd is started by the suite.

load helpers
load shim-helpers
. "$TESTS_DIR/lib/faults.bash"

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the fault tests run as root"
  fi
  [ "$SHIM_RUNTIME_NAME" = runsc ] || skip "the fault-injection suite drives runsc"
  [ -x "$SHIM" ] || { echo "the shim is missing: $SHIM" >&2; return 1; }
  containerd_select "$CONTAINERD_VERSION" || return 1
  ROOTFS=$(bundle_rootfs_base)
  export ROOTFS
  shim_containerd_start
}

teardown_file ()
{
  shim_containerd_stop
}

setup ()
{
  ID=fs$$-$BATS_TEST_NUMBER
  [ -z "${FAULT_LOG:-}" ] || echo "$(date +%T) test $BATS_TEST_NUMBER begins" >> "$FAULT_LOG"
}

teardown ()
{
  local t
  for t in $(shim_ctr task ls -q 2> /dev/null | grep -- "^$ID"); do
    shim_ctr task rm -f "$t" > /dev/null 2>&1
  done
  for t in $(shim_ctr containers ls -q 2> /dev/null | grep -- "^$ID"); do
    shim_ctr containers rm "$t" > /dev/null 2>&1
  done
}

# The shim serving task $1 (its command line has "-id $1").
shim_pid_of ()
{
  local p pats=$BATS_TEST_TMPDIR/shim.pattern
  # One grep over /proc (a loop over /proc in bats takes seconds): processes naming the id, then the shim.
  printf '%s\n' "$1" > "$pats"
  for p in $(fault_procs_matching "$pats"); do
    [ "$(cat "/proc/$p/comm" 2> /dev/null)" = containerd-shim ] || continue
    proc_cmdline "$p" | grep -q -- " -id $1 " && { echo "$p"; return 0; }
  done
  return 1
}

# Wait (at most 10 s, or until background job $2 ends) for the shim of task $1, then kill -9 it.
kill_shim_of ()
{
  local id=$1 job=$2 pid deadline=$((SECONDS + 10))
  until pid=$(shim_pid_of "$id"); do
    kill -0 "$job" 2> /dev/null && [ $SECONDS -lt $deadline ] || return 0
    sleep 0.01
  done
  kill -KILL "$pid" 2> /dev/null || :
}

# After a trial on task $1: containerd's clean-up, the shim's own delete, runsc list and delete --force, then
# nothing may be left.  Prints what is wrong and fails.
shim_fault_cleanup_check ()
{
  local id=$1 bundle out rc problems=()
  bundle=$(shim_bundle "$id")
  shim_ctr task rm -f "$id" > /dev/null 2>&1 || :
  shim_ctr containers rm "$id" > /dev/null 2>&1 || :
  if [ -d "$bundle" ]; then
    # What containerd runs for a shim that died: `SHIM ... -id ID delete` in the bundle.
    rc=0
    out=$(cd "$bundle" && timeout 60 "$SHIM" -namespace default -address "$SHIM_D/containerd.sock" \
      -publish-binary "$(command -v containerd)" -id "$id" delete 2>&1 3>&-) || rc=$?
    [ "$rc" -eq 0 ] || problems+=("the shim's delete: status $rc: $out")
  fi
  rc=0
  out=$(timeout 30 "$RUNSC" --root "$SHIM_D/runsc-root" list 2>&1 3>&-) || rc=$?
  [ "$rc" -eq 0 ] || problems+=("runsc list: status $rc: $out")
  rc=0
  out=$(timeout 30 "$RUNSC" --root "$SHIM_D/runsc-root" delete --force "$id" 2>&1 3>&-) || rc=$?
  [ "$rc" -eq 0 ] || problems+=("runsc delete --force: status $rc: $out")
  out=$(shim_ctr task ls -q 2> /dev/null | grep -x -- "$id") && problems+=("containerd still lists task $id")
  rc=0
  out=$(ROOT=$SHIM_D/runsc-root BUNDLE=$bundle FAULT_TAG=$FAULT_TAG BATS_TEST_TMPDIR=$BATS_TEST_TMPDIR \
    bash "$TESTS_DIR/lib/faults.bash" check "$id" 3>&-) || rc=$?
  [ "$rc" -eq 0 ] || problems+=("left behind: $out")
  out=$(shim_pid_of "$id") && problems+=("the shim of $id is still running: pid $out")
  if [ ${#problems[@]} -gt 0 ]; then
    printf '  %s\n' "${problems[@]}"
    return 1
  fi
}

# One trial: seed $1, operation $2 (create: `ctr run -d`, exec, delete: `ctr task rm -f`).
shim_fault_trial ()
{
  local seed=$1 op=$2 id=$ID-$1 delay job outcome=ok out max
  RANDOM=$((seed * 7919 + 17))
  case $op in create) max=400 ;; *) max=100 ;; esac
  delay=$((RANDOM % (max + 1)))
  FAULT_TAG=fault-tag-$$-$seed
  fault_snapshot
  export FAULT_FUSE_BEFORE FAULT_NSFS_BEFORE FAULT_NETNS_BEFORE
  if [ "$op" != create ]; then
    shim_run -d --rootfs "$ROOTFS" "$id" /bin/sh -c 'sleep 1000; :' "$FAULT_TAG" > /dev/null 2>&1 3>&- \
      || { echo "seed $seed: setup ctr run failed"; return 1; }
    shim_wait_status "$id" RUNNING 20 || return 1
  fi
  case $op in
    create) shim_run -d --rootfs "$ROOTFS" "$id" /bin/sh -c 'sleep 1000; :' "$FAULT_TAG" > /dev/null 2>&1 3>&- & ;;
    exec) shim_ctr task exec --exec-id e1 "$id" /bin/sh -c 'sleep 0.3' "$FAULT_TAG" > /dev/null 2>&1 3>&- & ;;
    delete) shim_ctr task rm -f "$id" > /dev/null 2>&1 3>&- & ;;
  esac
  job=$!
  sleep "$(printf '0.%03d' "$delay")"
  kill_shim_of "$id" "$job"
  wait_pid_timeout "$job" 90 > /dev/null 2>&1 || :
  out=$(shim_fault_cleanup_check "$id") || outcome="FAILED:
$out"
  echo "seed $seed: kill -9 of the shim ${delay}ms into $op: $outcome"
  [ -z "${FAULT_LOG:-}" ] || echo "$(date +%T) seed $seed: shim ${delay}ms into $op: $outcome" >> "$FAULT_LOG"
  [ "$outcome" = ok ]
}

@test "faults-shim: kill -9 of the shim during ctr run, exec and task rm leaves nothing after the clean-up" {
  local failed=0 seed
  for seed in 501 502; do
    shim_fault_trial "$seed" create || failed=$((failed + 1))
    shim_fault_trial "$seed" exec || failed=$((failed + 1))
    shim_fault_trial "$seed" delete || failed=$((failed + 1))
  done
  [ "$failed" -eq 0 ]
}

@test "faults-shim: a containerd restart during a pod sandbox's creation leaves nothing after the clean-up" {
  local failed=0 seed delay job id out
  for seed in 601 602 603; do
    id=$ID-$seed
    RANDOM=$((seed * 7919 + 17))
    delay=$((RANDOM % 401))
    FAULT_TAG=fault-tag-$$-$seed
    fault_snapshot
    export FAULT_FUSE_BEFORE FAULT_NSFS_BEFORE FAULT_NETNS_BEFORE
    shim_run -d --annotation io.kubernetes.cri.container-type=sandbox --rootfs "$ROOTFS" "$id" \
      /bin/sh -c 'sleep 1000; :' "$FAULT_TAG" > /dev/null 2>&1 3>&- &
    job=$!
    sleep "$(printf '0.%03d' "$delay")"
    shim_containerd_restart || fail "containerd did not come back (seed $seed)"
    wait_pid_timeout "$job" 90 > /dev/null 2>&1 || :
    if out=$(shim_fault_cleanup_check "$id"); then
      echo "seed $seed: containerd restarted ${delay}ms into the sandbox's creation: ok"
      [ -z "${FAULT_LOG:-}" ] || echo "$(date +%T) seed $seed: containerd restart ${delay}ms: ok" >> "$FAULT_LOG"
    else
      echo "seed $seed: containerd restarted ${delay}ms into the sandbox's creation: FAILED:"
      echo "$out"
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ]
}
