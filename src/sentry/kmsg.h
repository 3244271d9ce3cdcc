/* /dev/kmsg and /proc/kmsg: the sandbox kernel's log, read through a file.
 *
 * /dev/kmsg gives one record per read(2), "PRI,SEQ,USEC,-;TEXT\n", as Linux does (util-linux dmesg and
 * systemd parse it so). The app gets one end of a SOCK_SEQPACKET socket pair whose messages are the records, so
 * record boundaries survive; /proc/kmsg gives the syslog(2) text ("<6>[    0.000000] text\n") through a pipe.
 * As on Linux, a read past the last record blocks (or fails with EAGAIN under O_NONBLOCK): the Sentry keeps the
 * writing end open, in a bounded table whose entries are dropped once the app has closed its end (and the
 * oldest when the table is full, which the app sees as end of file).
 *
 * Opening for writing fails with EACCES: the sandbox kernel's log is not writable from inside. */
#pragma once

#include "sentry/notify.h"

/* A descriptor for the app (close-on-exec in the Sentry; app_flags' O_NONBLOCK applied), or -errno. */
int sentry_kmsg_open_dev (SentryKernel *k, int app_flags);
int sentry_kmsg_open_proc (SentryKernel *k, int app_flags);

/* The number of writing ends the Sentry holds (for tests). */
int sentry_kmsg_held (void);
