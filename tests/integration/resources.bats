#!/usr/bin/env bats
# Resources: linux.resources on the host's cgroups (memory, cpu, pids), what the sandbox kernel makes of them
# (/proc/meminfo, /proc/cpuinfo, nproc, the OOM line in dmesg), runsc events (stats and oom), pause/resume and
# update.  runsc-only: these are the sandbox's answers, not runc's.  On the development machines the host is
# cgroup v1 (hybrid); the cgroup v2 paths are covered by tests/unit/test-cgroup.c where the host allows.

load helpers

setup ()
{
  common_setup
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT"
  chmod 0777 "$OUT"
  HOST_PIDS=()
  NETNS=
}

teardown ()
{
  local p
  for p in "${HOST_PIDS[@]}"; do
    kill -KILL "$p" 2> /dev/null || true
  done
  common_teardown
  if [ -n "$NETNS" ]; then
    ip link del "vh-$NETNS" 2> /dev/null || true
    ip netns del "$NETNS" 2> /dev/null || true
  fi
}

rs ()
{
  "$RUNSC" --root "$ROOT" "$@"
}

# The resources object of the spec.
bundle_resources ()
{
  bundle_jq "$BUNDLE" '.linux.resources = ($r | fromjson)' --arg r "$1"
}

# The stats object of `runsc events --stats`.
stats ()
{
  rs events --stats "$1" | jq -c .data
}

# The host directory of the container's cgroup in the v1 hierarchy (or cgroup2) that has controller $2.
cgroup_dir_of ()
{
  local pid=$1 ctrl=$2 line path
  line=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
    "/proc/$pid/cgroup")
  [ -n "$line" ] || return 1
  echo "$(cgroup_mount_of "$ctrl")$line"
}

# helpers.bash's leak_snapshot returns the status of its last loop step (false when the last process's cgroup
# was already recorded) although it recorded everything: only its records matter here.
snapshot ()
{
  leak_snapshot "$1" || true
}

create_started ()
{
  local id=$1
  rs create --bundle "$BUNDLE" "$id" > "$OUT/$id.stdout" 2>&1 < /dev/null || {
    cat "$OUT/$id.stdout" >&2
    return 1
  }
  rs start "$id" || return 1
}

@test "resources: the Sentry and the container are in the sandbox's cgroup, with the spec's limits on the container's memory" {
  bundle_args "$BUNDLE" sleep 1000
  bundle_resources '{"memory": {"limit": 100663296}, "cpu": {"shares": 512, "quota": 30000, "period": 100000},
    "pids": {"limit": 77}}'
  bundle_jq "$BUNDLE" '.linux.cgroupsPath = $p' --arg p "/runsc-test/$ID"
  create_started "$ID"
  sentry=$(state_field "$ID" pid)
  snapshot "$ID"

  # Memory: the Sentry in the sandbox's cgroup, which has no limit of its own; the limit on its child
  # "container", where the container's processes are (the workload's OOM never picks the Sentry).
  smem=$(cgroup_dir_of "$sentry" memory)
  [ "$smem" = "$(cgroup_mount_of memory)/runsc-test/$ID" ] || fail "the Sentry's memory cgroup is $smem"
  [ "$(cat "$smem/memory.limit_in_bytes")" -gt 100663296 ] || fail "the Sentry's memory cgroup has a limit"
  mem=$smem/container
  [ "$(cat "$mem/memory.limit_in_bytes")" = 100663296 ] || fail "memory.limit_in_bytes $(cat "$mem/memory.limit_in_bytes")"
  cpu=$(cgroup_dir_of "$sentry" cpu)
  [ "$(cat "$cpu/cpu.cfs_quota_us")" = 30000 ] || fail "cpu.cfs_quota_us"
  [ "$(cat "$cpu/cpu.shares")" = 512 ] || fail "cpu.shares"
  pids=$(cgroup_dir_of "$sentry" pids)
  [ "$(cat "$pids/pids.max")" = 77 ] || fail "pids.max $(cat "$pids/pids.max")"
  # Every process of the sandbox is accounted there: the Sentry's threads in the sandbox's memory cgroup, the
  # container's sleep in the limited child.
  sleeper=
  for p in $(proc_tree "$sentry"); do
    if [ "$(cat "/proc/$p/comm")" = sleep ]; then
      sleeper=$p
      [ "$(cgroup_dir_of "$p" memory)" = "$mem" ] || fail "sleep $p is in $(cgroup_dir_of "$p" memory), not $mem"
    else
      [ "$(cgroup_dir_of "$p" memory)" = "$smem" ] || fail "pid $p is in $(cgroup_dir_of "$p" memory), not $smem"
    fi
  done
  [ -n "$sleeper" ] || fail "no sleep in the sandbox"
  # The container (not the Sentry) is in the freeze cgroup.
  [ "$(cgroup_dir_of "$sleeper" freezer)" = "$(cgroup_mount_of freezer)/runsc-test/$ID/container" ] \
    || fail "sleep's freezer cgroup: $(cgroup_dir_of "$sleeper" freezer)"

  run rs delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete: $output"
  assert_no_leaks "$ID"
  [ ! -d "$smem" ] || fail "cgroup $smem left after delete"
  rmdir "$(cgroup_mount_of memory)/runsc-test" 2> /dev/null || true
  for c in cpu pids freezer blkio devices cpuset name=systemd; do
    rmdir "$(cgroup_mount_of "$c")/runsc-test" 2> /dev/null || true
  done
}

@test "resources: /proc/meminfo, sysinfo, /proc/cpuinfo and nproc follow the memory limit and the CPU quota" {
  bundle_args "$BUNDLE" sh -c 'grep MemTotal /proc/meminfo; free | grep -i mem:; grep -c ^processor /proc/cpuinfo; nproc'
  bundle_resources '{"memory": {"limit": 268435456}, "cpu": {"quota": 100000, "period": 100000}}'
  run rs run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "run: $output"
  grep -Eq '^MemTotal: +262144 kB' <<< "$output" || fail "meminfo: $output"
  # busybox free prints kB from sysinfo(2).
  awk '/Mem:/ { exit !($2 == 262144) }' <<< "$output" || fail "sysinfo total: $output"
  [ "$(sed -n 3p <<< "$output")" = 1 ] || fail "cpuinfo processors: $output"
  [ "$(sed -n 4p <<< "$output")" = 1 ] || fail "nproc (sched_getaffinity) with a 1-CPU quota: $output"
}

@test "resources: a program that allocates past the memory limit is OOM-killed: dmesg, events and other containers" {
  # Another sandbox and a host process, which must not be touched.
  ID2=other$$-$RANDOM
  mkdir -p "$BATS_TEST_TMPDIR/b2"
  bundle_new "$BATS_TEST_TMPDIR/b2" sleep 1000
  rs create --bundle "$BATS_TEST_TMPDIR/b2" "$ID2" > /dev/null 2>&1 < /dev/null
  rs start "$ID2"
  sleep 1000 &
  HOST_PIDS+=($!)

  bundle_args "$BUNDLE" sh -c 'awk "BEGIN { s = \"x\"; while (1) s = s s }"; echo "awk exited $?"; sleep 1; dmesg'
  limit=$((64 << 20))
  if [ -e "$(cgroup_mount_of memory)/memory.memsw.limit_in_bytes" ]; then
    bundle_resources "{\"memory\": {\"limit\": $limit, \"swap\": $limit}}"
  else
    bundle_resources "{\"memory\": {\"limit\": $limit}}"
  fi
  rs create --bundle "$BUNDLE" "$ID" > "$OUT/stdout" 2>&1 < /dev/null
  snapshot "$ID"
  rs events --interval 1s "$ID" > "$OUT/events" 2> "$OUT/events.err" &
  events_pid=$!
  # events reports the OOM kills that happen while it runs: let it start first.
  wait_for_text "$OUT/events" '"type":"stats"'
  rs start "$ID"
  wait_for_status "$ID" stopped 60
  wait_pid_timeout "$events_pid" 20 || fail "runsc events did not end with the container: $(cat "$OUT/events.err")"

  grep -q 'awk exited 137' "$OUT/stdout" || fail "awk was not killed: $(cat "$OUT/stdout")"
  grep -q 'Memory cgroup out of memory' "$OUT/stdout" || fail "no OOM line in the sandbox's dmesg: $(cat "$OUT/stdout")"
  grep -Eq '^\[ *[0-9]+\.[0-9]{6}\] Memory cgroup out of memory' "$OUT/stdout" \
    || fail "the OOM line is not in the kernel log's format: $(grep -i memory "$OUT/stdout")"
  # (jq 1.6's -e looks at the last input only: slurp.)
  jq -se --arg id "$ID" 'any(.[]; .type == "oom" and .id == $id)' "$OUT/events" > /dev/null \
    || fail "no oom event: $(cut -c1-60 "$OUT/events")"
  jq -se 'any(.[]; .type == "stats")' "$OUT/events" > /dev/null || fail "no stats event: $(cut -c1-200 "$OUT/events")"

  [ "$(rs state "$ID2" | jq -r .status)" = running ] || fail "the other sandbox is $(rs state "$ID2" | jq -r .status)"
  kill -0 "${HOST_PIDS[0]}" || fail "the host process died"
  rs delete --force "$ID2"
  rs delete "$ID"
  assert_no_leaks "$ID"
}

@test "resources: the workload's OOM never kills the Sentry, even one the OOM killer would pick first" {
  # The Sentry made the OOM killer's favourite (oom_score_adj +1000 needs no privilege): were it in the
  # memory cgroup whose limit the workload hits, it would be the first victim and the whole sandbox would die.
  bundle_args "$BUNDLE" sh -c 'awk "BEGIN { s = \"x\"; while (1) s = s s }"; echo "awk exited $?"'
  limit=$((32 << 20))
  if [ -e "$(cgroup_mount_of memory)/memory.memsw.limit_in_bytes" ]; then
    bundle_resources "{\"memory\": {\"limit\": $limit, \"swap\": $limit}}"
  else
    bundle_resources "{\"memory\": {\"limit\": $limit}}"
  fi
  rs create --bundle "$BUNDLE" "$ID" > "$OUT/stdout" 2>&1 < /dev/null || fail "create: $(cat "$OUT/stdout")"
  sentry=$(state_field "$ID" pid)
  echo 1000 > "/proc/$sentry/oom_score_adj"
  rs start "$ID"
  wait_for_status "$ID" stopped 60
  grep -q 'awk exited 137' "$OUT/stdout" || fail "awk was not the victim, or the sandbox died first: $(cat "$OUT/stdout")"
  run rs wait "$ID"
  [ "$(jq .exitStatus <<< "$output")" = 0 ] || fail "the container's exit: $output, not sh's 0 (the Sentry killed?)"
  rs delete "$ID"
}

@test "resources: a pids limit stops a fork bomb in the sandbox while the host stays responsive" {
  # The bomb runs beside the container's init, which then never forks (exec sleep): busybox sh gives up when a
  # fork fails, so the bomb's population comes and goes, always against the limit.
  bundle_args "$BUNDLE" sh -c '(f() { while :; do f & done; }; f) > /dev/null 2>&1 & exec sleep 1000'
  bundle_resources '{"pids": {"limit": 40}, "cpu": {"quota": 50000, "period": 100000}}'
  # The snapshot before start: the bomb's processes come and go (and their pids get reused) too fast to list.
  rs create --bundle "$BUNDLE" "$ID" > /dev/null 2>&1 < /dev/null
  snapshot "$ID"
  rs start "$ID"
  sentry=$(state_field "$ID" pid)
  pids_dir=$(cgroup_dir_of "$sentry" pids)
  sleep 3
  # The host: a command still runs at once, and the runtime still answers.
  start=$(date +%s%N)
  for i in $(seq 20); do /bin/true; done
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  [ "$elapsed_ms" -lt 5000 ] || fail "the host took ${elapsed_ms} ms for 20 trivial commands"
  run timeout 10 "$RUNSC" --root "$ROOT" state "$ID"
  [ "$status" -eq 0 ] && [ "$(jq -r .status <<< "$output")" = running ] || fail "state: $output"
  s=$(stats "$ID")
  [ "$(jq .pids.limit <<< "$s")" = 40 ] || fail "pids.limit: $s"
  [ "$(jq .pids.current <<< "$s")" -le 40 ] || fail "pids.current over the limit: $s"
  # The limit refused forks, and nothing ever got past it.
  refused=$(awk '$1 == "max" { print $2 }' "$pids_dir/pids.events")
  echo "forks refused by pids.max: $refused" >&3
  [ "$refused" -gt 0 ] || fail "pids.events: $(cat "$pids_dir/pids.events")"
  if [ -e "$pids_dir/pids.peak" ]; then
    [ "$(cat "$pids_dir/pids.peak")" -le 40 ] || fail "pids.peak $(cat "$pids_dir/pids.peak")"
  fi
  run timeout 30 "$RUNSC" --root "$ROOT" delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete: $output"
  assert_no_leaks "$ID"
}

@test "resources: a CPU quota throttles a busy loop" {
  bundle_args "$BUNDLE" sh -c 'while :; do :; done'
  bundle_resources '{"cpu": {"quota": 20000, "period": 100000}}'
  create_started "$ID"
  snapshot "$ID"
  sleep 1
  t0=$(date +%s%N)
  u0=$(stats "$ID" | jq .cpu.usage.total)
  sleep 3
  t1=$(date +%s%N)
  s=$(stats "$ID")
  u1=$(jq .cpu.usage.total <<< "$s")
  # CPU time over wall time: 0.2 allowed; an unthrottled loop takes 1.0.  Loose bounds (noisy machines).
  ratio=$(awk -v du=$((u1 - u0)) -v dt=$((t1 - t0)) 'BEGIN { printf "%.3f", du / dt }')
  echo "cpu ratio $ratio with a 0.2 CPU quota" >&3
  awk -v r="$ratio" 'BEGIN { exit !(r > 0.02 && r < 0.6) }' || fail "cpu ratio $ratio (stats: $s)"
  [ "$(jq '.cpu.throttling.throttled_periods // 0' <<< "$s")" -gt 0 ] || fail "no throttled periods: $s"
  rs delete --force "$ID"
  assert_no_leaks "$ID"
}

@test "resources: pause stops a counter loop, state says paused, resume restarts it" {
  bundle_bind "$BUNDLE" "$OUT" /out
  bundle_args "$BUNDLE" sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /out/count.tmp; mv /out/count.tmp /out/count; sleep 0.05; done'
  create_started "$ID"
  snapshot "$ID"
  wait_for_text "$OUT/count" 5

  run rs resume "$ID"
  [ "$status" -ne 0 ] || fail "resume of a running container succeeded"
  run rs pause "$ID"
  [ "$status" -eq 0 ] || fail "pause: $output"
  [ "$(state_field "$ID" status)" = paused ] || fail "state after pause: $(state_field "$ID" status)"
  run rs pause "$ID"
  [ "$status" -ne 0 ] || fail "pause of a paused container succeeded"
  c1=$(cat "$OUT/count")
  sleep 1
  c2=$(cat "$OUT/count")
  [ "$c1" = "$c2" ] || fail "the counter moved while paused: $c1 -> $c2"

  run rs resume "$ID"
  [ "$status" -eq 0 ] || fail "resume: $output"
  [ "$(state_field "$ID" status)" = running ] || fail "state after resume: $(state_field "$ID" status)"
  sleep 1
  c3=$(cat "$OUT/count")
  [ "$c3" -gt "$c2" ] || fail "the counter did not move after resume: $c2 -> $c3"

  # A paused container can be killed and deleted.
  rs pause "$ID"
  run timeout 30 "$RUNSC" --root "$ROOT" delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete --force of a paused container: $output"
  assert_no_leaks "$ID"
}

@test "resources: a SIGKILL to a paused container whose thaw fails is an error, not a silent success" {
  # The freeze cgroup's parent frozen by hand (the Sentry moved out of it first): the container's own cgroup
  # cannot thaw, so the SIGKILL is not delivered; kill must say so.
  bundle_args "$BUNDLE" sleep 1000
  create_started "$ID"
  run rs pause "$ID"
  [ "$status" -eq 0 ] || fail "pause: $output"
  local spid freezer parent
  spid=$(state_field "$ID" pid)
  freezer=$(cgroup_mount_of freezer) || skip "no v1 freezer hierarchy"
  parent=$freezer$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$spid/cgroup")
  [ -f "$parent/freezer.state" ] && [ "$parent" != "$freezer/" ] || fail "the sandbox's freezer cgroup: $parent"
  echo "$spid" > "$freezer/cgroup.procs"
  echo FROZEN > "$parent/freezer.state"
  run rs kill "$ID" KILL
  echo THAWED > "$parent/freezer.state"
  [ "$status" -ne 0 ] || fail "kill of a container that could not be thawed succeeded: $output"
  assert_output_has "could not be thawed"
  run timeout 30 "$RUNSC" --root "$ROOT" delete --force "$ID"
  [ "$status" -eq 0 ] || fail "delete --force: $output"
}

@test "resources: a sandbox whose cgroup record cannot be read does not boot (pause and OOM events would be lost)" {
  # runsc boot run by hand (runsc create writes the record just before it starts the Sentry): a state
  # directory with the spec and a corrupt cgroup.json.
  local sd=$ROOT/$ID out
  mkdir -p "$sd"
  cp "$BUNDLE/config.json" "$sd/config.json"
  echo '{"version": 1, "path": ' > "$sd/cgroup.json"
  run timeout 30 python3 - "$RUNSC" "$ROOT" "$ID" "$BUNDLE" "$sd" 3>&- <<'PY'
import os, socket, subprocess, sys
runsc, root, cid, bundle, sd = sys.argv[1:6]
ctl = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
ctl.bind(os.path.join(sd, "sandbox.sock"))
ctl.listen(8)
r, w = os.pipe()
fuse = os.open("/dev/fuse", os.O_RDWR)  # runsc create opens it for the Sentry (src/sentry/vfs.h)
p = subprocess.Popen(["runsc-sandbox", "--root", root, "boot", "--id=" + cid, "--bundle=" + bundle,
                      "--state-dir=" + sd, "--control-fd=%d" % ctl.fileno(), "--sync-fd=%d" % w,
                      "--fuse-fd=%d" % fuse],
                     executable=runsc, pass_fds=(ctl.fileno(), w, fuse), stdin=subprocess.DEVNULL)
os.close(w)
report = os.read(r, 4096).decode()
print(report.strip())
if report.startswith("created"):
    p.kill()
p.wait()
PY
  [ "$status" -eq 0 ] || fail "the harness failed: $output"
  [[ $output == error\ * ]] || fail "the sandbox booted with a corrupt cgroup record: $output"
  assert_output_has "cgroup.json"
  rm -rf "$sd"
}

@test "resources: update changes the limits, and the container sees the new memory limit" {
  bundle_bind "$BUNDLE" "$OUT" /out
  bundle_args "$BUNDLE" sh -c 'while :; do grep MemTotal /proc/meminfo > /out/mem.tmp; mv /out/mem.tmp /out/mem; sleep 0.1; done'
  bundle_resources '{"memory": {"limit": 268435456}, "pids": {"limit": 100}}'
  create_started "$ID"
  snapshot "$ID"
  wait_for_text "$OUT/mem" "262144 kB"

  run rs update --memory 128m "$ID"
  [ "$status" -eq 0 ] || fail "update --memory: $output"
  wait_for_text "$OUT/mem" "131072 kB"
  echo '{"pids": {"limit": 20}, "cpu": {"quota": 50000, "period": 100000}}' | rs update --resources - "$ID"
  s=$(stats "$ID")
  [ "$(jq .pids.limit <<< "$s")" = 20 ] || fail "pids.limit after update: $s"
  [ "$(jq .memory.usage.limit <<< "$s")" = 134217728 ] || fail "memory limit after update: $s"
  run rs update --memory lots "$ID"
  [ "$status" -ne 0 ] || fail "update with a bad size succeeded"
  assert_output_has "invalid size"
  rs delete --force "$ID"
  assert_no_leaks "$ID"
}

@test "resources: events --stats has runc's shape and the sandbox's interface counters (libnl)" {
  NETNS=rs$$$RANDOM
  ip netns add "$NETNS"
  ip link add "vh-$NETNS" type veth peer name eth0 netns "$NETNS"
  ip -n "$NETNS" addr add 10.213.7.2/24 dev eth0
  ip -n "$NETNS" link set eth0 up
  ip addr add 10.213.7.1/24 dev "vh-$NETNS"
  ip link set "vh-$NETNS" up
  bundle_jq "$BUNDLE" '(.linux.namespaces[] | select(.type == "network")) .path = $p' --arg p "/var/run/netns/$NETNS"
  bundle_args "$BUNDLE" sleep 1000
  bundle_resources '{"memory": {"limit": 134217728}, "pids": {"limit": 50}}'
  create_started "$ID"
  snapshot "$ID"
  # Five UDP datagrams from the host (after an ARP exchange): eth0 receives at least that many packets.
  for i in 1 2 3 4 5; do echo "hello $i" > /dev/udp/10.213.7.2/9 || true; done
  sleep 0.2

  run rs events --stats "$ID"
  [ "$status" -eq 0 ] || fail "events --stats: $output"
  [ "$(wc -l <<< "$output")" -eq 1 ] || fail "more than one line: $output"
  ev=$output
  [ "$(jq -r .type <<< "$ev")" = stats ] && [ "$(jq -r .id <<< "$ev")" = "$ID" ] || fail "event: $ev"
  for k in cpu memory pids blkio hugetlb network_interfaces; do
    jq -e ".data | has(\"$k\")" <<< "$ev" > /dev/null || fail "no $k in $ev"
  done
  [ "$(jq .data.memory.usage.limit <<< "$ev")" = 134217728 ] || fail "memory.usage.limit"
  [ "$(jq .data.memory.usage.usage <<< "$ev")" -gt 0 ] || fail "memory.usage.usage"
  [ "$(jq .data.cpu.usage.total <<< "$ev")" -gt 0 ] || fail "cpu.usage.total"
  [ "$(jq .data.pids.current <<< "$ev")" -ge 2 ] || fail "pids.current (the Sentry and sleep at least)"
  eth=$(jq -c '.data.network_interfaces[] | select(.name == "eth0")' <<< "$ev")
  [ -n "$eth" ] || fail "no eth0 in network_interfaces: $ev"
  [ "$(jq .rx_packets <<< "$eth")" -ge 3 ] || fail "eth0 rx_packets: $eth"
  [ "$(jq .tx_bytes <<< "$eth")" -gt 0 ] || fail "eth0 tx_bytes: $eth"
  jq -e '.data.network_interfaces | map(.name) | index("lo") == null' <<< "$ev" > /dev/null || fail "lo listed"

  rs delete --force "$ID"
  assert_no_leaks "$ID"
  run rs events --stats "$ID"
  [ "$status" -ne 0 ] || fail "events --stats of a deleted container succeeded"
}

@test "resources: --systemd-cgroup without systemd fails clearly and leaves nothing" {
  [ ! -d /run/systemd/system ] || skip "systemd runs on this host"
  bundle_args "$BUNDLE" sleep 1000
  run "$RUNSC" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ] || fail "create with --systemd-cgroup succeeded"
  assert_output_has "systemd is not the init system"
  [ ! -e "$ROOT/$ID" ] || fail "state left: $(ls "$ROOT/$ID")"
  # A systemd-style path without the flag is refused too.
  bundle_jq "$BUNDLE" '.linux.cgroupsPath = "system.slice:runsc:x"'
  run "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ] || fail "create with a slice path succeeded"
  assert_output_has "needs --systemd-cgroup"
}

@test "resources: cgroup v2 (a mount namespace that sees only cgroup2): sandbox cgroup, the Sentry's leaf, pause, stats, delete" {
  # The development hosts are hybrid; a private mount namespace whose /sys/fs/cgroup is the cgroup2 hierarchy
  # makes runsc see a v2-only host.  Its cgroup2 has no memory, cpu or pids controller here: the limits
  # themselves are covered by test-cgroup's v2 writer; this checks the layout, cgroup.freeze and the v2 stats.
  unified=$(cgroup_mount_of "") || skip "no cgroup2 mount"
  bundle_bind "$BUNDLE" "$OUT" /out
  bundle_args "$BUNDLE" sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /out/count.tmp; mv /out/count.tmp /out/count; sleep 0.05; done'
  cat > "$BATS_TEST_TMPDIR/v2.sh" << 'SCRIPT'
set -eu
umount -l /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
R() { "$RUNSC" --root "$ROOT" "$@"; }
trap 'R delete --force "$ID" > /dev/null 2>&1 || true' EXIT
R create --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null
R start "$ID"
sentry=$(R state "$ID" | jq .pid)
echo "sentry-cgroup $(cat /proc/$sentry/cgroup)"
for p in $(cat "/sys/fs/cgroup/$ID/container/cgroup.procs"); do echo "container-proc $p $(cat /proc/$p/comm)"; done
echo "sandbox-procs $(wc -l < "/sys/fs/cgroup/$ID/cgroup.procs")"
echo "exec $(R exec "$ID" echo hi)"
echo "sandbox-procs-after-exec $(wc -l < "/sys/fs/cgroup/$ID/cgroup.procs")"
sleep 0.5
R pause "$ID"
echo "paused-state $(R state "$ID" | jq -r .status)"
echo "paused-events $(grep frozen "/sys/fs/cgroup/$ID/container/cgroup.events")"
c1=$(cat /out-host/count); sleep 0.5; c2=$(cat /out-host/count)
echo "paused-counter $c1 $c2"
echo "stats $(R events --stats "$ID" | jq -c .data)"
R resume "$ID"
sleep 0.5
c3=$(cat /out-host/count)
echo "resumed $(R state "$ID" | jq -r .status) $c3"
R delete --force "$ID"
trap - EXIT
[ -e "/sys/fs/cgroup/$ID" ] && echo "left /sys/fs/cgroup/$ID" || echo "removed"
SCRIPT
  sed -i "s|/out-host|$OUT|g" "$BATS_TEST_TMPDIR/v2.sh"
  run env RUNSC="$RUNSC" ROOT="$ROOT" BUNDLE="$BUNDLE" ID="$ID" timeout 60 unshare -m --propagation private \
    bash "$BATS_TEST_TMPDIR/v2.sh"
  [ "$status" -eq 0 ] || fail "script: $output"
  # The Sentry in a leaf of its own beside the container's (the workload's OOM never picks it), the sandbox's
  # cgroup an inner node without processes (v2 refuses them once it enables controllers for its children).
  grep -qx "0::/$ID/sentry" <<< "$output" || fail "the Sentry is not in /$ID/sentry: $output"
  grep -qx "sandbox-procs 0" <<< "$output" || fail "processes in the inner node /$ID: $output"
  grep -qx "exec hi" <<< "$output" || fail "exec: $output"
  grep -qx "sandbox-procs-after-exec 0" <<< "$output" || fail "exec put a process in the inner node /$ID: $output"
  grep -q "^container-proc .* sh$" <<< "$output" || fail "the container's sh is not in /$ID/container: $output"
  grep -qx "paused-state paused" <<< "$output" || fail "state while paused: $output"
  grep -qx "paused-events frozen 1" <<< "$output" || fail "cgroup.events while paused: $output"
  read -r _ c1 c2 < <(grep "^paused-counter" <<< "$output")
  [ "$c1" = "$c2" ] || fail "the counter moved while paused: $c1 -> $c2"
  read -r _ st c3 < <(grep "^resumed" <<< "$output")
  [ "$st" = running ] && [ "$c3" -gt "$c2" ] || fail "after resume: $st, counter $c2 -> $c3"
  stats=$(sed -n 's/^stats //p' <<< "$output")
  [ "$(jq .cpu.usage.total <<< "$stats")" -gt 0 ] || fail "v2 cpu.stat usage: $stats"
  grep -qx removed <<< "$output" || fail "cgroup left in the v2 hierarchy: $output"
  [ ! -e "$unified/$ID" ] || fail "cgroup left: $unified/$ID"
}
