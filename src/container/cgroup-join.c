/* Entering a cgroup without waiting for an RCU grace period (see cgroup-join.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "container/cgroup-join.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* In a child of cgroup_fork_into: the directory fd it was cloned into (it is in that cgroup already). */
static int cloned_into = -1;

int
cgroup_open_enter_fd (const CgroupHandle *h, GError **error)
{
  g_autofree char *tasks = NULL;
  int fd;

  if (h == NULL || h->freeze_dir == NULL)
    return -1;
  /* v1 has a tasks file in every cgroup, v2 in none. */
  tasks = g_build_filename (h->freeze_dir, "tasks", NULL);
  fd = open (tasks, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    {
      runsc_error_errno (error, errno, "open %s", tasks);
      return -1;
    }
  fd = open (h->freeze_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    runsc_error_errno (error, errno, "open cgroup %s", h->freeze_dir);
  return fd;
}

int
cgroup_open_memory_fd (const CgroupHandle *h, GError **error)
{
  const char *dir = h != NULL && h->sentry_memory != NULL && h->v1 != NULL ? g_hash_table_lookup (h->v1, "memory")
                                                                          : NULL;
  g_autofree char *tasks = NULL;
  int fd;

  if (dir == NULL)
    return -1;
  tasks = g_build_filename (dir, "tasks", NULL);
  fd = open (tasks, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    runsc_error_errno (error, errno, "open %s", tasks);
  return fd;
}

static gboolean
is_dir (int fd)
{
  struct stat st;

  return fstat (fd, &st) == 0 && S_ISDIR (st.st_mode);
}

pid_t
cgroup_fork_into (const int *fds, int n, unsigned long flags)
{
  int dir = -1;
  long pid;

  for (int i = 0; i < n && dir < 0; i++)
    if (is_dir (fds[i]))
      dir = fds[i];
  if (dir >= 0)
    {
      struct clone_args ca;

      memset (&ca, 0, sizeof ca);
      ca.flags = CLONE_INTO_CGROUP | flags;
      ca.exit_signal = SIGCHLD;
      ca.cgroup = (unsigned long long) dir;
      pid = syscall (SYS_clone3, &ca, sizeof ca);
      if (pid == 0)
        cloned_into = dir;
      if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
        return (pid_t) pid;
      /* No clone3 or no CLONE_INTO_CGROUP: the child joins by cgroup.procs. */
    }
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int
write_zero (int fd)
{
  ssize_t w;

  do
    w = write (fd, "0", 1);
  while (w < 0 && errno == EINTR);
  return w < 0 ? -errno : 0;
}

int
cgroup_join_self (const int *fds, int n)
{
  int ret = 0;

  for (int i = 0; i < n; i++)
    {
      int r;

      if (fds[i] == cloned_into)
        continue;
      if (is_dir (fds[i]))
        {
          int procs = openat (fds[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
          if (procs < 0)
            r = -errno;
          else
            {
              r = write_zero (procs);
              close (procs);
            }
        }
      else
        r = write_zero (fds[i]);
      if (r < 0 && ret == 0)
        ret = r;
    }
  return ret;
}
