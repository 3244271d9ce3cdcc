/* The sandbox's default user namespace: see userns.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/namespaces.h"
#include "container/userns.h"

/* What the outer helper reports on its pipe: after its unshare (step OUTER_MADE), then once the inner user
 * namespace exists and has its mappings (step INNER_MADE). err is an errno, stage what failed. */
enum
{
  STEP_OUTER_MADE,
  STEP_INNER_MADE,
};

enum
{
  FAIL_NONE,
  FAIL_UNSHARE_OUTER,
  FAIL_SETID_OUTER,
  FAIL_UNSHARE_INNER,
  FAIL_FORK_INNER,
  FAIL_MAP_INNER,
};

typedef struct
{
  int step;
  int fail;
  int err;
  pid_t inner;
} HelperReport;

static bool
full_read (int fd, void *buf, size_t len)
{
  ssize_t n;

  do
    n = read (fd, buf, len);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) len;
}

static void
wait_eof (int fd)
{
  char c;

  while (read (fd, &c, 1) < 0 && errno == EINTR)
    ;
}

/* Write "first lower size" to /proc/PID/FILE (uid_map or gid_map); 0 or an errno. Plain system calls: the outer
 * helper maps the inner one with it ("0 base size", only a process in the parent namespace may), and the caller
 * maps the outer one ("base base size"). */
static int
write_map (pid_t pid, const char *file, uint32_t first, uint32_t lower, uint32_t size)
{
  char path[64], text[64];
  int fd, len, e = 0;

  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  len = snprintf (text, sizeof text, "%u %u %u\n", first, lower, size);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  if (write (fd, text, (size_t) len) != len)
    e = errno != 0 ? errno : EIO;
  close (fd);
  return e;
}

/* The outer helper: unshares the outer user namespace, waits until the caller mapped it (go), then forks the
 * inner helper, which unshares the container's user namespace and the namespaces it owns, and maps that one.
 * Both stay until done is closed. Plain system calls only (the Sentry may have threads). */
__attribute__ ((noreturn)) static void
outer_main (int flags, uint32_t host_base, uint32_t size, int report, int go, int done)
{
  HelperReport r = { STEP_OUTER_MADE, FAIL_NONE, 0, -1 };
  int inner_ready[2];
  char c;

  if (unshare (CLONE_NEWUSER) < 0)
    r = (HelperReport){ STEP_OUTER_MADE, FAIL_UNSHARE_OUTER, errno, -1 };
  if (write (report, &r, sizeof r) != sizeof r || r.fail != FAIL_NONE || !full_read (go, &c, 1))
    _exit (1);
  r.step = STEP_INNER_MADE;
  /* A user namespace's creator must have ids mapped in its parent: take the host ids of container root (mapped
   * now). The capabilities stay: 0 is not mapped here, so the kernel does not see us leave root. */
  if (syscall (SYS_setresgid, host_base, host_base, host_base) < 0
      || syscall (SYS_setresuid, host_base, host_base, host_base) < 0)
    r = (HelperReport){ STEP_INNER_MADE, FAIL_SETID_OUTER, errno, -1 };
  else if (pipe2 (inner_ready, O_CLOEXEC) < 0)
    r = (HelperReport){ STEP_INNER_MADE, FAIL_FORK_INNER, errno, -1 };
  else if ((r.inner = fork ()) < 0)
    r = (HelperReport){ STEP_INNER_MADE, FAIL_FORK_INNER, errno, -1 };
  else if (r.inner == 0)
    {
      /* Dumpable again (the setresuid cleared it), so that /proc/<us>/uid_map is ours for the outer helper to
       * write and /proc/<us>/ns for the caller to open. */
      int e = unshare (CLONE_NEWUSER | flags) < 0 || prctl (PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 ? errno : 0;
      if (write (inner_ready[1], &e, sizeof e) != sizeof e)
        _exit (1);
      wait_eof (done);
      _exit (0);
    }
  else
    {
      int e = EPIPE;
      close (inner_ready[1]);
      if (!full_read (inner_ready[0], &e, sizeof e) || e != 0)
        r.fail = FAIL_UNSHARE_INNER, r.err = e;
      else if ((e = write_map (r.inner, "uid_map", 0, host_base, size)) != 0
               || (e = write_map (r.inner, "gid_map", 0, host_base, size)) != 0)
        r.fail = FAIL_MAP_INNER, r.err = e;
    }
  if (write (report, &r, sizeof r) == sizeof r && r.fail == FAIL_NONE)
    wait_eof (done);
  if (r.inner > 0)
    {
      kill (r.inner, SIGKILL);
      while (waitpid (r.inner, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  _exit (0);
}

static gboolean
write_outer_map (pid_t pid, const char *file, uint32_t host_base, uint32_t size, GError **error)
{
  int e = write_map (pid, file, host_base, host_base, size);

  if (e != 0)
    return runsc_error_errno (error, e, "the sandbox's user namespace: write \"%u %u %u\" to /proc/%d/%s", host_base,
                              host_base, size, (int) pid, file);
  return TRUE;
}
static gboolean
read_report (int fd, int step, HelperReport *r, GError **error)
{
  static const char *const what[] = {
    [FAIL_UNSHARE_OUTER] = "unshare the outer user namespace",
    [FAIL_SETID_OUTER] = "take container root's host ids in the outer user namespace",
    [FAIL_UNSHARE_INNER] = "unshare the user namespace and the namespaces it owns",
    [FAIL_FORK_INNER] = "fork the inner helper",
    [FAIL_MAP_INNER] = "write its uid_map and gid_map from the outer user namespace",
  };

  if (!full_read (fd, r, sizeof *r) || r->step != step)
    return runsc_error_errno (error, EPIPE, "the sandbox's user namespace: the helper process died");
  if (r->fail != FAIL_NONE)
    return runsc_error_errno (error, r->err, "the sandbox's user namespace: %s", what[r->fail]);
  return TRUE;
}

/* Open what the inner helper made: its user namespace (returned) and the owned ones asked for (ns_fds). */
static int
open_inner (pid_t inner, int ns_flags, int ns_fds[USERNS_N_OWNED], GError **error)
{
  static const struct
  {
    int flag;
    const char *name;
  } owned[USERNS_N_OWNED] = { { CLONE_NEWNET, "net" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" } };
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/user", (int) inner);
  int fd;

  for (int i = 0; i < USERNS_N_OWNED; i++)
    {
      g_autofree char *ns_path = NULL;
      if (!(ns_flags & owned[i].flag))
        continue;
      ns_path = g_strdup_printf ("/proc/%d/ns/%s", (int) inner, owned[i].name);
      ns_fds[i] = open (ns_path, O_RDONLY | O_CLOEXEC);
      if (ns_fds[i] < 0)
        return runsc_error_errno (error, errno, "the sandbox's %s namespace: open %s", owned[i].name, ns_path), -1;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    runsc_error_errno (error, errno, "the sandbox's user namespace: open %s", path);
  return fd;
}

int
userns_new (uint32_t host_base, uint32_t size, int ns_flags, int ns_fds[USERNS_N_OWNED], GError **error)
{
  int report[2] = { -1, -1 }, go[2] = { -1, -1 }, done[2] = { -1, -1 };
  HelperReport r;
  pid_t outer;
  int fd = -1;

  for (int i = 0; i < USERNS_N_OWNED; i++)
    ns_fds[i] = -1;
  if (pipe2 (report, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0 || pipe2 (done, O_CLOEXEC) < 0)
    {
      runsc_error_errno (error, errno, "the sandbox's user namespace: pipe");
      goto out;
    }
  outer = fork ();
  if (outer < 0)
    {
      runsc_error_errno (error, errno, "the sandbox's user namespace: fork");
      goto out;
    }
  if (outer == 0)
    {
      close (report[0]);
      close (go[1]);
      close (done[1]);
      outer_main (ns_flags & USERNS_OWNED_FLAGS, host_base, size, report[1], go[0], done[0]);
    }
  runsc_close_fd_ptr (&report[1]);
  runsc_close_fd_ptr (&go[0]);
  runsc_close_fd_ptr (&done[0]);
  if (read_report (report[0], STEP_OUTER_MADE, &r, error)
      && write_outer_map (outer, "uid_map", host_base, size, error)
      && write_outer_map (outer, "gid_map", host_base, size, error) && write (go[1], "g", 1) == 1
      && read_report (report[0], STEP_INNER_MADE, &r, error))
    fd = open_inner (r.inner, ns_flags, ns_fds, error);
  /* Both helpers see the end of done (the outer one of go, if it is still waiting for it) and exit; the outer
   * one reaps the inner one first, so nothing is left for another reaper. */
  runsc_close_fd_ptr (&done[1]);
  runsc_close_fd_ptr (&go[1]);
  while (waitpid (outer, NULL, 0) < 0 && errno == EINTR)
    ;
  if (fd < 0)
    for (int i = 0; i < USERNS_N_OWNED; i++)
      runsc_close_fd_ptr (&ns_fds[i]);
out:
  for (int i = 0; i < 2; i++)
    {
      runsc_close_fd_ptr (&report[i]);
      runsc_close_fd_ptr (&go[i]);
      runsc_close_fd_ptr (&done[i]);
    }
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
