/* The sandbox's default user namespace: see userns.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/namespaces.h"
#include "container/userns.h"

static void
reap (pid_t pid)
{
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* A helper child: unshares flags, reports 0 or errno on ready[1], then waits until
 * done[0] is closed. Plain system calls only (the Sentry may have threads). */
static pid_t
helper (int flags, int ready[2], int done[2])
{
  pid_t pid = fork ();
  int e = 0;
  char c;

  if (pid != 0)
    return pid;
  close (ready[0]);
  close (done[1]);
  if (unshare (flags) < 0)
    e = errno;
  if (write (ready[1], &e, sizeof e) != sizeof e)
    _exit (1);
  while (read (done[0], &c, 1) < 0 && errno == EINTR)
    ;
  _exit (0);
}

static pid_t
helper_start (int flags, int done[2], const char *what, GError **error)
{
  int ready[2];
  int e = 0;
  pid_t pid;
  ssize_t n;

  if (pipe2 (ready, O_CLOEXEC) < 0)
    return runsc_error_errno (error, errno, "%s: pipe", what), -1;
  if (pipe2 (done, O_CLOEXEC) < 0)
    {
      int err = errno;
      close (ready[0]);
      close (ready[1]);
      return runsc_error_errno (error, err, "%s: pipe", what), -1;
    }
  pid = helper (flags, ready, done);
  close (ready[1]);
  close (done[0]);
  if (pid < 0)
    {
      int err = errno;
      close (ready[0]);
      close (done[1]);
      return runsc_error_errno (error, err, "%s: fork", what), -1;
    }
  do
    n = read (ready[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close (ready[0]);
  if (n != sizeof e || e != 0)
    {
      close (done[1]);
      reap (pid);
      return runsc_error_errno (error, n == sizeof e ? e : EPIPE, "%s", what), -1;
    }
  return pid;
}

static gboolean
write_map (pid_t pid, const char *file, uint32_t host_base, uint32_t size, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, file);
  g_autofree char *text = g_strdup_printf ("0 %u %u\n", host_base, size);
  autofd int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);

  if (fd < 0 || write (fd, text, len) != (ssize_t) len)
    return runsc_error_errno (error, errno, "the sandbox's user namespace: write \"0 %u %u\" to %s", host_base, size,
                              path);
  return TRUE;
}

int
userns_new (uint32_t host_base, uint32_t size, int ns_flags, int ns_fds[USERNS_N_OWNED], GError **error)
{
  static const struct
  {
    int flag;
    const char *name;
  } owned[USERNS_N_OWNED] = { { CLONE_NEWNET, "net" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" } };
  int done[2];
  pid_t pid;
  g_autofree char *path = NULL;
  int fd = -1;
  gboolean ok;

  for (int i = 0; i < USERNS_N_OWNED; i++)
    ns_fds[i] = -1;
  /* One call: the kernel makes the user namespace first, and the others belong to it. */
  pid = helper_start (CLONE_NEWUSER | (ns_flags & USERNS_OWNED_FLAGS), done,
                      (ns_flags & USERNS_OWNED_FLAGS) != 0
                          ? "the sandbox's user namespace: unshare the user namespace and the namespaces it owns"
                          : "the sandbox's user namespace: unshare",
                      error);
  if (pid < 0)
    return -1;
  ok = write_map (pid, "uid_map", host_base, size, error) && write_map (pid, "gid_map", host_base, size, error);
  for (int i = 0; ok && i < USERNS_N_OWNED; i++)
    {
      g_autofree char *ns_path = NULL;
      if (!(ns_flags & owned[i].flag))
        continue;
      ns_path = g_strdup_printf ("/proc/%d/ns/%s", (int) pid, owned[i].name);
      ns_fds[i] = open (ns_path, O_RDONLY | O_CLOEXEC);
      if (ns_fds[i] < 0)
        ok = runsc_error_errno (error, errno, "the sandbox's %s namespace: open %s", owned[i].name, ns_path);
    }
  if (ok)
    {
      path = g_strdup_printf ("/proc/%d/ns/user", (int) pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        runsc_error_errno (error, errno, "the sandbox's user namespace: open %s", path);
    }
  close (done[1]);
  reap (pid);
  if (fd < 0)
    for (int i = 0; i < USERNS_N_OWNED; i++)
      runsc_close_fd_ptr (&ns_fds[i]);
  return fd;
}

gboolean
userns_apply_to_spec (OciSpec *spec, int userns_fd, uint32_t host_base, uint32_t size)
{
  OciLinux *l = spec->linux_cfg;
  OciNamespace *ns;

  if (userns_fd < 0 || namespace_find (spec, "user") != NULL)
    return FALSE;
  l->namespaces = g_renew (OciNamespace, l->namespaces, l->n_namespaces + 1);
  ns = &l->namespaces[l->n_namespaces++];
  ns->type = g_strdup ("user");
  ns->path = g_strdup_printf ("/proc/%d/fd/%d", (int) getpid (), userns_fd);
  g_free (l->uid_mappings);
  g_free (l->gid_mappings);
  l->uid_mappings = g_new0 (OciIdMapping, 1);
  l->gid_mappings = g_new0 (OciIdMapping, 1);
  l->uid_mappings->host_id = l->gid_mappings->host_id = host_base;
  l->uid_mappings->size = l->gid_mappings->size = size;
  l->n_uid_mappings = l->n_gid_mappings = 1;
  return TRUE;
}
