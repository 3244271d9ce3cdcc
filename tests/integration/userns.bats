#!/usr/bin/env bats
# The sandbox's user namespace by default (runsc(8), USER NAMESPACE): container ids 0-65535 map to a host range
# allocated per sandbox, the root filesystem and bind mounts are idmapped, --userns=host is the old behaviour.
# runc's answer is shown beside ours where a user would compare: under runc (no user namespace in the spec)
# container root is host root.
#
# Each test uses a pool directory and a pool of its own (RUNSC_USERNS_POOL_DIR, --userns-pool), so that the
# ranges it sees are its own whatever else runs on the machine.

load helpers

POOL_BASE=1000000000

setup ()
{
  common_setup
  RUNC=$(command -v runc || true)
  export RUNSC_USERNS_POOL_DIR=$BATS_TEST_TMPDIR/pool
  POOL="--userns-pool=$POOL_BASE:4"
}

teardown ()
{
  [ -z "${HOOK_DIR:-}" ] || rm -rf "$HOOK_DIR"
  common_teardown
}

rt ()
{
  "$RUNSC" --root "$ROOT" "$POOL" "$@" 3>&-
}

# `rt run` of the bundle; $status and $output as bats' run sets them.
run_in_runsc ()
{
  status=0
  rt "$@" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" 2>&1 || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

# The first host id of the range recorded for container $1 (of $ROOT), or nothing.
range_of ()
{
  local f
  for f in "$RUNSC_USERNS_POOL_DIR"/[0-9]*; do
    [ -e "$f" ] || continue
    [ "$(cat "$f")" = "$ROOT/$1" ] && basename "$f"
  done
  return 0
}

create_id ()
{
  local id=$1
  shift
  rt create --bundle "$BUNDLE" "$@" "$id" < /dev/null > "$BATS_TEST_TMPDIR/create-$id.out" 2>&1 \
    || fail "create $id: $(cat "$BATS_TEST_TMPDIR/create-$id.out")"
}

init_pid_of ()
{
  container_init_of "$(rt state "$1" | jq -r .pid)"
}

@test "userns: container root is an unprivileged host uid in a user namespace of its own (runc: host root)" {
  bundle_args "$BUNDLE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
  create_id "$ID"
  base=$(range_of "$ID")
  [ "$base" = "$POOL_BASE" ] || fail "range recorded: '$base' ($(ls -l "$RUNSC_USERNS_POOL_DIR"))"
  init=$(init_pid_of "$ID")
  [ -n "$init" ] || fail "no init"
  # From the host: the init's ids are the range's first ids, and its user namespace is not the host's, so the
  # capabilities its status shows are held in that namespace only: none over the host.
  grep -q "^Uid:[[:space:]]$base[[:space:]]$base" "/proc/$init/status" || fail "host view: $(grep Uid /proc/$init/status)"
  grep -q "^Gid:[[:space:]]$base[[:space:]]" "/proc/$init/status" || fail "host view: $(grep Gid /proc/$init/status)"
  [ "$(readlink "/proc/$init/ns/user")" != "$(readlink /proc/1/ns/user)" ] || fail "the init is in the host's user namespace"
  read -r inside host size < "/proc/$init/uid_map"
  [ "$inside $host $size" = "0 $base 65536" ] || fail "uid_map: $inside $host $size"
  rt start "$ID"
  for _ in $(seq 100); do [ "$(rt state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  out=$(cat "$BATS_TEST_TMPDIR/create-$ID.out")
  [ "$(sed -n 3p <<< "$out")" = 0 ] || fail "id -u inside: $out"
  [ "$(head -1 <<< "$out" | tr -s ' ' | sed 's/^ //')" = "0 $base 65536" ] || fail "uid_map inside: $out"
  [ "$(sed -n 2p <<< "$out" | tr -s ' ' | sed 's/^ //')" = "0 $base 65536" ] || fail "gid_map inside: $out"
  rt delete -f "$ID"
  [ -z "$(range_of "$ID")" ] || fail "the range is still recorded after delete"

  bundle_args "$BUNDLE" sh -c 'cat /proc/self/uid_map'
  run_in_runc
  echo "runc: $output"
  [ "$(tr -s ' ' <<< "$output" | sed 's/^ //')" = "0 0 4294967295" ] || fail "runc: $output"
}

@test "userns: container root binds port 80 in the sandbox's network namespace, which the user namespace owns" {
  bundle_args "$BUNDLE" sh -c 'nc -l -p 80 & p=$!; sleep 0.5; if kill -0 $p 2>/dev/null; then echo listening; kill $p; fi'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "run: $output"
  grep -qx listening <<< "$output" || fail "nc -l -p 80 did not listen: $output"
}

# The init mounts in the outer user namespace and enters the container's afterwards (runsc(8), PRIVILEGED
# CONTAINERS); a createContainer hook, which runs in between, is still container root in the container's user
# namespace, as it is without the nesting and under runc with a user namespace. tmpfs's uid= is a container id.
@test "userns: a createContainer hook runs as container root in the container's user namespace; tmpfs uid= is a container id" {
  # Container root (the range's first host id) must reach it: not under the test's private tmpdir.
  HOOK_DIR=$(mktemp -d /tmp/runsc-hook.XXXXXX)
  chmod 0777 "$HOOK_DIR"
  out=$HOOK_DIR
  bundle_jq "$BUNDLE" '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", $s]}]' \
    --arg s "id -u > $out/id; cat /proc/self/uid_map > $out/map"
  bundle_jq "$BUNDLE" '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["uid=1000", "gid=1000"]}]'
  bundle_args "$BUNDLE" sh -c 'stat -c "%u %g" /t'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "status $status: $output"
  [ "$output" = "1000 1000" ] || fail "tmpfs owner inside: $output"
  [ "$(cat "$out/id")" = 0 ] || fail "hook's uid: $(cat "$out/id")"
  [ "$(tr -s ' ' < "$out/map" | sed 's/^ //')" = "0 $POOL_BASE 65536" ] || fail "hook's uid_map: $(cat "$out/map")"
}

@test "userns: two concurrent sandboxes get disjoint ranges; delete releases; a stale record is reclaimed" {
  bundle_args "$BUNDLE" sleep 100
  create_id "$ID-a" & a=$!
  create_id "$ID-b" & b=$!
  wait $a || fail "create a"
  wait $b || fail "create b"
  ra=$(range_of "$ID-a")
  rb=$(range_of "$ID-b")
  [ -n "$ra" ] && [ -n "$rb" ] && [ "$ra" != "$rb" ] || fail "ranges: a '$ra' b '$rb'"
  ia=$(init_pid_of "$ID-a")
  ib=$(init_pid_of "$ID-b")
  [ "$(awk '{print $2}' "/proc/$ia/uid_map")" = "$ra" ] || fail "a's uid_map: $(cat "/proc/$ia/uid_map")"
  [ "$(awk '{print $2}' "/proc/$ib/uid_map")" = "$rb" ] || fail "b's uid_map: $(cat "/proc/$ib/uid_map")"
  for r in "$ra" "$rb"; do
    [ $(((r - POOL_BASE) % 65536)) -eq 0 ] && [ "$r" -lt $((POOL_BASE + 4 * 65536)) ] || fail "range $r is not the pool's"
  done
  rt delete -f "$ID-a"
  [ -z "$(range_of "$ID-a")" ] || fail "a's range is still recorded"
  # A record whose sandbox's state is gone (a create killed half-way) is reclaimed by the next create.
  echo "$ROOT/gone" > "$RUNSC_USERNS_POOL_DIR/$((POOL_BASE + 3 * 65536))"
  create_id "$ID-c"
  create_id "$ID-d"
  create_id "$ID-e"
  [ ! -e "$RUNSC_USERNS_POOL_DIR/$((POOL_BASE + 3 * 65536))" ] || [ "$(cat "$RUNSC_USERNS_POOL_DIR/$((POOL_BASE + 3 * 65536))")" != "$ROOT/gone" ] \
    || fail "the stale record was not reclaimed"
  # The pool (4 ranges) is full now: the next create fails with a clear error and leaves nothing.
  run rt create --bundle "$BUNDLE" "$ID-f" < /dev/null
  [ "$status" -ne 0 ] || fail "a fifth sandbox got a range of a pool of 4"
  assert_output_has "no free user namespace range"
  [ ! -e "$ROOT/$ID-f" ] || fail "the failed create left $ROOT/$ID-f"
  for i in b c d e; do rt delete -f "$ID-$i"; done
  [ -z "$(ls "$RUNSC_USERNS_POOL_DIR" | grep -v lock)" ] || fail "records left: $(ls "$RUNSC_USERNS_POOL_DIR")"
}

@test "userns: ls -ln / shows the image's owners and chown works inside (as under runc)" {
  chown 1000:1001 "$BUNDLE/rootfs/etc"
  bundle_caps "$BUNDLE" CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER
  bundle_args "$BUNDLE" sh -c 'ls -lnd /bin /etc | awk "{print \$3, \$4, \$9}"; echo x > /f; chown 1234:5678 /f;
    ls -ln /f | awk "{print \$3, \$4}"; chown 42:42 /bin/busybox; ls -ln /bin/busybox | awk "{print \$3, \$4}"'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "run: $output"
  runsc_out=$output
  expected=$'0 0 /bin\n1000 1001 /etc\n1234 5678\n42 42'
  [ "$runsc_out" = "$expected" ] || fail "runsc: $runsc_out"
  # --overlay2=root:memory: the image is untouched.
  [ "$(stat -c '%u:%g' "$BUNDLE/rootfs/bin/busybox")" = 0:0 ] || fail "the image's busybox was chowned"
  run_in_runc
  [ "$output" = "$runsc_out" ] || fail "runc says: $output; runsc: $runsc_out"
}

@test "userns: a file made in a read-write volume has the host owner the mapping gives; an unmapped host file cannot be written" {
  vol=$BATS_TEST_TMPDIR/vol
  mkdir "$vol"
  chmod 777 "$vol"
  echo host-root > "$vol/root-file" # host uid 0: container root through the idmapped mount
  chmod 644 "$vol/root-file"
  echo other > "$vol/unmapped"     # host uid 200000: outside the mapping (0-65535)
  chown 200000:200000 "$vol/unmapped"
  chmod 644 "$vol/unmapped"
  bundle_bind "$BUNDLE" "$vol" /vol rbind rw
  bundle_caps "$BUNDLE" CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_SETUID CAP_SETGID
  bundle_args "$BUNDLE" sh -c 'ls -ln /vol/unmapped | awk "{print \"unmapped owner\", \$3, \$4}";
    echo c > /vol/by-root; echo w >> /vol/root-file && echo root-file-written;
    echo w >> /vol/unmapped && echo unmapped-written; su -s /bin/sh nobody -c "echo n > /vol/by-nobody" 2>/dev/null ||
    busybox setuidgid 1000 sh -c "echo n > /vol/by-1000"'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "run: $output"
  runsc_out=$output
  grep -qx "unmapped owner 65534 65534" <<< "$output" || fail "the unmapped file's owner inside: $output"
  grep -qx root-file-written <<< "$output" || fail "container root could not write host root's file: $output"
  ! grep -q unmapped-written <<< "$output" || fail "container root wrote a host file the mapping does not cover"
  grep -q "Permission denied" <<< "$output" || fail "no permission error: $output"
  [ "$(stat -c %u:%g "$vol/by-root")" = 0:0 ] || fail "container root's file on the host: $(stat -c %u:%g "$vol/by-root")"
  if [ -e "$vol/by-1000" ]; then
    [ "$(stat -c %u "$vol/by-1000")" = 1000 ] || fail "uid 1000's file on the host: $(stat -c %u "$vol/by-1000")"
  fi
  [ "$(cat "$vol/unmapped")" = other ] || fail "the unmapped file changed: $(cat "$vol/unmapped")"
  # runc: container root is host root and writes the file runsc's container root could not.
  rm -f "$vol/by-root" "$vol/by-1000"
  run_in_runc
  echo "runc: $output"
  grep -q unmapped-written <<< "$output" || fail "runc: $output"
}

@test "userns: --userns=host is the old behaviour: no user namespace, no range" {
  bundle_args "$BUNDLE" cat /proc/self/uid_map
  run_in_runsc --userns=host
  [ "$status" -eq 0 ] || fail "run: $output"
  [ "$(tr -s ' ' <<< "$output" | sed 's/^ //')" = "0 0 4294967295" ] || fail "uid_map: $output"
  [ -z "$(ls "$RUNSC_USERNS_POOL_DIR" 2> /dev/null | grep -v lock)" ] || fail "a range was recorded"
}

@test "userns: the spec's own user namespace and mappings are used, and no range is allocated" {
  bundle_jq "$BUNDLE" '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 3000000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 3000000, size: 65536}]'
  # The spec's mappings do not make the image's files the container's (no idmapping, as before): a root the
  # mapped root can reach.
  chmod -R o+rX "$BUNDLE"
  d=$BUNDLE
  while [ "$d" != / ]; do d=$(dirname "$d"); chmod o+x "$d"; done
  bundle_args "$BUNDLE" cat /proc/self/uid_map
  run_in_runsc
  [ "$status" -eq 0 ] || fail "run: $output"
  [ "$(tr -s ' ' <<< "$output" | sed 's/^ //')" = "0 3000000 65536" ] || fail "uid_map: $output"
  [ -z "$(ls "$RUNSC_USERNS_POOL_DIR" 2> /dev/null | grep -v lock)" ] || fail "a range was recorded"
}

@test "userns: a mount that cannot be idmapped fails create naming it, and leaves nothing" {
  bundle_bind "$BUNDLE" /sys/kernel /hostsys rbind ro
  run rt create --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -ne 0 ] || fail "create succeeded with a sysfs bind"
  assert_output_has "mount /sys/kernel on /hostsys"
  assert_output_has "cannot idmap"
  assert_output_has "sysfs"
  [ ! -e "$ROOT/$ID" ] || fail "the failed create left $ROOT/$ID"
  [ -z "$(ls "$RUNSC_USERNS_POOL_DIR" 2> /dev/null | grep -v lock)" ] || fail "the failed create kept its range"
  # With --userns=host the same bind is shared as before.
  bundle_args "$BUNDLE" true
  run_in_runsc --userns=host
  [ "$status" -eq 0 ] || fail "--userns=host: $output"
}

@test "userns: bad --userns and --userns-pool values are clear errors" {
  for v in abc 100:4 1000000:0 4294901760:2 12:34:56 :4 65536:; do
    run "$RUNSC" --root "$ROOT" --userns-pool="$v" list
    [ "$status" -ne 0 ] || fail "--userns-pool=$v accepted"
    assert_output_has "invalid --userns-pool"
    assert_output_has "$v"
  done
  run "$RUNSC" --root "$ROOT" --userns=bogus list
  [ "$status" -ne 0 ] || fail "--userns=bogus accepted"
  assert_output_has "invalid --userns bogus: expected auto or host"
  run "$RUNSC" --root "$ROOT" --userns-pool=65536:1 --userns=host list
  [ "$status" -eq 0 ] || fail "a good pool: $output"
}
