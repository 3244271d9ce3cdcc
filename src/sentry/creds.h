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
  int n_threads;      /* threads in the thread group when read ("Threads:"; 0 if the kernel does not say) */
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

/* Close the calling thread's cached status descriptors and credentials (thread exit, tests). */
void sentry_creds_cache_clear (void);

/* The credentials cache: what one thread's credentials were, reused by the next open of that thread so that
 * /proc/TID/status is not read and parsed for every open (about 2 us of an open).
 *
 * A cached entry must never grant more than the app has now. What makes that hold:
 *   - a thread's uid, gids, groups and capabilities change only through its own calls (setuid and the rest,
 *     capset, execve), and the Sentry sees each of them first: those rows call sentry_creds_forget_all before the
 *     kernel runs them (sentry_sys_cred_change); an entry is valid only while the global epoch it was read
 *     under is still the current one, and that epoch is read before the status is;
 *   - an entry is stored only after the call it was read for proved still pending (sentry_call_valid): the
 *     status was that thread's, read while it sat blocked in the call, so nothing of its own was changing;
 *   - each entry pins its thread with a pidfd (PIDFD_THREAD) opened before the status was read, and is used only
 *     while that thread is alive: a tid reused by another thread never matches;
 *   - execve by a non-leader thread gives that thread the leader's tid (and the leader's pidfd then names it):
 *     a leader's entry is stored only when read with one thread in its group (nobody else could exec);
 *   - the umask is shared between threads (CLONE_FS), so another thread's umask call changes it without a call
 *     of this thread: the cache never answers for the umask; an open that may create reads the status afresh.
 * Every function is allocation-free and per Sentry thread (no locks). */
typedef struct
{
  pid_t tid;
  uint64_t epoch; /* the epoch read before the status */
  int pidfd;      /* the thread, pinned before its status was read; -1 */
  int cached;     /* the credentials came from the cache */
} SentryCredsTicket;

/* Get the credentials of app thread tid: from the calling Sentry thread's cache when it has a valid entry and
 * need_umask is 0, else from /proc/TID/status (sentry_creds_read). *t is always initialised; hand it to
 * sentry_creds_remember once the call is known to be still pending, and to sentry_creds_ticket_release in any
 * case. Returns 0 or -errno. */
int sentry_creds_get (int proc_fd, pid_t tid, int need_umask, SentryCreds *out, SentryCredsTicket *t);

/* The call creds was read for is still pending (sentry_call_valid succeeded after sentry_creds_get): keep
 * creds in the calling thread's cache, if they may be kept. */
void sentry_creds_remember (SentryCredsTicket *t, const SentryCreds *creds);

/* Close what the ticket still holds. */
void sentry_creds_ticket_release (SentryCredsTicket *t);

/* Some app thread is about to change its credentials: no entry read before now is valid any more. */
void sentry_creds_forget_all (void);

/* Cache statistics of the whole Sentry (tests, benchmarks): hits and stores. */
void sentry_creds_cache_stats (uint64_t *hits, uint64_t *stores);

#include "sentry/notify.h"

/* The handler of the credential-changing rows (setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid,
 * setfsgid, setgroups, capset, execve, execveat): forget every cached entry, then let the kernel run the call
 * (SENTRY_CONTINUE: the Sentry decides nothing here, the kernel checks the call as it would without us). */
long sentry_sys_cred_change (SentryCall *call);
