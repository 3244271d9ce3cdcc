/* The table's answers to refused and argument-checked calls against the host kernel's answers for the same
 * arguments: each call is made on the host in a throwaway child without capabilities (what Linux answers an
 * unprivileged caller), and through the table's refusal path (sentry_syscall_refuse_errno_call, reading this
 * process's memory as the Sentry reads the caller's). Where the table lets a shape run natively, the kernel
 * answers it anyway and there is nothing to compare. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "sentry/syscall-table.h"

#define PAGE 4096

typedef struct
{
  const char *what;
  int nr;
  uint64_t args[6];
} Case;

/* The host kernel's answer: 0 on success, else the errno, from a child that holds no capability. */
static int
host_errno (const Case *c)
{
  int p[2];
  g_assert_cmpint (pipe (p), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
      struct __user_cap_data_struct d[2] = { { 0 } };
      int err = -1;
      close (p[0]);
      if (syscall (SYS_capset, &h, d) == 0)
        {
          long r = syscall (c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
          err = r < 0 ? errno : 0;
        }
      if (write (p[1], &err, sizeof err) != sizeof err)
        _exit (2);
      _exit (0);
    }
  close (p[1]);
  int err = -2, status;
  g_assert_cmpint (read (p[0], &err, sizeof err), ==, sizeof err);
  close (p[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (err, >=, 0);
  return err;
}

static int
read_self (void *ctx, uint64_t addr, void *buf, size_t len)
{
  struct iovec local = { buf, len }, remote = { (void *) (uintptr_t) addr, len };
  (void) ctx;
  ssize_t n = process_vm_readv (getpid (), &local, 1, &remote, 1, 0);
  if (n < 0)
    return -errno;
  return (size_t) n == len ? 0 : -EFAULT;
}

/* The sandbox's answer: -1 when the table runs the call natively (the kernel answers), else the refusal errno. */
static int
table_errno (const Case *c)
{
  const SentrySyscall *row = sentry_syscall_lookup (c->nr);
  SentryRuleContext ctx = { .net_raw = FALSE, .own_pidns = TRUE };
  SentryCallView view = { c->args, read_self, NULL, getpid () };

  g_assert_nonnull (row);
  if (sentry_syscall_allowed (row, c->args, &ctx))
    return -1;
  return sentry_syscall_refuse_errno_call (row, &view);
}

static const char *
ename (int err)
{
  const char *n = err > 0 ? strerrorname_np (err) : NULL;
  return n != NULL ? n : (err == 0 ? "success" : "?");
}

/* Every case the host rejects gets the same errno from the table. Returns how many were compared. */
static guint
compare (const Case *cases, gsize n)
{
  guint compared = 0;
  GString *bad = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    {
      int host = host_errno (&cases[i]);
      int table = table_errno (&cases[i]);
      if (table < 0)
        {
          g_test_message ("%s: native, the kernel answers (%s)", cases[i].what, ename (host));
          continue;
        }
      if (host == 0)
        {
          g_test_message ("%s: the host accepts it, the sandbox refuses it with %s", cases[i].what, ename (table));
          continue;
        }
      compared++;
      if (host != table)
        g_string_append_printf (bad, "\n  %s: Linux %s, the table %s", cases[i].what, ename (host), ename (table));
    }
  if (bad->len > 0)
    g_error ("answers that differ from the kernel's:%s", bad->str);
  g_string_free (bad, TRUE);
  return compared;
}

/* Two pages: the first readable, the second not. */
static char *
guard_pages (void)
{
  char *p = mmap (NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (p != MAP_FAILED);
  g_assert_cmpint (mprotect (p + PAGE, PAGE, PROT_NONE), ==, 0);
  return p;
}

#define U(x) ((uint64_t) (uintptr_t) (x))
#define BAD 1ull /* an address nothing is mapped at */

static void
test_socket (void)
{
  static int sv[2];
  const Case cases[] = {
    { "socket(AF_INET, 75, 0)", __NR_socket, { AF_INET, 75, 0 } },
    { "socket(AF_INET, SOCK_STREAM | 0x100, 0)", __NR_socket, { AF_INET, SOCK_STREAM | 0x100, 0 } },
    { "socket(AF_INET, 11, 0)", __NR_socket, { AF_INET, 11, 0 } },
    { "socket(AF_INET, 0, 0)", __NR_socket, { AF_INET, 0, 0 } },
    { "socket(AF_INET, SOCK_RAW, 0)", __NR_socket, { AF_INET, SOCK_RAW, 0 } },
    { "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", __NR_socket, { AF_INET, SOCK_RAW, 1 } },
    { "socket(AF_INET, SOCK_RAW, 256)", __NR_socket, { AF_INET, SOCK_RAW, 256 } },
    { "socket(AF_INET, SOCK_RAW, -1)", __NR_socket, { AF_INET, SOCK_RAW, (uint32_t) -1 } },
    { "socket(AF_INET, SOCK_RAW, 300)", __NR_socket, { AF_INET, SOCK_RAW, 300 } },
    { "socket(AF_INET, SOCK_SEQPACKET, 0)", __NR_socket, { AF_INET, SOCK_SEQPACKET, 0 } },
    { "socket(AF_INET, SOCK_SEQPACKET, 300)", __NR_socket, { AF_INET, SOCK_SEQPACKET, 300 } },
    { "socket(AF_INET, SOCK_RDM, 0)", __NR_socket, { AF_INET, SOCK_RDM, 0 } },
    { "socket(AF_INET, SOCK_PACKET, 0)", __NR_socket, { AF_INET, SOCK_PACKET, 0 } },
    { "socket(AF_INET6, SOCK_RAW, 0)", __NR_socket, { AF_INET6, SOCK_RAW, 0 } },
    { "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)", __NR_socket, { AF_INET6, SOCK_RAW, 58 } },
    { "socket(AF_INET6, SOCK_SEQPACKET, 0)", __NR_socket, { AF_INET6, SOCK_SEQPACKET, 0 } },
    { "socket(AF_INET6, 15, 0)", __NR_socket, { AF_INET6, 15, 0 } },
    { "socket(0, SOCK_STREAM, 0)", __NR_socket, { 0, SOCK_STREAM, 0 } },
    { "socket(-1, SOCK_STREAM, 0)", __NR_socket, { (uint32_t) -1, SOCK_STREAM, 0 } },
    { "socket(46, SOCK_STREAM, 0)", __NR_socket, { 46, SOCK_STREAM, 0 } },
    { "socket(1000, 15, 0)", __NR_socket, { 1000, 15, 0 } },
    { "socket(AF_VSOCK, 15, 0)", __NR_socket, { 40, 15, 0 } },
    { "socket(AF_PACKET, SOCK_RAW, 0)", __NR_socket, { AF_PACKET, SOCK_RAW, 0 } },
    { "socket(AF_PACKET, SOCK_STREAM, 0)", __NR_socket, { AF_PACKET, SOCK_STREAM, 0 } },
    { "socket(AF_PACKET, SOCK_RAW | 0x100, 0)", __NR_socket, { AF_PACKET, SOCK_RAW | 0x100, 0 } },
    { "socket(AF_NETLINK, SOCK_STREAM, 9)", __NR_socket, { AF_NETLINK, SOCK_STREAM, 9 } },
    { "socket(AF_NETLINK, SOCK_RAW, 40)", __NR_socket, { AF_NETLINK, SOCK_RAW, 40 } },
    { "socket(AF_NETLINK, SOCK_RAW, -1)", __NR_socket, { AF_NETLINK, SOCK_RAW, (uint32_t) -1 } },
    { "socket(AF_NETLINK, SOCK_SEQPACKET | 0x100, 9)", __NR_socket, { AF_NETLINK, SOCK_SEQPACKET | 0x100, 9 } },
    { "socketpair(AF_INET, SOCK_STREAM, 0)", __NR_socketpair, { AF_INET, SOCK_STREAM, 0, U (sv) } },
    { "socketpair(AF_INET, SOCK_DGRAM, 0)", __NR_socketpair, { AF_INET, SOCK_DGRAM, 0, U (sv) } },
    { "socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP)", __NR_socketpair, { AF_INET, SOCK_STREAM, 17, U (sv) } },
    { "socketpair(AF_INET, SOCK_RAW, 0)", __NR_socketpair, { AF_INET, SOCK_RAW, 0, U (sv) } },
    { "socketpair(AF_INET, SOCK_RAW, 1)", __NR_socketpair, { AF_INET, SOCK_RAW, 1, U (sv) } },
    { "socketpair(AF_INET, 75, 0)", __NR_socketpair, { AF_INET, 75, 0, U (sv) } },
    { "socketpair(AF_INET6, SOCK_STREAM, 0)", __NR_socketpair, { AF_INET6, SOCK_STREAM, 0, U (sv) } },
    { "socketpair(AF_INET6, SOCK_SEQPACKET, 0)", __NR_socketpair, { AF_INET6, SOCK_SEQPACKET, 0, U (sv) } },
    { "socketpair(AF_NETLINK, SOCK_RAW, 0)", __NR_socketpair, { AF_NETLINK, SOCK_RAW, 0, U (sv) } },
    { "socketpair(AF_NETLINK, SOCK_STREAM, 0)", __NR_socketpair, { AF_NETLINK, SOCK_STREAM, 0, U (sv) } },
    { "socketpair(AF_PACKET, SOCK_RAW, 0)", __NR_socketpair, { AF_PACKET, SOCK_RAW, 0, U (sv) } },
    { "socketpair(0, SOCK_STREAM, 0)", __NR_socketpair, { 0, SOCK_STREAM, 0, U (sv) } },
    { "socketpair(AF_INET, SOCK_STREAM, 0, bad sv)", __NR_socketpair, { AF_INET, SOCK_STREAM, 0, BAD } },
    { "socketpair(1000, SOCK_STREAM, 0, bad sv)", __NR_socketpair, { 1000, SOCK_STREAM, 0, BAD } },
    { "socketpair(AF_INET, 75, 0, bad sv)", __NR_socketpair, { AF_INET, 75, 0, BAD } },
  };
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), >=, G_N_ELEMENTS (cases) - 4);

  /* Shapes Linux accepts but the sandbox has no room for answer as a kernel without them. */
  uint64_t vsock[6] = { 40, SOCK_STREAM, 0 }, audit[6] = { AF_NETLINK, SOCK_RAW, 9 };
  const SentrySyscall *row = sentry_syscall_lookup (__NR_socket);
  g_assert_cmpint (sentry_syscall_refuse_errno (row, vsock), ==, EAFNOSUPPORT);
  g_assert_cmpint (sentry_syscall_refuse_errno (row, audit), ==, EPROTONOSUPPORT);
}

static void
test_clocks (void)
{
  char *g = guard_pages ();
  struct timeval *tv_ok = (void *) g, *tv_neg_usec = tv_ok + 1, *tv_big_usec = tv_ok + 2, *tv_neg_sec = tv_ok + 3,
                 *tv_huge = tv_ok + 4;
  *tv_ok = (struct timeval) { 1000, 0 };
  *tv_neg_usec = (struct timeval) { 0, -1 };
  *tv_big_usec = (struct timeval) { 0, 1000000 };
  *tv_neg_sec = (struct timeval) { -1, 0 };
  *tv_huge = (struct timeval) { 9000000000ll, 0 };
  struct timezone *tz_far = (void *) (g + 256);
  *tz_far = (struct timezone) { 16 * 60, 0 };
  struct timespec *ts_ok = (void *) (g + 512), *ts_bad = ts_ok + 1;
  *ts_ok = (struct timespec) { 1000, 0 };
  *ts_bad = (struct timespec) { 0, 1000000000 };
  char *tv_cut = g + PAGE - 8; /* tv_sec readable, tv_usec on the unreadable page */
  memset (tv_cut, 0, 8);
  struct timex *tx = (void *) (g + 1024), *tx_tick = tx + 1, *tx_adjtime = tx + 2, *tx_ss = tx + 3;
  memset (tx, 0, 4 * sizeof *tx);
  tx_tick->modes = ADJ_TICK;
  tx_tick->tick = 1;
  tx_adjtime->modes = 0x8000;
  tx_ss->modes = ADJ_OFFSET_SINGLESHOT;
  char *tx_cut = g + PAGE - 100;
  memset (tx_cut, 0, 100);

  const Case cases[] = {
    { "settimeofday(NULL, NULL)", __NR_settimeofday, { 0, 0 } },
    { "settimeofday(usec -1)", __NR_settimeofday, { U (tv_neg_usec), 0 } },
    { "settimeofday(usec 1000000)", __NR_settimeofday, { U (tv_big_usec), 0 } },
    { "settimeofday(sec -1)", __NR_settimeofday, { U (tv_neg_sec), 0 } },
    { "settimeofday(sec 9e9)", __NR_settimeofday, { U (tv_huge), 0 } },
    { "settimeofday(bad tv)", __NR_settimeofday, { BAD, 0 } },
    { "settimeofday(tv across an unreadable page)", __NR_settimeofday, { U (tv_cut), 0 } },
    { "settimeofday(ok, bad tz)", __NR_settimeofday, { U (tv_ok), BAD } },
    { "settimeofday(usec -1, bad tz)", __NR_settimeofday, { U (tv_neg_usec), BAD } },
    { "settimeofday(sec -1, bad tz)", __NR_settimeofday, { U (tv_neg_sec), BAD } },
    { "settimeofday(ok, tz 16 h)", __NR_settimeofday, { U (tv_ok), U (tz_far) } },
    { "settimeofday(NULL, tz 16 h)", __NR_settimeofday, { 0, U (tz_far) } },
    { "settimeofday(ok, NULL)", __NR_settimeofday, { U (tv_ok), 0 } },
    { "clock_settime(REALTIME, NULL)", __NR_clock_settime, { CLOCK_REALTIME, 0 } },
    { "clock_settime(REALTIME, nsec 1e9)", __NR_clock_settime, { CLOCK_REALTIME, U (ts_bad) } },
    { "clock_settime(REALTIME, ok)", __NR_clock_settime, { CLOCK_REALTIME, U (ts_ok) } },
    { "clock_settime(MONOTONIC, ok)", __NR_clock_settime, { CLOCK_MONOTONIC, U (ts_ok) } },
    { "clock_settime(MONOTONIC, NULL)", __NR_clock_settime, { CLOCK_MONOTONIC, 0 } },
    { "clock_settime(TAI, ok)", __NR_clock_settime, { 11, U (ts_ok) } },
    { "clock_settime(99, NULL)", __NR_clock_settime, { 99, 0 } },
    { "clock_settime(-1, ok)", __NR_clock_settime, { (uint32_t) -1, U (ts_ok) } },
    { "clock_settime(-1, NULL)", __NR_clock_settime, { (uint32_t) -1, 0 } },
    { "clock_settime(process cputime, ok)", __NR_clock_settime, { CLOCK_PROCESS_CPUTIME_ID, U (ts_ok) } },
    { "adjtimex(NULL)", __NR_adjtimex, { 0 } },
    { "adjtimex(bad)", __NR_adjtimex, { BAD } },
    { "adjtimex(across an unreadable page)", __NR_adjtimex, { U (tx_cut) } },
    { "adjtimex(ADJ_TICK 1)", __NR_adjtimex, { U (tx_tick) } },
    { "adjtimex(ADJ_ADJTIME without SINGLESHOT)", __NR_adjtimex, { U (tx_adjtime) } },
    { "adjtimex(ADJ_OFFSET_SINGLESHOT)", __NR_adjtimex, { U (tx_ss) } },
    { "clock_adjtime(REALTIME, NULL)", __NR_clock_adjtime, { CLOCK_REALTIME, 0 } },
    { "clock_adjtime(99, NULL)", __NR_clock_adjtime, { 99, 0 } },
    { "clock_adjtime(99, modes 0)", __NR_clock_adjtime, { 99, U (tx) } },
    { "clock_adjtime(10, modes 0)", __NR_clock_adjtime, { 10, U (tx) } },
    { "clock_adjtime(MONOTONIC, modes 0)", __NR_clock_adjtime, { CLOCK_MONOTONIC, U (tx) } },
    { "clock_adjtime(TAI, modes 0)", __NR_clock_adjtime, { 11, U (tx) } },
    { "clock_adjtime(-1, modes 0)", __NR_clock_adjtime, { (uint32_t) -1, U (tx) } },
    { "clock_adjtime(REALTIME, ADJ_TICK 1)", __NR_clock_adjtime, { CLOCK_REALTIME, U (tx_tick) } },
    { "clock_adjtime(REALTIME, ADJ_ADJTIME)", __NR_clock_adjtime, { CLOCK_REALTIME, U (tx_adjtime) } },
  };
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), ==, G_N_ELEMENTS (cases));

  /* Reads of the host clock's discipline, which Linux answers anyone, stay refused (as gVisor). */
  const Case reads[] = { { "adjtimex(modes 0)", __NR_adjtimex, { U (tx) } } };
  g_assert_cmpint (host_errno (&reads[0]), ==, 0);
  g_assert_cmpint (table_errno (&reads[0]), ==, EPERM);
  munmap (g, 2 * PAGE);
}

static void
test_keys (void)
{
  char *g = guard_pages ();
  char *type_cut = g + PAGE - 4; /* "user" with its NUL on the unreadable page */
  memcpy (type_cut, "user", 4);
  char *long_type = g + 64;
  memset (long_type, 'a', 40);
  long_type[40] = '\0';
  char *long_desc = g + 128;
  memset (long_desc, 'd', PAGE - 128 - 4); /* then "user" and the unreadable page, no NUL: EFAULT */
  /* a NUL-less run of more than 4096 bytes: EINVAL */
  char *big = mmap (NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (big != MAP_FAILED);
  memset (big, 'x', 3 * PAGE - 1);
  big[3 * PAGE - 1] = '\0';
  const uint64_t proc_ring = (uint32_t) KEY_SPEC_PROCESS_KEYRING;

  const Case cases[] = {
    { "add_key(NULL type)", __NR_add_key, { 0, 0, 0, 0, proc_ring } },
    { "add_key(type across an unreadable page)", __NR_add_key, { U (type_cut), U ("d"), U ("x"), 1, proc_ring } },
    { "add_key(empty type)", __NR_add_key, { U (""), U ("d"), U ("x"), 1, proc_ring } },
    { "add_key(40-byte type)", __NR_add_key, { U (long_type), U ("d"), U ("x"), 1, proc_ring } },
    { "add_key(type .dot)", __NR_add_key, { U (".dot"), U ("d"), U ("x"), 1, proc_ring } },
    { "add_key(plen 1 MiB)", __NR_add_key, { 0, U ("d"), U ("x"), 1 << 20, proc_ring } },
    { "add_key(bad description)", __NR_add_key, { U ("user"), BAD, U ("x"), 1, proc_ring } },
    { "add_key(description into an unreadable page)", __NR_add_key,
      { U ("user"), U (long_desc), U ("x"), 1, proc_ring } },
    { "add_key(description of 12 KiB)", __NR_add_key, { U ("user"), U (big), U ("x"), 1, proc_ring } },
    { "add_key(keyring, .description)", __NR_add_key, { U ("keyring"), U (".d"), 0, 0, proc_ring } },
    { "add_key(bad payload)", __NR_add_key, { U ("user"), U ("d"), BAD, 1, proc_ring } },
    { "add_key(payload into an unreadable page)", __NR_add_key, { U ("user"), U ("d"), U (g + 8), PAGE, proc_ring } },
    { "add_key(NULL payload, plen 1)", __NR_add_key, { U ("user"), U ("d"), 0, 1, proc_ring } },
    { "request_key(NULL type)", __NR_request_key, { 0, 0, 0, 0 } },
    { "request_key(empty type)", __NR_request_key, { U (""), U ("d"), 0, 0 } },
    { "request_key(type .dot)", __NR_request_key, { U (".dot"), U ("d"), 0, 0 } },
    { "request_key(NULL description)", __NR_request_key, { U ("user"), 0, 0, 0 } },
    { "request_key(description of 12 KiB)", __NR_request_key, { U ("user"), U (big), 0, 0 } },
    { "request_key(bad callout)", __NR_request_key, { U ("user"), U ("d"), BAD, 0 } },
    { "request_key(callout of 12 KiB)", __NR_request_key, { U ("user"), U ("d"), U (big), 0 } },
  };
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), ==, G_N_ELEMENTS (cases));

  /* Good arguments: the sandbox has no keyrings. */
  const Case good = { "request_key(user, d)", __NR_request_key, { U ("user"), U ("no-such-key"), 0, 0 } };
  g_assert_cmpint (table_errno (&good), ==, ENOSYS);
  munmap (big, 3 * PAGE);
  munmap (g, 2 * PAGE);
}

static void
test_ioctl (void)
{
  int sv[2], p[2];
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_cmpint (pipe2 (p, O_CLOEXEC), ==, 0);
  int file = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (file, >=, 0);
  /* A terminal that is not ours: the pty's other end. */
  int ptm = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (ptm, >=, 0);
  g_assert_cmpint (grantpt (ptm), ==, 0);
  g_assert_cmpint (unlockpt (ptm), ==, 0);
  int pty = open (ptsname (ptm), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (pty, >=, 0);
  char c = 'x';
  const Case cases[] = {
    { "ioctl(-1, TIOCSTI)", __NR_ioctl, { (uint32_t) -1, 0x5412, U (&c) } },
    { "ioctl(closed fd, TIOCSTI)", __NR_ioctl, { 1000, 0x5412, U (&c) } },
    { "ioctl(closed fd, 0x1234)", __NR_ioctl, { 1000, 0x1234 } },
    { "ioctl(socket, TIOCSTI)", __NR_ioctl, { (uint64_t) sv[0], 0x5412, U (&c) } },
    { "ioctl(socket, TIOCVHANGUP)", __NR_ioctl, { (uint64_t) sv[0], 0x5437 } },
    { "ioctl(pipe, TIOCSTI)", __NR_ioctl, { (uint64_t) p[0], 0x5412, U (&c) } },
    { "ioctl(file, TIOCCONS)", __NR_ioctl, { (uint64_t) file, 0x541d } },
    { "ioctl(file, 0x1234)", __NR_ioctl, { (uint64_t) file, 0x1234 } },
    { "ioctl(socket, 0x1234)", __NR_ioctl, { (uint64_t) sv[0], 0x1234 } },
    { "ioctl(pty, TIOCSTI)", __NR_ioctl, { (uint64_t) pty, 0x5412, U (&c) } },
    { "ioctl(pty, TIOCCONS)", __NR_ioctl, { (uint64_t) pty, 0x541d } },
    { "ioctl(pty, TIOCVHANGUP)", __NR_ioctl, { (uint64_t) pty, 0x5437 } },
    { "ioctl(pty, TIOCLINUX)", __NR_ioctl, { (uint64_t) pty, 0x541c, U ("") } },
    { "ioctl(pty, 0x1234)", __NR_ioctl, { (uint64_t) pty, 0x1234 } },
  };
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), ==, G_N_ELEMENTS (cases));
  close (sv[0]);
  close (sv[1]);
  close (p[0]);
  close (p[1]);
  close (file);
  close (pty);
  close (ptm);
}

static void
test_processes (void)
{
  const uint64_t sig = SIGCHLD;
  const Case cases[] = {
    { "clone(CLONE_NEWNET)", __NR_clone, { CLONE_NEWNET | sig } },
    { "clone(CLONE_NEWNS | CLONE_FS)", __NR_clone, { CLONE_NEWNS | CLONE_FS | sig } },
    { "clone(CLONE_NEWUSER | CLONE_FS)", __NR_clone, { CLONE_NEWUSER | CLONE_FS | sig } },
    { "clone(CLONE_NEWPID | CLONE_THREAD)", __NR_clone, { CLONE_NEWPID | CLONE_THREAD | sig } },
    { "clone(CLONE_NEWNET | CLONE_THREAD | CLONE_SIGHAND)", __NR_clone,
      { CLONE_NEWNET | CLONE_THREAD | CLONE_SIGHAND | sig } },
    { "clone(CLONE_NEWNET | CLONE_SIGHAND)", __NR_clone, { CLONE_NEWNET | CLONE_SIGHAND | sig } },
    { "clone(CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)", __NR_clone,
      { CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM } },
    { "clone(CLONE_NEWCGROUP)", __NR_clone, { CLONE_NEWCGROUP | sig } },
    { "unshare(CLONE_NEWNS)", __NR_unshare, { CLONE_NEWNS } },
    { "unshare(CLONE_NEWNET | CLONE_NEWPID)", __NR_unshare, { CLONE_NEWNET | CLONE_NEWPID } },
    { "unshare(CLONE_NEWNS | CLONE_VFORK)", __NR_unshare, { CLONE_NEWNS | CLONE_VFORK } },
    { "unshare(CLONE_NEWNET | 1 << 40)", __NR_unshare, { CLONE_NEWNET | (1ull << 40) } },
    { "unshare(CLONE_NEWTIME | CLONE_PARENT)", __NR_unshare, { 0x80 | CLONE_PARENT } },
    { "prctl(PR_SET_MM, PR_SET_MM_START_CODE)", __NR_prctl, { 35, 1, 0x1000 } },
    { "prctl(PR_SET_MM, 99)", __NR_prctl, { 35, 99 } },
    { "prctl(PR_SET_MM, START_CODE, arg4)", __NR_prctl, { 35, 1, 0x1000, 1 } },
    { "prctl(PR_SET_MM, START_CODE, 0, arg5)", __NR_prctl, { 35, 1, 0x1000, 0, 1 } },
    { "prctl(PR_SET_MM, PR_SET_MM_AUXV, 0, 0, arg5)", __NR_prctl, { 35, 12, 0, 0, 1 } },
    { "prctl(PR_SET_IO_FLUSHER, 1)", __NR_prctl, { 57, 1 } },
    { "prctl(PR_GET_IO_FLUSHER)", __NR_prctl, { 58 } },
    { "prctl(PR_SET_UNALIGN)", __NR_prctl, { 6, 1 } },
    { "prctl(PR_SET_FPEMU)", __NR_prctl, { 10, 1 } },
    { "prctl(PR_SET_TIMING, 1)", __NR_prctl, { 14, 1 } },
    { "prctl(PR_SET_ENDIAN)", __NR_prctl, { 20, 0 } },
    { "prctl(PR_SET_FP_MODE)", __NR_prctl, { 45, 1 } },
    { "prctl(PR_SET_TAGGED_ADDR_CTRL)", __NR_prctl, { 55, 1 } },
    { "prctl(PR_SET_SYSCALL_USER_DISPATCH, 99)", __NR_prctl, { 59, 99 } },
    { "prctl(1000)", __NR_prctl, { 1000 } },
  };
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), ==, G_N_ELEMENTS (cases));
}

static void
test_personality (void)
{
  /* Everything Linux lets an unprivileged process set runs natively, but MMAP_PAGE_ZERO. */
  static const unsigned long allowed[] = { PER_LINUX,         PER_LINUX32,     ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC,
                                           ADDR_LIMIT_32BIT,  STICKY_TIMEOUTS, SHORT_INODE,       WHOLE_SECONDS,
                                           ADDR_COMPAT_LAYOUT, UNAME26,        ADDR_LIMIT_3GB,    PER_BSD,
                                           PER_LINUX32_3GB,   0xffffffff };
  const SentrySyscall *row = sentry_syscall_lookup (__NR_personality);
  SentryRuleContext ctx = { .net_raw = FALSE, .own_pidns = TRUE };
  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      uint64_t args[6] = { allowed[i] };
      if (!sentry_syscall_allowed (row, args, &ctx))
        g_error ("personality(%#lx) is refused", allowed[i]);
      Case c = { "personality", __NR_personality, { allowed[i] } };
      g_assert_cmpint (host_errno (&c), ==, 0);
    }
  /* PER_SVR4 and the other System V personas carry MMAP_PAGE_ZERO. */
  uint64_t zero_page[6] = { MMAP_PAGE_ZERO }, svr4[6] = { PER_SVR4 }, high[6] = { 0xffffffff00000000ull | MMAP_PAGE_ZERO };
  g_assert_false (sentry_syscall_allowed (row, zero_page, &ctx));
  g_assert_false (sentry_syscall_allowed (row, svr4, &ctx));
  g_assert_false (sentry_syscall_allowed (row, high, &ctx));
  g_assert_cmpint (sentry_syscall_refuse_errno (row, zero_page), ==, EPERM);
}

/* setsockopt, mknod, madvise: the shapes the table refuses against the kernel's answers. */
static void
test_narrowed (void)
{
  char *g = guard_pages ();
  int tcp = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), unx = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int nl = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0), file = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  int one = 1;
  g_assert_cmpint (tcp, >=, 0);
  g_assert_cmpint (unx, >=, 0);
  g_assert_cmpint (nl, >=, 0);
  g_assert_cmpint (file, >=, 0);
  const Case cases[] = {
    { "setsockopt(-1, SOL_IP, 64)", __NR_setsockopt, { (uint32_t) -1, 0, 64, U (&one), 4 } },
    { "setsockopt(closed fd, SOL_IP, 64)", __NR_setsockopt, { 1000, 0, 64, U (&one), 4 } },
    { "setsockopt(file, SOL_IP, 64)", __NR_setsockopt, { (uint64_t) file, 0, 64, U (&one), 4 } },
    { "setsockopt(tcp, SOL_IP, 64, len -1)", __NR_setsockopt, { (uint64_t) tcp, 0, 64, U (&one), (uint32_t) -1 } },
    { "setsockopt(unix, SOL_IP, 64)", __NR_setsockopt, { (uint64_t) unx, 0, 64, U (&one), 4 } },
    { "setsockopt(unix, SOL_TLS, 1)", __NR_setsockopt, { (uint64_t) unx, 282, 1, U (&one), 4 } },
    { "setsockopt(netlink, SOL_IP, 64)", __NR_setsockopt, { (uint64_t) nl, 0, 64, U (&one), 4 } },
    { "setsockopt(tcp, SOL_IP, 200)", __NR_setsockopt, { (uint64_t) tcp, 0, 200, U (&one), 4 } },
    { "setsockopt(tcp, SOL_IPV6, 200)", __NR_setsockopt, { (uint64_t) tcp, 41, 200, U (&one), 4 } },
    { "setsockopt(tcp, 1000, 1)", __NR_setsockopt, { (uint64_t) tcp, 1000, 1, U (&one), 4 } },
    { "setsockopt(tcp, TCP_ULP, len 0)", __NR_setsockopt, { (uint64_t) tcp, 6, 31, U ("tls"), 0 } },
    { "setsockopt(tcp, TCP_ULP, bad name)", __NR_setsockopt, { (uint64_t) tcp, 6, 31, BAD, 4 } },
    { "setsockopt(tcp, TCP_ULP, \"nosuch\")", __NR_setsockopt, { (uint64_t) tcp, 6, 31, U ("nosuch"), 7 } },
    { "mknod(S_IFDIR)", __NR_mknod, { U ("/nonexistent/x"), S_IFDIR | 0600 } },
    { "mknod(type 0030000)", __NR_mknod, { U ("/nonexistent/x"), 0030000 | 0600 } },
    { "mknod(S_IFBLK, bad path)", __NR_mknod, { BAD, S_IFBLK | 0600 } },
    { "mknod(S_IFBLK, empty path)", __NR_mknod, { U (""), S_IFBLK | 0600 } },
    { "mknod(S_IFBLK, path across a fault)", __NR_mknod, { U (g + PAGE - 2), S_IFBLK | 0600 } },
    { "mknodat(S_IFDIR)", __NR_mknodat, { (uint32_t) AT_FDCWD, U ("/nonexistent/x"), S_IFDIR | 0600 } },
    { "mknodat(S_IFBLK, bad path)", __NR_mknodat, { (uint32_t) AT_FDCWD, BAD, S_IFBLK | 0600 } },
    { "madvise(MADV_MERGEABLE)", __NR_madvise, { U (g), PAGE, 12 } },
    { "madvise(MADV_UNMERGEABLE)", __NR_madvise, { U (g), PAGE, 13 } },
    { "madvise(MADV_HWPOISON, misaligned)", __NR_madvise, { U (g) + 1, PAGE, 100 } },
    { "madvise(50)", __NR_madvise, { U (g), PAGE, 50 } },
    { "madvise(-1)", __NR_madvise, { U (g), PAGE, (uint32_t) -1 } },
  };
  /* The host may accept the KSM ones (a kernel with KSM); every other case answers alike. */
  g_assert_cmpuint (compare (cases, G_N_ELEMENTS (cases)), >=, G_N_ELEMENTS (cases) - 2);

  /* Refused where the host's answer depends on its modules: the table's errno by value. */
  const SentrySyscall *row = sentry_syscall_lookup (__NR_setsockopt);
  uint64_t ipt[6] = { (uint64_t) tcp, 0, 64, U (&one), 4 }, ip6t[6] = { (uint64_t) tcp, 41, 65, U (&one), 4 };
  uint64_t ebt[6] = { (uint64_t) tcp, 0, 128, U (&one), 4 }, tls[6] = { (uint64_t) tcp, 282, 1, U (&one), 4 };
  SentryRuleContext ctx = { .net_raw = TRUE, .own_pidns = TRUE };
  g_assert_cmpint (sentry_syscall_refuse_errno (row, ipt), ==, EPERM);
  g_assert_cmpint (sentry_syscall_refuse_errno (row, ip6t), ==, EPERM);
  g_assert_cmpint (sentry_syscall_refuse_errno (row, ebt), ==, EPERM);
  g_assert_cmpint (sentry_syscall_refuse_errno (row, tls), ==, ENOPROTOOPT);
  g_assert_false (sentry_syscall_allowed (row, ipt, &ctx));
  /* Memory-failure injection: EPERM from a kernel with CONFIG_MEMORY_FAILURE, EINVAL without; the sandbox is
   * the kernel without. */
  const SentrySyscall *madv = sentry_syscall_lookup (__NR_madvise);
  uint64_t poison[6] = { U (g), PAGE, 100 }, offline[6] = { U (g), PAGE, 101 };
  g_assert_false (sentry_syscall_allowed (madv, poison, &ctx));
  g_assert_cmpint (sentry_syscall_refuse_errno (madv, poison), ==, EINVAL);
  g_assert_cmpint (sentry_syscall_refuse_errno (madv, offline), ==, EINVAL);
  /* What ordinary programs set stays native. */
  static const uint64_t ok[][2] = { { SOL_SOCKET, SO_REUSEADDR }, { 6, 1 /* TCP_NODELAY */ }, { 0, 1 /* IP_TOS */ },
                                    { 41, 26 /* IPV6_V6ONLY */ }, { 41, 78 /* IPV6_FREEBIND */ }, { 17, 103 },
                                    { 270, 1 /* NETLINK_ADD_MEMBERSHIP */ }, { 6, 30 /* TCP_REPAIR_WINDOW */ } };
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      uint64_t a[6] = { (uint64_t) tcp, ok[i][0], ok[i][1], U (&one), 4 };
      if (!sentry_syscall_allowed (row, a, &ctx))
        g_error ("setsockopt(level %lu, %lu) is refused", (unsigned long) ok[i][0], (unsigned long) ok[i][1]);
    }
  close (tcp);
  close (unx);
  close (nl);
  close (file);
  munmap (g, 2 * PAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/refuse-args/socket", test_socket);
  g_test_add_func ("/refuse-args/clocks", test_clocks);
  g_test_add_func ("/refuse-args/keys", test_keys);
  g_test_add_func ("/refuse-args/ioctl", test_ioctl);
  g_test_add_func ("/refuse-args/processes", test_processes);
  g_test_add_func ("/refuse-args/personality", test_personality);
  g_test_add_func ("/refuse-args/narrowed", test_narrowed);
  return g_test_run ();
}
