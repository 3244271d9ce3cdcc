#!/usr/bin/env bats
# Pod members' cgroups: a container that joins a pod's sandbox (annotations io.kubernetes.cri.container-type=
# container and io.kubernetes.cri.sandbox-id) gets a cgroup of its own, as the kubelet gives each container one under
# the pod's: made by runsc create from the member's spec (cgroupsPath, resources), its processes (init and exec'd)
# in it while the Sentry stays in the sandbox's; runsc events --stats, update, pause and resume act on it; its OOM
# kills are its own; delete removes it.  runsc-only; the host here is cgroup v1 (hybrid).  k8s.bats checks the same
# through containerd's CRI plugin.

load helpers

setup ()
{
  common_setup
  POD=$ID-pod
  PARENT=/runsc-podcg-$ID
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT"
}

teardown ()
{
  common_teardown
  # The test's parent cgroup in every hierarchy, deepest directories first (runsc removes what it made; a
  # parent shared by the sandbox and the member stays, as with two sandboxes).
  local d
  for d in $(find /sys/fs/cgroup/*/"${PARENT#/}" /sys/fs/cgroup/unified/"${PARENT#/}" -depth -type d 2> /dev/null); do
    rmdir "$d" 2> /dev/null || true
  done
}

rs ()
{
  "$RUNSC" --root "$ROOT" "$@" 3>&-
}

# The cgroup (path in the hierarchy) of pid $1 for v1 controller $2.
cg_of ()
{
  awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup"
}

# Start the pod's sandbox container (sleep 1000) with jq filter $1 applied to its spec.
start_pod ()
{
  bundle_args "$BUNDLE" /bin/sleep 1000
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$POD"
  [ -z "${1:-}" ] || bundle_jq "$BUNDLE" "$1"
  rs create --bundle "$BUNDLE" "$POD" < /dev/null > "$OUT/pod.out" 2>&1 || fail "create the pod: $(cat "$OUT/pod.out")"
  rs start "$POD" || fail "start the pod"
  SENTRY=$(rs state "$POD" | jq .pid)
}

# Create and start the member $ID running $1 (a shell command), with jq filter $2 applied to its spec; its output
# goes to $OUT/app.out.
start_member ()
{
  APP=$BATS_TEST_TMPDIR/app
  rm -rf "$APP"
  cp -a "$BUNDLE" "$APP"
  bundle_args "$APP" /bin/sh -c "$1"
  bundle_jq "$APP" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}
    | del(.linux.cgroupsPath) | del(.linux.resources)' --arg p "$POD"
  [ -z "${2:-}" ] || bundle_jq "$APP" "$2"
  rs create --bundle "$APP" "$ID" < /dev/null > "$OUT/app.out" 2>&1 || fail "create the member: $(cat "$OUT/app.out")"
  rs start "$ID" || fail "start the member"
  APP_PID=$(rs state "$ID" | jq .pid)
}

@test "pod-cgroup: a member has its own cgroup with its limits; its processes are in it, the Sentry is not; stats and update act on it" {
  start_pod ".linux.cgroupsPath = \"$PARENT/$POD\""
  start_member 'while :; do grep MemTotal /proc/meminfo; sleep 0.3; done' \
    ".linux.cgroupsPath = \"$PARENT/$ID\" | .linux.resources = {\"memory\": {\"limit\": 67108864},
      \"pids\": {\"limit\": 50}, \"cpu\": {\"quota\": 50000, \"period\": 100000}}"
  wait_for_text "$OUT/app.out" MemTotal || fail "no output from the member"
  errors=()
  for c in memory pids cpu cpuacct freezer; do
    want=$PARENT/$ID
    [ $c = freezer ] && want=$PARENT/$ID/container
    [ "$(cg_of "$APP_PID" $c)" = "$want" ] || errors+=("member init $APP_PID: $c cgroup $(cg_of "$APP_PID" $c), not $want")
  done
  [ "$(cg_of "$SENTRY" memory)" = "$PARENT/$POD" ] || errors+=("the Sentry is in memory cgroup $(cg_of "$SENTRY" memory)")
  mem=/sys/fs/cgroup/memory$PARENT/$ID
  [ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ] || errors+=("member memory limit $(cat "$mem/memory.limit_in_bytes")")
  [ "$(cat "/sys/fs/cgroup/pids$PARENT/$ID/pids.max")" = 50 ] || errors+=("member pids.max")
  [ "$(cat "/sys/fs/cgroup/cpu$PARENT/$ID/cpu.cfs_quota_us")" = 50000 ] || errors+=("member cpu quota")
  # The sandbox's cgroup did not get the member's limits.
  [ "$(cat "/sys/fs/cgroup/memory$PARENT/$POD/memory.limit_in_bytes")" != 67108864 ] || errors+=("the sandbox got the member's limit")
  # The sandbox kernel's view inside the member is its limit.
  [ "$(tail -n1 "$OUT/app.out" | tr -s ' ')" = "MemTotal: 65536 kB" ] || errors+=("meminfo: $(tail -n1 "$OUT/app.out")")
  # ...while the pod's own container, in the sandbox's cgroup (no limit of its own), reading the same file of the
  # same Sentry at the same time, sees its own.
  pod_mem=$(rs exec "$POD" grep MemTotal /proc/meminfo | tr -s ' ')
  [ -n "$pod_mem" ] && [ "$pod_mem" != "MemTotal: 65536 kB" ] || errors+=("the pod's own meminfo: $pod_mem")

  # An exec'd process goes to the member's cgroup too.
  rs exec --detach "$ID" /bin/sleep 907 || errors+=("exec --detach failed")
  target=
  for p in $(proc_tree "$SENTRY"); do
    [ "$(proc_cmdline "$p")" = "/bin/sleep 907 " ] && target=$p
  done
  if [ -n "$target" ]; then
    [ "$(cg_of "$target" memory)" = "$PARENT/$ID" ] || errors+=("exec'd process in memory cgroup $(cg_of "$target" memory)")
    [ "$(cg_of "$target" freezer)" = "$PARENT/$ID/container" ] || errors+=("exec'd process in freezer cgroup $(cg_of "$target" freezer)")
  else
    errors+=("no exec'd sleep 907 under the Sentry")
  fi

  # Stats of the member: its cgroup's.
  run rs events --stats "$ID"
  if [ "$status" -eq 0 ]; then
    jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.memory.usage.limit == 67108864
      and .data.memory.usage.usage > 0 and .data.pids.current >= 2 and .data.pids.limit == 50
      and .data.cpu.usage.total > 0' <<< "$output" > /dev/null || errors+=("stats: $output")
  else
    errors+=("events --stats of the member: $output")
  fi
  # Update of the member: its cgroup, and what it sees.
  if rs update --memory 96m --pids-limit 60 "$ID"; then
    [ "$(cat "$mem/memory.limit_in_bytes")" = 100663296 ] || errors+=("limit after update: $(cat "$mem/memory.limit_in_bytes")")
    [ "$(cat "/sys/fs/cgroup/pids$PARENT/$ID/pids.max")" = 60 ] || errors+=("pids.max after update")
    wait_for_text "$OUT/app.out" "98304 kB" 5 > /dev/null 2>&1 || errors+=("meminfo after update: $(tail -n1 "$OUT/app.out")")
  else
    errors+=("update of the member failed")
  fi
  [ ${#errors[@]} -eq 0 ] || fail "$(printf '\n  - %s' "${errors[@]}")"

  # Delete: the member's cgroup goes, the pod runs on.
  rs kill "$ID" KILL
  wait_for_status "$ID" stopped
  rs delete "$ID" || fail "delete the member"
  for c in memory pids cpu freezer; do
    [ ! -d "/sys/fs/cgroup/$c$PARENT/$ID" ] || fail "the member's $c cgroup is left"
  done
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod stopped with its member"
  rs delete --force "$POD"
  [ ! -d "/sys/fs/cgroup/memory$PARENT/$POD" ] || fail "the sandbox's cgroup is left"
}

@test "pod-cgroup: without cgroupsPaths the member's cgroup is next to the sandbox's; pause and resume of the member and of the pod" {
  start_pod
  start_member 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
  leak_snapshot "$ID" || true
  mine=$(cg_of $$ memory)
  [ "$(cg_of "$APP_PID" memory)" = "${mine%/}/$ID" ] || fail "member in $(cg_of "$APP_PID" memory), not ${mine%/}/$ID"
  [ "$(cg_of "$SENTRY" memory)" = "${mine%/}/$POD" ] || fail "Sentry in $(cg_of "$SENTRY" memory)"
  count () { rs exec "$1" cat /tmp/count 2> /dev/null || cat "/proc/$APP_PID/root/tmp/count"; }
  freezer=/sys/fs/cgroup/freezer$(cg_of "$APP_PID" freezer)
  [[ $freezer == */$ID/container ]] || fail "the member's freezer cgroup: $freezer"

  # The member alone.
  rs pause "$ID" || fail "pause the member"
  [ "$(rs state "$ID" | jq -r .status)" = paused ] || fail "member state: $(rs state "$ID" | jq -r .status)"
  [ "$(cat "$freezer/freezer.state")" = FROZEN ] || fail "the member's freezer: $(cat "$freezer/freezer.state")"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod is not running while its member is paused"
  a=$(cat "/proc/$APP_PID/root/tmp/count"); sleep 0.5; b=$(cat "/proc/$APP_PID/root/tmp/count")
  [ "$a" = "$b" ] || fail "the paused member still counts: $a -> $b"
  run rs pause "$ID"
  [ "$status" -ne 0 ] || fail "a second pause succeeded"
  rs resume "$ID" || fail "resume the member"
  [ "$(rs state "$ID" | jq -r .status)" = running ] || fail "member state after resume"
  sleep 0.5; c=$(cat "/proc/$APP_PID/root/tmp/count")
  [ "$c" -gt "$b" ] || fail "the resumed member does not count: $b -> $c"

  # The whole pod: the member is paused with it, and resumed with it.
  rs pause "$POD" || fail "pause the pod"
  [ "$(rs state "$ID" | jq -r .status)" = paused ] || fail "member state while the pod is paused"
  [ "$(cat "$freezer/freezer.state")" = FROZEN ] || fail "the member's freezer while the pod is paused"
  run rs resume "$ID"
  [ "$status" -ne 0 ] || fail "the member was resumed alone inside a paused pod"
  rs resume "$POD" || fail "resume the pod"
  [ "$(rs state "$ID" | jq -r .status)" = running ] || fail "member state after the pod's resume"
  [ "$(cat "$freezer/freezer.state")" = THAWED ] || fail "the member's freezer after the pod's resume"

  # A paused member is killed by SIGKILL (thawed for it), and deleted without leaks.
  rs pause "$ID" || fail "pause again"
  rs kill "$ID" KILL || fail "kill the paused member"
  wait_for_status "$ID" stopped 10 || fail "the paused member did not die"
  rs delete "$ID" || fail "delete the member"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod stopped"
  # (The pod's Sentry names "$ID-pod": the leak check runs once it is gone.)
  rs delete --force "$POD"
  assert_no_leaks "$ID"
}

@test "pod-cgroup: a SIGKILL to a paused member whose thaw fails is an error, as for the pod's own container" {
  # The member's freeze cgroup is <its cgroup>/container; that parent, frozen by hand, holds only the member's
  # processes (the Sentry is in the sandbox's cgroup): the member cannot thaw, the SIGKILL is not delivered, and
  # kill must say so (resources.bats checks the same of a sandbox's own container).
  start_pod ".linux.cgroupsPath = \"$PARENT/$POD\""
  start_member 'sleep 1000' ".linux.cgroupsPath = \"$PARENT/$ID\""
  freezer=/sys/fs/cgroup/freezer$(cg_of "$APP_PID" freezer)
  [[ $freezer == */$ID/container ]] || fail "the member's freezer cgroup: $freezer"
  parent=${freezer%/container}
  rs pause "$ID" || fail "pause the member"
  echo FROZEN > "$parent/freezer.state"
  run rs kill "$ID" KILL
  echo THAWED > "$parent/freezer.state"
  [ "$status" -ne 0 ] || fail "kill of a member that could not be thawed succeeded: $output"
  assert_output_has "could not be thawed"
  # The member's own thaw was asked for: once its parent thaws, the pending SIGKILL is delivered.
  wait_for_status "$ID" stopped 10 || fail "the member did not die once thawed: $(rs state "$ID" | jq -r .status)"
  rs delete "$ID" || fail "delete the member"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod stopped"
  rs delete --force "$POD"
}

@test "pod-cgroup: an OOM kill in a member's cgroup is the member's: its oom event, the pod's user log and dmesg name it" {
  start_pod ".linux.cgroupsPath = \"$PARENT/$POD\""
  # The user log is the sandbox's: recreate the pod with one.
  rs delete --force "$POD"
  rs create --user-log "$OUT/gvisor.log" --bundle "$BUNDLE" "$POD" < /dev/null > "$OUT/pod.out" 2>&1 || fail "create the pod"
  rs start "$POD"
  limit=$((32 << 20))
  res="{\"memory\": {\"limit\": $limit}}"
  if [ -e "$(cgroup_mount_of memory)/memory.memsw.limit_in_bytes" ]; then
    res="{\"memory\": {\"limit\": $limit, \"swap\": $limit}}"
  fi
  start_member 'while [ ! -e /tmp/go ]; do sleep 0.1; done; awk "BEGIN { s = \"x\"; while (1) s = s s }"; echo "awk exited $?"; sleep 1; dmesg | grep -i "out of memory"; sleep 1000' \
    ".linux.cgroupsPath = \"$PARENT/$ID\" | .linux.resources = $res"
  rs events --interval 1s "$ID" > "$OUT/events" 2> "$OUT/events.err" &
  events_pid=$!
  # events reports the OOM kills that happen while it runs: let it start first.
  wait_for_text "$OUT/events" '"type":"stats"' || fail "no stats from events: $(cat "$OUT/events.err")"
  touch_in_container "$APP_PID" /tmp/go
  wait_for_text "$OUT/app.out" "out of memory" 30 || fail "no OOM in the member: $(cat "$OUT/app.out")"
  grep -q "awk exited 137" "$OUT/app.out" || fail "awk was not killed: $(cat "$OUT/app.out")"
  grep -q "Killed process in container $ID " "$OUT/app.out" || fail "dmesg does not name the member: $(cat "$OUT/app.out")"
  wait_for_text "$OUT/events" '"type":"oom"' 10 || fail "no oom event for the member"
  kill "$events_pid" 2> /dev/null; wait "$events_pid" 2> /dev/null || :
  jq -se --arg id "$ID" 'any(.[]; .type == "oom" and .id == $id)' "$OUT/events" > /dev/null || fail "oom event: $(cat "$OUT/events")"
  jq -r .log "$OUT/gvisor.log" | grep -q "^container $ID: out of memory: the memory cgroup's limit (32768 kB)" \
    || fail "no OOM line for the member in the pod's user log: $(cat "$OUT/gvisor.log")"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod's sandbox container did not survive its member's OOM"
  rs delete --force "$ID"
  rs delete --force "$POD"
}

@test "pod-cgroup: a member whose cgroupsPath is the sandbox's own (or above it) gets none of its own; its delete leaves the pod" {
  start_pod ".linux.cgroupsPath = \"$PARENT/$POD\""
  before=$(cat "/sys/fs/cgroup/memory$PARENT/$POD/memory.limit_in_bytes")
  start_member 'sleep 1000' ".linux.cgroupsPath = \"$PARENT\" | .linux.resources = {\"memory\": {\"limit\": 16777216}}"
  [ ! -e "$ROOT/$ID/cgroup.json" ] || fail "the member recorded a cgroup: $(cat "$ROOT/$ID/cgroup.json")"
  [ "$(cat "/sys/fs/cgroup/memory$PARENT/memory.limit_in_bytes")" != 16777216 ] || fail "the member's limit landed on the pod's parent"
  [ "$(cat "/sys/fs/cgroup/memory$PARENT/$POD/memory.limit_in_bytes")" = "$before" ] || fail "the sandbox's limit changed"
  # Its processes stay in the sandbox's cgroup, as before members had their own: for memory, in the child
  # that holds the sandbox container's processes (and its limit), not the Sentry's.
  [ "$(cg_of "$APP_PID" memory)" = "$PARENT/$POD/container" ] || fail "member in $(cg_of "$APP_PID" memory)"
  rs delete --force "$ID" || fail "delete the member"
  kill -0 "$SENTRY" || fail "the member's delete killed the Sentry"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod stopped"
  rs delete --force "$POD"
}

@test "pod-cgroup: runsc events of a member streams its cgroup's stats and ends when the member exits, while the pod runs on" {
  start_pod
  start_member 'while [ ! -e /tmp/stop ]; do sleep 0.1; done; exit 4' '.linux.resources = {"pids": {"limit": 33}}'
  rs events --interval 200ms "$ID" > "$OUT/events" 2> "$OUT/events.err" &
  ev=$!
  wait_for_text "$OUT/events" '"type":"stats"' || fail "no stats: $(cat "$OUT/events.err")"
  touch_in_container "$APP_PID" /tmp/stop
  wait_pid_timeout "$ev" 10 || fail "runsc events did not end with the member: $(cat "$OUT/events.err")"
  jq -se --arg id "$ID" 'length > 0 and all(.[]; .type == "stats" and .id == $id and .data.pids.limit == 33)' \
    "$OUT/events" > /dev/null || fail "events: $(head -c 600 "$OUT/events")"
  [ "$(rs state "$POD" | jq -r .status)" = running ] || fail "the pod stopped"
  run rs wait "$ID"
  [ "$(jq .exitStatus <<< "$output")" = 4 ] || fail "wait: $output"
  rs delete "$ID"
  rs delete --force "$POD"
}
