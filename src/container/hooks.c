/* OCI hooks. The runner is plain C so that the init can use it after fork; container_run_hooks wraps it. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/container.h"
#include "container/hooks.h"
#include "container/sync.h"

HookPlan *
hooks_plan (ContainerPlan *plan, const OciHook *hooks, gsize n_hooks)
{
  HookPlan *out = container_plan_block (plan, g_new0 (HookPlan, n_hooks + 1));

  for (gsize i = 0; i < n_hooks; i++)
    {
      out[i].path = hooks[i].path;
      if (hooks[i].args != NULL && hooks[i].args[0] != NULL)
        out[i].argv = hooks[i].args;
      else
        {
          char **argv = g_new0 (char *, 2);
          argv[0] = g_strdup (hooks[i].path);
          out[i].argv = container_plan_strv (plan, argv);
        }
      out[i].envp = hooks[i].env != NULL ? hooks[i].env : container_plan_strv (plan, g_new0 (char *, 1));
      out[i].timeout = hooks[i].has_timeout ? hooks[i].timeout : 0;
    }
  return out;
}

int
hooks_state_fd (const char *data, size_t len)
{
  int fd = memfd_create ("hook-state", MFD_CLOEXEC);
  size_t done = 0;

  if (fd < 0)
    return -errno;
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          close (fd);
          return -e;
        }
      done += (size_t) n;
    }
  return fd;
}

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read what the hook wrote to fd, trimmed, into buf. */
static void
read_output (int fd, char *buf, size_t size)
{
  ssize_t n = pread (fd, buf, size - 1, 0);
  if (n < 0)
    n = 0;
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
}

int
hooks_run_one (const HookPlan *h, int state_fd, int userns_fd, const char *kind, InitError *err)
{
  char out_text[512], err_text[1024];
  int out_fd = -1, err_fd = -1, pidfd = -1, status = 0;
  bool timed_out = false;
  pid_t pid;

  out_fd = memfd_create ("hook-stdout", MFD_CLOEXEC);
  err_fd = memfd_create ("hook-stderr", MFD_CLOEXEC);
  if (out_fd < 0 || err_fd < 0)
    {
      init_error (err, errno, "%s hook %s: memfd_create", kind, h->path);
      goto fail;
    }
  if (lseek (state_fd, 0, SEEK_SET) < 0)
    {
      init_error (err, errno, "%s hook %s: rewind the state", kind, h->path);
      goto fail;
    }
  pid = raw_fork (0);
  if (pid < 0)
    {
      init_error (err, errno, "%s hook %s: fork", kind, h->path);
      goto fail;
    }
  if (pid == 0)
    {
      sigset_t all;
      char msg[512];
      int n;

      sigemptyset (&all);
      sigprocmask (SIG_SETMASK, &all, NULL);
      for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
          signal (s, SIG_DFL);
      if (dup2 (state_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (err_fd, 2) < 0)
        _exit (127);
      if (userns_fd >= 0 && setns (userns_fd, CLONE_NEWUSER) < 0)
        {
          n = snprintf (msg, sizeof msg, "enter the container's user namespace: %s\n", init_strerror (errno));
          if (write (2, msg, (size_t) n) < 0)
            _exit (127);
          _exit (127);
        }
      /* Only stdio: none of the Sentry's descriptors reaches a hook. */
      syscall (SYS_close_range, 3, ~0U, 0);
      execve (h->path, h->argv, h->envp);
      n = snprintf (msg, sizeof msg, "exec %s: %s\n", h->path, init_strerror (errno));
      if (write (2, msg, (size_t) n) < 0)
        _exit (127);
      _exit (127);
    }

  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (h->timeout > 0 && pidfd >= 0)
    {
      long deadline = now_ms () + h->timeout * 1000L;
      for (;;)
        {
          struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
          long left = deadline - now_ms ();
          int r;
          if (left <= 0)
            {
              timed_out = true;
              break;
            }
          r = poll (&pfd, 1, (int) left);
          if (r > 0)
            break;
          if (r < 0 && errno != EINTR)
            break;
        }
      if (timed_out)
        kill (pid, SIGKILL);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        init_error (err, errno, "%s hook %s: waitpid", kind, h->path);
        goto fail;
      }
  if (pidfd >= 0)
    close (pidfd);
  pidfd = -1;
  if (timed_out)
    {
      init_error (err, 0, "%s hook %s: timed out after %d seconds (killed)", kind, h->path, h->timeout);
      goto fail;
    }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      close (out_fd);
      close (err_fd);
      return 0;
    }
  read_output (out_fd, out_text, sizeof out_text);
  read_output (err_fd, err_text, sizeof err_text);
  if (WIFEXITED (status))
    init_error (err, 0, "%s hook %s: exit status %d, stdout: %s, stderr: %s", kind, h->path, WEXITSTATUS (status),
                out_text, err_text);
  else
    init_error (err, 0, "%s hook %s: killed by signal %d, stdout: %s, stderr: %s", kind, h->path,
                WTERMSIG (status), out_text, err_text);
fail:
  if (pidfd >= 0)
    close (pidfd);
  if (out_fd >= 0)
    close (out_fd);
  if (err_fd >= 0)
    close (err_fd);
  return -1;
}

int
hooks_run_all (const HookPlan *hooks, gsize n_hooks, int state_fd, int userns_fd, const char *kind,
               InitError *err)
{
  for (gsize i = 0; i < n_hooks; i++)
    if (hooks_run_one (&hooks[i], state_fd, userns_fd, kind, err) < 0)
      return -1;
  return 0;
}

gboolean
container_run_hooks (const OciHook *hooks, gsize n_hooks, const char *state_json, const char *kind,
                     GError **error)
{
  InitError err;
  autofd int fd = -1;

  if (n_hooks == 0)
    return TRUE;
  fd = hooks_state_fd (state_json != NULL ? state_json : "", state_json != NULL ? strlen (state_json) : 0);
  if (fd < 0)
    return runsc_error_errno (error, -fd, "%s hooks: memfd_create", kind);
  for (gsize i = 0; i < n_hooks; i++)
    {
      HookPlan h = { .path = hooks[i].path, .timeout = hooks[i].has_timeout ? hooks[i].timeout : 0 };
      char *argv0[2] = { hooks[i].path, NULL };
      char *envp0[1] = { NULL };

      h.argv = hooks[i].args != NULL && hooks[i].args[0] != NULL ? hooks[i].args : argv0;
      h.envp = hooks[i].env != NULL ? hooks[i].env : envp0;
      if (hooks_run_one (&h, fd, -1, kind, &err) < 0)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s", err.msg);
    }
  return TRUE;
}
