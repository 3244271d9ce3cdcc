/* The text of the Sentry's syscall lines, apart from the call itself (notification, process_vm_readv), so that
 * it can be checked on arbitrary register values and memory (tests/fuzz/fuzz-strace.c):
 *   --strace:              "openat(0xffffff9c, 0x7ffd... \"/etc/passwd\", 0, 0, 0, 0) = 3 (0x3)"
 *   a refused call's line: "Unsupported syscall swapon(0x...,0,...): refused with EPERM"
 * Path arguments are read through the view's reader and quoted with C escapes (\", \\, \n, \xNN for other
 * control and non-ASCII bytes), so that nothing a process names can break or forge a log line. Safe on the
 * syscall path: no allocation. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/syscall-table.h"

/* The row's name, or "UNKNOWN[nr/0xnr]" (row NULL). */
void sentry_syscall_name_format (char *buf, size_t size, int nr, const SentrySyscall *row);

/* Read a NUL-terminated string at addr through view->read into buf (size bytes, NUL included), page by page so
 * that a string that ends just before an unreadable page reads correctly. Returns the length without the NUL,
 * -EFAULT (or the reader's -errno), or -ENAMETOOLONG when no NUL is found in size bytes (buf then holds the
 * first size - 1 bytes). */
ssize_t sentry_view_read_string (const SentryCallView *view, uint64_t addr, char *buf, size_t size);

/* The --strace line of call nr (row: its row or NULL) with view->args, and its result (< 0: -errno;
 * SENTRY_ANSWERED; or continued: it ran natively). Returns strlen (buf) (truncated to size - 1). */
size_t sentry_strace_format (char *buf, size_t size, int nr, const SentrySyscall *row, const SentryCallView *view,
                             long result, int continued);

/* The refused-call line for call nr with args, refused with errno err. Returns strlen (buf). */
size_t sentry_refusal_format (char *buf, size_t size, int nr, const SentrySyscall *row, const uint64_t *args, int err);
