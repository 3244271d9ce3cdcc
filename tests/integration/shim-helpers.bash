# tests/integration/shim-helpers.bash: a private containerd for the shim suite (load after helpers).
#
#   CONTAINERD_VERSION      the containerd series to run: 1.6 (default, the host's), 1.7 or 2, from Debian's
#                           packages (tests/lib/containerd-versions.bash); shim_select_containerd puts it on PATH
#   shim_containerd_start   start containerd in the background with its own root, state, grpc and ttrpc
#                           sockets under $SHIM_D (a fresh directory), the shim's directory first on its PATH;
#                           wait for its socket.  Writes $SHIM_D/runsc.toml naming the runtime under test.
#   shim_containerd_stop    stop it by pid (TERM, then KILL), stop any shim it left, unmount and remove $SHIM_D
#   shim_ctr ARGS...        ctr against that containerd (at most 60 s)
#   shim_run ARGS...        `ctr run` with the runsc runtime and its runsc.toml (flags first, then ROOTFS ID CMD)
#
# The runtime the shim drives is SHIM_RUNTIME (default: $RUNSC, the runsc under test; "runc" runs the same
# suite through runc, which is how the shim was first tested).

: "${SHIM_RUNTIME:=$RUNSC}"
case $SHIM_RUNTIME in
  */*) SHIM_RUNTIME_BIN=$SHIM_RUNTIME ;;
  *) SHIM_RUNTIME_BIN=$(command -v "$SHIM_RUNTIME" || echo "$SHIM_RUNTIME") ;;
esac
SHIM_RUNTIME_NAME=$(basename "$SHIM_RUNTIME_BIN")
export SHIM_RUNTIME SHIM_RUNTIME_BIN SHIM_RUNTIME_NAME

# shellcheck source=../lib/containerd-versions.bash
. "$TESTS_DIR/lib/containerd-versions.bash"
: "${CONTAINERD_VERSION:=1.6}"
export CONTAINERD_VERSION

# TRUE when the shim drives runsc (and so sandbox behaviour is expected), false for runc.
shim_is_runsc ()
{
  [ "$SHIM_RUNTIME_NAME" = runsc ]
}

shim_containerd_start ()
{
  local i
  SHIM_D=$(mktemp -d "${TMPDIR:-/tmp}/shim-bats.XXXXXX")
  export SHIM_D
  mkdir -p "$SHIM_D/root" "$SHIM_D/state" "$SHIM_D/runsc-root"
  cat > "$SHIM_D/config.toml" << EOF2
version = 2
root = "$SHIM_D/root"
state = "$SHIM_D/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SHIM_D/containerd.sock"
[ttrpc]
  address = "$SHIM_D/containerd.sock.ttrpc"
[debug]
  level = "debug"
EOF2
  cat > "$SHIM_D/runsc.toml" << EOF2
# runsc.toml for the shim suite
binary_name = "$SHIM_RUNTIME_BIN"
root = "$SHIM_D/runsc-root"
EOF2
  PATH=$(dirname "$SHIM"):$PATH setsid containerd --config "$SHIM_D/config.toml" \
    > "$SHIM_D/containerd.log" 2>&1 < /dev/null &
  echo $! > "$SHIM_D/containerd.pid"
  for i in $(seq 100); do
    if ctr --address "$SHIM_D/containerd.sock" version > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "containerd did not start; its log:" >&2
  cat "$SHIM_D/containerd.log" >&2
  return 1
}

# Restart the same containerd (same root and state); the shims keep running.
shim_containerd_restart ()
{
  local pid i
  pid=$(cat "$SHIM_D/containerd.pid")
  kill -KILL "$pid" 2> /dev/null
  for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  PATH=$(dirname "$SHIM"):$PATH setsid containerd --config "$SHIM_D/config.toml" \
    >> "$SHIM_D/containerd.log" 2>&1 < /dev/null &
  echo $! > "$SHIM_D/containerd.pid"
  for i in $(seq 100); do
    ctr --address "$SHIM_D/containerd.sock" version > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# The pids of shim processes serving this containerd (their command line names its socket).
shim_pids ()
{
  local p
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null | grep -q -- "containerd-shim-runsc-v1 .*-address $SHIM_D/containerd.sock"; then
      echo "${p#/proc/}"
    fi
  done
}

shim_containerd_stop ()
{
  local pid i t c
  [ -n "${SHIM_D:-}" ] && [ -d "$SHIM_D" ] || return 0
  if [ -S "$SHIM_D/containerd.sock" ]; then
    # Whatever a failed test left: kill and delete its tasks, then its containers.
    for t in $(shim_ctr task ls -q 2> /dev/null); do
      shim_ctr task kill -s KILL "$t" > /dev/null 2>&1
    done
    sleep 0.3
    for t in $(shim_ctr task ls -q 2> /dev/null); do
      shim_ctr task rm -f "$t" > /dev/null 2>&1
    done
    for c in $(shim_ctr containers ls -q 2> /dev/null); do
      shim_ctr containers rm "$c" > /dev/null 2>&1
    done
  fi
  pid=$(cat "$SHIM_D/containerd.pid" 2> /dev/null)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2> /dev/null
    for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null
  fi
  # Shims of this suite still running (any that names $SHIM_D), then the sockets they leave behind.
  for pid in $(shim_pids) $(grep -lF -- "$SHIM_D/" /proc/[0-9]*/cmdline 2> /dev/null | cut -d/ -f3); do
    [ "$pid" = $$ ] || kill -KILL "$pid" 2> /dev/null
  done
  if [ -f "$SHIM_D/addresses" ]; then
    sleep 0.2
    while read -r a; do
      a=${a#unix://}
      [ -S "$a" ] && ! ss -xl 2> /dev/null | grep -qF -- "$a" && rm -f "$a"
    done < "$SHIM_D/addresses"
  fi
  grep -F " $SHIM_D/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
    umount -l "$m" 2> /dev/null
  done
  rm -rf "$SHIM_D"
}

# Every ctr call is bounded (ctr forwards SIGTERM to the task, hence -k).
shim_ctr ()
{
  timeout -k 5 "${SHIM_CTR_TIMEOUT:-60}" ctr --address "$SHIM_D/containerd.sock" "$@"
}

shim_run ()
{
  shim_ctr run --runtime io.containerd.runsc.v1 --runtime-config-path "$SHIM_D/runsc.toml" "$@"
}

# The bundle containerd made for task $1 (default namespace).
shim_bundle ()
{
  echo "$SHIM_D/state/io.containerd.runtime.v2.task/default/$1"
}

# Wait (up to $3 s, default 10) for task $1 to have status $2 in `ctr task ls`.
shim_wait_status ()
{
  local id=$1 want=$2 limit=${3:-10} now=
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -le $deadline ]; do
    now=$(shim_ctr task ls 2> /dev/null | awk -v id="$id" '$1 == id { print $3 }')
    [ "$now" = "$want" ] && return 0
    sleep 0.05
  done
  echo "task $id: status '$now' after ${limit}s, expected '$want'" >&2
  return 1
}
