/* Linux's own argument checks for refused and argument-checked rows: a call the sandbox refuses still fails the
 * way Linux fails it wherever Linux would reject the same arguments anyway (bad flags, bad values, bad pointers
 * are checked before privilege), and only otherwise with the row's refusal errno.
 *
 * Each function follows the order of the kernel's own code (net/socket.c, net/ipv4/af_inet.c, fs/ioctl.c,
 * drivers/tty/tty_io.c, kernel/fork.c, kernel/sys.c, kernel/time/time.c, kernel/time/posix-timers.c,
 * security/keys/keyctl.c) and is compared with the host kernel's answers by tests/unit/test-refuse-args.c.
 * What they read (the caller's memory, /proc/TID/fd) only picks the errno of a call refused anyway. Safe on the
 * syscall path: no allocation. */
#pragma once

#include <stdint.h>

#include "sentry/syscall-table.h"

/* socket(2) refused by the table's family rules: what Linux answers a caller without CAP_NET_RAW on a kernel
 * whose only families are unix, inet, inet6, netlink (route and sock_diag) and packet. */
int sentry_socket_refuse_errno (const uint64_t *args);

/* socketpair(2) of any family but AF_UNIX: the socket(2) answer, or EOPNOTSUPP (only unix sockets come in
 * pairs) for a socket the sandbox would create. */
int sentry_socketpair_refuse_errno (const uint64_t *args);
int sentry_socketpair_check (const SentryCallView *call);

/* setsockopt at a level or option the table does not allow: EBADF, ENOTSOCK, EINVAL for a negative length,
 * EOPNOTSUPP on a unix socket, ENOPROTOOPT on a netlink one (the check); then EPERM for netfilter's set options
 * (what a caller without CAP_NET_ADMIN gets where the tables are loaded), ENOENT for TCP_ULP (no such upper
 * layer), ENOPROTOOPT for the rest (the refusal errno). */
int sentry_setsockopt_check (const SentryCallView *call);
int sentry_setsockopt_refuse_errno (const uint64_t *args);

/* mknod and mknodat of a type the table does not allow: EPERM for a directory, EINVAL for an invalid type, then
 * EFAULT/ENOENT/ENAMETOOLONG for the name, then EPERM (a block device: as without CAP_MKNOD). */
int sentry_mknod_check (const SentryCallView *call);
int sentry_mknodat_check (const SentryCallView *call);
int sentry_mknod_refuse_errno (const uint64_t *args);
int sentry_mknodat_refuse_errno (const uint64_t *args);

/* ioctl with a request the table does not allow: EBADF for a descriptor the caller does not have, ENOTTY for a
 * terminal request on something that is not a terminal (then the table's errno). */
int sentry_ioctl_check (const SentryCallView *call);

/* clone and unshare with a namespace flag: Linux's EINVAL for impossible flag combinations and unknown unshare
 * flags, else EPERM. */
int sentry_clone_refuse_errno (const uint64_t *args);
int sentry_unshare_refuse_errno (const uint64_t *args);

/* prctl options the table does not allow: EPERM for those that need CAP_SYS_RESOURCE (after PR_SET_MM's own
 * argument check), EINVAL for the rest (options x86-64 Linux does not know or the sandbox kernel lacks). */
int sentry_prctl_refuse_errno (const uint64_t *args);

/* The clock setters: invalid values and unreadable arguments before EPERM. */
int sentry_settimeofday_check (const SentryCallView *call);
int sentry_clock_settime_check (const SentryCallView *call);
int sentry_adjtimex_check (const SentryCallView *call);
int sentry_clock_adjtime_check (const SentryCallView *call);

/* The keyring calls: Linux's checks of the key type, description, callout and payload before the refusal. */
int sentry_add_key_check (const SentryCallView *call);
int sentry_request_key_check (const SentryCallView *call);
