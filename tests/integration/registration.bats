#!/usr/bin/env bats
# Registering runsc with a containerd that is not Debian 12's: the package's way (the built conf.d drop-in
# and `runsc install --containerd`) against CONTAINERD_VERSION's containerd (1.7 from Debian trixie, 2 from
# sid; tests/lib/containerd-versions.bash), on a copy of that version's own /etc/containerd/config.toml and on
# a host with no config.toml at all.  In each case a private containerd started from the result must have a
# CRI plugin that lists runtimes runsc (type, options) and runc, and run a pod sandbox with each handler
# (packaging-cri.py plays the kubelet).  And runtime options with no ConfigPath, which containerd sends to the
# shim as RuntimeOptions.config_body.  containerd 1.6 is packaging.bats' (the real package on this host):
# skipped here.
#
# Everything lives in $REG_D: etc/ (the config.toml under test, conf.d/runsc.toml: the built drop-in with its
# ConfigPath pointed at the suite's runsc.toml), and the containerd's root, state and socket; teardown_file
# stops the containerd by its pid and removes what names the directory.

load helpers
load shim-helpers
# shellcheck source=../lib/cri-sandbox-image.bash
. "$TESTS_DIR/lib/cri-sandbox-image.bash"

CRI_PY=/usr/bin/python3

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the registration tests run as root"
  fi
  [ "$CONTAINERD_VERSION" != 1.6 ] || skip "containerd 1.6's registration is packaging.bats' (the package, installed)"
  containerd_select "$CONTAINERD_VERSION" || return 1
  echo "# containerd $CONTAINERD_FULL_VERSION ($(command -v containerd))" >&3
  [ -x "$SHIM" ] && [ -x "$RUNSC" ] || { echo "build runsc and the shim first" >&2; return 1; }
  [ -f "$(dirname "$RUNSC")/data/conf.d/runsc.toml" ] || { echo "the drop-in is not built: make" >&2; return 1; }
  "$CRI_PY" -c 'import grpc' || { echo "apt-get install python3-grpcio" >&2; return 1; }
  REG_D=$(mktemp -d "${TMPDIR:-/tmp}/reg.XXXXXX")
  export REG_D
}

teardown_file ()
{
  reg_containerd_stop
  [ -n "${REG_D:-}" ] && rm -rf "$REG_D"
  return 0
}

teardown ()
{
  reg_containerd_stop
}

# The containerd package's own config.toml, as its .deb ships it.
debian_config ()
{
  cat "$(dirname "$(command -v containerd)")/../../etc/containerd/config.toml"
}

# A fresh etc directory $REG_D/$1: conf.d/runsc.toml (the built drop-in, ConfigPath -> our runsc.toml) and
# runsc.toml naming the runsc under test.
make_etc ()
{
  local etc=$REG_D/$1
  rm -rf "$etc"
  mkdir -p "$etc/conf.d" "$REG_D/runsc-root"
  cat > "$REG_D/runsc.toml" << EOF
binary_name = "$RUNSC"
root = "$REG_D/runsc-root"
EOF
  sed "s|^\([[:space:]]*ConfigPath = \).*|\1\"$REG_D/runsc.toml\"|" "$(dirname "$RUNSC")/data/conf.d/runsc.toml" \
    > "$etc/conf.d/runsc.toml"
  echo "$etc"
}

# Start containerd on config $1 with its own root, state and socket, restrict_oom_score_adj (this machine's root
# lacks CAP_SYS_RESOURCE) and the opt plugin's directory under $REG_D: both added to a copy, so that the file
# under test is what runsc install wrote.
reg_containerd_start ()
{
  local cfg=$1 run=$REG_D/run.toml i
  sed "s|/var/lib/containerd/opt|$REG_D/opt|" "$cfg" > "$run"
  if grep -q '^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"\][[:space:]]*$' "$run"; then
    sed -i '/^[[:space:]]*\[plugins\."io\.containerd\.grpc\.v1\.cri"\][[:space:]]*$/a\    restrict_oom_score_adj = true' "$run"
  else
    printf '\n[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n' >> "$run"
  fi
  mkdir -p "$REG_D/c"
  PATH=$(dirname "$SHIM"):$PATH setsid containerd --config "$run" --root "$REG_D/c/root" --state "$REG_D/c/state" \
    --address "$REG_D/c/c.sock" > "$REG_D/c/log" 2>&1 < /dev/null 3>&- &
  echo $! > "$REG_D/c/pid"
  for i in $(seq 100); do
    ctr --address "$REG_D/c/c.sock" version > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "containerd did not start on $cfg:" >&2
  tail -n 20 "$REG_D/c/log" >&2
  return 1
}

reg_containerd_stop ()
{
  [ -n "${REG_D:-}" ] && [ -d "$REG_D/c" ] || return 0
  stop_pid "$(cat "$REG_D/c/pid" 2> /dev/null)"
  kill_naming_dir "$REG_D"
  sleep 0.2
  umount_under "$REG_D"
  rm -rf "$REG_D/c" "$REG_D/run.toml"
}

cri_py ()
{
  timeout -k 5 150 "$CRI_PY" "$BATS_TEST_DIRNAME/packaging-cri.py" "$1" "$REG_D/c/c.sock" "${@:2}"
}

# The running containerd's CRI plugin lists runsc (type, options) and runc, and runs a pod sandbox with each.
check_cri ()
{
  local pod h
  run cri_py status
  [ "$status" -eq 0 ] || fail "CRI status: $output"
  grep -qx 'condition RuntimeReady=True ' <<< "$output" || fail "runtime not ready: $output"
  tail -n1 <<< "$output" | jq -e --arg cp "$REG_D/runsc.toml" '.runsc.runtimeType == "io.containerd.runsc.v1"
    and .runsc.options.TypeUrl == "io.containerd.runsc.v1.options" and .runsc.options.ConfigPath == $cp
    and .runc.runtimeType == "io.containerd.runc.v2"' > /dev/null \
    || fail "the CRI runtimes: $(tail -n1 <<< "$output")"
  cri_sandbox_image_import "$REG_D/run.toml" "$REG_D/c/c.sock" "$REG_D/pause.tar" || fail "no sandbox image"
  for h in runsc runc; do
    run cri_py runp "$h" "reg-$h-$$"
    [ "$status" -eq 0 ] || fail "RunPodSandbox with handler $h: $output; containerd: $(grep -E 'level=error' "$REG_D/c/log" | tail -n 3)"
    pod=$output
    run cri_py inspectp "$pod"
    grep -qx 'state SANDBOX_READY' <<< "$output" || fail "pod with handler $h: $output"
    if [ "$h" = runsc ]; then
      grep -qx 'runtime_type io.containerd.runsc.v1' <<< "$output" || fail "pod with handler runsc: $output"
    else
      grep -qx 'runtime_type io.containerd.runc.v2' <<< "$output" || fail "pod with handler runc: $output"
    fi
    run cri_py rmp "$pod"
    [ "$status" -eq 0 ] || fail "removing the $h pod: $output"
  done
}

@test "registration: the version's own config.toml plus the conf.d drop-in, through runsc install --containerd" {
  etc=$(make_etc debian)
  debian_config > "$etc/config.toml"
  cp "$etc/config.toml" "$etc/config.toml.orig"
  run "$RUNSC" install --containerd --config_file "$etc/config.toml" --dropin "$etc/conf.d/runsc.toml" \
    --shim-config "$REG_D/runsc.toml"
  echo "$output"
  [ "$status" -eq 0 ] || fail "runsc install --containerd: $output"
  if [ "$(containerd_major)" -ge 2 ]; then
    # 2.x deep-merges imports: config.toml imports conf.d, the drop-in carries the runtime.
    assert_output_has "import $etc/conf.d/*.toml"
    grep -qF "imports = [\"$etc/conf.d/*.toml\"]" "$etc/config.toml" || fail "no imports line: $(cat "$etc/config.toml")"
    ! grep -q 'runtimes.runsc' "$etc/config.toml" || fail "the runtime was written into config.toml too"
  else
    # 1.x replaces whole plugin tables from an import: the runtime goes into config.toml itself.
    assert_output_has 'added runtime "runsc"'
    grep -q 'runtimes.runsc\]' "$etc/config.toml" || fail "no runsc table in config.toml: $(cat "$etc/config.toml")"
  fi
  containerd --config "$etc/config.toml" config dump > "$REG_D/dump" 2>&1 || fail "config dump: $(cat "$REG_D/dump")"
  grep -q '\.containerd\.runtimes\.runsc\]' "$REG_D/dump" || fail "the merged configuration has no runtime runsc"
  # (2.1 and later dump the CNI binary directory as the list bin_dirs.)
  grep -Eq "bin_dirs? = \[?[\"']/usr/lib/cni[\"']" "$REG_D/dump" || fail "Debian's CNI bin_dir was lost in the merge"
  reg_containerd_start "$etc/config.toml" || fail "containerd did not start"
  check_cri
  reg_containerd_stop
  # And the uninstall gives config.toml back byte for byte.
  run "$RUNSC" uninstall --containerd --config_file "$etc/config.toml"
  [ "$status" -eq 0 ] || fail "runsc uninstall --containerd: $output"
  cmp "$etc/config.toml" "$etc/config.toml.orig" || fail "config.toml after uninstall: $(diff "$etc/config.toml.orig" "$etc/config.toml")"
}

@test "registration: a host with no config.toml: runsc install --containerd creates one; CRI lists runsc and still runs runc" {
  etc=$(make_etc none)
  [ ! -e "$etc/config.toml" ]
  run "$RUNSC" install --containerd --config_file "$etc/config.toml" --dropin "$etc/conf.d/runsc.toml" \
    --shim-config "$REG_D/runsc.toml"
  echo "$output"
  [ "$status" -eq 0 ] || fail "runsc install --containerd: $output"
  [ -f "$etc/config.toml" ] || fail "no config.toml was written"
  cat "$etc/config.toml"
  if [ "$(containerd_major)" -ge 2 ]; then
    assert_output_has "created $etc/config.toml importing $etc/conf.d/*.toml"
  else
    assert_output_has "wrote runtime \"runsc\""
  fi
  reg_containerd_start "$etc/config.toml" || fail "containerd did not start"
  check_cri
  reg_containerd_stop
  run "$RUNSC" uninstall --containerd --config_file "$etc/config.toml"
  [ "$status" -eq 0 ] || fail "runsc uninstall --containerd: $output"
  [ ! -e "$etc/config.toml" ] || fail "the config.toml runsc install created is still there: $(cat "$etc/config.toml")"
}

@test "registration: runtime options without ConfigPath reach the shim as config_body (binary_name, root)" {
  # containerd 1.7 and 2.x pass the whole options table as RuntimeOptions.config_body when it has no
  # ConfigPath; the shim reads it as it reads a runsc.toml.
  etc=$(make_etc body)
  cat > "$etc/config.toml" << EOF
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
  runtime_type = "io.containerd.runsc.v1"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
  TypeUrl = "io.containerd.runsc.v1.options"
  binary_name = "$RUNSC"
  root = "$REG_D/runsc-root-body"
EOF
  reg_containerd_start "$etc/config.toml" || fail "containerd did not start"
  cri_sandbox_image_import "$REG_D/run.toml" "$REG_D/c/c.sock" "$REG_D/pause.tar" || fail "no sandbox image"
  run cri_py runp runsc "reg-body-$$"
  [ "$status" -eq 0 ] || fail "RunPodSandbox: $output; containerd: $(grep -E 'level=error' "$REG_D/c/log" | tail -n 3)"
  pod=$output
  # The shim ran runsc with the root from config_body (root/<namespace>/<id>).
  [ -d "$REG_D/runsc-root-body/k8s.io/$pod" ] \
    || fail "no runsc state under $REG_D/runsc-root-body/k8s.io: $(ls -R "$REG_D/runsc-root-body" 2>&1 | head)"
  run cri_py inspectp "$pod"
  grep -qx 'state SANDBOX_READY' <<< "$output" || fail "pod: $output"
  run cri_py rmp "$pod"
  [ "$status" -eq 0 ] || fail "removing the pod: $output"
  [ ! -e "$REG_D/runsc-root-body/k8s.io/$pod" ] || fail "runsc state left after the pod's removal"
}
