/* Taking on an application thread's filesystem credentials on one Sentry thread (see creds.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
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
  const char *umask, *uid, *gid, *groups, *nstgid, *tgid, *nspid, *pid, *capeff;
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
