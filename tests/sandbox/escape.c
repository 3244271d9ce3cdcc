/* escape: the project's escape battery (issue 11). Run inside a container (runsc or runc), it attempts what a
 * process breaking out of a container would try first, each attempt in a child of its own so that one attempt's
 * success cannot change the next, and prints one line per attempt:
 *
 *   NAME blocked|ESCAPED ERRNO      (ERRNO: the errno name, "ok" when the call succeeded)
 *
 * then "blocked N of M". Exit status 0 (the verdicts are the output; tests/integration/escape.bats judges them).
 *
 *   escape [--sentry-pid=PID]
 *
 * --sentry-pid names the supervisor's host pid (runsc's Sentry): the attempts on the Sentry go at it and at the
 * caller's parent. A target the container cannot see (ESRCH: not in its pid namespace) is reported blocked, as
 * unreachable. Nothing here does harm where it succeeds: modules, kexec and reboot get arguments the kernel
 * rejects after its privilege check (so an errno other than EPERM means the check was passed), the /proc files
 * are opened for writing and never written, the block device node is removed, signals are signal 0.
 *
 * Plain libc, static. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static long sentry_pid;
static long parent_pid; /* the battery's own parent: the attempts run in children of the battery */

/* Each attempt returns 0 when the call did what it asked, else the errno. REACHED marks an errno that still means
 * the privilege check was passed (the kernel went on to reject the deliberately bad argument). */
#define REACHED 0x10000

static int
err (long r)
{
  return r < 0 ? errno : 0;
}

/* privileged calls given bad arguments: EPERM (or ENOSYS) is blocked, any other answer means they got through */
static int
past_privilege (long r)
{
  if (r >= 0)
    return 0;
  return (errno == EPERM || errno == ENOSYS) ? errno : (errno | REACHED);
}

/* A filesystem that shows the host kernel (debugfs): a user namespace may mount tmpfs, proc or a bind in its own
 * mount namespace (runsc(8), PRIVILEGED CONTAINERS), never this. */
static int
a_mount (void)
{
  int r = err (mount ("none", "/tmp", "debugfs", 0, NULL));

  if (r == 0)
    umount2 ("/tmp", MNT_DETACH); /* the later attempts use /tmp */
  return r;
}

static int
unshare_one (int flag)
{
  return err (unshare (flag));
}
static int a_unshare_mnt (void) { return unshare_one (CLONE_NEWNS); }
static int a_unshare_uts (void) { return unshare_one (CLONE_NEWUTS); }
static int a_unshare_ipc (void) { return unshare_one (CLONE_NEWIPC); }
static int a_unshare_net (void) { return unshare_one (CLONE_NEWNET); }
static int a_unshare_pid (void) { return unshare_one (CLONE_NEWPID); }
static int a_unshare_cgroup (void) { return unshare_one (CLONE_NEWCGROUP); }
static int a_unshare_user (void) { return unshare_one (CLONE_NEWUSER); }
static int a_unshare_time (void) { return unshare_one (CLONE_NEWTIME); }

static int
clone_one (unsigned long flag)
{
  long r = syscall (SYS_clone, flag | SIGCHLD, NULL, NULL, NULL, 0);
  if (r == 0)
    _exit (0);
  if (r > 0)
    {
      waitpid ((pid_t) r, NULL, 0);
      return 0;
    }
  return errno;
}
static int a_clone_user (void) { return clone_one (CLONE_NEWUSER); }
static int a_clone_pid (void) { return clone_one (CLONE_NEWPID); }
static int a_clone_net (void) { return clone_one (CLONE_NEWNET); }
static int a_clone_mnt (void) { return clone_one (CLONE_NEWNS); }

static int
a_setns (void)
{
  int fd = open ("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  return err (setns (fd, CLONE_NEWUTS));
}

static void
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, text, strlen (text)) < 0)
        {
          /* the second unshare tells */
        }
      close (fd);
    }
}

/* A user namespace inside a user namespace: the first one gets its id maps (as a program would write them), so
 * that the second is possible wherever the first is. */
static int
a_nested_userns (void)
{
  char map[64];
  unsigned uid = geteuid (), gid = getegid ();
  if (unshare (CLONE_NEWUSER) < 0)
    return errno;
  snprintf (map, sizeof map, "0 %u 1\n", uid);
  write_file ("/proc/self/uid_map", map);
  write_file ("/proc/self/setgroups", "deny");
  snprintf (map, sizeof map, "0 %u 1\n", gid);
  write_file ("/proc/self/gid_map", map);
  return err (unshare (CLONE_NEWUSER));
}

static int
a_keyctl (void)
{
  return err (syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
}

static int
a_add_key (void)
{
  return err (syscall (SYS_add_key, "user", "escape", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

static int
a_bpf (void)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  return err (syscall (SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
}

static int
a_perf_event_open (void)
{
  struct perf_event_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.disabled = 1;
  return err (syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

static int
a_userfaultfd (void)
{
  long r = syscall (SYS_userfaultfd, O_CLOEXEC);
  if (r < 0 && errno == EPERM)
    r = syscall (SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  return err (r);
}

static int
a_io_uring_setup (void)
{
  char params[120]; /* struct io_uring_params */
  memset (params, 0, sizeof params);
  return err (syscall (SYS_io_uring_setup, 4, params));
}

static int
a_open_by_handle_at (void)
{
  struct
  {
    unsigned int handle_bytes;
    int handle_type;
    unsigned char f_handle[128];
  } h;
  int mount_id;
  h.handle_bytes = sizeof h.f_handle;
  if (syscall (SYS_name_to_handle_at, AT_FDCWD, "/", &h, &mount_id, 0) < 0)
    {
      /* a made-up handle: what the shocker exploit brute-forces */
      h.handle_bytes = 8;
      h.handle_type = 1;
      memset (h.f_handle, 0, sizeof h.f_handle);
      h.f_handle[0] = 2;
    }
  int root = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return errno;
  long r = syscall (SYS_open_by_handle_at, root, &h, O_RDONLY | O_CLOEXEC);
  if (r < 0 && errno != EPERM && errno != ENOSYS)
    return errno | REACHED; /* past CAP_DAC_READ_SEARCH: only the handle was wrong */
  return err (r);
}

static int
a_init_module (void)
{
  static const char junk[64] = "not an ELF module";
  return past_privilege (syscall (SYS_init_module, junk, sizeof junk, ""));
}

static int
a_finit_module (void)
{
  return past_privilege (syscall (SYS_finit_module, -1, "", 0));
}

static int
a_delete_module (void)
{
  return past_privilege (syscall (SYS_delete_module, "escape_no_such_module", O_NONBLOCK));
}

static int
a_kexec_load (void)
{
  /* more segments than KEXEC_SEGMENT_MAX: EINVAL once CAP_SYS_BOOT is granted */
  return past_privilege (syscall (SYS_kexec_load, 0ul, 1000ul, NULL, 0ul));
}

static int
a_kexec_file_load (void)
{
  return past_privilege (syscall (SYS_kexec_file_load, -1, -1, 0ul, NULL, 0x80000000ul));
}

static int
a_reboot (void)
{
  /* a wrong magic number: EINVAL once CAP_SYS_BOOT is granted */
  return past_privilege (syscall (SYS_reboot, 0x12345678, 0x87654321, 0x01234567, NULL));
}

static int
sock (int family, int type, int protocol)
{
  int fd = socket (family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}
static int a_raw_socket (void) { return sock (AF_INET, SOCK_RAW, IPPROTO_ICMP); }
static int a_raw6_socket (void) { return sock (AF_INET6, SOCK_RAW, IPPROTO_ICMPV6); }
static int a_packet_socket (void) { return sock (AF_PACKET, SOCK_RAW, 0); }
static int a_af_vsock (void) { return sock (40, SOCK_STREAM, 0); }
static int a_af_alg (void) { return sock (38, SOCK_SEQPACKET, 0); }
static int a_af_tipc (void) { return sock (30, SOCK_RDM, 0); }
static int a_af_key (void) { return sock (15, SOCK_RAW, 2 /* PF_KEY_V2 */); }
static int a_af_netlink_netfilter (void) { return sock (AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */); }
static int a_af_netlink_audit (void) { return sock (AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */); }
static int a_sctp_socket (void) { return sock (AF_INET, SOCK_STREAM, 132); }

/* ip_tables' IPT_SO_SET_REPLACE with a short buffer: EINVAL (or ENOPROTOOPT without the module) past the
 * CAP_NET_ADMIN check; EPERM when it is refused. */
static int
nf_setsockopt (int family, int level)
{
  char buf[16] = { 0 };
  int fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  long r = setsockopt (fd, level, 64, buf, sizeof buf);
  int e = errno;
  close (fd);
  if (r < 0 && e != EPERM && e != ENOPROTOOPT && e != ENOSYS)
    return e | REACHED;
  return r < 0 ? e : 0;
}
static int a_ipt_so_set_replace (void) { return nf_setsockopt (AF_INET, 0); }
static int a_ip6t_so_set_replace (void) { return nf_setsockopt (AF_INET6, 41); }

static int
a_tiocsti (void)
{
  int ptm = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (ptm < 0)
    return errno;
  if (grantpt (ptm) < 0 || unlockpt (ptm) < 0)
    return errno;
  int pts = open (ptsname (ptm), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pts < 0)
    return errno;
  char c = ' ';
  /* not our controlling terminal: Linux asks CAP_SYS_ADMIN (and dev.tty.legacy_tiocsti) */
  return err (ioctl (pts, TIOCSTI, &c));
}

static int
a_mknod_block (void)
{
  if (mknod ("/tmp/escape-blk", S_IFBLK | 0600, makedev (7, 0)) < 0)
    {
      int e = errno;
      if (e == EROFS || e == ENOENT) /* no writable /tmp: try the root */
        {
          if (mknod ("/escape-blk", S_IFBLK | 0600, makedev (7, 0)) < 0)
            return errno;
          unlink ("/escape-blk");
          return 0;
        }
      return e;
    }
  unlink ("/tmp/escape-blk");
  return 0;
}

static int
open_write (const char *path)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  close (fd); /* opened for writing; never written */
  return 0;
}
static int a_sysrq_trigger (void) { return open_write ("/proc/sysrq-trigger"); }
static int a_core_pattern (void) { return open_write ("/proc/sys/kernel/core_pattern"); }
static int a_sys_kernel_modprobe (void) { return open_write ("/proc/sys/kernel/modprobe"); }

/* The Sentry as the container sees it: its parent (0 when the parent is outside the pid namespace) and the host
 * pid given on the command line. Returns the targets found (pids that exist here and are not this process). */
static int
sentry_targets (long out[2])
{
  int n = 0;
  long cands[2] = { parent_pid, sentry_pid };
  for (int i = 0; i < 2; i++)
    {
      long p = cands[i];
      if (p <= 0 || p == getpid () || p == getppid () || (n == 1 && out[0] == p))
        continue;
      char path[64];
      snprintf (path, sizeof path, "/proc/%ld", p);
      if (access (path, F_OK) == 0)
        out[n++] = p;
    }
  return n;
}

/* Applies f to every reachable target: 0 if it worked on any, else the last errno (ESRCH: none reachable). */
static int
on_sentry (int (*f) (long pid))
{
  long t[2];
  int n = sentry_targets (t), e = ESRCH;
  for (int i = 0; i < n; i++)
    {
      e = f (t[i]);
      if (e == 0 || (e & REACHED))
        return e;
    }
  return e;
}

static int
ptrace_one (long pid)
{
  if (syscall (SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, NULL, NULL) < 0)
    return errno;
  waitpid ((pid_t) pid, NULL, __WALL);
  syscall (SYS_ptrace, 17 /* PTRACE_DETACH */, pid, NULL, NULL);
  return 0;
}

static int
vm_readv_one (long pid)
{
  char b;
  struct iovec l = { &b, 1 }, r = { (void *) 0x400000, 1 };
  if (process_vm_readv ((pid_t) pid, &l, 1, &r, 1, 0) < 0)
    return errno == EFAULT ? (EFAULT | REACHED) : errno; /* EFAULT: allowed in, the address was wrong */
  return 0;
}

static int
kill_one (long pid)
{
  return err (kill ((pid_t) pid, 0));
}

static int
mem_one (long pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%ld/mem", pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}

static int
pidfd_one (long pid)
{
  long fd = syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return errno;
  long r = syscall (SYS_pidfd_send_signal, (int) fd, 0, NULL, 0);
  int e = errno;
  close ((int) fd);
  return r < 0 ? e : 0;
}

static int a_sentry_ptrace (void) { return on_sentry (ptrace_one); }
static int a_sentry_process_vm_readv (void) { return on_sentry (vm_readv_one); }
static int a_sentry_kill (void) { return on_sentry (kill_one); }
static int a_sentry_pidfd_signal (void) { return on_sentry (pidfd_one); }
static int a_sentry_proc_mem (void) { return on_sentry (mem_one); }

static const struct
{
  const char *name;
  int (*fn) (void);
} attempts[] = {
  { "mount", a_mount },
  { "unshare-mnt", a_unshare_mnt },
  { "unshare-uts", a_unshare_uts },
  { "unshare-ipc", a_unshare_ipc },
  { "unshare-net", a_unshare_net },
  { "unshare-pid", a_unshare_pid },
  { "unshare-cgroup", a_unshare_cgroup },
  { "unshare-user", a_unshare_user },
  { "unshare-time", a_unshare_time },
  { "clone-newuser", a_clone_user },
  { "clone-newpid", a_clone_pid },
  { "clone-newnet", a_clone_net },
  { "clone-newns", a_clone_mnt },
  { "setns", a_setns },
  { "nested-userns", a_nested_userns },
  { "keyctl", a_keyctl },
  { "add_key", a_add_key },
  { "bpf", a_bpf },
  { "perf_event_open", a_perf_event_open },
  { "userfaultfd", a_userfaultfd },
  { "io_uring_setup", a_io_uring_setup },
  { "open_by_handle_at", a_open_by_handle_at },
  { "init_module", a_init_module },
  { "finit_module", a_finit_module },
  { "delete_module", a_delete_module },
  { "kexec_load", a_kexec_load },
  { "kexec_file_load", a_kexec_file_load },
  { "reboot", a_reboot },
  { "socket-raw", a_raw_socket },
  { "socket-raw6", a_raw6_socket },
  { "socket-packet", a_packet_socket },
  { "socket-af_vsock", a_af_vsock },
  { "socket-af_alg", a_af_alg },
  { "socket-af_tipc", a_af_tipc },
  { "socket-af_key", a_af_key },
  { "socket-netlink_netfilter", a_af_netlink_netfilter },
  { "socket-netlink_audit", a_af_netlink_audit },
  { "socket-sctp", a_sctp_socket },
  { "setsockopt-ipt_so_set_replace", a_ipt_so_set_replace },
  { "setsockopt-ip6t_so_set_replace", a_ip6t_so_set_replace },
  { "ioctl-tiocsti", a_tiocsti },
  { "mknod-block", a_mknod_block },
  { "write-sysrq-trigger", a_sysrq_trigger },
  { "write-core_pattern", a_core_pattern },
  { "write-kernel-modprobe", a_sys_kernel_modprobe },
  { "sentry-ptrace", a_sentry_ptrace },
  { "sentry-process_vm_readv", a_sentry_process_vm_readv },
  { "sentry-kill", a_sentry_kill },
  { "sentry-pidfd_send_signal", a_sentry_pidfd_signal },
  { "sentry-proc-mem", a_sentry_proc_mem },
};

/* Runs one attempt in a child; its result comes back through a pipe (-1: the child died). */
static int
run (int (*fn) (void))
{
  int p[2], res = -1;
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      alarm (10);
      int r = fn ();
      if (write (p[1], &r, sizeof r) != sizeof r)
        _exit (2);
      _exit (0);
    }
  close (p[1]);
  if (pid < 0 || read (p[0], &res, sizeof res) != sizeof res)
    res = -1;
  close (p[0]);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return res;
}

int
main (int argc, char **argv)
{
  int blocked = 0, n = (int) (sizeof attempts / sizeof attempts[0]);

  for (int i = 1; i < argc; i++)
    if (strncmp (argv[i], "--sentry-pid=", 13) == 0)
      sentry_pid = strtol (argv[i] + 13, NULL, 10);
    else
      {
        fprintf (stderr, "escape: unknown argument %s (usage: escape [--sentry-pid=PID])\n", argv[i]);
        return 2;
      }
  parent_pid = getppid ();
  setvbuf (stdout, NULL, _IOLBF, 0);
  for (int i = 0; i < n; i++)
    {
      int r = run (attempts[i].fn);
      int reached = r > 0 && (r & REACHED);
      int e = r > 0 ? (r & ~REACHED) : 0;
      const char *en = r < 0 ? "died" : (e == 0 ? "ok" : strerrorname_np (e));
      int esc = r == 0 || reached;
      if (!esc)
        blocked++;
      printf ("%s %s %s\n", attempts[i].name, esc ? "ESCAPED" : "blocked", en != NULL ? en : "?");
    }
  printf ("blocked %d of %d\n", blocked, n);
  return 0;
}
