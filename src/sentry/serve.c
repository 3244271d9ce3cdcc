/* The notification loop: threads blocked in SECCOMP_IOCTL_NOTIF_RECV answer each container's calls from the
 * syscall table.
 *
 * Per listener: a small pool of worker threads (receive, dispatch, answer) of which exactly one at a time waits
 * in RECV (every thread waiting in RECV would be woken by each notification); a handler about to wait
 * (sentry_call_may_block) hands the receiving role to the next thread. One watcher thread sleeps in poll()
 * until the filter is orphaned (every process of the container has exited: POLLHUP) or the kernel is freed,
 * then stops the workers (a signal interrupts RECV) and closes the fd. Nothing on the path from RECV to SEND
 * allocates or takes a lock.
 *
 * Threads are what a small pids.limit runs out of first. Under a pids limit the workers take at most half of the
 * room left (the container's processes need the rest). The watcher is made first, then the workers: fewer
 * workers than asked for is a warning, not a failure. When the watcher cannot be made, or no worker can be made
 * beside it, the listener falls back to a single self-watching worker that polls the fd (and the stop eventfd)
 * before each RECV: one thread serves the whole container, calls that block (a FIFO open waiting for its peer)
 * make the others wait. Only when not even that thread can be made does serving fail (an error, not an abort). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "sentry/confine.h"
#include "sentry/kernel-private.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW (4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define MAX_WORKERS 8
#define NOTIF_BUF 512 /* >= the kernel's struct seccomp_notif / seccomp_notif_resp sizes */

struct SentryListener
{
  SentryKernel *k;
  int fd;
  int stop_fd; /* eventfd: sentry_kernel_free asks the watcher to stop */
  pid_t init_pid;
  char id[256];
  int n_workers;
  pthread_t workers[MAX_WORKERS];
  pthread_t watcher;
  int dead;   /* atomic: workers leave their loop */
  int exited; /* atomic: workers that left */
  pthread_mutex_t lock;
  pthread_cond_t role_free;
  int receiving; /* a worker holds the receiving role (under lock) */
  int self_watch; /* no watcher thread: the one worker polls for the end itself, then closes the fd */
  int abandon;    /* the watcher leaves at once, closing nothing (serving falls back to self_watch) */
  int started;    /* atomic: n_workers is final (the watcher waits for it before it stops the workers) */
  SentryListener *next;
};

static int wake_signal;
static size_t notif_size, resp_size;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int sync_wakeup_logged;

static void
wake_handler (int sig)
{
  (void) sig;
}

static void
init_once (void)
{
  struct seccomp_notif_sizes sizes = { 0 };
  struct sigaction sa;

  wake_signal = SIGRTMIN + 5;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = wake_handler; /* no SA_RESTART: RECV returns EINTR */
  sigemptyset (&sa.sa_mask);
  sigaction (wake_signal, &sa, NULL);

  if (syscall (__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0)
    {
      notif_size = sizes.seccomp_notif;
      resp_size = sizes.seccomp_notif_resp;
    }
  if (notif_size < sizeof (struct seccomp_notif))
    notif_size = sizeof (struct seccomp_notif);
  if (resp_size < sizeof (struct seccomp_notif_resp))
    resp_size = sizeof (struct seccomp_notif_resp);
}

static int
worker_count (void)
{
  const char *s = getenv ("RUNSC_SENTRY_WORKERS");
  int n = s != NULL ? atoi (s) : 0;
  if (n < 1)
    n = 4; /* idle ones wait on a condition variable: they cost nothing, and let 3 handlers block at once */
  return MIN (n, MAX_WORKERS);
}

static void
answer (SentryListener *L, const struct seccomp_notif *req, long ret, gboolean cont)
{
  union
  {
    struct seccomp_notif_resp resp;
    char buf[NOTIF_BUF];
  } u;

  memset (u.buf, 0, resp_size);
  u.resp.id = req->id;
  if (cont)
    u.resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else if (ret < 0)
    u.resp.error = (int) ret;
  else
    u.resp.val = ret;
  if (ioctl (L->fd, SECCOMP_IOCTL_NOTIF_SEND, &u.resp) < 0 && errno != ENOENT)
    log_warning ("sentry: answer syscall %d of pid %u: %s", req->data.nr, req->pid, strerror (errno));
}

/* Returns TRUE if the handler gave up the receiving role. */
static gboolean
dispatch (SentryListener *L, const struct seccomp_notif *req)
{
  SentryKernel *k = L->k;
  SentryCall call = { k, req, L->fd, L->init_pid, L->id, L, 0 };
  const SentrySyscall *row = NULL;
  int nr = req->data.nr;
  gboolean traced;
  long ret;

  if (req->data.arch == AUDIT_ARCH_X86_64)
    row = sentry_syscall_lookup (nr);
  sentry_count_call (k, nr, row);
  traced = k->strace && sentry_is_traced (k, nr);

  if (row != NULL && sentry_syscall_disposition (row) == SENTRY_NATIVE)
    {
      /* Here only when traced, or when the row's argument rules refuse the call. The rules compare registers
       * only, so continuing is exactly what the filter's ALLOW would have done. */
      if (sentry_syscall_allowed (row, (const uint64_t *) req->data.args, &k->rule_ctx))
        {
          if (traced)
            sentry_strace (&call, row, 0, TRUE);
          answer (L, req, 0, TRUE);
          return FALSE;
        }
      ret = sentry_refuse (&call, row);
    }
  else if (row != NULL && sentry_syscall_disposition (row) == SENTRY_EMULATED)
    ret = row->handler (&call);
  else
    ret = sentry_refuse (&call, row);

  if (traced)
    sentry_strace (&call, row, ret, FALSE);
  if (ret != SENTRY_ANSWERED)
    answer (L, req, ret, FALSE);
  return call.released;
}

int
sentry_call_stopping (const SentryCall *call)
{
  return call->listener != NULL && __atomic_load_n (&call->listener->dead, __ATOMIC_ACQUIRE);
}

void
sentry_call_may_block (SentryCall *call)
{
  SentryListener *L = call->listener;
  if (L == NULL || call->released)
    return;
  call->released = 1;
  pthread_mutex_lock (&L->lock);
  L->receiving = 0;
  pthread_cond_signal (&L->role_free);
  pthread_mutex_unlock (&L->lock);
}

/* The single worker of a listener without a watcher: wait until a notification is pending (TRUE), or until the
 * filter is orphaned or the kernel is freed (FALSE, and the listener is dead). */
static gboolean
self_watch_wait (SentryListener *L)
{
  struct pollfd p[2] = { { L->fd, POLLIN, 0 }, { L->stop_fd, POLLIN, 0 } };

  for (;;)
    {
      int r = poll (p, 2, -1);
      if (r < 0 && errno == EINTR)
        {
          if (__atomic_load_n (&L->dead, __ATOMIC_ACQUIRE))
            return FALSE;
          continue;
        }
      if (r < 0 || (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) || (p[1].revents & POLLIN))
        {
          __atomic_store_n (&L->dead, 1, __ATOMIC_RELEASE);
          return FALSE;
        }
      if (p[0].revents & POLLIN)
        return TRUE;
    }
}

static void *
worker_main (void *data)
{
  SentryListener *L = data;
  union
  {
    struct seccomp_notif req;
    char buf[NOTIF_BUF];
  } u;
  sigset_t set;

  sigfillset (&set);
  sigdelset (&set, wake_signal);
  sigdelset (&set, SENTRY_CONFINE_SIGNAL); /* confine.h */
  pthread_sigmask (SIG_SETMASK, &set, NULL);

  for (;;)
    {
      gboolean stop = FALSE;

      /* Wait for the receiving role. */
      pthread_mutex_lock (&L->lock);
      while (L->receiving && !__atomic_load_n (&L->dead, __ATOMIC_ACQUIRE))
        pthread_cond_wait (&L->role_free, &L->lock);
      if (!__atomic_load_n (&L->dead, __ATOMIC_ACQUIRE))
        L->receiving = 1;
      else
        stop = TRUE;
      pthread_mutex_unlock (&L->lock);
      if (stop)
        break;

      /* Receive and answer until dead, or until a handler hands the role on. */
      while (!__atomic_load_n (&L->dead, __ATOMIC_ACQUIRE))
        {
          if (L->self_watch && !self_watch_wait (L))
            break;
          memset (u.buf, 0, notif_size);
          if (ioctl (L->fd, SECCOMP_IOCTL_NOTIF_RECV, &u.req) < 0)
            {
              if (errno == EINTR)
                continue;
              if (errno == ENOENT)
                {
                  /* The notification's task died before we took it, or the filter has no task left (every
                   * further RECV would fail at once until the watcher marks the listener dead: leave now
                   * rather than spin). */
                  struct pollfd hup = { L->fd, 0, 0 };
                  if (!L->self_watch && poll (&hup, 1, 0) == 1 && (hup.revents & POLLHUP))
                    break;
                  continue;
                }
              log_warning ("sentry: receive a syscall notification of container %s: %s", L->id,
                           strerror (errno));
              __atomic_store_n (&L->dead, 1, __ATOMIC_RELEASE);
              break;
            }
          if (dispatch (L, &u.req))
            break;
        }
    }
  if (L->self_watch)
    {
      log_debug ("sentry: container %s: no more processes behind its seccomp listener", L->id);
      close (L->fd);
      L->fd = -1;
    }
  __atomic_fetch_add (&L->exited, 1, __ATOMIC_ACQ_REL);
  return NULL;
}

static void *
watcher_main (void *data)
{
  SentryListener *L = data;
  struct pollfd p[2] = { { L->fd, 0, 0 }, { L->stop_fd, POLLIN, 0 } };

  for (;;)
    {
      int r = poll (p, 2, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 || (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) || (p[1].revents & POLLIN))
        break;
    }
  if (__atomic_load_n (&L->abandon, __ATOMIC_ACQUIRE))
    return NULL;
  __atomic_store_n (&L->dead, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n (&L->started, __ATOMIC_ACQUIRE))
    usleep (1000);
  pthread_mutex_lock (&L->lock);
  pthread_cond_broadcast (&L->role_free);
  pthread_mutex_unlock (&L->lock);
  for (int i = 0; i < L->n_workers; i++)
    pthread_kill (L->workers[i], wake_signal);
  /* Join each worker as soon as it leaves (a worker woken from RECV leaves within microseconds). A signal that
   * lands between a worker's test of dead and its entry into RECV is lost: send it again every half
   * millisecond until the worker is gone. */
  for (int i = 0; i < L->n_workers; i++)
    for (;;)
      {
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500000;
        if (ts.tv_nsec >= 1000000000L)
          {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
          }
        if (pthread_timedjoin_np (L->workers[i], NULL, &ts) != ETIMEDOUT)
          break;
        pthread_kill (L->workers[i], wake_signal);
      }
  log_debug ("sentry: container %s: no more processes behind its seccomp listener", L->id);
  close (L->fd);
  L->fd = -1;
  return NULL;
}

/* How many more tasks the Sentry's pids cgroup and its ancestors allow (pids.max - pids.current, the least of
 * them), or -1 when there is no limit or it cannot be read. Not on the syscall path: GLib is fine here. */
static gint64
pids_room (void)
{
  g_autofree char *self = NULL;
  g_autofree char *v1 = NULL, *v2 = NULL, *dir = NULL;
  g_auto (GStrv) lines = NULL;
  const char *base;
  struct stat st;
  gint64 room = -1;

  if (!runsc_host_get_contents ("/proc/self/cgroup", &self, NULL, NULL))
    return -1;
  lines = g_strsplit (self, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ":", 3);
      g_auto (GStrv) ctrls = NULL;
      if (g_strv_length (f) != 3)
        continue;
      ctrls = g_strsplit (f[1], ",", -1);
      if (f[1][0] == '\0' && v2 == NULL)
        v2 = g_strdup (f[2]);
      else if (g_strv_contains ((const char *const *) ctrls, "pids") && v1 == NULL)
        v1 = g_strdup (f[2]);
    }
  /* A v1 pids hierarchy, else the cgroup2 one (/sys/fs/cgroup itself, or unified/ on a hybrid host). */
  if (v1 != NULL && runsc_host_stat ("/sys/fs/cgroup/pids", &st) == 0 && S_ISDIR (st.st_mode))
    base = "/sys/fs/cgroup/pids";
  else if (v2 != NULL && runsc_host_access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
    base = "/sys/fs/cgroup";
  else if (v2 != NULL)
    base = "/sys/fs/cgroup/unified";
  else
    return -1;
  dir = g_build_filename (base, strcmp (base, "/sys/fs/cgroup/pids") == 0 ? v1 : v2, NULL);
  for (;;)
    {
      g_autofree char *max_path = g_build_filename (dir, "pids.max", NULL);
      g_autofree char *cur_path = g_build_filename (dir, "pids.current", NULL);
      g_autofree char *max = NULL, *cur = NULL;
      char *slash;

      if (runsc_host_get_contents (max_path, &max, NULL, NULL) && g_ascii_isdigit (max[0])
          && runsc_host_get_contents (cur_path, &cur, NULL, NULL))
        {
          gint64 r = MAX (g_ascii_strtoll (max, NULL, 10) - g_ascii_strtoll (cur, NULL, 10), 0);
          if (room < 0 || r < room)
            room = r;
        }
      slash = strrchr (dir, '/');
      if (slash == NULL || (size_t) (slash - dir) <= strlen (base))
        break;
      *slash = '\0';
    }
  return room;
}

/* The workers to start: as asked, but under a pids limit at most half of the room left after the watcher and the
 * Sentry's OOM watcher, so that the container's own processes keep the other half (at least one worker). */
static int
workers_for_room (int wanted, gint64 room)
{
  if (room < 0)
    return wanted;
  return (int) CLAMP ((room - 2) / 2, 1, wanted);
}

/* The watcher, then up to wanted workers; or, when that leaves no worker, one self-watching worker. Returns 0 or
 * the error of the thread that could not be made; *shortage is why there are fewer threads than asked. */
static int
start_threads (SentryListener *L, int wanted, int *shortage)
{
  int err;

  *shortage = 0;
  L->n_workers = 0;
  err = pthread_create (&L->watcher, NULL, watcher_main, L);
  if (err == 0)
    {
      for (int i = 0; i < wanted; i++)
        {
          int e = pthread_create (&L->workers[i], NULL, worker_main, L);
          if (e != 0)
            {
              *shortage = e;
              break;
            }
          L->n_workers = i + 1;
        }
      if (L->n_workers > 0)
        {
          __atomic_store_n (&L->started, 1, __ATOMIC_RELEASE);
          return 0;
        }
      err = *shortage;
      /* A watcher and no worker: give the watcher's thread to a worker that watches for itself. */
      __atomic_store_n (&L->abandon, 1, __ATOMIC_RELEASE);
      {
        uint64_t one = 1, drain;
        if (write (L->stop_fd, &one, sizeof one) < 0)
          return errno;
        pthread_join (L->watcher, NULL);
        if (read (L->stop_fd, &drain, sizeof drain) < 0)
          return errno;
      }
    }
  *shortage = err;
  L->self_watch = 1;
  err = pthread_create (&L->workers[0], NULL, worker_main, L);
  if (err != 0)
    return err;
  L->n_workers = 1;
  L->watcher = L->workers[0]; /* what sentry_serve_stop_all joins */
  return 0;
}

gboolean
sentry_serve_start (SentryKernel *k, int notify_fd, pid_t init_pid, const char *container_id, GError **error)
{
  SentryListener *L;
  sigset_t all, old;
  int err = 0, asked, wanted, shortage;

  pthread_once (&once, init_once);

  if (ioctl (notify_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0
      && !__atomic_exchange_n (&sync_wakeup_logged, 1, __ATOMIC_RELAXED))
    log_debug ("sentry: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP not available (%s): slower round trips",
               strerror (errno));

  L = g_new0 (SentryListener, 1);
  L->k = k;
  L->fd = notify_fd;
  L->init_pid = init_pid;
  g_strlcpy (L->id, container_id != NULL ? container_id : "", sizeof L->id);
  asked = worker_count ();
  wanted = workers_for_room (asked, pids_room ());
  pthread_mutex_init (&L->lock, NULL);
  pthread_cond_init (&L->role_free, NULL);
  L->stop_fd = eventfd (0, EFD_CLOEXEC);
  if (L->stop_fd < 0)
    {
      err = errno;
      close (notify_fd);
      pthread_mutex_destroy (&L->lock);
      pthread_cond_destroy (&L->role_free);
      g_free (L);
      return runsc_error_errno (error, err, "serve container %s: eventfd", container_id);
    }

  /* Threads start with every signal blocked, so that process signals stay with the Sentry's main loop. */
  sigfillset (&all);
  sigdelset (&all, SENTRY_CONFINE_SIGNAL); /* but the one they confine themselves on (confine.h) */
  pthread_sigmask (SIG_SETMASK, &all, &old);
  err = start_threads (L, wanted, &shortage);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (err != 0)
    {
      close (L->fd);
      close (L->stop_fd);
      pthread_mutex_destroy (&L->lock);
      pthread_cond_destroy (&L->role_free);
      g_free (L);
      return runsc_error_errno (error, err, "serve container %s: start a notification thread",
                                container_id != NULL ? container_id : "");
    }
  if (L->self_watch)
    log_warning ("sentry: container %s: no room for more than one notification thread (%s; pids.limit?): one "
                 "thread serves every call, and a call that waits (a FIFO open) holds up the others",
                 L->id, strerror (shortage));
  else if (L->n_workers < wanted)
    log_warning ("sentry: container %s: %d notification threads instead of %d (%s; pids.limit?)", L->id,
                 L->n_workers, wanted, strerror (shortage));
  else if (wanted < asked)
    log_info ("sentry: container %s: %d notification threads instead of %d, to leave the container room under "
              "its pids limit", L->id, wanted, asked);

  pthread_mutex_lock (&k->listeners_lock);
  L->next = k->listeners;
  k->listeners = L;
  pthread_mutex_unlock (&k->listeners_lock);
  log_debug ("sentry: serving container %s (init %d) with %d threads", L->id, (int) init_pid, L->n_workers);
  return TRUE;
}

void
sentry_serve_stop_all (SentryKernel *k)
{
  SentryListener *L, *next;

  pthread_mutex_lock (&k->listeners_lock);
  L = k->listeners;
  k->listeners = NULL;
  pthread_mutex_unlock (&k->listeners_lock);
  for (; L != NULL; L = next)
    {
      uint64_t one = 1;
      next = L->next;
      /* Handlers that wait see sentry_call_stopping at once (the watcher would set it too, but a self-watching
       * worker may be inside such a handler). */
      __atomic_store_n (&L->dead, 1, __ATOMIC_RELEASE);
      if (write (L->stop_fd, &one, sizeof one) < 0)
        log_warning ("sentry: stop container %s: %s", L->id, strerror (errno));
      while (L->self_watch && __atomic_load_n (&L->exited, __ATOMIC_ACQUIRE) < 1)
        {
          pthread_kill (L->workers[0], wake_signal);
          usleep (2000);
        }
      pthread_join (L->watcher, NULL);
      close (L->stop_fd);
      pthread_mutex_destroy (&L->lock);
      pthread_cond_destroy (&L->role_free);
      g_free (L);
    }
}
