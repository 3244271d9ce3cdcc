#!/usr/bin/env bats
# The container's mount table beside runc's: linux.rootfsPropagation on "/", and /proc/self/mountinfo in the
# spec's order, with and without a user namespace (runsc(8), PRIVILEGED CONTAINERS and NOTES).

load helpers

setup ()
{
  common_setup
  command -v runc > /dev/null || fail "runc is needed for the side-by-side answers (tests/packages.txt)"
  RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
}

teardown ()
{
  [ -z "${RUNC_ROOT:-}" ] || runc --root "$RUNC_ROOT" delete --force "$ID-runc" > /dev/null 2>&1 || true
  [ -z "${SUB_MOUNT:-}" ] || umount "$SUB_MOUNT" 2> /dev/null || true
  common_teardown
}

# Run the bundle under runtime $1 (runsc or runc) as container $2; print its stdout, fail on an error.
run_one ()
{
  local rt=$1 id=$2 out=$BATS_TEST_TMPDIR/$2.out rc=0
  if [ "$rt" = runsc ]; then
    timeout 60 "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$id" < /dev/null > "$out" 2> "$out.err" 3>&- || rc=$?
  else
    timeout 60 runc --root "$RUNC_ROOT" run --bundle "$BUNDLE" "$id" < /dev/null > "$out" 2> "$out.err" 3>&- || rc=$?
    runc --root "$RUNC_ROOT" delete --force "$id" > /dev/null 2>&1 || true
  fi
  [ "$rc" -eq 0 ] || { echo "$rt: status $rc: $(cat "$out" "$out.err")" >&2; return 1; }
  cat "$out"
}

# The optional fields (propagation) of the "/" line of mountinfo: "-" alone when there are none.
ROOT_PROPAGATION='awk "\$5 == \"/\" { s = \"\"; for (i = 7; \$i != \"-\"; i++) s = s \$i \" \"; print s \"-\" }" /proc/self/mountinfo | sed -E "s/:[0-9]+/:N/g"'

@test "compat-mounts: rootfsPropagation private, rprivate, slave, rslave leave / as runc does" {
  bundle_args "$BUNDLE" sh -c "$ROOT_PROPAGATION"
  local mode a b
  for mode in "" private rprivate slave rslave; do
    [ -z "$mode" ] || bundle_jq "$BUNDLE" '.linux.rootfsPropagation = $m' --arg m "$mode"
    a=$(run_one runsc "$ID-$mode") || fail "runsc $mode"
    b=$(run_one runc "$ID-runc-$mode") || fail "runc $mode"
    echo "# ${mode:-unset}: runsc [$a] runc [$b]" >&3
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "rootfsPropagation ${mode:-unset}: runsc [$a], runc [$b]"
  done
}

@test "compat-mounts: rootfsPropagation shared and rshared make / shared; unbindable makes it unbindable" {
  # What the spec asks and newer runc gives (its rootfsPropagation test expects findmnt to say "shared");
  # Debian's runc 1.1.5 leaves / private for shared and refuses unbindable (EINVAL), runsc(8) NOTES.
  bundle_args "$BUNDLE" sh -c "$ROOT_PROPAGATION"
  local mode a
  for mode in shared rshared unbindable runbindable; do
    bundle_jq "$BUNDLE" '.linux.rootfsPropagation = $m' --arg m "$mode"
    a=$(run_one runsc "$ID-$mode") || fail "runsc $mode"
    echo "# $mode: runsc [$a]" >&3
    case $mode in
      *shared) [ "$a" = "shared:N -" ] || fail "$mode: [$a]" ;;
      *unbindable) [ "$a" = "unbindable -" ] || fail "$mode: [$a]" ;;
    esac
  done
  # A bad value is refused naming the field and the value.
  bundle_jq "$BUNDLE" '.linux.rootfsPropagation = "sideways"'
  run_create
  [ "$status" -ne 0 ] || fail "rootfsPropagation sideways was accepted"
  [[ $output == *rootfsPropagation* && $output == *sideways* ]] || fail "error does not name the field: $output"
}

# The spec's mount points (and /) in the order mountinfo lists them.
MOUNT_ORDER='awk "{ print \$5 }" /proc/self/mountinfo'

check_order ()
{
  local dests a b
  dests=$(jq -r '"/", .mounts[].destination' "$BUNDLE/config.json")
  bundle_args "$BUNDLE" sh -c "$MOUNT_ORDER"
  a=$(run_one runsc "$ID") || fail "runsc"
  b=$(run_one runc "$ID-runc") || fail "runc"
  a=$(grep -xF -f <(echo "$dests") <<< "$a" | tr '\n' ' ')
  b=$(grep -xF -f <(echo "$dests") <<< "$b" | tr '\n' ' ')
  echo "# runsc: $a" >&3
  echo "# runc:  $b" >&3
  [ "$a" = "$b" ] || fail "mountinfo order: runsc [$a], runc [$b]"
  [ "$a" = "$(echo "$dests" | tr '\n' ' ')" ] || fail "mountinfo order [$a] is not the spec's"
}

@test "compat-mounts: mountinfo lists / and the spec's mounts in the spec's order, as runc" {
  check_order
}

@test "compat-mounts: with a user namespace too (/dev/mqueue and /sys after /)" {
  bundle_userns "$BUNDLE"
  check_order
}

@test "compat-mounts: bind mounts (idmapped in the sandbox's user namespace) are listed where the spec puts them" {
  # runsc makes each bind's idmapped copy before the container's mount namespace exists; runtime-tools' mounts
  # test found /etc's binds listed before / (kernels list mountinfo by the order mounts were made).
  local src=$BATS_TEST_TMPDIR/vol out
  mkdir -p "$src/sub"
  mount -t tmpfs compat-sub "$src/sub" || fail "mount a tmpfs on $src/sub"
  SUB_MOUNT=$src/sub
  echo inner > "$src/sub/file"
  bundle_jq "$BUNDLE" '.mounts += [
      {destination: "/tmp/t1", type: "tmpfs", source: "tmpfs", options: ["nosuid", "private"]},
      {destination: "/mnt/etc-shared", source: "/etc", options: ["bind", "shared"]},
      {destination: "/mnt/vol", source: $src, options: ["rbind", "rslave", "ro"]},
      {destination: "/tmp/t2", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]' --arg src "$src"
  check_order
  # The rbind's submount came along with the clone, read-only like its parent.
  bundle_args "$BUNDLE" sh -c 'cat /mnt/vol/sub/file; grep -c " /mnt/vol/sub " /proc/self/mountinfo; touch /mnt/vol/sub/x || echo ro'
  out=$(run_one runsc "$ID-sub") || fail "runsc"
  [ "$out" = "$(printf 'inner\n1\nro')" ] || fail "rbind submount: [$out]"
}
