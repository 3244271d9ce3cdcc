/* probe: checks from inside a sandbox that the Sentry answers what it should. Built static, copied into a busybox
 * bundle by the integration tests and exec'd under the sandbox filter by the unit tests.
 *
 *   probe [--release=R] [--hostname=H] [--domainname=D] [--sethostname] [--no-pidns] [--net-raw] [--quiet]
 *         [--files | --files-only] [--mem-limit=BYTES]
 *   --files adds the sentry-files checks (/proc files, /dev/kmsg, opens); --files-only runs only them.
 *   --net-raw expects raw and packet sockets to work (runsc --net-raw, with CAP_NET_RAW in the spec).
 *   probe --follow-kmsg=TEXT: as dmesg -w, from the end of /dev/kmsg, wait (60 s at most) for a record that
 *   contains TEXT, print it and exit 0.
 *
 * Prints one TAP-like line per check ("ok - what" or "not ok - what: detail") and exits 0 when every check
 * passed, 1 otherwise. Every check is one that a process outside the sandbox (root on the host) fails: a refused
 * call must fail with the sandbox's errno, not with what the host kernel would answer.
 *
 * Plain libc only. The sentry-files checks (opens, /proc, /dev/kmsg) go in their own section below. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/sysinfo.h>
#include <sys/timex.h>
#include <sys/stat.h>
#include <pthread.h>
#include <grp.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#define SENTRY_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"


/* The host's user namespace: uid_map maps every id to itself. */
static int
host_userns (void)
{
  unsigned long a = 1, b = 1, n = 0;
  FILE *f = fopen ("/proc/self/uid_map", "r");

  if (f == NULL)
    return 1;
  if (fscanf (f, "%lu %lu %lu", &a, &b, &n) != 3)
    n = 0;
  fclose (f);
  return a == 0 && b == 0 && n == 4294967295UL;
}

static int failures, checks, quiet;

/* Set once the kernel log is seen to be a sandbox's: calls that would change the host (clearing its kernel log,
 * its console level, its accounting) are only made then, so that running the probe on a host is harmless. */
static int in_sandbox;

static void
check (int ok, const char *what, const char *fmt, ...)
{
  checks++;
  if (ok)
    {
      if (!quiet)
        printf ("ok - %s\n", what);
      return;
    }
  failures++;
  printf ("not ok - %s: ", what);
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
}

/* A raw syscall's errno (0 on success). */
static int
err_of (long r)
{
  return r < 0 ? errno : 0;
}

static void
check_errno (const char *what, long r, int want)
{
  int got = err_of (r);
  check (got == want, what, "got %s (%d), want %s", got ? strerrorname_np (got) : "success", got,
         want ? strerrorname_np (want) : "success");
}

static void
check_uname (const char *release, const char *hostname, const char *domainname)
{
  struct utsname u;
  memset (&u, 0xaa, sizeof u);
  int r = uname (&u);
  check (r == 0, "uname succeeds", "%s", strerror (errno));
  if (r != 0)
    return;
  check (strcmp (u.sysname, "Linux") == 0, "uname sysname is Linux", "got %s", u.sysname);
  check (strcmp (u.release, release) == 0, "uname release", "got %s, want %s", u.release, release);
  check (strcmp (u.version, SENTRY_VERSION) == 0, "uname version", "got %s", u.version);
  check (strcmp (u.machine, "x86_64") == 0, "uname machine is x86_64", "got %s", u.machine);
  if (hostname != NULL)
    check (strcmp (u.nodename, hostname) == 0, "uname nodename", "got %s, want %s", u.nodename, hostname);
  if (domainname != NULL)
    check (strcmp (u.domainname, domainname) == 0, "uname domainname", "got %s, want %s", u.domainname,
           domainname);
}

static int
line_ok (const char *line, size_t len)
{
  /* <6>[%11.6f] text */
  if (len < 16 || memcmp (line, "<6>[", 4) != 0)
    return 0;
  const char *close = memchr (line, ']', len);
  if (close == NULL || close - line < 15 || close[1] != ' ')
    return 0;
  const char *dot = close - 7;
  if (*dot != '.')
    return 0;
  for (const char *p = dot + 1; p < close; p++)
    if (*p < '0' || *p > '9')
      return 0;
  return 1;
}

static void
check_syslog (void)
{
  static char buf[1 << 17];
  int size = klogctl (10, NULL, 0); /* SYSLOG_ACTION_SIZE_BUFFER */
  check (size > 0, "syslog SIZE_BUFFER works unprivileged", "got %d (%s)", size, strerror (errno));
  if (size <= 0 || size > (int) sizeof buf)
    size = sizeof buf;
  int n = klogctl (3, buf, size); /* SYSLOG_ACTION_READ_ALL */
  check (n > 0, "syslog READ_ALL works unprivileged", "got %d (%s)", n, strerror (errno));
  if (n <= 0)
    return;
  buf[n] = '\0';

  const char *lines[64];
  size_t lens[64];
  int nl = 0, bad = 0;
  for (char *p = buf; *p && nl < 64;)
    {
      char *e = strchr (p, '\n');
      if (e == NULL)
        break;
      lines[nl] = p;
      lens[nl] = e - p;
      if (!line_ok (p, e - p))
        bad++;
      nl++;
      p = e + 1;
    }
  check (nl >= 12, "kernel log has at least 12 lines", "got %d", nl);
  check (bad == 0, "kernel log lines are <6>[%11.6f] text", "%d bad lines", bad);
  if (nl < 12)
    return;
  in_sandbox = strncmp (lines[0], "<6>[   0.000000] Starting ", 26) == 0
               && memcmp (lines[0] + lens[0] - 3, "...", 3) == 0;
  check (in_sandbox, "kernel log starts with Starting ...", "got %.*s", (int) lens[0], lines[0]);
  check (lens[11] >= 6 && memcmp (lines[11] + lens[11] - 6, "Ready!", 6) == 0, "12th kernel log line is Ready!",
         "got %.*s", (int) lens[11], lines[11]);
  int dup = 0;
  for (int i = 1; i <= 10; i++)
    for (int j = i + 1; j <= 10; j++)
      {
        const char *a = memchr (lines[i], ']', lens[i]), *b = memchr (lines[j], ']', lens[j]);
        size_t la = lens[i] - (a - lines[i]), lb = lens[j] - (b - lines[j]);
        if (la == lb && memcmp (a, b, la) == 0)
          dup++;
      }
  check (dup == 0, "ten boot messages without repeats", "%d repeats", dup);

  /* A short READ_ALL gets the newest whole lines. */
  char small[64];
  int m = klogctl (3, small, sizeof small);
  check (m > 0 && m <= (int) sizeof small && small[m - 1] == '\n', "short syslog READ_ALL returns whole lines",
         "got %d", m);
  int unread = klogctl (9, NULL, 0); /* SIZE_UNREAD */
  check (unread >= 0, "syslog SIZE_UNREAD works", "%s", strerror (errno));
  if (!in_sandbox)
    {
      check (0, "syslog CLEAR, READ_CLEAR, CONSOLE_* are refused", "not run: not a sandbox's kernel log");
      return;
    }
  check_errno ("syslog CLEAR is refused", klogctl (5, NULL, 0), EPERM);
  check_errno ("syslog READ_CLEAR is refused", klogctl (4, buf, size), EPERM);
  check_errno ("syslog CONSOLE_OFF is refused", klogctl (6, NULL, 0), EPERM);
  check_errno ("syslog CONSOLE_LEVEL is refused", klogctl (8, NULL, 7), EPERM);
  check_errno ("syslog unknown action is EINVAL", klogctl (77, NULL, 0), EINVAL);
}

static void
check_refused (void)
{
  /* Arguments chosen so that the host kernel (as root) would answer differently. */
  /* In a user namespace of its own (the sandbox's default) mount and umount2 are the kernel's (runsc(8),
   * PRIVILEGED CONTAINERS); with the host's they are refused. */
  if (access ("/proc/self/uid_map", F_OK) == 0 && !host_userns ())
    {
      check_errno ("mount in its own user namespace: the kernel's answer", syscall (SYS_mount, "none", "/nonexistent-probe", "tmpfs", 0, NULL), ENOENT);
      check_errno ("umount2 in its own user namespace: the kernel's answer", syscall (SYS_umount2, "/nonexistent-probe", 0), ENOENT);
    }
  else
    {
      check_errno ("mount refused", syscall (SYS_mount, "none", "/nonexistent-probe", "tmpfs", 0, NULL), EPERM);
      check_errno ("umount2 refused", syscall (SYS_umount2, "/nonexistent-probe", 0), EPERM);
    }
  check_errno ("pivot_root refused", syscall (SYS_pivot_root, "/nonexistent-a", "/nonexistent-b"), EPERM);
  check_errno ("swapon refused", syscall (SYS_swapon, "/nonexistent-probe", 0), EPERM);
  check_errno ("swapoff refused", syscall (SYS_swapoff, "/nonexistent-probe"), EPERM);
  check_errno ("reboot refused", syscall (SYS_reboot, 1, 2, 3, NULL), EPERM);
  check_errno ("kexec_load refused", syscall (SYS_kexec_load, 0, 0, NULL, 0xdead0000ul), EPERM);
  check_errno ("kexec_file_load refused", syscall (SYS_kexec_file_load, -1, -1, 0, NULL, 0xdead0000ul), EPERM);
  check_errno ("init_module refused", syscall (SYS_init_module, NULL, 0, ""), EPERM);
  check_errno ("finit_module refused", syscall (SYS_finit_module, -1, "", 0), EPERM);
  check_errno ("delete_module refused", syscall (SYS_delete_module, "nonexistent_probe", O_NONBLOCK), EPERM);
  check_errno ("bpf refused", syscall (SYS_bpf, -1, NULL, 0), EPERM);
  check_errno ("perf_event_open refused", syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM);
  check_errno ("keyctl refused", syscall (SYS_keyctl, -1, 0, 0, 0, 0), ENOSYS);
  check_errno ("add_key with a bad type pointer is EFAULT, as on Linux", syscall (SYS_add_key, NULL, NULL, NULL, 0, 0),
               EFAULT);
  check_errno ("request_key with a bad description is EFAULT, as on Linux",
               syscall (SYS_request_key, "user", (char *) 1, NULL, 0), EFAULT);
  check_errno ("request_key refused", syscall (SYS_request_key, "user", "probe-no-such-key", NULL, 0), ENOSYS);
  check_errno ("userfaultfd refused", syscall (SYS_userfaultfd, -1), ENOSYS);
  check_errno ("io_uring_setup refused", syscall (SYS_io_uring_setup, 0, NULL), ENOSYS);
  check_errno ("io_uring_enter refused", syscall (SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), ENOSYS);
  check_errno ("io_uring_register refused", syscall (SYS_io_uring_register, -1, 0, NULL, 0), ENOSYS);
  check_errno ("open_by_handle_at refused", syscall (SYS_open_by_handle_at, -1, NULL, 0), EPERM);
  {
    struct { unsigned int bytes; int type; unsigned char h[128]; } fh = { 128, 0, { 0 } };
    int mnt;
    check_errno ("name_to_handle_at runs natively (ENOENT)",
                 syscall (SYS_name_to_handle_at, AT_FDCWD, "/nonexistent-probe", &fh, &mnt, 0), ENOENT);
    check_errno ("name_to_handle_at runs natively (EBADF)", syscall (SYS_name_to_handle_at, -1, "x", &fh, &mnt, 0),
                 EBADF);
  }
  check_errno ("iopl refused", syscall (SYS_iopl, 0), EPERM);
  check_errno ("ioperm refused", syscall (SYS_ioperm, 0, 0, 0), EPERM);
  if (in_sandbox)
    {
      check_errno ("acct refused", syscall (SYS_acct, NULL), EPERM);
      check_errno ("settimeofday refused", syscall (SYS_settimeofday, NULL, NULL), EPERM);
      struct timespec now;
      clock_gettime (CLOCK_REALTIME, &now);
      check_errno ("clock_settime refused", syscall (SYS_clock_settime, CLOCK_REALTIME, &now), EPERM);
    }
  {
    /* Linux checks these before the privilege: the same answers as the host's, root or not. */
    struct timeval bad_tv = { 0, -1 };
    struct timespec bad_ts = { 0, 1000000000 };
    struct timex tx = { .modes = 0x8000 }; /* ADJ_ADJTIME without ADJ_OFFSET_SINGLESHOT */
    check_errno ("settimeofday with a negative usec is EINVAL", syscall (SYS_settimeofday, &bad_tv, NULL), EINVAL);
    check_errno ("clock_settime(CLOCK_MONOTONIC) is EINVAL", syscall (SYS_clock_settime, CLOCK_MONOTONIC, &bad_ts),
                 EINVAL);
    check_errno ("clock_settime with a bad pointer is EFAULT", syscall (SYS_clock_settime, CLOCK_REALTIME, NULL),
                 EFAULT);
    check_errno ("adjtimex(NULL) is EFAULT", syscall (SYS_adjtimex, NULL), EFAULT);
    check_errno ("adjtimex(ADJ_ADJTIME) is EINVAL", syscall (SYS_adjtimex, &tx), EINVAL);
    check_errno ("clock_adjtime(CLOCK_MONOTONIC) is EOPNOTSUPP", syscall (SYS_clock_adjtime, CLOCK_MONOTONIC, &tx),
                 EOPNOTSUPP);
    tx.modes = 0x4000; /* ADJ_TICK */
    tx.tick = 1;
    check_errno ("adjtimex(ADJ_TICK) refused", syscall (SYS_adjtimex, &tx), EPERM);
  }
  check_errno ("quotactl refused", syscall (SYS_quotactl, 0, NULL, 0, NULL), EPERM);
  check_errno ("lookup_dcookie refused", syscall (SYS_lookup_dcookie, 0, NULL, 0), EPERM);
  check_errno ("setns refused", syscall (SYS_setns, -1, 0), EPERM);
  check_errno ("fsopen refused", syscall (SYS_fsopen, NULL, 0), EPERM);
  /* vhangup in a child without a controlling terminal, so that it could not hang up ours even on the host. */
  pid_t child = fork ();
  if (child == 0)
    {
      setsid ();
      _exit (syscall (SYS_vhangup) < 0 && errno == EPERM ? 0 : 1);
    }
  int status = -1;
  check (child > 0 && waitpid (child, &status, 0) == child && WIFEXITED (status) && WEXITSTATUS (status) == 0,
         "vhangup refused", "status %#x", status);
  check_errno ("clone3 refused (glibc falls back to clone)", syscall (SYS_clone3, NULL, 0), ENOSYS);
  check_errno ("syscall 460 (beyond the table) refused", syscall (460, 0, 0, 0, 0, 0, 0), ENOSYS);
  check_errno ("syscall 1000 (beyond the table) refused", syscall (1000, 0, 0, 0, 0, 0, 0), ENOSYS);
}

/* A raw clone that must fail; should it succeed, the child leaves at once. */
static long
try_clone (unsigned long flags)
{
  long r = syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
  if (r == 0)
    _exit (0);
  if (r > 0)
    waitpid (r, NULL, 0);
  return r;
}

/* A socket that must fail; closed should it succeed. */
static long
try_socket (int family, int type, int proto)
{
  int fd = socket (family, type, proto);
  int saved = errno;
  if (fd >= 0)
    close (fd);
  errno = saved;
  return fd;
}

static void
check_checked (int own_pidns, int net_raw)
{
  int fd;

  /* sockets */
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check_errno ("socket(AF_INET, SOCK_STREAM) allowed", fd, 0);
  if (fd >= 0)
    close (fd);
  fd = socket (AF_UNIX, SOCK_DGRAM, 0);
  check_errno ("socket(AF_UNIX, SOCK_DGRAM) allowed", fd, 0);
  if (fd >= 0)
    close (fd);
  fd = socket (AF_NETLINK, SOCK_RAW, 0);
  check_errno ("socket(AF_NETLINK, NETLINK_ROUTE) allowed", fd, 0);
  if (fd >= 0)
    close (fd);
  fd = socket (AF_NETLINK, SOCK_RAW, 4);
  check_errno ("socket(AF_NETLINK, NETLINK_SOCK_DIAG) allowed", fd, 0);
  if (fd >= 0)
    close (fd);
  if (net_raw)
    {
      /* --net-raw: the filter allows them, and the container keeps CAP_NET_RAW. */
      check_errno ("socket(AF_PACKET) allowed with --net-raw", try_socket (AF_PACKET, SOCK_RAW, 0), 0);
      check_errno ("socket(AF_INET, SOCK_RAW) allowed with --net-raw", try_socket (AF_INET, SOCK_RAW, 1), 0);
    }
  else
    {
      check_errno ("socket(AF_PACKET) refused", try_socket (AF_PACKET, SOCK_RAW, 0), EPERM);
      check_errno ("socket(AF_INET, SOCK_RAW) refused", try_socket (AF_INET, SOCK_RAW, 1), EPERM);
    }
  check_errno ("socket(AF_NETLINK, NETLINK_AUDIT) refused", try_socket (AF_NETLINK, SOCK_RAW, 9), EPROTONOSUPPORT);
  check_errno ("socket(AF_VSOCK) refused", try_socket (40, SOCK_STREAM, 0), EAFNOSUPPORT);
  check_errno ("socket(AF_INET, 75) is EINVAL, as on Linux", try_socket (AF_INET, 75, 0), EINVAL);
  check_errno ("socket(AF_INET, SOCK_RAW, 0) is EPROTONOSUPPORT, as on Linux", try_socket (AF_INET, SOCK_RAW, 0),
               EPROTONOSUPPORT);
  check_errno ("socket(AF_INET, SOCK_SEQPACKET) is ESOCKTNOSUPPORT, as on Linux",
               try_socket (AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
  {
    int pair[2];
    check_errno ("socketpair(AF_INET) is EOPNOTSUPP, as on Linux", socketpair (AF_INET, SOCK_STREAM, 0, pair),
                 EOPNOTSUPP);
  }
  int sv[2];
  check_errno ("socketpair(AF_UNIX) allowed", socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);

  /* namespaces */
  check_errno ("clone(CLONE_NEWUSER) refused", try_clone (CLONE_NEWUSER), EPERM);
  check_errno ("clone(CLONE_NEWNET) refused", try_clone (CLONE_NEWNET), EPERM);
  check_errno ("unshare(CLONE_NEWNS) refused", syscall (SYS_unshare, CLONE_NEWNS), EPERM);
  check_errno ("unshare(CLONE_NEWPID) refused", syscall (SYS_unshare, CLONE_NEWPID), EPERM);
  check_errno ("unshare(CLONE_NEWTIME) refused", syscall (SYS_unshare, 0x80), EPERM);
  check_errno ("unshare(CLONE_FILES) allowed", syscall (SYS_unshare, CLONE_FILES), 0);
  pid_t child = fork ();
  if (child == 0)
    _exit (7);
  int status = 0;
  check (child > 0 && waitpid (child, &status, 0) == child && WIFEXITED (status) && WEXITSTATUS (status) == 7,
         "fork works", "fork %d status %#x", (int) child, status);

  /* ioctl */
  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) == 0)
    {
      char c = 'x';
      int avail = -1;
      check_errno ("ioctl(TIOCSTI) on a socket is ENOTTY, as on Linux", ioctl (sv[0], TIOCSTI, &c), ENOTTY);
      check_errno ("ioctl(TIOCSTI) on a bad descriptor is EBADF, as on Linux", ioctl (-1, TIOCSTI, &c), EBADF);
      check_errno ("ioctl(FIONREAD) allowed", ioctl (sv[0], FIONREAD, &avail), 0);
      check_errno ("ioctl(FIOCLEX) allowed", ioctl (sv[0], FIOCLEX), 0);
      struct winsize ws;
      check_errno ("ioctl(TIOCGWINSZ) on a socket reaches the kernel", ioctl (sv[0], TIOCGWINSZ, &ws), ENOTTY);
      close (sv[0]);
      close (sv[1]);
    }

  /* TIOCSTI on a terminal: refused (as Linux refuses it without CAP_SYS_ADMIN; EIO without legacy_tiocsti). */
  if (in_sandbox)
    {
      int ptm = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
      int pts = -1;
      char c = 'x', legacy = '1';
      int lfd = open ("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY | O_CLOEXEC);
      if (lfd >= 0)
        {
          if (read (lfd, &legacy, 1) != 1)
            legacy = '1';
          close (lfd);
        }
      if (ptm >= 0 && grantpt (ptm) == 0 && unlockpt (ptm) == 0)
        pts = open (ptsname (ptm), O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (pts >= 0)
        check_errno ("ioctl(TIOCSTI) on a terminal refused", ioctl (pts, TIOCSTI, &c), legacy == '0' ? EIO : EPERM);
      else
        check (0, "ioctl(TIOCSTI) on a terminal refused", "no pty: %s", strerror (errno));
      if (pts >= 0)
        close (pts);
      if (ptm >= 0)
        close (ptm);
    }

  /* prctl, personality */
  check (prctl (PR_GET_DUMPABLE) >= 0, "prctl(PR_GET_DUMPABLE) allowed", "%s", strerror (errno));
  check_errno ("prctl(PR_SET_MM) refused with EPERM, as Linux without CAP_SYS_RESOURCE",
               prctl (PR_SET_MM, PR_SET_MM_START_CODE, 0, 0, 0), EPERM);
  check_errno ("prctl(1000) is EINVAL", prctl (1000, 0, 0, 0, 0), EINVAL);
  check_errno ("unshare(CLONE_NEWNS | CLONE_VFORK) is EINVAL, as on Linux", syscall (SYS_unshare, CLONE_NEWNS | CLONE_VFORK),
               EINVAL);
  check_errno ("clone(CLONE_NEWNS | CLONE_FS) is EINVAL, as on Linux", try_clone (CLONE_NEWNS | CLONE_FS), EINVAL);
  check (personality (0xffffffff) >= 0, "personality query allowed", "%s", strerror (errno));
  {
    int before = personality (0xffffffff);
    check_errno ("personality(READ_IMPLIES_EXEC | ADDR_LIMIT_32BIT | STICKY_TIMEOUTS) allowed",
                 personality (READ_IMPLIES_EXEC | ADDR_LIMIT_32BIT | STICKY_TIMEOUTS) >= 0 ? 0 : -1, 0);
    check (personality (0xffffffff) == (READ_IMPLIES_EXEC | ADDR_LIMIT_32BIT | STICKY_TIMEOUTS),
           "personality reads back what was set", "%#x", personality (0xffffffff));
    if (in_sandbox)
      check_errno ("personality(MMAP_PAGE_ZERO) refused", personality (MMAP_PAGE_ZERO), EPERM);
    personality (before);
  }

  /* ptrace stays inside the sandbox */
  if (!own_pidns)
    check_errno ("ptrace refused without a pid namespace", ptrace (PTRACE_PEEKDATA, 1, NULL, NULL), EPERM);
}

/* The name buffer a thread rewrites while sethostname reads it. */
static volatile int name_flip_stop;
static char name_flip[16] = "flip-aaaa";

static void *
name_flipper (void *arg)
{
  (void) arg;
  while (!name_flip_stop)
    {
      memcpy (name_flip, "flip-bbbb", 9);
      memcpy (name_flip, "flip-aaaa", 9);
    }
  return NULL;
}

static void
check_sethostname (void)
{
  static const char name[80] = "probe-host";
  check_errno ("sethostname works", sethostname (name, strlen (name)), 0);
  struct utsname u;
  check (uname (&u) == 0 && strcmp (u.nodename, name) == 0, "uname shows the new hostname", "got %s",
         u.nodename);
  check_errno ("sethostname of 65 bytes is EINVAL", sethostname (name, 65), EINVAL);

  /* An emulated call reads its argument once: a buffer rewritten during the call gives one name or the other,
   * never a mix (the Sentry copies the name before it decides and sets it). */
  pthread_t t;
  int torn = 0, calls = 0;
  if (pthread_create (&t, NULL, name_flipper, NULL) == 0)
    {
      for (int i = 0; i < 2000; i++)
        {
          if (sethostname (name_flip, 9) < 0 || uname (&u) < 0)
            continue;
          calls++;
          if (strcmp (u.nodename, "flip-aaaa") != 0 && strcmp (u.nodename, "flip-bbbb") != 0)
            torn++;
        }
      name_flip_stop = 1;
      pthread_join (t, NULL);
    }
  check (calls > 0 && torn == 0, "sethostname with a buffer rewritten meanwhile sets one whole name",
         "calls %d, torn names %d", calls, torn);
  sethostname (name, strlen (name));
}

/* ---- sentry-files checks (opens, /proc, /dev/kmsg) go below this line ---- */

/* Read a whole small file into buf (NUL-terminated); returns the length or -errno. */
static long
read_file (const char *path, char *buf, size_t size)
{
  int fd = open (path, O_RDONLY);
  size_t len = 0;
  long n;

  if (fd < 0)
    return -errno;
  while (len < size - 1 && (n = read (fd, buf + len, size - 1 - len)) > 0)
    len += (size_t) n;
  close (fd);
  buf[len] = '\0';
  return (long) len;
}

static void
check_file_is (const char *path, const char *want)
{
  char buf[4096];
  long n = read_file (path, buf, sizeof buf);
  char what[256];

  snprintf (what, sizeof what, "%s reads the sandbox's text", path);
  if (n < 0)
    check (0, what, "open: %s", strerror ((int) -n));
  else
    check (strcmp (buf, want) == 0, what, "got \"%.100s\", want \"%.100s\"", buf, want);
}

static uint64_t
meminfo_kb (const char *text, const char *key)
{
  const char *p = strstr (text, key);
  return p ? strtoull (p + strlen (key), NULL, 10) : 0;
}

/* The virtual kernel's /proc files, consistent with uname, sysinfo and each other. */
static void
check_proc_files (const char *release, uint64_t mem_limit)
{
  char want[512], buf[65536], buf2[4096];
  struct utsname u;
  struct sysinfo si;
  long n;

  snprintf (want, sizeof want, "Linux version %s %s\n", release, SENTRY_VERSION);
  check_file_is ("/proc/version", want);
  check_file_is ("/proc/./version", want);
  check_file_is ("/proc/../proc/version", want);
  unlink ("/tmp/probe-version-link");
  if (symlink ("/proc/version", "/tmp/probe-version-link") == 0)
    check_file_is ("/tmp/probe-version-link", want);
  snprintf (want, sizeof want, "%s\n", release);
  check_file_is ("/proc/sys/kernel/osrelease", want);
  check_file_is ("/proc/sys/kernel/ostype", "Linux\n");
  check_file_is ("/proc/sys/kernel/version", SENTRY_VERSION "\n");
  if (uname (&u) == 0)
    {
      snprintf (want, sizeof want, "%s\n", u.nodename);
      check_file_is ("/proc/sys/kernel/hostname", want);
    }
  n = read_file ("/proc/cmdline", buf, sizeof buf);
  check (n > 0 && strstr (buf, release) != NULL, "/proc/cmdline names the sandbox kernel", "got %.100s", buf);
  {
    int fd = open ("/proc/version", O_WRONLY);
    check (fd < 0 && (errno == EROFS || errno == EACCES), "/proc/version is not writable", "open O_WRONLY: %s",
           fd < 0 ? strerror (errno) : "succeeded");
    if (fd >= 0)
      close (fd);
  }

  /* uptime: since the sandbox booted, and what sysinfo says. */
  check (sysinfo (&si) == 0, "sysinfo works", "%s", strerror (errno));
  n = read_file ("/proc/uptime", buf, sizeof buf);
  {
    double up = n > 0 ? strtod (buf, NULL) : -1;
    check (up >= 0 && up < 300, "/proc/uptime counts from the sandbox's boot", "got %.100s", buf);
    check (up >= 0 && (long) up - si.uptime <= 1 && si.uptime - (long) up <= 1, "/proc/uptime agrees with sysinfo",
           "uptime %.2f, sysinfo %ld", up, si.uptime);
  }

  /* meminfo: MemTotal is the limit when there is one; sysinfo agrees. */
  n = read_file ("/proc/meminfo", buf, sizeof buf);
  {
    uint64_t total = meminfo_kb (buf, "MemTotal:");
    uint64_t si_total = (uint64_t) si.totalram * si.mem_unit / 1024;
    check (total > 0 && (total > si_total ? total - si_total : si_total - total) <= 4,
           "/proc/meminfo MemTotal agrees with sysinfo", "meminfo %llu kB, sysinfo %llu kB",
           (unsigned long long) total, (unsigned long long) si_total);
    if (mem_limit)
      check (total == mem_limit / 1024, "/proc/meminfo MemTotal is the memory limit", "got %llu kB, want %llu kB",
             (unsigned long long) total, (unsigned long long) (mem_limit / 1024));
    check (meminfo_kb (buf, "MemFree:") <= total, "/proc/meminfo MemFree <= MemTotal", "%.200s", buf);
  }

  /* stat: btime + uptime = now; as many cpuN lines as cpuinfo has processors. */
  n = read_file ("/proc/stat", buf, sizeof buf);
  {
    const char *b = strstr (buf, "\nbtime ");
    long btime = b ? strtol (b + 7, NULL, 10) : 0;
    long now = (long) time (NULL);
    int cpus = 0, procs = 0;
    check (b != NULL && labs (btime + si.uptime - now) <= 2, "/proc/stat btime is the sandbox's boot",
           "btime %ld + uptime %ld vs now %ld", btime, si.uptime, now);
    for (const char *p = buf; (p = strstr (p, "\ncpu")) != NULL; p++)
      cpus++;
    n = read_file ("/proc/cpuinfo", buf, sizeof buf);
    for (const char *p = buf; (p = strstr (p, "processor\t")) != NULL; p++)
      procs++;
    check (cpus > 0 && cpus == procs, "/proc/cpuinfo and /proc/stat agree on the CPU count", "stat %d, cpuinfo %d",
           cpus, procs);
  }
  n = read_file ("/proc/loadavg", buf2, sizeof buf2);
  check (n > 0 && strncmp (buf2, "0.00 0.00 0.00 ", 15) == 0, "/proc/loadavg is the sandbox's", "got %.100s", buf2);
}

/* /dev/kmsg and /proc/kmsg serve the sandbox kernel's log. */
static void
check_kmsg_files (void)
{
  char rec[1024];
  int fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK);
  long n;

  check (fd >= 0, "/dev/kmsg opens", "%s", strerror (errno));
  if (fd >= 0)
    {
      n = read (fd, rec, sizeof rec - 1);
      rec[n > 0 ? n : 0] = '\0';
      check (n > 0 && strncmp (rec, "6,0,0,-;Starting ", 17) == 0 && strchr (rec, '\n') == rec + n - 1,
             "/dev/kmsg gives the sandbox's first record", "got \"%.100s\"", rec);
      int records = n > 0, last_ready = 0;
      while ((n = read (fd, rec, sizeof rec - 1)) > 0)
        {
          rec[n] = '\0';
          records++;
          last_ready = strstr (rec, ";Ready!\n") != NULL;
        }
      check (n < 0 && errno == EAGAIN && records == 12 && last_ready, "/dev/kmsg: 12 records, Ready! last, then EAGAIN",
             "records %d, last read %ld (%s)", records, n, strerror (errno));
      close (fd);
    }
  /* Reading the host's /proc/kmsg would consume its log: only in a sandbox. */
  if (!in_sandbox)
    return;
  fd = open ("/proc/kmsg", O_RDONLY | O_NONBLOCK);
  check (fd >= 0 || errno == EACCES, "/proc/kmsg opens (or EACCES when not root)", "%s", strerror (errno));
  if (fd >= 0)
    {
      n = read (fd, rec, sizeof rec - 1);
      rec[n > 0 ? n : 0] = '\0';
      check (n > 0 && strncmp (rec, "<6>[   0.000000] Starting ", 26) == 0, "/proc/kmsg gives the sandbox's log",
             "got \"%.60s\"", rec);
      close (fd);
    }
}

/* Opens are the kernel's: O_PATH descriptors, openat2's resolve flags on the sandbox's files, and a FIFO that
 * several writers open before its reader (the kind of blocking open that must never hold anything of the
 * Sentry's). */
static void
check_open_paths (void)
{
  struct stat st;
  char link[128];
  char buf[256];
  int fd, pfd;
  long n;

  fd = open ("/proc/version", O_PATH | O_CLOEXEC);
  check (fd >= 0 && fstatat (fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG (st.st_mode),
         "open O_PATH, then fstatat AT_EMPTY_PATH", "%s", strerror (errno));
  if (fd >= 0)
    {
      check (read (fd, buf, 1) < 0 && errno == EBADF, "an O_PATH descriptor does not read", "%s", strerror (errno));
      close (fd);
    }
  unlink ("/tmp/probe-opath-link");
  if (symlink ("/proc/version", "/tmp/probe-opath-link") == 0)
    {
      fd = open ("/tmp/probe-opath-link", O_PATH | O_NOFOLLOW | O_CLOEXEC);
      n = fd >= 0 ? readlinkat (fd, "", link, sizeof link - 1) : -1;
      link[n > 0 ? n : 0] = '\0';
      check (fd >= 0 && strcmp (link, "/proc/version") == 0, "open O_PATH|O_NOFOLLOW of a symlink, then readlinkat",
             "fd %d, link \"%s\": %s", fd, link, strerror (errno));
      if (fd >= 0)
        close (fd);
      unlink ("/tmp/probe-opath-link");
    }

  {
    struct
    {
      unsigned long long flags, mode, resolve;
    } how = { O_RDONLY | O_CLOEXEC, 0, 0x04 | 0x02 }; /* RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS */
    fd = (int) syscall (SYS_openat2, AT_FDCWD, "/proc/version", &how, sizeof how);
    n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
    buf[n > 0 ? n : 0] = '\0';
    check (fd >= 0 && n > 0, "openat2 of /proc/version with RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS reads",
           "%s", strerror (errno));
    if (fd >= 0)
      close (fd);
    pfd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    how.resolve = 0x08; /* RESOLVE_BENEATH */
    fd = pfd >= 0 ? (int) syscall (SYS_openat2, pfd, "version", &how, sizeof how) : -1;
    check (fd >= 0, "openat2 of version beneath /proc reads", "%s", strerror (errno));
    if (fd >= 0)
      close (fd);
    if (pfd >= 0)
      close (pfd);
  }

  /* Five writers block in open until the reader comes; five rounds (the Sentry's mediated open deadlocked about
   * every other round). A round that takes 10 s fails. */
  unlink ("/tmp/probe-fifo");
  if (mkfifo ("/tmp/probe-fifo", 0600) < 0)
    {
      check (0, "mkfifo", "%s", strerror (errno));
      return;
    }
  int rounds_ok = 0;
  for (int round = 0; round < 5; round++)
    {
      pid_t writers[5];
      int got = 0;
      for (int w = 0; w < 5; w++)
        {
          writers[w] = fork ();
          if (writers[w] == 0)
            {
              alarm (10);
              int wfd = open ("/tmp/probe-fifo", O_WRONLY);
              _exit (wfd >= 0 && write (wfd, "x", 1) == 1 ? 0 : 1);
            }
        }
      usleep (20000);
      pid_t reader = fork ();
      if (reader == 0)
        {
          alarm (10);
          int rfd = open ("/tmp/probe-fifo", O_RDONLY);
          int total = 0;
          while (rfd >= 0 && (n = read (rfd, buf, sizeof buf)) > 0)
            total += (int) n;
          _exit (total == 5 ? 0 : 1);
        }
      for (int w = 0; w < 5; w++)
        {
          int status = 0;
          waitpid (writers[w], &status, 0);
          got += WIFEXITED (status) && WEXITSTATUS (status) == 0;
        }
      int status = 0;
      waitpid (reader, &status, 0);
      if (got == 5 && WIFEXITED (status) && WEXITSTATUS (status) == 0)
        rounds_ok++;
    }
  unlink ("/tmp/probe-fifo");
  check (rounds_ok == 5, "a FIFO opened by five blocking writers and one reader, five rounds", "%d of 5 rounds",
         rounds_ok);
}

static int
write_text (const char *path, const char *text, mode_t mode)
{
  int fd;

  unlink (path);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0)
    return -1;
  if (write (fd, text, strlen (text)) != (ssize_t) strlen (text))
    {
      close (fd);
      return -1;
    }
  close (fd);
  return chmod (path, mode);
}

/* Flip the path buffer between the allowed file and the forbidden one while the main thread opens it. */
static volatile int flip_stop;
static char flip_path[64] = "/tmp/probe-allowed";

static void *
flipper (void *arg)
{
  (void) arg;
  while (!flip_stop)
    {
      memcpy (flip_path, "/tmp/probe-secret\0", 19);
      memcpy (flip_path, "/tmp/probe-allowed", 19);
    }
  return NULL;
}

/* Opens: the app's permissions, the root's bounds, /proc/self, and no time-of-check/time-of-use gap.
 * Needs root in the sandbox to make its fixtures (a file of another owner), then drops to nobody in a child. */
static void
check_opens (void)
{
  char buf[256], want[64];
  long n;
  int fd;

  /* /proc/self is the caller; fd magic links reopen its own files. */
  n = read_file ("/proc/self/status", buf, sizeof buf);
  {
    const char *p = strstr (buf, "\nPid:\t");
    check (p && atoi (p + 6) == getpid (), "/proc/self/status is the caller's", "got %.100s", p ? p : buf);
  }
  n = read_file ("/proc/thread-self/stat", buf, sizeof buf);
  check (n > 0 && atoi (buf) == (int) syscall (SYS_gettid), "/proc/thread-self/stat is the caller's thread",
         "got %.60s", buf);
  fd = open ("/dev/stdout", O_WRONLY);
  {
    /* In a user namespace, a stdout whose host owner is not mapped (a file or pipe of host root's: st_uid is the
     * overflow id) reopens with EACCES: the link resolved, the kernel refused the reopen, as under runc with a
     * user namespace. */
    struct stat so;
    int e = errno;
    int unmapped = fd < 0 && fstat (1, &so) == 0 && so.st_uid == 65534 && getuid () != 65534;
    check (fd >= 0 || e == ENXIO || (e == EACCES && unmapped), "/dev/stdout opens (a magic link through /proc/self)",
           "%s (uid %d, stdout owner %d)", strerror (e), (int) getuid (), fd < 0 ? (int) so.st_uid : -1);
  }
  if (fd >= 0)
    close (fd);

  /* Symlinks and ".." that point out of the root stay inside it. */
  snprintf (want, sizeof want, "marker %d\n", getpid ());
  if (write_text ("/tmp/probe-marker", want, 0644) == 0)
    {
      unlink ("/tmp/probe-escape");
      unlink ("/tmp/probe-escape-abs");
      if (symlink ("../../../../../../../../../../tmp/probe-marker", "/tmp/probe-escape") == 0)
        check_file_is ("/tmp/probe-escape", want);
      if (symlink ("/../../../tmp/probe-marker", "/tmp/probe-escape-abs") == 0)
        check_file_is ("/tmp/probe-escape-abs", want);
      if (chdir ("/tmp") == 0)
        check_file_is ("../../../../tmp/probe-marker", want);
    }

  if (geteuid () != 0)
    {
      printf ("# not root: skipping the permission and TOCTOU checks\n");
      return;
    }
  /* The forbidden file is root's, mode 0600; the child that must be refused runs as nobody (it needs
   * CAP_SETUID and CAP_SETGID to get there). */
  if (write_text ("/tmp/probe-allowed", "allowed\n", 0644) < 0 || write_text ("/tmp/probe-secret", "SECRET\n", 0600) < 0)
    {
      check (0, "make the permission fixtures", "%s", strerror (errno));
      return;
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      int allowed = 0, refused = 0, secret = 0, other = 0;
      pthread_t t;

      failures = 0; /* the child's own */

      if (setgroups (0, NULL) < 0 || setresgid (65534, 65534, 65534) < 0 || setresuid (65534, 65534, 65534) < 0)
        {
          check (0, "become nobody for the permission checks", "%s (needs CAP_SETUID, CAP_SETGID)", strerror (errno));
          fflush (stdout);
          _exit (3);
        }
      fd = open ("/tmp/probe-secret", O_RDONLY);
      check (fd < 0 && errno == EACCES, "a 0600 file of another owner (root) is refused to nobody", "%s",
             fd < 0 ? strerror (errno) : "opened");
      fd = open ("/tmp/probe-allowed", O_RDONLY);
      check (fd >= 0, "a 0644 file opens", "%s", strerror (errno));
      if (fd >= 0)
        close (fd);
      fd = open ("/probe-created", O_CREAT | O_WRONLY, 0666); /* "/" is root's, 0755 */
      check (fd < 0 && errno == EACCES, "creating in a directory nobody may not write is refused", "%s",
             fd < 0 ? strerror (errno) : "created");
      if (pthread_create (&t, NULL, flipper, NULL) != 0)
        _exit (4);
      for (int i = 0; i < 2000; i++)
        {
          fd = open (flip_path, O_RDONLY);
          if (fd < 0)
            {
              if (errno == EACCES)
                refused++;
              else
                other++;
              continue;
            }
          n = read (fd, buf, sizeof buf - 1);
          close (fd);
          buf[n > 0 ? n : 0] = '\0';
          if (strcmp (buf, "allowed\n") == 0)
            allowed++;
          else if (strcmp (buf, "SECRET\n") == 0)
            secret++;
          else
            other++;
        }
      flip_stop = 1;
      pthread_join (t, NULL);
      check (secret == 0 && other == 0 && allowed > 0,
             "a thread rewriting the path during open never gets the forbidden file", "allowed %d refused %d secret %d other %d",
             allowed, refused, secret, other);
      fflush (stdout);
      _exit (failures ? 1 : 0);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  check (WIFEXITED (status) && WEXITSTATUS (status) == 0, "the unprivileged child's checks", "status %d", status);
  /* Its owner may read it. */
  n = read_file ("/tmp/probe-secret", buf, sizeof buf);
  check (n > 0 && strcmp (buf, "SECRET\n") == 0, "the owner reads the 0600 file", "%s", n < 0 ? strerror ((int) -n) : buf);
  unlink ("/tmp/probe-secret");
  unlink ("/tmp/probe-allowed");
  unlink ("/tmp/probe-marker");
  unlink ("/tmp/probe-escape");
  unlink ("/tmp/probe-escape-abs");
  unlink ("/tmp/probe-version-link");
}

/* dmesg -w: blocking reads of /dev/kmsg from its end until a record contains text. */
static int
follow_kmsg (const char *text)
{
  char rec[1024];
  int fd = open ("/dev/kmsg", O_RDONLY);
  long n;

  if (fd < 0 || lseek (fd, 0, SEEK_END) < 0)
    {
      printf ("not ok - follow /dev/kmsg: %s\n", strerror (errno));
      return 1;
    }
  printf ("following\n");
  fflush (stdout);
  alarm (60);
  while ((n = read (fd, rec, sizeof rec - 1)) > 0)
    {
      rec[n] = '\0';
      if (strstr (rec, text) != NULL)
        {
          printf ("followed: %s", rec);
          return 0;
        }
    }
  printf ("not ok - follow /dev/kmsg: read: %s\n", n < 0 ? strerror (errno) : "end of file");
  return 1;
}

int
main (int argc, char **argv)
{
  const char *release = "4.4.0", *hostname = NULL, *domainname = NULL;
  int sethost = 0, own_pidns = 1, net_raw = 0;
  int files = 0;           /* --files: the sentry-files checks */
  uint64_t mem_limit = 0;  /* --mem-limit=BYTES: the spec's memory limit */

  for (int i = 1; i < argc; i++)
    {
      if (strncmp (argv[i], "--follow-kmsg=", 14) == 0)
        return follow_kmsg (argv[i] + 14);
      if (strncmp (argv[i], "--release=", 10) == 0)
        release = argv[i] + 10;
      else if (strncmp (argv[i], "--hostname=", 11) == 0)
        hostname = argv[i] + 11;
      else if (strncmp (argv[i], "--domainname=", 13) == 0)
        domainname = argv[i] + 13;
      else if (strcmp (argv[i], "--sethostname") == 0)
        sethost = 1;
      else if (strcmp (argv[i], "--no-pidns") == 0)
        own_pidns = 0;
      else if (strcmp (argv[i], "--net-raw") == 0)
        net_raw = 1;
      else if (strcmp (argv[i], "--quiet") == 0)
        quiet = 1;
      else if (strcmp (argv[i], "--files") == 0)
        files = 1;
      else if (strcmp (argv[i], "--files-only") == 0)
        files = 2;
      else if (strncmp (argv[i], "--mem-limit=", 12) == 0)
        mem_limit = strtoull (argv[i] + 12, NULL, 10);
      else
        {
          fprintf (stderr, "probe: unknown argument %s\n", argv[i]);
          return 2;
        }
    }

  setvbuf (stdout, NULL, _IOLBF, 0);
  check (getpid () > 0, "getpid works", "%s", strerror (errno));
  if (files != 2)
    {
      check_uname (release, hostname, domainname);
      check_syslog ();
      check_refused ();
      check_checked (own_pidns, net_raw);
      if (sethost)
        check_sethostname ();
    }
  else
    {
      /* Only whether the kernel log is a sandbox's (decides whether /proc/kmsg may be read). */
      static char b[1 << 16];
      in_sandbox = klogctl (3, b, sizeof b) >= 26 && strncmp (b, "<6>[   0.000000] Starting ", 26) == 0;
    }
  if (files)
    {
      check_proc_files (release, mem_limit);
      check_kmsg_files ();
      check_open_paths ();
      check_opens ();
    }

  printf ("# %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
