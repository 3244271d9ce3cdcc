/* The syscall table: every x86-64 system call the kernel headers know (0-334, 424-450), one row each.
 *
 * Edit dispositions here and nowhere else; then run `make update-syscall-doc` to regenerate docs/syscalls.md
 * (tests/unit/test-syscall-table fails while the document and the table disagree). */
#include "config.h"

#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sentry/syscall-table.h"
#include "sentry/refuse-args.h"
#include "sentry/syslog.h"
#include "sentry/uts.h"

/* Handlers of other files of the Sentry: sysinfo (proc.h), sched_getaffinity (sched.h). */
#include "sentry/proc.h"
#include "sentry/sched.h"

#define U32 0xffffffffull /* int and unsigned int arguments: the kernel ignores the upper half */

#define EQ32(a, v) { (a), SENTRY_CMP_MASKED_EQ, U32, (v) }
#define MASKED(a, m, v) { (a), SENTRY_CMP_MASKED_EQ, (m), (v) }

/* clone: arg 0 is the flags (the low byte is the exit signal, so CLONE_NEWTIME cannot be asked for here). Every
 * namespace kind is refused: the sandbox's namespaces are made by the runtime from the spec, and a new one (even
 * a UTS or IPC one, which need CAP_SYS_ADMIN) would put the caller where the runtime did not put it. */
#define CLONE_NS_FLAGS \
  (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC)
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const SentryArgRule clone_rules[] = {
  { "no namespace flag (CLONE_NEWNS, NEWUSER, NEWPID, NEWNET, NEWCGROUP, NEWUTS, NEWIPC)", 0, 1,
    { MASKED (0, CLONE_NS_FLAGS, 0) } },
};

static const SentryArgRule unshare_rules[] = {
  { "no namespace flag (CLONE_NEWNS, NEWUSER, NEWPID, NEWNET, NEWCGROUP, NEWUTS, NEWIPC, NEWTIME)", 0, 1,
    { MASKED (0, CLONE_NS_FLAGS | CLONE_NEWTIME, 0) } },
};

/* socket: the families and protocols an ordinary container uses. Refused, with the reason:
 * - AF_KEY (IPsec key management), AF_ALG (the kernel crypto API), AF_TIPC, AF_VSOCK (the host's hypervisor
 *   sockets), AF_RDS, AF_CAN, AF_BLUETOOTH, AF_XDP, AF_NFC, AF_SMC, AF_KCM, AF_QIPCRTR, AF_LLC, AF_X25, AF_AX25,
 *   AF_APPLETALK, AF_PPPOX, ... : subsystems a container has no use for, most of them loadable modules (a socket
 *   call asks the host to load one) and the source of a long line of local root exploits.
 * - AF_NETLINK but NETLINK_ROUTE (ip, ifconfig, getaddrinfo's AI_ADDRCONFIG) and NETLINK_SOCK_DIAG (ss):
 *   netfilter, audit, xfrm, uevent, generic netlink (nl80211, taskstats, ...) are the host's.
 * - inet protocols but TCP, UDP and ICMP echo (ping sockets, what ping uses without CAP_NET_RAW): SCTP, DCCP,
 *   MPTCP, UDP-Lite, L2TP, ... are modules or rarely used code.
 * - SOCK_RAW and AF_PACKET: only with --net-raw (gVisor's flag; CAP_NET_RAW in the spec is not enough). */
#define SOCK_TYPE_MASK 0xf
#define INET(fam, type, proto, what) \
  { what, 0, 3, { EQ32 (0, (fam)), MASKED (1, SOCK_TYPE_MASK, (type)), EQ32 (2, (proto)) } }
static const SentryArgRule socket_rules[] = {
  { "AF_UNIX", 0, 1, { EQ32 (0, AF_UNIX) } },
  INET (AF_INET, SOCK_STREAM, 0, "AF_INET SOCK_STREAM 0"),
  INET (AF_INET, SOCK_STREAM, 6, "AF_INET SOCK_STREAM IPPROTO_TCP"),
  INET (AF_INET, SOCK_DGRAM, 0, "AF_INET SOCK_DGRAM 0"),
  INET (AF_INET, SOCK_DGRAM, 17, "AF_INET SOCK_DGRAM IPPROTO_UDP"),
  INET (AF_INET, SOCK_DGRAM, 1, "AF_INET SOCK_DGRAM IPPROTO_ICMP (ping)"),
  INET (AF_INET6, SOCK_STREAM, 0, "AF_INET6 SOCK_STREAM 0"),
  INET (AF_INET6, SOCK_STREAM, 6, "AF_INET6 SOCK_STREAM IPPROTO_TCP"),
  INET (AF_INET6, SOCK_DGRAM, 0, "AF_INET6 SOCK_DGRAM 0"),
  INET (AF_INET6, SOCK_DGRAM, 17, "AF_INET6 SOCK_DGRAM IPPROTO_UDP"),
  INET (AF_INET6, SOCK_DGRAM, 58, "AF_INET6 SOCK_DGRAM IPPROTO_ICMPV6 (ping)"),
  { "AF_NETLINK NETLINK_ROUTE", 0, 2, { EQ32 (0, AF_NETLINK), EQ32 (2, 0) } },
  { "AF_NETLINK NETLINK_SOCK_DIAG", 0, 2, { EQ32 (0, AF_NETLINK), EQ32 (2, 4) } }, /* ss(8) */
  { "AF_INET SOCK_RAW (--net-raw)", SENTRY_NEEDS_NET_RAW, 2,
    { EQ32 (0, AF_INET), MASKED (1, SOCK_TYPE_MASK, SOCK_RAW) } },
  { "AF_INET6 SOCK_RAW (--net-raw)", SENTRY_NEEDS_NET_RAW, 2,
    { EQ32 (0, AF_INET6), MASKED (1, SOCK_TYPE_MASK, SOCK_RAW) } },
  { "AF_PACKET (--net-raw)", SENTRY_NEEDS_NET_RAW, 1, { EQ32 (0, AF_PACKET) } },
};

/* setsockopt: arg 1 is the level, arg 2 the option name (both int). Refused:
 * - SOL_IP options from 64 up and IPV6 64-65 and from 128 up: the netfilter and IPVS tables (IPT_SO_SET_REPLACE,
 *   IP6T_SO_SET_*, ARPT_SO_SET_*, EBT_SO_SET_*, IP_VS_SO_SET_*), the path of CVE-2016-3134, CVE-2021-22555 and
 *   more; no IP or IPv6 socket option is numbered there.
 * - TCP_ULP and SOL_TLS: kernel TLS (CVE-2023-0461); OpenSSL and GnuTLS fall back to user-space TLS.
 * - any other level (SOL_ALG, SOL_TIPC, SOL_XDP, SOL_KCM, ...): options of the families socket(2) refuses. */
#define SOCKOPT(level, what) { what, 0, 1, { EQ32 (1, (level)) } }
#define SOCKOPT_RANGE(level, mask, value, what) \
  { what, 0, 2, { EQ32 (1, (level)), MASKED (2, U32 & ~(guint64) (mask), (value)) } }
static const SentryArgRule setsockopt_rules[] = {
  SOCKOPT (SOL_SOCKET, "SOL_SOCKET"),
  SOCKOPT_RANGE (0, 0x3f, 0, "SOL_IP options 0-63 (not netfilter's)"),
  SOCKOPT_RANGE (6, 0xf, 0, "SOL_TCP options 0-15"),
  SOCKOPT_RANGE (6, 0x7, 16, "SOL_TCP options 16-23"),
  SOCKOPT_RANGE (6, 0x3, 24, "SOL_TCP options 24-27"),
  SOCKOPT_RANGE (6, 0x1, 28, "SOL_TCP options 28-29"),
  SOCKOPT_RANGE (6, 0x0, 30, "SOL_TCP option 30 (not 31, TCP_ULP)"),
  SOCKOPT_RANGE (6, 0x1f, 32, "SOL_TCP options 32-63"),
  SOCKOPT (17, "SOL_UDP"),
  SOCKOPT_RANGE (41, 0x3f, 0, "SOL_IPV6 options 0-63"),
  SOCKOPT_RANGE (41, 0x1, 66, "SOL_IPV6 options 66-67 (not 64-65, IP6T_SO_SET_*)"),
  SOCKOPT_RANGE (41, 0x3, 68, "SOL_IPV6 options 68-71"),
  SOCKOPT_RANGE (41, 0x7, 72, "SOL_IPV6 options 72-79"),
  SOCKOPT_RANGE (41, 0xf, 80, "SOL_IPV6 options 80-95"),
  SOCKOPT_RANGE (41, 0x1f, 96, "SOL_IPV6 options 96-127"),
  SOCKOPT (58, "SOL_ICMPV6"),
  SOCKOPT (255, "SOL_RAW"),
  SOCKOPT (263, "SOL_PACKET"),
  SOCKOPT (270, "SOL_NETLINK"),
};

/* mknod, mknodat: regular files, fifos, sockets and character devices (which the devices cgroup decides);
 * never a block device node (raw access to a disk, should the devices cgroup ever let it open) nor a directory
 * or an invalid type (EPERM and EINVAL, as Linux). */
#define MODE_TYPE(arg, type, what) { what, 0, 1, { MASKED ((arg), 0170000, (type)) } }
static const SentryArgRule mknod_rules[] = {
  MODE_TYPE (1, 0, "regular file (type 0)"),     MODE_TYPE (1, 0100000, "S_IFREG"),
  MODE_TYPE (1, 0010000, "S_IFIFO"),             MODE_TYPE (1, 0140000, "S_IFSOCK"),
  MODE_TYPE (1, 0020000, "S_IFCHR (the devices cgroup decides)"),
};
static const SentryArgRule mknodat_rules[] = {
  MODE_TYPE (2, 0, "regular file (type 0)"),     MODE_TYPE (2, 0100000, "S_IFREG"),
  MODE_TYPE (2, 0010000, "S_IFIFO"),             MODE_TYPE (2, 0140000, "S_IFSOCK"),
  MODE_TYPE (2, 0020000, "S_IFCHR (the devices cgroup decides)"),
};

/* madvise: arg 2 is the advice (int). Refused with EINVAL, as by a kernel built without them: MADV_HWPOISON and
 * MADV_SOFT_OFFLINE (memory-failure injection, CAP_SYS_ADMIN) and MADV_MERGEABLE/UNMERGEABLE (KSM: merging pages
 * across containers opens a timing side channel between them). Values Linux does not know get EINVAL too. */
static const SentryArgRule madvise_rules[] = {
  { "MADV_NORMAL..MADV_DONTNEED (0-7)", 0, 1, { MASKED (2, U32 & ~7ull, 0) } },
  { "MADV_FREE, REMOVE, DONTFORK, DOFORK (8-11)", 0, 1, { MASKED (2, U32 & ~3ull, 8) } },
  { "MADV_HUGEPAGE, NOHUGEPAGE (14-15)", 0, 1, { MASKED (2, U32 & ~1ull, 14) } },
  { "MADV_DONTDUMP..MADV_POPULATE_WRITE (16-23)", 0, 1, { MASKED (2, U32 & ~7ull, 16) } },
  { "MADV_DONTNEED_LOCKED, COLLAPSE (24-25)", 0, 1, { MASKED (2, U32 & ~1ull, 24) } },
  { "MADV_GUARD_INSTALL, GUARD_REMOVE (102-103)", 0, 1, { MASKED (2, U32 & ~1ull, 102) } },
};

/* A refused shape answers what Linux answers a process without CAP_NET_RAW (refuse-args.c). */

static const SentryArgRule socketpair_rules[] = {
  { "AF_UNIX", 0, 1, { EQ32 (0, AF_UNIX) } },
};

/* ioctl: arg 1 is the request (unsigned int in the kernel). */
#define IOCTL(name, value) { #name, 0, 1, { EQ32 (1, (value)) } }
#define IOCTL_NS(name, value) { #name " (own user namespace)", SENTRY_NEEDS_USERNS, 1, { EQ32 (1, (value)) } }
static const SentryArgRule ioctl_rules[] = {
  /* terminals */
  IOCTL (TCGETS, 0x5401), IOCTL (TCSETS, 0x5402), IOCTL (TCSETSW, 0x5403), IOCTL (TCSETSF, 0x5404),
  IOCTL (TCGETA, 0x5405), IOCTL (TCSETA, 0x5406), IOCTL (TCSETAW, 0x5407), IOCTL (TCSETAF, 0x5408),
  IOCTL (TCSBRK, 0x5409), IOCTL (TCXONC, 0x540a), IOCTL (TCFLSH, 0x540b), IOCTL (TIOCEXCL, 0x540c),
  IOCTL (TIOCNXCL, 0x540d), IOCTL (TIOCSCTTY, 0x540e), IOCTL (TIOCGPGRP, 0x540f), IOCTL (TIOCSPGRP, 0x5410),
  IOCTL (TIOCOUTQ, 0x5411), IOCTL (TIOCGWINSZ, 0x5413), IOCTL (TIOCSWINSZ, 0x5414), IOCTL (TIOCMGET, 0x5415),
  IOCTL (TIOCMBIS, 0x5416), IOCTL (TIOCMBIC, 0x5417), IOCTL (TIOCMSET, 0x5418), IOCTL (TIOCGSOFTCAR, 0x5419),
  IOCTL (TIOCSSOFTCAR, 0x541a), IOCTL (FIONREAD, 0x541b), IOCTL (TIOCPKT, 0x5420), IOCTL (FIONBIO, 0x5421),
  IOCTL (TIOCNOTTY, 0x5422), IOCTL (TIOCGETD, 0x5424), IOCTL (TCSBRKP, 0x5425), IOCTL (TIOCSBRK, 0x5427),
  IOCTL (TIOCCBRK, 0x5428), IOCTL (TIOCGSID, 0x5429), IOCTL (TCGETS2, 0x802c542a), IOCTL (TCSETS2, 0x402c542b),
  IOCTL (TCSETSW2, 0x402c542c), IOCTL (TCSETSF2, 0x402c542d), IOCTL (TIOCGPTN, 0x80045430),
  IOCTL (TIOCSPTLCK, 0x40045431), IOCTL (TIOCGDEV, 0x80045432), IOCTL (TIOCSIG, 0x40045436),
  IOCTL (TIOCGPKT, 0x80045438), IOCTL (TIOCGPTLCK, 0x80045439), IOCTL (TIOCGEXCL, 0x80045440),
  IOCTL (TIOCGPTPEER, 0x5441),
  /* descriptors */
  IOCTL (FIONCLEX, 0x5450), IOCTL (FIOCLEX, 0x5451), IOCTL (FIOASYNC, 0x5452), IOCTL (FIOQSIZE, 0x5460),
  IOCTL (FIOSETOWN, 0x8901), IOCTL (SIOCSPGRP, 0x8902), IOCTL (FIOGETOWN, 0x8903), IOCTL (SIOCGPGRP, 0x8904),
  IOCTL (SIOCATMARK, 0x8905), IOCTL (SIOCGSTAMP, 0x8906), IOCTL (SIOCGSTAMPNS, 0x8907),
  /* network interfaces of the sandbox's own namespace (setters still need CAP_NET_ADMIN there) */
  IOCTL (SIOCADDRT, 0x890b), IOCTL (SIOCDELRT, 0x890c), IOCTL (SIOCGIFNAME, 0x8910), IOCTL (SIOCGIFCONF, 0x8912),
  IOCTL (SIOCGIFFLAGS, 0x8913), IOCTL (SIOCSIFFLAGS, 0x8914), IOCTL (SIOCGIFADDR, 0x8915),
  IOCTL (SIOCSIFADDR, 0x8916), IOCTL (SIOCGIFDSTADDR, 0x8917), IOCTL (SIOCGIFBRDADDR, 0x8919),
  IOCTL (SIOCSIFBRDADDR, 0x891a), IOCTL (SIOCGIFNETMASK, 0x891b), IOCTL (SIOCSIFNETMASK, 0x891c),
  IOCTL (SIOCGIFMETRIC, 0x891d), IOCTL (SIOCGIFMTU, 0x8921), IOCTL (SIOCSIFMTU, 0x8922),
  IOCTL (SIOCGIFHWADDR, 0x8927), IOCTL (SIOCGIFINDEX, 0x8933), IOCTL (SIOCGIFTXQLEN, 0x8942),
  /* network configuration: only when the container has a user namespace of its own (the kernel then asks for
   * CAP_NET_ADMIN over the network namespace's owner, which container root holds only when that namespace was
   * made inside its user namespace). Not ethtool, bonding or driver-private requests. */
  IOCTL_NS (SIOCSIFDSTADDR, 0x8918), IOCTL_NS (SIOCSIFMETRIC, 0x891e), IOCTL_NS (SIOCSIFNAME, 0x8923),
  IOCTL_NS (SIOCSIFHWADDR, 0x8924), IOCTL_NS (SIOCADDMULTI, 0x8931), IOCTL_NS (SIOCDELMULTI, 0x8932),
  IOCTL_NS (SIOCSIFPFLAGS, 0x8934), IOCTL_NS (SIOCGIFPFLAGS, 0x8935), IOCTL_NS (SIOCDIFADDR, 0x8936),
  IOCTL_NS (SIOCSIFHWBROADCAST, 0x8937), IOCTL_NS (SIOCGIFCOUNT, 0x8938), IOCTL_NS (SIOCGIFBR, 0x8940),
  IOCTL_NS (SIOCSIFBR, 0x8941), IOCTL_NS (SIOCSIFTXQLEN, 0x8943),
  IOCTL_NS (SIOCDARP, 0x8953), IOCTL_NS (SIOCGARP, 0x8954), IOCTL_NS (SIOCSARP, 0x8955),
  IOCTL_NS (SIOCGIFMAP, 0x8970), IOCTL_NS (SIOCSIFMAP, 0x8971), IOCTL_NS (SIOCGIFVLAN, 0x8982),
  IOCTL_NS (SIOCSIFVLAN, 0x8983), IOCTL_NS (SIOCBRADDBR, 0x89a0), IOCTL_NS (SIOCBRDELBR, 0x89a1),
  IOCTL_NS (SIOCBRADDIF, 0x89a2), IOCTL_NS (SIOCBRDELIF, 0x89a3),
  /* files */
  IOCTL (FIGETBSZ, 0x2), IOCTL (FS_IOC_GETFLAGS, 0x80086601), IOCTL (FS_IOC_SETFLAGS, 0x40086602),
  IOCTL (FS_IOC_GETVERSION, 0x80087601), IOCTL (FS_IOC_FIEMAP, 0xc020660b), IOCTL (FICLONE, 0x40049409),
  IOCTL (FICLONERANGE, 0x4020940d), IOCTL (FIDEDUPERANGE, 0xc0189436), IOCTL (RNDGETENTCNT, 0x80045200),
};

/* Requests that need CAP_SYS_ADMIN (or are the terminal-injection hole) get EPERM; the rest ENOTTY, as from a
 * device that does not know the request. */
static int
ioctl_refuse_errno (const uint64_t *args)
{
  switch ((uint32_t) args[1])
    {
    case 0x5412: /* TIOCSTI */
    case 0x541c: /* TIOCLINUX */
    case 0x541d: /* TIOCCONS */
    case 0x5423: /* TIOCSETD */
    case 0x5437: /* TIOCVHANGUP */
      return EPERM;
    default:
      return ENOTTY;
    }
}

#define PRCTL(name, value) { #name, 0, 1, { EQ32 (0, (value)) } }
static const SentryArgRule prctl_rules[] = {
  PRCTL (PR_SET_PDEATHSIG, 1), PRCTL (PR_GET_PDEATHSIG, 2), PRCTL (PR_GET_DUMPABLE, 3),
  PRCTL (PR_SET_DUMPABLE, 4), PRCTL (PR_GET_KEEPCAPS, 7), PRCTL (PR_SET_KEEPCAPS, 8), PRCTL (PR_SET_NAME, 15),
  PRCTL (PR_GET_NAME, 16), PRCTL (PR_GET_SECCOMP, 21), PRCTL (PR_SET_SECCOMP, 22), PRCTL (PR_CAPBSET_READ, 23),
  PRCTL (PR_CAPBSET_DROP, 24), PRCTL (PR_GET_TSC, 25), PRCTL (PR_SET_TSC, 26), PRCTL (PR_GET_SECUREBITS, 27),
  PRCTL (PR_SET_SECUREBITS, 28), PRCTL (PR_SET_TIMERSLACK, 29), PRCTL (PR_GET_TIMERSLACK, 30),
  PRCTL (PR_TASK_PERF_EVENTS_DISABLE, 31), PRCTL (PR_TASK_PERF_EVENTS_ENABLE, 32), PRCTL (PR_MCE_KILL, 33),
  PRCTL (PR_MCE_KILL_GET, 34), PRCTL (PR_SET_CHILD_SUBREAPER, 36), PRCTL (PR_GET_CHILD_SUBREAPER, 37),
  PRCTL (PR_SET_NO_NEW_PRIVS, 38), PRCTL (PR_GET_NO_NEW_PRIVS, 39), PRCTL (PR_GET_TID_ADDRESS, 40),
  PRCTL (PR_SET_THP_DISABLE, 41), PRCTL (PR_GET_THP_DISABLE, 42), PRCTL (PR_CAP_AMBIENT, 47),
  PRCTL (PR_GET_SPECULATION_CTRL, 52), PRCTL (PR_SET_SPECULATION_CTRL, 53), PRCTL (PR_SCHED_CORE, 62),
  PRCTL (PR_SET_MDWE, 65), PRCTL (PR_GET_MDWE, 66), PRCTL (PR_SET_PTRACER, 0x59616d61),
  PRCTL (PR_SET_VMA, 0x53564d41), PRCTL (PR_GET_AUXV, 0x41555856),
};

/* personality: Linux lets any process set any persona and flag. The flags that would weaken a set-id program
 * (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ADDR_COMPAT_LAYOUT, MMAP_PAGE_ZERO) are dropped by the kernel at a
 * set-id exec, so only the caller's own programs are affected. MMAP_PAGE_ZERO alone stays refused: it asks
 * exec to map page zero, the classic help for exploiting a kernel NULL dereference (mmap_min_addr stops it
 * today, but nothing a container runs needs it). */
#define PERSONA_MMAP_PAGE_ZERO 0x0100000
static const SentryArgRule personality_rules[] = {
  { "any persona and flags but MMAP_PAGE_ZERO", 0, 1, { MASKED (0, PERSONA_MMAP_PAGE_ZERO, 0) } },
  { "query (0xffffffff)", 0, 1, { EQ32 (0, 0xffffffff) } },
};

/* mount and umount2 for a privileged container: only inside a user namespace of its own, where the kernel
 * confines them (the mount namespace belongs to that user namespace: the filesystems a user namespace may
 * mount, mounts inherited from the host's mount namespace locked, nothing propagating back to the host; see
 * runsc(8), PRIVILEGED CONTAINERS). */
static const SentryArgRule userns_rules[] = {
  { "the container has its own user namespace", SENTRY_NEEDS_USERNS, 0, { { 0 } } },
};

/* Calls that reach other processes by pid: fine when pids resolve in the sandbox's own pid namespace. */
static const SentryArgRule pidns_rules[] = {
  { "the sandbox has its own pid namespace", SENTRY_NEEDS_PIDNS, 0, { { 0 } } },
};

/* Why each unconditional native row is there (docs/syscalls.md shows the reason of every native row). */
#define R_FDIO "I/O on a descriptor the caller holds; the kernel checks the descriptor's mode"
#define R_WAIT "waiting on the caller's own descriptors"
#define R_PATH "a path in the container's root: its mount namespace, user namespace and credentials decide what it reaches"
#define R_XATTR "extended attributes; the trusted and security namespaces need capabilities the kernel checks"
#define R_MEM "the caller's own address space"
#define R_MLOCK "locks the caller's own pages, within RLIMIT_MEMLOCK and the memory cgroup"
#define R_ARCH "the caller's own FS and GS bases (TLS) and CPUID faulting"
#define R_SIG "the caller's own signal state"
#define R_KILL "signals to processes the caller can name: pids and pidfds of the sandbox's pid namespace (the Sentry and the host are outside it), with the kernel's permission check"
#define R_REAP "frees a process's memory once it is being killed, by a pidfd of the sandbox's pid namespace"
#define R_ROBUST "the calling thread's robust futex list (get: of a thread it may ptrace, in its pid namespace)"
#define R_TIME "clocks, timers and sleeps; reading the host's clocks is what runc gives too"
#define R_SOCK "on a socket socket(2) created: families and protocols are checked there"
#define R_SYSV "System V IPC of the sandbox's own IPC namespace"
#define R_MQ "POSIX message queues of the sandbox's own IPC namespace"
#define R_PROC "processes and programs (namespace flags are checked on clone; clone3 is refused)"
#define R_GETID "the caller's own identity, as its pid and user namespaces show it"
#define R_SETID "credentials: changing them needs CAP_SETUID or CAP_SETGID, which the kernel checks against the container's user namespace"
#define R_SESSION "process groups and sessions within the sandbox's pid namespace"
#define R_CAPS "the caller's own capabilities, never beyond its bounding set"
#define R_SCHED "scheduling of the sandbox's own threads: raising priority needs CAP_SYS_NICE (checked by the kernel), the cpu cgroup bounds the share"
#define R_RLIMIT "resource limits and usage: raising a hard limit needs CAP_SYS_RESOURCE, checked by the kernel"
#define R_SYNC "flushes dirty data to disk, as under runc (sync reaches every filesystem)"
#define R_FUTEX "futexes in the caller's memory (glibc's locks)"
#define R_AIO "Linux native AIO (libaio: databases), bounded by fs.aio-max-nr; io_uring is refused"
#define R_NOTIFY "file change notification on paths the caller can read (inotify); fanotify_mark needs an fanotify descriptor, and fanotify_init is refused"
#define R_RANDOM "the kernel's random numbers"
#define R_LANDLOCK "unprivileged self-sandboxing: it only narrows the caller"

#define NATIVE(nr, name) { nr, #name, SENTRY_NATIVE, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL }
#define NATIVE_NOTE(nr, name, note) { nr, #name, SENTRY_NATIVE, 0, NULL, NULL, NULL, 0, NULL, note, NULL }
#define CHECKED(nr, name, rules, err, errfn, note) \
  { nr, #name, SENTRY_NATIVE, err, NULL, NULL, rules, G_N_ELEMENTS (rules), errfn, note, NULL }
#define CHECKED_MEM(nr, name, rules, err, errfn, check, note) \
  { nr, #name, SENTRY_NATIVE, err, NULL, NULL, rules, G_N_ELEMENTS (rules), errfn, note, check }
/* &(handler): an emulated row must name a function; NULL (or any non-lvalue) does not compile. The build also
 * runs `syscall-doc check` (syscall-check.c), which fails it for a row written without this macro. */
#define EMULATED(nr, name, handler, note) \
  { nr, #name, SENTRY_EMULATED, 0, &(handler), #handler, NULL, 0, NULL, note, NULL }
#define REFUSED(nr, name, err, note) { nr, #name, SENTRY_REFUSED, err, NULL, NULL, NULL, 0, NULL, note, NULL }
/* Refused after Linux's own argument checks (refuse-args.c): the row's errno only for arguments Linux accepts. */
#define REFUSED_CHECK(nr, name, err, check, note) \
  { nr, #name, SENTRY_REFUSED, err, NULL, NULL, NULL, 0, NULL, note, check }

const SentrySyscall sentry_syscall_table[] = {
  NATIVE_NOTE (0, read, R_FDIO),
  NATIVE_NOTE (1, write, R_FDIO),
  NATIVE_NOTE (2, open, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE_NOTE (3, close, R_FDIO),
  NATIVE_NOTE (4, stat, R_PATH),
  NATIVE_NOTE (5, fstat, R_FDIO),
  NATIVE_NOTE (6, lstat, R_PATH),
  NATIVE_NOTE (7, poll, R_WAIT),
  NATIVE_NOTE (8, lseek, R_FDIO),
  NATIVE_NOTE (9, mmap, "maps into the caller's own address space; no argument check, like the default profiles of Docker and containerd (runc has none)"),
  NATIVE_NOTE (10, mprotect, "maps into the caller's own address space; no argument check, like the default profiles of Docker and containerd (runc has none)"),
  NATIVE_NOTE (11, munmap, R_MEM),
  NATIVE_NOTE (12, brk, R_MEM),
  NATIVE_NOTE (13, rt_sigaction, R_SIG),
  NATIVE_NOTE (14, rt_sigprocmask, R_SIG),
  NATIVE_NOTE (15, rt_sigreturn, R_SIG),
  CHECKED_MEM (16, ioctl, ioctl_rules, ENOTTY, ioctl_refuse_errno, sentry_ioctl_check, "terminal, file and interface requests; never TIOCSTI; a refused request on a bad descriptor is EBADF, a terminal one on a non-terminal ENOTTY, as on Linux"),
  NATIVE_NOTE (17, pread64, R_FDIO),
  NATIVE_NOTE (18, pwrite64, R_FDIO),
  NATIVE_NOTE (19, readv, R_FDIO),
  NATIVE_NOTE (20, writev, R_FDIO),
  NATIVE_NOTE (21, access, R_PATH),
  NATIVE_NOTE (22, pipe, R_FDIO),
  NATIVE_NOTE (23, select, R_WAIT),
  NATIVE_NOTE (24, sched_yield, R_SCHED),
  NATIVE_NOTE (25, mremap, R_MEM),
  NATIVE_NOTE (26, msync, R_MEM),
  NATIVE_NOTE (27, mincore, R_MEM),
  CHECKED (28, madvise, madvise_rules, EINVAL, NULL, "memory advice for the caller's own mappings; not memory-failure injection (MADV_HWPOISON, MADV_SOFT_OFFLINE) nor KSM (MADV_MERGEABLE, MADV_UNMERGEABLE): EINVAL, as a kernel built without them"),
  NATIVE_NOTE (29, shmget, R_SYSV),
  NATIVE_NOTE (30, shmat, R_SYSV),
  NATIVE_NOTE (31, shmctl, R_SYSV),
  NATIVE_NOTE (32, dup, R_FDIO),
  NATIVE_NOTE (33, dup2, R_FDIO),
  NATIVE_NOTE (34, pause, R_SIG),
  NATIVE_NOTE (35, nanosleep, R_TIME),
  NATIVE_NOTE (36, getitimer, R_TIME),
  NATIVE_NOTE (37, alarm, R_TIME),
  NATIVE_NOTE (38, setitimer, R_TIME),
  NATIVE_NOTE (39, getpid, R_GETID),
  NATIVE_NOTE (40, sendfile, R_FDIO),
  CHECKED (41, socket, socket_rules, EAFNOSUPPORT, sentry_socket_refuse_errno, "unix, TCP, UDP, ping, netlink route and sock_diag; raw and packet sockets with --net-raw. Other shapes fail as Linux fails them (bad type or flags EINVAL, raw without CAP_NET_RAW EPERM, ...), a family or protocol the sandbox lacks as absent (EAFNOSUPPORT, EPROTONOSUPPORT): AF_KEY, AF_ALG, AF_TIPC, AF_VSOCK, AF_RDS, AF_XDP and the rest, SCTP, DCCP, MPTCP, UDP-Lite"),
  NATIVE_NOTE (42, connect, R_SOCK),
  NATIVE_NOTE (43, accept, R_SOCK),
  NATIVE_NOTE (44, sendto, R_SOCK),
  NATIVE_NOTE (45, recvfrom, R_SOCK),
  NATIVE_NOTE (46, sendmsg, R_SOCK),
  NATIVE_NOTE (47, recvmsg, R_SOCK),
  NATIVE_NOTE (48, shutdown, R_SOCK),
  NATIVE_NOTE (49, bind, R_SOCK),
  NATIVE_NOTE (50, listen, R_SOCK),
  NATIVE_NOTE (51, getsockname, R_SOCK),
  NATIVE_NOTE (52, getpeername, R_SOCK),
  CHECKED_MEM (53, socketpair, socketpair_rules, EOPNOTSUPP, sentry_socketpair_refuse_errno, sentry_socketpair_check, "unix only; others fail as on Linux: the socket(2) answer, else EOPNOTSUPP (only unix sockets come in pairs)"),
  CHECKED_MEM (54, setsockopt, setsockopt_rules, ENOPROTOOPT, sentry_setsockopt_refuse_errno, sentry_setsockopt_check, "socket, IP, IPv6, TCP, UDP, ICMPv6, raw, packet and netlink options; not netfilter's tables (IPT/IP6T/ARPT/EBT/IP_VS_SO_SET_*: EPERM, as without CAP_NET_ADMIN), nor kernel TLS (TCP_ULP: ENOENT, SOL_TLS: ENOPROTOOPT, a kernel without it), nor other levels (ENOPROTOOPT); a bad descriptor EBADF, a non-socket ENOTSOCK, a unix socket EOPNOTSUPP, as on Linux"),
  NATIVE_NOTE (55, getsockopt, R_SOCK),
  CHECKED (56, clone, clone_rules, EPERM, sentry_clone_refuse_errno, "threads and processes, in no new namespace of any kind (EPERM, as without CAP_SYS_ADMIN); impossible flag combinations EINVAL as on Linux"),
  NATIVE_NOTE (57, fork, R_PROC),
  NATIVE_NOTE (58, vfork, R_PROC),
  NATIVE_NOTE (59, execve, R_PROC),
  NATIVE_NOTE (60, exit, R_PROC),
  NATIVE_NOTE (61, wait4, R_PROC),
  NATIVE_NOTE (62, kill, R_KILL),
  EMULATED (63, uname, sentry_sys_uname, "sandbox kernel identity"),
  NATIVE_NOTE (64, semget, R_SYSV),
  NATIVE_NOTE (65, semop, R_SYSV),
  NATIVE_NOTE (66, semctl, R_SYSV),
  NATIVE_NOTE (67, shmdt, R_SYSV),
  NATIVE_NOTE (68, msgget, R_SYSV),
  NATIVE_NOTE (69, msgsnd, R_SYSV),
  NATIVE_NOTE (70, msgrcv, R_SYSV),
  NATIVE_NOTE (71, msgctl, R_SYSV),
  NATIVE_NOTE (72, fcntl, R_FDIO),
  NATIVE_NOTE (73, flock, R_FDIO),
  NATIVE_NOTE (74, fsync, R_FDIO),
  NATIVE_NOTE (75, fdatasync, R_FDIO),
  NATIVE_NOTE (76, truncate, R_PATH),
  NATIVE_NOTE (77, ftruncate, R_FDIO),
  NATIVE_NOTE (78, getdents, R_FDIO),
  NATIVE_NOTE (79, getcwd, R_PATH),
  NATIVE_NOTE (80, chdir, R_PATH),
  NATIVE_NOTE (81, fchdir, R_PATH),
  NATIVE_NOTE (82, rename, R_PATH),
  NATIVE_NOTE (83, mkdir, R_PATH),
  NATIVE_NOTE (84, rmdir, R_PATH),
  NATIVE_NOTE (85, creat, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE_NOTE (86, link, R_PATH),
  NATIVE_NOTE (87, unlink, R_PATH),
  NATIVE_NOTE (88, symlink, R_PATH),
  NATIVE_NOTE (89, readlink, R_PATH),
  NATIVE_NOTE (90, chmod, R_PATH),
  NATIVE_NOTE (91, fchmod, R_PATH),
  NATIVE_NOTE (92, chown, R_PATH),
  NATIVE_NOTE (93, fchown, R_PATH),
  NATIVE_NOTE (94, lchown, R_PATH),
  NATIVE_NOTE (95, umask, R_PATH),
  NATIVE_NOTE (96, gettimeofday, R_TIME),
  NATIVE_NOTE (97, getrlimit, R_RLIMIT),
  NATIVE_NOTE (98, getrusage, R_RLIMIT),
  EMULATED (99, sysinfo, sentry_sys_sysinfo, "sized to the sandbox's limits"),
  NATIVE_NOTE (100, times, R_TIME),
  CHECKED (101, ptrace, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE_NOTE (102, getuid, R_GETID),
  EMULATED (103, syslog, sentry_sys_syslog, "the sandbox kernel log"),
  NATIVE_NOTE (104, getgid, R_GETID),
  NATIVE_NOTE (105, setuid, R_SETID),
  NATIVE_NOTE (106, setgid, R_SETID),
  NATIVE_NOTE (107, geteuid, R_GETID),
  NATIVE_NOTE (108, getegid, R_GETID),
  NATIVE_NOTE (109, setpgid, R_SESSION),
  NATIVE_NOTE (110, getppid, R_GETID),
  NATIVE_NOTE (111, getpgrp, R_GETID),
  NATIVE_NOTE (112, setsid, R_SESSION),
  NATIVE_NOTE (113, setreuid, R_SETID),
  NATIVE_NOTE (114, setregid, R_SETID),
  NATIVE_NOTE (115, getgroups, R_GETID),
  NATIVE_NOTE (116, setgroups, R_SETID),
  NATIVE_NOTE (117, setresuid, R_SETID),
  NATIVE_NOTE (118, getresuid, R_GETID),
  NATIVE_NOTE (119, setresgid, R_SETID),
  NATIVE_NOTE (120, getresgid, R_GETID),
  NATIVE_NOTE (121, getpgid, R_GETID),
  NATIVE_NOTE (122, setfsuid, R_SETID),
  NATIVE_NOTE (123, setfsgid, R_SETID),
  NATIVE_NOTE (124, getsid, R_GETID),
  NATIVE_NOTE (125, capget, R_CAPS),
  NATIVE_NOTE (126, capset, R_CAPS),
  NATIVE_NOTE (127, rt_sigpending, R_SIG),
  NATIVE_NOTE (128, rt_sigtimedwait, R_SIG),
  NATIVE_NOTE (129, rt_sigqueueinfo, R_KILL),
  NATIVE_NOTE (130, rt_sigsuspend, R_SIG),
  NATIVE_NOTE (131, sigaltstack, R_SIG),
  NATIVE_NOTE (132, utime, R_PATH),
  CHECKED_MEM (133, mknod, mknod_rules, EPERM, sentry_mknod_refuse_errno, sentry_mknod_check, "files, fifos, sockets, and character devices (the devices cgroup decides whether they open); a block device node is refused with EPERM (as without CAP_MKNOD), a bad type EINVAL, as on Linux"),
  REFUSED (134, uselib, ENOSYS, "not supported in the sandbox"),
  CHECKED (135, personality, personality_rules, EPERM, NULL, "as Linux allows any process (the kernel drops the weakening flags at a set-id exec); MMAP_PAGE_ZERO refused: it maps page zero, help for kernel NULL-dereference exploits"),
  REFUSED (136, ustat, ENOSYS, "obsolete (statfs replaces it; glibc has no wrapper), unimplemented by gVisor, not in Docker's profile"),
  NATIVE_NOTE (137, statfs, R_PATH),
  NATIVE_NOTE (138, fstatfs, R_FDIO),
  REFUSED (139, sysfs, ENOSYS, "not supported in the sandbox"),
  NATIVE_NOTE (140, getpriority, R_SCHED),
  NATIVE_NOTE (141, setpriority, R_SCHED),
  NATIVE_NOTE (142, sched_setparam, R_SCHED),
  NATIVE_NOTE (143, sched_getparam, R_SCHED),
  NATIVE_NOTE (144, sched_setscheduler, R_SCHED),
  NATIVE_NOTE (145, sched_getscheduler, R_SCHED),
  NATIVE_NOTE (146, sched_get_priority_max, R_SCHED),
  NATIVE_NOTE (147, sched_get_priority_min, R_SCHED),
  NATIVE_NOTE (148, sched_rr_get_interval, R_SCHED),
  NATIVE_NOTE (149, mlock, R_MLOCK),
  NATIVE_NOTE (150, munlock, R_MLOCK),
  NATIVE_NOTE (151, mlockall, R_MLOCK),
  NATIVE_NOTE (152, munlockall, R_MLOCK),
  REFUSED (153, vhangup, EPERM, "privileged"),
  REFUSED (154, modify_ldt, ENOSYS, "not supported in the sandbox"),
  REFUSED (155, pivot_root, EPERM, "privileged"),
  REFUSED (156, _sysctl, ENOSYS, "not supported in the sandbox"),
  CHECKED (157, prctl, prctl_rules, EINVAL, sentry_prctl_refuse_errno, "process-local options only (PR_SET_MM and the IO_FLUSHER options: EPERM, as Linux without CAP_SYS_RESOURCE; the rest EINVAL); PR_SET_SECCOMP with SECCOMP_MODE_STRICT fails with EINVAL: Linux refuses strict mode to a process already under a filter (as under runc with any seccomp profile), and the Sentry cannot put a filter of its own in its place"),
  NATIVE_NOTE (158, arch_prctl, R_ARCH),
  REFUSED_CHECK (159, adjtimex, EPERM, sentry_adjtimex_check, "needs CAP_SYS_TIME; reads (modes 0) are refused too, as by gVisor: the host clock's discipline is not the sandbox's to show"),
  NATIVE_NOTE (160, setrlimit, R_RLIMIT),
  NATIVE_NOTE (161, chroot, "needs CAP_SYS_CHROOT, which the kernel checks"),
  NATIVE_NOTE (162, sync, R_SYNC),
  REFUSED (163, acct, EPERM, "privileged"),
  REFUSED_CHECK (164, settimeofday, EPERM, sentry_settimeofday_check, "the host clock is not the sandbox's to set"),
  CHECKED (165, mount, userns_rules, EPERM, NULL, "in the container's own user and mount namespace only (the kernel checks CAP_SYS_ADMIN there and what a user namespace may mount); with the host's user namespace the runtime sets mounts up from the spec"),
  CHECKED (166, umount2, userns_rules, EPERM, NULL, "in the container's own user and mount namespace only; in the sandbox's user namespace the kernel keeps every mount the runtime made locked (the root, /proc, the sandbox kernel's files, masked paths), elsewhere those inherited from the host's namespace"),
  REFUSED (167, swapon, EPERM, "privileged"),
  REFUSED (168, swapoff, EPERM, "privileged"),
  REFUSED (169, reboot, EPERM, "privileged"),
  EMULATED (170, sethostname, sentry_sys_sethostname, "the sandbox's hostname; needs CAP_SYS_ADMIN"),
  EMULATED (171, setdomainname, sentry_sys_setdomainname, "the sandbox's domainname; needs CAP_SYS_ADMIN"),
  REFUSED (172, iopl, EPERM, "privileged"),
  REFUSED (173, ioperm, EPERM, "privileged"),
  REFUSED (174, create_module, ENOSYS, "not implemented by Linux either"),
  REFUSED (175, init_module, EPERM, "privileged"),
  REFUSED (176, delete_module, EPERM, "privileged"),
  REFUSED (177, get_kernel_syms, ENOSYS, "not implemented by Linux either"),
  REFUSED (178, query_module, ENOSYS, "not implemented by Linux either"),
  REFUSED (179, quotactl, EPERM, "privileged"),
  REFUSED (180, nfsservctl, ENOSYS, "not implemented by Linux either"),
  REFUSED (181, getpmsg, ENOSYS, "not implemented by Linux either"),
  REFUSED (182, putpmsg, ENOSYS, "not implemented by Linux either"),
  REFUSED (183, afs_syscall, ENOSYS, "not implemented by Linux either"),
  REFUSED (184, tuxcall, ENOSYS, "not implemented by Linux either"),
  REFUSED (185, security, ENOSYS, "not implemented by Linux either"),
  NATIVE_NOTE (186, gettid, R_GETID),
  NATIVE_NOTE (187, readahead, R_FDIO),
  NATIVE_NOTE (188, setxattr, R_XATTR),
  NATIVE_NOTE (189, lsetxattr, R_XATTR),
  NATIVE_NOTE (190, fsetxattr, R_XATTR),
  NATIVE_NOTE (191, getxattr, R_XATTR),
  NATIVE_NOTE (192, lgetxattr, R_XATTR),
  NATIVE_NOTE (193, fgetxattr, R_XATTR),
  NATIVE_NOTE (194, listxattr, R_XATTR),
  NATIVE_NOTE (195, llistxattr, R_XATTR),
  NATIVE_NOTE (196, flistxattr, R_XATTR),
  NATIVE_NOTE (197, removexattr, R_XATTR),
  NATIVE_NOTE (198, lremovexattr, R_XATTR),
  NATIVE_NOTE (199, fremovexattr, R_XATTR),
  NATIVE_NOTE (200, tkill, R_KILL),
  NATIVE_NOTE (201, time, R_TIME),
  NATIVE_NOTE (202, futex, R_FUTEX),
  NATIVE_NOTE (203, sched_setaffinity, R_SCHED),
  EMULATED (204, sched_getaffinity, sentry_sys_sched_getaffinity, "cut down to the CPUs the cgroup's quota allows"),
  REFUSED (205, set_thread_area, ENOSYS, "32-bit TLS descriptors; x86-64 programs use arch_prctl, and the 32-bit entry points are refused; unimplemented by gVisor"),
  NATIVE_NOTE (206, io_setup, R_AIO),
  NATIVE_NOTE (207, io_destroy, R_AIO),
  NATIVE_NOTE (208, io_getevents, R_AIO),
  NATIVE_NOTE (209, io_submit, R_AIO),
  NATIVE_NOTE (210, io_cancel, R_AIO),
  REFUSED (211, get_thread_area, ENOSYS, "as set_thread_area"),
  REFUSED (212, lookup_dcookie, EPERM, "privileged"),
  NATIVE_NOTE (213, epoll_create, R_WAIT),
  REFUSED (214, epoll_ctl_old, ENOSYS, "not implemented by Linux either"),
  REFUSED (215, epoll_wait_old, ENOSYS, "not implemented by Linux either"),
  REFUSED (216, remap_file_pages, ENOSYS, "deprecated since Linux 3.16 (emulated with mmap); unimplemented by gVisor"),
  NATIVE_NOTE (217, getdents64, R_FDIO),
  NATIVE_NOTE (218, set_tid_address, R_MEM),
  NATIVE_NOTE (219, restart_syscall, R_SIG),
  NATIVE_NOTE (220, semtimedop, R_SYSV),
  NATIVE_NOTE (221, fadvise64, R_FDIO),
  NATIVE_NOTE (222, timer_create, R_TIME),
  NATIVE_NOTE (223, timer_settime, R_TIME),
  NATIVE_NOTE (224, timer_gettime, R_TIME),
  NATIVE_NOTE (225, timer_getoverrun, R_TIME),
  NATIVE_NOTE (226, timer_delete, R_TIME),
  REFUSED_CHECK (227, clock_settime, EPERM, sentry_clock_settime_check, "needs CAP_SYS_TIME"),
  NATIVE_NOTE (228, clock_gettime, R_TIME),
  NATIVE_NOTE (229, clock_getres, R_TIME),
  NATIVE_NOTE (230, clock_nanosleep, R_TIME),
  NATIVE_NOTE (231, exit_group, R_PROC),
  NATIVE_NOTE (232, epoll_wait, R_WAIT),
  NATIVE_NOTE (233, epoll_ctl, R_WAIT),
  NATIVE_NOTE (234, tgkill, R_KILL),
  NATIVE_NOTE (235, utimes, R_PATH),
  REFUSED (236, vserver, ENOSYS, "not implemented by Linux either"),
  REFUSED (237, mbind, ENOSYS, "NUMA placement: answered as a kernel without NUMA (libnuma, the JVM and databases then use the default policy); Docker's profile allows it only with CAP_SYS_NICE"),
  REFUSED (238, set_mempolicy, ENOSYS, "as mbind"),
  REFUSED (239, get_mempolicy, ENOSYS, "as mbind"),
  NATIVE_NOTE (240, mq_open, R_MQ),
  NATIVE_NOTE (241, mq_unlink, R_MQ),
  NATIVE_NOTE (242, mq_timedsend, R_MQ),
  NATIVE_NOTE (243, mq_timedreceive, R_MQ),
  NATIVE_NOTE (244, mq_notify, R_MQ),
  NATIVE_NOTE (245, mq_getsetattr, R_MQ),
  REFUSED (246, kexec_load, EPERM, "privileged"),
  NATIVE_NOTE (247, waitid, R_PROC),
  REFUSED_CHECK (248, add_key, ENOSYS, sentry_add_key_check, "no kernel keyrings in the sandbox (see keyctl)"),
  REFUSED_CHECK (249, request_key, ENOSYS, sentry_request_key_check, "no kernel keyrings in the sandbox (see keyctl)"),
  REFUSED (250, keyctl, ENOSYS, "no kernel keyrings in the sandbox (gVisor emulates a session keyring; not here): the host's keyrings are not the containers' (Docker's profile blocks them), and programs take ENOSYS for a kernel without keys and do without"),
  NATIVE_NOTE (251, ioprio_set, R_SCHED),
  NATIVE_NOTE (252, ioprio_get, R_SCHED),
  NATIVE_NOTE (253, inotify_init, R_NOTIFY),
  NATIVE_NOTE (254, inotify_add_watch, R_NOTIFY),
  NATIVE_NOTE (255, inotify_rm_watch, R_NOTIFY),
  REFUSED (256, migrate_pages, ENOSYS, "moves another process's pages between NUMA nodes; as mbind; unimplemented by gVisor, not in Docker's profile"),
  NATIVE_NOTE (257, openat, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE_NOTE (258, mkdirat, R_PATH),
  CHECKED_MEM (259, mknodat, mknodat_rules, EPERM, sentry_mknodat_refuse_errno, sentry_mknodat_check, "as mknod"),
  NATIVE_NOTE (260, fchownat, R_PATH),
  NATIVE_NOTE (261, futimesat, R_PATH),
  NATIVE_NOTE (262, newfstatat, R_PATH),
  NATIVE_NOTE (263, unlinkat, R_PATH),
  NATIVE_NOTE (264, renameat, R_PATH),
  NATIVE_NOTE (265, linkat, R_PATH),
  NATIVE_NOTE (266, symlinkat, R_PATH),
  NATIVE_NOTE (267, readlinkat, R_PATH),
  NATIVE_NOTE (268, fchmodat, R_PATH),
  NATIVE_NOTE (269, faccessat, R_PATH),
  NATIVE_NOTE (270, pselect6, R_WAIT),
  NATIVE_NOTE (271, ppoll, R_WAIT),
  CHECKED (272, unshare, unshare_rules, EPERM, sentry_unshare_refuse_errno, "CLONE_FILES, CLONE_FS, CLONE_SYSVSEM; no new namespace of any kind (EPERM, as without CAP_SYS_ADMIN); unknown flags EINVAL as on Linux"),
  NATIVE_NOTE (273, set_robust_list, R_ROBUST),
  NATIVE_NOTE (274, get_robust_list, R_ROBUST),
  NATIVE_NOTE (275, splice, R_FDIO),
  NATIVE_NOTE (276, tee, R_FDIO),
  NATIVE_NOTE (277, sync_file_range, R_FDIO),
  REFUSED (278, vmsplice, ENOSYS, "maps user pages into pipes, a recurring source of kernel memory bugs (CVE-2008-0600, CVE-2022-0847's family); unimplemented by gVisor; programs fall back to write"),
  REFUSED (279, move_pages, ENOSYS, "as migrate_pages"),
  NATIVE_NOTE (280, utimensat, R_PATH),
  NATIVE_NOTE (281, epoll_pwait, R_WAIT),
  NATIVE_NOTE (282, signalfd, R_SIG),
  NATIVE_NOTE (283, timerfd_create, R_TIME),
  NATIVE_NOTE (284, eventfd, R_FDIO),
  NATIVE_NOTE (285, fallocate, R_FDIO),
  NATIVE_NOTE (286, timerfd_settime, R_TIME),
  NATIVE_NOTE (287, timerfd_gettime, R_TIME),
  NATIVE_NOTE (288, accept4, R_SOCK),
  NATIVE_NOTE (289, signalfd4, R_SIG),
  NATIVE_NOTE (290, eventfd2, R_FDIO),
  NATIVE_NOTE (291, epoll_create1, R_WAIT),
  NATIVE_NOTE (292, dup3, R_FDIO),
  NATIVE_NOTE (293, pipe2, R_FDIO),
  NATIVE_NOTE (294, inotify_init1, R_NOTIFY),
  NATIVE_NOTE (295, preadv, R_FDIO),
  NATIVE_NOTE (296, pwritev, R_FDIO),
  NATIVE_NOTE (297, rt_tgsigqueueinfo, R_KILL),
  REFUSED (298, perf_event_open, EPERM, "privileged"),
  NATIVE_NOTE (299, recvmmsg, R_SOCK),
  REFUSED (300, fanotify_init, EPERM, "privileged"),
  NATIVE_NOTE (301, fanotify_mark, R_NOTIFY),
  NATIVE_NOTE (302, prlimit64, R_RLIMIT),
  NATIVE_NOTE (303, name_to_handle_at, "a handle is useless without open_by_handle_at (refused) and holds only the inode number and generation that stat and FS_IOC_GETVERSION give; allowed by Docker's default profile"),
  REFUSED (304, open_by_handle_at, EPERM, "file handles bypass path resolution in the container root"),
  REFUSED_CHECK (305, clock_adjtime, EPERM, sentry_clock_adjtime_check, "needs CAP_SYS_TIME"),
  NATIVE_NOTE (306, syncfs, R_SYNC),
  NATIVE_NOTE (307, sendmmsg, R_SOCK),
  REFUSED (308, setns, EPERM, "the sandbox's namespaces are fixed at creation"),
  NATIVE_NOTE (309, getcpu, R_SCHED),
  CHECKED (310, process_vm_readv, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  CHECKED (311, process_vm_writev, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  CHECKED (312, kcmp, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  REFUSED (313, finit_module, EPERM, "privileged"),
  NATIVE_NOTE (314, sched_setattr, R_SCHED),
  NATIVE_NOTE (315, sched_getattr, R_SCHED),
  NATIVE_NOTE (316, renameat2, R_PATH),
  NATIVE_NOTE (317, seccomp, "the kernel refuses a second listener; SECCOMP_SET_MODE_STRICT fails with EINVAL, as for prctl"),
  NATIVE_NOTE (318, getrandom, R_RANDOM),
  NATIVE_NOTE (319, memfd_create, R_FDIO),
  REFUSED (320, kexec_file_load, EPERM, "privileged"),
  REFUSED (321, bpf, EPERM, "privileged"),
  NATIVE_NOTE (322, execveat, R_PROC),
  REFUSED (323, userfaultfd, ENOSYS, "not supported in the sandbox"),
  NATIVE_NOTE (324, membarrier, R_MEM),
  NATIVE_NOTE (325, mlock2, R_MLOCK),
  NATIVE_NOTE (326, copy_file_range, R_FDIO),
  NATIVE_NOTE (327, preadv2, R_FDIO),
  NATIVE_NOTE (328, pwritev2, R_FDIO),
  NATIVE_NOTE (329, pkey_mprotect, R_MEM),
  NATIVE_NOTE (330, pkey_alloc, R_MEM),
  NATIVE_NOTE (331, pkey_free, R_MEM),
  NATIVE_NOTE (332, statx, R_PATH),
  NATIVE_NOTE (333, io_pgetevents, R_AIO),
  NATIVE_NOTE (334, rseq, R_MEM),
  NATIVE_NOTE (424, pidfd_send_signal, R_KILL),
  REFUSED (425, io_uring_setup, ENOSYS, "applications fall back to other I/O"),
  REFUSED (426, io_uring_enter, ENOSYS, "not supported in the sandbox"),
  REFUSED (427, io_uring_register, ENOSYS, "not supported in the sandbox"),
  REFUSED (428, open_tree, EPERM, "privileged"),
  REFUSED (429, move_mount, EPERM, "privileged"),
  REFUSED (430, fsopen, EPERM, "privileged"),
  REFUSED (431, fsconfig, EPERM, "privileged"),
  REFUSED (432, fsmount, EPERM, "privileged"),
  REFUSED (433, fspick, EPERM, "privileged"),
  NATIVE_NOTE (434, pidfd_open, R_KILL),
  REFUSED (435, clone3, ENOSYS, "the flags live in memory the filter cannot check; glibc falls back to clone"),
  NATIVE_NOTE (436, close_range, R_FDIO),
  NATIVE_NOTE (437, openat2, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  CHECKED (438, pidfd_getfd, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE_NOTE (439, faccessat2, R_PATH),
  CHECKED (440, process_madvise, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE_NOTE (441, epoll_pwait2, R_WAIT),
  REFUSED (442, mount_setattr, EPERM, "privileged"),
  REFUSED (443, quotactl_fd, EPERM, "privileged"),
  NATIVE_NOTE (444, landlock_create_ruleset, R_LANDLOCK),
  NATIVE_NOTE (445, landlock_add_rule, R_LANDLOCK),
  NATIVE_NOTE (446, landlock_restrict_self, R_LANDLOCK),
  REFUSED (447, memfd_secret, ENOSYS, "secret memory removed from the kernel's direct map; answered as a kernel without it (secretmem off), as gVisor"),
  NATIVE_NOTE (448, process_mrelease, R_REAP),
  NATIVE_NOTE (449, futex_waitv, R_FUTEX),
  REFUSED (450, set_mempolicy_home_node, ENOSYS, "as mbind"),
};

const gsize sentry_syscall_table_len = G_N_ELEMENTS (sentry_syscall_table);

#define MAX_NR 512
static const SentrySyscall *by_nr[MAX_NR];
static pthread_once_t by_nr_once = PTHREAD_ONCE_INIT;

static void
build_index (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sentry_syscall_table); i++)
    {
      int nr = sentry_syscall_table[i].nr;
      if (nr >= 0 && nr < MAX_NR)
        by_nr[nr] = &sentry_syscall_table[i];
    }
}

const SentrySyscall *
sentry_syscall_lookup (int nr)
{
  pthread_once (&by_nr_once, build_index);
  if (nr < 0 || nr >= MAX_NR)
    return NULL;
  return by_nr[nr];
}

const SentrySyscall *
sentry_syscall_by_name (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sentry_syscall_table); i++)
    if (strcmp (sentry_syscall_table[i].name, name) == 0)
      return &sentry_syscall_table[i];
  return NULL;
}

const char *
sentry_syscall_name (int nr)
{
  const SentrySyscall *row = sentry_syscall_lookup (nr);
  return row != NULL ? row->name : NULL;
}

SentryDisposition
sentry_syscall_disposition (const SentrySyscall *row)
{
  /* Fail closed: the build refuses such a row (syscall-check.c); should one get here, it is refused, never
   * native. */
  if (row->disposition == SENTRY_EMULATED && row->handler == NULL)
    return SENTRY_REFUSED;
  return row->disposition;
}

gboolean
sentry_rule_usable (const SentryArgRule *rule, const SentryRuleContext *ctx)
{
  if ((rule->needs & SENTRY_NEEDS_NET_RAW) && !ctx->net_raw)
    return FALSE;
  if ((rule->needs & SENTRY_NEEDS_PIDNS) && !ctx->own_pidns)
    return FALSE;
  if ((rule->needs & SENTRY_NEEDS_USERNS) && !ctx->own_userns)
    return FALSE;
  return TRUE;
}

static gboolean
rule_matches (const SentryArgRule *rule, const uint64_t *args)
{
  for (guint i = 0; i < rule->n_cmp; i++)
    {
      const SentryArgCmp *c = &rule->cmp[i];
      uint64_t v = args[c->arg];
      if (c->op == SENTRY_CMP_MASKED_EQ)
        v &= c->mask;
      if (v != c->value)
        return FALSE;
    }
  return TRUE;
}

gboolean
sentry_syscall_allowed (const SentrySyscall *row, const uint64_t *args, const SentryRuleContext *ctx)
{
  if (row == NULL || sentry_syscall_disposition (row) != SENTRY_NATIVE)
    return FALSE;
  if (row->rules == NULL)
    return TRUE;
  for (guint i = 0; i < row->n_rules; i++)
    if (sentry_rule_usable (&row->rules[i], ctx) && rule_matches (&row->rules[i], args))
      return TRUE;
  return FALSE;
}

int
sentry_syscall_refuse_errno (const SentrySyscall *row, const uint64_t *args)
{
  if (row == NULL)
    return ENOSYS;
  if (row->refuse_errno != NULL)
    return row->refuse_errno (args);
  return row->err != 0 ? row->err : ENOSYS;
}

int
sentry_syscall_refuse_errno_call (const SentrySyscall *row, const SentryCallView *call)
{
  if (row != NULL && row->refuse_check != NULL)
    {
      int err = row->refuse_check (call);
      if (err != 0)
        return err;
    }
  return sentry_syscall_refuse_errno (row, call->args);
}

const char *
sentry_disposition_name (SentryDisposition d)
{
  switch (d)
    {
    case SENTRY_NATIVE:
      return "native";
    case SENTRY_EMULATED:
      return "emulated";
    case SENTRY_REFUSED:
      return "refused";
    }
  return "?";
}
