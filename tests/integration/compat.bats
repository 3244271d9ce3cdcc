#!/usr/bin/env bats
# runc and gVisor compatibility of runsc's process settings and command line: HOME from the container's
# /etc/passwd, exec --user by name, the "creating" status, and gVisor's global flags that callers pass.

load helpers
load shim-helpers

setup ()
{
  common_setup
}

teardown ()
{
  local p
  for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
    kill -KILL "$p" 2> /dev/null || :
    wait "$p" 2> /dev/null || :
  done
  [ -z "${SHIM_STARTED:-}" ] || shim_containerd_stop
  common_teardown
}

@test "compat: gVisor's common global flags are accepted, a container runs with them" {
  bundle_args "$BUNDLE" sh -c 'echo hello from the sandbox'
  run "$RUNSC" --root "$ROOT" --platform=systrap --panic-log="$BATS_TEST_TMPDIR/panic.log" \
    --debug-log-format=json --file-access=exclusive --file-access-mounts=shared --directfs=true \
    --host-uds=open --host-fifo=open --oci-seccomp=true --ignore-cgroups=false --nvproxy=false \
    --gso=true --software-gso=false --num-network-channels=2 --watchdog-action=log --panic-signal=6 \
    --alsologtostderr=false --cpu-num-from-quota --vfs2 --fuse=true --profile=false --debug-command=boot \
    run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -eq 0 ] || fail "run: status $status: $output"
  assert_output_has "hello from the sandbox"
  for p in ptrace kvm; do
    run "$RUNSC" --root "$ROOT" --platform "$p" list -q
    [ "$status" -eq 0 ] || fail "--platform $p: $output"
  done
}

@test "compat: gVisor flags with a value this runtime cannot honour are refused, naming the flag" {
  run "$RUNSC" --root "$ROOT" --platform=sandboxed list
  [ "$status" -eq 1 ]
  assert_output_has "--platform sandboxed"
  run "$RUNSC" --root "$ROOT" --host-uds=everything list
  [ "$status" -eq 1 ]
  assert_output_has "--host-uds everything"
  run "$RUNSC" --root "$ROOT" --nvproxy=true list
  [ "$status" -eq 1 ]
  assert_output_has "nvproxy"
  run "$RUNSC" --root "$ROOT" --ignore-cgroups list
  [ "$status" -eq 1 ]
  assert_output_has "ignore-cgroups"
  # A flag neither runc nor gVisor has is still unknown.
  run "$RUNSC" --root "$ROOT" --platform-x=1 list
  [ "$status" -eq 1 ]
  assert_output_has "--platform-x"
}

@test "compat: state of a container whose create is in progress says creating, then created" {
  bundle_args "$BUNDLE" sleep 1000
  # A createRuntime hook holds the create for a while (it runs before create records state.json).
  bundle_jq "$BUNDLE" '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo go > \($f); sleep 3"]}]' \
    --arg f "$BATS_TEST_TMPDIR/hook"
  runtime create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 &
  BG_PIDS+=($!)
  wait_for_text "$BATS_TEST_TMPDIR/hook" go
  run runtime state "$ID"
  [ "$status" -eq 0 ] || fail "state during create: $output"
  [ "$(jq -r .status <<< "$output")" = creating ] || fail "$output"
  [ "$(jq -r .id <<< "$output")" = "$ID" ] || fail "$output"
  [ "$(jq -r .pid <<< "$output")" = 0 ] || fail "$output"
  wait_pid_timeout "${BG_PIDS[0]}" 30 || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
  [ "$(state_field "$ID" status)" = created ]
  # A state directory nobody holds and without state.json is not a container being created.
  mkdir "$ROOT/half"
  run runtime state half
  [ "$status" -eq 1 ]
  assert_output_has "does not exist"
}

@test "compat: HOME comes from the container's /etc/passwd when process.env has none" {
  bundle_jq "$BUNDLE" '.process.env |= map(select(startswith("HOME=") | not))'
  bundle_args "$BUNDLE" sh -c 'echo "home=$HOME"'
  # The container's passwd, not the host's: the host has no /home/tester, and user 4242 has no entry.
  echo "tester:x:1000:1000::/home/tester-in-container:/bin/sh" >> "$BUNDLE/rootfs/etc/passwd"
  sed -i '/^tester:x:1000:1000:test user/d' "$BUNDLE/rootfs/etc/passwd"
  run runtime run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$status" -eq 0 ] || fail "$output"
  [ "$output" = "home=/root" ] || fail "uid 0: $output"
  runtime delete -f "$ID" 2> /dev/null || :
  bundle_user "$BUNDLE" 1000 1000
  run runtime run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$output" = "home=/home/tester-in-container" ] || fail "uid 1000: $output"
  runtime delete -f "$ID" 2> /dev/null || :
  bundle_user "$BUNDLE" 4242 4242
  run runtime run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$output" = "home=/" ] || fail "uid 4242 (no entry): $output"
  runtime delete -f "$ID" 2> /dev/null || :
  # process.env's own HOME wins.
  bundle_env "$BUNDLE" HOME=/from-the-spec
  run runtime run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$output" = "home=/from-the-spec" ] || fail "HOME in env: $output"
}

@test "compat: an /etc/passwd that is an absolute symlink is resolved inside the container's root" {
  bundle_jq "$BUNDLE" '.process.env |= map(select(startswith("HOME=") | not))'
  bundle_args "$BUNDLE" sh -c 'echo "home=$HOME"'
  # On the host /etc/passwd-runsc-compat does not exist (or is not ours): inside it names the container's file.
  echo "root:x:0:0::/symlinked-home:/bin/sh" > "$BUNDLE/rootfs/etc/passwd-runsc-compat"
  ln -sf /etc/passwd-runsc-compat "$BUNDLE/rootfs/etc/passwd"
  run runtime run --bundle "$BUNDLE" "$ID" < /dev/null
  [ "$output" = "home=/symlinked-home" ] || fail "$output"
}

@test "compat: exec --user takes names and groups from the container's /etc/passwd and /etc/group; HOME follows" {
  bundle_args "$BUNDLE" sleep 1000
  bundle_jq "$BUNDLE" '.process.env |= map(select(startswith("HOME=") | not))'
  echo "extra:x:2000:tester" >> "$BUNDLE/rootfs/etc/group"
  create_ok
  runtime start "$ID"
  wait_for_status "$ID" running
  run runtime exec --user tester "$ID" sh -c 'echo "$(id -u) $(id -g) $(id -G) $HOME"'
  [ "$status" -eq 0 ] || fail "$output"
  [ "$output" = "1000 1000 1000 2000 /home/tester" ] || fail "tester: $output"
  run runtime exec --user tester:nogroup "$ID" sh -c 'echo "$(id -u) $(id -g) $HOME"'
  [ "$output" = "1000 65534 /home/tester" ] || fail "tester:nogroup: $output"
  run runtime exec -u 65534:tester "$ID" sh -c 'echo "$(id -u) $(id -g) $HOME"'
  [ "$output" = "65534 1000 /nonexistent" ] || fail "65534:tester: $output"
  # Numbers alone are runc's UID[:GID], looked up only for HOME.
  run runtime exec --user 1000:1000 "$ID" sh -c 'echo "$(id -u) $(id -g) $HOME"'
  [ "$output" = "1000 1000 /home/tester" ] || fail "1000:1000: $output"
  run runtime exec --user 4242:4242 "$ID" sh -c 'echo "$(id -u) $(id -g) $HOME"'
  [ "$output" = "4242 4242 /" ] || fail "4242:4242: $output"
  run runtime exec --user tester --env HOME=/elsewhere "$ID" sh -c 'echo $HOME'
  [ "$output" = "/elsewhere" ] || fail "--env HOME: $output"
  # Names the container does not know are errors naming them (the host's users do not count).
  run runtime exec --user nosuchuser "$ID" true
  [ "$status" -ne 0 ]
  assert_output_has "no user nosuchuser"
  run runtime exec --user tester:nosuchgroup "$ID" true
  [ "$status" -ne 0 ]
  assert_output_has "no group nosuchgroup"
  if grep -q '^daemon:' /etc/passwd; then
    run runtime exec --user daemon "$ID" true
    [ "$status" -ne 0 ]
    assert_output_has "no user daemon"
  fi
}

@test "compat: containerd with a gVisor runsc.toml [runsc_config] runs a task; HOME comes from its /etc/passwd" {
  command -v containerd > /dev/null || fail "containerd is not installed"
  [ -x "$SHIM" ] || fail "the shim is missing: $SHIM"
  SHIM_STARTED=1
  shim_containerd_start
  mkdir -p "$BATS_TEST_TMPDIR/logs"
  # As gVisor's installation guide and many clusters write it.
  cat >> "$SHIM_D/runsc.toml" << TOML
[runsc_config]
  platform = "systrap"
  debug = "true"
  debug-log = "$BATS_TEST_TMPDIR/logs/"
  panic-log = "$BATS_TEST_TMPDIR/logs/panic.log"
  file-access = "exclusive"
  overlay2 = "root:memory"
  network = "sandbox"
  directfs = "true"
  host-uds = "open"
TOML
  run shim_run --rm --rootfs "$(bundle_rootfs_base)" "$ID" /bin/sh -c 'echo "task ran, HOME=$HOME"'
  [ "$status" -eq 0 ] || fail "ctr run: status $status: $output; containerd: $(tail -20 "$SHIM_D/containerd.log")"
  assert_output_has "task ran, HOME=/root"
  # The flags reached runsc: its debug log names the commands the shim ran.
  ls "$BATS_TEST_TMPDIR/logs" | grep -q . || fail "no debug log from runsc"
}
