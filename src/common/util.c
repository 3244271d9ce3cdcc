/* Small utilities shared by runsc, the Sentry and the shim. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/proc-stat.h"
#include "common/util.h"

void
runsc_close_fd_ptr (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
      *fd = -1;
    }
}

static gboolean
write_file_replace (const char *path, const char *data, gssize len, mode_t mode, gboolean durable, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp.%d", path, (int) getpid ());
  autofd int fd = -1;
  size_t total = len < 0 ? strlen (data) : (size_t) len;
  size_t done = 0;

  fd = runsc_host_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return runsc_error_errno (error, errno, "create %s", tmp);
  while (done < total)
    {
      ssize_t n = write (fd, data + done, total - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          runsc_host_unlink (tmp);
          return runsc_error_errno (error, e, "write %s", tmp);
        }
      done += (size_t) n;
    }
  if ((durable && fsync (fd) < 0) || runsc_host_rename (tmp, path) < 0)
    {
      int e = errno;
      runsc_host_unlink (tmp);
      return runsc_error_errno (error, e, "write %s", path);
    }
  return TRUE;
}

gboolean
runsc_write_file_atomic (const char *path, const char *data, gssize len, mode_t mode, GError **error)
{
  return write_file_replace (path, data, len, mode, FALSE, error);
}

gboolean
runsc_write_file_durable (const char *path, const char *data, gssize len, mode_t mode, GError **error)
{
  return write_file_replace (path, data, len, mode, TRUE, error);
}

int
runsc_send_fds (int sock, const void *data, size_t len, const int *fds, size_t n_fds)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * 16)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  char dummy = 0;

  if (n_fds > 16)
    return -EINVAL;
  if (len == 0)
    {
      iov.iov_base = &dummy;
      iov.iov_len = 1;
    }
  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;
      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }
  for (;;)
    {
      ssize_t n = sendmsg (sock, &msg, MSG_NOSIGNAL);
      if (n >= 0)
        return 0;
      if (errno != EINTR)
        return -errno;
    }
}

ssize_t
runsc_recv_fds (int sock, void *data, size_t size, int *fds, size_t max_fds)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * 16)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = data, .iov_len = size };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *cmsg;
  ssize_t n;
  size_t i;

  if (max_fds > 16)
    return -EINVAL;
  for (i = 0; i < max_fds; i++)
    fds[i] = -1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          size_t count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
          int received[16];
          memcpy (received, CMSG_DATA (cmsg), sizeof (int) * MIN (count, 16));
          for (i = 0; i < count && i < 16; i++)
            {
              if (i < max_fds)
                fds[i] = received[i];
              else
                close (received[i]);
            }
        }
    }
  return n;
}

/* The state letter and the start time of pid. FALSE if the process does not exist. */
static gboolean
read_proc_stat (pid_t pid, char *state, guint64 *start_time)
{
  char buf[RUNSC_PROC_STAT_BUF];
  RunscProcStat st;

  if (!runsc_proc_stat_read (pid, buf, sizeof buf, &st))
    return FALSE;
  *state = st.state;
  *start_time = st.start_time;
  return TRUE;
}

guint64
runsc_process_start_time (pid_t pid)
{
  char state;
  guint64 start = 0;

  if (pid <= 0 || !read_proc_stat (pid, &state, &start))
    return 0;
  return start;
}

gboolean
runsc_process_alive (pid_t pid, guint64 start_time)
{
  char state = 0;
  guint64 start = 0;

  if (pid <= 0 || !read_proc_stat (pid, &state, &start))
    return FALSE;
  if (state == 'Z' || state == 'X')
    return FALSE;
  return start_time == 0 || start == start_time;
}

char *
runsc_rfc3339_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  size_t n;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return g_strdup (buf);
}

static const struct
{
  const char *name;
  int number;
} signal_names[] = {
  { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },       { "TRAP", SIGTRAP },
  { "ABRT", SIGABRT },   { "IOT", SIGIOT },       { "BUS", SIGBUS },     { "FPE", SIGFPE },       { "KILL", SIGKILL },
  { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
  { "TERM", SIGTERM },   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },       { "XCPU", SIGXCPU },
  { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },
  { "POLL", SIGPOLL },   { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

int
runsc_parse_signal (const char *name, GError **error)
{
  const char *n = name;
  char *end = NULL;
  guint64 v;
  gsize i;

  if (name == NULL || *name == '\0')
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid signal: empty");
      return -1;
    }
  if (g_ascii_isdigit (*name))
    {
      v = g_ascii_strtoull (name, &end, 10);
      if (*end == '\0' && v > 0 && v <= (guint64) SIGRTMAX)
        return (int) v;
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid signal: %s", name);
      return -1;
    }
  if (g_ascii_strncasecmp (n, "SIG", 3) == 0)
    n += 3;
  for (i = 0; i < G_N_ELEMENTS (signal_names); i++)
    if (g_ascii_strcasecmp (n, signal_names[i].name) == 0)
      return signal_names[i].number;
  if (g_ascii_strncasecmp (n, "RTMIN", 5) == 0 || g_ascii_strncasecmp (n, "RTMAX", 5) == 0)
    {
      gboolean min = g_ascii_strncasecmp (n, "RTMIN", 5) == 0;
      long off = 0;
      if (n[5] != '\0')
        {
          off = strtol (n + 5, &end, 10);
          if (*end != '\0')
            off = 1000;
        }
      v = (guint64) (min ? SIGRTMIN + off : SIGRTMAX + off);
      if ((int) v >= SIGRTMIN && (int) v <= SIGRTMAX)
        return (int) v;
    }
  runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid signal: %s", name);
  return -1;
}

gboolean
runsc_mkdir_p (const char *path, mode_t mode, GError **error)
{
  if (g_mkdir_with_parents (path, (int) mode) < 0)
    return runsc_error_errno (error, errno, "mkdir %s", path);
  return TRUE;
}

gboolean
runsc_json_depth_check (const char *data, gssize len, guint max, GError **error)
{
  gsize n = len < 0 ? strlen (data) : (gsize) len, i;
  guint depth = 0;
  gboolean in_string = FALSE;

  for (i = 0; i < n; i++)
    {
      char c = data[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "JSON nested deeper than %u levels at byte %"
                                    G_GSIZE_FORMAT, max, i);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}
