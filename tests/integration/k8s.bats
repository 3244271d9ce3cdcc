#!/usr/bin/env bats
# Kubernetes through containerd's CRI plugin: RuntimeClass handler "runsc" -> io.containerd.runsc.v1.
#
# No kubelet runs here: tests/cri/cri.py plays its part over the CRI gRPC socket of a containerd started for
# this suite (tests/cri/k8s-helpers.bash; Debian 12's 1.6 by default, CONTAINERD_VERSION=1.7 or 2 for Debian
# trixie's or sid's, which tests/run also runs): CRI plugin with restrict_oom_score_adj, runtimes runc and runsc
# (options ConfigPath -> a runsc.toml naming the runsc under test), sandbox_image = a pause image built here
# from tests/cri/pause.c, a busybox image from busybox-static, and a CNI bridge network created here.
#
# K8S_HANDLER (default runsc) is the handler the pods use; K8S_HANDLER=runc runs the same suite through runc,
# where the sandbox-specific answers are runc's own (that is how the harness itself was checked).

load helpers
load ../cri/k8s-helpers

: "${K8S_HANDLER:=runsc}"

is_runsc ()
{
  [ "$K8S_HANDLER" = runsc ]
}

setup_file ()
{
  if [ "$(id -u)" -ne 0 ]; then
    skip "the Kubernetes tests run as root"
  fi
  containerd_select "$CONTAINERD_VERSION" || return 1
  command -v containerd > /dev/null || { echo "containerd is not installed" >&2; return 1; }
  echo "# containerd $CONTAINERD_FULL_VERSION ($(command -v containerd))" >&3
  [ -x "$SHIM" ] || { echo "the shim is missing: $SHIM" >&2; return 1; }
  [ -x "$RUNSC" ] || { echo "runsc is missing: $RUNSC" >&2; return 1; }
  [ -x /usr/lib/cni/bridge ] || { echo "apt-get install containernetworking-plugins" >&2; return 1; }
  "$K8S_PY" -c 'import grpc, grpc_tools' || { echo "apt-get install python3-grpcio python3-grpc-tools" >&2; return 1; }
  k8s_start
}

teardown_file ()
{
  k8s_stop
}

teardown ()
{
  # A failing test's pods are removed here, so that the next test starts clean; containerd's complaints during
  # the failing test are shown with it.
  local p
  if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${K8S_D:-}" ]; then
    k8s_diag
  fi
  if [ -n "${K8S_D:-}" ] && [ -S "$K8S_D/containerd.sock" ]; then
    for p in $(cri pods 2> /dev/null | jq -r '.items[]?.id'); do
      cri stopp "$p" > /dev/null 2>&1
      cri rmp "$p" > /dev/null 2>&1
    done
  fi
}

# The host pid of container $1 (ContainerStatus' verbose info).
ctr_pid ()
{
  cri inspect "$1" | jq -r '.info.info.pid'
}

# The pid of the Sentry (the topmost runsc-sandbox process) above pid $1, or nothing.
sentry_of ()
{
  local pid=$1 found= ppid comm
  while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
    comm=$({ tr '\0' '\n' < "/proc/$pid/cmdline"; } 2> /dev/null | head -n1)
    [ "$comm" = runsc-sandbox ] && found=$pid
    ppid=$(awk '{print $4}' "/proc/$pid/stat" 2> /dev/null)
    pid=$ppid
  done
  echo "$found"
}

# The shim processes serving this suite's containerd.
shim_procs ()
{
  local p
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null \
      | grep -q -- "containerd-shim-[a-z0-9-]* .*-address $K8S_D/containerd.sock"; then
      echo "${p#/proc/}"
    fi
  done
}

# Wait up to $3 s (default 15) for the CRI log of container $1 (name) to hold the fixed string $2.
wait_log ()
{
  wait_for_text "$(k8s_log "$1")" "$2" "${3:-15}"
}

# The message lines of a CRI log file (without time, stream and tag).
log_text ()
{
  sed -E 's/^[^ ]+ (stdout|stderr) [FP] //' "$1"
}

@test "k8s: CRI Status lists runtimes runc and runsc (type, ConfigPath); an unknown handler fails with containerd's error" {
  run cri status
  [ "$status" -eq 0 ] || fail "status: $output"
  jq -e '.status.conditions[] | select(.type == "RuntimeReady") | .status' <<< "$output" > /dev/null \
    || fail "runtime not ready: $output"
  jq -e --arg cp "$K8S_D/runsc.toml" '.info.config.containerd.runtimes
    | .runsc.runtimeType == "io.containerd.runsc.v1" and .runsc.options.ConfigPath == $cp
      and .runc.runtimeType == "io.containerd.runc.v2"' <<< "$output" > /dev/null \
    || fail "runtimes: $(jq -c .info.config.containerd.runtimes <<< "$output")"
  if [ "$(containerd_major)" -ge 2 ]; then
    # containerd 2.x moved the sandbox image to the images plugin (pinned_images.sandbox), which Status does
    # not show: its merged configuration does.
    containerd --config "$K8S_D/config.toml" config dump 2> /dev/null | grep -A3 'pinned_images\]' \
      | grep -Eq "^[[:space:]]*sandbox = ['\"]$K8S_PAUSE_IMAGE['\"]\$" \
      || fail "sandbox image: $(containerd --config "$K8S_D/config.toml" config dump 2>&1 | grep -A3 pinned_images)"
  else
    jq -e --arg img "$K8S_PAUSE_IMAGE" '.info.config.sandboxImage == $img' <<< "$output" > /dev/null \
      || fail "sandbox image: $(jq -c .info.config.sandboxImage <<< "$output")"
  fi

  pod=$(k8s_pod_json unknown-handler)
  run cri runp "$pod" no-such-handler
  [ "$status" -ne 0 ] || fail "a pod with handler no-such-handler ran: $output"
  assert_output_has 'no runtime for "no-such-handler" is configured'
  [ "$(cri pods | jq '.items | length')" -eq 0 ] || fail "a pod was left: $(cri pods)"
  # The project's RuntimeClass names the handler registered here.
  grep -qx 'handler: runsc' "$SRC_DIR/data/runtimeclass.yaml" || fail "data/runtimeclass.yaml: handler is not runsc"
}

@test "k8s: pod lifecycle: run, create, start, status, list, stop, remove (containers and pod)" {
  k8s_runp life "$K8S_HANDLER" || fail "RunPodSandbox with handler $K8S_HANDLER failed"
  run cri inspectp "$POD"
  [ "$status" -eq 0 ] || fail "PodSandboxStatus: $output"
  [ "$(jq -r .status.state <<< "$output")" = SANDBOX_READY ] || fail "pod state: $output"
  [ "$(jq -r .status.runtime_handler <<< "$output")" = "$K8S_HANDLER" ] || fail "handler: $output"
  [ "$(jq -r .info.info.runtimeType <<< "$output")" = "io.containerd.$K8S_HANDLER.v$([ "$K8S_HANDLER" = runsc ] && echo 1 || echo 2)" ] \
    || fail "runtime type: $(jq -r .info.info.runtimeType <<< "$output")"
  ip=$(jq -r .status.network.ip <<< "$output")
  [[ $ip == "$K8S_NET".* ]] || fail "pod IP '$ip' is not in the test network $K8S_NET.0/24"

  cfg=$(k8s_ctr_json app "$K8S_BUSYBOX_IMAGE" \
    '["/bin/sh","-c","echo started; uname -r; trap \"echo got-TERM; exit 0\" TERM; while :; do sleep 0.2; done"]')
  CTR=$(cri create "$POD" "$cfg" "$POD_JSON") || fail "CreateContainer failed"
  [ "$(cri inspect "$CTR" | jq -r .status.state)" = CONTAINER_CREATED ] || fail "state after create: $(cri inspect "$CTR")"
  cri start "$CTR" || fail "StartContainer failed"
  cri wait "$CTR" CONTAINER_RUNNING 10
  wait_log app started
  if is_runsc; then
    [ "$(log_text "$(k8s_log app)" | sed -n 2p)" = 4.4.0 ] || fail "uname -r in the pod: $(cat "$(k8s_log app)")"
  else
    [ "$(log_text "$(k8s_log app)" | sed -n 2p)" = "$(uname -r)" ] || fail "uname -r under runc: $(cat "$(k8s_log app)")"
  fi

  run cri ps "$POD"
  [ "$(jq -r --arg id "$CTR" '.containers[] | select(.id == $id) | .state' <<< "$output")" = CONTAINER_RUNNING ] \
    || fail "ListContainers: $output"
  [ "$(jq -r --arg id "$CTR" '.containers[] | select(.id == $id) | .pod_sandbox_id' <<< "$output")" = "$POD" ] \
    || fail "ListContainers pod id: $output"

  # StopContainer with a grace period: the process gets SIGTERM and exits 0 on its own.
  cri stop "$CTR" 10 || fail "StopContainer failed"
  run cri inspect "$CTR"
  [ "$(jq -r .status.state <<< "$output")" = CONTAINER_EXITED ] || fail "state after stop: $output"
  [ "$(jq -r .status.exit_code <<< "$output")" = 0 ] || fail "exit code after a TERM the app handled: $output"
  [ "$(jq -r .status.reason <<< "$output")" = Completed ] || fail "reason: $output"
  wait_log app got-TERM 5
  cri rm "$CTR" || fail "RemoveContainer failed"
  [ "$(cri ps "$POD" | jq '.containers | length')" -eq 0 ] || fail "container left: $(cri ps "$POD")"

  cri stopp "$POD" || fail "StopPodSandbox failed"
  [ "$(cri inspectp "$POD" | jq -r .status.state)" = SANDBOX_NOTREADY ] || fail "pod state after stop"
  cri rmp "$POD" || fail "RemovePodSandbox failed"
  [ "$(cri pods | jq '.items | length')" -eq 0 ] || fail "pod left: $(cri pods)"
  # Nothing of the pod keeps running: no shim, no sandbox process naming it.
  sleep 0.5
  [ -z "$(shim_procs)" ] || fail "shim still running: $(shim_procs | xargs -r ps -o pid,args -p)"
  ! pgrep -f -- "--id=$POD" > /dev/null || fail "sandbox still running: $(pgrep -af -- "--id=$POD")"
}

@test "k8s: ExecSync: stdout, stderr and exit code of a command in a running container" {
  k8s_runp execsync "$K8S_HANDLER" || fail "RunPodSandbox failed"
  k8s_run_ctr sleeper '["/bin/sleep","1000"]' || fail "container did not start"
  run cri exec-sync "$CTR" 20 /bin/sh -c 'echo to-out; echo to-err >&2; uname -r; exit 3'
  [ "$status" -eq 3 ] || fail "ExecSync: status $status, expected 3: $output"
  assert_output_has to-out
  assert_output_has to-err
  if is_runsc; then
    assert_output_has 4.4.0
  fi
}

@test "k8s: Exec through the streaming server: stdin in, output and exit code out" {
  k8s_runp execstream "$K8S_HANDLER" || fail "RunPodSandbox failed"
  k8s_run_ctr sleeper '["/bin/sleep","1000"]' || fail "container did not start"
  run bash -c "echo through-stdin | $K8S_PY $K8S_CRI_DIR/cri.py --sock $K8S_D/containerd.sock exec -i $CTR \
    /bin/sh -c 'read l; echo got:\$l; exit 4'"
  [ "$status" -eq 4 ] || fail "Exec: status $status, expected 4: $output"
  assert_output_has got:through-stdin
  # With a terminal (kubectl exec -it): the command's stdio is a pty, which echoes the input (CR LF endings).
  run bash -c "(echo typed; sleep 1) | $K8S_PY $K8S_CRI_DIR/cri.py --sock $K8S_D/containerd.sock exec -i -t $CTR \
    /bin/sh -c 'tty; read l; echo got:\$l; exit 6'"
  [ "$status" -eq 6 ] || fail "Exec -t: status $status, expected 6: $output"
  grep -q '^/dev/pts/[0-9]' <<< "$output" || fail "Exec -t: no terminal: $output"
  assert_output_has got:typed
}

@test "k8s: Attach to a running container's stdin and stdout" {
  k8s_runp attach "$K8S_HANDLER" || fail "RunPodSandbox failed"
  # A line in, its answer out, then the container exits 5.
  k8s_run_ctr reader '["/bin/sh","-c","echo ready; read l; echo attached:$l; exit 5"]' '.stdin = true | .stdin_once = true'
  wait_log reader ready
  run bash -c "(echo hello; sleep 3) | timeout 30 $K8S_PY $K8S_CRI_DIR/cri.py --sock $K8S_D/containerd.sock attach -i $CTR"
  assert_output_has attached:hello
  cri wait "$CTR" CONTAINER_EXITED 10
  [ "$(cri inspect "$CTR" | jq -r .status.exit_code)" = 5 ] || fail "exit code after attach: $(cri inspect "$CTR")"
}

@test "k8s: two app containers in one pod: one Sentry, one shim, localhost between them, own root filesystems and mounts" {
  mkdir -p "$K8S_D/vol-a" "$K8S_D/vol-b"
  echo volume-a > "$K8S_D/vol-a/which"
  echo volume-b > "$K8S_D/vol-b/which"
  k8s_runp twins "$K8S_HANDLER" || fail "RunPodSandbox failed"
  ip=$(cri inspectp "$POD" | jq -r .status.network.ip)
  k8s_run_ctr web '["/bin/sh","-c","mkdir -p /tmp/www; echo served-by-web > /tmp/www/index.html; echo only-web > /only-web; echo kernel=$(uname -r); cat /data/which; dmesg | sed s/^/dmesg:/; echo dmesg-done; exec httpd -f -p 8080 -h /tmp/www"]' \
    '.mounts = [{container_path: "/data", host_path: "'"$K8S_D"'/vol-a", readonly: true}]' || fail "web did not start"
  WEB=$CTR
  wait_log web dmesg-done
  k8s_run_ctr client '["/bin/sh","-c","echo kernel=$(uname -r); cat /data/which; test -e /only-web && echo sees-web-root || echo own-root; sleep 1; echo fetched=$(wget -q -O- http://127.0.0.1:8080/); dmesg | sed s/^/dmesg:/; echo dmesg-done; sleep 1000"]' \
    '.mounts = [{container_path: "/data", host_path: "'"$K8S_D"'/vol-b", readonly: true}]' || fail "client did not start"
  CLIENT=$CTR
  wait_log client dmesg-done 20
  web_log=$(log_text "$(k8s_log web)")
  client_log=$(log_text "$(k8s_log client)")
  echo "web: $web_log" >&2
  echo "client: $client_log" >&2

  # Each container has its own root filesystem and its own mount.
  grep -qx volume-a <<< "$web_log" || fail "web's /data is not volume a"
  grep -qx volume-b <<< "$client_log" || fail "client's /data is not volume b"
  grep -qx own-root <<< "$client_log" || fail "client sees web's root filesystem"
  # The second container reaches the first on localhost (the pod's network), and the host reaches the pod.
  grep -qx fetched=served-by-web <<< "$client_log" || fail "client could not fetch from web on localhost"
  run timeout 10 busybox wget -q -O- "http://$ip:8080/"
  [ "$output" = served-by-web ] || fail "the host could not fetch from the pod at $ip: $output"

  pause_pid=$(cri inspectp "$POD" | jq -r .info.info.pid)
  web_pid=$(ctr_pid "$WEB")
  client_pid=$(ctr_pid "$CLIENT")
  if is_runsc; then
    # Every sandbox property is checked, and all that differ are reported together.
    errors=()
    grep -qx kernel=4.4.0 <<< "$web_log" || errors+=("web's kernel release is not 4.4.0")
    grep -qx kernel=4.4.0 <<< "$client_log" || errors+=("client's kernel release is not 4.4.0")
    # The same kernel log in both containers of the pod (the sandbox's, generated once at its boot).
    web_dmesg=$(grep '^dmesg:' <<< "$web_log")
    client_dmesg=$(grep '^dmesg:' <<< "$client_log")
    head -n1 <<< "$web_dmesg" | grep -q Starting || errors+=("web's dmesg: $web_dmesg")
    [ "$web_dmesg" = "$client_dmesg" ] \
      || errors+=("the two containers see different kernel logs: $(diff <(echo "$web_dmesg") <(echo "$client_dmesg") | head -n 8)")
    # One shim for the pod ...
    [ "$(shim_procs | wc -l)" -eq 1 ] || errors+=("shims for one pod: $(shim_procs | xargs -r ps -o pid,args -p)")
    # ... and one Sentry: the pause container and both app containers run under the same runsc-sandbox.
    s_pause=$(sentry_of "$pause_pid")
    s_web=$(sentry_of "$web_pid")
    s_client=$(sentry_of "$client_pid")
    [ -n "$s_pause" ] || errors+=("no runsc-sandbox above the pause container (pid $pause_pid)")
    [ "$s_web" = "$s_pause" ] && [ "$s_client" = "$s_pause" ] \
      || errors+=("Sentries (runsc-sandbox pids): pause $s_pause, web $s_web, client $s_client; one per container, not one per pod")
    [ ${#errors[@]} -eq 0 ] || fail "$(printf '\n  - %s' "${errors[@]}")"
  else
    grep -qx "kernel=$(uname -r)" <<< "$web_log" || fail "web's kernel release under runc"
  fi
}

@test "k8s: cgroups: sandbox in the pod cgroup, the memory limit in /proc/meminfo, ContainerStats, UpdateContainerResources" {
  # As the kubelet: the pod cgroup gets the sum of the containers' limits, each container its own.
  k8s_runp_limited limits "$K8S_HANDLER" 67108864 50000 100000 || fail "RunPodSandbox failed"
  pod_cg=$(jq -r .linux.cgroup_parent "$POD_JSON")
  k8s_run_ctr limited '["/bin/sh","-c","while :; do echo $(grep MemTotal /proc/meminfo); sleep 0.3; done"]' \
    '.linux.resources.memory_limit_in_bytes = 67108864 | .linux.resources.cpu_period = 100000 | .linux.resources.cpu_quota = 50000' \
    || fail "container did not start"
  wait_log limited MemTotal

  # Every check runs; all that fail are reported together.
  errors=()
  # Accounting: the sandbox (Sentry, or runc's pause) and the app are in the pod-level cgroup.
  pause_pid=$(cri inspectp "$POD" | jq -r .info.info.pid)
  app_pid=$(ctr_pid "$CTR")
  box=$pause_pid
  if is_runsc; then
    box=$(sentry_of "$pause_pid")
    [ -n "$box" ] || fail "no Sentry above the pause pid $pause_pid"
  fi
  box_cg=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$box/cgroup")
  app_cg=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$app_pid/cgroup")
  echo "pod cgroup $pod_cg; sandbox pid $box in $box_cg; app pid $app_pid in $app_cg" >&2
  [[ $box_cg == "$pod_cg" || $box_cg == "$pod_cg"/* ]] || errors+=("sandbox pid $box is in memory cgroup $box_cg, not under the pod's $pod_cg")
  [[ $app_cg == "$pod_cg"/* || $app_cg == "$pod_cg" ]] || errors+=("app pid $app_pid is in memory cgroup $app_cg, not under the pod's $pod_cg")
  usage=$(cat "/sys/fs/cgroup/memory$pod_cg/memory.usage_in_bytes")
  [ "$usage" -gt 0 ] || errors+=("the pod cgroup accounts no memory")
  # The container's own limit is applied to the cgroup its processes are in.
  limit=$(cat "/sys/fs/cgroup/memory$app_cg/memory.limit_in_bytes")
  [ "$limit" = 67108864 ] || errors+=("the app's memory cgroup $app_cg has limit $limit, not the container's 64 MiB")

  if is_runsc; then
    # The limit is visible inside: MemTotal is the container's (and the pod's) 64 MiB.
    now=$(log_text "$(k8s_log limited)" | tail -n1)
    [ "$now" = 'MemTotal: 65536 kB' ] || errors+=("meminfo in the pod: $now, expected 65536 kB")
  fi

  run cri stats "$CTR"
  if [ "$status" -eq 0 ]; then
    ws=$(jq -r '.stats.memory.working_set_bytes.value // 0' <<< "$output")
    cpu=$(jq -r '.stats.cpu.usage_core_nano_seconds.value // 0' <<< "$output")
    [ "$ws" -gt 0 ] || errors+=("ContainerStats reports no memory in use: $(jq -c .stats <<< "$output")")
    [ "$cpu" -gt 0 ] || errors+=("ContainerStats reports no CPU time: $(jq -c .stats <<< "$output")")
  else
    errors+=("ContainerStats: $output")
  fi

  # A resize, as the kubelet makes it: the pod cgroup grows first, then the container.
  k8s_pod_cgroup_memory 100663296
  echo '{"memory_limit_in_bytes": 100663296, "cpu_period": 100000, "cpu_quota": 50000}' > "$K8S_D/res.json"
  run cri update "$CTR" "$K8S_D/res.json"
  if [ "$status" -eq 0 ]; then
    now=$(cri inspect "$CTR" | jq -r .status.resources.linux.memory_limit_in_bytes)
    [ "$now" = 100663296 ] || errors+=("ContainerStatus' memory limit after the update: $now")
    limit=$(cat "/sys/fs/cgroup/memory$app_cg/memory.limit_in_bytes")
    [ "$limit" = 100663296 ] || errors+=("the app's memory cgroup $app_cg has limit $limit after the update, not 96 MiB")
    if is_runsc && ! wait_for_text "$(k8s_log limited)" 'MemTotal: 98304 kB' 10 > /dev/null 2>&1; then
      errors+=("meminfo after the update: $(log_text "$(k8s_log limited)" | tail -n1), expected 98304 kB")
    fi
  else
    errors+=("UpdateContainerResources: $output")
  fi
  [ ${#errors[@]} -eq 0 ] || fail "$(printf '\n  - %s' "${errors[@]}")"
}

@test "k8s: dmesg under seccompProfile RuntimeDefault and Unconfined prints the boot log (runc: not permitted)" {
  # containerd's RuntimeDefault profile denies syslog by its default action (it names it only for CAP_SYS_ADMIN
  # and CAP_SYSLOG): the Sentry answers it (runsc(8), SECCOMP PROFILES). The Seccomp: line is the host kernel's.
  local p script='dmesg; echo rc=$?; grep "^Seccomp:" /proc/self/status'
  k8s_runp seccomp "$K8S_HANDLER" || fail "RunPodSandbox failed"
  for p in RuntimeDefault Unconfined; do
    k8s_run_ctr "dmesg-$p" "$(jq -cn --arg s "$script" '["/bin/sh","-c",$s]')" \
      ".linux.security_context.seccomp = {profile_type: \"$p\"}" || fail "$p: container did not start"
    cri wait "$CTR" CONTAINER_EXITED 30
    out=$(log_text "$(k8s_log "dmesg-$p")")
    if is_runsc; then
      grep -q '] Ready!$' <<< "$out" && grep -qx 'rc=0' <<< "$out" || fail "$p: dmesg in the pod: $out"
      grep -qx "$(printf 'Seccomp:\t2')" <<< "$out" || fail "$p: Seccomp line: $out"
    elif [ "$p" = RuntimeDefault ]; then
      grep -q 'klogctl: Operation not permitted' <<< "$out" || fail "runc, $p: $out"
      grep -qx "$(printf 'Seccomp:\t2')" <<< "$out" || fail "runc, $p: Seccomp line: $out"
    else
      grep -qx "$(printf 'Seccomp:\t0')" <<< "$out" || fail "runc, $p: Seccomp line: $out"
    fi
  done
}

@test "k8s: a failing command is reported by ContainerStatus (exit code, reason, message), not a hang" {
  k8s_runp failing "$K8S_HANDLER" || fail "RunPodSandbox failed"
  k8s_run_ctr exits3 '["/bin/sh","-c","echo failing >&2; exit 3"]' || fail "container did not start"
  cri wait "$CTR" CONTAINER_EXITED 20
  run cri inspect "$CTR"
  [ "$(jq -r .status.exit_code <<< "$output")" = 3 ] || fail "exit code: $output"
  [ "$(jq -r .status.reason <<< "$output")" = Error ] || fail "reason: $output"
  [ "$(jq -r .status.finished_at <<< "$output")" != 0 ] || fail "no finish time: $output"

  # An image command that does not exist: StartContainer fails (bounded), and the status says why.
  cfg=$(k8s_ctr_json missing "$K8S_BUSYBOX_IMAGE" '["/no/such/binary"]')
  CTR=$(cri create "$POD" "$cfg" "$POD_JSON") || fail "CreateContainer failed"
  SECONDS=0
  run cri start "$CTR"
  [ "$SECONDS" -lt 60 ] || fail "StartContainer took ${SECONDS}s"
  echo "start: $output" >&2
  cri wait "$CTR" CONTAINER_EXITED 20
  run cri inspect "$CTR"
  code=$(jq -r .status.exit_code <<< "$output")
  [ "$code" != 0 ] || fail "exit code 0 for a missing command: $output"
  reason=$(jq -r .status.reason <<< "$output")
  [ -n "$reason" ] && [ "$reason" != Completed ] || fail "reason: $output"
  jq -r .status.message <<< "$output" | grep -qi '/no/such/binary\|no such file' || fail "message: $output"
}

@test "k8s: a container over its memory limit is reported OOMKilled" {
  k8s_runp_limited oom "$K8S_HANDLER" 33554432 || fail "RunPodSandbox failed"
  k8s_run_ctr hog '["/bin/sh","-c","echo start; exec dd if=/dev/zero of=/dev/null bs=100M count=1"]' \
    '.linux.resources.memory_limit_in_bytes = 33554432' || fail "container did not start"
  cri wait "$CTR" CONTAINER_EXITED 30
  run cri inspect "$CTR"
  [ "$(jq -r .status.reason <<< "$output")" = OOMKilled ] || fail "reason: $output"
  [ "$(jq -r .status.exit_code <<< "$output")" = 137 ] || fail "exit code: $output"
}

@test "k8s: logs: stdout and stderr reach the CRI log file in the kubelet's format; gvisor.log in the pod's log directory" {
  k8s_runp logs "$K8S_HANDLER" || fail "RunPodSandbox failed"
  k8s_run_ctr talker '["/bin/sh","-c","echo line-to-stdout; echo line-to-stderr >&2; printf partial; sleep 0.5; echo -end"]' \
    || fail "container did not start"
  cri wait "$CTR" CONTAINER_EXITED 20
  log=$(k8s_log talker)
  cat "$log" >&2
  [ "$(cri inspect "$CTR" | jq -r .status.log_path)" = "$log" ] || fail "log path: $(cri inspect "$CTR" | jq -r .status.log_path)"
  ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)'
  grep -Eq "^$ts stdout F line-to-stdout\$" "$log" || fail "no stdout line in the kubelet's format"
  grep -Eq "^$ts stderr F line-to-stderr\$" "$log" || fail "no stderr line in the kubelet's format"
  [ "$(log_text "$log" | tr -d '\n' | grep -o 'partial-end')" = partial-end ] || fail "partial line"
  if is_runsc; then
    logdir=$(jq -r .log_directory "$POD_JSON")
    ls -la "$logdir" >&2
    [ -f "$logdir/gvisor.log" ] || fail "no gvisor.log in the pod's log directory $logdir"
  fi
}

@test "k8s: StopPodSandbox stops the pod's running containers; RemovePodSandbox leaves no shim, sandbox or mount" {
  k8s_runp teardown "$K8S_HANDLER" || fail "RunPodSandbox failed"
  k8s_run_ctr one '["/bin/sleep","1000"]' || fail "first container did not start"
  ONE=$CTR
  k8s_run_ctr two '["/bin/sh","-c","trap \"\" TERM; while :; do sleep 1; done"]' || fail "second container did not start"
  TWO=$CTR
  cri wait "$ONE" CONTAINER_RUNNING 10
  cri wait "$TWO" CONTAINER_RUNNING 10
  pids="$(cri inspectp "$POD" | jq -r .info.info.pid) $(ctr_pid "$ONE") $(ctr_pid "$TWO")"
  SECONDS=0
  cri stopp "$POD" || fail "StopPodSandbox failed"
  [ "$SECONDS" -lt 60 ] || fail "StopPodSandbox took ${SECONDS}s"
  for c in "$ONE" "$TWO"; do
    [ "$(cri inspect "$c" | jq -r .status.state)" = CONTAINER_EXITED ] || fail "container $c after StopPodSandbox: $(cri inspect "$c" | jq -c .status)"
  done
  [ "$(cri inspectp "$POD" | jq -r .status.state)" = SANDBOX_NOTREADY ] || fail "pod state after StopPodSandbox"
  cri rmp "$POD" || fail "RemovePodSandbox failed"
  [ "$(cri ps | jq '.containers | length')" -eq 0 ] || fail "containers left: $(cri ps)"
  sleep 0.5
  for p in $pids; do
    ! kill -0 "$p" 2> /dev/null || fail "pid $p of the pod still runs: $(ps -o pid,args -p "$p")"
  done
  [ -z "$(shim_procs)" ] || fail "shim still running: $(shim_procs | xargs -r ps -o pid,args -p)"
  [ -z "$(ls -A "$K8S_D/runsc-root/k8s.io" 2> /dev/null)" ] || fail "runsc state left: $(ls "$K8S_D/runsc-root/k8s.io")"
  ! grep -q "$POD" /proc/self/mountinfo || fail "mounts of the pod left: $(grep "$POD" /proc/self/mountinfo)"
}
