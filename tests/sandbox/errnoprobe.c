/* errnoprobe: the kernel's answers to calls that Linux rejects for their arguments, one line each ("name
 * ERRNO", or "name ok"), so that the same program run under runsc and under runc can be compared line by line
 * (tests/integration/compat-errno.bats). Built static, copied into a busybox bundle.
 *
 *   errnoprobe            the argument checks (socket, socketpair, clocks, keyrings, name_to_handle_at, clone,
 *                         unshare, prctl, ioctl, personality) and the pid_max check
 *   errnoprobe --strict   enter seccomp strict mode with prctl, write "strict: in" and leave with exit(2);
 *                         prints "strict: ERRNO" if the kernel refuses
 *   errnoprobe --strict-seccomp   the same with seccomp(SECCOMP_SET_MODE_STRICT)
 *
 * Every call here fails on Linux whatever the caller's privileges (or only reads), so running it anywhere is
 * harmless. Plain libc only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
report (const char *what, long r)
{
  int err = errno;
  if (r >= 0)
    printf ("%s ok\n", what);
  else
    printf ("%s %s\n", what, strerrorname_np (err) ? strerrorname_np (err) : "?");
}

#define T(what, call)                                                                                                \
  do                                                                                                                 \
    {                                                                                                                \
      errno = 0;                                                                                                     \
      long r_ = (call);                                                                                              \
      report (what, r_);                                                                                             \
    }                                                                                                                \
  while (0)

static long
sock (int family, int type, int proto)
{
  int fd = socket (family, type, proto);
  int err = errno;
  if (fd >= 0)
    close (fd);
  errno = err;
  return fd;
}

static void
sockets (void)
{
  int sv[2];
  T ("socket(AF_INET, 75, 0)", sock (AF_INET, 75, 0));
  T ("socket(AF_INET, 11, 0)", sock (AF_INET, 11, 0));
  T ("socket(AF_INET, SOCK_RAW, 0)", sock (AF_INET, SOCK_RAW, 0));
  T ("socket(AF_INET, SOCK_RAW, -1)", sock (AF_INET, SOCK_RAW, -1));
  T ("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", sock (AF_INET, SOCK_RAW, 1));
  T ("socket(AF_INET, SOCK_SEQPACKET, 0)", sock (AF_INET, SOCK_SEQPACKET, 0));
  T ("socket(AF_INET, SOCK_PACKET, 0)", sock (AF_INET, SOCK_PACKET, 0));
  T ("socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)", sock (AF_INET, SOCK_DGRAM, 6));
  T ("socket(AF_INET6, SOCK_RAW, 0)", sock (AF_INET6, SOCK_RAW, 0));
  T ("socket(AF_INET6, SOCK_RDM, 0)", sock (AF_INET6, SOCK_RDM, 0));
  T ("socket(0, SOCK_STREAM, 0)", sock (0, SOCK_STREAM, 0));
  T ("socket(1000, SOCK_STREAM, 0)", sock (1000, SOCK_STREAM, 0));
  T ("socket(AF_PACKET, SOCK_RAW, 0)", sock (AF_PACKET, SOCK_RAW, 0));
  T ("socket(AF_NETLINK, SOCK_STREAM, 9)", sock (AF_NETLINK, SOCK_STREAM, 9));
  T ("socket(AF_NETLINK, SOCK_RAW, -1)", sock (AF_NETLINK, SOCK_RAW, -1));
  T ("socketpair(AF_INET, SOCK_STREAM, 0)", socketpair (AF_INET, SOCK_STREAM, 0, sv));
  T ("socketpair(AF_INET, SOCK_DGRAM, 0)", socketpair (AF_INET, SOCK_DGRAM, 0, sv));
  T ("socketpair(AF_INET6, SOCK_STREAM, 0)", socketpair (AF_INET6, SOCK_STREAM, 0, sv));
  T ("socketpair(AF_INET, SOCK_RAW, 0)", socketpair (AF_INET, SOCK_RAW, 0, sv));
  T ("socketpair(AF_NETLINK, SOCK_RAW, 0)", socketpair (AF_NETLINK, SOCK_RAW, 0, sv));
  T ("socketpair(AF_INET, 75, 0)", socketpair (AF_INET, 75, 0, sv));
  T ("socketpair(AF_INET, SOCK_STREAM, 0, bad)", syscall (SYS_socketpair, AF_INET, SOCK_STREAM, 0, 1L));
}

static void
clocks (void)
{
  struct timeval neg_usec = { 0, -1 }, neg_sec = { -1, 0 };
  struct timespec bad_ns = { 0, 1000000000 }, ok = { 1000, 0 };
  struct timex tx;

  T ("settimeofday(usec -1)", syscall (SYS_settimeofday, &neg_usec, NULL));
  T ("settimeofday(sec -1)", syscall (SYS_settimeofday, &neg_sec, NULL));
  T ("settimeofday(bad tv)", syscall (SYS_settimeofday, (void *) 1, NULL));
  T ("settimeofday(usec -1, bad tz)", syscall (SYS_settimeofday, &neg_usec, (void *) 1));
  T ("clock_settime(REALTIME, NULL)", syscall (SYS_clock_settime, CLOCK_REALTIME, NULL));
  T ("clock_settime(REALTIME, nsec 1e9)", syscall (SYS_clock_settime, CLOCK_REALTIME, &bad_ns));
  T ("clock_settime(MONOTONIC)", syscall (SYS_clock_settime, CLOCK_MONOTONIC, &ok));
  T ("clock_settime(99)", syscall (SYS_clock_settime, 99, &ok));
  T ("adjtimex(NULL)", syscall (SYS_adjtimex, NULL));
  memset (&tx, 0, sizeof tx);
  tx.modes = 0x8000; /* ADJ_ADJTIME without ADJ_OFFSET_SINGLESHOT */
  T ("adjtimex(ADJ_ADJTIME)", syscall (SYS_adjtimex, &tx));
  T ("clock_adjtime(REALTIME, NULL)", syscall (SYS_clock_adjtime, CLOCK_REALTIME, NULL));
  memset (&tx, 0, sizeof tx);
  T ("clock_adjtime(MONOTONIC)", syscall (SYS_clock_adjtime, CLOCK_MONOTONIC, &tx));
  T ("clock_adjtime(99)", syscall (SYS_clock_adjtime, 99, &tx));
}

static void
keys (void)
{
  T ("add_key(NULL type)", syscall (SYS_add_key, NULL, NULL, NULL, 0, 0));
  T ("add_key(empty type)", syscall (SYS_add_key, "", "d", "x", 1, KEY_SPEC_PROCESS_KEYRING));
  T ("add_key(type .x)", syscall (SYS_add_key, ".x", "d", "x", 1, KEY_SPEC_PROCESS_KEYRING));
  T ("add_key(plen 1 MiB)", syscall (SYS_add_key, "user", "d", "x", 1 << 20, KEY_SPEC_PROCESS_KEYRING));
  T ("add_key(bad payload)", syscall (SYS_add_key, "user", "d", (void *) 1, 1, KEY_SPEC_PROCESS_KEYRING));
  T ("request_key(NULL type)", syscall (SYS_request_key, NULL, NULL, NULL, 0));
  T ("request_key(bad description)", syscall (SYS_request_key, "user", (void *) 1, NULL, 0));
  T ("request_key(bad callout)", syscall (SYS_request_key, "user", "d", (void *) 1, 0));
}

static void
handles (void)
{
  struct
  {
    unsigned int bytes;
    int type;
    unsigned char h[128];
  } fh = { 128, 0, { 0 } };
  int mnt;
  T ("name_to_handle_at(-1, NULL)", syscall (SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0));
  T ("name_to_handle_at(-1, relative)", syscall (SYS_name_to_handle_at, -1, "x", &fh, &mnt, 0));
  T ("name_to_handle_at(missing)", syscall (SYS_name_to_handle_at, AT_FDCWD, "/nonexistent-x", &fh, &mnt, 0));
  T ("name_to_handle_at(not a directory)", syscall (SYS_name_to_handle_at, AT_FDCWD, "/bin/sh/x", &fh, &mnt, 0));
  T ("name_to_handle_at(bad handle)", syscall (SYS_name_to_handle_at, AT_FDCWD, "/dev", (void *) 1, &mnt, 0));
  T ("name_to_handle_at(bad flags)", syscall (SYS_name_to_handle_at, AT_FDCWD, "/dev", &fh, &mnt, 0x7));
}

/* A raw clone that must fail; should it succeed, the child leaves at once. */
static long
try_clone (unsigned long flags)
{
  long r = syscall (SYS_clone, flags, NULL, NULL, NULL, 0);
  if (r == 0)
    syscall (SYS_exit, 0);
  if (r > 0)
    waitpid (r, NULL, __WALL);
  return r;
}

static void
ioctls (void)
{
  int sv[2], ptm, pts = -1;
  char c = 'x';
  T ("ioctl(-1, TIOCSTI)", ioctl (-1, TIOCSTI, &c));
  T ("ioctl(1000, 0x1234)", ioctl (1000, 0x1234, 0));
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
    {
      T ("ioctl(socket, TIOCSTI)", ioctl (sv[0], TIOCSTI, &c));
      T ("ioctl(socket, TIOCCONS)", ioctl (sv[0], TIOCCONS, 0));
      close (sv[0]);
      close (sv[1]);
    }
  ptm = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (ptm >= 0 && grantpt (ptm) == 0 && unlockpt (ptm) == 0)
    pts = open (ptsname (ptm), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pts >= 0)
    {
      T ("ioctl(pty, TIOCSTI)", ioctl (pts, TIOCSTI, &c));
      T ("ioctl(pty, TIOCCONS)", ioctl (pts, TIOCCONS, 0));
      T ("ioctl(pty, TIOCLINUX)", ioctl (pts, TIOCLINUX, ""));
      T ("ioctl(pty, 0x1234)", ioctl (pts, 0x1234, 0));
      close (pts);
    }
  else
    printf ("no pty\n");
  if (ptm >= 0)
    close (ptm);
}

static void
processes (void)
{
  T ("clone(CLONE_NEWNET)", try_clone (CLONE_NEWNET | SIGCHLD));
  T ("clone(CLONE_NEWNS | CLONE_FS)", try_clone (CLONE_NEWNS | CLONE_FS | SIGCHLD));
  T ("clone(CLONE_NEWPID | CLONE_THREAD)", try_clone (CLONE_NEWPID | CLONE_THREAD | SIGCHLD));
  T ("clone(CLONE_NEWNET | CLONE_SIGHAND)", try_clone (CLONE_NEWNET | CLONE_SIGHAND | SIGCHLD));
  T ("unshare(CLONE_NEWNS)", syscall (SYS_unshare, CLONE_NEWNS));
  T ("unshare(CLONE_NEWNET | CLONE_VFORK)", syscall (SYS_unshare, CLONE_NEWNET | CLONE_VFORK));
  T ("prctl(PR_SET_MM, PR_SET_MM_START_CODE)", prctl (PR_SET_MM, PR_SET_MM_START_CODE, 0x1000, 0, 0));
  T ("prctl(PR_SET_MM, START_CODE, arg4)", prctl (PR_SET_MM, PR_SET_MM_START_CODE, 0x1000, 1, 0));
  T ("prctl(PR_SET_IO_FLUSHER)", prctl (57, 1, 0, 0, 0));
  T ("prctl(PR_SET_FP_MODE)", prctl (45, 1, 0, 0, 0));
  T ("prctl(1000)", prctl (1000, 0, 0, 0, 0));
}

static void
personas (void)
{
  static const struct
  {
    const char *name;
    unsigned long value;
  } p[] = {
    { "PER_LINUX32", PER_LINUX32 },         { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
    { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC }, { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
    { "STICKY_TIMEOUTS", STICKY_TIMEOUTS }, { "SHORT_INODE", SHORT_INODE },
    { "WHOLE_SECONDS", WHOLE_SECONDS },     { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
    { "UNAME26", UNAME26 },                 { "PER_BSD", PER_BSD },
  };
  int before = personality (0xffffffff);
  char what[64];
  for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
    {
      snprintf (what, sizeof what, "personality(%s)", p[i].name);
      long r = personality (p[i].value);
      if (r >= 0 && personality (0xffffffff) != (int) p[i].value)
        {
          printf ("%s did not stick\n", what);
          continue;
        }
      report (what, r);
    }
  personality (before);
}

/* 50 children: none may have a pid above the pid_max the container reads. */
static void
pids (void)
{
  char buf[32] = "";
  FILE *f = fopen ("/proc/sys/kernel/pid_max", "r");
  long max = f != NULL && fgets (buf, sizeof buf, f) ? strtol (buf, NULL, 10) : -1;
  long over = 0, top = getpid ();
  if (f != NULL)
    fclose (f);
  for (int i = 0; i < 50; i++)
    {
      pid_t c = fork ();
      if (c == 0)
        _exit (getppid () > max);
      if (c > top)
        top = c;
      int status;
      waitpid (c, &status, 0);
      if (c > max || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
        over++;
    }
  if (max <= 0)
    printf ("pid_max unreadable\n");
  else
    printf ("pids within pid_max: %s\n", over == 0 && getpid () <= max && getppid () <= max ? "yes" : "NO");
  fprintf (stderr, "pid_max %ld, highest pid %ld\n", max, top);
}

static int
strict (int use_seccomp)
{
  static const char in[] = "strict: in\n";
  long r;
  fflush (stdout);
  if (use_seccomp)
    r = syscall (SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL);
  else
    r = prctl (PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
  if (r < 0)
    {
      report ("strict:", r);
      return 0;
    }
  /* Only read, write, _exit and sigreturn from here on: exit_group would kill us. */
  if (write (1, in, sizeof in - 1) < 0)
    syscall (SYS_exit, 3);
  syscall (SYS_exit, 0);
  return 0;
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp (argv[1], "--strict") == 0)
    return strict (0);
  if (argc > 1 && strcmp (argv[1], "--strict-seccomp") == 0)
    return strict (1);
  sockets ();
  clocks ();
  keys ();
  handles ();
  ioctls ();
  processes ();
  personas ();
  pids ();
  return 0;
}
