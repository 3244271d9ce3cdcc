/* Host processes of the sandbox, found through /proc (see process-tree.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "common/proc-stat.h"
#include "sentry/process-tree.h"

/* Wait up to timeout_ms for the processes pids (just sent SIGKILL) to end, returning as soon as they have: each
 * one's pidfd is readable once it exits. A process whose pidfd cannot be had (gone already) is not waited for;
 * past the first PIDFD_WAIT_MAX the rest of the round's time is slept. */
#define PIDFD_WAIT_MAX 64
void
sentry_ptree_wait_killed (GArray *pids, int timeout_ms)
{
  struct pollfd pfd[PIDFD_WAIT_MAX];
  guint n = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (guint i = 0; i < pids->len && n < PIDFD_WAIT_MAX; i++)
    {
      int fd = (int) syscall (SYS_pidfd_open, g_array_index (pids, int, i), 0);
      if (fd >= 0)
        pfd[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left > 0)
        while (poll (&pfd[i], 1, (int) ((left + 999) / 1000)) < 0 && errno == EINTR)
          ;
      close (pfd[i].fd);
    }
  if (pids->len > PIDFD_WAIT_MAX)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left > 0)
        g_usleep ((gulong) left);
    }
}

GArray *
sentry_ptree_container_pids (pid_t init_pid)
{
  g_autoptr (GHashTable) parent = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  char nspath[64], link[128], own[128];
  ssize_t n;
  gboolean own_pidns = FALSE;
  DIR *proc;
  struct dirent *de;
  guint i;

  if (init_pid <= 0)
    return pids;
  snprintf (nspath, sizeof nspath, "/proc/%d/ns/pid", (int) init_pid);
  n = runsc_host_readlink (nspath, link, sizeof link - 1);
  if (n > 0)
    {
      link[n] = '\0';
      n = runsc_host_readlink ("/proc/self/ns/pid", own, sizeof own - 1);
      if (n > 0)
        {
          own[n] = '\0';
          own_pidns = strcmp (own, link) != 0;
        }
    }

  proc = runsc_host_opendir ("/proc");
  if (proc == NULL)
    return pids;
  while ((de = readdir (proc)) != NULL)
    {
      char path[64], buf[RUNSC_PROC_STAT_BUF], ns[128];
      RunscProcStat st;
      int pid;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      pid = atoi (de->d_name);
      if (!runsc_proc_stat_read (pid, buf, sizeof buf, &st) || st.state == 'Z')
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (pid), GINT_TO_POINTER (st.ppid));
      if (own_pidns && pid != init_pid)
        {
          snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
          n = runsc_host_readlink (path, ns, sizeof ns - 1);
          if (n > 0)
            {
              ns[n] = '\0';
              if (strcmp (ns, link) == 0)
                g_array_append_val (pids, pid);
            }
        }
    }
  closedir (proc);
  if (g_hash_table_contains (parent, GINT_TO_POINTER (init_pid)))
    {
      GHashTableIter iter;
      gpointer k, v;
      int init = init_pid;

      g_array_prepend_val (pids, init);
      /* Descendants by walking each process's parent chain up to the init. */
      g_hash_table_iter_init (&iter, parent);
      while (g_hash_table_iter_next (&iter, &k, &v))
        {
          int pid = GPOINTER_TO_INT (k), up = GPOINTER_TO_INT (v), depth = 0;
          gboolean dup = FALSE;
          if (pid == init)
            continue;
          while (up > 1 && up != init && depth++ < 4096)
            up = GPOINTER_TO_INT (g_hash_table_lookup (parent, GINT_TO_POINTER (up)));
          if (up != init)
            continue;
          for (i = 0; i < pids->len && !dup; i++)
            dup = g_array_index (pids, int, i) == pid;
          if (!dup)
            g_array_append_val (pids, pid);
        }
    }
  return pids;
}

/* Append the children of pid (of all its threads: /proc/PID/task/TID/children) to out. FALSE when the kernel has no
 * children files (CONFIG_PROC_CHILDREN). */
static gboolean
append_children (int pid, GArray *out)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%d/task", pid);
  DIR *tasks = runsc_host_opendir (dir);
  struct dirent *de;
  struct stat st;

  if (tasks == NULL)
    return TRUE; /* gone meanwhile */
  while ((de = readdir (tasks)) != NULL)
    {
      g_autofree char *file = NULL;
      g_autofree char *text = NULL;
      g_auto (GStrv) words = NULL;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      file = g_strdup_printf ("%s/%s/children", dir, de->d_name);
      if (!runsc_host_get_contents (file, &text, NULL, NULL))
        {
          if (runsc_host_access (file, F_OK) < 0 && runsc_host_stat (dir, &st) == 0
              && runsc_host_access ("/proc/thread-self/children", F_OK) < 0)
            {
              closedir (tasks);
              return FALSE;
            }
          continue; /* the thread is gone */
        }
      words = g_strsplit_set (g_strstrip (text), " ", -1);
      for (int i = 0; words[i] != NULL; i++)
        {
          int child = atoi (words[i]);
          if (child > 0)
            g_array_append_val (out, child);
        }
    }
  closedir (tasks);
  return TRUE;
}

/* Every descendant of the Sentry, by walking the children files down from the Sentry (orphans come back to it: it is
 * a subreaper): a few reads when nothing is left, where scanning /proc reads every process of the host (about
 * 15 us each). NULL when the kernel has no children files. */
static GArray *
sandbox_descendants_walk (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  int self = getpid ();

  if (!append_children (self, pids))
    {
      g_array_unref (pids);
      return NULL;
    }
  for (guint i = 0; i < pids->len && i < 65536; i++)
    {
      int pid = g_array_index (pids, int, i);
      if (pid == self || !g_hash_table_add (seen, GINT_TO_POINTER (pid)))
        continue;
      append_children (pid, pids);
    }
  /* Without duplicates (a pid read twice while it moved). */
  g_hash_table_remove (seen, GINT_TO_POINTER (self));
  g_array_set_size (pids, 0);
  {
    GHashTableIter iter;
    gpointer k;
    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &k, NULL))
      {
        int pid = GPOINTER_TO_INT (k);
        g_array_append_val (pids, pid);
      }
  }
  return pids;
}

/* The same by scanning /proc (every process's parent), for kernels without children files. */
static GArray *
sandbox_descendants_scan (void)
{
  g_autoptr (GHashTable) parent = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  int self = getpid ();
  DIR *proc = runsc_host_opendir ("/proc");
  struct dirent *de;
  GHashTableIter iter;
  gpointer k, v;

  if (proc == NULL)
    return pids;
  while ((de = readdir (proc)) != NULL)
    {
      char buf[RUNSC_PROC_STAT_BUF];
      RunscProcStat st;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      if (!runsc_proc_stat_read (atoi (de->d_name), buf, sizeof buf, &st))
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (atoi (de->d_name)), GINT_TO_POINTER (st.ppid));
    }
  closedir (proc);
  g_hash_table_iter_init (&iter, parent);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      int pid = GPOINTER_TO_INT (k), up = GPOINTER_TO_INT (v), depth = 0;
      while (up > 1 && up != self && depth++ < 4096)
        up = GPOINTER_TO_INT (g_hash_table_lookup (parent, GINT_TO_POINTER (up)));
      if (up == self && pid != self)
        g_array_append_val (pids, pid);
    }
  return pids;
}

/* By the children files where the kernel has them. */
GArray *
sentry_ptree_descendants (void)
{
  GArray *walked = sandbox_descendants_walk ();

  if (walked != NULL)
    return walked;
  return sandbox_descendants_scan ();
}
