/* containerd-shim-runsc-v1 (see main.h and man/containerd-shim-runsc-v1.8). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stddef.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "shim/bundle.h"
#include "shim/events.h"
#include "shim/main.h"
#include "shim/options.h"
#include "shim/reaper.h"
#include "shim/runsc-client.h"
#include "shim/task-service.h"
#include "shim/ttrpc.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

#define SOCKET_DIR "/run/containerd/s"
#define DEFAULT_ADDRESS "/run/containerd/containerd.sock"
#define ANNOTATION_GROUP "io.containerd.runc.v2.group"
#define ANNOTATION_SANDBOX_ID "io.kubernetes.cri.sandbox-id"
#define DELETE_TIMEOUT_MS 4000

gboolean
shim_parse_flags (int argc, char **argv, ShimFlags *f, GError **error)
{
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      g_autofree char *name = NULL;
      const char *value = NULL;
      char **target = NULL;

      if (a[0] != '-' || a[1] == '\0')
        {
          if (f->command != NULL)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "unexpected argument %s", a);
          if (strcmp (a, "start") != 0 && strcmp (a, "delete") != 0)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "unknown command %s", a);
          f->command = a;
          continue;
        }
      a += a[1] == '-' ? 2 : 1;
      if (strchr (a, '='))
        {
          name = g_strndup (a, strchr (a, '=') - a);
          value = strchr (a, '=') + 1;
        }
      else
        name = g_strdup (a);
      if (strcmp (name, "debug") == 0)
        {
          f->debug = value == NULL || strcmp (value, "true") == 0 || strcmp (value, "1") == 0;
          continue;
        }
      if (strcmp (name, "v") == 0 || strcmp (name, "version") == 0)
        {
          f->version = TRUE;
          continue;
        }
      if (strcmp (name, "namespace") == 0)
        target = &f->namespace_;
      else if (strcmp (name, "address") == 0)
        target = &f->address;
      else if (strcmp (name, "publish-binary") == 0)
        target = &f->publish_binary;
      else if (strcmp (name, "id") == 0)
        target = &f->id;
      else if (strcmp (name, "bundle") == 0)
        target = &f->bundle;
      else if (strcmp (name, "socket") == 0)
        target = &f->socket;
      else if (strcmp (name, "info") == 0)
        {
          f->info = TRUE;
          continue;
        }
      else if (strcmp (name, "debug-socket") == 0)
        {
          /* containerd 2.x: accepted and ignored. */
          if (value == NULL && i + 1 < argc)
            i++;
          continue;
        }
      else
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "flag provided but not defined: -%s", name);
      if (value == NULL)
        {
          if (i + 1 >= argc)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "flag needs an argument: -%s", name);
          value = argv[++i];
        }
      g_free (*target);
      *target = g_strdup (value);
    }
  return TRUE;
}

char *
shim_socket_address (const char *address, const char *ns, const char *key)
{
  g_autofree char *joined = g_strdup_printf ("%s/%s/%s", address, ns, key);
  g_autofree char *sum = NULL;
  GString *clean = g_string_new (NULL);

  /* filepath.Join cleans repeated slashes. */
  for (const char *p = joined; *p; p++)
    if (!(*p == '/' && clean->len > 0 && clean->str[clean->len - 1] == '/'))
      g_string_append_c (clean, *p);
  if (clean->len > 1 && clean->str[clean->len - 1] == '/')
    g_string_truncate (clean, clean->len - 1);
  sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, clean->str, clean->len);
  g_string_free (clean, TRUE);
  return g_strdup_printf ("unix://%s/%s", SOCKET_DIR, sum);
}

static const char *
socket_path (const char *address)
{
  return g_str_has_prefix (address, "unix://") ? address + strlen ("unix://") : address;
}

/* The grouping key from config.json's annotations, or NULL. */
static char *
grouping_key (const char *bundle)
{
  g_autoptr (JsonObject) ann = shim_bundle_annotations (bundle);

  if (ann == NULL)
    return NULL;
  if (json_object_has_member (ann, ANNOTATION_GROUP))
    return g_strdup (json_object_get_string_member (ann, ANNOTATION_GROUP));
  if (json_object_has_member (ann, ANNOTATION_SANDBOX_ID))
    return g_strdup (json_object_get_string_member (ann, ANNOTATION_SANDBOX_ID));
  return NULL;
}

static gboolean
socket_accepts (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  autofd int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  return fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
}

/* Bind and listen; -EADDRINUSE if a live server already owns it. */
static int
listen_socket (const char *path, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  autofd int fd = -1;

  if (strlen (path) >= sizeof addr.sun_path)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "socket path %s too long", path), -EINVAL;
  strcpy (addr.sun_path, path);
  if (!runsc_mkdir_p (SOCKET_DIR, 0700, error))
    return -EIO;
  for (int attempt = 0; attempt < 2; attempt++)
    {
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return runsc_error_errno (error, errno, "socket"), -EIO;
      if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
        {
          if (chmod (path, 0600) < 0 || listen (fd, 128) < 0)
            return runsc_error_errno (error, errno, "listen on %s", path), -EIO;
          return steal_fd (&fd);
        }
      if (errno != EADDRINUSE)
        return runsc_error_errno (error, errno, "bind %s", path), -EIO;
      if (socket_accepts (path))
        return -EADDRINUSE;
      /* A stale socket from a dead shim. */
      close (steal_fd (&fd));
      unlink (path);
    }
  return runsc_error_set (error, RUNSC_ERROR_FAILED, "bind %s: address in use", path), -EIO;
}

static gboolean
read_all_stdin (GByteArray **out)
{
  GByteArray *b = g_byte_array_new ();
  guint8 buf[4096];
  ssize_t n;
  while ((n = read (0, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      g_byte_array_append (b, buf, n);
    }
  *out = b;
  return TRUE;
}

static void
adjust_oom_score (pid_t child)
{
  g_autofree char *text = NULL;
  g_autofree char *path = g_strdup_printf ("/proc/%d/oom_score_adj", (int) child);
  g_autofree char *value = NULL;
  int score;

  if (!g_file_get_contents ("/proc/self/oom_score_adj", &text, NULL, NULL))
    return;
  score = atoi (text);
  if (score < 1000)
    score++;
  value = g_strdup_printf ("%d", score);
  if (!g_file_set_contents (path, value, -1, NULL))
    log_debug ("set oom_score_adj of the shim: failed");
}

static int
cmd_start (ShimFlags *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) opts_any = NULL;
  g_autoptr (ShimOptions) opts = shim_options_new (f->namespace_);
  g_autofree char *bundle = f->bundle ? g_strdup (f->bundle) : g_get_current_dir ();
  g_autofree char *key = NULL;
  g_autofree char *address = NULL;
  g_autofree char *address_file = g_build_filename (bundle, "address", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *path;
  int listen_fd;
  int fds[3] = { -1, -1, -1 };
  pid_t pid;

  read_all_stdin (&opts_any);
  if (!shim_options_apply_any (opts, opts_any->data, opts_any->len, f->namespace_, &error))
    {
      /* Not fatal here: Create reports it to containerd with the same message. */
      g_clear_error (&error);
    }
  if (opts->grouping)
    key = grouping_key (bundle);
  if (key == NULL)
    key = g_strdup (f->id);
  address = shim_socket_address (f->address, f->namespace_, key);
  path = socket_path (address);

  listen_fd = listen_socket (path, &error);
  if (listen_fd == -EADDRINUSE)
    {
      /* Another shim serves this pod: reuse it. */
      if (!runsc_write_file_atomic (address_file, address, -1, 0644, &error))
        goto fail;
      printf ("%s", address);
      return 0;
    }
  if (listen_fd < 0)
    goto fail;
  if (!runsc_write_file_atomic (address_file, address, -1, 0644, &error))
    {
      unlink (path);
      goto fail;
    }
  g_ptr_array_add (argv, self ? self : (char *) "/proc/self/exe");
  g_ptr_array_add (argv, (char *) "-namespace");
  g_ptr_array_add (argv, f->namespace_);
  g_ptr_array_add (argv, (char *) "-id");
  g_ptr_array_add (argv, f->id);
  g_ptr_array_add (argv, (char *) "-address");
  g_ptr_array_add (argv, f->address);
  if (f->publish_binary)
    {
      g_ptr_array_add (argv, (char *) "-publish-binary");
      g_ptr_array_add (argv, f->publish_binary);
    }
  if (f->debug)
    g_ptr_array_add (argv, (char *) "-debug");
  g_ptr_array_add (argv, NULL);
  pid = shim_spawn ((const char *const *) argv->pdata, NULL, fds, &listen_fd, 1, bundle, TRUE, &error);
  close (listen_fd);
  if (pid < 0)
    {
      unlink (path);
      goto fail;
    }
  if (opts->shim_cgroup)
    {
      g_autofree char *procs = g_build_filename (opts->shim_cgroup, "cgroup.procs", NULL);
      g_autofree char *v = g_strdup_printf ("%d", (int) pid);
      if (!g_path_is_absolute (opts->shim_cgroup))
        {
          g_free (procs);
          procs = g_build_filename ("/sys/fs/cgroup", opts->shim_cgroup, "cgroup.procs", NULL);
        }
      if (!g_file_set_contents (procs, v, -1, NULL))
        log_debug ("move shim to %s: failed", procs);
    }
  adjust_oom_score (pid);
  printf ("%s", address);
  return 0;

fail:
  fprintf (stderr, "%s\n", error->message);
  return 1;
}

/* `delete`: clean up after a shim that is gone; idempotent; DeleteResponse on stdout. */
static int
cmd_delete (ShimFlags *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bundle = f->bundle ? g_strdup (f->bundle) : g_get_current_dir ();
  g_autoptr (ShimOptions) opts = shim_options_load_saved (bundle, f->namespace_, &error);
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *pid_file = g_build_filename (bundle, "init.pid", NULL);
  g_autofree char *state = NULL;
  Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  g_autofree guint8 *buf = NULL;
  gint64 now = g_get_real_time ();
  size_t n;
  pid_t pid;

  if (opts == NULL)
    {
      g_clear_error (&error);
      opts = shim_options_new (f->namespace_);
    }
  pid = g_file_test (pid_file, G_FILE_TEST_EXISTS) ? runsc_read_pid_file (pid_file, NULL) : 0;
  state = g_build_filename (opts->root, f->id, NULL);
  if (g_file_test (state, G_FILE_TEST_EXISTS))
    {
      /* Something is left in runsc's state: force-delete it, within containerd's 5 s. */
      RunscCtx ctx = { opts, f->id, NULL };
      const char *args[] = { "delete", "--force", f->id, NULL };
      g_autoptr (GPtrArray) argv = runsc_build_argv (&ctx, args);
      int fds[3] = { -1, -1, 2 };
      pid_t child = shim_spawn ((const char *const *) argv->pdata, NULL, fds, NULL, 0, NULL, FALSE, &error);
      if (child < 0)
        fprintf (stderr, "%s\n", error->message);
      else if (runsc_wait_deadline (child, g_get_monotonic_time () + DELETE_TIMEOUT_MS * 1000) == -2)
        fprintf (stderr, "%s delete %s: timed out\n", opts->binary_name, f->id);
    }
  for (int i = 0; i < 32 && umount2 (rootfs, MNT_DETACH) == 0; i++)
    ;
  /* A shim that died leaves its socket: remove it, unless a live shim (the pod's) still serves it. */
  {
    g_autofree char *address_file = g_build_filename (bundle, "address", NULL);
    g_autofree char *address = NULL;
    if (g_file_get_contents (address_file, &address, NULL, NULL))
      {
        const char *path = socket_path (g_strstrip (address));
        if (g_str_has_prefix (path, SOCKET_DIR "/") && !socket_accepts (path))
          unlink (path);
      }
  }
  resp.pid = pid > 0 ? pid : 0;
  resp.exit_status = 128 + SIGKILL;
  ts.seconds = now / G_USEC_PER_SEC;
  ts.nanos = (now % G_USEC_PER_SEC) * 1000;
  resp.exited_at = &ts;
  n = protobuf_c_message_get_packed_size (&resp.base);
  buf = g_malloc (n + 1);
  protobuf_c_message_pack (&resp.base, buf);
  fwrite (buf, 1, n, stdout);
  fflush (stdout);
  return 0;
}

typedef struct
{
  GMainLoop *loop;
  TtrpcServer *server;
  ShimService *svc;
  gint64 idle_since; /* monotonic µs since when nothing was served, or 0 */
} ServeState;

/* A shim that manages no container and has no client (containerd gave up on it without Shutdown, as after a
 * failed create whose caller went away) exits after IDLE_EXIT_S, so that none is left behind. */
#define IDLE_EXIT_S 30

static gboolean
on_idle_check (gpointer data)
{
  ServeState *s = data;
  gint64 now = g_get_monotonic_time ();

  if (shim_service_n_containers (s->svc) > 0 || ttrpc_server_n_connections (s->server) > 0)
    {
      s->idle_since = 0;
      return G_SOURCE_CONTINUE;
    }
  if (s->idle_since == 0)
    s->idle_since = now;
  else if (now - s->idle_since >= (gint64) IDLE_EXIT_S * G_USEC_PER_SEC)
    {
      log_info ("no container and no client for %d s: exiting", IDLE_EXIT_S);
      g_main_loop_quit (s->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit (gpointer data)
{
  ServeState *s = data;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static int
cmd_serve (ShimFlags *f)
{
  g_autoptr (GError) error = NULL;
  ServeState state;
  TtrpcServer *server;
  ShimService *svc;
  int listen_fd = 3;
  int logfd;
  struct sockaddr_un addr;
  socklen_t alen = sizeof addr;
  char sock_path[sizeof addr.sun_path + 1] = "";

  /* containerd reads the log FIFO in the bundle. Non-blocking: a stalled reader must not stall the shim. */
  logfd = open ("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (logfd >= 0)
    {
      dup2 (logfd, 2);
      close (logfd);
    }
  runsc_log_init (NULL, RUNSC_LOG_FORMAT_TEXT, f->debug, NULL);
  runsc_log_set_component ("shim");
  signal (SIGPIPE, SIG_IGN);
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    log_warning ("set child subreaper: %s", g_strerror (errno));
  if (!reaper_init (&error))
    {
      log_error ("%s", error->message);
      return 1;
    }
  if (f->socket)
    {
      listen_fd = listen_socket (socket_path (f->socket), &error);
      if (listen_fd < 0)
        {
          log_error ("%s", error ? error->message : "socket in use");
          return 1;
        }
    }
  if (getsockname (listen_fd, (struct sockaddr *) &addr, &alen) == 0 && addr.sun_family == AF_UNIX
      && alen > offsetof (struct sockaddr_un, sun_path))
    memcpy (sock_path, addr.sun_path, alen - offsetof (struct sockaddr_un, sun_path));
  else
    {
      log_error ("fd %d is not a listening unix socket", listen_fd);
      return 1;
    }
  shim_events_init (g_getenv ("TTRPC_ADDRESS"), f->namespace_);

  state.loop = g_main_loop_new (NULL, FALSE);
  server = ttrpc_server_new ();
  svc = shim_service_new (f->namespace_, on_quit, &state);
  shim_service_register (svc, server);
  ttrpc_server_listen (server, listen_fd);
  state.server = server;
  state.svc = svc;
  state.idle_since = 0;
  g_timeout_add_seconds (5, on_idle_check, &state);
  g_unix_signal_add (SIGTERM, on_quit, &state);
  g_unix_signal_add (SIGINT, on_quit, &state);
  log_info ("serving %s for namespace %s (pid %d)", sock_path, f->namespace_, (int) getpid ());

  g_main_loop_run (state.loop);

  log_info ("shutting down (%u containers)", shim_service_n_containers (svc));
  if (sock_path[0] != '\0')
    unlink (sock_path);
  shim_events_flush (2000);
  ttrpc_server_free (server);
  g_main_loop_unref (state.loop);
  return 0;
}

/* The strings shim_parse_flags made. */
static void
shim_flags_clear (ShimFlags *f)
{
  g_clear_pointer (&f->namespace_, g_free);
  g_clear_pointer (&f->address, g_free);
  g_clear_pointer (&f->publish_binary, g_free);
  g_clear_pointer (&f->id, g_free);
  g_clear_pointer (&f->bundle, g_free);
  g_clear_pointer (&f->socket, g_free);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  ShimFlags f = { 0 };
  int rc;

  if (!shim_parse_flags (argc, argv, &f, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  if (f.version)
    {
      printf ("containerd-shim-runsc-v1:\n  Version: %s\n  Revision: %s\n", PACKAGE_VERSION, GIT_COMMIT);
      return 0;
    }
  if (f.info)
    {
      /* containerd 2.x asks runc.v2 shims (not this one) for a RuntimeInfo; say plainly that there is none. */
      fprintf (stderr, "containerd-shim-runsc-v1: -info is not supported\n");
      return 1;
    }
  if (f.namespace_ == NULL || *f.namespace_ == '\0')
    {
      fprintf (stderr, "shim namespace cannot be empty\n");
      return 1;
    }
  if (f.address == NULL)
    f.address = g_strdup (DEFAULT_ADDRESS);
  if (f.id == NULL && g_strcmp0 (f.command, "start") == 0)
    {
      fprintf (stderr, "shim id cannot be empty\n");
      return 1;
    }
  if (f.command && strcmp (f.command, "start") == 0)
    rc = cmd_start (&f);
  else if (f.command && strcmp (f.command, "delete") == 0)
    rc = cmd_delete (&f);
  else
    rc = cmd_serve (&f);
  shim_flags_clear (&f);
  return rc;
}
