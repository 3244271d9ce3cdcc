/* OOM kills of the sandbox's memory cgroup: the count, a descriptor to wait on, and a watcher thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-internal.h"
#include "container/cgroup.h"


guint64
cgroup_oom_kill_count (const CgroupHandle *h)
{
  const char *dir = cgroup_memory_dir (h);
  g_autofree char *text = NULL;
  guint64 n = 0;

  if (dir == NULL)
    return 0;
  text = cgroup_read (dir, h->version == CGROUP_V1 ? "memory.oom_control" : "memory.events", NULL);
  if (text != NULL)
    cgroup_keyed_value (text, "oom_kill", &n);
  return n;
}

/* inotify_add_watch (IN_MODIFY) of path, which may be under a held directory (common/host-fs.h): there is no
 * inotify_add_watchat, so the watch is added from that directory as the working directory, then the old one is
 * restored (the confined Sentry's threads each have their own: src/sentry/confine.c). */
static int
watch_modify (int ifd, const char *path)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel), r, e;
  autofd int here = -1;

  if (dirfd == AT_FDCWD)
    return inotify_add_watch (ifd, path, IN_MODIFY);
  here = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (here < 0 || fchdir (dirfd) < 0)
    return -1;
  r = inotify_add_watch (ifd, rel, IN_MODIFY);
  e = errno;
  if (fchdir (here) < 0)
    abort (); /* a working directory left in a host directory would be a way out of the empty root */
  errno = e;
  return r;
}

int
cgroup_oom_fd_open (const CgroupHandle *h, GError **error)
{
  const char *dir = cgroup_memory_dir (h);

  if (dir == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cgroup %s: no memory controller", h->path);
      return -1;
    }
  if (h->version == CGROUP_V1)
    {
      g_autofree char *control = g_build_filename (dir, "memory.oom_control", NULL);
      g_autofree char *reg = NULL;
      autofd int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      autofd int cfd = runsc_host_open (control, O_RDONLY | O_CLOEXEC, 0);

      if (efd < 0 || cfd < 0)
        {
          runsc_error_errno (error, errno, "open %s", control);
          return -1;
        }
      /* The registration holds the cgroup; the control file's descriptor may be closed afterwards. */
      reg = g_strdup_printf ("%d %d", efd, cfd);
      if (!cgroup_write (dir, "cgroup.event_control", reg, error))
        return -1;
      return steal_fd (&efd);
    }
  else
    {
      g_autofree char *events = g_build_filename (dir, "memory.events", NULL);
      autofd int ifd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);

      if (ifd < 0 || watch_modify (ifd, events) < 0)
        {
          runsc_error_errno (error, errno, "watch %s", events);
          return -1;
        }
      return steal_fd (&ifd);
    }
}

void
cgroup_oom_fd_drain (int fd)
{
  char buf[4096];

  while (read (fd, buf, sizeof buf) > 0)
    ;
}

struct CgroupOomWatch
{
  CgroupHandle *h;
  CgroupOomFunc fn;
  void *user_data;
  int oom_fd;
  int stop_fd;
  GMutex lock; /* last, and the calls of fn */
  guint64 last;
  GThread *thread;
};

/* Call fn if the count has moved since the last call: from the thread, or from the caller (check, stop). */
static guint64
watch_report (CgroupOomWatch *w)
{
  guint64 now;

  g_mutex_lock (&w->lock);
  now = cgroup_oom_kill_count (w->h);
  if (now > w->last)
    {
      w->last = now;
      w->fn (now, w->user_data);
    }
  g_mutex_unlock (&w->lock);
  return now;
}

static CgroupHandle *
handle_copy (const CgroupHandle *h)
{
  CgroupHandle *c = g_new0 (CgroupHandle, 1);
  GHashTableIter iter;
  gpointer k, v;

  c->version = h->version;
  c->path = g_strdup (h->path);
  c->unified = g_strdup (h->unified);
  c->freeze_dir = g_strdup (h->freeze_dir);
  c->created = g_strdupv (h->created);
  c->systemd_unit = g_strdup (h->systemd_unit);
  c->sentry_memory = g_strdup (h->sentry_memory);
  c->v1 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, h->v1);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (c->v1, g_strdup (k), g_strdup (v));
  return c;
}

static gpointer
watch_thread (gpointer data)
{
  CgroupOomWatch *w = data;

  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = w->oom_fd, .events = POLLIN }, { .fd = w->stop_fd, .events = POLLIN } };
      guint64 now = 0;

      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pfd[1].revents != 0)
        break;
      cgroup_oom_fd_drain (w->oom_fd);
      /* v1 signals the OOM before the victim is chosen and counted: give the count a moment to move. */
      for (int tries = 0; tries < 40; tries++)
        {
          struct pollfd stop = { .fd = w->stop_fd, .events = POLLIN };
          now = cgroup_oom_kill_count (w->h);
          if (now > w->last || poll (&stop, 1, 25) != 0)
            break;
        }
      if (now > w->last)
        watch_report (w);
    }
  return NULL;
}

CgroupOomWatch *
cgroup_oom_watch_start (const CgroupHandle *h, CgroupOomFunc fn, void *user_data, GError **error)
{
  CgroupOomWatch *w;
  int oom_fd, stop_fd;

  oom_fd = cgroup_oom_fd_open (h, error);
  if (oom_fd < 0)
    return NULL;
  stop_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd < 0)
    {
      close (oom_fd);
      runsc_error_errno (error, errno, "eventfd");
      return NULL;
    }
  w = g_new0 (CgroupOomWatch, 1);
  w->h = handle_copy (h);
  w->fn = fn;
  w->user_data = user_data;
  w->oom_fd = oom_fd;
  w->stop_fd = stop_fd;
  g_mutex_init (&w->lock);
  w->last = cgroup_oom_kill_count (h);
  /* Not g_thread_new, which aborts: a small pids limit may leave no room for a thread. */
  w->thread = g_thread_try_new ("oom-watch", watch_thread, w, error);
  if (w->thread == NULL)
    {
      close (oom_fd);
      close (stop_fd);
      cgroup_handle_free (w->h);
      g_mutex_clear (&w->lock);
      g_free (w);
      return NULL;
    }
  return w;
}

void
cgroup_oom_watch_stop (CgroupOomWatch *w)
{
  guint64 one = 1;

  if (w == NULL)
    return;
  if (write (w->stop_fd, &one, sizeof one) < 0)
    log_debug ("oom watch: stop: %s", g_strerror (errno));
  g_thread_join (w->thread);
  watch_report (w); /* what the thread had no time to see */
  close (w->oom_fd);
  close (w->stop_fd);
  cgroup_handle_free (w->h);
  g_mutex_clear (&w->lock);
  g_free (w);
}

void
cgroup_oom_watch_check (CgroupOomWatch *w)
{
  if (w != NULL)
    watch_report (w);
}
