/* The process's settings: rlimits, oom_score_adj, the executable's lookup. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "container/process.h"
#include "container/sync.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },         { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },     { "RLIMIT_FSIZE", RLIMIT_FSIZE },       { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

gboolean
process_plan (ContainerPlan *plan, const OciProcess *proc, GError **error)
{
  GArray *rl;

  if (proc == NULL || proc->args == NULL || proc->args[0] == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.args: the spec names no program to run");
  plan->argv = proc->args;
  plan->exec_name = proc->args[0];
  plan->envp = proc->env != NULL ? proc->env : container_plan_strv (plan, g_new0 (char *, 1));
  plan->path_env = DEFAULT_PATH;
  for (char **e = plan->envp; *e != NULL; e++)
    if (g_str_has_prefix (*e, "PATH="))
      plan->path_env = *e + 5;
  plan->cwd = proc->cwd != NULL && proc->cwd[0] != '\0' ? proc->cwd : "/";
  if (plan->cwd[0] != '/')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.cwd %s: not an absolute path", plan->cwd);
  plan->uid = proc->uid;
  plan->gid = proc->gid;
  plan->n_groups = proc->n_additional_gids;
  plan->groups = container_plan_block (plan, g_new0 (gid_t, proc->n_additional_gids + 1));
  for (gsize i = 0; i < proc->n_additional_gids; i++)
    plan->groups[i] = proc->additional_gids[i];
  plan->umask = proc->has_umask ? (mode_t) (proc->umask & 0777) : 022;
  plan->no_new_privileges = proc->no_new_privileges;
  plan->has_oom_score_adj = proc->has_oom_score_adj;
  plan->oom_score_adj = proc->oom_score_adj;
  plan->terminal = proc->terminal;
  plan->has_console_size = proc->has_console_size;
  plan->console_rows = (unsigned short) proc->console_height;
  plan->console_cols = (unsigned short) proc->console_width;

  rl = g_array_new (FALSE, TRUE, sizeof (RlimitPlan));
  for (gsize i = 0; i < proc->n_rlimits; i++)
    {
      RlimitPlan r = { .resource = -1 };
      for (gsize k = 0; k < G_N_ELEMENTS (rlimit_names); k++)
        if (g_strcmp0 (proc->rlimits[i].type, rlimit_names[k].name) == 0)
          {
            r.resource = rlimit_names[k].resource;
            r.name = rlimit_names[k].name;
          }
      if (r.resource < 0)
        {
          g_array_free (rl, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.rlimits: unknown limit %s",
                                  proc->rlimits[i].type);
        }
      if (proc->rlimits[i].soft > proc->rlimits[i].hard)
        {
          g_array_free (rl, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                  "process.rlimits %s: soft limit %" G_GUINT64_FORMAT " is above the hard limit %"
                                  G_GUINT64_FORMAT, r.name, proc->rlimits[i].soft, proc->rlimits[i].hard);
        }
      r.soft = proc->rlimits[i].soft;
      r.hard = proc->rlimits[i].hard;
      g_array_append_val (rl, r);
    }
  plan->n_rlimits = rl->len;
  plan->rlimits = container_plan_block (plan, g_array_free (rl, FALSE));
  return TRUE;
}

int
process_apply_rlimits (const ContainerPlan *p, InitError *err)
{
  for (gsize i = 0; i < p->n_rlimits; i++)
    {
      const RlimitPlan *r = &p->rlimits[i];
      struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

      if (setrlimit (r->resource, &lim) < 0)
        {
          int e = errno;
          struct rlimit cur;
          init_error (err, e, "setrlimit %s (soft %llu, hard %llu)", r->name, (unsigned long long) r->soft,
                      (unsigned long long) r->hard);
          if (e == EPERM && getrlimit (r->resource, &cur) == 0 && r->hard > cur.rlim_max)
            {
              size_t n = strlen (err->msg);
              snprintf (err->msg + n, sizeof err->msg - n, ": raising a hard limit needs CAP_SYS_RESOURCE");
            }
          return -1;
        }
    }
  return 0;
}

int
process_apply_oom_score_adj (const ContainerPlan *p, InitError *err)
{
  char buf[32];
  int fd, n;

  if (!p->has_oom_score_adj)
    return 0;
  n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return init_error (err, errno, "open /proc/self/oom_score_adj");
  if (write (fd, buf, (size_t) n) != n)
    {
      int e = errno;
      close (fd);
      init_error (err, e, "write /proc/self/oom_score_adj (%d)", p->oom_score_adj);
      if (e == EACCES || e == EPERM)
        {
          size_t len = strlen (err->msg);
          snprintf (err->msg + len, sizeof err->msg - len,
                    ": lowering the OOM score below its current value needs CAP_SYS_RESOURCE");
        }
      return -1;
    }
  close (fd);
  return 0;
}

static bool
is_executable (const char *path, int *error)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      *error = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode))
    {
      *error = EISDIR;
      return false;
    }
  if (!S_ISREG (st.st_mode) || (st.st_mode & 0111) == 0)
    {
      *error = EACCES;
      return false;
    }
  return true;
}

int
process_find_executable (const ContainerPlan *p, char *out, size_t size, InitError *err)
{
  const char *name = p->exec_name;
  const char *dir = p->path_env;
  int e = 0;

  if (name[0] == '\0')
    return init_error (err, 0, "exec: \"\": executable file not found in $PATH");
  if (strchr (name, '/') != NULL)
    {
      if ((size_t) snprintf (out, size, "%s", name) >= size)
        return init_error (err, ENAMETOOLONG, "exec: \"%s\"", name);
      if (!is_executable (out, &e))
        {
          /* As runc (Go's exec.LookPath) words it: lower case, a directory or a file without x bits is
           * "permission denied". */
          char text[128];
          if (e == EISDIR || e == EACCES)
            return init_error (err, 0, "exec: \"%s\": permission denied", name);
          snprintf (text, sizeof text, "%s", init_strerror (e));
          if (text[0] >= 'A' && text[0] <= 'Z')
            text[0] = (char) (text[0] - 'A' + 'a');
          return init_error (err, 0, "exec: \"%s\": stat %s: %s", name, name, text);
        }
      return 0;
    }
  while (dir != NULL)
    {
      const char *end = strchr (dir, ':');
      size_t len = end != NULL ? (size_t) (end - dir) : strlen (dir);

      if (len == 0)
        snprintf (out, size, "./%s", name);
      else
        snprintf (out, size, "%.*s/%s", (int) len, dir, name);
      if (is_executable (out, &e))
        return 0;
      dir = end != NULL ? end + 1 : NULL;
    }
  return init_error (err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}
