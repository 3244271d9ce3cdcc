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

/* clone: arg 0 is the flags (the low byte is the exit signal, so CLONE_NEWTIME cannot be asked for here). */
#define CLONE_NS_FLAGS \
  (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const SentryArgRule clone_rules[] = {
  { "no CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP", 0, 1,
    { MASKED (0, CLONE_NS_FLAGS, 0) } },
};

static const SentryArgRule unshare_rules[] = {
  { "no CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME", 0, 1,
    { MASKED (0, CLONE_NS_FLAGS | CLONE_NEWTIME, 0) } },
};

#define SOCK_TYPE_MASK 0xf
static const SentryArgRule socket_rules[] = {
  { "AF_UNIX", 0, 1, { EQ32 (0, AF_UNIX) } },
  { "AF_INET SOCK_STREAM", 0, 2, { EQ32 (0, AF_INET), MASKED (1, SOCK_TYPE_MASK, SOCK_STREAM) } },
  { "AF_INET SOCK_DGRAM", 0, 2, { EQ32 (0, AF_INET), MASKED (1, SOCK_TYPE_MASK, SOCK_DGRAM) } },
  { "AF_INET6 SOCK_STREAM", 0, 2, { EQ32 (0, AF_INET6), MASKED (1, SOCK_TYPE_MASK, SOCK_STREAM) } },
  { "AF_INET6 SOCK_DGRAM", 0, 2, { EQ32 (0, AF_INET6), MASKED (1, SOCK_TYPE_MASK, SOCK_DGRAM) } },
  { "AF_NETLINK NETLINK_ROUTE", 0, 2, { EQ32 (0, AF_NETLINK), EQ32 (2, 0) } },
  { "AF_NETLINK NETLINK_SOCK_DIAG", 0, 2, { EQ32 (0, AF_NETLINK), EQ32 (2, 4) } }, /* ss(8) */
  { "AF_INET SOCK_RAW (--net-raw)", SENTRY_NEEDS_NET_RAW, 2,
    { EQ32 (0, AF_INET), MASKED (1, SOCK_TYPE_MASK, SOCK_RAW) } },
  { "AF_INET6 SOCK_RAW (--net-raw)", SENTRY_NEEDS_NET_RAW, 2,
    { EQ32 (0, AF_INET6), MASKED (1, SOCK_TYPE_MASK, SOCK_RAW) } },
  { "AF_PACKET (--net-raw)", SENTRY_NEEDS_NET_RAW, 1, { EQ32 (0, AF_PACKET) } },
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
 * mount, mounts inherited from the runtime locked together, nothing propagating back to the host; see
 * runsc(8), PRIVILEGED CONTAINERS). */
static const SentryArgRule userns_rules[] = {
  { "the container has its own user namespace", SENTRY_NEEDS_USERNS, 0, { { 0 } } },
};

/* Calls that reach other processes by pid: fine when pids resolve in the sandbox's own pid namespace. */
static const SentryArgRule pidns_rules[] = {
  { "the sandbox has its own pid namespace", SENTRY_NEEDS_PIDNS, 0, { { 0 } } },
};

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
  NATIVE (0, read),
  NATIVE (1, write),
  NATIVE_NOTE (2, open, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE (3, close),
  NATIVE (4, stat),
  NATIVE (5, fstat),
  NATIVE (6, lstat),
  NATIVE (7, poll),
  NATIVE (8, lseek),
  NATIVE_NOTE (9, mmap, "no argument check, like the default profiles of Docker and containerd (runc has none)"),
  NATIVE_NOTE (10, mprotect, "no argument check, like the default profiles of Docker and containerd (runc has none)"),
  NATIVE (11, munmap),
  NATIVE (12, brk),
  NATIVE (13, rt_sigaction),
  NATIVE (14, rt_sigprocmask),
  NATIVE (15, rt_sigreturn),
  CHECKED_MEM (16, ioctl, ioctl_rules, ENOTTY, ioctl_refuse_errno, sentry_ioctl_check, "terminal, file and interface requests; never TIOCSTI; a refused request on a bad descriptor is EBADF, a terminal one on a non-terminal ENOTTY, as on Linux"),
  NATIVE (17, pread64),
  NATIVE (18, pwrite64),
  NATIVE (19, readv),
  NATIVE (20, writev),
  NATIVE (21, access),
  NATIVE (22, pipe),
  NATIVE (23, select),
  NATIVE (24, sched_yield),
  NATIVE (25, mremap),
  NATIVE (26, msync),
  NATIVE (27, mincore),
  NATIVE (28, madvise),
  NATIVE (29, shmget),
  NATIVE (30, shmat),
  NATIVE (31, shmctl),
  NATIVE (32, dup),
  NATIVE (33, dup2),
  NATIVE (34, pause),
  NATIVE (35, nanosleep),
  NATIVE (36, getitimer),
  NATIVE (37, alarm),
  NATIVE (38, setitimer),
  NATIVE (39, getpid),
  NATIVE (40, sendfile),
  CHECKED (41, socket, socket_rules, EAFNOSUPPORT, sentry_socket_refuse_errno, "families a container needs; other shapes fail as Linux fails them (bad type or flags EINVAL, raw without CAP_NET_RAW EPERM, ...), a family or netlink protocol the sandbox lacks as absent (EAFNOSUPPORT, EPROTONOSUPPORT)"),
  NATIVE (42, connect),
  NATIVE (43, accept),
  NATIVE (44, sendto),
  NATIVE (45, recvfrom),
  NATIVE (46, sendmsg),
  NATIVE (47, recvmsg),
  NATIVE (48, shutdown),
  NATIVE (49, bind),
  NATIVE (50, listen),
  NATIVE (51, getsockname),
  NATIVE (52, getpeername),
  CHECKED_MEM (53, socketpair, socketpair_rules, EOPNOTSUPP, sentry_socketpair_refuse_errno, sentry_socketpair_check, "unix only; others fail as on Linux: the socket(2) answer, else EOPNOTSUPP (only unix sockets come in pairs)"),
  NATIVE (54, setsockopt),
  NATIVE (55, getsockopt),
  CHECKED (56, clone, clone_rules, EPERM, sentry_clone_refuse_errno, "no new user, mount, pid, net or cgroup namespace; impossible flag combinations EINVAL as on Linux"),
  NATIVE (57, fork),
  NATIVE (58, vfork),
  NATIVE (59, execve),
  NATIVE (60, exit),
  NATIVE (61, wait4),
  NATIVE (62, kill),
  EMULATED (63, uname, sentry_sys_uname, "sandbox kernel identity"),
  NATIVE (64, semget),
  NATIVE (65, semop),
  NATIVE (66, semctl),
  NATIVE (67, shmdt),
  NATIVE (68, msgget),
  NATIVE (69, msgsnd),
  NATIVE (70, msgrcv),
  NATIVE (71, msgctl),
  NATIVE (72, fcntl),
  NATIVE (73, flock),
  NATIVE (74, fsync),
  NATIVE (75, fdatasync),
  NATIVE (76, truncate),
  NATIVE (77, ftruncate),
  NATIVE (78, getdents),
  NATIVE (79, getcwd),
  NATIVE (80, chdir),
  NATIVE (81, fchdir),
  NATIVE (82, rename),
  NATIVE (83, mkdir),
  NATIVE (84, rmdir),
  NATIVE_NOTE (85, creat, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE (86, link),
  NATIVE (87, unlink),
  NATIVE (88, symlink),
  NATIVE (89, readlink),
  NATIVE (90, chmod),
  NATIVE (91, fchmod),
  NATIVE (92, chown),
  NATIVE (93, fchown),
  NATIVE (94, lchown),
  NATIVE (95, umask),
  NATIVE (96, gettimeofday),
  NATIVE (97, getrlimit),
  NATIVE (98, getrusage),
  EMULATED (99, sysinfo, sentry_sys_sysinfo, "sized to the sandbox's limits"),
  NATIVE (100, times),
  CHECKED (101, ptrace, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE (102, getuid),
  EMULATED (103, syslog, sentry_sys_syslog, "the sandbox kernel log"),
  NATIVE (104, getgid),
  NATIVE (105, setuid),
  NATIVE (106, setgid),
  NATIVE (107, geteuid),
  NATIVE (108, getegid),
  NATIVE (109, setpgid),
  NATIVE (110, getppid),
  NATIVE (111, getpgrp),
  NATIVE (112, setsid),
  NATIVE (113, setreuid),
  NATIVE (114, setregid),
  NATIVE (115, getgroups),
  NATIVE (116, setgroups),
  NATIVE (117, setresuid),
  NATIVE (118, getresuid),
  NATIVE (119, setresgid),
  NATIVE (120, getresgid),
  NATIVE (121, getpgid),
  NATIVE (122, setfsuid),
  NATIVE (123, setfsgid),
  NATIVE (124, getsid),
  NATIVE (125, capget),
  NATIVE (126, capset),
  NATIVE (127, rt_sigpending),
  NATIVE (128, rt_sigtimedwait),
  NATIVE (129, rt_sigqueueinfo),
  NATIVE (130, rt_sigsuspend),
  NATIVE (131, sigaltstack),
  NATIVE (132, utime),
  NATIVE_NOTE (133, mknod, "device access is limited by the devices cgroup"),
  REFUSED (134, uselib, ENOSYS, "not supported in the sandbox"),
  CHECKED (135, personality, personality_rules, EPERM, NULL, "as Linux allows any process (the kernel drops the weakening flags at a set-id exec); MMAP_PAGE_ZERO refused: it maps page zero, help for kernel NULL-dereference exploits"),
  NATIVE (136, ustat),
  NATIVE (137, statfs),
  NATIVE (138, fstatfs),
  REFUSED (139, sysfs, ENOSYS, "not supported in the sandbox"),
  NATIVE (140, getpriority),
  NATIVE (141, setpriority),
  NATIVE (142, sched_setparam),
  NATIVE (143, sched_getparam),
  NATIVE (144, sched_setscheduler),
  NATIVE (145, sched_getscheduler),
  NATIVE (146, sched_get_priority_max),
  NATIVE (147, sched_get_priority_min),
  NATIVE (148, sched_rr_get_interval),
  NATIVE (149, mlock),
  NATIVE (150, munlock),
  NATIVE (151, mlockall),
  NATIVE (152, munlockall),
  REFUSED (153, vhangup, EPERM, "privileged"),
  REFUSED (154, modify_ldt, ENOSYS, "not supported in the sandbox"),
  REFUSED (155, pivot_root, EPERM, "privileged"),
  REFUSED (156, _sysctl, ENOSYS, "not supported in the sandbox"),
  CHECKED (157, prctl, prctl_rules, EINVAL, sentry_prctl_refuse_errno, "process-local options only (PR_SET_MM and the IO_FLUSHER options: EPERM, as Linux without CAP_SYS_RESOURCE; the rest EINVAL); PR_SET_SECCOMP with SECCOMP_MODE_STRICT fails with EINVAL: Linux refuses strict mode to a process already under a filter (as under runc with any seccomp profile), and the Sentry cannot put a filter of its own in its place"),
  NATIVE (158, arch_prctl),
  REFUSED_CHECK (159, adjtimex, EPERM, sentry_adjtimex_check, "needs CAP_SYS_TIME; reads (modes 0) are refused too, as by gVisor: the host clock's discipline is not the sandbox's to show"),
  NATIVE (160, setrlimit),
  NATIVE_NOTE (161, chroot, "needs CAP_SYS_CHROOT, which the kernel checks"),
  NATIVE (162, sync),
  REFUSED (163, acct, EPERM, "privileged"),
  REFUSED_CHECK (164, settimeofday, EPERM, sentry_settimeofday_check, "the host clock is not the sandbox's to set"),
  CHECKED (165, mount, userns_rules, EPERM, NULL, "in the container's own user and mount namespace only (the kernel checks CAP_SYS_ADMIN there and what a user namespace may mount); with the host's user namespace the runtime sets mounts up from the spec"),
  CHECKED (166, umount2, userns_rules, EPERM, NULL, "in the container's own user and mount namespace only; the runtime's mounts are locked together by the kernel"),
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
  NATIVE (186, gettid),
  NATIVE (187, readahead),
  NATIVE (188, setxattr),
  NATIVE (189, lsetxattr),
  NATIVE (190, fsetxattr),
  NATIVE (191, getxattr),
  NATIVE (192, lgetxattr),
  NATIVE (193, fgetxattr),
  NATIVE (194, listxattr),
  NATIVE (195, llistxattr),
  NATIVE (196, flistxattr),
  NATIVE (197, removexattr),
  NATIVE (198, lremovexattr),
  NATIVE (199, fremovexattr),
  NATIVE (200, tkill),
  NATIVE (201, time),
  NATIVE (202, futex),
  NATIVE (203, sched_setaffinity),
  EMULATED (204, sched_getaffinity, sentry_sys_sched_getaffinity, "cut down to the CPUs the cgroup's quota allows"),
  NATIVE (205, set_thread_area),
  NATIVE (206, io_setup),
  NATIVE (207, io_destroy),
  NATIVE (208, io_getevents),
  NATIVE (209, io_submit),
  NATIVE (210, io_cancel),
  NATIVE (211, get_thread_area),
  REFUSED (212, lookup_dcookie, EPERM, "privileged"),
  NATIVE (213, epoll_create),
  REFUSED (214, epoll_ctl_old, ENOSYS, "not implemented by Linux either"),
  REFUSED (215, epoll_wait_old, ENOSYS, "not implemented by Linux either"),
  NATIVE (216, remap_file_pages),
  NATIVE (217, getdents64),
  NATIVE (218, set_tid_address),
  NATIVE (219, restart_syscall),
  NATIVE (220, semtimedop),
  NATIVE (221, fadvise64),
  NATIVE (222, timer_create),
  NATIVE (223, timer_settime),
  NATIVE (224, timer_gettime),
  NATIVE (225, timer_getoverrun),
  NATIVE (226, timer_delete),
  REFUSED_CHECK (227, clock_settime, EPERM, sentry_clock_settime_check, "needs CAP_SYS_TIME"),
  NATIVE (228, clock_gettime),
  NATIVE (229, clock_getres),
  NATIVE (230, clock_nanosleep),
  NATIVE (231, exit_group),
  NATIVE (232, epoll_wait),
  NATIVE (233, epoll_ctl),
  NATIVE (234, tgkill),
  NATIVE (235, utimes),
  REFUSED (236, vserver, ENOSYS, "not implemented by Linux either"),
  NATIVE (237, mbind),
  NATIVE (238, set_mempolicy),
  NATIVE (239, get_mempolicy),
  NATIVE (240, mq_open),
  NATIVE (241, mq_unlink),
  NATIVE (242, mq_timedsend),
  NATIVE (243, mq_timedreceive),
  NATIVE (244, mq_notify),
  NATIVE (245, mq_getsetattr),
  REFUSED (246, kexec_load, EPERM, "privileged"),
  NATIVE (247, waitid),
  REFUSED_CHECK (248, add_key, ENOSYS, sentry_add_key_check, "no kernel keyrings in the sandbox (see keyctl)"),
  REFUSED_CHECK (249, request_key, ENOSYS, sentry_request_key_check, "no kernel keyrings in the sandbox (see keyctl)"),
  REFUSED (250, keyctl, ENOSYS, "no kernel keyrings in the sandbox (gVisor emulates a session keyring; not here): the host's keyrings are not the containers' (Docker's profile blocks them), and programs take ENOSYS for a kernel without keys and do without"),
  NATIVE (251, ioprio_set),
  NATIVE (252, ioprio_get),
  NATIVE (253, inotify_init),
  NATIVE (254, inotify_add_watch),
  NATIVE (255, inotify_rm_watch),
  NATIVE (256, migrate_pages),
  NATIVE_NOTE (257, openat, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  NATIVE (258, mkdirat),
  NATIVE_NOTE (259, mknodat, "device access is limited by the devices cgroup"),
  NATIVE (260, fchownat),
  NATIVE (261, futimesat),
  NATIVE (262, newfstatat),
  NATIVE (263, unlinkat),
  NATIVE (264, renameat),
  NATIVE (265, linkat),
  NATIVE (266, symlinkat),
  NATIVE (267, readlinkat),
  NATIVE (268, fchmodat),
  NATIVE (269, faccessat),
  NATIVE (270, pselect6),
  NATIVE (271, ppoll),
  CHECKED (272, unshare, unshare_rules, EPERM, sentry_unshare_refuse_errno, "no new user, mount, pid, net, cgroup or time namespace; unknown flags EINVAL as on Linux"),
  NATIVE (273, set_robust_list),
  NATIVE (274, get_robust_list),
  NATIVE (275, splice),
  NATIVE (276, tee),
  NATIVE (277, sync_file_range),
  NATIVE (278, vmsplice),
  NATIVE (279, move_pages),
  NATIVE (280, utimensat),
  NATIVE (281, epoll_pwait),
  NATIVE (282, signalfd),
  NATIVE (283, timerfd_create),
  NATIVE (284, eventfd),
  NATIVE (285, fallocate),
  NATIVE (286, timerfd_settime),
  NATIVE (287, timerfd_gettime),
  NATIVE (288, accept4),
  NATIVE (289, signalfd4),
  NATIVE (290, eventfd2),
  NATIVE (291, epoll_create1),
  NATIVE (292, dup3),
  NATIVE (293, pipe2),
  NATIVE (294, inotify_init1),
  NATIVE (295, preadv),
  NATIVE (296, pwritev),
  NATIVE (297, rt_tgsigqueueinfo),
  REFUSED (298, perf_event_open, EPERM, "privileged"),
  NATIVE (299, recvmmsg),
  REFUSED (300, fanotify_init, EPERM, "privileged"),
  NATIVE (301, fanotify_mark),
  NATIVE (302, prlimit64),
  NATIVE_NOTE (303, name_to_handle_at, "a handle is useless without open_by_handle_at (refused) and holds only the inode number and generation that stat and FS_IOC_GETVERSION give; allowed by Docker's default profile"),
  REFUSED (304, open_by_handle_at, EPERM, "file handles bypass path resolution in the container root"),
  REFUSED_CHECK (305, clock_adjtime, EPERM, sentry_clock_adjtime_check, "needs CAP_SYS_TIME"),
  NATIVE (306, syncfs),
  NATIVE (307, sendmmsg),
  REFUSED (308, setns, EPERM, "the sandbox's namespaces are fixed at creation"),
  NATIVE (309, getcpu),
  CHECKED (310, process_vm_readv, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  CHECKED (311, process_vm_writev, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  CHECKED (312, kcmp, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  REFUSED (313, finit_module, EPERM, "privileged"),
  NATIVE (314, sched_setattr),
  NATIVE (315, sched_getattr),
  NATIVE (316, renameat2),
  NATIVE_NOTE (317, seccomp, "the kernel refuses a second listener; SECCOMP_SET_MODE_STRICT fails with EINVAL, as for prctl"),
  NATIVE (318, getrandom),
  NATIVE (319, memfd_create),
  REFUSED (320, kexec_file_load, EPERM, "privileged"),
  REFUSED (321, bpf, EPERM, "privileged"),
  NATIVE (322, execveat),
  REFUSED (323, userfaultfd, ENOSYS, "not supported in the sandbox"),
  NATIVE (324, membarrier),
  NATIVE (325, mlock2),
  NATIVE (326, copy_file_range),
  NATIVE (327, preadv2),
  NATIVE (328, pwritev2),
  NATIVE (329, pkey_mprotect),
  NATIVE (330, pkey_alloc),
  NATIVE (331, pkey_free),
  NATIVE (332, statx),
  NATIVE (333, io_pgetevents),
  NATIVE (334, rseq),
  NATIVE (424, pidfd_send_signal),
  REFUSED (425, io_uring_setup, ENOSYS, "applications fall back to other I/O"),
  REFUSED (426, io_uring_enter, ENOSYS, "not supported in the sandbox"),
  REFUSED (427, io_uring_register, ENOSYS, "not supported in the sandbox"),
  REFUSED (428, open_tree, EPERM, "privileged"),
  REFUSED (429, move_mount, EPERM, "privileged"),
  REFUSED (430, fsopen, EPERM, "privileged"),
  REFUSED (431, fsconfig, EPERM, "privileged"),
  REFUSED (432, fsmount, EPERM, "privileged"),
  REFUSED (433, fspick, EPERM, "privileged"),
  NATIVE (434, pidfd_open),
  REFUSED (435, clone3, ENOSYS, "the flags live in memory the filter cannot check; glibc falls back to clone"),
  NATIVE (436, close_range),
  NATIVE_NOTE (437, openat2, "the host kernel opens it: the container's mount namespace, device cgroup and credentials decide what it reaches"),
  CHECKED (438, pidfd_getfd, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE (439, faccessat2),
  CHECKED (440, process_madvise, pidns_rules, EPERM, NULL, "only inside the sandbox's own pid namespace"),
  NATIVE (441, epoll_pwait2),
  REFUSED (442, mount_setattr, EPERM, "privileged"),
  REFUSED (443, quotactl_fd, EPERM, "privileged"),
  NATIVE (444, landlock_create_ruleset),
  NATIVE (445, landlock_add_rule),
  NATIVE (446, landlock_restrict_self),
  NATIVE (447, memfd_secret),
  NATIVE (448, process_mrelease),
  NATIVE (449, futex_waitv),
  NATIVE (450, set_mempolicy_home_node),
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
