#!/usr/bin/env bats
# runsc's own command-line surface, beyond the runtime-neutral lifecycle.bats: global flags, logs, the state
# store, the Sentry as the sandbox's pid (fail closed), wait, ps, list, spec.  Runs against $RUNSC only.

load helpers

setup ()
{
  RUNTIME_BIN=$RUNSC
  common_setup
}

teardown ()
{
  common_teardown
  if [ -n "${IMAGE_OVERLAY:-}" ] && mountpoint -q "$IMAGE_OVERLAY"; then umount "$IMAGE_OVERLAY"; fi
}

# Start a detached container running ARGS; sets SPID (the sandbox's pid).
run_detached ()
{
  bundle_args "$BUNDLE" "$@"
  runtime run --detach --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" < /dev/null \
    > "$BATS_TEST_TMPDIR/run.out" 2>&1 || fail "run --detach: $(cat "$BATS_TEST_TMPDIR/run.out")"
  SPID=$(cat "$BATS_TEST_TMPDIR/pid")
}

@test "runsc-cli: --version prints the version, the commit and the spec version" {
  run "$RUNSC" --version
  [ "$status" -eq 0 ]
  [[ ${lines[0]} =~ ^runsc\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "$output"
  [[ ${lines[1]} == commit:\ * ]] || fail "$output"
  [ "${lines[2]}" = "spec: 1.1.0" ] || fail "$output"
}

@test "runsc-cli: an unknown global flag or command is an error naming it" {
  run "$RUNSC" --no-such-flag list
  [ "$status" -eq 1 ]
  assert_output_has "--no-such-flag"
  run "$RUNSC" --root "$ROOT" frobnicate
  [ "$status" -eq 1 ]
  assert_output_has "frobnicate"
  run "$RUNSC" --root "$ROOT" --rootless list
  [ "$status" -eq 1 ]
  assert_output_has "rootless"
  run "$RUNSC" --root "$ROOT" --network=bogus list
  [ "$status" -eq 1 ]
  assert_output_has "--network bogus"
}

@test "runsc-cli: both flag forms and boolean values are accepted" {
  run "$RUNSC" --root="$ROOT" --debug=false --log-format json list --quiet
  [ "$status" -eq 0 ]
  run "$RUNSC" -root "$ROOT" --debug=true list -q
  [ "$status" -eq 0 ]
}

@test "runsc-cli: invalid IDs are refused" {
  for bad in "a/b" ".." "." "a b"; do
    run "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$bad"
    [ "$status" -eq 1 ] || fail "id '$bad' was accepted"
    assert_output_has "invalid container ID"
  done
  [ -z "$(ls -A "$ROOT")" ] || fail "left in root: $(ls -A "$ROOT")"
}

@test "runsc-cli: --log --log-format json gets the error as a JSON line, and stderr gets it too" {
  run "$RUNSC" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json start nope
  [ "$status" -eq 1 ]
  assert_output_has "container nope does not exist"
  tail -n 1 "$BATS_TEST_TMPDIR/log.json" | jq -e '.level == "error" and .msg == "container nope does not exist" and (.time | length > 0)' \
    || fail "log: $(cat "$BATS_TEST_TMPDIR/log.json")"
}

@test "runsc-cli: --debug-log DIR/ gets one file per command, the sandbox's named boot" {
  mkdir -p "$BATS_TEST_TMPDIR/dl"
  bundle_args "$BUNDLE" /bin/true
  run runtime --debug-log "$BATS_TEST_TMPDIR/dl/" run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  ls "$BATS_TEST_TMPDIR"/dl/runsc.log.*.run.txt > /dev/null || fail "no run log: $(ls "$BATS_TEST_TMPDIR/dl")"
  ls "$BATS_TEST_TMPDIR"/dl/runsc.log.*.boot.txt > /dev/null || fail "no boot log: $(ls "$BATS_TEST_TMPDIR/dl")"
  run runtime --debug-log "$BATS_TEST_TMPDIR/dl/%ID%.%COMMAND%" state "$ID"
  [ -e "$BATS_TEST_TMPDIR/dl/$ID.state" ] || fail "no %ID%.%COMMAND% file: $(ls "$BATS_TEST_TMPDIR/dl")"
}

@test "runsc-cli: the state directory is 0711 with state.json, and XDG_RUNTIME_DIR sets the default root" {
  run_detached /bin/sleep 100
  [ "$(stat -c %a "$ROOT/$ID")" = 711 ]
  jq -e --arg id "$ID" --argjson pid "$SPID" '.id == $id and .sandbox_pid == $pid' "$ROOT/$ID/state.json" \
    || fail "$(cat "$ROOT/$ID/state.json")"
  xdg=$BATS_TEST_TMPDIR/xdg
  # Not with bats' run: the container keeps the output pipe open.
  env XDG_RUNTIME_DIR="$xdg" "$RUNSC" create --bundle "$BUNDLE" "$ID-xdg" < /dev/null > "$BATS_TEST_TMPDIR/xdg.out" 2>&1 3>&- \
    || fail "create: $(cat "$BATS_TEST_TMPDIR/xdg.out")"
  [ -f "$xdg/runsc/$ID-xdg/state.json" ] || fail "not under \$XDG_RUNTIME_DIR/runsc: $(ls -R "$xdg")"
  run env XDG_RUNTIME_DIR="$xdg" "$RUNSC" delete "$ID-xdg"
  [ "$status" -eq 0 ] || fail "$output"
  [ ! -e "$xdg/runsc/$ID-xdg" ]
}

@test "runsc-cli: a create ended by SIGTERM while the sandbox starts removes the sandbox, cgroups and state" {
  # A createRuntime hook that does not end keeps the Sentry from reporting: the create is waiting for it.
  local hook_sleep=999.$RANDOM
  bundle_jq "$BUNDLE" '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "touch \($m); exec sleep \($s)"]}]' \
    --arg m "$BATS_TEST_TMPDIR/hook-ran" --arg s "$hook_sleep"
  "$RUNSC" --root "$ROOT" create --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- &
  local pid=$! left deadline=$((SECONDS + 10))
  until [ -e "$BATS_TEST_TMPDIR/hook-ran" ]; do
    [ $SECONDS -lt $deadline ] || fail "the hook never started: $(cat "$BATS_TEST_TMPDIR/create.out")"
    sleep 0.05
  done
  kill -TERM "$pid"
  local status=0
  wait_pid_timeout "$pid" 20 || status=$?
  [ "$status" -ne 124 ] || fail "create did not end on SIGTERM"
  [ "$status" -ne 0 ] || fail "an interrupted create succeeded: $(cat "$BATS_TEST_TMPDIR/create.out")"
  grep -q "interrupted by signal 15" "$BATS_TEST_TMPDIR/create.out" \
    || fail "no message: $(cat "$BATS_TEST_TMPDIR/create.out")"
  [ ! -e "$ROOT/$ID" ] || fail "state directory left: $(ls -A "$ROOT/$ID")"
  left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$ID")
  [ -z "$left" ] || fail "cgroups left: $left"
  deadline=$((SECONDS + 5))
  while [ -n "$(procs_naming "$ID")$(pgrep -fx "sleep $hook_sleep")" ]; do
    [ $SECONDS -lt $deadline ] \
      || fail "processes left: $( (procs_naming "$ID"; pgrep -fx "sleep $hook_sleep") | xargs -r ps -o pid,args -p)"
    sleep 0.1
  done
}

@test "runsc-cli: the pid is the sandbox's (runsc-sandbox), the parent of the container's init" {
  run_detached /bin/sleep 100
  [ "$(state_field "$ID" pid)" = "$SPID" ]
  [ "$(cat "/proc/$SPID/comm")" = runsc-sandbox ] || fail "pid $SPID is $(cat "/proc/$SPID/comm")"
  # Forked by runsc create without an exec (src/cli/boot-fork.c): it still says what it is, and holds none of
  # the create's descriptors (the state directory's lock among them) beyond its own: the state root itself,
  # which it opens to reach from its empty root (runsc(8), THE SENTRY'S CONFINEMENT), and nothing under it.
  cmdline=$(tr '\0' ' ' < "/proc/$SPID/cmdline")
  [[ $cmdline == "runsc-sandbox boot --id=$ID"* ]] || fail "cmdline: $cmdline"
  for fd in "/proc/$SPID/fd/"*; do
    target=$(readlink "$fd")
    case $target in "$ROOT") ;; "$ROOT"*) fail "the sandbox holds $target (fd ${fd##*/})" ;; esac
  done
  run runtime ps --format json "$ID"
  [ "$status" -eq 0 ]
  init=$(echo "$output" | jq '.[0]')
  [ "$(awk '{ print $4 }' "/proc/$init/stat")" = "$SPID" ] || fail "init $init is not the sandbox's child"
  run runtime ps "$ID"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == *PID*CMD* ]] || fail "$output"
  assert_output_has "sleep 100"
}

@test "runsc-cli: killing the sandbox kills the container (fail closed); state stopped, wait 137" {
  run_detached /bin/sh -c 'sleep 300 & sleep 301'
  leak_snapshot "$ID"
  kill -KILL "$SPID"
  wait_for_status "$ID" stopped
  for p in $(pgrep -f 'sleep 30[01]'); do
    [ "$(awk '{ print $4 }' "/proc/$p/stat" 2> /dev/null)" = "$SPID" ] && fail "process $p outlived its sandbox"
    grep -q "$ID" "/proc/$p/cgroup" 2> /dev/null && fail "process $p of the container outlived its sandbox"
  done
  run runtime wait "$ID"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq .exitStatus)" = 137 ] || fail "$output"
  run runtime delete "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  assert_no_leaks
}

@test "runsc-cli: wait returns the exit status of a running container when it exits" {
  run_detached /bin/sh -c 'sleep 1; exit 7'
  run runtime wait "$ID"
  [ "$status" -eq 0 ]
  [ "$output" = "{\"id\":\"$ID\",\"exitStatus\":7}" ] || fail "$output"
  # And again once it has stopped, from what the sandbox recorded.
  run runtime wait "$ID"
  [ "$(echo "$output" | jq .exitStatus)" = 7 ] || fail "$output"
}

@test "runsc-cli: kill --all reaches every process of the container" {
  run_detached /bin/sh -c 'trap "" TERM; sleep 300 & sleep 301 & wait'
  run runtime ps --format json "$ID"
  [ "$(echo "$output" | jq length)" -ge 3 ] || fail "$output"
  run runtime kill --all "$ID" KILL
  [ "$status" -eq 0 ] || fail "$output"
  wait_for_status "$ID" stopped
}

@test "runsc-cli: list --format json and --quiet" {
  run_detached /bin/sleep 100
  run runtime list --format json
  [ "$status" -eq 0 ]
  echo "$output" | jq -e --arg id "$ID" '.[0].id == $id and .[0].status == "running" and .[0].ociVersion == "1.1.0"' \
    || fail "$output"
  run runtime list --quiet
  [ "$output" = "$ID" ]
  run runtime list
  [[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || fail "$output"
}

@test "runsc-cli: spec writes a config.json that runs, and refuses to overwrite it" {
  dir=$BATS_TEST_TMPDIR/specdir
  mkdir -p "$dir"
  run "$RUNSC" spec --bundle "$dir" -- /bin/echo spec-ok
  [ "$status" -eq 0 ] || fail "$output"
  jq -e '.process.args == ["/bin/echo", "spec-ok"] and .process.terminal == true' "$dir/config.json"
  run "$RUNSC" spec --bundle "$dir"
  [ "$status" -eq 1 ]
  assert_output_has "File config.json exists. Remove it first"
  cp -a "$BUNDLE/rootfs" "$dir/rootfs"
  jq '.process.terminal = false' "$dir/config.json" > "$dir/c" && mv "$dir/c" "$dir/config.json"
  run runtime run --bundle "$dir" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  [ "$output" = spec-ok ] || fail "$output"
}

@test "runsc-cli: run in the foreground with a terminal and no console socket proxies the pty" {
  command -v script > /dev/null || skip "script(1) is not installed"
  bundle_args "$BUNDLE" /bin/sh -c 'tty; exit 4'
  bundle_terminal "$BUNDLE" true
  run script -qec "$RUNSC --root $ROOT run --bundle $BUNDLE $ID" /dev/null
  [ "$status" -eq 4 ] || fail "status $status: $output"
  assert_output_has "/dev/pts/"
}

@test "runsc-cli: --overlay2=none writes reach the image, the default root:memory does not" {
  bundle_readonly "$BUNDLE" false
  bundle_args "$BUNDLE" /bin/sh -c 'echo x > /written'
  run runtime run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  [ ! -e "$BUNDLE/rootfs/written" ] || fail "the default overlay let a write reach the image"
  run runtime --overlay2=none run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  [ -e "$BUNDLE/rootfs/written" ] || fail "--overlay2=none did not write through"
}

@test "runsc-cli: over an image overlay the in-memory layer uses its layers, and a non-empty upper layer keeps it whole" {
  # --userns=host: in the default user namespace the image's layers are idmapped and mounted again (idmap.c).
  img=$BATS_TEST_TMPDIR/img
  mkdir -p "$img/lower" "$img/upper" "$img/work" "$img/bundle/rootfs"
  cp -a "$BUNDLE/rootfs/." "$img/lower/"
  echo lower > "$img/lower/from-lower"
  echo gone > "$img/lower/deleted"
  jq '.root.readonly = false' "$BUNDLE/config.json" > "$img/bundle/config.json"
  IMAGE_OVERLAY=$img/bundle/rootfs
  mount -t overlay overlay -o "lowerdir=$img/lower,upperdir=$img/upper,workdir=$img/work" "$IMAGE_OVERLAY"
  bundle_args "$img/bundle" /bin/sh -c 'cat /from-lower; cat /from-upper 2>&1; cat /deleted 2>&1; echo x > /written'
  log=$BATS_TEST_TMPDIR/debug.log

  # A new container's image overlay: empty upper layer, so the sandbox's overlay takes the lower layer itself.
  run runtime --userns=host --debug-log "$log" run --bundle "$img/bundle" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  assert_output_has lower
  assert_output_has "gone"
  grep -q "goes over the image overlay's 1 lower layers" "$log" || fail "the layers were not used: $(cat "$log")"
  [ -z "$(ls -A "$img/upper")" ] || fail "a write reached the image's upper layer: $(ls -A "$img/upper")"
  [ ! -e "$img/lower/written" ] || fail "a write reached the image's lower layer"

  # The image overlay changed since (a file added, one deleted: a whiteout in its upper layer): the sandbox's
  # overlay goes over the image overlay as it is, so both changes are seen.
  echo upper > "$IMAGE_OVERLAY/from-upper"
  rm "$IMAGE_OVERLAY/deleted"
  : > "$log"
  run runtime --userns=host --debug-log "$log" run --bundle "$img/bundle" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  assert_output_has upper
  assert_output_has "No such file"
  grep -q "is not empty" "$log" || fail "$(cat "$log")"
  [ ! -e "$IMAGE_OVERLAY/written" ] || fail "a write reached the image"
}

@test "runsc-cli: --kernel-release sets the release the container sees" {
  bundle_args "$BUNDLE" /bin/uname -r
  run runtime --kernel-release 5.15.0-cli run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  [ "$output" = 5.15.0-cli ] || fail "$output"
}

@test "runsc-cli: a pod member joins the pod's sandbox, and dies with it" {
  pod=$ID-pod
  bundle_args "$BUNDLE" /bin/sleep 1000
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  runtime run --detach --bundle "$BUNDLE" "$pod" < /dev/null > /dev/null 2>&1 3>&- || fail "run the pod sandbox"
  spid=$(state_field "$pod" pid)
  app=$BATS_TEST_TMPDIR/app
  cp -a "$BUNDLE" "$app"
  bundle_args "$app" /bin/sh -c 'echo from-the-app; hostname; exec sleep 999'
  bundle_jq "$app" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  runtime create --bundle "$app" --pid-file "$BATS_TEST_TMPDIR/app.pid" "$ID" < /dev/null \
    > "$BATS_TEST_TMPDIR/app.out" 2>&1 3>&- || fail "create: $(cat "$BATS_TEST_TMPDIR/app.out")"
  [ "$(readlink "$ROOT/$ID/sandbox.sock")" = "../$pod/sandbox.sock" ]
  runtime start "$ID" || fail "start"
  wait_for_text "$BATS_TEST_TMPDIR/app.out" from-the-app
  apid=$(cat "$BATS_TEST_TMPDIR/app.pid")
  [ "$(state_field "$ID" pid)" = "$apid" ]
  [ "$(state_field "$ID" status)" = running ]
  # One Sentry: the app's init is the pod sandbox's child.
  [ "$(awk '{ print $4 }' "/proc/$apid/stat")" = "$spid" ] || fail "app init $apid is not a child of $spid"
  run runtime ps --format json "$ID"
  [ "$(echo "$output" | jq '.[0]')" = "$apid" ] || fail "$output"
  runtime delete --force "$pod" || fail "delete the pod sandbox"
  wait_for_status "$ID" stopped
  run runtime wait "$ID"
  [ "$(echo "$output" | jq .exitStatus)" = 137 ] || fail "$output"
  if proc_present "$apid"; then fail "the app's init $apid outlived its sandbox"; fi
  runtime delete "$ID" || fail "delete the app"
  [ -z "$(ls -A "$ROOT")" ] || fail "left: $(ls -A "$ROOT")"
}

@test "runsc-cli: a pod member exits on its own and is deleted while the pod runs on" {
  pod=$ID-pod
  bundle_args "$BUNDLE" /bin/sleep 1000
  bundle_jq "$BUNDLE" '.annotations = {"io.kubernetes.cri.container-type": "sandbox"}'
  runtime run --detach --bundle "$BUNDLE" "$pod" < /dev/null > /dev/null 2>&1 3>&- || fail "run the pod sandbox"
  app=$BATS_TEST_TMPDIR/app
  cp -a "$BUNDLE" "$app"
  bundle_args "$app" /bin/sh -c 'exit 9'
  bundle_jq "$app" '.annotations = {"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $p}' \
    --arg p "$pod"
  runtime create --bundle "$app" "$ID" < /dev/null > /dev/null 2>&1 3>&- || fail "create"
  runtime start "$ID" || fail "start"
  run runtime wait "$ID"
  [ "$output" = "{\"id\":\"$ID\",\"exitStatus\":9}" ] || fail "$output"
  [ "$(state_field "$ID" status)" = stopped ]
  runtime delete "$ID" || fail "delete"
  [ "$(state_field "$pod" status)" = running ]
  runtime delete --force "$pod"
}

@test "runsc-cli: --network=none gives a loopback that is up and nothing else; host shows the host's links" {
  bundle_args "$BUNDLE" /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags'
  run runtime --network=none run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  [ "${lines[0]}" = lo ] && [ "${#lines[@]}" -eq 2 ] || fail "$output"
  [ $(( ${lines[1]} & 1 )) -eq 1 ] || fail "lo is down: $output"
  run runtime --network=host run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || fail "$output"
  for link in $(ls /sys/class/net); do
    assert_output_has "$link"
  done
}
