# tests/lib/daemons.bash: what the suites that run a private daemon beside the host's (dockerd, containerd,
# podman's conmon) share to set it up and to take it down again by pid and by directory, never by name, so that
# other people's daemons on the machine are left alone. Sourced by tests/integration/helpers.bash.
#
#   free_port              a TCP port on 127.0.0.1 that nothing listens on
#   pick_test_net          "10.A.B": a /24 in 10.213-10.250 that no route of the host covers (a test bridge's)
#   stop_pid PID [TENTHS]  SIGTERM to PID, up to TENTHS tenths of a second (default 50) for it to exit, SIGKILL
#   kill_naming_dir DIR    SIGKILL every process but this shell whose command line names something under DIR/
#   umount_under DIR       lazily unmount every mount point under DIR/, deepest first
#   rm_cgroup_tree PATH    remove the cgroup PATH (/sys/fs/cgroup/HIERARCHY/PATH) and its children, in every
#                          hierarchy that has it

free_port ()
{
  local p i
  for i in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
  done
  return 1
}

pick_test_net ()
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
  for i in $(seq "$tenths"); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2> /dev/null || true
}

kill_naming_dir ()
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
    umount -l "$m" 2> /dev/null
  done
  return 0
}

rm_cgroup_tree ()
{
  local hier
  [ -n "$1" ] || return 0
  for hier in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
    [ -d "$hier$1" ] || continue
    find "$hier$1" -depth -type d -exec rmdir {} \; 2> /dev/null
  done
  return 0
}
