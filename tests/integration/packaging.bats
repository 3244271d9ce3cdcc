#!/usr/bin/env bats
# The packages: build the .deb, install it with apt-get on this machine (Debian's containerd 1.6), check that
# containerd's merged config has the runsc runtime (type, options) next to runc and Debian's CNI directory,
# that a containerd started here runs a container with the installed shim and that its CRI plugin accepts the
# runtime and runs a pod sandbox with runtime handler runsc (packaging-cri.py, a minimal CRI client, stands in
# for the kubelet and crictl); remove the package (config.toml and daemon.json come back byte for byte) and purge it (our
# conffiles go). Also: runsc install on a machine without containerd, Docker's daemon.json round trip, the
# RPM, rpmlint and the RPM's scriptlets (rpm -i/-e with a private rpm database), and the version in NEWS,
# debian/changelog, the spec and VERSION.
#
# The machine is left as it was: /etc/containerd/config.toml and /etc/docker are saved first and put back in
# teardown_file, the package is purged, the containerd started here is stopped by pid.
#
# The package against each containerd series: tests/run runs this file whole once, with the host's containerd
# (Debian 12's 1.6), and then, for each other series in CONTAINERD_VERSIONS (1.7: Debian trixie's, 2: sid's;
# tests/lib/containerd-versions.bash), only its "containerd series:" tests (bats --filter), with
# CONTAINERD_VERSION set: setup_file installs the built .deb (building it when it is missing or older than the
# built runsc), and those tests make the host look like one whose containerd is that series (its own
# config.toml, or none at all, and its binaries first on PATH), run the package's registration
# (dpkg-reconfigure runsc) and check what that version's CRI plugin makes of it.
#
# Environment: RUNSC (the built runsc; its directory is the build tree where `make deb` and `make rpm` run),
# CONTAINERD_VERSION (default 1.6).

load helpers
# shellcheck source=../lib/containerd-versions.bash
. "$TESTS_DIR/lib/containerd-versions.bash"
# shellcheck source=../lib/cri-sandbox-image.bash
. "$TESTS_DIR/lib/cri-sandbox-image.bash"
: "${CONTAINERD_VERSION:=1.6}"

BUILD_TREE=$(cd "$(dirname "$RUNSC")" && pwd)
PKG_DIR=$BUILD_TREE/pkg
CONFIG=/etc/containerd/config.toml
MAINTAINER_MARK=runsc-maintainers@lists.runsc.example.org

# apt-get and dpkg may have to wait for another apt-get on the machine.
apt_get ()
{
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y --no-install-recommends "$@" 3>&- 200>&-
}

# Is our runsc package installed (or only its conffiles)?
runsc_pkg_status ()
{
  dpkg-query -W -f='${db:Status-Status}' runsc 2>/dev/null || true
}

# Only one run of this file at a time on a machine: it installs a package and edits /etc/containerd and
# /etc/docker, which two runs (two people's test runs) would fight over. The lock is held on fd 200 from
# setup_file to teardown_file; the daemons started here get the fd closed.
LOCK=/run/lock/runsc-packaging-test.lock

setup_file ()
{
  [ "$(id -u)" -eq 0 ] || return 0
  mkdir -p "$(dirname "$LOCK")"
  exec 200> "$LOCK"
  if ! flock -w 1200 200; then
    echo "another run of packaging.bats has held $LOCK for 20 minutes" >&2
    return 1
  fi
  export SAVE=$BATS_FILE_TMPDIR/saved
  mkdir -p "$SAVE"
  if [ -n "$(runsc_pkg_status)" ] && [ "$(runsc_pkg_status)" != not-installed ]; then
    if dpkg-query -W -f='${Maintainer}' runsc | grep -q "$MAINTAINER_MARK"; then
      apt_get purge runsc > "$SAVE/purge-leftover.log" 2>&1 || true
    else
      echo "another runsc package is installed: not touching it" > "$SAVE/foreign"
    fi
  fi
  if [ -e "$CONFIG" ]; then cp -a "$CONFIG" "$SAVE/config.toml"; fi
  [ -e "$CONFIG.runsc~" ] && touch "$SAVE/had-runsc-backup"
  [ -d /etc/containerd/conf.d ] && touch "$SAVE/had-conf.d"
  if [ -d /etc/docker ]; then
    touch "$SAVE/had-docker-dir"
    [ -e /etc/docker/daemon.json ] && cp -a /etc/docker/daemon.json "$SAVE/daemon.json"
    [ -e /etc/docker/daemon.json~ ] && cp -a /etc/docker/daemon.json~ "$SAVE/daemon.json~"
  fi
  if [ "$CONTAINERD_VERSION" != 1.6 ]; then
    # A pass for another containerd series: only the "containerd series:" tests, which need the package.
    containerd_bin_dir "$CONTAINERD_VERSION" > "$SAVE/series-bin" || return 1
    install_built_deb || return 1
  fi
  true
}

# The built .deb, built first when it is missing or older than the built runsc (a series pass run on its own).
install_built_deb ()
{
  local deb
  deb=$(ls -t "$PKG_DIR"/runsc_*_amd64.deb 2> /dev/null | head -n1)
  if [ -z "$deb" ] || [ "$RUNSC" -nt "$deb" ]; then
    if ! DEB_BUILD_OPTIONS=nocheck make -C "$BUILD_TREE" deb > "$SAVE/make-deb.log" 2>&1 3>&- 200>&-; then
      echo "make deb failed:" >&2
      tail -n 20 "$SAVE/make-deb.log" >&2
      return 1
    fi
    deb=$(ls -t "$PKG_DIR"/runsc_*_amd64.deb | head -n1)
  fi
  if ! (cd "$PKG_DIR" && apt_get install "./$(basename "$deb")") > "$SAVE/install.log" 2>&1; then
    echo "apt-get install $deb failed:" >&2
    tail -n 20 "$SAVE/install.log" >&2
    return 1
  fi
}

teardown_file ()
{
  [ "$(id -u)" -eq 0 ] || return 0
  stop_containerd
  if [ -d "$BATS_FILE_TMPDIR/chroot" ]; then
    grep -o " $BATS_FILE_TMPDIR/chroot[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf --one-file-system "$BATS_FILE_TMPDIR/chroot"
  fi
  if [ ! -e "$SAVE/foreign" ] && [ "$(runsc_pkg_status)" != not-installed ] && [ -n "$(runsc_pkg_status)" ]; then
    apt_get purge runsc > /dev/null 2>&1 || true
  fi
  if [ -e "$SAVE/config.toml" ]; then
    cmp -s "$SAVE/config.toml" "$CONFIG" || cp -a "$SAVE/config.toml" "$CONFIG"
  fi
  [ -e "$SAVE/had-runsc-backup" ] || rm -f "$CONFIG.runsc~"
  [ -e "$SAVE/had-conf.d" ] || rmdir /etc/containerd/conf.d 2> /dev/null || true
  if [ -e "$SAVE/had-docker-dir" ]; then
    if [ -e "$SAVE/daemon.json" ]; then cp -a "$SAVE/daemon.json" /etc/docker/daemon.json; else rm -f /etc/docker/daemon.json; fi
    if [ -e "$SAVE/daemon.json~" ]; then cp -a "$SAVE/daemon.json~" /etc/docker/daemon.json~; else rm -f /etc/docker/daemon.json~; fi
  else
    rm -rf /etc/docker
  fi
  exec 200>&-
}

setup ()
{
  [ "$(id -u)" -eq 0 ] || skip "the packaging tests run as root"
  [ ! -e "$SAVE/foreign" ] || skip "$(cat "$SAVE/foreign")"
}

teardown ()
{
  [ "$(id -u)" -eq 0 ] || return 0
  stop_containerd
  series_restore
}

# A section of `containerd config dump`: the lines after the [header] line up to the next header.
dump_section ()
{
  awk -v h="$2" '
    /^[[:space:]]*\[/ {
      line = $0
      sub(/[[:space:]]+$/, "", line)
      on = length(line) >= length(h) && substr(line, length(line) - length(h) + 1) == h
      next
    }
    on' "$1"
}

CD_DIR=
CD_PID=
# start_containerd [CONFIG]: a private containerd (own root, state and socket) reading CONFIG (default: the
# machine's config.toml).
start_containerd ()
{
  CD_DIR=$(mktemp -d /tmp/runsc-pkg-containerd.XXXXXX)
  echo "$CD_DIR" > "$SAVE/containerd-dir"
  containerd --config "${1:-$CONFIG}" --root "$CD_DIR/root" --state "$CD_DIR/state" --address "$CD_DIR/c.sock" \
    > "$CD_DIR/log" 2>&1 3>&- 200>&- &
  CD_PID=$!
  echo "$CD_PID" > "$SAVE/containerd-pid"
  for _ in $(seq 1 100); do
    [ -S "$CD_DIR/c.sock" ] && ctr --address "$CD_DIR/c.sock" version > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$CD_DIR/log" >&2
  return 1
}

stop_containerd ()
{
  local dir pid p
  dir=$(cat "$SAVE/containerd-dir" 2> /dev/null) || return 0
  pid=$(cat "$SAVE/containerd-pid" 2> /dev/null) || true
  # Shims this containerd started carry its address on their command line.
  for p in $(pgrep -f -- "$dir/c.sock" || true); do
    [ "$p" != "$pid" ] && kill -9 "$p" 2> /dev/null || true
  done
  if [ -n "$pid" ] && kill "$pid" 2> /dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  fi
  grep -o " $dir[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2> /dev/null || true; done
  rm -rf --one-file-system "$dir"
  rm -f "$SAVE/containerd-dir" "$SAVE/containerd-pid"
}

DAEMON_JSON='{
  "log-level": "warn",
  "runtimes": {
    "other": { "path": "/usr/local/bin/other-runtime", "runtimeArgs": ["--flag"] }
  },
  "data-root": "/srv/docker"
}
'

@test "make deb and make deb-source build the packages; lintian reports no error and no unjustified warning" {
  run env DEB_BUILD_OPTIONS=nocheck make -C "$BUILD_TREE" deb
  echo "$output" | tail -30
  [ "$status" -eq 0 ]
  ls "$PKG_DIR"/runsc_*_amd64.deb
  run make -C "$BUILD_TREE" deb-source
  echo "$output" | tail -5
  [ "$status" -eq 0 ]
  ls "$PKG_DIR"/runsc_*.dsc
  # Binary and source checks; warnings fail too, unless debian/source/lintian-overrides justifies them.
  run make -C "$BUILD_TREE" deb-lint
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the .deb holds the binaries, man pages, data files and conffiles" {
  deb=$(ls "$PKG_DIR"/runsc_*_amd64.deb)
  run dpkg-deb -c "$deb"
  for f in ./usr/bin/runsc ./usr/bin/containerd-shim-runsc-v1 ./etc/containerd/runsc.toml \
    ./etc/containerd/conf.d/runsc.toml ./etc/default/runsc ./usr/share/runsc/runtimeclass.yaml \
    ./usr/share/bash-completion/completions/runsc ./usr/share/man/man8/runsc.8.gz \
    ./usr/share/man/man8/runsc-install.8.gz ./usr/share/man/man8/runsc-uninstall.8.gz \
    ./usr/share/man/man8/containerd-shim-runsc-v1.8.gz ./usr/share/man/man5/runsc.toml.5.gz; do
    echo "$output" | grep -q " $f\$" || { echo "missing from the package: $f"; false; }
  done
  run dpkg-deb -f "$deb" Version
  [ "${output%%+*}" = "$(cat "$SRC_DIR/VERSION")" ] || [ "${output%-*}" = "$(cat "$SRC_DIR/VERSION")" ]
  run sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xOf - ./conffiles"
  echo "$output"
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "/etc/containerd/conf.d/runsc.toml /etc/containerd/runsc.toml /etc/default/runsc " ]
}

@test "apt-get install ./runsc_*.deb registers runsc with containerd and Docker, keeping their other settings" {
  mkdir -p /etc/docker
  printf '%s' "$DAEMON_JSON" > /etc/docker/daemon.json
  cp /etc/docker/daemon.json "$SAVE/daemon.json.before-install"
  cp "$CONFIG" "$SAVE/config.toml.before-install"
  cd "$PKG_DIR"
  run apt_get install ./runsc_*_amd64.deb
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(runsc_pkg_status)" = installed ]
  # No systemd here: the postinst says whether containerd must be restarted by hand.
  echo "$output" | grep -Eq 'runsc: containerd is (running, but not under systemd: restart it|not running; it will offer)'
  echo "$output" | grep -q 'added runtime "runsc"'

  # The merged configuration, as containerd reads it.
  containerd config dump > "$BATS_TEST_TMPDIR/dump"
  dump_section "$BATS_TEST_TMPDIR/dump" '.containerd.runtimes.runsc]' > "$BATS_TEST_TMPDIR/runsc"
  dump_section "$BATS_TEST_TMPDIR/dump" '.containerd.runtimes.runsc.options]' > "$BATS_TEST_TMPDIR/options"
  dump_section "$BATS_TEST_TMPDIR/dump" '.containerd.runtimes.runc]' > "$BATS_TEST_TMPDIR/runc"
  cat "$BATS_TEST_TMPDIR/runsc" "$BATS_TEST_TMPDIR/options"
  grep -qx '[[:space:]]*runtime_type = "io.containerd.runsc.v1"' "$BATS_TEST_TMPDIR/runsc"
  grep -qx '[[:space:]]*TypeUrl = "io.containerd.runsc.v1.options"' "$BATS_TEST_TMPDIR/options"
  grep -qx '[[:space:]]*ConfigPath = "/etc/containerd/runsc.toml"' "$BATS_TEST_TMPDIR/options"
  grep -qx '[[:space:]]*runtime_type = "io.containerd.runc.v2"' "$BATS_TEST_TMPDIR/runc"
  dump_section "$BATS_TEST_TMPDIR/dump" '.cni]' | grep -qx '[[:space:]]*bin_dir = "/usr/lib/cni"'
  grep -q 'default_runtime_name = "runc"' "$BATS_TEST_TMPDIR/dump"

  # Every line of Debian's config.toml is still there, in order, ahead of the marked block.
  head -c "$(stat -c %s "$SAVE/config.toml.before-install")" "$CONFIG" | cmp - "$SAVE/config.toml.before-install"
  grep -q '^# BEGIN runsc registration runtime=runsc ' "$CONFIG"
  [ -e "$CONFIG.runsc~" ]

  # Docker: runtimes.runsc added, the rest kept.
  jq -e '.runtimes.runsc.path == "/usr/bin/runsc"' /etc/docker/daemon.json
  jq -e '.runtimes.other.path == "/usr/local/bin/other-runtime" and .runtimes.other.runtimeArgs == ["--flag"]' \
    /etc/docker/daemon.json
  jq -e '.["log-level"] == "warn" and .["data-root"] == "/srv/docker"' /etc/docker/daemon.json

  # Configuring again (dpkg-reconfigure, an upgrade) changes nothing.
  cp "$CONFIG" "$BATS_TEST_TMPDIR/registered"
  run dpkg-reconfigure runsc
  echo "$output"
  [ "$status" -eq 0 ]
  cmp "$CONFIG" "$BATS_TEST_TMPDIR/registered"
  echo "$output" | grep -q 'already registered'

  # The opt-out: with RUNSC_REGISTER_CONTAINERD=no in /etc/default/runsc the postinst leaves config.toml alone.
  cp /etc/default/runsc "$BATS_TEST_TMPDIR/default"
  sed -i 's/^RUNSC_REGISTER_CONTAINERD=.*/RUNSC_REGISTER_CONTAINERD=no/' /etc/default/runsc
  runsc uninstall --containerd
  cmp "$CONFIG" "$SAVE/config.toml.before-install"
  run dpkg-reconfigure runsc
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | grep -q 'not registering with containerd (RUNSC_REGISTER_CONTAINERD=no'
  cmp "$CONFIG" "$SAVE/config.toml.before-install"
  # Back to the default: registered again, as before.
  cp "$BATS_TEST_TMPDIR/default" /etc/default/runsc
  run dpkg-reconfigure runsc
  [ "$status" -eq 0 ]
  cmp "$CONFIG" "$BATS_TEST_TMPDIR/registered"
}

@test "containerd (started here) runs a container with the installed shim; the CRI plugin accepts runtime runsc" {
  [ "$(command -v containerd-shim-runsc-v1)" = /usr/bin/containerd-shim-runsc-v1 ]
  start_containerd
  sock=$CD_DIR/c.sock

  run ctr --address "$sock" plugins ls
  echo "$output" | grep -E 'io.containerd.grpc.v1|cri'
  echo "$output" | grep -E '^io\.containerd\.grpc\.v1[[:space:]]+cri[[:space:]]' | grep -qw ok
  # containerd 1.6 logs the CRI config it started with: the runsc runtime with its type and options.
  grep -o 'runsc:{Type:io.containerd.runsc.v1[^}]*' "$CD_DIR/log" | head -1
  grep -q 'runsc:{Type:io.containerd.runsc.v1' "$CD_DIR/log"
  ! grep -q 'failed to load plugin io.containerd.grpc.v1.cri' "$CD_DIR/log"

  rootfs=$CD_DIR/rootfs
  cp -a "$(bundle_rootfs_base)" "$rootfs"
  run timeout 120 ctr --address "$sock" run --rm --runtime io.containerd.runsc.v1 --rootfs "$rootfs" \
    "pkg-$$-$RANDOM" /bin/sh -c 'echo hello from runsc; uname -r'
  echo "$output"
  tail -20 "$CD_DIR/log"
  [ "$status" -eq 0 ]
  echo "$output" | grep -qx 'hello from runsc'
  echo "$output" | grep -qx '4.4.0'
  stop_containerd
}

# CRI Status through the private containerd's socket $2 (client $1): the runtime is ready and its config has
# runsc (the package's type, options with ConfigPath /etc/containerd/runsc.toml) and runc.
cri_status_lists_runsc ()
{
  local cri=$1 sock=$2
  run /usr/bin/python3 "$cri" status "$sock"
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | grep -qx 'condition RuntimeReady=True '
  echo "$output" | tail -1 | jq -e '.runsc.runtimeType == "io.containerd.runsc.v1"
    and .runsc.options.TypeUrl == "io.containerd.runsc.v1.options"
    and .runsc.options.ConfigPath == "/etc/containerd/runsc.toml"
    and .runc.runtimeType == "io.containerd.runc.v2"'
}

@test "Kubernetes: the CRI plugin lists runtime runsc; a pod sandbox with runtime handler runsc runs" {
  /usr/bin/python3 -c 'import grpc' || skip "python3-grpcio is not installed"
  cri=$BATS_TEST_DIRNAME/packaging-cri.py
  # The installed config, plus restrict_oom_score_adj: this machine's root lacks CAP_SYS_RESOURCE, and the CRI
  # plugin would ask for oom_score_adj -998 (test-environment.md).
  sed '/^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"\][[:space:]]*$/a\    restrict_oom_score_adj = true' \
    "$CONFIG" > "$BATS_TEST_TMPDIR/config.toml"
  containerd --config "$BATS_TEST_TMPDIR/config.toml" config dump | grep -q 'restrict_oom_score_adj = true'
  start_containerd "$BATS_TEST_TMPDIR/config.toml"
  sock=$CD_DIR/c.sock

  cri_status_lists_runsc "$cri" "$sock"

  # The sandbox ("pause") image the CRI plugin uses, made from busybox-static (no registry here).
  cri_sandbox_image_import "$BATS_TEST_TMPDIR/config.toml" "$sock" "$CD_DIR/pause.tar"

  # A handler containerd does not know fails with containerd's own error ...
  run /usr/bin/python3 "$cri" runp "$sock" no-such-handler "pkg-unknown-$$"
  echo "$output"
  [ "$status" -eq 1 ]
  echo "$output" | grep -q 'no runtime for "no-such-handler" is configured'
  # ... and handler runsc runs the pod sandbox with the installed shim.
  run /usr/bin/python3 "$cri" runp "$sock" runsc "pkg-pod-$$"
  echo "$output"
  grep -E 'RunPodSandbox|error' "$CD_DIR/log" | tail -5
  [ "$status" -eq 0 ]
  pod=$output
  run /usr/bin/python3 "$cri" inspectp "$sock" "$pod"
  echo "$output"
  echo "$output" | grep -qx 'state SANDBOX_READY'
  echo "$output" | grep -qx 'runtime_handler runsc'
  echo "$output" | grep -qx 'runtime_type io.containerd.runsc.v1'
  run /usr/bin/python3 "$cri" rmp "$sock" "$pod"
  echo "$output"
  [ "$status" -eq 0 ]
  stop_containerd
}

# --- The package's registration against each containerd series (CONTAINERD_VERSION; see the top). ---

# The directory of the series' containerd, ctr and containerd-shim-runc-v2.
series_bin ()
{
  if [ -s "$SAVE/series-bin" ]; then cat "$SAVE/series-bin"; else containerd_bin_dir "$CONTAINERD_VERSION"; fi
}

# Put back what series_register changed: config.toml (and its .runsc~ backup) and runsc.toml as the package's
# installation left them.
series_restore ()
{
  local keep=$SAVE/series-keep f
  [ -d "$keep" ] || return 0
  for f in config.toml config.toml.runsc~ runsc.toml; do
    if [ -e "$keep/$f" ]; then cp -a "$keep/$f" "/etc/containerd/$f"; else rm -f "/etc/containerd/$f"; fi
  done
  rm -rf "$keep"
}

# series_register own|none: make this host one whose containerd is the series' (its binaries first on PATH;
# config.toml the one that version's Debian package ships, or none at all) and run the package's registration,
# the postinst that apt-get runs, through dpkg-reconfigure.  Its output is in $output.
series_register ()
{
  local keep=$SAVE/series-keep bin f
  bin=$(series_bin) || return 1
  [ "$(runsc_pkg_status)" = installed ] || { echo "the package is not installed" >&2; return 1; }
  mkdir -p "$keep"
  for f in config.toml config.toml.runsc~ runsc.toml; do
    [ ! -e "/etc/containerd/$f" ] || cp -a "/etc/containerd/$f" "$keep/$f"
  done
  rm -f "$CONFIG" "$CONFIG.runsc~"
  if [ "$1" = own ]; then
    if [ "$CONTAINERD_VERSION" = 1.6 ]; then
      [ -e "$SAVE/config.toml" ] || skip "this host had no config.toml of its own"
      cp "$SAVE/config.toml" "$CONFIG"
    else
      cp "$bin/../../etc/containerd/config.toml" "$CONFIG"
    fi
  fi
  PATH=$bin:$PATH
  export PATH
  [ "$(command -v containerd)" = "$bin/containerd" ]
  run dpkg-reconfigure runsc
  echo "$output"
  [ "$status" -eq 0 ]
}

# Start a private containerd of the series on a copy of the registered config.toml with restrict_oom_score_adj
# (this machine's root lacks CAP_SYS_RESOURCE, test-environment.md); the CRI plugin must list runsc (the
# package's runtime: type, options with ConfigPath /etc/containerd/runsc.toml) and runc, and run a pod sandbox
# with each handler, runsc's with the installed shim.
series_check_cri ()
{
  local cri=$BATS_TEST_DIRNAME/packaging-cri.py run_cfg=$BATS_TEST_TMPDIR/run.toml pod h
  /usr/bin/python3 -c 'import grpc' || skip "python3-grpcio is not installed"
  cp "$CONFIG" "$run_cfg"
  if grep -q '^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"\][[:space:]]*$' "$run_cfg"; then
    sed -i '/^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"\][[:space:]]*$/a\    restrict_oom_score_adj = true' "$run_cfg"
  else
    printf '\n[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n' >> "$run_cfg"
  fi
  containerd --config "$run_cfg" config dump > "$BATS_TEST_TMPDIR/dump" 2>&1 || { cat "$BATS_TEST_TMPDIR/dump"; false; }
  grep -q '\.containerd\.runtimes\.runsc\]' "$BATS_TEST_TMPDIR/dump"
  start_containerd "$run_cfg"
  echo "# containerd $(containerd --version | awk '{ print $3 }')"
  sock=$CD_DIR/c.sock
  cri_status_lists_runsc "$cri" "$sock"
  cri_sandbox_image_import "$run_cfg" "$sock" "$CD_DIR/pause.tar"
  for h in runsc runc; do
    run timeout -k 5 150 /usr/bin/python3 "$cri" runp "$sock" "$h" "pkg-$CONTAINERD_VERSION-$h-$$"
    echo "$output"
    grep -E 'level=error' "$CD_DIR/log" | tail -n 3
    [ "$status" -eq 0 ]
    pod=$output
    run /usr/bin/python3 "$cri" inspectp "$sock" "$pod"
    echo "$output"
    echo "$output" | grep -qx 'state SANDBOX_READY'
    echo "$output" | grep -qx "runtime_handler $h"
    if [ "$h" = runsc ]; then
      echo "$output" | grep -qx 'runtime_type io.containerd.runsc.v1'
    else
      echo "$output" | grep -qx 'runtime_type io.containerd.runc.v2'
    fi
    run timeout -k 5 150 /usr/bin/python3 "$cri" rmp "$sock" "$pod"
    echo "$output"
    [ "$status" -eq 0 ]
  done
  stop_containerd
}

@test "containerd series: the package registers with the version's own config.toml; its CRI plugin lists runsc and runs runsc and runc pods" {
  series_register own
  if [ "$(containerd_major)" -ge 2 ]; then
    # 2.x merges imported files: config.toml imports conf.d, the package's drop-in carries the runtime.
    echo "$output" | grep -qF 'import /etc/containerd/conf.d/*.toml'
    grep -qF 'imports = ["/etc/containerd/conf.d/*.toml"]' "$CONFIG"
    [ -z "$(grep 'runtimes\.runsc' "$CONFIG")" ]
  else
    # 1.x replaces a plugin's whole table from an import: the runtime is written into config.toml.
    echo "$output" | grep -q 'added runtime "runsc"'
    grep -q '^# BEGIN runsc registration runtime=runsc ' "$CONFIG"
  fi
  series_check_cri
}

@test "containerd series: on a host without config.toml the package creates one; its CRI plugin lists runsc and still runs runc" {
  series_register none
  [ -f "$CONFIG" ]
  cat "$CONFIG"
  if [ "$(containerd_major)" -ge 2 ]; then
    echo "$output" | grep -qF "created $CONFIG importing /etc/containerd/conf.d/*.toml"
  else
    echo "$output" | grep -qF 'wrote runtime "runsc"'
  fi
  series_check_cri
}

@test "apt-get remove gives config.toml and daemon.json back byte for byte; purge removes our conffiles" {
  [ "$(runsc_pkg_status)" = installed ]
  run apt_get remove runsc
  echo "$output"
  [ "$status" -eq 0 ]
  cmp "$CONFIG" "$SAVE/config.toml.before-install"
  cmp /etc/docker/daemon.json "$SAVE/daemon.json.before-install"
  [ ! -e "$CONFIG.runsc~" ] || [ -e "$SAVE/had-runsc-backup" ]
  [ ! -e /etc/docker/daemon.json~ ]
  [ ! -e /usr/bin/runsc ]
  # remove keeps the conffiles, purge removes them.
  [ "$(runsc_pkg_status)" = config-files ]
  [ -e /etc/containerd/runsc.toml ]
  run apt_get purge runsc
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(runsc_pkg_status)" = not-installed ] || [ -z "$(runsc_pkg_status)" ]
  [ ! -e /etc/containerd/runsc.toml ]
  [ ! -e /etc/containerd/conf.d/runsc.toml ]
  [ ! -e /etc/default/runsc ]
  [ -e "$SAVE/had-conf.d" ] || [ ! -e /etc/containerd/conf.d ]
  cmp "$CONFIG" "$SAVE/config.toml.before-install"
}

@test "on a machine without containerd or Docker (a Debian chroot) the package installs and says what it skipped" {
  command -v debootstrap > /dev/null || skip "debootstrap is not installed"
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2> /dev/null | head -1)
  : "${mirror:=http://deb.debian.org/debian}"
  root=$BATS_FILE_TMPDIR/chroot
  [ -n "$BATS_FILE_TMPDIR" ] && [ "$root" != /chroot ]
  run debootstrap --variant=minbase bookworm "$root" "$mirror"
  [ "$status" -eq 0 ] || { echo "$output" | tail -5; false; }
  cp "$PKG_DIR"/runsc_*_amd64.deb "$root/tmp/"
  cat > "$root/tmp/scenario.sh" << 'SCENARIO'
set -e
export DEBIAN_FRONTEND=noninteractive
cd /tmp
echo "--- install runsc"
apt-get -y --no-install-recommends install ./runsc_*_amd64.deb
test ! -e /etc/containerd/config.toml
test ! -e /etc/docker
echo "--- containerd installed later; the admin runs runsc install --containerd"
apt-get -y --no-install-recommends install containerd > /tmp/containerd.log 2>&1
cp /etc/containerd/config.toml /tmp/config.toml.orig
runsc install --containerd
containerd config dump | grep -F '.containerd.runtimes.runsc]'
echo "--- purge"
apt-get -y purge runsc
cmp /etc/containerd/config.toml /tmp/config.toml.orig
test ! -e /etc/containerd/runsc.toml
SCENARIO
  mount -t proc proc "$root/proc"
  run chroot "$root" sh /tmp/scenario.sh
  umount "$root/proc"
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | sed -n '/--- install runsc/,/--- containerd installed/p' > "$BATS_TEST_TMPDIR/install"
  grep -q 'containerd is not installed.*skipped' "$BATS_TEST_TMPDIR/install"
  grep -q 'Docker is not installed: skipped' "$BATS_TEST_TMPDIR/install"
  echo "$output" | grep -q 'added runtime "runsc"'
}

@test "runsc install --containerd without containerd: skipped (exit 0); once containerd is there, it registers" {
  # A private mount namespace where containerd is not installed: no binary, an empty /etc/containerd.
  cat > "$BATS_TEST_TMPDIR/no-containerd.sh" << EOF
set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /etc/containerd
for c in /usr/bin/containerd /usr/local/bin/containerd /usr/sbin/containerd /usr/local/sbin/containerd; do
  if [ -e "\$c" ]; then mount --bind /dev/null "\$c"; fi
done
echo "--- without containerd"
"$RUNSC" install --containerd
test ! -e /etc/containerd/config.toml
echo "--- containerd installed later"
umount /usr/bin/containerd
"$RUNSC" install --containerd
test -e /etc/containerd/config.toml
containerd --config /etc/containerd/config.toml config dump | grep -F 'runtimes.runsc]'
"$RUNSC" uninstall --containerd
test ! -e /etc/containerd/config.toml
EOF
  run unshare -m bash "$BATS_TEST_TMPDIR/no-containerd.sh"
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | sed -n '/--- without/,/--- containerd installed/p' | grep -q 'containerd is not installed.*skipped'
  echo "$output" | grep -q 'wrote runtime "runsc"'
  echo "$output" | grep -q 'runsc install had created it'
}

@test "runsc install / uninstall for Docker keep daemon.json's other content, byte for byte on uninstall" {
  f=$BATS_TEST_TMPDIR/daemon.json
  printf '%s' "$DAEMON_JSON" > "$f"
  cp "$f" "$BATS_TEST_TMPDIR/orig"
  run "$RUNSC" install --config_file "$f" --runtime runsc-debug -- --debug --network=host
  echo "$output"
  [ "$status" -eq 0 ]
  jq -e --arg p "$RUNSC" '.runtimes["runsc-debug"].path == $p' "$f"
  jq -e '.runtimes["runsc-debug"].runtimeArgs == ["--debug", "--network=host"]' "$f"
  jq -e '.runtimes.other.runtimeArgs == ["--flag"] and .["log-level"] == "warn" and .["data-root"] == "/srv/docker"' "$f"
  cmp "$f~" "$BATS_TEST_TMPDIR/orig"
  # --clobber=false keeps an existing entry; running again changes nothing.
  cp "$f" "$BATS_TEST_TMPDIR/installed"
  run "$RUNSC" install --config_file "$f" --runtime runsc-debug --clobber=false -- --other
  [ "$status" -eq 0 ]
  cmp "$f" "$BATS_TEST_TMPDIR/installed"
  # uninstall --path of another binary leaves it alone; the plain uninstall restores the original bytes.
  run "$RUNSC" uninstall --config_file "$f" --runtime runsc-debug --path /nonexistent/runsc
  [ "$status" -eq 0 ]
  cmp "$f" "$BATS_TEST_TMPDIR/installed"
  run "$RUNSC" uninstall --config_file "$f" --runtime runsc-debug
  echo "$output"
  [ "$status" -eq 0 ]
  cmp "$f" "$BATS_TEST_TMPDIR/orig"
  [ ! -e "$f~" ]
  # Invalid JSON: an error naming the file, and the file untouched.
  echo '{ "broken": ' > "$f"
  run "$RUNSC" install --config_file "$f"
  [ "$status" -eq 1 ]
  echo "$output" | grep -q "$f"
  [ "$(cat "$f")" = '{ "broken": ' ]
}

@test "bash completion completes runsc's commands and flags" {
  [ -r /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
  run bash -c "
    PATH=$(dirname "$RUNSC"):\$PATH
    . /usr/share/bash-completion/bash_completion
    . '$SRC_DIR/data/bash-completion/runsc'
    complete_line () { COMP_LINE=\$1; COMP_POINT=\${#COMP_LINE}; read -ra COMP_WORDS <<< \"\$1\";
      [[ \$1 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _runsc;
      echo \"\$2:\${COMPREPLY[*]}\"; }
    complete_line 'runsc ins' 1
    complete_line 'runsc install --cont' 2
    complete_line 'runsc --deb' 3
    complete_line 'runsc --network ' 4"
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | grep -qx '1:install'
  echo "$output" | grep -qE '^2:--containerd( --containerd-version)?$'
  # Every global flag that starts with --deb, and nothing else.
  line3=$(echo "$output" | sed -n 's/^3://p')
  expected3=$("$RUNSC" --help | grep -oE '^ +--deb[a-z-]*' | tr -d ' ' | sort | tr '\n' ' ')
  [ "$(echo "$line3" | tr ' ' '\n' | sort | tr '\n' ' ')" = "$expected3" ]
  echo "$line3" | grep -qw -- --debug-log
  echo "$output" | grep -qx '4:sandbox host none'
}

@test "make rpm builds the RPM; rpmlint reports no errors" {
  run make -C "$BUILD_TREE" rpm RPMBUILD_FLAGS=--nocheck
  echo "$output" | tail -20
  [ "$status" -eq 0 ]
  rpm=$(ls "$PKG_DIR"/rpmbuild/RPMS/x86_64/runsc-*.rpm)
  run rpm --dbpath "$BATS_TEST_TMPDIR/rpmdb" -qpc "$rpm"
  echo "$output"
  echo "$output" | grep -qx /etc/containerd/runsc.toml
  echo "$output" | grep -qx /etc/containerd/conf.d/runsc.toml
  echo "$output" | grep -qx /etc/sysconfig/runsc
  run rpm --dbpath "$BATS_TEST_TMPDIR/rpmdb" -qpl "$rpm"
  echo "$output" | grep -qx /usr/bin/runsc
  echo "$output" | grep -qx /usr/bin/containerd-shim-runsc-v1
  run rpm --dbpath "$BATS_TEST_TMPDIR/rpmdb" -qp --scripts "$rpm"
  echo "$output" | grep -q 'runsc install --containerd'
  echo "$output" | grep -q 'runsc uninstall --containerd'
  run make -C "$BUILD_TREE" rpm-lint
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | grep -q ' 0 errors'
}

@test "the RPM's scriptlets: rpm -i registers runsc with containerd, rpm -e gives config.toml back byte for byte" {
  rpm=$(ls "$PKG_DIR"/rpmbuild/RPMS/x86_64/runsc-*.rpm)
  [ "$(runsc_pkg_status)" != installed ] || skip "the .deb is installed"
  [ ! -e /usr/bin/runsc ] || skip "/usr/bin/runsc exists"
  had_sysconfig=no
  [ -d /etc/sysconfig ] && had_sysconfig=yes
  db=$BATS_TEST_TMPDIR/rpmdb
  mkdir -p "$db"
  rpm --dbpath "$db" --initdb
  cp "$CONFIG" "$BATS_TEST_TMPDIR/config.toml.orig"
  run rpm --dbpath "$db" -i --nodeps "$rpm"
  echo "$output"
  [ "$status" -eq 0 ]
  rpm --dbpath "$db" -q runsc
  grep -q '^# BEGIN runsc registration runtime=runsc ' "$CONFIG"
  containerd config dump | grep -qF '.containerd.runtimes.runsc]'
  [ -e /etc/sysconfig/runsc ]
  run rpm --dbpath "$db" -e runsc
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$had_sysconfig" = yes ] || rmdir /etc/sysconfig
  cmp "$CONFIG" "$BATS_TEST_TMPDIR/config.toml.orig"
  [ ! -e "$CONFIG.runsc~" ] || [ -e "$SAVE/had-runsc-backup" ]
  [ ! -e /usr/bin/runsc ]
  [ ! -e /etc/containerd/runsc.toml ]
}

@test "VERSION, NEWS, debian/changelog and rpm/runsc.spec agree on the version" {
  version=$(cat "$SRC_DIR/VERSION")
  news=$(grep -m1 -oE '[0-9]+\.[0-9]+\.[0-9]+' "$SRC_DIR/NEWS" || true)
  changelog=$(dpkg-parsechangelog -l "$SRC_DIR/debian/changelog" -S Version)
  spec=$(sed -n 's/^Version:[[:space:]]*//p' "$SRC_DIR/rpm/runsc.spec")
  echo "VERSION $version, NEWS $news, debian/changelog $changelog, spec $spec"
  [ "$news" = "$version" ]
  [ "${changelog%-*}" = "$version" ]
  [ "$spec" = "$version" ]
}
