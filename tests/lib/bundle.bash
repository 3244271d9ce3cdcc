# tests/lib/bundle.bash: build OCI bundles whose root filesystem is Debian's busybox-static.
#
# Source this file (bash), then:
#   bundle_rootfs_base           print the path of a cached busybox root filesystem (built once)
#   bundle_new DIR [ARG...]      make a bundle in DIR: DIR/rootfs (a copy of the base) and DIR/config.json
#                                (the standard default spec from `runc spec`, or `runsc spec` when runc is
#                                absent), with terminal false, a writable root, a network namespace and
#                                process.args set to ARG... (default: /bin/true)
#   bundle_args DIR ARG...       set process.args
#   bundle_terminal DIR true|false
#   bundle_readonly DIR true|false
#   bundle_bind DIR SRC DEST [OPTION...]   add a bind mount (options default to rbind,rw)
#   bundle_caps DIR [CAP...]     set all five capability sets to CAP... (none: an empty set)
#   bundle_user DIR UID GID
#   bundle_env DIR NAME=VALUE    append to process.env
#   bundle_jq DIR FILTER [JQ ARGS...]      apply any jq filter to config.json
#   bundle_userns DIR [HOSTID]   a new user namespace mapping container ids 0-65535 to host HOSTID.. (default
#                                100000), the root filesystem owned to match, the bundle reachable by HOSTID
#
# The root filesystem: /bin/busybox (static) and its applets as symlinks (`busybox --install -s`), /etc/passwd
# and /etc/group with root, nobody and a test user "tester" (1000), /tmp (1777), /root, /home/tester and empty
# mount points for /proc, /sys and /dev.  Needs busybox-static and jq.

: "${BUNDLE_CACHE:=${TMPDIR:-/tmp}/runsc-tests-rootfs}"

# The template spec, made once per cache directory.
_bundle_template ()
{
  local tmpl=$BUNDLE_CACHE/config.json.template dir
  if [ ! -s "$tmpl" ]; then
    dir=$(mktemp -d "$BUNDLE_CACHE/spec.XXXXXX") || return 1
    if command -v runc > /dev/null; then
      (cd "$dir" && runc spec) || return 1
    elif [ -n "${RUNSC:-}" ] && [ -x "$RUNSC" ]; then
      (cd "$dir" && "$RUNSC" spec) || return 1
    else
      echo "bundle.bash: neither runc nor \$RUNSC can write a default spec" >&2
      return 1
    fi
    mv "$dir/config.json" "$tmpl.$$" && mv "$tmpl.$$" "$tmpl"
    rm -rf "$dir"
  fi
  printf '%s\n' "$tmpl"
}

bundle_rootfs_base ()
{
  local base=$BUNDLE_CACHE/rootfs bb tmp
  if [ ! -x "$base/bin/busybox" ]; then
    bb=${BUSYBOX:-/bin/busybox}
    if ! file_is_static "$bb"; then
      echo "bundle.bash: $bb is not a static busybox (apt-get install busybox-static)" >&2
      return 1
    fi
    mkdir -p "$BUNDLE_CACHE" || return 1
    tmp=$(mktemp -d "$BUNDLE_CACHE/rootfs.XXXXXX") || return 1
    chmod 0755 "$tmp"
    mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/tester,mnt,run,var/tmp}
    chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
    chmod 0700 "$tmp/root"
    cp "$bb" "$tmp/bin/busybox" || return 1
    chroot "$tmp" /bin/busybox --install -s || return 1
    cat > "$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:test user:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
    cat > "$tmp/etc/group" <<'GROUP'
root:x:0:
tester:x:1000:
nogroup:x:65534:
GROUP
    chown 1000:1000 "$tmp/home/tester"
    echo "runsc-test" > "$tmp/etc/hostname"
    # Another process may have built it at the same time: the first rename wins.
    if ! mv -T "$tmp" "$base" 2> /dev/null; then
      rm -rf "$tmp"
    fi
  fi
  printf '%s\n' "$base"
}

# True when FILE is a statically linked ELF (no PT_INTERP): checked without `file`, which may be absent.
file_is_static ()
{
  [ -x "$1" ] || return 1
  ! LC_ALL=C readelf -l "$1" 2> /dev/null | grep -q 'Requesting program interpreter' \
    && LC_ALL=C readelf -h "$1" > /dev/null 2>&1
}

bundle_jq ()
{
  local dir=$1 filter=$2
  shift 2
  # The spec goes on stdin: after --args, jq takes every word as a positional argument, not a file.
  jq "$filter" "$@" < "$dir/config.json" > "$dir/config.json.new" \
    && mv "$dir/config.json.new" "$dir/config.json"
}

# Print the words given as a JSON array of strings (jq's --args would take words such as -c as its options).
json_array ()
{
  local a out= sep=
  for a in "$@"; do
    out+=$sep$(printf '%s' "$a" | jq -Rs .) || return 1
    sep=,
  done
  printf '[%s]\n' "$out"
}

bundle_args ()
{
  local dir=$1
  shift
  bundle_jq "$dir" '.process.args = $a' --argjson a "$(json_array "$@")"
}

bundle_terminal ()
{
  bundle_jq "$1" '.process.terminal = ($v == "true")' --arg v "$2"
}

bundle_readonly ()
{
  bundle_jq "$1" '.root.readonly = ($v == "true")' --arg v "$2"
}

bundle_bind ()
{
  local dir=$1 src=$2 dest=$3
  shift 3
  [ $# -gt 0 ] || set -- rbind rw
  bundle_jq "$dir" '.mounts += [{destination: $dest, type: "bind", source: $src, options: $o}]' \
    --arg src "$src" --arg dest "$dest" --argjson o "$(json_array "$@")"
}

bundle_caps ()
{
  local dir=$1
  shift
  bundle_jq "$dir" '.process.capabilities = {bounding: $c, effective: $c, inheritable: $c, permitted: $c,
      ambient: $c}' --argjson c "$(json_array "$@")"
}

bundle_user ()
{
  bundle_jq "$1" '.process.user = {uid: ($u | tonumber), gid: ($g | tonumber)}' --arg u "$2" --arg g "$3"
}

bundle_env ()
{
  bundle_jq "$1" '.process.env += [$e]' --arg e "$2"
}

# A user namespace of the spec's own: container uid and gid 0-65535 are host HOSTID-(HOSTID+65535). The root
# filesystem is owned by the mapped root (as a runtime without idmapped mounts needs), and every directory above
# the bundle gets o+x: bats' and mktemp's directories are 0700, and the mapped root must reach the bundle.
bundle_userns ()
{
  local dir=$1 host=${2:-100000} d
  bundle_jq "$dir" '.linux.namespaces += [{type: "user"}]
      | .linux.uidMappings = [{containerID: 0, hostID: ($h | tonumber), size: 65536}]
      | .linux.gidMappings = [{containerID: 0, hostID: ($h | tonumber), size: 65536}]' --arg h "$host" || return 1
  chown -R "$host:$host" "$dir/rootfs" || return 1
  d=$(cd "$dir" && pwd)
  while [ "$d" != / ]; do
    chmod o+x "$d" || return 1
    d=$(dirname "$d")
  done
}

bundle_new ()
{
  local dir=$1 base tmpl
  shift
  [ $# -gt 0 ] || set -- /bin/true
  base=$(bundle_rootfs_base) || return 1
  tmpl=$(_bundle_template) || return 1
  mkdir -p "$dir" || return 1
  cp -a "$base" "$dir/rootfs" || return 1
  jq '.process.terminal = false | .root.readonly = false | .hostname = "runsc-test"' "$tmpl" \
    > "$dir/config.json" || return 1
  bundle_args "$dir" "$@"
}
