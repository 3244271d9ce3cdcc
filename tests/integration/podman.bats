#!/usr/bin/env bats
# Podman: `podman --runtime $RUNSC run` (Debian 12's podman 4.3, rootful, conmon, cgroupfs) with the suite's
# own storage root, run root, temporary directory, network configuration directory and storage.conf, so
# nothing of the host's podman state is used or changed.  The image is the busybox-static root filesystem of
# tests/lib/bundle.bash, loaded with `podman import`.  Where it makes sense, runc's answer is checked beside
# runsc's.
#
# The ulimits: podman's defaults (nofile 1048576, nproc from the host) exceed this machine's hard limits, so
# every run passes --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 (test-environment.md).
# The network: --network none, except for the published port, which goes through slirp4netns with its own
# port forwarder (--network slirp4netns:port_handler=slirp4netns): no bridge, no CNI, no iptables rule.
# --userns=auto: podman takes the container's ids from the subordinate ranges of a user named in storage.conf
# (root-auto-userns-user); setup_file adds one line for a user of this run to /etc/subuid and /etc/subgid, and
# teardown_file removes exactly that line.
#
# Podman leaves no daemon: conmon runs per container.  teardown_file removes every container, then kills what
# still names the suite's directory (conmon, slirp4netns, sandboxes) by pid, unmounts and removes the
# directory.

load helpers

IMAGE=localhost/runsc-test/busybox:1
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
SUBID_LOCK=/run/lock/runsc-test-subid.lock

# podman with the suite's state; RT is the runtime (default: the runsc under test).
pm ()
{
  CONTAINERS_STORAGE_CONF=$PM_D/storage.conf timeout -k 5 "${PM_TIMEOUT:-90}" podman --root "$PM_D/storage" \
    --runroot "$PM_D/run" --tmpdir "$PM_D/tmp" --network-config-dir "$PM_D/net" --cgroup-manager cgroupfs \
    --events-backend file --storage-driver overlay --runtime "${RT:-$RUNSC}" "$@" 3>&-
}

pm_run ()
{
  pm run --network none "${ULIMITS[@]}" --cgroup-parent "$PM_CG" "$@"
}

# Add (or with "remove", take out) this run's line in /etc/subuid and /etc/subgid.
subid_line ()
{
  local f
  (
    exec 9> "$SUBID_LOCK"
    flock -w 60 9 || exit 1
    for f in /etc/subuid /etc/subgid; do
      if [ "$1" = add ]; then
        echo "$PM_SUBID_USER:$PM_SUBID_BASE:262144" >> "$f"
      elif [ -f "$f" ]; then
        sed -i "/^$PM_SUBID_USER:/d" "$f"
      fi
    done
  )
}

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the Podman tests run as root"
  fi
  [ -x "$RUNSC" ] || { echo "runsc is missing: $RUNSC" >&2; return 1; }
  command -v podman > /dev/null || { echo "apt-get install podman" >&2; return 1; }
  command -v slirp4netns > /dev/null || { echo "apt-get install slirp4netns" >&2; return 1; }
  PM_D=$(mktemp -d "${TMPDIR:-/tmp}/pm.XXXXXX")
  PM_SUBID_USER=runsc-test-$$
  PM_SUBID_BASE=$((2000000000 + ($$ % 1000) * 262144))
  # The containers' cgroups (cgroupfs driver) go under a parent of this run, removed in teardown_file.
  PM_CG=/runsc-test-podman-$$
  export PM_D PM_SUBID_USER PM_SUBID_BASE PM_CG
  mkdir -p "$PM_D/net" "$PM_D/tmp"
  cat > "$PM_D/storage.conf" << EOF
[storage]
driver = "overlay"
graphroot = "$PM_D/storage"
runroot = "$PM_D/run"
[storage.options]
root-auto-userns-user = "$PM_SUBID_USER"
EOF
  touch "$PM_D/subid-added"
  subid_line add || { echo "cannot add $PM_SUBID_USER to /etc/subuid" >&2; return 1; }
  echo "# $(podman --version), conmon $(conmon --version 2> /dev/null | head -n1 | awk '{print $3}')" >&3
  tar -C "$(bundle_rootfs_base)" -c . | pm import - "$IMAGE" > /dev/null || { echo "podman import failed" >&2; return 1; }
}

teardown_file ()
{
  [ -n "${PM_D:-}" ] && [ -d "$PM_D" ] || return 0
  for c in $(pm ps -aq 2> /dev/null); do
    PM_TIMEOUT=30 pm rm -f -t 0 "$c" > /dev/null 2>&1 || true
  done
  [ -e "$PM_D/subid-added" ] && subid_line remove
  kill_naming_dir "$PM_D"
  sleep 0.2
  umount_under "$PM_D"
  # The cgroups podman made for the containers, and for conmon (libpod_parent/conmon, shared with other
  # podman users: left alone).
  rm_cgroup_tree "$PM_CG"
  rm -rf "$PM_D"
}

setup ()
{
  N=pm$$-$BATS_TEST_NUMBER
}

teardown ()
{
  local c
  for c in $(pm ps -aq --filter "name=^$N" 2> /dev/null); do
    pm rm -f -t 0 "$c" > /dev/null 2>&1 || true
  done
}

@test "podman: --runtime runsc: uname -r is the sandbox's release (runc: the host's)" {
  run pm_run --rm "$IMAGE" uname -r
  [ "$status" -eq 0 ] || fail "podman run: status $status: $output"
  [ "$output" = 4.4.0 ] || fail "uname -r under runsc: '$output', expected 4.4.0"
  RT=runc run pm_run --rm "$IMAGE" uname -r
  [ "$output" = "$(uname -r)" ] || fail "uname -r under runc: '$output'"
}

@test "podman: dmesg prints the sandbox's boot log (podman's default seccomp profile); under runc it is refused" {
  run pm_run --rm "$IMAGE" dmesg
  [ "$status" -eq 0 ] || fail "dmesg under runsc: status $status: $output"
  head -n1 <<< "$output" | grep -q 'Starting' || fail "first line: $output"
  tail -n1 <<< "$output" | grep -q 'Ready!$' || fail "last line: $output"
  RT=runc run pm_run --rm "$IMAGE" dmesg
  [ "$status" -ne 0 ] || fail "dmesg under runc succeeded: $output"
  assert_output_has "Operation not permitted"
}

@test "podman: the exit code of the container's process is podman run's" {
  run pm_run --rm "$IMAGE" sh -c 'echo out; echo err >&2; exit 7'
  [ "$status" -eq 7 ] || fail "status $status, expected 7: $output"
  assert_output_has out
  assert_output_has err
  pm_run --name "$N" "$IMAGE" sh -c 'exit 3' || true
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$N")" = 3 ] || fail "inspect: exit code $(pm inspect -f '{{.State.ExitCode}}' "$N")"
}

@test "podman: exec runs a process in the running container, with its output and exit code" {
  pm_run -d --name "$N" "$IMAGE" sleep 1000 > /dev/null || fail "run -d failed"
  run pm exec "$N" sh -c 'uname -r; tr "\0" " " < /proc/1/cmdline; echo; exit 5'
  [ "$status" -eq 5 ] || fail "exec: status $status, expected 5: $output"
  [ "$(sed -n 1p <<< "$output")" = 4.4.0 ] || fail "uname -r in exec: $output"
  assert_output_has "sleep 1000"
  run bash -c "echo piped | CONTAINERS_STORAGE_CONF=$PM_D/storage.conf timeout 60 podman --root $PM_D/storage \
    --runroot $PM_D/run --tmpdir $PM_D/tmp --network-config-dir $PM_D/net --cgroup-manager cgroupfs \
    --events-backend file --runtime $RUNSC exec -i $N cat"
  [ "$output" = piped ] || fail "exec -i: '$output'"
}

@test "podman: stop sends SIGTERM, then SIGKILL after the grace period" {
  pm_run -d --name "$N-t" "$IMAGE" sh -c 'trap "echo got-TERM; exit 3" TERM; echo ready; while :; do sleep 0.2; done' \
    > /dev/null || fail "run -d failed"
  for i in $(seq 50); do pm logs "$N-t" 2>&1 | grep -q ready && break; sleep 0.1; done
  run pm stop -t 20 "$N-t"
  [ "$status" -eq 0 ] || fail "stop: $output"
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$N-t")" = 3 ] || fail "a TERM the process handles: exit code $(pm inspect -f '{{.State.ExitCode}}' "$N-t")"
  pm logs "$N-t" 2>&1 | grep -qx got-TERM || fail "no got-TERM in the logs: $(pm logs "$N-t" 2>&1)"

  pm_run -d --name "$N-k" "$IMAGE" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.2; done' > /dev/null \
    || fail "run -d failed"
  for i in $(seq 50); do pm logs "$N-k" 2>&1 | grep -q ready && break; sleep 0.1; done
  run pm stop -t 2 "$N-k"
  [ "$status" -eq 0 ] || fail "stop: $output"
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$N-k")" = 137 ] || fail "a process ignoring TERM: exit code $(pm inspect -f '{{.State.ExitCode}}' "$N-k"), expected 137 (SIGKILL)"
  [ "$(pm inspect -f '{{.State.Running}}' "$N-k")" = false ] || fail "still running after stop"
}

@test "podman: run -t gives the process a terminal" {
  command -v script > /dev/null || fail "script(1) (util-linux) is needed for a pty"
  run timeout -k 5 60 script -qec "CONTAINERS_STORAGE_CONF=$PM_D/storage.conf podman --root $PM_D/storage \
    --runroot $PM_D/run --tmpdir $PM_D/tmp --network-config-dir $PM_D/net --cgroup-manager cgroupfs \
    --events-backend file --runtime $RUNSC run --rm -t --network none ${ULIMITS[*]} --cgroup-parent $PM_CG $IMAGE sh -c 'tty; exit 4'" \
    /dev/null < /dev/null
  [ "$status" -eq 4 ] || fail "status $status, expected 4: $output"
  assert_output_has /dev/pts/
}

@test "podman: a port published on 127.0.0.1 (slirp4netns) reaches a server in the sandbox" {
  port=$(free_port) || fail "no free port"
  pm run -d --name "$N" "${ULIMITS[@]}" --cgroup-parent "$PM_CG" --network slirp4netns:port_handler=slirp4netns -p "127.0.0.1:$port:8080" \
    "$IMAGE" sh -c 'mkdir -p /www; echo served-by-runsc > /www/index.html; exec httpd -f -p 8080 -h /www' > /dev/null \
    || fail "run -d -p failed"
  got=
  for i in $(seq 50); do
    got=$(timeout 5 busybox wget -q -O- "http://127.0.0.1:$port/" 2> /dev/null) && break
    sleep 0.2
  done
  [ "$got" = served-by-runsc ] || fail "http://127.0.0.1:$port/ gave '$got'; logs: $(pm logs "$N" 2>&1)"
  [ "$(pm exec "$N" uname -r)" = 4.4.0 ] || fail "the server is not in the sandbox"
}

@test "podman: a volume (bind mount) is read and written through, as under runc" {
  vol=$BATS_TEST_TMPDIR/vol
  mkdir -p "$vol"
  echo from-host > "$vol/in"
  run pm_run --rm -v "$vol:/data" "$IMAGE" sh -c 'cat /data/in; echo from-runsc > /data/out'
  [ "$status" -eq 0 ] || fail "run -v: status $status: $output"
  assert_output_has from-host
  [ "$(cat "$vol/out")" = from-runsc ] || fail "the container's write did not reach the host"
  RT=runc pm_run --rm -v "$vol:/data" "$IMAGE" sh -c 'echo from-runc > /data/out-runc' || fail "runc run -v failed"
  [ "$(stat -c %u:%g "$vol/out")" = "$(stat -c %u:%g "$vol/out-runc")" ] \
    || fail "owner of a file written by runsc $(stat -c %u:%g "$vol/out"), by runc $(stat -c %u:%g "$vol/out-runc")"
  run pm_run --rm -v "$vol:/data:ro" "$IMAGE" sh -c 'echo x > /data/ro'
  [ "$status" -ne 0 ] || fail "a write to a :ro volume succeeded"
  [ ! -e "$vol/ro" ] || fail "a write to a :ro volume reached the host"
}

@test "podman: --userns=auto: the container's root is an unprivileged host id from the subordinate range, as under runc" {
  run pm_run --rm --userns=auto "$IMAGE" sh -c 'cat /proc/self/uid_map; id -u; uname -r'
  [ "$status" -eq 0 ] || fail "run --userns=auto: status $status: $output"
  runsc_map=$(sed -n 1p <<< "$output" | awk '{ print $1, $2 }')
  [ "$runsc_map" = "0 $PM_SUBID_BASE" ] || fail "uid_map under runsc: $output (the range starts at $PM_SUBID_BASE)"
  [ "$(sed -n 2p <<< "$output")" = 0 ] || fail "id -u: $output"
  [ "$(sed -n 3p <<< "$output")" = 4.4.0 ] || fail "uname -r: $output"
  RT=runc run pm_run --rm --userns=auto "$IMAGE" sh -c 'cat /proc/self/uid_map; id -u'
  [ "$status" -eq 0 ] || fail "runc --userns=auto: $output"
  [ "$(sed -n 1p <<< "$output" | awk '{ print $1, $2 }')" = "$runsc_map" ] || fail "uid_map under runc: $output"

  # On the host, the container's process runs as that unprivileged id.
  pm_run -d --name "$N" --userns=auto "$IMAGE" sleep 1000 > /dev/null || fail "run -d --userns=auto failed"
  pid=$(pm inspect -f '{{.State.Pid}}' "$N")
  found=
  for p in $(proc_tree "$pid"); do
    [ "$(cat "/proc/$p/comm" 2> /dev/null)" = sleep ] || continue
    found=$(awk '$1 == "Uid:" { print $2 }' "/proc/$p/status")
  done
  [ "$found" = "$PM_SUBID_BASE" ] || fail "the sleep under pid $pid runs as host uid '$found', expected $PM_SUBID_BASE"
}

@test "podman: nothing of a removed container is left running" {
  pm_run -d --name "$N" "$IMAGE" sleep 1000 > /dev/null || fail "run -d failed"
  pid=$(pm inspect -f '{{.State.Pid}}' "$N")
  cid=$(pm inspect -f '{{.Id}}' "$N")
  [ "$pid" -gt 0 ] || fail "no pid"
  [ -n "$(procs_naming "$cid")" ] || fail "no process names the container $cid (the check below would show nothing)"
  pm rm -f -t 0 "$N" > /dev/null || fail "rm -f failed"
  for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2> /dev/null || fail "pid $pid outlived podman rm -f: $(ps -o pid,args -p "$pid")"
  for i in $(seq 50); do [ -z "$(procs_naming "$cid")" ] && break; sleep 0.1; done
  [ -z "$(procs_naming "$cid")" ] || fail "left after rm -f: $(procs_naming "$cid" | xargs -r ps -o pid,args -p)"
}
