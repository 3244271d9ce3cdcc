/* Taking on an application thread's filesystem credentials on one Sentry thread.
 *
 * A mediated open must be checked exactly as the kernel would check it for the application: with the app's
 * filesystem uid and gid, its supplementary groups, its effective capabilities and its umask. The Sentry reads
 * them from /proc/TID/status at call time and puts them on the calling Sentry thread only, around the open.
 *
 * Why fsuid/fsgid and not setresuid/setresgid: the kernel checks file access with the fs ids, and changing
 * them is per thread and reversible without losing the Sentry's permitted capabilities (moving the real, saved
 * and effective uids away from 0 would clear the permitted set for good). The calls are raw syscalls: glibc's
 * setgroups() (and the set*id family) broadcast the change to every thread of the process (the "setxid"
 * signal dance), which would give the app's identity to the whole Sentry. setfsuid/setfsgid/setgroups/capset
 * as raw syscalls act on the calling thread only.
 *
 * Everything here is allocation-free (it runs on the Sentry's syscall path): fixed-size structs, stack buffers,
 * errno-style results.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#define SENTRY_CREDS_MAX_GROUPS 64

typedef struct
{
  uid_t fsuid;
  gid_t fsgid;
  uid_t euid;
  gid_t egid;
  int n_groups;
  gid_t groups[SENTRY_CREDS_MAX_GROUPS];
  uint64_t cap_eff;
  mode_t umask;
  pid_t ns_tgid;      /* the thread group id in the app's own (innermost) pid namespace: what /proc/self names */
  pid_t ns_tid;       /* the thread id in that namespace: what /proc/thread-self names */
  pid_t host_tgid;    /* the thread group id in the Sentry's pid namespace */
  int other_userns;   /* 1 when the app is in a different user namespace than the Sentry */
} SentryCreds;

/* The state of the calling thread that sentry_creds_leave() restores. */
typedef struct
{
  uid_t fsuid;
  gid_t fsgid;
  int n_groups;
  gid_t groups[SENTRY_CREDS_MAX_GROUPS];
  uint32_t cap[6]; /* effective, permitted, inheritable for words 0 and 1 */
  mode_t umask;
  int active;
  unsigned changed; /* which of groups, fsgid, fsuid, capabilities enter changed (each change is a cred commit) */
} SentryCredsSaved;

/* Parse the text of /proc/TID/status into *out. Returns 0 or -EINVAL when a field is missing, -E2BIG when the
 * app has more supplementary groups than SENTRY_CREDS_MAX_GROUPS. Pure function (tested directly). */
int sentry_creds_parse_status (const char *text, size_t len, SentryCreds *out);

/* Read the credentials of app thread tid through the Sentry's /proc dirfd. Uses a small per-thread cache of
 * open /proc/TID/status descriptors (re-read with pread at offset 0, which regenerates the text; the open fd
 * pins the thread's struct pid, so a reused tid can never be read through an old entry). Returns 0 or -errno
 * (-ESRCH if the thread is gone). */
int sentry_creds_read (int proc_fd, pid_t tid, SentryCreds *out);

/* Put creds on the calling thread (groups, fsgid, fsuid, effective capabilities = the app's effective set
 * intersected with the Sentry's permitted set, or none when the app is in another user namespace, umask)
 * after saving the thread's current state in *saved. Only what differs is changed (each change costs the
 * kernel a new struct cred); the umask only when set_umask (an open that may create). The thread's own identity
 * is read on its first call and assumed unchanged afterwards. Returns 0 or -errno; on failure the thread is left as it
 * was. With set_umask, the thread first gets an fs_struct of its own (sentry_creds_thread_fs_private), so that
 * the app's umask is never the whole Sentry's. */
int sentry_creds_enter (const SentryCreds *creds, SentryCredsSaved *saved, int set_umask);

/* Give the calling thread its own root, cwd and umask (unshare(CLONE_FS)), once. Returns 0 or -errno. */
int sentry_creds_thread_fs_private (void);

/* Restore the state saved by sentry_creds_enter. Aborts the process if the Sentry thread cannot get its own
 * identity back (continuing would run Sentry code with an app's identity). */
void sentry_creds_leave (SentryCredsSaved *saved);

/* Close the calling thread's cached status descriptors (thread exit, tests). */
void sentry_creds_cache_clear (void);
