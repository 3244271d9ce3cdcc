/* runsc metric-server: serve the metrics of the sandboxes under --root in Prometheus' text format over HTTP, in
 * the foreground, until SIGINT or SIGTERM (gVisor's command and flag names).
 *
 * ADDR (--metric-server, the global flag or the command's) is a loopback host:port (127.0.0.1:9100,
 * [::1]:9100, localhost:9100; port 0 picks one, which the log names) or unix:/path; %RUNTIME_ROOT% in it is
 * replaced by --root. Other addresses are refused: the metrics name every sandbox of the host.
 *
 * The HTTP side is deliberately small: one connection at a time, one request per connection (Connection:
 * close), HTTP/1.0 and 1.1, GET and HEAD of /metrics (a query string is ignored). A request line or header that
 * does not parse is 400, HTTP/1.1 without Host is 400, another version 505, another method 405 (with Allow),
 * another path 404, a request head over 8 KiB 431; a client that sends nothing for 5 s is dropped. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/metrics.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"

#define REQUEST_MAX 8192
#define CLIENT_TIMEOUT_S 5

static volatile sig_atomic_t stop_signal;

static void
on_stop (int sig)
{
  stop_signal = sig;
}

static gboolean
valid_prefix (const char *p)
{
  for (const char *c = p; *c != '\0'; c++)
    if (!(g_ascii_isalpha (*c) || *c == '_' || *c == ':' || (c != p && g_ascii_isdigit (*c))))
      return FALSE;
  return TRUE;
}

static gboolean
is_loopback (const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET)
    return (ntohl (((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK (&((const struct sockaddr_in6 *) sa)->sin6_addr);
  return FALSE;
}

/* Bind and listen on addr. *unix_path is set to the socket's path for a unix address (removed at exit). */
static int
listen_on (const char *addr, char **unix_path, GError **error)
{
  autofd int fd = -1;

  if (g_str_has_prefix (addr, "unix:"))
    {
      const char *path = addr + 5;
      struct sockaddr_un sun = { .sun_family = AF_UNIX };
      struct stat st;

      if (!g_path_is_absolute (path))
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "--metric-server %s: the unix socket path must be absolute",
                           addr);
          return -1;
        }
      if (strlen (path) >= sizeof sun.sun_path)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "--metric-server %s: path longer than %zu bytes", addr,
                           sizeof sun.sun_path - 1);
          return -1;
        }
      strcpy (sun.sun_path, path);
      if (lstat (path, &st) == 0)
        {
          autofd int probe = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
          if (!S_ISSOCK (st.st_mode))
            {
              runsc_error_set (error, RUNSC_ERROR_EXISTS, "--metric-server %s: %s exists and is not a socket", addr,
                               path);
              return -1;
            }
          if (probe >= 0 && connect (probe, (struct sockaddr *) &sun, sizeof sun) == 0)
            {
              runsc_error_set (error, RUNSC_ERROR_EXISTS, "--metric-server %s: a server already listens on %s",
                               addr, path);
              return -1;
            }
          unlink (path); /* a stale socket of a server that is gone */
        }
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || bind (fd, (struct sockaddr *) &sun, sizeof sun) < 0)
        {
          runsc_error_errno (error, errno, "--metric-server %s: bind", addr);
          return -1;
        }
      chmod (path, 0600);
      *unix_path = g_strdup (path);
    }
  else
    {
      g_autofree char *host = NULL;
      const char *colon = strrchr (addr, ':');
      const char *port;
      struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
      struct addrinfo *res = NULL;
      char *end;
      long n;
      int r, one = 1;

      if (colon == NULL || colon == addr)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID,
                           "--metric-server %s: expected a loopback HOST:PORT (such as 127.0.0.1:9100) or unix:PATH",
                           addr);
          return -1;
        }
      port = colon + 1;
      n = strtol (port, &end, 10);
      if (*port == '\0' || *end != '\0' || n < 0 || n > 65535)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "--metric-server %s: invalid port \"%s\"", addr, port);
          return -1;
        }
      host = g_strndup (addr, colon - addr);
      if (host[0] == '[' && host[strlen (host) - 1] == ']')
        {
          char *inner = g_strndup (host + 1, strlen (host) - 2);
          g_free (host);
          host = inner;
        }
      r = getaddrinfo (host, port, &hints, &res);
      if (r != 0)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "--metric-server %s: %s", addr, gai_strerror (r));
          return -1;
        }
      if (!is_loopback (res->ai_addr))
        {
          freeaddrinfo (res);
          runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                           "--metric-server %s: not a loopback address; the metrics name every sandbox of the host, "
                           "so only 127.0.0.0/8, ::1 or unix:PATH are served", addr);
          return -1;
        }
      fd = socket (res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd >= 0)
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (fd < 0 || bind (fd, res->ai_addr, res->ai_addrlen) < 0)
        {
          int e = errno;
          freeaddrinfo (res);
          runsc_error_errno (error, e, "--metric-server %s: bind", addr);
          return -1;
        }
      freeaddrinfo (res);
    }
  if (listen (fd, 16) < 0)
    {
      runsc_error_errno (error, errno, "--metric-server %s: listen", addr);
      return -1;
    }
  return steal_fd (&fd);
}

static void
send_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      data += n;
      len -= (size_t) n;
    }
}

static void
respond (int fd, const char *status, const char *extra_headers, const char *type, const char *body,
         gboolean head_only)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                                           "Connection: close\r\n\r\n",
                                           status, type, strlen (body), extra_headers != NULL ? extra_headers : "");
  send_all (fd, head, strlen (head));
  if (!head_only)
    send_all (fd, body, strlen (body));
}

static void
respond_error (int fd, const char *status, const char *extra_headers)
{
  g_autofree char *body = g_strdup_printf ("%s\n", status);
  respond (fd, status, extra_headers, "text/plain; charset=utf-8", body, FALSE);
}

/* Read the request head (up to the blank line). Returns its length, 0 when the client sent nothing usable in
 * time, -1 when it is too long. */
static gssize
read_head (int fd, char *buf, size_t size)
{
  size_t got = 0;

  while (got < size - 1)
    {
      ssize_t n = recv (fd, buf + got, size - 1 - got, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return 0;
      got += (size_t) n;
      buf[got] = '\0';
      if (strstr (buf, "\r\n\r\n") != NULL || strstr (buf, "\n\n") != NULL)
        return (gssize) got;
    }
  return -1;
}

static void
serve_client (int fd, const char *root, const char *prefix)
{
  char buf[REQUEST_MAX + 1];
  struct timeval tv = { CLIENT_TIMEOUT_S, 0 };
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) words = NULL;
  gboolean head, has_host = FALSE;
  g_autofree char *path = NULL;
  gssize len;
  char *q;

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  len = read_head (fd, buf, sizeof buf);
  if (len == 0)
    return;
  if (len < 0)
    {
      respond_error (fd, "431 Request Header Fields Too Large", NULL);
      return;
    }
  /* Lines end with CRLF (a bare LF is tolerated, as RFC 9112 allows); the head ends at the first empty one. */
  for (char *p = buf; *p != '\0'; p++)
    if (*p == '\r' && p[1] == '\n')
      *p = ' ';
  lines = g_strsplit (buf, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    g_strchomp (lines[i]);
  words = g_strsplit (lines[0], " ", -1);
  if (g_strv_length (words) != 3 || words[0][0] == '\0' || words[1][0] == '\0')
    {
      respond_error (fd, "400 Bad Request", NULL);
      return;
    }
  if (!g_str_has_prefix (words[2], "HTTP/") || strlen (words[2]) != 8 || !g_ascii_isdigit (words[2][5])
      || words[2][6] != '.' || !g_ascii_isdigit (words[2][7]))
    {
      respond_error (fd, "400 Bad Request", NULL);
      return;
    }
  if (strcmp (words[2], "HTTP/1.0") != 0 && strcmp (words[2], "HTTP/1.1") != 0)
    {
      respond_error (fd, "505 HTTP Version Not Supported", NULL);
      return;
    }
  for (int i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      char *colon = strchr (lines[i], ':');
      if (colon == NULL || colon == lines[i] || g_ascii_isspace (colon[-1]) || g_ascii_isspace (lines[i][0]))
        {
          respond_error (fd, "400 Bad Request", NULL);
          return;
        }
      if (g_ascii_strncasecmp (lines[i], "host:", 5) == 0)
        has_host = TRUE;
    }
  if (strcmp (words[2], "HTTP/1.1") == 0 && !has_host)
    {
      respond_error (fd, "400 Bad Request", NULL);
      return;
    }
  head = strcmp (words[0], "HEAD") == 0;
  if (!head && strcmp (words[0], "GET") != 0)
    {
      respond_error (fd, "405 Method Not Allowed", "Allow: GET, HEAD\r\n");
      return;
    }
  path = g_strdup (words[1]);
  q = strchr (path, '?');
  if (q != NULL)
    *q = '\0';
  if (strcmp (path, "/metrics") != 0)
    {
      respond_error (fd, "404 Not Found", NULL);
      return;
    }
  {
    g_autofree char *body = metrics_render (root, prefix);
    respond (fd, "200 OK", NULL, METRICS_CONTENT_TYPE, body, head);
  }
}

static void
log_address (int fd, const char *addr)
{
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  char host[INET6_ADDRSTRLEN] = "";
  int port = 0;

  if (getsockname (fd, (struct sockaddr *) &ss, &sl) < 0 || ss.ss_family == AF_UNIX)
    {
      log_info ("metric-server: serving %s", addr);
      return;
    }
  if (ss.ss_family == AF_INET)
    {
      inet_ntop (AF_INET, &((struct sockaddr_in *) &ss)->sin_addr, host, sizeof host);
      port = ntohs (((struct sockaddr_in *) &ss)->sin_port);
      log_info ("metric-server: serving http://%s:%d/metrics", host, port);
    }
  else
    {
      inet_ntop (AF_INET6, &((struct sockaddr_in6 *) &ss)->sin6_addr, host, sizeof host);
      port = ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);
      log_info ("metric-server: serving http://[%s]:%d/metrics", host, port);
    }
}

static char *
substitute_root (const char *addr, const char *root)
{
  g_auto (GStrv) parts = g_strsplit (addr, "%RUNTIME_ROOT%", -1);
  return g_strjoinv (root, parts);
}

int
cmd_metric_server (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *addr_flag = NULL, *prefix = NULL, *pid_file = NULL, *addr = NULL, *unix_path = NULL;
  gboolean allow_unknown_root = FALSE, profile = FALSE, done;
  const RunscFlag flags[] = {
    { "metric-server", RUNSC_FLAG_STRING, &addr_flag, "ADDR",
      "loopback HOST:PORT or unix:/PATH to serve on (default: the global --metric-server)" },
    { "exporter-prefix", RUNSC_FLAG_STRING, &prefix, "PREFIX", "prefix of every metric name (default runsc_)" },
    { "pid-file", RUNSC_FLAG_STRING, &pid_file, "FILE", "write the server's pid to FILE (removed at exit)" },
    { "allow-unknown-root", RUNSC_FLAG_BOOL, &allow_unknown_root, NULL, "serve even when --root does not exist" },
    { "expose-profile-endpoints", RUNSC_FLAG_BOOL, &profile, NULL, "not supported: only false is accepted" },
    { "", 0, NULL, NULL, NULL },
  };
  struct sigaction sa;
  autofd int listener = -1;
  int idx, rc = 0;

  idx = cli_parse (g, flags, argc, argv, 0, 0, "metric-server [--metric-server ADDR] [flags]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (profile)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "--expose-profile-endpoints: there are no profiles to serve");
      return -1;
    }
  if (prefix == NULL)
    prefix = g_strdup ("runsc_");
  if (!valid_prefix (prefix))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "--exporter-prefix %s: a metric name may hold only letters, digits, _ and : (no leading "
                       "digit)", prefix);
      return -1;
    }
  if (addr_flag == NULL && g->metric_server != NULL)
    addr_flag = g_strdup (g->metric_server);
  if (addr_flag == NULL || *addr_flag == '\0')
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "metric-server: no address: give --metric-server=HOST:PORT (loopback) or unix:/PATH");
      return -1;
    }
  if (!allow_unknown_root && !g_file_test (g->root, G_FILE_TEST_IS_DIR))
    {
      runsc_error_set (error, RUNSC_ERROR_NOT_FOUND,
                       "metric-server: root %s does not exist (--allow-unknown-root serves it anyway)", g->root);
      return -1;
    }
  addr = substitute_root (addr_flag, g->root);
  listener = listen_on (addr, &unix_path, error);
  if (listener < 0)
    return -1;
  if (pid_file != NULL && *pid_file != '\0')
    {
      g_autofree char *text = g_strdup_printf ("%d", (int) getpid ());
      if (!runsc_write_file_atomic (pid_file, text, -1, 0644, error))
        {
          if (unix_path != NULL)
            unlink (unix_path);
          return -1;
        }
    }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop; /* no SA_RESTART: poll returns EINTR */
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);
  log_address (listener, addr);

  while (!stop_signal)
    {
      struct pollfd p = { listener, POLLIN, 0 };
      int conn;

      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          runsc_error_errno (error, errno, "metric-server: poll");
          rc = -1;
          break;
        }
      conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
      if (conn < 0)
        {
          if (errno != EINTR && errno != ECONNABORTED)
            log_warning ("metric-server: accept: %s", g_strerror (errno));
          continue;
        }
      serve_client (conn, g->root, prefix);
      shutdown (conn, SHUT_WR);
      close (conn);
    }
  if (stop_signal)
    log_info ("metric-server: stopped by signal %d", (int) stop_signal);
  if (unix_path != NULL)
    unlink (unix_path);
  if (pid_file != NULL && *pid_file != '\0')
    unlink (pid_file);
  return rc;
}
