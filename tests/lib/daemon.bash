# tests/lib/daemon.bash: for the suites that run a daemon of their own (dockerd in docker.bats, a private
# containerd in registration.bats and tests/cri/k8s-helpers.bash): its network, and cleaning up after it.
# Sourced by tests/integration/helpers.bash.
#
#   pick_free_net               print a 10.x.y (a /24 in 10.213-10.250) that no route of the host covers
#   stop_pid PID [TENTHS]       SIGTERM, then SIGKILL if it is still there after TENTHS tenths of a second
#                               (default 50)
#   kill_procs_under DIR        SIGKILL every process (but this shell) whose command line names a path under DIR/
#                               (the daemon's containerd, shims and sandboxes)
#   umount_under DIR            lazily unmount everything mounted under DIR/, deepest first
#   remove_cgroup_tree CGROUP   remove the cgroup CGROUP (a path under each hierarchy) and those under it, in
#                               every hierarchy that has it

pick_free_net ()
{
  local a b i
  for i in $(seq 50); do
    a=$((213 + RANDOM % 38))
    b=$((RANDOM % 250 + 1))
    if ! ip -4 route show | grep -q "^10\.$a\.$b\."; then
      echo "10.$a.$b"
      return 0
    fi
  done
  return 1
}

stop_pid ()
{
  local pid=$1 tenths=${2:-50} i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2> /dev/null
  for i in $(seq "$tenths"); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2> /dev/null || true
}

kill_procs_under ()
{
  local p
  for p in $(grep -lF -- "$1/" /proc/[0-9]*/cmdline 2> /dev/null | cut -d/ -f3); do
    [ "$p" = $$ ] || kill -KILL "$p" 2> /dev/null || true
  done
}

umount_under ()
{
  local m
  grep -F " $1/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
    umount -l "$m" 2> /dev/null || true
  done
}

remove_cgroup_tree ()
{
  local hier
  [ -n "$1" ] || return 0
  for hier in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
    [ -d "$hier$1" ] || continue
    find "$hier$1" -depth -type d -exec rmdir {} \; 2> /dev/null
  done
  return 0
}
