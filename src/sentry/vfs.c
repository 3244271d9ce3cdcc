/* The sandbox kernel's files over FUSE (see vfs.h). */
#include "config.h"

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "sentry/kernel.h"
#include "sentry/proc.h"
#include "sentry/vfs.h"

typedef enum
{
  VFS_TEXT,      /* rendered by proc.c */
  VFS_DEV_KMSG,  /* one record per read */
  VFS_PROC_KMSG, /* the syslog(2) text */
} VfsKind;

typedef struct
{
  ContainerVfsFile where;
  VfsKind kind;
  SentryProcFile proc;
  mode_t mode;
} VfsFile;

/* Inode numbers: the root is FUSE_ROOT_ID (1), files[i] is i + 2. */
static const VfsFile files[] = {
  { { "version", "/proc/version", FALSE }, VFS_TEXT, SENTRY_PROC_VERSION, 0444 },
  { { "cmdline", "/proc/cmdline", FALSE }, VFS_TEXT, SENTRY_PROC_CMDLINE, 0444 },
  { { "uptime", "/proc/uptime", FALSE }, VFS_TEXT, SENTRY_PROC_UPTIME, 0444 },
  { { "meminfo", "/proc/meminfo", FALSE }, VFS_TEXT, SENTRY_PROC_MEMINFO, 0444 },
  { { "cpuinfo", "/proc/cpuinfo", FALSE }, VFS_TEXT, SENTRY_PROC_CPUINFO, 0444 },
  { { "stat", "/proc/stat", FALSE }, VFS_TEXT, SENTRY_PROC_STAT, 0444 },
  { { "loadavg", "/proc/loadavg", FALSE }, VFS_TEXT, SENTRY_PROC_LOADAVG, 0444 },
  { { "kmsg", "/proc/kmsg", FALSE }, VFS_PROC_KMSG, SENTRY_PROC_KMSG, 0400 },
  { { "osrelease", "/proc/sys/kernel/osrelease", FALSE }, VFS_TEXT, SENTRY_PROC_SYS_OSRELEASE, 0444 },
  { { "ostype", "/proc/sys/kernel/ostype", FALSE }, VFS_TEXT, SENTRY_PROC_SYS_OSTYPE, 0444 },
  { { "kernel-version", "/proc/sys/kernel/version", FALSE }, VFS_TEXT, SENTRY_PROC_SYS_VERSION, 0444 },
  { { "hostname", "/proc/sys/kernel/hostname", FALSE }, VFS_TEXT, SENTRY_PROC_SYS_HOSTNAME, 0444 },
  { { "domainname", "/proc/sys/kernel/domainname", FALSE }, VFS_TEXT, SENTRY_PROC_SYS_DOMAINNAME, 0444 },
  /* The one file that may be missing from a container's /dev: made there when /dev is the container's tmpfs. */
  { { "dev-kmsg", "/dev/kmsg", TRUE }, VFS_DEV_KMSG, SENTRY_PROC_NONE, 0444 },
};

#define N_FILES G_N_ELEMENTS (files)
#define RENDER_MAX (4u << 20) /* a render larger than this (a cpuinfo of thousands of CPUs) fails with EFBIG */

typedef struct VfsConn VfsConn;

/* One open file. */
typedef struct VfsHandle
{
  VfsConn *conn;
  const VfsFile *file;
  struct VfsHandle *prev, *next;
  char *text; /* VFS_TEXT: the last render, read at offsets; rendered again at offset 0 */
  size_t len;
  uint64_t pos;                 /* kmsg: where the last read ended (what poll(2) compares against) */
  struct fuse_pollhandle *poll; /* kmsg: a poll waiting for a record */
} VfsHandle;

/* A read of a log at its end, answered when the log grows. */
typedef struct Parked
{
  fuse_req_t req;
  VfsHandle *h;
  uint64_t off;
  size_t size;
  struct Parked *next;
} Parked;

struct VfsConn
{
  SentryVfs *vfs;
  struct fuse_session *se;
  struct fuse_buf buf;
  uid_t uid;
  gid_t gid;
  VfsHandle *handles;
  guint n_handles;
  size_t text_bytes; /* held by the handles' renders: at most SENTRY_VFS_MAX_TEXT */
  VfsConn *next;
};

struct SentryVfs
{
  SentryKernel *kernel;
  pthread_t thread;
  int wake; /* eventfd: a new connection, a log record, stop */
  pthread_mutex_t lock;
  VfsConn *conns; /* under lock (added by sentry_vfs_mount, removed by the thread) */
  guint n_conns;
  gboolean stopping;
  Parked *parked; /* the thread's own */
};

static const VfsFile *
file_of (fuse_ino_t ino)
{
  return ino >= 2 && ino < 2 + N_FILES ? &files[ino - 2] : NULL;
}

static size_t text_length (VfsConn *c, const VfsFile *f, fuse_req_t req);

/* Attributes as req's caller sees them. */
static void
fill_attr (VfsConn *c, fuse_ino_t ino, fuse_req_t req, struct stat *st)
{
  const VfsFile *f = file_of (ino);
  struct timespec boot = { 0 };

  memset (st, 0, sizeof *st);
  st->st_ino = ino;
  st->st_uid = c->uid;
  st->st_gid = c->gid;
  clock_gettime (CLOCK_REALTIME, &boot);
  boot.tv_sec -= (time_t) sentry_kernel_uptime (c->vfs->kernel);
  st->st_atim = st->st_mtim = st->st_ctim = boot;
  if (f == NULL)
    {
      st->st_mode = S_IFDIR | 0555;
      st->st_nlink = 2;
      return;
    }
  st->st_mode = S_IFREG | f->mode;
  st->st_nlink = 1;
  /* /dev/kmsg's size is its stream's, for SEEK_END. A text's is its length for the caller now (procfs says 0, but
   * with 0, Linux 6.5 and later would end a splice of the file at once: see op_read): tail(1) seeks from it. */
  if (f->kind == VFS_DEV_KMSG)
    st->st_size = (off_t) sentry_kernel_log_kmsg_end (c->vfs->kernel);
  else if (f->kind == VFS_TEXT)
    st->st_size = (off_t) text_length (c, f, req);
}

static void
op_lookup (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  VfsConn *c = fuse_req_userdata (req);
  struct fuse_entry_param e = { 0 };

  if (parent != FUSE_ROOT_ID)
    {
      fuse_reply_err (req, ENOENT);
      return;
    }
  for (gsize i = 0; i < N_FILES; i++)
    if (strcmp (files[i].where.name, name) == 0)
      {
        e.ino = i + 2;
        e.entry_timeout = 3600;
        e.attr_timeout = files[i].kind == VFS_PROC_KMSG ? 3600 : 0;
        fill_attr (c, e.ino, req, &e.attr);
        fuse_reply_entry (req, &e);
        return;
      }
  fuse_reply_err (req, ENOENT);
}

static void
op_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsConn *c = fuse_req_userdata (req);
  struct stat st;
  const VfsFile *f = file_of (ino);

  (void) fi;
  if (ino != FUSE_ROOT_ID && f == NULL)
    {
      fuse_reply_err (req, ENOENT);
      return;
    }
  fill_attr (c, ino, req, &st);
  fuse_reply_attr (req, &st, f != NULL && f->kind == VFS_PROC_KMSG ? 3600 : 0);
}

/* The caller's thread id in its own pid namespace (loadavg's last field), from /proc/TID/status NSpid. */
static pid_t
ns_tid_of (pid_t tid)
{
  char path[64], buf[2048];
  const char *p;
  pid_t last = tid;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/status", (int) tid);
  fd = runsc_host_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return tid;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return tid;
  buf[n] = '\0';
  p = strstr (buf, "\nNSpid:");
  if (p == NULL)
    return tid;
  p += 7;
  while (*p == ' ' || *p == '\t' || (*p >= '0' && *p <= '9'))
    {
      char *end;
      long v;
      while (*p == ' ' || *p == '\t')
        p++;
      v = strtol (p, &end, 10);
      if (end == p)
        break;
      last = (pid_t) v;
      p = end;
    }
  return last;
}

/* Render h's file for the process behind req. Returns 0 or an errno. */
static int
render (VfsHandle *h, fuse_req_t req)
{
  const struct fuse_ctx *ctx = fuse_req_ctx (req);
  SentryKernel *k = h->conn->vfs->kernel;
  SentryProcFile f = h->file->proc;
  SentryProcView view;
  SentryProcLimits lim = { 0 };
  size_t cap = h->text != NULL ? MAX (h->len + 1024, 4096) : 4096;
  pid_t ns_tid = 0;

  sentry_proc_view_from_kernel (k, &view);
  /* Only these texts depend on the reader (its cgroup's limits, its pid): the others skip the /proc and cgroup
   * reads, which every stat(2) of the file would otherwise pay too (text_length). */
  if (f == SENTRY_PROC_UPTIME || f == SENTRY_PROC_MEMINFO || f == SENTRY_PROC_CPUINFO || f == SENTRY_PROC_STAT
      || f == SENTRY_PROC_LOADAVG)
    sentry_proc_limits (ctx->pid, view.spec_mem_limit, &lim);
  if (f == SENTRY_PROC_LOADAVG)
    ns_tid = ns_tid_of (ctx->pid);
  for (;;)
    {
      char *text = malloc (cap);
      ssize_t n;

      if (text == NULL)
        return ENOMEM;
      n = sentry_proc_render (f, &view, &lim, ns_tid, text, cap);
      if (n >= 0)
        {
          VfsConn *c = h->conn;
          if (c != NULL && c->text_bytes - h->len + (size_t) n > SENTRY_VFS_MAX_TEXT)
            {
              free (text);
              return ENFILE; /* a reader holding many large renders open: the Sentry's memory is bounded */
            }
          if (c != NULL)
            c->text_bytes = c->text_bytes - h->len + (size_t) n;
          free (h->text);
          h->text = text;
          h->len = (size_t) n;
          return 0;
        }
      free (text);
      if (n != -ENOSPC)
        return (int) -n;
      if (cap >= RENDER_MAX)
        return EFBIG;
      cap *= 2;
    }
}

static void
handle_free (VfsHandle *h)
{
  VfsConn *c = h->conn;

  if (h->prev != NULL)
    h->prev->next = h->next;
  else
    c->handles = h->next;
  if (h->next != NULL)
    h->next->prev = h->prev;
  c->n_handles--;
  c->text_bytes -= h->len;
  if (h->poll != NULL)
    fuse_pollhandle_destroy (h->poll);
  free (h->text);
  free (h);
}

static void
op_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsConn *c = fuse_req_userdata (req);
  const VfsFile *f = file_of (ino);
  VfsHandle *h;
  int e;

  if (f == NULL)
    {
      fuse_reply_err (req, ino == FUSE_ROOT_ID ? EISDIR : ENOENT);
      return;
    }
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
    {
      fuse_reply_err (req, EACCES);
      return;
    }
  if (c->n_handles >= SENTRY_VFS_MAX_OPEN)
    {
      fuse_reply_err (req, ENFILE);
      return;
    }
  h = calloc (1, sizeof *h);
  if (h == NULL)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  h->conn = c;
  h->file = f;
  if (f->kind == VFS_TEXT && (e = render (h, req)) != 0)
    {
      free (h);
      fuse_reply_err (req, e);
      return;
    }
  h->next = c->handles;
  if (c->handles != NULL)
    c->handles->prev = h;
  c->handles = h;
  c->n_handles++;
  fi->fh = (uint64_t) (uintptr_t) h;
  fi->direct_io = 1; /* no page cache: every read comes here, so values are live */
  fi->keep_cache = 0;
  if (fuse_reply_open (req, fi) != 0)
    handle_free (h); /* the opener is gone (interrupted): no release will come */
}

/* The length of f's text for req's caller. */
static size_t
text_length (VfsConn *c, const VfsFile *f, fuse_req_t req)
{
  VfsHandle h = { .conn = c, .file = f };
  size_t len = render (&h, req) == 0 ? h.len : 0;

  c->text_bytes -= h.len; /* counted by render, freed here */
  free (h.text);
  return len;
}

static void
op_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  (void) ino;
  handle_free ((VfsHandle *) (uintptr_t) fi->fh);
  fuse_reply_err (req, 0);
}

/* Answer a log read at off if the log has something there. Returns FALSE when the reader must wait. */
static gboolean
answer_log (fuse_req_t req, VfsHandle *h, uint64_t off, size_t size)
{
  SentryKernel *k = h->conn->vfs->kernel;
  char buf[4096];

  if (h->file->kind == VFS_DEV_KMSG)
    {
      SentryLogRecord rec;
      size_t n;

      if (!sentry_kernel_log_record_at (k, off, &rec))
        return FALSE;
      n = sentry_kernel_log_format_kmsg (&rec, buf, sizeof buf);
      if (n > size)
        {
          fuse_reply_err (req, EINVAL); /* as Linux: the whole record or nothing */
          return TRUE;
        }
      /* The position after this read is the end of this record, wherever the read started (before the oldest
       * record still held, or at a SEEK_END taken before the record came). */
      h->pos = rec.kmsg_off + n;
      fuse_reply_buf (req, buf, n);
      return TRUE;
    }
  {
    size_t n = sentry_kernel_log_text (k, (size_t) off, buf, MIN (size, sizeof buf));
    if (n == 0)
      return FALSE;
    h->pos = off + n;
    fuse_reply_buf (req, buf, n);
    return TRUE;
  }
}

static void
on_interrupt (fuse_req_t req, void *data)
{
  SentryVfs *v = data;

  for (Parked **pp = &v->parked; *pp != NULL; pp = &(*pp)->next)
    if ((*pp)->req == req)
      {
        Parked *p = *pp;
        *pp = p->next;
        free (p);
        fuse_reply_err (req, EINTR);
        return;
      }
}

static void
op_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
  VfsHandle *h = (VfsHandle *) (uintptr_t) fi->fh;
  SentryVfs *v = h->conn->vfs;
  Parked *p;
  int e;

  (void) ino;
  /* Every file is opened with FOPEN_DIRECT_IO, so a read(2) comes with its reader's lock owner; a read without one
   * fills the page cache, which Linux 6.5 and later use for splice(2), sendfile(2) and copy_file_range(2) even on such
   * files, and which would hold one reader's text for the next. Those fail with EINVAL, as on a file that cannot
   * splice, and their callers (busybox cat, cp) fall back to read(2). A private mmap(2), which procfs refuses, gets
   * SIGBUS. */
  if (off < 0 || fi->lock_owner == 0)
    {
      fuse_reply_err (req, EINVAL);
      return;
    }
  if (h->file->kind == VFS_TEXT)
    {
      /* Reading from the start renders again, as procfs's seq files do: a reread or a poller sees live values. */
      if (off == 0 && (e = render (h, req)) != 0)
        {
          fuse_reply_err (req, e);
          return;
        }
      if ((size_t) off >= h->len)
        fuse_reply_buf (req, NULL, 0);
      else
        fuse_reply_buf (req, h->text + off, MIN (size, h->len - (size_t) off));
      return;
    }
  if (answer_log (req, h, (uint64_t) off, size))
    return;
  if (fi->flags & O_NONBLOCK)
    {
      fuse_reply_err (req, EAGAIN);
      return;
    }
  p = calloc (1, sizeof *p);
  if (p == NULL)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  p->req = req;
  p->h = h;
  p->off = (uint64_t) off;
  p->size = size;
  p->next = v->parked;
  v->parked = p;
  fuse_req_interrupt_func (req, on_interrupt, v);
}

static gboolean
log_has (VfsHandle *h, uint64_t off)
{
  SentryKernel *k = h->conn->vfs->kernel;
  SentryLogRecord rec;
  char c;

  if (h->file->kind == VFS_DEV_KMSG)
    return sentry_kernel_log_record_at (k, off, &rec) == 1;
  return sentry_kernel_log_text (k, (size_t) off, &c, 1) == 1;
}

static void
op_poll (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
  VfsHandle *h = (VfsHandle *) (uintptr_t) fi->fh;
  unsigned revents = POLLIN | POLLRDNORM;

  (void) ino;
  if (h->file->kind != VFS_TEXT && !log_has (h, h->pos))
    {
      revents = 0;
      if (ph != NULL)
        {
          if (h->poll != NULL)
            fuse_pollhandle_destroy (h->poll);
          h->poll = ph;
          ph = NULL;
        }
    }
  if (ph != NULL)
    fuse_pollhandle_destroy (ph);
  fuse_reply_poll (req, revents);
}

static void
op_init (void *userdata, struct fuse_conn_info *conn)
{
  (void) userdata;
  /* Nothing here is written, cached or locked. */
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE | FUSE_CAP_WRITEBACK_CACHE
                  | FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS | FUSE_CAP_READDIRPLUS | FUSE_CAP_AUTO_INVAL_DATA);
}

static const struct fuse_lowlevel_ops ops = {
  .init = op_init,
  .lookup = op_lookup,
  .getattr = op_getattr,
  .open = op_open,
  .read = op_read,
  .release = op_release,
  .poll = op_poll,
};

/* After the log grew: answer the parked reads that can be answered now, and the polls. */
static void
log_grew (SentryVfs *v, VfsConn *only_dead)
{
  Parked **pp = &v->parked;

  while (*pp != NULL)
    {
      Parked *p = *pp;
      if (only_dead != NULL ? p->h->conn == only_dead : answer_log (p->req, p->h, p->off, p->size))
        {
          if (only_dead != NULL)
            fuse_reply_err (p->req, EIO);
          *pp = p->next;
          free (p);
        }
      else
        pp = &p->next;
    }
  if (only_dead != NULL)
    return;
  /* The list's links change under v->lock (a new connection); the handles are this thread's own. */
  pthread_mutex_lock (&v->lock);
  for (VfsConn *c = v->conns; c != NULL; c = c->next)
    for (VfsHandle *h = c->handles; h != NULL; h = h->next)
      if (h->poll != NULL && log_has (h, h->pos))
        {
          fuse_lowlevel_notify_poll (h->poll);
          fuse_pollhandle_destroy (h->poll);
          h->poll = NULL;
        }
  pthread_mutex_unlock (&v->lock);
}

static void
conn_free (VfsConn *c)
{
  while (c->handles != NULL)
    handle_free (c->handles);
  if (c->se != NULL)
    fuse_session_destroy (c->se); /* closes the /dev/fuse descriptor */
  free (c->buf.mem);
  free (c);
}

/* The connection is gone (its last mount went, ENODEV): drop it and what waits on it. */
static void
conn_end (SentryVfs *v, VfsConn *dead)
{
  log_grew (v, dead);
  pthread_mutex_lock (&v->lock);
  for (VfsConn **cp = &v->conns; *cp != NULL; cp = &(*cp)->next)
    if (*cp == dead)
      {
        *cp = dead->next;
        v->n_conns--;
        break;
      }
  pthread_mutex_unlock (&v->lock);
  conn_free (dead);
}

static void *
serve_thread (void *data)
{
  SentryVfs *v = data;
  struct pollfd *pfd = NULL;
  VfsConn **conn = NULL;
  guint cap = 0;

  for (;;)
    {
      nfds_t n = 1;
      gboolean stop;

      pthread_mutex_lock (&v->lock);
      stop = v->stopping;
      if (cap < v->n_conns + 1)
        {
          cap = v->n_conns + 8;
          pfd = g_renew (struct pollfd, pfd, cap);
          conn = g_renew (VfsConn *, conn, cap);
        }
      pfd[0].fd = v->wake;
      pfd[0].events = POLLIN;
      for (VfsConn *c = v->conns; c != NULL; c = c->next, n++)
        {
          conn[n] = c;
          pfd[n].fd = fuse_session_fd (c->se);
          pfd[n].events = POLLIN;
        }
      pthread_mutex_unlock (&v->lock);
      if (stop)
        break;
      if (poll (pfd, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          log_error ("sentry: vfs: poll: %s", strerror (errno));
          break;
        }
      if (pfd[0].revents & POLLIN)
        {
          uint64_t count;
          if (read (v->wake, &count, sizeof count) < 0 && errno != EAGAIN)
            log_warning ("sentry: vfs: read the wake-up counter: %s", strerror (errno));
          log_grew (v, NULL);
        }
      for (nfds_t i = 1; i < n; i++)
        {
          int r;
          if (pfd[i].revents == 0)
            continue;
          r = fuse_session_receive_buf (conn[i]->se, &conn[i]->buf);
          if (r == -EINTR || r == -EAGAIN)
            continue;
          if (r <= 0 || fuse_session_exited (conn[i]->se))
            {
              log_debug ("sentry: vfs: a connection ended (%s)", r < 0 ? strerror (-r) : "unmounted");
              conn_end (v, conn[i]);
              continue;
            }
          fuse_session_process_buf (conn[i]->se, &conn[i]->buf);
        }
    }
  g_free (pfd);
  g_free (conn);
  return NULL;
}

SentryVfs *
sentry_vfs_new (SentryKernel *k, GError **error)
{
  SentryVfs *v = g_new0 (SentryVfs, 1);
  int r;

  v->kernel = k;
  pthread_mutex_init (&v->lock, NULL);
  v->wake = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (v->wake < 0)
    {
      runsc_error_errno (error, errno, "sandbox files: eventfd");
      g_free (v);
      return NULL;
    }
  r = pthread_create (&v->thread, NULL, serve_thread, v);
  if (r != 0)
    {
      runsc_error_errno (error, r, "sandbox files: start the serving thread");
      close (v->wake);
      g_free (v);
      return NULL;
    }
  sentry_kernel_log_set_wake_fd (k, v->wake);
  return v;
}

static void
wake (SentryVfs *v)
{
  uint64_t one = 1;
  if (write (v->wake, &one, sizeof one) < 0 && errno != EAGAIN)
    log_warning ("sentry: vfs: wake the serving thread: %s", strerror (errno));
}

static int
fsconfig_str (int fs, const char *key, const char *value)
{
  return (int) syscall (SYS_fsconfig, fs, value != NULL ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0);
}

/* The kernel's own words about a failed fsconfig, if it left any on the context. */
static void
fs_context_message (int fs, char *buf, size_t size)
{
  ssize_t n;

  buf[0] = '\0';
  n = read (fs, buf, size - 1);
  if (n > 2)
    {
      buf[n] = '\0';
      if (buf[n - 1] == '\n')
        buf[n - 1] = '\0';
      memmove (buf, buf + 2, (size_t) n - 1); /* "e fuse: ..." */
    }
  else
    buf[0] = '\0';
}

int
sentry_vfs_open_device (GError **error)
{
  struct stat st;
  int dev = open ("/dev/fuse", O_RDWR | O_CLOEXEC);

  if (dev < 0)
    {
      runsc_error_errno (error, errno,
                         "open /dev/fuse (the sandbox kernel's /proc files are served over FUSE: load the fuse kernel "
                         "module, `modprobe fuse`)");
      return -1;
    }
  if (fstat (dev, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (10, 229))
    {
      close (dev);
      runsc_error_set (error, RUNSC_ERROR_FAILED,
                       "/dev/fuse is not the FUSE device (character device 10:229): the sandbox kernel's /proc files "
                       "are served over FUSE: load the fuse kernel module, `modprobe fuse`");
      return -1;
    }
  return dev;
}

int
sentry_vfs_fsmount (int dev, uid_t uid, gid_t gid, GError **error)
{
  char opt[32], msg[256];
  int fs, mnt;

  fs = (int) syscall (SYS_fsopen, "fuse", FSOPEN_CLOEXEC);
  if (fs < 0)
    {
      runsc_error_errno (error, errno, "fsopen fuse (is the fuse kernel module loaded? `modprobe fuse`)");
      return -1;
    }
  snprintf (opt, sizeof opt, "%d", dev);
  if (fsconfig_str (fs, "source", "runsc-sandbox") < 0 || fsconfig_str (fs, "subtype", "runsc") < 0
      || fsconfig_str (fs, "fd", opt) < 0 || fsconfig_str (fs, "rootmode", "40555") < 0
      || (snprintf (opt, sizeof opt, "%u", (unsigned) uid), fsconfig_str (fs, "user_id", opt)) < 0
      || (snprintf (opt, sizeof opt, "%u", (unsigned) gid), fsconfig_str (fs, "group_id", opt)) < 0
      || fsconfig_str (fs, "allow_other", NULL) < 0 || fsconfig_str (fs, "default_permissions", NULL) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int e = errno;
      fs_context_message (fs, msg, sizeof msg);
      close (fs);
      runsc_error_errno (error, e, "mount the sandbox's FUSE filesystem on /dev/fuse%s%s (is /dev/fuse the "
                         "FUSE device and the fuse kernel module loaded?)", msg[0] ? ": " : "", msg);
      return -1;
    }
  mnt = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    {
      int e = errno;
      close (fs);
      runsc_error_errno (error, e, "fsmount the sandbox's FUSE filesystem");
      return -1;
    }
  close (fs);
  return mnt;
}

gboolean
sentry_vfs_serve (SentryVfs *v, int dev, uid_t uid, gid_t gid, GError **error)
{
  char fdpath[32];
  const char *argv[] = { "runsc-sandbox", NULL };
  struct fuse_args args = FUSE_ARGS_INIT (1, (char **) argv);
  VfsConn *c;

  if (fcntl (dev, F_SETFL, O_NONBLOCK) < 0)
    {
      int e = errno;
      close (dev);
      return runsc_error_errno (error, e, "sandbox files: /dev/fuse descriptor");
    }
  c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      close (dev);
      return runsc_error_errno (error, ENOMEM, "sandbox files");
    }
  c->vfs = v;
  c->uid = uid;
  c->gid = gid;
  c->se = fuse_session_new (&args, &ops, sizeof ops, c);
  fuse_opt_free_args (&args); /* the parser may have copied argv */
  snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", dev);
  if (c->se == NULL || fuse_session_mount (c->se, fdpath) != 0)
    {
      close (dev);
      conn_free (c);
      return runsc_error_set (error, RUNSC_ERROR_FAILED, "sandbox files: libfuse could not take /dev/fuse");
    }
  pthread_mutex_lock (&v->lock);
  c->next = v->conns;
  v->conns = c;
  v->n_conns++;
  pthread_mutex_unlock (&v->lock);
  wake (v);
  return TRUE;
}

int
sentry_vfs_mount (SentryVfs *v, int dev, uid_t uid, gid_t gid, GError **error)
{
  int mnt = sentry_vfs_fsmount (dev, uid, gid, error);

  if (mnt < 0)
    {
      close (dev);
      return -1;
    }
  if (!sentry_vfs_serve (v, dev, uid, gid, error))
    {
      close (mnt);
      return -1;
    }
  return mnt;
}

const ContainerVfsFile *
sentry_vfs_files (gsize *n)
{
  static ContainerVfsFile where[N_FILES];
  static gsize once;

  if (g_once_init_enter (&once))
    {
      for (gsize i = 0; i < N_FILES; i++)
        where[i] = files[i].where;
      g_once_init_leave (&once, 1);
    }
  *n = N_FILES;
  return where;
}

guint
sentry_vfs_connections (SentryVfs *v)
{
  guint n;

  pthread_mutex_lock (&v->lock);
  n = v->n_conns;
  pthread_mutex_unlock (&v->lock);
  return n;
}

void
sentry_vfs_free (SentryVfs *v)
{
  if (v == NULL)
    return;
  sentry_kernel_log_set_wake_fd (v->kernel, -1);
  pthread_mutex_lock (&v->lock);
  v->stopping = TRUE;
  pthread_mutex_unlock (&v->lock);
  wake (v);
  pthread_join (v->thread, NULL);
  while (v->parked != NULL)
    {
      Parked *p = v->parked;
      v->parked = p->next;
      fuse_reply_err (p->req, EIO);
      free (p);
    }
  while (v->conns != NULL)
    {
      VfsConn *c = v->conns;
      v->conns = c->next;
      conn_free (c);
    }
  close (v->wake);
  pthread_mutex_destroy (&v->lock);
  g_free (v);
}
