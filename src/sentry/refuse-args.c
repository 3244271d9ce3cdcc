/* Linux's own argument checks for refused and argument-checked rows (refuse-args.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/refuse-args.h"

#define PAGE 4096

/* ---- the caller's memory ---- */

static int
view_read (const SentryCallView *call, uint64_t addr, void *buf, size_t len)
{
  if (call->read == NULL)
    return -EFAULT;
  return call->read (call->ctx, addr, buf, len);
}

/* Like strncpy_from_user (addr, size): the length of the string (< size), size when no NUL is in the first size
 * bytes, or -EFAULT when a byte before the NUL is unreadable. Reads page by page, as the kernel faults. */
static long
view_strnlen (const SentryCallView *call, uint64_t addr, char *buf, size_t size)
{
  size_t got = 0;
  while (got < size)
    {
      size_t chunk = PAGE - ((addr + got) % PAGE);
      if (chunk > size - got)
        chunk = size - got;
      if (view_read (call, addr + got, buf + got, chunk) < 0)
        return -EFAULT;
      void *nul = memchr (buf + got, '\0', chunk);
      if (nul != NULL)
        return (char *) nul - buf;
      got += chunk;
    }
  return (long) size;
}

/* copy_from_user of len bytes, without keeping them: one byte of each page is enough to know. */
static int
view_readable (const SentryCallView *call, uint64_t addr, uint64_t len)
{
  char c;
  if (len == 0)
    return 0;
  if (addr + len < addr)
    return -EFAULT;
  for (uint64_t p = addr; p < addr + len; p = (p | (PAGE - 1)) + 1)
    if (view_read (call, p, &c, 1) < 0)
      return -EFAULT;
  return view_read (call, addr + len - 1, &c, 1) < 0 ? -EFAULT : 0;
}

/* ---- sockets (net/socket.c __sys_socket, __sock_create; af_inet.c inet_create; af_netlink.c; af_packet.c) ---- */

#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_MAX 11     /* SOCK_PACKET + 1 */
#define LINUX_NPROTO 46       /* AF_MAX of Linux 6.x */
#define LINUX_IPPROTO_MAX 263 /* IPPROTO_MPTCP + 1 */

/* The flags check both calls make first. */
static int
socket_flags_errno (const uint64_t *args)
{
  uint32_t type = (uint32_t) args[1];
  return (type & ~(uint32_t) (LINUX_SOCK_TYPE_MASK | SOCK_CLOEXEC | SOCK_NONBLOCK)) ? EINVAL : 0;
}

/* What creating the socket answers (0: it would be created) on a kernel whose families are unix, inet (TCP, UDP,
 * ICMP echo), inet6 (TCP, UDP, ICMPv6 echo), netlink (route and sock_diag) and packet, for a caller without
 * CAP_NET_RAW. */
static int
socket_create_errno (const uint64_t *args)
{
  int family = (int) (uint32_t) args[0];
  int type = (int) ((uint32_t) args[1] & LINUX_SOCK_TYPE_MASK);
  int protocol = (int) (uint32_t) args[2];
  int err = socket_flags_errno (args);

  if (err != 0)
    return err;
  if (family < 0 || family >= LINUX_NPROTO)
    return EAFNOSUPPORT;
  if (type >= LINUX_SOCK_MAX)
    return EINVAL;
  if (family == AF_INET && type == SOCK_PACKET) /* the kernel's compatibility: an old-style packet socket */
    family = AF_PACKET;
  switch (family)
    {
    case AF_UNIX:
      if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET && type != SOCK_RAW)
        return ESOCKTNOSUPPORT;
      if (protocol != 0)
        return EPROTONOSUPPORT;
      return 0;
    case AF_INET:
    case AF_INET6:
      if (protocol < 0 || protocol >= LINUX_IPPROTO_MAX)
        return EINVAL;
      switch (type)
        {
        case SOCK_STREAM:
          return protocol == 0 || protocol == 6 /* TCP */ ? 0 : EPROTONOSUPPORT;
        case SOCK_DGRAM:
          if (protocol == 0 || protocol == 17 /* UDP */)
            return 0;
          return protocol == (family == AF_INET ? 1 /* ICMP */ : 58 /* ICMPV6 */) ? 0 : EPROTONOSUPPORT;
        case SOCK_RAW:
          /* the raw type's wildcard entry does not match protocol 0; any other needs CAP_NET_RAW */
          return protocol == 0 ? EPROTONOSUPPORT : EPERM;
        default:
          return ESOCKTNOSUPPORT;
        }
    case AF_NETLINK:
      if (type != SOCK_RAW && type != SOCK_DGRAM)
        return ESOCKTNOSUPPORT;
      return protocol == 0 /* ROUTE */ || protocol == 4 /* SOCK_DIAG */ ? 0 : EPROTONOSUPPORT;
    case AF_PACKET:
      return EPERM; /* CAP_NET_RAW is checked before the type */
    default:
      return EAFNOSUPPORT;
    }
}

int
sentry_socket_refuse_errno (const uint64_t *args)
{
  int err = socket_create_errno (args);
  /* A shape the sandbox refuses although Linux would create it: as a kernel without that family or protocol. */
  if (err == 0)
    return (int) (uint32_t) args[0] == AF_NETLINK ? EPROTONOSUPPORT : EAFNOSUPPORT;
  return err;
}

int
sentry_socketpair_check (const SentryCallView *call)
{
  uint32_t fds[2];
  int err = socket_flags_errno (call->args);

  if (err != 0)
    return err;
  /* The descriptors are stored before the sockets are made. */
  return view_read (call, call->args[3], fds, sizeof fds) < 0 ? EFAULT : 0;
}

int
sentry_socketpair_refuse_errno (const uint64_t *args)
{
  int err = socket_create_errno (args);
  return err != 0 ? err : EOPNOTSUPP;
}

/* ---- setsockopt (net/socket.c __sys_setsockopt, net/ipv4/ip_sockglue.c, net/netfilter/nf_sockopt.c,
 * net/ipv4/tcp_ulp.c) ---- */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd of a thread, not only of a thread group's leader */
#endif

/* The thread group of thread tid (the Tgid line of /proc/TID/status, which anyone may read), or tid. */
static int
thread_group (int tid)
{
  char path[64], buf[1024];
  const char *line;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/status", tid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tid;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  buf[n > 0 ? n : 0] = '\0';
  line = strstr (buf, "\nTgid:");
  return line != NULL ? atoi (line + 6) : tid;
}

/* A copy of descriptor fd of the calling thread tid, or -errno (-EBADF: it has no such descriptor). Through
 * pidfd_getfd, not /proc/PID/fd: the confined Sentry holds no capability to search another user's /proc/PID/fd,
 * while taking a descriptor of a process it serves needs only ptrace rights over it, which it keeps (runsc(8), THE
 * SENTRY'S CONFINEMENT). The caller closes it. */
static int
app_fd (int tid, int fd)
{
  int pidfd, copy, e;

  pidfd = (int) syscall (SYS_pidfd_open, tid, PIDFD_THREAD);
  if (pidfd < 0 && errno == EINVAL)
    pidfd = (int) syscall (SYS_pidfd_open, thread_group (tid), 0);
  if (pidfd < 0)
    return -errno;
  copy = (int) syscall (SYS_pidfd_getfd, pidfd, fd, 0);
  e = errno;
  close (pidfd);
  return copy >= 0 ? copy : -e;
}

/* fstat of the calling thread's descriptor fd: 0, -EBADF when there is no such descriptor, or another -errno. */
static int
app_fd_stat (int tid, int fd, struct stat *st)
{
  int copy = app_fd (tid, fd), r;

  if (copy < 0)
    return copy;
  r = fstat (copy, st) < 0 ? -errno : 0;
  close (copy);
  return r;
}

/* 1 when the caller's descriptor fd is a socket, 0 when it is something else, -EBADF when there is none. */
static int
fd_is_socket (int pid, int fd)
{
  struct stat st;
  int r = app_fd_stat (pid, fd, &st);

  if (r < 0)
    return r == -EBADF ? -EBADF : 1; /* unknown: let the rest decide */
  return S_ISSOCK (st.st_mode) ? 1 : 0;
}

/* The socket's protocol name as sockfs gives it (the system.sockprotoname attribute: "UNIX", "UNIX-STREAM",
 * "NETLINK", "TCP", "TCPv6", "UDP", ...), or "" when it cannot be read. */
static void
socket_proto (int pid, int fd, char *name, size_t size)
{
  int copy = app_fd (pid, fd);
  ssize_t n = -1;

  if (copy >= 0)
    {
      n = fgetxattr (copy, "system.sockprotoname", name, size - 1);
      close (copy);
    }
  name[n > 0 ? n : 0] = '\0';
}

int
sentry_setsockopt_check (const SentryCallView *call)
{
  int fd = (int) (uint32_t) call->args[0];
  int optlen = (int) (uint32_t) call->args[4];
  char proto[32] = "";
  int sock;

  if (fd < 0)
    return EBADF;
  if (call->pid > 0)
    {
      sock = fd_is_socket (call->pid, fd);
      if (sock < 0)
        return -sock;
      if (sock == 0)
        return ENOTSOCK;
    }
  if (optlen < 0)
    return EINVAL;
  if (call->pid > 0)
    {
      /* unix sockets have no options but SOL_SOCKET's; netlink's own level is the only other it knows */
      socket_proto (call->pid, fd, proto, sizeof proto);
      if (strncmp (proto, "UNIX", 4) == 0)
        return EOPNOTSUPP;
      if (strcmp (proto, "NETLINK") == 0)
        return ENOPROTOOPT;
    }
  /* TCP_ULP copies the name before it looks the ULP up; on other sockets SOL_TCP is unknown */
  if ((uint32_t) call->args[1] == 6 && (uint32_t) call->args[2] == 31)
    {
      if (proto[0] != '\0' && strncmp (proto, "TCP", 3) != 0)
        return ENOPROTOOPT;
      char c;
      if (optlen < 1)
        return EINVAL;
      if (view_read (call, call->args[3], &c, 1) < 0)
        return EFAULT;
    }
  return 0;
}

int
sentry_setsockopt_refuse_errno (const uint64_t *args)
{
  int level = (int) (uint32_t) args[1], optname = (int) (uint32_t) args[2];

  switch (level)
    {
    case 0:   /* SOL_IP: ip_tables 64-65, arp_tables 96-97, ebtables 128-129, IPVS 1152-1163 */
    case 41:  /* SOL_IPV6: ip6_tables 64-65 */
      if (optname == 64 || optname == 65)
        return EPERM;
      if (level == 0 && (optname == 96 || optname == 97 || optname == 128 || optname == 129
                         || (optname >= 1152 && optname <= 1163)))
        return EPERM;
      return ENOPROTOOPT;
    case 6: /* TCP_ULP: no upper-layer protocol by that name */
      return optname == 31 ? ENOENT : ENOPROTOOPT;
    default:
      return ENOPROTOOPT;
    }
}

/* ---- mknod (fs/namei.c may_mknod, vfs_mknod) ---- */

static int
mknod_type_errno (uint32_t mode)
{
  switch (mode & S_IFMT)
    {
    case 0:
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      return 0;
    case S_IFDIR:
      return EPERM;
    default:
      return EINVAL;
    }
}

/* The type first (may_mknod), then the name (getname: EFAULT, ENOENT for an empty one, ENAMETOOLONG). */
static int
mknod_path_check (const SentryCallView *call, uint64_t path, uint32_t mode)
{
  char buf[4096];
  int err = mknod_type_errno (mode);
  long n;

  if (err != 0)
    return err;
  n = view_strnlen (call, path, buf, sizeof buf);
  if (n < 0)
    return EFAULT;
  if (n == 0)
    return ENOENT;
  if ((size_t) n >= sizeof buf)
    return ENAMETOOLONG;
  return 0;
}

int
sentry_mknod_check (const SentryCallView *call)
{
  return mknod_path_check (call, call->args[0], (uint32_t) call->args[1]);
}

int
sentry_mknodat_check (const SentryCallView *call)
{
  return mknod_path_check (call, call->args[1], (uint32_t) call->args[2]);
}

int
sentry_mknod_refuse_errno (const uint64_t *args)
{
  int err = mknod_type_errno ((uint32_t) args[1]);
  return err != 0 ? err : EPERM;
}

int
sentry_mknodat_refuse_errno (const uint64_t *args)
{
  int err = mknod_type_errno ((uint32_t) args[2]);
  return err != 0 ? err : EPERM;
}

/* ---- ioctl (fs/ioctl.c, drivers/tty/tty_io.c) ---- */

/* The tty drivers' majors: 4 (ttyN, ttySN), 5 (tty, console, ptmx), 136-143 (pts). */
static int
is_tty (const struct stat *st)
{
  unsigned int maj = major (st->st_rdev);
  return S_ISCHR (st->st_mode) && (maj == 4 || maj == 5 || (maj >= 136 && maj <= 143));
}

static int
legacy_tiocsti_off (void)
{
  char c = '1';
  int fd = open ("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0; /* a kernel without the switch: TIOCSTI is legacy-enabled */
  if (read (fd, &c, 1) != 1)
    c = '1';
  close (fd);
  return c == '0';
}

int
sentry_ioctl_check (const SentryCallView *call)
{
  int fd = (int) (uint32_t) call->args[0];
  uint32_t request = (uint32_t) call->args[1];
  struct stat st;
  int r;

  if (fd < 0)
    return EBADF;
  if (call->pid <= 0)
    return 0;
  r = app_fd_stat (call->pid, fd, &st);
  if (r < 0)
    return r == -EBADF ? EBADF : 0;
  /* A terminal request ('T') on something else: the file's own ioctl does not know it. */
  if (((request >> 8) & 0xff) == 'T' && !is_tty (&st))
    return ENOTTY;
  /* TIOCLINUX is the virtual consoles' (major 4, minors below 64); other terminals do not know it. */
  if (request == 0x541c && !(major (st.st_rdev) == 4 && minor (st.st_rdev) < 64))
    return ENOTTY;
  /* TIOCSTI: Linux without dev.tty.legacy_tiocsti answers EIO to a caller without CAP_SYS_ADMIN. */
  if (request == 0x5412 && legacy_tiocsti_off ())
    return EIO;
  return 0;
}

/* ---- processes (kernel/fork.c copy_process, ksys_unshare; kernel/sys.c prctl) ---- */

#define F_NEWTIME 0x00000080ull
#define F_VM 0x00000100ull
#define F_FS 0x00000200ull
#define F_FILES 0x00000400ull
#define F_SIGHAND 0x00000800ull
#define F_THREAD 0x00010000ull
#define F_NEWNS 0x00020000ull
#define F_SYSVSEM 0x00040000ull
#define F_NEWCGROUP 0x02000000ull
#define F_NEWUTS 0x04000000ull
#define F_NEWIPC 0x08000000ull
#define F_NEWUSER 0x10000000ull
#define F_NEWPID 0x20000000ull
#define F_NEWNET 0x40000000ull

int
sentry_clone_refuse_errno (const uint64_t *args)
{
  uint64_t f = args[0];

  if ((f & (F_NEWNS | F_FS)) == (F_NEWNS | F_FS) || (f & (F_NEWUSER | F_FS)) == (F_NEWUSER | F_FS))
    return EINVAL;
  if ((f & F_THREAD) && !(f & F_SIGHAND))
    return EINVAL;
  if ((f & F_SIGHAND) && !(f & F_VM))
    return EINVAL;
  if ((f & F_THREAD) && (f & (F_NEWUSER | F_NEWPID)))
    return EINVAL;
  return EPERM;
}

int
sentry_unshare_refuse_errno (const uint64_t *args)
{
  const uint64_t known = F_THREAD | F_FS | F_NEWNS | F_SIGHAND | F_VM | F_FILES | F_SYSVSEM | F_NEWUTS | F_NEWIPC
                         | F_NEWNET | F_NEWUSER | F_NEWPID | F_NEWCGROUP | F_NEWTIME;
  return (args[0] & ~known) ? EINVAL : EPERM;
}

#define LINUX_PR_SET_MM 35
#define LINUX_PR_SET_MM_AUXV 12
#define LINUX_PR_SET_MM_MAP 14
#define LINUX_PR_SET_MM_MAP_SIZE 15
#define LINUX_PR_SET_IO_FLUSHER 57
#define LINUX_PR_GET_IO_FLUSHER 58

int
sentry_prctl_refuse_errno (const uint64_t *args)
{
  uint32_t option = (uint32_t) args[0];
  uint64_t opt = args[1], arg4 = args[3], arg5 = args[4];

  switch (option)
    {
    case LINUX_PR_SET_MM:
      if (arg5 != 0
          || (arg4 != 0 && opt != LINUX_PR_SET_MM_AUXV && opt != LINUX_PR_SET_MM_MAP
              && opt != LINUX_PR_SET_MM_MAP_SIZE))
        return EINVAL;
      return EPERM;
    case LINUX_PR_SET_IO_FLUSHER:
    case LINUX_PR_GET_IO_FLUSHER:
      return EPERM;
    default:
      return EINVAL;
    }
}

/* ---- clocks (kernel/time/time.c, posix-timers.c, timekeeping.c) ---- */

#define USEC_PER_SEC 1000000LL
#define NSEC_PER_SEC 1000000000LL
#define TIME_SETTOD_SEC_MAX 8277292036LL /* KTIME_SEC_MAX - TIME_UPTIME_SEC_MAX */
#define CLOCKFD 3
#define TIMEX_SIZE 208 /* struct __kernel_timex */
#define ADJ_OFFSET_SINGLESHOT_K 0x0001
#define ADJ_ADJTIME_K 0x8000

/* timespec64_valid_settod */
static int
settod_valid (int64_t sec, int64_t nsec)
{
  return sec >= 0 && sec < TIME_SETTOD_SEC_MAX && nsec >= 0 && nsec < NSEC_PER_SEC;
}

int
sentry_settimeofday_check (const SentryCallView *call)
{
  int64_t tv[2] = { 0, 0 }, tz[1];
  uint64_t tv_addr = call->args[0], tz_addr = call->args[1];

  if (tv_addr != 0)
    {
      if (view_read (call, tv_addr, tv, sizeof tv) < 0)
        return EFAULT;
      if (tv[1] > USEC_PER_SEC || tv[1] < 0)
        return EINVAL;
    }
  if (tz_addr != 0 && view_read (call, tz_addr, tz, 8) < 0)
    return EFAULT;
  if (tv_addr != 0 && !settod_valid (tv[0], tv[1] * 1000))
    return EINVAL;
  return 0;
}

/* clockid_to_kclock () != NULL for a clock id >= 0: 0-9 and 11 (CLOCK_TAI); 10 was CLOCK_SGI_CYCLE */
static int
static_clock_exists (int clk)
{
  return clk >= 0 && clk <= 11 && clk != 10;
}

int
sentry_clock_settime_check (const SentryCallView *call)
{
  int clk = (int) (uint32_t) call->args[0];
  int64_t ts[2];

  /* Of the static clocks only CLOCK_REALTIME can be set: the others, and unknown ids, are EINVAL. */
  if (clk > 0)
    return EINVAL;
  if (clk < 0 && (clk & 7) == CLOCKFD)
    return 0; /* a clock device: the table's errno */
  if (view_read (call, call->args[1], ts, sizeof ts) < 0)
    return EFAULT;
  if (clk < 0) /* a process or thread CPU clock: CPUCLOCK_WHICH 3 does not exist; the others cannot be set */
    return (clk & 3) == 3 ? EINVAL : 0;
  return settod_valid (ts[0], ts[1]) ? 0 : EINVAL;
}

/* timekeeping_validate_timex, for a caller without CAP_SYS_TIME: only this mistake comes before EPERM. */
static int
timex_check (const unsigned char *tx)
{
  uint32_t modes;
  memcpy (&modes, tx, sizeof modes);
  if ((modes & ADJ_ADJTIME_K) && !(modes & ADJ_OFFSET_SINGLESHOT_K))
    return EINVAL;
  return 0;
}

int
sentry_adjtimex_check (const SentryCallView *call)
{
  unsigned char tx[TIMEX_SIZE];
  if (view_read (call, call->args[0], tx, sizeof tx) < 0)
    return EFAULT;
  return timex_check (tx);
}

int
sentry_clock_adjtime_check (const SentryCallView *call)
{
  int clk = (int) (uint32_t) call->args[0];
  unsigned char tx[TIMEX_SIZE];

  if (view_read (call, call->args[1], tx, sizeof tx) < 0)
    return EFAULT;
  if (clk >= 0 && !static_clock_exists (clk))
    return EINVAL;
  if (clk < 0 && (clk & 7) == CLOCKFD)
    return 0; /* a clock device: the table's errno */
  if (clk != 0) /* only CLOCK_REALTIME (and clock devices) can be adjusted */
    return EOPNOTSUPP;
  return timex_check (tx);
}

/* ---- keyrings (security/keys/keyctl.c) ---- */

#define KEY_TYPE_SIZE 32
#define KEY_MAX_DESC_SIZE 4096
#define KEY_MAX_PAYLOAD (1024 * 1024 - 1)

/* key_get_type_from_user */
static int
key_type_check (const SentryCallView *call, uint64_t addr, char *type)
{
  long n = view_strnlen (call, addr, type, KEY_TYPE_SIZE);
  if (n < 0)
    return EFAULT;
  if (n == 0 || n >= KEY_TYPE_SIZE)
    return EINVAL;
  if (type[0] == '.')
    return EPERM;
  return 0;
}

/* strndup_user (addr, size): the first byte of the string in *first */
static int
user_string_check (const SentryCallView *call, uint64_t addr, size_t size, char *first)
{
  char buf[KEY_MAX_DESC_SIZE];
  long n = view_strnlen (call, addr, buf, size < sizeof buf ? size : sizeof buf);
  if (n < 0)
    return EFAULT;
  if ((size_t) n >= size)
    return EINVAL;
  *first = buf[0];
  return 0;
}

int
sentry_add_key_check (const SentryCallView *call)
{
  char type[KEY_TYPE_SIZE], first = 0;
  uint64_t desc = call->args[1], payload = call->args[2], plen = call->args[3];
  int err;

  if (plen > KEY_MAX_PAYLOAD)
    return EINVAL;
  if ((err = key_type_check (call, call->args[0], type)) != 0)
    return err;
  if (desc != 0)
    {
      if ((err = user_string_check (call, desc, KEY_MAX_DESC_SIZE, &first)) != 0)
        return err;
      if (first == '.' && strncmp (type, "keyring", 7) == 0)
        return EPERM;
    }
  if (plen != 0 && view_readable (call, payload, plen) < 0)
    return EFAULT;
  return 0;
}

int
sentry_request_key_check (const SentryCallView *call)
{
  char type[KEY_TYPE_SIZE], first;
  uint64_t callout = call->args[2];
  int err;

  if ((err = key_type_check (call, call->args[0], type)) != 0)
    return err;
  if ((err = user_string_check (call, call->args[1], KEY_MAX_DESC_SIZE, &first)) != 0)
    return err;
  if (callout != 0 && (err = user_string_check (call, callout, PAGE, &first)) != 0)
    return err;
  return 0;
}
