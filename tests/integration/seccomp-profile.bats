#!/usr/bin/env bats
# The spec's seccomp profile (linux.seccomp) composed with the Sentry's syscall table, in real containers, with
# runc's answer beside runsc's: calls that reach the host kernel are the profile's to decide; calls the Sentry
# answers itself (syslog, uname, sysinfo, ...) are decided by the profile only where the profile names them
# (runsc(8), SECCOMP PROFILES). Also what /proc/self/status says about seccomp inside, and Docker's own
# default profile through a dockerd started here.

load helpers

setup ()
{
  common_setup
  RUNC=$(command -v runc || true)
}

teardown ()
{
  if [ -n "${DOCKERD_PID:-}" ]; then
    [ -S "${DOCKER_SOCK:-}" ] && docker -H "unix://$DOCKER_SOCK" rm -f "$ID-docker" > /dev/null 2>&1 || true
    kill "$DOCKERD_PID" 2> /dev/null || true
    wait_pid_timeout "$DOCKERD_PID" 30 || kill -KILL "$DOCKERD_PID" 2> /dev/null || true
  fi
  common_teardown
  [ -n "${DOCKER_DIR:-}" ] && rm -rf "$DOCKER_DIR"
  return 0
}

# The bundle's process under runsc; $status and $output as bats' run sets them.
run_in_runsc ()
{
  status=0
  "$RUNSC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- \
    || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

# Docker's default seccomp profile as dockerd renders it into a spec for a container with Docker's default
# capabilities (neither CAP_SYS_ADMIN nor CAP_SYSLOG, so syslog, sethostname and setdomainname are not named),
# written for this test and trimmed to the x86-64 calls a busybox container makes; its structure is Docker's
# (moby profiles/seccomp/default.json): defaultAction SCMP_ACT_ERRNO with errno 1, one long allow list, socket
# without AF_VSOCK, the personality values, clone without namespace flags, clone3 failing with ENOSYS.
docker_default_profile ()
{
  local names=(
    accept accept4 access alarm arch_prctl bind brk capget capset chdir chmod chown chroot clock_getres
    clock_gettime clock_nanosleep close close_range connect copy_file_range creat dup dup2 dup3 epoll_create
    epoll_create1 epoll_ctl epoll_pwait epoll_wait eventfd eventfd2 execve execveat exit exit_group faccessat
    faccessat2 fadvise64 fallocate fchdir fchmod fchmodat fchown fchownat fcntl fdatasync flock fork fstat
    fstatfs fsync ftruncate futex getcpu getcwd getdents getdents64 getegid geteuid getgid getgroups getitimer
    getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit
    get_robust_list getrusage getsid getsockname getsockopt gettid gettimeofday getuid getxattr ioctl kill
    lchown lgetxattr link linkat listen lseek lstat madvise membarrier memfd_create mkdir mkdirat mknod mknodat
    mlock mmap modify_ldt mprotect mremap msync munmap nanosleep newfstatat open openat openat2 pause pipe pipe2
    poll ppoll prctl pread64 preadv prlimit64 pselect6 pwrite64 pwritev read readlink readlinkat readv recvfrom
    recvmmsg recvmsg rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
    rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo
    sched_getaffinity sched_getparam sched_getscheduler sched_yield seccomp select sendfile sendmmsg sendmsg
    sendto setfsgid setfsuid setgid setgroups setitimer setpgid setpriority setregid setresgid setresuid
    setreuid setrlimit set_robust_list setsid setsockopt set_tid_address setuid shutdown sigaltstack
    socketpair splice stat statfs statx symlink symlinkat sync sysinfo tgkill time timer_create timer_delete
    timer_gettime timer_settime times tkill truncate umask uname unlink unlinkat utime utimensat utimes vfork
    wait4 waitid write writev
  )
  local skip=" ${1:-} " kept=() n
  for n in "${names[@]}"; do
    [[ "$skip" == *" $n "* ]] || kept+=("$n")
  done
  jq -n --args '{
    defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: [
      {names: $ARGS.positional, action: "SCMP_ACT_ALLOW"},
      {names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 40, op: "SCMP_CMP_NE"}]},
      ([0, 8, 131072, 131080, 4294967295][] as $p
        | {names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: $p, op: "SCMP_CMP_EQ"}]}),
      {names: ["clone"], action: "SCMP_ACT_ALLOW",
       args: [{index: 0, value: 2114060288, op: "SCMP_CMP_MASKED_EQ"}]},
      {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}
    ]}' "${kept[@]}"
}

# Put a profile (JSON on stdin) in the bundle as linux.seccomp.
bundle_seccomp ()
{
  local profile
  profile=$(cat)
  bundle_jq "$BUNDLE" '.linux.seccomp = $p' --argjson p "$profile"
}

# dmesg's boot log: first line "Starting ...", last "Ready!".
assert_boot_log ()
{
  local lines
  mapfile -t lines <<< "$output"
  [[ "${lines[0]}" == *"] Starting "* ]] || fail "first line: ${lines[0]} (output: $output)"
  [[ "${lines[-1]}" =~ ^\[\ *[0-9]+\.[0-9]{6}\]\ Ready!$ ]] || fail "last line: ${lines[-1]} (output: $output)"
}

@test "seccomp-profile: under Docker's default profile dmesg prints the boot log ending Ready! (runc: not permitted)" {
  docker_default_profile | bundle_seccomp
  bundle_args "$BUNDLE" dmesg
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  assert_boot_log

  # The calls the Sentry answers that the profile does allow, and the host kernel's calls, still work.
  bundle_args "$BUNDLE" sh -c 'uname -r && mkdir /tmp/d && echo made'
  ID=$ID-2
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  [ "$output" = "$(printf '4.4.0\nmade')" ] || fail "runsc: $output"

  # runsc exec: the same composition for a process joining the container.
  ID=$ID-3
  bundle_args "$BUNDLE" sleep 1000
  create_ok
  runtime start "$ID"
  run runtime exec "$ID" dmesg
  [ "$status" -eq 0 ] || fail "runsc exec dmesg: status $status: $output"
  assert_boot_log
  runtime delete --force "$ID"

  # runc: the profile alone denies syslog to a container without CAP_SYSLOG.
  bundle_args "$BUNDLE" dmesg
  run_in_runc
  [ "$status" -ne 0 ] || fail "runc: dmesg succeeded: $output"
  assert_output_has "klogctl: Operation not permitted"
}

@test "seccomp-profile: a profile that denies mkdir still denies it (by its default action or by an explicit rule)" {
  # Docker's profile without mkdir and mkdirat: denied by the default action, like any host call it omits.
  docker_default_profile "mkdir mkdirat" | bundle_seccomp
  bundle_args "$BUNDLE" sh -c 'mkdir /tmp/d; echo rc=$?; test -d /tmp/d && echo exists; dmesg | tail -n 1'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  assert_output_has "mkdir: can't create directory '/tmp/d': Operation not permitted"
  assert_output_has "rc=1"
  ! grep -q exists <<< "$output" || fail "runsc: the directory was made: $output"
  assert_output_has "Ready!"
  local runsc_mkdir
  runsc_mkdir=$(grep -e mkdir -e rc= <<< "$output" | sort)
  run_in_runc
  [ "$status" -eq 0 ] || fail "runc: status $status: $output"
  [ "$(grep -e mkdir -e rc= <<< "$output" | sort)" = "$runsc_mkdir" ] || fail "runc says: $output; runsc: $runsc_mkdir"

  # An explicit rule with its own errno, under a profile that allows everything else.
  ID=$ID-2
  jq -n '{defaultAction: "SCMP_ACT_ALLOW",
          syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}' | bundle_seccomp
  bundle_args "$BUNDLE" sh -c 'mkdir /tmp/d; echo rc=$?; test -d /tmp/d && echo exists; true'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  assert_output_has "mkdir: can't create directory '/tmp/d': Permission denied"
  ! grep -q exists <<< "$output" || fail "runsc: the directory was made: $output"
  runsc_mkdir=$(sort <<< "$output") # stdout and stderr interleave differently
  run_in_runc
  [ "$(sort <<< "$output")" = "$runsc_mkdir" ] || fail "runc says: $output; runsc: $runsc_mkdir"
}

@test "seccomp-profile: a profile that names syslog decides it: an explicit denial is kept, with its errno" {
  # Docker's profile plus an explicit rule for syslog: the profile's author asked for it, so the Sentry does
  # not answer it; the errno is the rule's.
  docker_default_profile | jq '.syscalls += [{names: ["syslog"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]' \
    | bundle_seccomp
  bundle_args "$BUNDLE" dmesg
  run_in_runsc
  [ "$status" -ne 0 ] || fail "runsc: dmesg succeeded: $output"
  assert_output_has "klogctl: Permission denied"
  run_in_runc
  [ "$status" -ne 0 ] || fail "runc: dmesg succeeded: $output"
  assert_output_has "klogctl: Permission denied"

  # Named with the default's own action (ERRNO, errno 1): still named, still denied.
  ID=$ID-2
  docker_default_profile | jq '.syscalls += [{names: ["syslog"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]' \
    | bundle_seccomp
  run_in_runsc
  [ "$status" -ne 0 ] || fail "runsc: dmesg succeeded: $output"
  assert_output_has "klogctl: Operation not permitted"

  # An explicit denial of uname under a profile that allows everything else.
  ID=$ID-3
  jq -n '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["uname"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}' \
    | bundle_seccomp
  bundle_args "$BUNDLE" sh -c 'uname -r; dmesg | tail -n 1'
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  assert_output_has "Ready!" # syslog is not named: the Sentry answers it
  # busybox's uname ignores the failure and prints what it has; neither the sandbox's release nor the host's
  ! grep -q -e '4\.4\.0' -e "$(uname -r)" <<< "$output" || fail "runsc: uname answered: $output"
}

@test "seccomp-profile: the Seccomp: line of /proc/self/status shows the sandbox filter (2), documented in runsc(8)" {
  # Unconfined (no linux.seccomp): runc shows 0; runsc shows 2 with one filter, the sandbox's own, because
  # the line is the host kernel's (runsc(8), SECCOMP PROFILES).
  bundle_jq "$BUNDLE" 'del(.linux.seccomp)'
  bundle_args "$BUNDLE" grep -E '^Seccomp(_filters)?:' /proc/self/status
  run_in_runsc
  [ "$status" -eq 0 ] || fail "runsc: status $status: $output"
  [ "$output" = "$(printf 'Seccomp:\t2\nSeccomp_filters:\t1')" ] || fail "runsc unconfined: $output"
  run_in_runc
  [ "$status" -eq 0 ] || fail "runc: status $status: $output"
  [ "$output" = "$(printf 'Seccomp:\t0\nSeccomp_filters:\t0')" ] || fail "runc unconfined: $output"

  # With a profile: one filter more than runc's, the sandbox's.
  ID=$ID-2
  docker_default_profile | bundle_seccomp
  run_in_runsc
  [ "$output" = "$(printf 'Seccomp:\t2\nSeccomp_filters:\t2')" ] || fail "runsc with a profile: $output"
  run_in_runc
  [ "$output" = "$(printf 'Seccomp:\t2\nSeccomp_filters:\t1')" ] || fail "runc with a profile: $output"
}

@test "seccomp-profile: docker run --runtime=runsc dmesg under dockerd's own default profile prints the boot log" {
  command -v dockerd > /dev/null && command -v docker > /dev/null || skip "docker.io is not installed"
  DOCKER_DIR=$(mktemp -d /tmp/runsc-docker.XXXXXX)
  DOCKER_SOCK=$DOCKER_DIR/docker.sock
  # Its own (empty) daemon.json, not the host's, which packaging.bats may be editing.
  echo '{}' > "$DOCKER_DIR/daemon.json"
  dockerd --config-file "$DOCKER_DIR/daemon.json" --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" --pidfile "$DOCKER_DIR/docker.pid" \
    -H "unix://$DOCKER_SOCK" --add-runtime "runsc=$RUNSC" --iptables=false --ip6tables=false --bridge=none \
    --containerd-namespace "runsc-test-$$" --containerd-plugins-namespace "runsc-test-plugins-$$" \
    > "$DOCKER_DIR/dockerd.log" 2>&1 3>&- &
  DOCKERD_PID=$!
  local i
  for i in $(seq 1 120); do
    docker -H "unix://$DOCKER_SOCK" version > /dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2> /dev/null || fail "dockerd exited: $(tail -n 20 "$DOCKER_DIR/dockerd.log")"
    sleep 0.5
  done
  docker -H "unix://$DOCKER_SOCK" version > /dev/null 2>&1 || fail "dockerd did not start: $(tail -n 20 "$DOCKER_DIR/dockerd.log")"
  tar -C "$BUNDLE/rootfs" -c . | docker -H "unix://$DOCKER_SOCK" import - "runsc-test-busybox:$$" > /dev/null \
    || fail "docker import failed"

  # Docker's default seccomp profile (dockerd's own, as it renders it into the spec).
  run docker -H "unix://$DOCKER_SOCK" run --rm --runtime=runsc --network=none --name "$ID-docker" \
    "runsc-test-busybox:$$" dmesg
  [ "$status" -eq 0 ] || fail "docker run --runtime=runsc dmesg: status $status: $output"
  assert_boot_log
  run docker -H "unix://$DOCKER_SOCK" run --rm --runtime=runc --network=none "runsc-test-busybox:$$" dmesg
  [ "$status" -ne 0 ] || fail "runc under Docker's profile: dmesg succeeded: $output"
  assert_output_has "klogctl: Operation not permitted"

  # A profile of the user's that denies mkdir, through --security-opt.
  jq -n '{defaultAction: "SCMP_ACT_ALLOW",
          syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}' \
    > "$DOCKER_DIR/no-mkdir.json"
  run docker -H "unix://$DOCKER_SOCK" run --rm --runtime=runsc --network=none \
    --security-opt "seccomp=$DOCKER_DIR/no-mkdir.json" "runsc-test-busybox:$$" sh -c 'mkdir /tmp/d; echo rc=$?'
  assert_output_has "Operation not permitted"
  assert_output_has "rc=1"
}
