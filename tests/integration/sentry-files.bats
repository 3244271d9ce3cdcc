#!/usr/bin/env bats
# Native opens and the sandbox kernel's files (the Sentry's FUSE filesystem), seen from inside real containers
# run by runsc: the static probe's --files checks (in runsc, and the same probe on the host and under runc to
# show which differences are the sandbox's), busybox's everyday tools, a memory limit seen through /proc/meminfo
# and free, dmesg -w following a later record, files the application cannot unmount or write, nothing left
# after delete, a host without FUSE, and a Debian root filesystem (debootstrap, cached under tests/cache/)
# running python3 and nginx.

load helpers

setup ()
{
  common_setup
  PROBE=${PROBE:-$(dirname "$RUNSC")/tests/sandbox/probe}
  NETNS=
  VETH=
}

teardown ()
{
  [ -n "$VETH" ] && ip link del "$VETH" 2> /dev/null
  [ -n "$NETNS" ] && ip netns del "$NETNS" 2> /dev/null
  common_teardown
}

# Run the bundle's process with runsc (extra global flags in "$@"); sets $status and $output like bats' run.
run_in_runsc ()
{
  status=0
  "$RUNSC" --root "$ROOT" "$@" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- \
    || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

# The capabilities the permission checks need (root that may chown and become nobody), as Docker grants.
probe_caps ()
{
  bundle_caps "$BUNDLE" CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_SETUID CAP_SETGID CAP_KILL \
    CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE
}

# A network namespace of the test's own with loopback up (and, with "veth", a link to the host:
# host 10.213.$1.1/30, sandbox 10.213.$1.2/30); the bundle's network namespace is set to it.
sandbox_netns ()
{
  NETNS=sf-$$-$RANDOM
  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  if [ "${2:-}" = veth ]; then
    VETH=sfh$$$RANDOM
    VETH=${VETH:0:15}
    ip link add "$VETH" type veth peer name sfc0 netns "$NETNS"
    ip addr add "10.213.$1.1/30" dev "$VETH"
    ip link set "$VETH" up
    ip -n "$NETNS" addr add "10.213.$1.2/30" dev sfc0
    ip -n "$NETNS" link set sfc0 up
  fi
  bundle_jq "$BUNDLE" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/var/run/netns/$NETNS"
}

# A Debian bookworm root filesystem with python3 and nginx, built once with debootstrap (about a minute) and
# kept under tests/cache/. Containers use it as their root directly: runsc's default root overlay keeps
# their writes in memory, so the cache stays clean.
debian_rootfs ()
{
  local cache=${SENTRY_DEBIAN_CACHE:-$SRC_DIR/tests/cache/debian-bookworm-sentry} mirror
  mkdir -p "$(dirname "$cache")"
  (
    flock 9
    if [ ! -e "$cache/.complete" ]; then
      mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2> /dev/null)
      rm -rf "$cache.tmp"
      debootstrap --variant=minbase --include=python3,nginx bookworm "$cache.tmp" \
        "${mirror:-http://deb.debian.org/debian}" > "$cache.log" 2>&1 || { tail -20 "$cache.log" >&2; exit 1; }
      touch "$cache.tmp/.complete"
      mv "$cache.tmp" "$cache"
    fi
  ) 9> "$cache.lock" || return 1
  DEBIAN_ROOT=$cache
}

@test "sentry-files: the in-sandbox probe's file checks pass in runsc" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE (make check builds it)"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  probe_caps
  bundle_args "$BUNDLE" /probe --files-only
  run_in_runsc
  [ "$status" -eq 0 ] || fail "probe: status $status: $output"
  # Every group of checks ran (a probe that skipped would pass quietly).
  for what in "/proc/version reads" "/dev/kmsg gives the sandbox's first record" "/proc/self/status is the caller's" \
    "refused to nobody" "never gets the forbidden file" "/tmp/probe-escape reads" "/proc/kmsg gives"; do
    grep '^ok - ' <<< "$output" | grep -qF -- "$what" || fail "missing check '$what': $output"
  done
}

@test "sentry-files: on the host and under runc the same probe fails only where the sandbox differs" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE"
  # The checks that must differ outside runsc (the virtual kernel's files); everything else must pass.
  local differ='/proc/version|/proc/./version|/proc/../proc/version|probe-version-link|osrelease|/proc/sys/kernel/version|/proc/cmdline|not writable|/proc/uptime counts|/proc/loadavg|/dev/kmsg'
  local where out bad
  for where in host runc; do
    if [ "$where" = host ]; then
      out=$(cd "$BATS_TEST_TMPDIR" && "$PROBE" --files-only 2>&1) || true
    else
      command -v runc > /dev/null || continue
      cp "$PROBE" "$BUNDLE/rootfs/probe"
      probe_caps
      bundle_args "$BUNDLE" /probe --files-only
      out=$(runc --root "$BATS_TEST_TMPDIR/runc-root" run --bundle "$BUNDLE" "$ID-runc" < /dev/null 2>&1 3>&-) || true
    fi
    echo "# $where:" >&3
    grep '^not ok' <<< "$out" | sed 's/^/#   /' >&3 || true
    # The sandbox's files do differ there...
    grep -q '^not ok - /proc/version reads the sandbox' <<< "$out" || fail "$where: /proc/version was the sandbox's?"
    grep -q '^not ok - /dev/kmsg' <<< "$out" || fail "$where: /dev/kmsg was the sandbox's?"
    # ...and nothing else does: the open semantics checked in runsc are Linux's own.
    bad=$(grep '^not ok' <<< "$out" | grep -Ev -- "$differ" || true)
    [ -z "$bad" ] || fail "$where: checks that should pass everywhere failed: $bad"
  done
}

@test "sentry-files: busybox sh, ls, cat, ps, top -n1, free and wget against a loopback server" {
  # /dev/stdout is reopened through /proc/self/fd/1; on a pipe, as a file it would have an offset of its own.
  sandbox_netns 0
  bundle_args "$BUNDLE" /bin/sh -c '
    ls / > /dev/null && echo ls=ok
    cat /proc/version
    (echo hi >> /dev/stdout) | cat
    ps | grep -q "PID *USER" && echo ps=ok
    top -n1 -b | grep -q "^Load average: 0.00 0.00 0.00" && echo top=ok
    free | grep -q "^Mem:" && echo free=ok
    mkdir -p /tmp/www && echo served-by-busybox > /tmp/www/index.html
    httpd -p 127.0.0.1:8080 -h /tmp/www
    for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://127.0.0.1:8080/ 2> /dev/null && break; sleep 0.2; done
    cat /dev/kmsg & k=$!; sleep 0.3; kill $k'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  for want in ls=ok "Linux version 4.4.0 #1 SMP" hi ps=ok top=ok free=ok served-by-busybox \
    "6,0,0,-;Starting runsc Sentry..." ";Ready!"; do
    grep -qF -- "$want" <<< "$output" || fail "missing '$want' in: $output"
  done
}

@test "sentry-files: a memory limit is MemTotal in /proc/meminfo, free and sysinfo" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  bundle_jq "$BUNDLE" '.linux.resources.memory.limit = 268435456'
  probe_caps
  bundle_args "$BUNDLE" /bin/sh -c 'head -1 /proc/meminfo; free | grep ^Mem:; /probe --files-only --quiet --mem-limit=268435456'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  grep -qE '^MemTotal: +262144 kB$' <<< "$output" || fail "meminfo: $output"
  grep -qE '^Mem: +262144 ' <<< "$output" || fail "free: $output"
  # used + free + buff/cache add up to the total (busybox free computes used from the others).
  read -r _ total used free _ cache _ <<< "$(grep '^Mem:' <<< "$output")"
  [ "$used" -le "$total" ] && [ "$free" -le "$total" ] && [ "$cache" -le "$total" ] || fail "free: $output"
}

@test "sentry-files: runsc update raising the memory limit above the spec's is seen in /proc/meminfo and sysinfo" {
  out=$BATS_TEST_TMPDIR/out
  mkdir -p "$out"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  bundle_bind "$BUNDLE" "$out" /out
  bundle_jq "$BUNDLE" '.linux.resources.memory.limit = 268435456'
  # meminfo and free (sysinfo) every 0.1 s, each written whole.
  bundle_args "$BUNDLE" /bin/sh -c 'while :; do { head -1 /proc/meminfo; free | grep ^Mem:; } > /out/m.tmp; mv /out/m.tmp /out/m; sleep 0.1; done'
  "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  "$RUNSC" --root "$ROOT" start "$ID" 3>&- || fail "start"
  wait_for_text "$out/m" "262144 kB" || fail "the spec's limit is not in meminfo"
  run "$RUNSC" --root "$ROOT" update --memory 512m "$ID"
  [ "$status" -eq 0 ] || fail "update --memory 512m: $output"
  wait_for_text "$out/m" "524288 kB" || fail "the raised limit is not in meminfo"
  grep -qE '^Mem: +524288 ' "$out/m" || fail "free (sysinfo) after the raise: $(cat "$out/m")"
  # And back down below the spec's.
  run "$RUNSC" --root "$ROOT" update --memory 128m "$ID"
  [ "$status" -eq 0 ] || fail "update --memory 128m: $output"
  wait_for_text "$out/m" "131072 kB" || fail "the lowered limit is not in meminfo"
  "$RUNSC" --root "$ROOT" delete --force "$ID" 3>&-
}

@test "sentry-files: after chroot, absolute paths resolve in the new root" {
  mkdir -p "$BUNDLE/rootfs/sub/bin"
  cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/sub/bin/busybox"
  ln -s busybox "$BUNDLE/rootfs/sub/bin/cat"
  echo outer > "$BUNDLE/rootfs/marker"
  echo inner > "$BUNDLE/rootfs/sub/marker"
  bundle_caps "$BUNDLE" CAP_SYS_CHROOT
  bundle_args "$BUNDLE" /bin/sh -c 'cat /marker; cat /marker; chroot /sub /bin/cat /marker; cat /marker'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "$(printf 'outer\nouter\ninner\nouter')" ] || fail "output: $output"
}

@test "sentry-files: a reader following /dev/kmsg (dmesg -w) sees a record appended later (an OOM kill)" {
  [ -x "$PROBE" ] || fail "no probe at $PROBE"
  cp "$PROBE" "$BUNDLE/rootfs/probe"
  limit=$((64 << 20))
  bundle_jq "$BUNDLE" '.linux.resources.memory.limit = $l' --argjson l "$limit"
  [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] \
    && bundle_jq "$BUNDLE" '.linux.resources.memory.swap = $l' --argjson l "$limit"
  # The follower starts from the end of the log; then a shell allocates past the limit and is killed.
  bundle_args "$BUNDLE" /bin/sh -c '/probe --follow-kmsg="out of memory" > /tmp/f & f=$!
    while ! grep -q following /tmp/f; do sleep 0.1; done
    dd if=/dev/zero of=/dev/null bs=256M count=1 2> /dev/null; echo "hog exited $?"
    wait $f; echo "follower exited $?"; cat /tmp/f'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  grep -q "hog exited 137" <<< "$output" || fail "the hog was not killed: $output"
  grep -q "follower exited 0" <<< "$output" || fail "the follower did not see the OOM record: $output"
  grep -Eq '^followed: 6,[0-9]+,[0-9]+,-;Memory cgroup out of memory' <<< "$output" || fail "record: $output"
}

# The shell that tries to change the sandbox kernel's files, with CAP_SYS_ADMIN.
change_kernel_files ()
{
  bundle_caps "$BUNDLE" CAP_SYS_ADMIN CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER
  bundle_args "$BUNDLE" /bin/sh -c '
    for f in /proc/version /proc/meminfo /proc/sys/kernel/hostname /proc/sys/kernel/osrelease /dev/kmsg; do
      echo x > $f && echo "wrote $f"
      chmod 666 $f && echo "chmod $f"
      umount $f && echo "unmounted $f"
      umount -l $f && echo "detached $f"
      mount -o remount,rw,bind $f && echo "remounted $f"
    done
    umount /proc/timer_list && echo "unmounted /proc/timer_list (masked)"
    umount -l /proc/timer_list && echo "detached /proc/timer_list (masked)"
    cat /proc/version /proc/sys/kernel/osrelease; uname -r
    mount --bind /etc/hostname /proc/version && echo "bound over /proc/version"
    umount / && echo "unmounted the root"
    true'
}

@test "sentry-files: with the host's user namespace the application cannot write, unmount or remount the sandbox kernel's files, even with CAP_SYS_ADMIN" {
  change_kernel_files
  run_in_runsc --userns=host
  [ "$status" -eq 0 ] || fail "status $status: $output"
  ! grep -Eq '^(wrote|chmod|unmounted|detached|remounted|bound) ' <<< "$output" || fail "changed: $output"
  grep -q "^Linux version 4.4.0 " <<< "$output" || fail "/proc/version changed: $output"
  [ "$(grep -cx "4.4.0" <<< "$output")" -eq 2 ] || fail "osrelease or uname changed: $output"
}

# runsc(8), PRIVILEGED CONTAINERS: in the sandbox's user namespace the container's mount namespace is a copy the
# kernel locked (made when its init entered that namespace), so CAP_SYS_ADMIN there cannot unmount, detach or
# remount what the runtime mounted (a mount of its own on top shows its own files, not the host's). runc with the
# same capabilities in the host's user namespace can unmount a masked path (/proc/timer_list): the test would
# see it.
@test "sentry-files: in its own user namespace the application cannot write, unmount or remount the sandbox kernel's files or a masked path, even with CAP_SYS_ADMIN (runc: it unmounts the masked path)" {
  change_kernel_files
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  ! grep -Eq '^(wrote|chmod|unmounted|detached|remounted) ' <<< "$output" || fail "changed: $output"
  grep -q "^Linux version 4.4.0 " <<< "$output" || fail "/proc/version changed: $output"
  [ "$(grep -cx "4.4.0" <<< "$output")" -eq 2 ] || fail "osrelease or uname changed: $output"

  run_in_runc
  echo "runc: $output"
  grep -q "^unmounted /proc/timer_list" <<< "$output" || fail "runc did not unmount the masked path: $output"
}

# Is there a FUSE connection numbered $1 (fusectl, mounted in a mount namespace of its own when the host has not)?
conn_exists ()
{
  unshare -m sh -c 'mountpoint -q /sys/fs/fuse/connections || mount -t fusectl fusectl /sys/fs/fuse/connections
    test -d "/sys/fs/fuse/connections/$1"' sh "$1"
}

@test "sentry-files: the FUSE connection of a container is gone after delete" {
  bundle_args "$BUNDLE" /bin/sleep 1000
  "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  "$RUNSC" --root "$ROOT" start "$ID" 3>&- || fail "start"
  sentry=$("$RUNSC" --root "$ROOT" state "$ID" | jq .pid)
  init=$(container_init_of "$sentry")
  # The filesystem's device (0:N in the container's mountinfo) names its connection, /sys/fs/fuse/connections/N.
  dev=$(awk '$5 == "/proc/version" { print $3 }' "/proc/$init/mountinfo")
  [ -n "$dev" ] || fail "no mount on /proc/version: $(cat "/proc/$init/mountinfo")"
  conn=${dev#0:}
  conn_exists "$conn" || fail "no FUSE connection $conn for device $dev"
  # Nothing of it on the host: the mount is in the container's namespace only.
  ! grep -q fuse.runsc /proc/self/mountinfo || fail "a FUSE mount on the host: $(grep fuse.runsc /proc/self/mountinfo)"
  "$RUNSC" --root "$ROOT" delete --force "$ID" 3>&- || fail "delete"
  for _ in $(seq 50); do conn_exists "$conn" || break; sleep 0.1; done
  ! conn_exists "$conn" || fail "FUSE connection $conn is left after delete"
}

@test "sentry-files: without /dev/fuse, create fails naming it and the fuse module, and leaves nothing" {
  bundle_args "$BUNDLE" /bin/true
  : > "$BATS_TEST_TMPDIR/not-fuse"
  # A mount namespace of the test's own where /dev/fuse is an ordinary file.
  run unshare -m sh -c 'mount --bind "$1" /dev/fuse && exec "$2" --root "$3" create --bundle "$4" "$5"' sh \
    "$BATS_TEST_TMPDIR/not-fuse" "$RUNSC" "$ROOT" "$BUNDLE" "$ID" < /dev/null 3>&-
  [ "$status" -ne 0 ] || fail "create succeeded without FUSE: $output"
  grep -q "/dev/fuse" <<< "$output" && grep -q "fuse kernel module" <<< "$output" || fail "error: $output"
  [ ! -e "$ROOT/$ID" ] || fail "state directory left: $(ls -la "$ROOT/$ID")"
  ! "$RUNSC" --root "$ROOT" state "$ID" > /dev/null 2>&1 3>&- || fail "the container exists"
  ! ls -d /sys/fs/cgroup/*/"$ID" /sys/fs/cgroup/*/*/"$ID" 2> /dev/null | grep -q . || fail "cgroup left"
}

@test "sentry-files: a Debian root filesystem runs python3 -c in the sandbox" {
  debian_rootfs || fail "debootstrap failed"
  bundle_jq "$BUNDLE" '.root.path = $p | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]' \
    --arg p "$DEBIAN_ROOT"
  bundle_args "$BUNDLE" /usr/bin/python3 -c '
import os, platform
print("release", platform.release())
print("version", open("/proc/version").read().strip())
print("mem", os.sysconf("SC_PHYS_PAGES") > 0)
print("self", open("/proc/self/status").read().split("\nPid:\t")[1].split()[0] == str(os.getpid()))
import json, sqlite3, ssl
print("imports ok")'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  for want in "release 4.4.0" "version Linux version 4.4.0 #1 SMP" "mem True" "self True" "imports ok"; do
    grep -qF -- "$want" <<< "$output" || fail "missing '$want' in: $output"
  done
  [ ! -e "$DEBIAN_ROOT/root/.python_history" ]
}

@test "sentry-files: nginx in a Debian root filesystem serves a page to the host" {
  debian_rootfs || fail "debootstrap failed"
  local srv=$BATS_TEST_TMPDIR/srv body
  mkdir -p "$srv/html"
  echo "hello from the sandbox $ID" > "$srv/html/index.html"
  cat > "$srv/nginx.conf" << 'EOF'
worker_processes 1;
error_log stderr;
pid /run/nginx-test.pid;
events { worker_connections 64; }
http {
  access_log off;
  server { listen 8080; root /srv/html; }
}
EOF
  sandbox_netns 7 veth
  bundle_jq "$BUNDLE" '.root.path = $p | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]' --arg p "$DEBIAN_ROOT"
  bundle_bind "$BUNDLE" "$srv" /srv rbind ro
  probe_caps
  bundle_args "$BUNDLE" /usr/sbin/nginx -c /srv/nginx.conf -g 'daemon off;'
  "$RUNSC" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/nginx.out" 2>&1 3>&- \
    || fail "run --detach: $(cat "$BATS_TEST_TMPDIR/nginx.out")"
  body=
  for _ in $(seq 50); do
    # (busybox 1.35 wget crashes with -T: timeout(1) bounds it instead)
    body=$(timeout 3 busybox wget -q -O - http://10.213.7.2:8080/ 2> /dev/null) && [ -n "$body" ] && break
    sleep 0.2
  done
  runtime kill "$ID" KILL > /dev/null 2>&1 || true
  wait_for_status "$ID" stopped 10 || true
  runtime delete --force "$ID" > /dev/null 2>&1 || true
  [ "$body" = "hello from the sandbox $ID" ] || fail "wget got $(printf %q "$body") for $ID; nginx said: $(cat "$BATS_TEST_TMPDIR/nginx.out")"
}
