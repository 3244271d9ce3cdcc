/* Taking on an application thread's filesystem credentials on one Sentry thread (see creds.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/creds.h"

/* Parse up to max unsigned decimal numbers on the rest of the line; returns how many. */
static int
parse_numbers (const char *p, const char *end, unsigned long long *out, int max)
{
  int n = 0;

  while (p < end && *p != '\n')
    {
      if (*p >= '0' && *p <= '9')
        {
          unsigned long long v = 0;
          while (p < end && *p >= '0' && *p <= '9')
            v = v * 10 + (unsigned long long) (*p++ - '0');
          if (n >= max)
            return max + 1;
          out[n++] = v;
        }
      else
        p++;
    }
  return n;
}

/* The value of each field the parser needs, found in one pass over the text (the first line of each name). */
typedef struct
{
  const char *umask, *uid, *gid, *groups, *nstgid, *tgid, *nspid, *pid, *capeff, *threads;
} StatusFields;

static void
set_field (const char **slot, const char *value)
{
  if (*slot == NULL)
    *slot = value;
}

static void
scan_fields (const char *text, size_t len, StatusFields *f)
{
  const char *p = text;
  const char *end = text + len;

  memset (f, 0, sizeof *f);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *le = nl != NULL ? nl : end;
      const char *colon = memchr (p, ':', (size_t) (le - p));

      if (colon != NULL)
        {
          size_t kl = (size_t) (colon - p);
          const char *v = colon + 1;
#define KEY(name) (kl == sizeof name - 1 && memcmp (p, name, kl) == 0)
          if (KEY ("Uid"))
            set_field (&f->uid, v);
          else if (KEY ("Gid"))
            set_field (&f->gid, v);
          else if (KEY ("Pid"))
            set_field (&f->pid, v);
          else if (KEY ("Tgid"))
            set_field (&f->tgid, v);
          else if (KEY ("Umask"))
            set_field (&f->umask, v);
          else if (KEY ("NSpid"))
            set_field (&f->nspid, v);
          else if (KEY ("Groups"))
            set_field (&f->groups, v);
          else if (KEY ("NStgid"))
            set_field (&f->nstgid, v);
          else if (KEY ("CapEff"))
            set_field (&f->capeff, v);
          else if (KEY ("Threads"))
            set_field (&f->threads, v);
#undef KEY
        }
      p = le + 1;
    }
}

int
sentry_creds_parse_status (const char *text, size_t len, SentryCreds *out)
{
  const char *end = text + len;
  const char *p;
  unsigned long long v[SENTRY_CREDS_MAX_GROUPS + 1];
  StatusFields f;
  int n;

  memset (out, 0, sizeof *out);
  /* One pass to find the fields (the text is about 1.4 kB and 60 lines): a search per field cost 0.7 us. */
  scan_fields (text, len, &f);

  p = f.umask;
  if (p == NULL)
    return -EINVAL;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  out->umask = (mode_t) strtoul (p, NULL, 8) & 0777;

  p = f.uid;
  if (p == NULL || parse_numbers (p, end, v, 4) != 4)
    return -EINVAL;
  out->euid = (uid_t) v[1];
  out->fsuid = (uid_t) v[3];

  p = f.gid;
  if (p == NULL || parse_numbers (p, end, v, 4) != 4)
    return -EINVAL;
  out->egid = (gid_t) v[1];
  out->fsgid = (gid_t) v[3];

  p = f.groups;
  if (p == NULL)
    return -EINVAL;
  n = parse_numbers (p, end, v, SENTRY_CREDS_MAX_GROUPS);
  if (n > SENTRY_CREDS_MAX_GROUPS)
    return -E2BIG;
  out->n_groups = n;
  for (int i = 0; i < n; i++)
    out->groups[i] = (gid_t) v[i];

  /* NStgid/NSpid: the last number is the id in the innermost namespace. Kernels without them: Tgid/Pid. */
  p = f.nstgid != NULL ? f.nstgid : f.tgid;
  if (p == NULL || (n = parse_numbers (p, end, v, 8)) < 1 || n > 8)
    return -EINVAL;
  out->ns_tgid = (pid_t) v[n - 1];
  out->host_tgid = (pid_t) v[0];
  p = f.nspid != NULL ? f.nspid : f.pid;
  if (p == NULL || (n = parse_numbers (p, end, v, 8)) < 1 || n > 8)
    return -EINVAL;
  out->ns_tid = (pid_t) v[n - 1];

  /* Optional: without it (0) a thread-group leader's entry is never cached. */
  if (f.threads != NULL && parse_numbers (f.threads, end, v, 1) == 1)
    out->n_threads = (int) v[0];

  p = f.capeff;
  if (p == NULL)
    return -EINVAL;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  out->cap_eff = strtoull (p, NULL, 16);
  return 0;
}

/* Per-thread cache of open /proc/TID/status descriptors. */
#define CACHE_SIZE 16

typedef struct
{
  pid_t tid;
  int fd;
  int other_userns;
  unsigned long long last_use;
} CacheEntry;

static __thread CacheEntry cache[CACHE_SIZE];
static __thread unsigned long long cache_clock;
static __thread int cache_ready;

static int
same_userns_as_self (int proc_fd, pid_t tid)
{
  static __thread ino_t self_ino;
  static __thread dev_t self_dev;
  struct stat st;
  char path[64];

  if (self_ino == 0)
    {
      if (fstatat (proc_fd, "thread-self/ns/user", &st, 0) < 0)
        return -errno;
      self_ino = st.st_ino;
      self_dev = st.st_dev;
    }
  snprintf (path, sizeof path, "%d/ns/user", (int) tid);
  if (fstatat (proc_fd, path, &st, 0) < 0)
    return -errno;
  return st.st_ino == self_ino && st.st_dev == self_dev;
}

static void creds_cache_clear (void);

void
sentry_creds_cache_clear (void)
{
  for (int i = 0; i < CACHE_SIZE; i++)
    {
      if (cache_ready && cache[i].fd >= 0)
        close (cache[i].fd);
      cache[i].fd = -1;
      cache[i].tid = 0;
    }
  cache_ready = 1;
  creds_cache_clear ();
}

static CacheEntry *
cache_get (int proc_fd, pid_t tid, int *err)
{
  CacheEntry *victim = NULL;
  char path[64];
  int same;

  if (!cache_ready)
    sentry_creds_cache_clear ();
  cache_clock++;
  for (int i = 0; i < CACHE_SIZE; i++)
    if (cache[i].fd >= 0 && cache[i].tid == tid)
      {
        cache[i].last_use = cache_clock;
        return &cache[i];
      }
  for (int i = 0; i < CACHE_SIZE; i++)
    if (victim == NULL || cache[i].fd < 0 || cache[i].last_use < victim->last_use)
      {
        victim = &cache[i];
        if (victim->fd < 0)
          break;
      }
  if (victim->fd >= 0)
    close (victim->fd);
  victim->fd = -1;
  snprintf (path, sizeof path, "%d/status", (int) tid);
  victim->fd = openat (proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (victim->fd < 0)
    {
      *err = errno == ENOENT ? -ESRCH : -errno;
      return NULL;
    }
  same = same_userns_as_self (proc_fd, tid);
  if (same < 0)
    {
      close (victim->fd);
      victim->fd = -1;
      *err = same == -ENOENT ? -ESRCH : same;
      return NULL;
    }
  victim->other_userns = !same;
  victim->tid = tid;
  victim->last_use = cache_clock;
  return victim;
}

int
sentry_creds_read (int proc_fd, pid_t tid, SentryCreds *out)
{
  char buf[4096];
  int err = 0;
  ssize_t n;
  CacheEntry *e;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      e = cache_get (proc_fd, tid, &err);
      if (e == NULL)
        return err;
      n = pread (e->fd, buf, sizeof buf - 1, 0);
      if (n > 0)
        {
          int r = sentry_creds_parse_status (buf, (size_t) n, out);
          if (r == 0)
            out->other_userns = e->other_userns;
          return r;
        }
      /* The thread is gone (ESRCH, or an empty read): drop the entry; a new thread may reuse the number. */
      close (e->fd);
      e->fd = -1;
      e->tid = 0;
    }
  return -ESRCH;
}

/* ---- the credentials cache (see creds.h) ---- */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

#define CREDS_CACHE_SIZE 16

typedef struct
{
  pid_t tid; /* 0: free */
  int pidfd;
  uint64_t epoch;
  unsigned long long last_use;
  SentryCreds creds;
} CredsEntry;

/* Starts at 1 so that a zeroed entry never matches. */
static uint64_t creds_epoch = 1;
static uint64_t stat_hits, stat_stores;
static int pidfd_thread_missing; /* the kernel has no PIDFD_THREAD (before 6.9): nothing is cached */
static __thread CredsEntry creds_cache[CREDS_CACHE_SIZE];
static __thread unsigned long long creds_clock;

static void
creds_entry_drop (CredsEntry *e)
{
  if (e->tid != 0 && e->pidfd >= 0)
    close (e->pidfd);
  e->tid = 0;
  e->pidfd = -1;
}

static void
creds_cache_clear (void)
{
  for (int i = 0; i < CREDS_CACHE_SIZE; i++)
    creds_entry_drop (&creds_cache[i]);
}

/* The thread the pidfd names has not exited (it may still be blocked in the call being served). */
static int
pidfd_alive (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int r = poll (&p, 1, 0);

  return r == 0;
}

void
sentry_creds_forget_all (void)
{
  __atomic_add_fetch (&creds_epoch, 1, __ATOMIC_SEQ_CST);
}

void
sentry_creds_cache_stats (uint64_t *hits, uint64_t *stores)
{
  *hits = __atomic_load_n (&stat_hits, __ATOMIC_RELAXED);
  *stores = __atomic_load_n (&stat_stores, __ATOMIC_RELAXED);
}

int
sentry_creds_get (int proc_fd, pid_t tid, int need_umask, SentryCreds *out, SentryCredsTicket *t)
{
  int r;

  t->tid = tid;
  t->pidfd = -1;
  t->cached = 0;
  t->epoch = __atomic_load_n (&creds_epoch, __ATOMIC_ACQUIRE);
  creds_clock++;
  for (int i = 0; i < CREDS_CACHE_SIZE; i++)
    {
      CredsEntry *e = &creds_cache[i];
      if (e->tid != tid)
        continue;
      if (e->epoch == t->epoch && pidfd_alive (e->pidfd))
        {
          if (!need_umask)
            {
              *out = e->creds;
              e->last_use = creds_clock;
              t->cached = 1;
              __atomic_add_fetch (&stat_hits, 1, __ATOMIC_RELAXED);
              return 0;
            }
        }
      else
        creds_entry_drop (e);
      break;
    }
  /* Pin the thread first: the status read next is then known to be this pidfd's thread's once the call proves
   * still pending. */
  if (!__atomic_load_n (&pidfd_thread_missing, __ATOMIC_RELAXED))
    {
      t->pidfd = (int) syscall (SYS_pidfd_open, tid, PIDFD_THREAD);
      if (t->pidfd < 0 && errno == EINVAL)
        __atomic_store_n (&pidfd_thread_missing, 1, __ATOMIC_RELAXED);
    }
  r = sentry_creds_read (proc_fd, tid, out);
  if (r < 0)
    sentry_creds_ticket_release (t);
  return r;
}

void
sentry_creds_remember (SentryCredsTicket *t, const SentryCreds *creds)
{
  CredsEntry *victim = NULL;

  if (t->cached || t->pidfd < 0)
    return;
  /* A leader read beside other threads: one of them may exec and take over its tid (see creds.h). */
  if (creds->host_tgid == t->tid && creds->n_threads != 1)
    return;
  /* This thread's old entry, else a free one, else the least recently used. */
  for (int i = 0; i < CREDS_CACHE_SIZE && (victim == NULL || victim->tid != t->tid); i++)
    {
      CredsEntry *e = &creds_cache[i];
      if (e->tid == t->tid || victim == NULL || (victim->tid != 0 && (e->tid == 0 || e->last_use < victim->last_use)))
        victim = e;
    }
  creds_entry_drop (victim);
  victim->tid = t->tid;
  victim->pidfd = t->pidfd;
  victim->epoch = t->epoch;
  victim->creds = *creds;
  victim->last_use = creds_clock;
  t->pidfd = -1;
  __atomic_add_fetch (&stat_stores, 1, __ATOMIC_RELAXED);
}

void
sentry_creds_ticket_release (SentryCredsTicket *t)
{
  if (t->pidfd >= 0)
    close (t->pidfd);
  t->pidfd = -1;
}

long
sentry_sys_cred_change (SentryCall *call)
{
  (void) call;
  sentry_creds_forget_all ();
  return SENTRY_CONTINUE;
}

static int
raw_capget (uint32_t cap[6])
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  if (syscall (SYS_capget, &hdr, data) < 0)
    return -errno;
  cap[0] = data[0].effective;
  cap[1] = data[0].permitted;
  cap[2] = data[0].inheritable;
  cap[3] = data[1].effective;
  cap[4] = data[1].permitted;
  cap[5] = data[1].inheritable;
  return 0;
}

static int
raw_capset (const uint32_t cap[6])
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  data[0].effective = cap[0];
  data[0].permitted = cap[1];
  data[0].inheritable = cap[2];
  data[1].effective = cap[3];
  data[1].permitted = cap[4];
  data[1].inheritable = cap[5];
  if (syscall (SYS_capset, &hdr, data) < 0)
    return -errno;
  return 0;
}

/* setfsuid/setfsgid return the previous value and never fail visibly: check by reading back. */
static int
raw_setfsuid (uid_t uid)
{
  syscall (SYS_setfsuid, uid);
  if ((uid_t) syscall (SYS_setfsuid, (uid_t) -1) != uid)
    return -EPERM;
  return 0;
}

static int
raw_setfsgid (gid_t gid)
{
  syscall (SYS_setfsgid, gid);
  if ((gid_t) syscall (SYS_setfsgid, (gid_t) -1) != gid)
    return -EPERM;
  return 0;
}

#define CHANGED_GROUPS 1u
#define CHANGED_FSGID 2u
#define CHANGED_FSUID 4u
#define CHANGED_CAPS 8u

static __thread int fs_private;

int
sentry_creds_thread_fs_private (void)
{
  if (!fs_private)
    {
      if (unshare (CLONE_FS) < 0)
        return -errno;
      fs_private = 1;
    }
  return 0;
}

static __thread SentryCredsSaved self;
static __thread int self_known;

int
sentry_creds_enter (const SentryCreds *creds, SentryCredsSaved *saved, int set_umask)
{
  uint32_t cap[6];
  int r;
  long n;

  saved->active = 0;
  saved->changed = 0;
  if (set_umask && (r = sentry_creds_thread_fs_private ()) < 0)
    return r;
  /* The thread's own identity is read once: every enter is undone by a leave, so it does not change. */
  if (!self_known)
    {
      r = raw_capget (self.cap);
      if (r < 0)
        return r;
      n = syscall (SYS_getgroups, SENTRY_CREDS_MAX_GROUPS, self.groups);
      if (n < 0)
        return -errno;
      self.n_groups = (int) n;
      self.fsuid = (uid_t) syscall (SYS_setfsuid, (uid_t) -1);
      self.fsgid = (gid_t) syscall (SYS_setfsgid, (gid_t) -1);
      self_known = 1;
    }
  memcpy (saved->cap, self.cap, sizeof saved->cap);
  saved->n_groups = self.n_groups;
  memcpy (saved->groups, self.groups, (size_t) self.n_groups * sizeof (gid_t));
  saved->fsuid = self.fsuid;
  saved->fsgid = self.fsgid;
  saved->umask = set_umask ? umask (creds->umask) : (mode_t) -1;
  saved->active = 1;

  if (creds->n_groups != saved->n_groups
      || memcmp (creds->groups, saved->groups, (size_t) creds->n_groups * sizeof (gid_t)) != 0)
    {
      if (syscall (SYS_setgroups, (size_t) creds->n_groups, creds->groups) < 0)
        {
          r = -errno;
          goto fail;
        }
      saved->changed |= CHANGED_GROUPS;
    }
  if (creds->fsgid != saved->fsgid)
    {
      saved->changed |= CHANGED_FSGID;
      r = raw_setfsgid (creds->fsgid);
      if (r < 0)
        goto fail;
    }
  if (creds->fsuid != saved->fsuid)
    {
      saved->changed |= CHANGED_FSUID;
      r = raw_setfsuid (creds->fsuid);
      if (r < 0)
        goto fail;
    }

  /* Effective = app's effective ∩ our permitted; capabilities granted in another user namespace mean nothing
   * over the host's files, so such an app gets none. Permitted and inheritable stay the Sentry's, so that
   * sentry_creds_leave can raise them again. */
  memcpy (cap, saved->cap, sizeof cap);
  if (creds->other_userns)
    {
      cap[0] = 0;
      cap[3] = 0;
    }
  else
    {
      cap[0] = (uint32_t) (creds->cap_eff & 0xffffffffu) & saved->cap[1];
      cap[3] = (uint32_t) (creds->cap_eff >> 32) & saved->cap[4];
    }
  /* Changing fsuid away from 0 dropped the filesystem capabilities: compare with what the thread has now. */
  if ((saved->changed & CHANGED_FSUID) || cap[0] != saved->cap[0] || cap[3] != saved->cap[3])
    {
      saved->changed |= CHANGED_CAPS;
      r = raw_capset (cap);
      if (r < 0)
        goto fail;
    }
  return 0;

fail:
  sentry_creds_leave (saved);
  return r;
}

void
sentry_creds_leave (SentryCredsSaved *saved)
{
  unsigned ch;

  if (!saved->active)
    return;
  ch = saved->changed;
  /* Effective capabilities first (setgroups needs CAP_SETGID), then the ids; fsuid going back to 0 raises the
   * filesystem capabilities from the permitted set, so a Sentry whose effective set is smaller than its
   * permitted one needs the capset once more. */
  if (((ch & CHANGED_CAPS) && raw_capset (saved->cap) < 0)
      || ((ch & CHANGED_FSUID) && raw_setfsuid (saved->fsuid) < 0)
      || ((ch & CHANGED_FSGID) && raw_setfsgid (saved->fsgid) < 0)
      || ((ch & CHANGED_GROUPS) && syscall (SYS_setgroups, (size_t) saved->n_groups, saved->groups) < 0)
      || ((ch & CHANGED_FSUID) && (saved->cap[0] != saved->cap[1] || saved->cap[3] != saved->cap[4])
          && raw_capset (saved->cap) < 0))
    {
      log_error ("sentry: cannot restore the Sentry thread's credentials: %s; aborting", strerror (errno));
      abort ();
    }
  if (saved->umask != (mode_t) -1)
    umask (saved->umask);
  saved->active = 0;
}
