/* Mediated opens (see files.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "container/cgroup-devices.h"
#include "sentry/creds.h"
#include "sentry/files.h"
#include "sentry/kmsg.h"
#include "sentry/proc.h"

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#define VALID_OPEN_FLAGS                                                                                          \
  (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_ASYNC        \
   | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)
#define VALID_RESOLVE_FLAGS                                                                                       \
  (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define MAX_SYMLINKS 40
#define OPEN_HOW_SIZE_VER0 24 /* the first struct open_how: flags, mode, resolve */

static atomic_uint_fast64_t stat_fast, stat_walk, stat_virt;

void
sentry_files_stats (SentryFilesStats *out)
{
  out->fast = atomic_load (&stat_fast);
  out->walk = atomic_load (&stat_walk);
  out->virt = atomic_load (&stat_virt);
}

void
sentry_files_open_flags (int *flags, mode_t *mode)
{
  *flags &= VALID_OPEN_FLAGS;
  *flags |= O_LARGEFILE;
  if ((*flags & O_CREAT) || (*flags & O_TMPFILE) == O_TMPFILE)
    *mode &= 07777;
  else
    *mode = 0;
}

/* ---- the thread's root ---- */

static int host_root = -1;
static pthread_once_t root_once = PTHREAD_ONCE_INIT;

static void
root_init (void)
{
  host_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_root < 0)
    log_error ("sentry: open /: %s", strerror (errno));
}

/* chroot the calling thread (only) into the app's root. */
static int
thread_chroot (int root)
{
  pthread_once (&root_once, root_init);
  if (host_root < 0)
    return -EIO;
  int r = sentry_creds_thread_fs_private ();

  if (r < 0)
    return r;
  if (fchdir (root) < 0 || chroot (".") < 0)
    return -errno;
  return 0;
}

static void
thread_unchroot (void)
{
  if (fchdir (host_root) < 0 || chroot (".") < 0)
    {
      log_error ("sentry: cannot leave the container's root on a Sentry thread: %s; aborting", strerror (errno));
      abort ();
    }
}

/* ---- one open ---- */

typedef struct
{
  SentryKernel *k;
  const SentryCall *call; /* NULL in tests */
  pid_t tid;
  int proc;
  int dirfd;
  SentryCreds creds;
  SentryCredsTicket ticket; /* where creds came from (the credentials cache) */
  SentryCredsSaved saved;
  int root;  /* the app's root, O_PATH, or -1 until needed */
  int root_borrowed; /* root is the listener's cached one (sentry_call_cached_root): not ours to close */
  int root_fresh;    /* root was opened from /proc/TID/root by this call (may be offered to the listener) */
  int base;  /* the app's dirfd or cwd, O_PATH, or -1 until needed */
  int flags; /* the app's */
  mode_t mode;
  uint64_t resolve;
  int chrooted;
  int virt;
  int own_dir; /* during a walk: /proc/<the app's tgid> of the app's procfs when the walk is inside it, else -1 */
} Ctx;

static void
drop_own_dir (Ctx *c)
{
  if (c->own_dir >= 0)
    close (c->own_dir);
  c->own_dir = -1;
}

static void
ctx_release (Ctx *c)
{
  sentry_creds_leave (&c->saved);
  sentry_creds_ticket_release (&c->ticket);
  if (c->chrooted)
    thread_unchroot ();
  c->chrooted = 0;
  drop_own_dir (c);
  if (c->root >= 0 && !c->root_borrowed)
    close (c->root);
  if (c->base >= 0)
    close (c->base);
  c->root = c->base = -1;
}

static int
open_root (Ctx *c)
{
  char p[64];

  if (c->root >= 0)
    return 0;
  if (c->call && (c->root = sentry_call_cached_root (c->call)) >= 0)
    {
      c->root_borrowed = 1;
      return 0;
    }
  snprintf (p, sizeof p, "%d/root", (int) c->tid);
  c->root = openat (c->proc, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c->root < 0)
    return errno == ENOENT ? -ESRCH : -errno;
  c->root_fresh = 1;
  return 0;
}

static int
open_base (Ctx *c)
{
  char p[64];

  if (c->base >= 0)
    return 0;
  if (c->dirfd == AT_FDCWD)
    snprintf (p, sizeof p, "%d/cwd", (int) c->tid);
  else if (c->dirfd < 0)
    return -EBADF;
  else
    snprintf (p, sizeof p, "%d/fd/%d", (int) c->tid, c->dirfd);
  c->base = openat (c->proc, p, O_PATH | O_CLOEXEC);
  if (c->base < 0)
    {
      if (errno != ENOENT)
        return -errno;
      /* No such fd: EBADF; no such thread: it is gone. */
      snprintf (p, sizeof p, "%d", (int) c->tid);
      return faccessat (c->proc, p, F_OK, 0) == 0 ? -EBADF : -ESRCH;
    }
  return 0;
}

static int
is_dotdot_free (const char *path)
{
  const char *p = path;

  while ((p = strstr (p, "..")) != NULL)
    {
      if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
        return 0;
      p += 2;
    }
  return 1;
}

static int
last_component_is (const char *path, const char *name)
{
  size_t len = strlen (path);
  size_t nl = strlen (name);

  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len < nl || memcmp (path + len - nl, name, nl) != 0)
    return 0;
  return len == nl || path[len - nl - 1] == '/';
}

/* The flags the Sentry opens with: never a controlling terminal for the Sentry, never blocking in open (a FIFO
 * waits for its peer elsewhere), close-on-exec in the Sentry. */
static int
sentry_flags (int flags)
{
  if (flags & O_PATH)
    return (flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)) | O_CLOEXEC;
  return flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
}

/* ---- virtual files ---- */

static int
reopen (Ctx *c, int fd, int flags)
{
  char p[64];
  int r;

  snprintf (p, sizeof p, "thread-self/fd/%d", fd);
  r = openat (c->proc, p, flags);
  return r < 0 ? -errno : r;
}

static int
serve_proc (Ctx *c, SentryProcFile f)
{
  SentryProcView view;
  SentryProcLimits lim;
  ssize_t n;
  int mfd, r;

  if ((c->flags & O_ACCMODE) != O_RDONLY || (c->flags & (O_TRUNC | O_CREAT | O_TMPFILE)))
    return -EACCES;
  if (c->k == NULL)
    return -ENOENT;
  sentry_proc_view_from_kernel (c->k, &view);
  sentry_proc_limits (c->tid, view.spec_mem_limit, &lim);
  mfd = memfd_create (sentry_proc_file_name (f), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return -errno;
  n = sentry_proc_render_fd (f, &view, &lim, c->creds.ns_tid, mfd);
  if (n < 0)
    {
      close (mfd);
      return (int) n;
    }
  if (fcntl (mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    {
      r = -errno;
      close (mfd);
      return r;
    }
  /* A read-only description for the app, with its O_NONBLOCK etc., at offset 0. */
  r = reopen (c, mfd, O_RDONLY | O_CLOEXEC | (c->flags & (O_NONBLOCK | O_NOATIME | O_DIRECT)));
  close (mfd);
  if (r >= 0)
    c->virt = 1;
  return r;
}

/* /dev/tty: the app's controlling terminal, found among its open descriptors. */
static int
serve_tty (Ctx *c)
{
  char p[512];
  char buf[512];
  int fd;
  ssize_t n;
  const char *s;
  unsigned long tty_nr;
  struct stat st;

  snprintf (p, sizeof p, "%d/stat", (int) c->tid);
  fd = openat (c->proc, p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -ESRCH;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -ESRCH;
  buf[n] = '\0';
  s = strrchr (buf, ')'); /* comm may hold spaces and parentheses */
  if (s == NULL || sscanf (s + 1, " %*c %*d %*d %*d %lu", &tty_nr) != 1)
    return -EIO;
  if (tty_nr == 0)
    return -ENXIO;
  for (int i = 0; i < 16; i++)
    {
      snprintf (p, sizeof p, "%d/fd/%d", (int) c->tid, i);
      if (fstatat (c->proc, p, &st, 0) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == (dev_t) tty_nr)
        {
          int r = openat (c->proc, p, sentry_flags (c->flags) & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC));
          if (r < 0)
            return -errno;
          if (!(c->flags & O_NONBLOCK))
            fcntl (r, F_SETFL, c->flags & ~O_NONBLOCK);
          return r;
        }
    }
  return -ENXIO;
}

static int
serve_kmsg_dev (Ctx *c)
{
  int r;

  if (c->k == NULL)
    return -ENOENT;
  r = sentry_kmsg_open_dev (c->k, c->flags);
  if (r >= 0)
    c->virt = 1;
  return r;
}

/* The app's access check for a file resolved with O_PATH (the open did not check it). */
static int
check_access (int opath, int flags)
{
  int mode = 0;

  switch (flags & O_ACCMODE)
    {
    case O_RDONLY:
      mode = R_OK;
      break;
    case O_WRONLY:
      mode = W_OK;
      break;
    default:
      mode = R_OK | W_OK;
    }
  if (syscall (SYS_faccessat2, opath, "", mode, AT_EMPTY_PATH | AT_EACCESS) < 0)
    return -errno;
  return 0;
}

/* A FIFO opened without O_NONBLOCK waits for its peer. The Sentry never blocks in open(2) for it (a worker
 * thread stuck there would outlive an app that gave up): it polls, checking that the call is still pending.
 * Reader: the open returns once a writer has written or come and gone (the kernel returns at the writer's
 * open; a reader cannot see that without data). Writer: retried until a reader exists. fd is the FIFO (open
 * non-blocking, or O_PATH when from_opath). Returns a new descriptor or -errno. */
static int
fifo_wait (Ctx *c, int fd, int from_opath)
{
  int flags = sentry_flags (c->flags) & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC);
  int r = -1;

  if (c->call)
    sentry_call_may_block ((SentryCall *) c->call);

  for (unsigned i = 0;; i++)
    {
      if (r < 0)
        {
          r = from_opath || (c->flags & O_ACCMODE) == O_WRONLY ? reopen (c, fd, flags) : dup (fd);
          if (r < 0 && r != -ENXIO)
            return r == -1 ? -errno : r;
        }
      if (r >= 0 && (c->flags & O_ACCMODE) == O_WRONLY)
        break;
      if (r >= 0)
        {
          struct pollfd pfd = { r, POLLIN, 0 };
          if (poll (&pfd, 1, 50) > 0)
            break;
        }
      else
        usleep (i < 100 ? 2000 : 20000);
      /* The app gave up, or the Sentry is shutting the listener down (sentry_kernel_free waits for us). */
      if (c->call && (sentry_call_stopping (c->call) || sentry_call_valid (c->call) < 0))
        {
          if (r >= 0)
            close (r);
          return -EINTR;
        }
    }
  if (fcntl (r, F_SETFL, c->flags & ~O_NONBLOCK) < 0)
    {
      int e = errno;
      close (r);
      return -e;
    }
  return r;
}

/* Look at what was opened (fd, with the app's flags) and replace it when it is a virtual file, the terminal,
 * or a FIFO whose open must wait. Takes ownership of fd. opath_resolved: fd is an O_PATH descriptor the
 * walker resolved (no access check done yet). */
static int
finish_open (Ctx *c, int fd, int opath_resolved)
{
  struct stat st;
  SentryProcFile f;
  int r;

  if (fstat (fd, &st) < 0)
    {
      r = -errno;
      close (fd);
      return r;
    }
  if (opath_resolved && (c->flags & O_DIRECTORY) && !S_ISDIR (st.st_mode))
    {
      close (fd);
      return -ENOTDIR;
    }
  if (S_ISREG (st.st_mode) && (f = sentry_proc_identify (fd, &st)) != SENTRY_PROC_NONE)
    {
      if (c->flags & O_PATH)
        return fd;
      if (opath_resolved && (r = check_access (fd, c->flags)) < 0)
        {
          close (fd);
          return r;
        }
      close (fd);
      atomic_fetch_add (&stat_virt, 1);
      if (f == SENTRY_PROC_KMSG)
        {
          if (c->k == NULL)
            return -ENOENT;
          r = sentry_kmsg_open_proc (c->k, c->flags);
          if (r >= 0)
            c->virt = 1;
          return r;
        }
      return serve_proc (c, f);
    }
  if (S_ISCHR (st.st_mode) && !(c->flags & O_PATH))
    {
      if (st.st_rdev == makedev (5, 0))
        {
          close (fd);
          return serve_tty (c);
        }
      if (st.st_rdev == makedev (1, 11))
        {
          if (opath_resolved && (r = check_access (fd, c->flags)) < 0)
            {
              close (fd);
              return r;
            }
          close (fd);
          atomic_fetch_add (&stat_virt, 1);
          return serve_kmsg_dev (c);
        }
    }
  /* The container's device rules: the kernel checks the Sentry's devices cgroup, not a pod member's. */
  if ((S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)) && c->call != NULL
      && (r = cgroup_devices_check (c->call->container_id, st.st_mode, st.st_rdev, c->flags)) < 0)
    {
      close (fd);
      return r;
    }
  if (S_ISFIFO (st.st_mode) && !(c->flags & (O_NONBLOCK | O_PATH)) && (c->flags & O_ACCMODE) != O_RDWR)
    {
      r = fifo_wait (c, fd, opath_resolved);
      close (fd);
      if (r < 0)
        return r;
      fd = r;
    }
  else if (opath_resolved && !(c->flags & O_PATH))
    {
      /* Reopen what the walk resolved, with the app's flags, under its credentials. */
      r = reopen (c, fd, sentry_flags (c->flags) & ~(O_CREAT | O_EXCL | O_NOFOLLOW));
      close (fd);
      if (r < 0)
        return r;
      fd = r;
    }
  if (!(c->flags & (O_NONBLOCK | O_PATH)))
    fcntl (fd, F_SETFL, c->flags);
  return fd;
}

/* ---- the walk ---- */

static int
is_procfs_root (int dirfd)
{
  struct statfs sfs;
  struct stat st;

  return fstatfs (dirfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && fstat (dirfd, &st) == 0 && st.st_ino == 1;
}

static int
is_procfs (int fd)
{
  struct statfs sfs;

  return fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int
same_file (int a, int b)
{
  struct stat sa, sb;

  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Is dir the app's /dev (for a /dev/kmsg that does not exist in the container's /dev)? */
static int
is_app_dev (Ctx *c, int dir)
{
  struct stat sd, st;

  return fstat (dir, &sd) == 0 && fstatat (c->root, "dev", &st, 0) == 0 && sd.st_dev == st.st_dev
         && sd.st_ino == st.st_ino;
}

/* Is piddir (a /proc/N directory of the app's procfs) the calling app's own process? Compared by start time
 * with the Sentry's view of the app (both read by the Sentry, so the same clock). */
static int
is_own_process (Ctx *c, int piddir)
{
  char a[1024], b[1024], p[64];
  const char *ea, *eb;
  unsigned long long sa = 0, sb = 0;
  int fd;
  ssize_t n;

  fd = openat (piddir, "stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, a, sizeof a - 1);
  close (fd);
  if (n <= 0)
    return 0;
  a[n] = '\0';
  snprintf (p, sizeof p, "%d/stat", (int) c->creds.host_tgid);
  fd = openat (c->proc, p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, b, sizeof b - 1);
  close (fd);
  if (n <= 0)
    return 0;
  b[n] = '\0';
  ea = strrchr (a, ')');
  eb = strrchr (b, ')');
  /* Field 22, the start time, is the 20th after the command's closing parenthesis. */
  if (ea == NULL || eb == NULL
      || sscanf (ea + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &sa) != 1
      || sscanf (eb + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &sb) != 1)
    return 0;
  return sa == sb && sa != 0;
}

static int
walk (Ctx *c, const char *path)
{
  char bufs[2][PATH_MAX * 2];
  int which = 0;
  const char *p;
  int cur = -1;
  int links = 0;
  int scoped = (c->resolve & (RESOLVE_IN_ROOT | RESOLVE_BENEATH)) != 0;
  char own_name[16];
  int in_fd_dir = 0; /* cur is /proc/<the app>/fd (1) or fdinfo (2) (or the same under task/TID) */
  dev_t start_dev = 0;
  struct stat st;
  int r;

  if (strlen (path) >= sizeof bufs[0])
    return -ENAMETOOLONG;
  strcpy (bufs[0], path);
  snprintf (own_name, sizeof own_name, "%d", (int) c->creds.ns_tgid);
  p = bufs[0];

  /* Where the walk starts and what "/" is. */
  if (*p == '/' && !scoped)
    cur = openat (c->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  else if (*p == '/' && (c->resolve & RESOLVE_BENEATH))
    return -EXDEV;
  else
    cur = openat (c->base, ".", O_PATH | O_CLOEXEC);
  if (cur < 0)
    return -errno;
  if (fstat (cur, &st) < 0)
    goto fail_errno;
  start_dev = st.st_dev;

  for (;;)
    {
      char name[NAME_MAX + 1];
      const char *rest;
      size_t nl;
      int last, trailing_slash;
      int next;
      char target[PATH_MAX];
      ssize_t tl;

      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          /* The path ended on a directory ("/", "a/.", "a/.."): open it. */
          if (c->flags & O_CREAT && !((c->flags & O_TMPFILE) == O_TMPFILE))
            {
              r = -EISDIR;
              goto fail;
            }
          if ((c->flags & O_TMPFILE) == O_TMPFILE)
            {
              r = openat (cur, ".", sentry_flags (c->flags), c->mode);
              r = r < 0 ? -errno : r;
              close (cur);
              return r;
            }
          return finish_open (c, cur, 1);
        }
      rest = strchr (p, '/');
      nl = rest ? (size_t) (rest - p) : strlen (p);
      if (nl > NAME_MAX)
        {
          r = -ENAMETOOLONG;
          goto fail;
        }
      memcpy (name, p, nl);
      name[nl] = '\0';
      if (rest == NULL)
        rest = p + nl;
      p = rest;
      {
        const char *q = rest;
        while (*q == '/')
          q++;
        last = *q == '\0';
        trailing_slash = last && *rest == '/';
      }

      if (strcmp (name, ".") == 0)
        continue;
      if (strcmp (name, "..") == 0)
        {
          if (scoped && same_file (cur, c->base))
            {
              if (c->resolve & RESOLVE_BENEATH)
                {
                  r = -EXDEV;
                  goto fail;
                }
              continue; /* RESOLVE_IN_ROOT: ".." at the root stays there */
            }
          next = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (next < 0)
            goto fail_errno;
          close (cur);
          cur = next;
          drop_own_dir (c);
          in_fd_dir = 0;
          continue;
        }

      /* /proc/self and /proc/thread-self name the app, not the Sentry. */
      tl = -1;
      if ((strcmp (name, "self") == 0 || strcmp (name, "thread-self") == 0) && is_procfs_root (cur))
        {
          /* The trailing symlink itself, as for any other symlink. */
          if (last && (c->flags & O_CREAT) && (c->flags & O_EXCL))
            {
              r = -EEXIST;
              goto fail;
            }
          if (last && (c->flags & O_NOFOLLOW) && !trailing_slash)
            {
              if (c->flags & O_PATH)
                {
                  r = openat (cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                  if (r < 0)
                    goto fail_errno;
                  close (cur);
                  return r;
                }
              r = -ELOOP;
              goto fail;
            }
          if (name[0] == 's')
            tl = snprintf (target, sizeof target, "%d", (int) c->creds.ns_tgid);
          else
            tl = snprintf (target, sizeof target, "%d/task/%d", (int) c->creds.ns_tgid, (int) c->creds.ns_tid);
        }
      else
        {
          next = openat (cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (next < 0 && errno == EACCES && in_fd_dir && c->own_dir >= 0 && is_own_process (c, c->own_dir))
            {
              /* The app's own /proc/PID/fd (and fdinfo) is searchable by the app whatever its credentials
               * (the kernel lets a thread group through its own fd directories): look the entry up as the
               * Sentry; opening what it names is still checked under the app's credentials. */
              int e;
              sentry_creds_leave (&c->saved);
              next = openat (cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
              e = errno;
              r = sentry_creds_enter (&c->creds, &c->saved,
                                      (c->flags & O_CREAT) || (c->flags & O_TMPFILE) == O_TMPFILE);
              if (r < 0)
                {
                  if (next >= 0)
                    close (next);
                  goto fail;
                }
              errno = e;
            }
          if (next < 0)
            {
              int e = errno;
              if (e == ENOENT && last && (c->flags & O_CREAT))
                {
                  if (trailing_slash)
                    {
                      r = -EISDIR;
                      goto fail;
                    }
                  r = openat (cur, name, sentry_flags (c->flags) | O_NOFOLLOW, c->mode);
                  if (r < 0)
                    goto fail_errno;
                  close (cur);
                  return finish_open (c, r, 0);
                }
              if (e == ENOENT && last && strcmp (name, "kmsg") == 0 && is_app_dev (c, cur))
                {
                  close (cur);
                  if (c->flags & O_PATH)
                    return -ENOENT;
                  if ((c->flags & O_ACCMODE) != O_RDONLY)
                    return -EACCES;
                  atomic_fetch_add (&stat_virt, 1);
                  return serve_kmsg_dev (c);
                }
              r = -e;
              goto fail;
            }
          if (fstat (next, &st) < 0)
            {
              close (next);
              goto fail_errno;
            }
          if ((c->resolve & RESOLVE_NO_XDEV) && st.st_dev != start_dev)
            {
              close (next);
              r = -EXDEV;
              goto fail;
            }
          if (S_ISLNK (st.st_mode))
            {
              if (last && (c->flags & O_CREAT) && (c->flags & O_EXCL))
                {
                  close (next);
                  r = -EEXIST;
                  goto fail;
                }
              /* O_NOFOLLOW: not a trailing symlink (a trailing slash makes the kernel follow it anyway). */
              if (last && (c->flags & O_NOFOLLOW) && !trailing_slash)
                {
                  close (cur);
                  if (c->flags & O_PATH)
                    return next; /* O_PATH | O_NOFOLLOW: the link itself */
                  close (next);
                  return -ELOOP;
                }
              if (is_procfs (next) && !is_procfs_root (cur))
                {
                  /* A procfs magic link (/proc/PID/fd/N, cwd, root, exe): the kernel follows it, with the app's
                   * credentials deciding whether it may. */
                  close (next);
                  if (c->resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS) || scoped)
                    {
                      r = scoped && !(c->resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)) ? -EXDEV : -ELOOP;
                      goto fail;
                    }
                  if (++links > MAX_SYMLINKS)
                    {
                      r = -ELOOP;
                      goto fail;
                    }
                  if (c->own_dir >= 0 && is_own_process (c, c->own_dir))
                    {
                      /* The app's own /proc/PID/...: the kernel lets a process follow its own magic links
                       * whatever its credentials (it may have made itself non-dumpable by changing uid), so the
                       * Sentry follows it as itself; what it leads to is then opened under the app's
                       * credentials (finish_open reopens it). */
                      int e;
                      sentry_creds_leave (&c->saved);
                      next = openat (cur, name, O_PATH | O_CLOEXEC | (trailing_slash ? O_DIRECTORY : 0));
                      e = errno;
                      r = sentry_creds_enter (&c->creds, &c->saved,
                                              (c->flags & O_CREAT) || (c->flags & O_TMPFILE) == O_TMPFILE);
                      if (r < 0)
                        {
                          if (next >= 0)
                            close (next);
                          goto fail;
                        }
                      if (next < 0)
                        {
                          r = -e;
                          goto fail;
                        }
                    }
                  else if (last && !trailing_slash && !(c->flags & O_PATH))
                    {
                      r = openat (cur, name, sentry_flags (c->flags) & ~O_NOFOLLOW, c->mode);
                      if (r < 0)
                        goto fail_errno;
                      close (cur);
                      return finish_open (c, r, 0);
                    }
                  else
                    {
                      next = openat (cur, name, O_PATH | O_CLOEXEC | (trailing_slash ? O_DIRECTORY : 0));
                      if (next < 0)
                        goto fail_errno;
                    }
                  close (cur);
                  cur = next;
                  drop_own_dir (c);
                  if (last)
                    return finish_open (c, cur, 1);
                  continue;
                }
              tl = readlinkat (next, "", target, sizeof target - 1);
              close (next);
              if (tl < 0)
                goto fail_errno;
            }
          else if (last)
            {
              close (cur);
              if (trailing_slash && !S_ISDIR (st.st_mode))
                {
                  close (next);
                  return -ENOTDIR;
                }
              if ((c->flags & O_CREAT) && (c->flags & O_EXCL))
                {
                  close (next);
                  return -EEXIST;
                }
              if ((c->flags & O_TMPFILE) == O_TMPFILE)
                {
                  r = openat (next, ".", sentry_flags (c->flags), c->mode);
                  r = r < 0 ? -errno : r;
                  close (next);
                  return r;
                }
              if (c->own_dir >= 0 && (c->flags & O_ACCMODE) == O_RDONLY && !(c->flags & (O_TRUNC | O_CREAT))
                  && ((S_ISDIR (st.st_mode)
                       && (strcmp (name, "fd") == 0 || strcmp (name, "fdinfo") == 0 || strcmp (name, "map_files") == 0))
                      || (in_fd_dir == 2 && S_ISREG (st.st_mode)))
                  && is_own_process (c, c->own_dir))
                /* The app's own fd, fdinfo and map_files directories and fdinfo files: readable by the app
                 * whatever its credentials (ls /proc/self/fd, closefrom() by listing it, fdinfo/N). What is in
                 * map_files is still checked when the app lists it. */
                sentry_creds_leave (&c->saved);
              return finish_open (c, next, 1);
            }
          else
            {
              if (!S_ISDIR (st.st_mode))
                {
                  close (next);
                  r = -ENOTDIR;
                  goto fail;
                }
              if (c->own_dir < 0 && strcmp (name, own_name) == 0 && is_procfs_root (cur))
                c->own_dir = dup (next);
              in_fd_dir = c->own_dir < 0 ? 0 : strcmp (name, "fd") == 0 ? 1 : strcmp (name, "fdinfo") == 0 ? 2 : 0;
              close (cur);
              cur = next;
              continue;
            }
        }

      /* A symlink whose text is target[0..tl): continue with target + rest. */
      if (c->resolve & RESOLVE_NO_SYMLINKS || ++links > MAX_SYMLINKS)
        {
          r = -ELOOP;
          goto fail;
        }
      if (tl == 0)
        {
          r = -ENOENT;
          goto fail;
        }
      target[tl] = '\0';
      {
        size_t rl = strlen (rest);
        char *nb = bufs[which ^ 1];
        if ((size_t) tl + rl + 1 > sizeof bufs[0])
          {
            r = -ENAMETOOLONG;
            goto fail;
          }
        memcpy (nb, target, (size_t) tl);
        memcpy (nb + tl, rest, rl + 1);
        which ^= 1;
        p = nb;
      }
      if (*p == '/')
        {
          int nr;
          if (c->resolve & RESOLVE_BENEATH)
            {
              r = -EXDEV;
              goto fail;
            }
          nr = openat (scoped ? c->base : c->root, ".", O_PATH | O_CLOEXEC);
          if (nr < 0)
            goto fail_errno;
          close (cur);
          cur = nr;
          drop_own_dir (c);
        }
    }

fail_errno:
  r = -errno;
fail:
  if (cur >= 0)
    close (cur);
  return r;
}

/* ---- entry points ---- */

static int
do_open (SentryKernel *k, const SentryCall *call, pid_t tid, int dirfd, const char *path, int flags, mode_t mode,
         uint64_t resolve, int *served_virtual)
{
  Ctx c;
  int absolute = path[0] == '/';
  int scoped = (resolve & (RESOLVE_IN_ROOT | RESOLVE_BENEATH)) != 0;
  int dotdot, special;
  int r, fd;

  memset (&c, 0, sizeof c);
  c.k = k;
  c.call = call;
  c.tid = tid;
  c.dirfd = dirfd;
  c.flags = flags;
  c.mode = mode;
  c.resolve = resolve;
  c.root = c.base = c.own_dir = -1;
  c.ticket.pidfd = -1;
  if (served_virtual)
    *served_virtual = 0;

  if (path[0] == '\0')
    return -ENOENT;
  if (strlen (path) >= PATH_MAX)
    return -ENAMETOOLONG;
  if ((resolve & ~(uint64_t) VALID_RESOLVE_FLAGS) || ((resolve & RESOLVE_IN_ROOT) && (resolve & RESOLVE_BENEATH)))
    return -EINVAL;
  c.proc = sentry_host_proc_fd ();
  if (c.proc < 0)
    return -EIO;
  dotdot = !is_dotdot_free (path);
  special = last_component_is (path, "kmsg") || last_component_is (path, "tty");

  /* Everything about the app thread is read before the check that its call is still pending: after the check,
   * the descriptors and the credentials are known to be that thread's (its tid cannot have been reused). The
   * credentials may come from the cache, except the umask (an open that may create reads it afresh). */
  r = sentry_creds_get (c.proc, tid, (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE, &c.creds, &c.ticket);
  if (r < 0)
    return r;
  if (!absolute || scoped)
    {
      r = open_base (&c);
      if (r < 0)
        goto out;
    }
  if ((absolute && !scoped) || special || dotdot)
    {
      r = open_root (&c);
      if (r < 0)
        goto out;
    }
  if (call && (r = sentry_call_valid (call)) < 0)
    goto out;
  if (call)
    sentry_creds_remember (&c.ticket, &c.creds);
  if (call && c.root_fresh)
    sentry_call_offer_root (call, c.root);

  if (!special)
    {
      struct open_how how;
      int from;

      memset (&how, 0, sizeof how);
      how.flags = (uint64_t) (unsigned) sentry_flags (flags);
      how.mode = mode;
      how.resolve = resolve | RESOLVE_NO_SYMLINKS;
      if (scoped)
        from = c.base;
      else if (absolute)
        {
          from = c.root;
          how.resolve |= RESOLVE_IN_ROOT;
        }
      else
        {
          from = c.base;
          if (dotdot)
            {
              r = thread_chroot (c.root);
              if (r < 0)
                goto out;
              c.chrooted = 1;
            }
        }
      r = sentry_creds_enter (&c.creds, &c.saved, (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE);
      if (r < 0)
        goto out;
      fd = (int) syscall (SYS_openat2, from, path, &how, sizeof how);
      if (fd >= 0)
        {
          atomic_fetch_add (&stat_fast, 1);
          r = finish_open (&c, fd, 0);
          goto out;
        }
      r = -errno;
      /* The walk handles symlinks, a FIFO that must wait, races, and the app's own /proc/PID/fd (which the
       * kernel lets a process search whatever its credentials: an EACCES is looked at again). */
      if (!((r == -ELOOP && !(resolve & RESOLVE_NO_SYMLINKS)) || (r == -ENXIO && !(flags & O_NONBLOCK))
            || (r == -EAGAIN && !(resolve & RESOLVE_CACHED)) || r == -EACCES))
        goto out;
      sentry_creds_leave (&c.saved);
    }

  /* The walk: needs the app's root, and the thread inside it. */
  if (c.root < 0)
    {
      r = open_root (&c);
      if (r < 0)
        goto out;
      if (call && (r = sentry_call_valid (call)) < 0)
        goto out;
    }
  if (!scoped && c.base < 0 && !absolute)
    {
      r = open_base (&c);
      if (r < 0)
        goto out;
    }
  if (c.base < 0)
    {
      c.base = dup (c.root);
      if (c.base < 0)
        {
          r = -errno;
          goto out;
        }
    }
  if (!c.chrooted)
    {
      r = thread_chroot (c.root);
      if (r < 0)
        goto out;
      c.chrooted = 1;
    }
  r = sentry_creds_enter (&c.creds, &c.saved, (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE);
  if (r < 0)
    goto out;
  atomic_fetch_add (&stat_walk, 1);
  r = walk (&c, path);

out:
  ctx_release (&c);
  if (served_virtual)
    *served_virtual = c.virt;
  return r;
}

int
sentry_files_open (SentryKernel *k, pid_t tid, int dirfd, const char *path, int flags, mode_t mode,
                   uint64_t resolve, int *served_virtual)
{
  return do_open (k, NULL, tid, dirfd, path, flags, mode, resolve, served_virtual);
}

/* Copy the path once, open, install. */
static long
handle_open (SentryCall *call, int dirfd, uint64_t path_addr, int flags, mode_t mode, uint64_t resolve)
{
  char path[PATH_MAX];
  ssize_t n;
  int fd;
  long r;
  int virt = 0;

  n = sentry_read_string (call, path_addr, path, sizeof path);
  if (n < 0)
    return n;
  fd = do_open (call->kernel, call, sentry_call_pid (call), dirfd, path, flags, mode, resolve, &virt);
  if (fd < 0)
    return fd;
  r = sentry_addfd (call, fd, (flags & O_CLOEXEC) ? O_CLOEXEC : 0);
  close (fd);
  if (r < 0)
    return r;
  return SENTRY_ANSWERED;
}

long
sentry_sys_open (SentryCall *call)
{
  int flags = (int) sentry_call_arg (call, 1);
  mode_t mode = (mode_t) sentry_call_arg (call, 2);

  sentry_files_open_flags (&flags, &mode);
  return handle_open (call, AT_FDCWD, sentry_call_arg (call, 0), flags, mode, 0);
}

long
sentry_sys_openat (SentryCall *call)
{
  int flags = (int) sentry_call_arg (call, 2);
  mode_t mode = (mode_t) sentry_call_arg (call, 3);

  sentry_files_open_flags (&flags, &mode);
  return handle_open (call, (int) sentry_call_arg (call, 0), sentry_call_arg (call, 1), flags, mode, 0);
}

long
sentry_sys_creat (SentryCall *call)
{
  int flags = O_CREAT | O_WRONLY | O_TRUNC;
  mode_t mode = (mode_t) sentry_call_arg (call, 1);

  sentry_files_open_flags (&flags, &mode);
  return handle_open (call, AT_FDCWD, sentry_call_arg (call, 0), flags, mode, 0);
}

long
sentry_sys_openat2 (SentryCall *call)
{
  struct open_how how;
  unsigned char extra[256];
  uint64_t size = sentry_call_arg (call, 3);
  int r;

  /* struct open_how is extensible: a larger struct is fine when the bytes we do not know are zero. */
  if (size < OPEN_HOW_SIZE_VER0)
    return -EINVAL;
  if (size > 4096)
    return -E2BIG;
  r = sentry_read_mem (call, sentry_call_arg (call, 2), &how, sizeof how);
  if (r < 0)
    return r;
  for (uint64_t off = sizeof how; off < size; off += sizeof extra)
    {
      size_t chunk = size - off < sizeof extra ? (size_t) (size - off) : sizeof extra;
      r = sentry_read_mem (call, sentry_call_arg (call, 2) + off, extra, chunk);
      if (r < 0)
        return r;
      for (size_t i = 0; i < chunk; i++)
        if (extra[i])
          return -E2BIG;
    }
  if (how.flags & ~(uint64_t) VALID_OPEN_FLAGS)
    return -EINVAL;
  if ((how.flags & O_CREAT) || (how.flags & O_TMPFILE) == O_TMPFILE)
    {
      if (how.mode & ~(uint64_t) 07777)
        return -EINVAL;
    }
  else if (how.mode != 0)
    return -EINVAL;
  if (how.resolve & ~(uint64_t) VALID_RESOLVE_FLAGS)
    return -EINVAL;
  if ((how.resolve & RESOLVE_IN_ROOT) && (how.resolve & RESOLVE_BENEATH))
    return -EINVAL;
  if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_CREAT | O_TRUNC | O_TMPFILE)))
    return -EAGAIN;
  return handle_open (call, (int) sentry_call_arg (call, 0), sentry_call_arg (call, 1), (int) how.flags,
                      (mode_t) how.mode, how.resolve);
}

long
sentry_sys_chroot (SentryCall *call)
{
  /* Whatever the outcome, this listener's processes may no longer share one root. */
  sentry_call_forget_root (call);
  return SENTRY_CONTINUE;
}
