#!/usr/bin/env bats
# Docker: `docker run --runtime runsc` against a dockerd (Debian 12's docker.io, 20.10) started by this suite
# with its own data root, exec root, socket, cgroup parent and bridge, and runsc added with --add-runtime
# runsc=$RUNSC (dockerd drives it through containerd's runc shim, as it drives runc).  The image is the
# busybox-static root filesystem of tests/lib/bundle.bash, loaded with `docker import` (nothing is pulled).
# Where it makes sense, runc's answer is checked beside runsc's.
#
# The network: a bridge made here (DK_NET.1/24, like tests/cri/k8s-helpers.bash's) given to dockerd with -b,
# --iptables=false and --ip-masq=false, so published ports go through docker-proxy on the host's loopback and
# nothing of the host's firewall changes.  teardown_file stops dockerd by its pid (TERM, then KILL), kills
# what still names the suite's directory (its containerd and shims), unmounts, deletes the bridge and the
# cgroup parent.

load helpers

DOCKER=/usr/bin/docker
IMAGE=runsc-test/busybox:1

dk ()
{
  timeout -k 5 "${DK_TIMEOUT:-90}" "$DOCKER" -H "unix://$DK_D/docker.sock" "$@" 3>&-
}

dockerd_start ()
{
  local i net br
  DK_D=$(mktemp -d "${TMPDIR:-/tmp}/dk.XXXXXX")
  export DK_D
  net=$(pick_test_net) || { echo "no free 10.x.y.0/24 for the test bridge" >&2; return 1; }
  br=rdk$((RANDOM % 1000))x$$
  br=${br:0:15}
  echo "$br" > "$DK_D/bridge"
  ip link add "$br" type bridge || return 1
  ip addr add "$net.1/24" dev "$br" || return 1
  ip link set "$br" up || return 1
  echo "/runsc-test-docker-$$" > "$DK_D/cgroup"
  # Debian's containerd, runc and docker-proxy: not a newer containerd another suite put first on PATH.
  # Its own (empty) daemon.json: not the host's, which packaging.bats (another person's run, too) may be editing.
  echo '{}' > "$DK_D/daemon.json"
  (cd "$DK_D" && PATH=/usr/sbin:/usr/bin:/sbin:/bin exec setsid dockerd --config-file "$DK_D/daemon.json" \
    --data-root "$DK_D/data" \
    --exec-root "$DK_D/e" -H "unix://$DK_D/docker.sock" --pidfile "$DK_D/docker.pid" \
    --iptables=false --ip-masq=false -b "$br" --cgroup-parent "$(cat "$DK_D/cgroup")" \
    --add-runtime "runsc=$RUNSC" > "$DK_D/dockerd.log" 2>&1 < /dev/null 3>&-) &
  echo $! > "$DK_D/dockerd.pid"
  for i in $(seq 150); do
    if dk version > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  echo "dockerd did not start; its log:" >&2
  tail -n 30 "$DK_D/dockerd.log" >&2
  return 1
}

dockerd_stop ()
{
  local br
  [ -n "${DK_D:-}" ] && [ -d "$DK_D" ] || return 0
  if [ -S "$DK_D/docker.sock" ]; then
    for c in $(dk ps -aq 2> /dev/null); do
      DK_TIMEOUT=30 dk rm -f "$c" > /dev/null 2>&1 || true
    done
  fi
  stop_pid "$(cat "$DK_D/dockerd.pid" 2> /dev/null)" 100
  # dockerd's containerd, its shims and sandboxes: everything whose command line names the directory.
  kill_naming_dir "$DK_D"
  sleep 0.2
  umount_under "$DK_D"
  br=$(cat "$DK_D/bridge" 2> /dev/null)
  [ -n "$br" ] && ip link del "$br" 2> /dev/null
  rm_cgroup_tree "$(cat "$DK_D/cgroup" 2> /dev/null)"
  rm -rf "$DK_D"
}

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the Docker tests run as root"
  fi
  [ -x "$RUNSC" ] || { echo "runsc is missing: $RUNSC" >&2; return 1; }
  [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] || { echo "apt-get install docker.io" >&2; return 1; }
  dockerd_start || return 1
  echo "# $(dk version --format 'dockerd {{.Server.Version}}, containerd {{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}')" >&3
  tar -C "$(bundle_rootfs_base)" -c . | dk import - "$IMAGE" > /dev/null || { echo "docker import failed" >&2; return 1; }
}

teardown_file ()
{
  dockerd_stop
}

setup ()
{
  N=dk$$-$BATS_TEST_NUMBER
}

teardown ()
{
  local c
  if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${DK_D:-}" ]; then
    echo "--- dockerd's errors:" >&2
    grep -E 'level=(error|warning)' "$DK_D/dockerd.log" | tail -n 10 | cut -c1-400 >&2
  fi
  for c in $(dk ps -aq --filter "name=^$N" 2> /dev/null); do
    dk rm -f "$c" > /dev/null 2>&1 || true
  done
}

@test "docker: run --runtime runsc: uname -r is the sandbox's release (runc: the host's)" {
  run dk run --rm --runtime runsc "$IMAGE" uname -r
  [ "$status" -eq 0 ] || fail "docker run: status $status: $output"
  [ "$output" = 4.4.0 ] || fail "uname -r under runsc: '$output', expected 4.4.0"
  run dk run --rm --runtime runc "$IMAGE" uname -r
  [ "$output" = "$(uname -r)" ] || fail "uname -r under runc: '$output'"
  dk info --format '{{json .Runtimes}}' | jq -e --arg p "$RUNSC" '.runsc.path == $p' > /dev/null \
    || fail "docker info does not list runtime runsc at $RUNSC: $(dk info --format '{{json .Runtimes}}')"
}

@test "docker: dmesg prints the sandbox's boot log (seccomp=unconfined); under runc it is refused" {
  run dk run --rm --runtime runsc --security-opt seccomp=unconfined "$IMAGE" dmesg
  [ "$status" -eq 0 ] || fail "dmesg under runsc: status $status: $output"
  head -n1 <<< "$output" | grep -q 'Starting' || fail "first line: $output"
  tail -n1 <<< "$output" | grep -q 'Ready!$' || fail "last line: $output"
  run dk run --rm --runtime runc --security-opt seccomp=unconfined "$IMAGE" dmesg
  [ "$status" -ne 0 ] || fail "dmesg under runc succeeded: $output"
  assert_output_has "Operation not permitted"
}

@test "docker: dmesg prints the sandbox's boot log under Docker's default seccomp profile" {
  run dk run --rm --runtime runsc "$IMAGE" dmesg
  [ "$status" -eq 0 ] || fail "dmesg under runsc with the default profile: status $status: $output"
  head -n1 <<< "$output" | grep -q 'Starting' || fail "first line: $output"
  tail -n1 <<< "$output" | grep -q 'Ready!$' || fail "last line: $output"
}

@test "docker: Docker's default seccomp profile is applied: what it refuses fails with EPERM, as under runc" {
  # set_mempolicy(2) and keyctl(2) (both refused by runsc's own table with ENOSYS) are both
  # refused with EPERM by Docker's default profile (no CAP_SYS_NICE; keyctl is never allowed).  A static probe
  # prints what each call answered; with seccomp=unconfined runsc's own answers show, so the EPERMs under the
  # default profile come from the profile.
  probe=$BATS_TEST_TMPDIR/probe
  mkdir -p "$probe"
  cat > "$probe/probe.c" << 'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static void show (const char *name, long r) { printf ("%s=%s\n", name, r < 0 ? strerror (errno) : "ok"); }
int main (void)
{
  show ("set_mempolicy", syscall (SYS_set_mempolicy, 0, NULL, 0));
  show ("keyctl", syscall (SYS_keyctl, 0, -3, 0));
  return 0;
}
EOF
  cc -static -O2 -o "$probe/probe" "$probe/probe.c" || fail "cannot build the probe"
  run dk run --rm --runtime runc -v "$probe:/probe:ro" "$IMAGE" /probe/probe
  [ "$status" -eq 0 ] || fail "probe under runc: $output"
  [ "$output" = "$(printf 'set_mempolicy=Operation not permitted\nkeyctl=Operation not permitted')" ] \
    || fail "runc with the default profile: $output"
  runc_out=$output
  run dk run --rm --runtime runsc -v "$probe:/probe:ro" "$IMAGE" /probe/probe
  [ "$status" -eq 0 ] || fail "probe under runsc: $output"
  [ "$output" = "$runc_out" ] || fail "runsc with the default profile: '$output'; runc: '$runc_out'"
  run dk run --rm --runtime runsc --security-opt seccomp=unconfined -v "$probe:/probe:ro" "$IMAGE" /probe/probe
  [ "$output" != "$runc_out" ] || fail "unconfined runsc answers as the profile does ('$output'): the test shows nothing"
  # And an ordinary program runs under the profile.
  run dk run --rm --runtime runsc "$IMAGE" sh -c 'echo $((6*7)) > /tmp/x; cat /tmp/x; ls / | wc -l'
  [ "$status" -eq 0 ] || fail "a shell under the default profile: status $status: $output"
  [ "$(head -n1 <<< "$output")" = 42 ] || fail "output: $output"
}

@test "docker: the exit code of the container's process is docker run's" {
  run dk run --rm --runtime runsc "$IMAGE" sh -c 'echo out; echo err >&2; exit 7'
  [ "$status" -eq 7 ] || fail "status $status, expected 7: $output"
  assert_output_has out
  assert_output_has err
  dk run --name "$N" --runtime runsc "$IMAGE" sh -c 'exit 3' || true
  [ "$(dk inspect -f '{{.State.ExitCode}}' "$N")" = 3 ] || fail "inspect: exit code $(dk inspect -f '{{.State.ExitCode}}' "$N")"
}

@test "docker: exec runs a process in the running container, with its output and exit code" {
  dk run -d --name "$N" --runtime runsc "$IMAGE" sleep 1000 > /dev/null || fail "run -d failed"
  run dk exec "$N" sh -c 'uname -r; tr "\0" " " < /proc/1/cmdline; echo; exit 5'
  [ "$status" -eq 5 ] || fail "exec: status $status, expected 5: $output"
  [ "$(sed -n 1p <<< "$output")" = 4.4.0 ] || fail "uname -r in exec: $output"
  assert_output_has "sleep 1000"
  run bash -c "echo piped | timeout 60 $DOCKER -H unix://$DK_D/docker.sock exec -i $N cat"
  [ "$output" = piped ] || fail "exec -i: '$output'"
}

@test "docker: stop sends SIGTERM, then SIGKILL after the grace period" {
  dk run -d --name "$N-t" --runtime runsc "$IMAGE" \
    sh -c 'trap "echo got-TERM; exit 3" TERM; echo ready; while :; do sleep 0.2; done' > /dev/null || fail "run -d failed"
  for i in $(seq 50); do dk logs "$N-t" 2>&1 | grep -q ready && break; sleep 0.1; done
  run dk stop -t 20 "$N-t"
  [ "$status" -eq 0 ] || fail "stop: $output"
  [ "$(dk inspect -f '{{.State.ExitCode}}' "$N-t")" = 3 ] || fail "a TERM the process handles: exit code $(dk inspect -f '{{.State.ExitCode}}' "$N-t")"
  dk logs "$N-t" 2>&1 | grep -qx got-TERM || fail "no got-TERM in the logs: $(dk logs "$N-t" 2>&1)"

  dk run -d --name "$N-k" --runtime runsc "$IMAGE" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.2; done' \
    > /dev/null || fail "run -d failed"
  for i in $(seq 50); do dk logs "$N-k" 2>&1 | grep -q ready && break; sleep 0.1; done
  run dk stop -t 2 "$N-k"
  [ "$status" -eq 0 ] || fail "stop: $output"
  [ "$(dk inspect -f '{{.State.ExitCode}}' "$N-k")" = 137 ] || fail "a process ignoring TERM: exit code $(dk inspect -f '{{.State.ExitCode}}' "$N-k"), expected 137 (SIGKILL)"
  [ "$(dk inspect -f '{{.State.Running}}' "$N-k")" = false ] || fail "still running after stop"
}

@test "docker: run -t gives the process a terminal" {
  command -v script > /dev/null || fail "script(1) (util-linux) is needed for a pty"
  run timeout -k 5 60 script -qec "$DOCKER -H unix://$DK_D/docker.sock run --rm -t --runtime runsc $IMAGE sh -c 'tty; exit 4'" /dev/null < /dev/null
  [ "$status" -eq 4 ] || fail "status $status, expected 4: $output"
  assert_output_has /dev/pts/
}

@test "docker: a port published on 127.0.0.1 reaches a server in the sandbox" {
  port=$(free_port) || fail "no free port"
  dk run -d --name "$N" --runtime runsc -p "127.0.0.1:$port:8080" "$IMAGE" \
    sh -c 'mkdir -p /www; echo served-by-runsc > /www/index.html; exec httpd -f -p 8080 -h /www' > /dev/null \
    || fail "run -d -p failed"
  got=
  for i in $(seq 50); do
    got=$(timeout 5 busybox wget -q -O- "http://127.0.0.1:$port/" 2> /dev/null) && break
    sleep 0.2
  done
  [ "$got" = served-by-runsc ] || fail "http://127.0.0.1:$port/ gave '$got'; logs: $(dk logs "$N" 2>&1)"
  [ "$(dk exec "$N" uname -r)" = 4.4.0 ] || fail "the server is not in the sandbox"
}

@test "docker: a volume (bind mount) is read and written through, as under runc" {
  vol=$BATS_TEST_TMPDIR/vol
  mkdir -p "$vol"
  echo from-host > "$vol/in"
  run dk run --rm --runtime runsc -v "$vol:/data" "$IMAGE" sh -c 'cat /data/in; echo from-runsc > /data/out; id -u'
  [ "$status" -eq 0 ] || fail "run -v: status $status: $output"
  assert_output_has from-host
  [ "$(cat "$vol/out")" = from-runsc ] || fail "the container's write did not reach the host"
  dk run --rm --runtime runc -v "$vol:/data" "$IMAGE" sh -c 'echo from-runc > /data/out-runc' || fail "runc run -v failed"
  [ "$(stat -c %u:%g "$vol/out")" = "$(stat -c %u:%g "$vol/out-runc")" ] \
    || fail "owner of a file written by runsc $(stat -c %u:%g "$vol/out"), by runc $(stat -c %u:%g "$vol/out-runc")"
  run dk run --rm --runtime runsc -v "$vol:/data:ro" "$IMAGE" sh -c 'echo x > /data/ro'
  [ "$status" -ne 0 ] || fail "a write to a :ro volume succeeded"
  [ ! -e "$vol/ro" ] || fail "a write to a :ro volume reached the host"
}

@test "docker: nothing of the suite's containers is left running after rm" {
  dk run -d --name "$N" --runtime runsc "$IMAGE" sleep 1000 > /dev/null || fail "run -d failed"
  pid=$(dk inspect -f '{{.State.Pid}}' "$N")
  cid=$(dk inspect -f '{{.Id}}' "$N")
  [ "$pid" -gt 0 ] || fail "no pid"
  [ -n "$(procs_naming "$cid")" ] || fail "no process names the container $cid (the check below would show nothing)"
  dk rm -f "$N" > /dev/null || fail "rm -f failed"
  for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2> /dev/null || fail "pid $pid outlived docker rm -f: $(ps -o pid,args -p "$pid")"
  for i in $(seq 50); do [ -z "$(procs_naming "$cid")" ] && break; sleep 0.1; done
  [ -z "$(procs_naming "$cid")" ] || fail "left after rm -f: $(procs_naming "$cid" | xargs -r ps -o pid,args -p)"
}
