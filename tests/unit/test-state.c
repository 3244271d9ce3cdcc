/* Unit tests for the state store (src/oci/state.c): IDs, create/lock/list/remove, atomic writes, the lock
 * serialising two processes, and a dead or reused sandbox pid reported stopped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/sandbox-status.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/control.h"

static char *
make_root (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-state-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_root (const char *root)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (cmd), ==, 0);
}

static RunscState *
sample_state (const char *id)
{
  RunscState *st = runsc_state_new ();

  st->id = g_strdup (id);
  st->bundle = g_strdup ("/b");
  st->rootfs = g_strdup ("/b/rootfs");
  st->created = runsc_rfc3339_now ();
  st->owner = g_strdup ("root");
  st->sandbox_id = g_strdup (id);
  st->config_path = g_strdup ("/b/config.json");
  g_hash_table_insert (st->annotations, g_strdup ("k\"ey"), g_strdup ("va\nlue"));
  return st;
}

static void
test_validate_id (void)
{
  const char *good[] = { "a", "abc-DEF_1.2+3", "x.y", "..a", NULL };
  const char *bad[] = { "", ".", "..", "a/b", "/a", "a b", "a:b", "../x", "a\n", NULL };
  g_autofree char *too_long = g_strnfill (1025, 'a');
  int i;

  for (i = 0; good[i] != NULL; i++)
    g_assert_true (state_validate_id (good[i], NULL));
  for (i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (state_validate_id (bad[i], &error));
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
    }
  g_assert_false (state_validate_id (NULL, NULL));
  g_assert_false (state_validate_id (too_long, NULL));
}

static void
test_create_save_load_remove (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *nested = g_build_filename (root, "a", "b", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = NULL;
  g_autoptr (StateDir) again = NULL;
  g_autoptr (RunscState) st = sample_state ("c1");
  g_autoptr (RunscState) loaded = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GDir) dir = NULL;
  struct stat sb;
  const char *name;

  /* The root is created with its parents; the container directory is 0711. */
  d = state_dir_create (nested, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_cmpint (stat (d->path, &sb), ==, 0);
  g_assert_cmpint (sb.st_mode & 07777, ==, 0711);

  again = state_dir_create (nested, "c1", &error);
  g_assert_null (again);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==, "container with id c1 already exists");
  g_clear_error (&error);

  /* No state yet: load says so. */
  g_assert_null (state_load (d, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  st->sandbox_pid = 1234;
  st->sandbox_start_time = 987654321;
  st->init_pid = 1240;
  g_assert_true (state_save (d, st, &error));
  g_assert_no_error (error);
  /* Atomic write: only state.json is there, no temp file left over. */
  dir = g_dir_open (d->path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_cmpstr (name, ==, STATE_FILE);

  loaded = state_load (d, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->id, ==, "c1");
  g_assert_cmpstr (loaded->bundle, ==, "/b");
  g_assert_cmpstr (loaded->rootfs, ==, "/b/rootfs");
  g_assert_cmpstr (loaded->created, ==, st->created);
  g_assert_cmpstr (loaded->owner, ==, "root");
  g_assert_cmpstr (loaded->sandbox_id, ==, "c1");
  g_assert_cmpstr (loaded->config_path, ==, "/b/config.json");
  g_assert_cmpint (loaded->sandbox_pid, ==, 1234);
  g_assert_cmpuint (loaded->sandbox_start_time, ==, 987654321);
  g_assert_cmpint (loaded->init_pid, ==, 1240);
  g_assert_cmpstr (g_hash_table_lookup (loaded->annotations, "k\"ey"), ==, "va\nlue");

  ids = state_list_ids (nested, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, "c1");

  g_assert_true (state_dir_remove (d, &error));
  g_assert_no_error (error);
  g_assert_cmpint (access (d->path, F_OK), ==, -1);
  g_clear_pointer (&d, state_dir_free);

  g_assert_null (state_dir_open (nested, "c1", &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "container c1 does not exist");
  g_clear_error (&error);
  g_assert_null (state_dir_open (nested, "../etc", &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  remove_root (root);
}

static void
test_list (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *missing = g_build_filename (root, "nope", NULL);
  g_autofree char *stray = g_build_filename (root, "file", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  const char *names[] = { "b", "a", "c" };
  gsize i;

  ids = state_list_ids (missing, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (StateDir) d = state_dir_create (root, names[i], &error);
      g_assert_no_error (error);
    }
  g_assert_true (g_file_set_contents (stray, "x", 1, NULL));
  ids = state_list_ids (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (ids->pdata[0], ==, "a");
  g_assert_cmpstr (ids->pdata[1], ==, "b");
  g_assert_cmpstr (ids->pdata[2], ==, "c");
  remove_root (root);
}

/* Fork a process that contends for the lock on root's container "c" (held through d): it lets go of the
 * descriptor it inherited (which shares the parent's lock), tells the parent it is running, and exits with
 * contend (root, arg). Returns in the parent once the child runs. */
static pid_t
fork_contender (StateDir *d, int (*contend) (const char *root, const char *arg), const char *root, const char *arg)
{
  int ready[2];
  pid_t child;
  char c;

  g_assert_cmpint (pipe (ready), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      close (d->dirfd);
      close (ready[0]);
      if (write (ready[1], "r", 1) != 1)
        _exit (3);
      _exit (contend (root, arg));
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  close (ready[0]);
  return child;
}

static void
assert_exited_0 (pid_t child)
{
  int wstatus;

  g_assert_cmpint (waitpid (child, &wstatus, 0), ==, child);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
}

/* 0 when the lock, once had, shows the marker file that its previous holder wrote. */
static int
open_sees_marker (const char *root, const char *marker)
{
  StateDir *mine = state_dir_open (root, "c", NULL); /* blocks until the parent lets go */

  if (mine == NULL)
    return 2;
  return access (marker, F_OK) == 0 ? 0 : 1;
}

/* Two processes: the second blocks on the lock until the first releases it, and sees what the first wrote. */
static void
test_lock_serialises (void)
{
  g_autofree char *root = make_root ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_create (root, "c", &error);
  g_autofree char *marker = g_build_filename (d->path, "marker", NULL);
  int wstatus;
  pid_t child;

  g_assert_no_error (error);
  child = fork_contender (d, open_sees_marker, root, marker);
  g_usleep (200 * 1000);
  /* The child must still be waiting for the lock. */
  g_assert_cmpint (waitpid (child, &wstatus, WNOHANG), ==, 0);
  g_assert_true (g_file_set_contents (marker, "1", 1, NULL));
  g_clear_pointer (&d, state_dir_free);
  assert_exited_0 (child);
  remove_root (root);
}

/* 0 when opening the container fails with "does not exist". */
static int
open_finds_it_gone (const char *root, const char *unused)
{
  GError *err = NULL;

  if (state_dir_open (root, "c", &err) != NULL)
    return 1;
  return g_error_matches (err, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND) ? 0 : 2;
}

/* A command that waited for the lock while the container was deleted gets "does not exist". */
static void
test_lock_after_delete (void)
{
  g_autofree char *root = make_root ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_create (root, "c", &error);
  pid_t child;

  g_assert_no_error (error);
  child = fork_contender (d, open_finds_it_gone, root, NULL);
  g_usleep (100 * 1000);
  g_assert_true (state_dir_remove (d, &error));
  g_clear_pointer (&d, state_dir_free);
  /* Either it opened the directory before removal and waited (2nd check), or it found it gone: both 0. */
  assert_exited_0 (child);
  remove_root (root);
}

/* A dead sandbox pid, or a live pid with another start time (pid reuse), is stopped, never running. */
static void
test_stale_pid_is_stopped (void)
{
  g_autofree char *root = make_root ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_create (root, "c", &error);
  g_autoptr (RunscState) st = sample_state ("c");
  g_autofree char *json = NULL;
  pid_t child;
  int es;

  g_assert_no_error (error);
  child = fork ();
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  st->sandbox_pid = child;
  st->sandbox_start_time = 0;
  g_assert_cmpstr (state_status (d, st, &es), ==, "stopped");
  g_assert_cmpint (es, ==, -1);

  /* Our own pid, but the start time of some other process: pid reuse. */
  st->sandbox_pid = getpid ();
  st->sandbox_start_time = runsc_process_start_time (getpid ()) + 1;
  g_assert_cmpstr (state_status (d, st, NULL), ==, "stopped");

  /* A live process with the right start time but no control socket, which does not exit: not known to be
   * stopped (test_unanswering_sentry has the rest). */
  st->sandbox_start_time = runsc_process_start_time (getpid ());
  g_assert_cmpstr (state_status_timeout (d, st, NULL, 100), ==, "unknown");

  /* The exit status the Sentry leaves behind is reported. */
  {
    g_autofree char *path = g_build_filename (d->path, STATE_EXIT_FILE, NULL);
    g_assert_true (g_file_set_contents (path, "137\n", -1, NULL));
    st->sandbox_pid = child;
    g_assert_cmpstr (state_status (d, st, &es), ==, "stopped");
    g_assert_cmpint (es, ==, 137);
  }

  json = state_oci_json (st, "stopped", TRUE);
  g_assert_nonnull (strstr (json, "\"status\": \"stopped\""));
  g_assert_nonnull (strstr (json, "\"pid\": 0,"));
  g_assert_nonnull (strstr (json, "\"ociVersion\": \"" OCI_SPEC_VERSION "\""));
  g_assert_nonnull (strstr (json, "\"k\\\"ey\": \"va\\nlue\""));
  remove_root (root);
}

typedef struct
{
  int listener;
  int delay_ms;
  const char *answer; /* a status, or NULL for {"ok": false} */
} FakeSentry;

/* One connection of a Sentry that takes delay_ms to answer "state". */
static gpointer
fake_sentry_main (gpointer data)
{
  FakeSentry *f = data;
  autofd int conn = accept4 (f->listener, NULL, NULL, SOCK_CLOEXEC);
  g_autoptr (JsonObject) req = NULL;
  g_autoptr (JsonObject) reply = json_object_new ();

  g_assert_cmpint (conn, >=, 0);
  req = control_recv (conn, NULL, 0, NULL);
  g_assert_nonnull (req);
  g_assert_cmpstr (json_object_get_string_member (req, "cmd"), ==, "state");
  g_usleep ((gulong) f->delay_ms * 1000);
  if (f->answer == NULL)
    control_reply_error (conn, "no container c in this sandbox");
  else
    {
      json_object_set_string_member (reply, "status", f->answer);
      control_reply_ok (conn, reply);
    }
  return NULL;
}

/* A live Sentry that answers slowly, or not at all, is never reported stopped; one that goes away while it
 * does not answer (it was exiting), or that answers with an error, is. */
static void
test_unanswering_sentry (void)
{
  g_autofree char *root = make_root ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_create (root, "c", &error);
  g_autoptr (RunscState) st = sample_state ("c");
  FakeSentry f = { -1, 0, NULL };
  GThread *t;
  pid_t child;
  gint64 t0;

  g_assert_no_error (error);
  st->sandbox_pid = getpid ();
  st->sandbox_start_time = runsc_process_start_time (getpid ());

  /* No socket at all, and the process stays: unknown (after the grace for an exiting Sentry). */
  t0 = g_get_monotonic_time ();
  g_assert_cmpstr (state_status (d, st, NULL), ==, "unknown");
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, STATE_EXIT_GRACE_MS * 1000);

  /* Busy for a second, then answers: its answer. */
  f.listener = control_listen (d->dirfd, &error);
  g_assert_no_error (error);
  f.delay_ms = 1000;
  f.answer = "running";
  t = g_thread_new ("sentry", fake_sentry_main, &f);
  g_assert_cmpstr (state_status (d, st, NULL), ==, "running");
  g_thread_join (t);

  /* Answers with an error (no such container): stopped. */
  f.delay_ms = 0;
  f.answer = NULL;
  t = g_thread_new ("sentry", fake_sentry_main, &f);
  g_assert_cmpstr (state_status (d, st, NULL), ==, "stopped");
  g_thread_join (t);

  /* Listening but never answering (the connection waits in the backlog): unknown once the wait is over. */
  g_assert_cmpstr (state_status_timeout (d, st, NULL, 300), ==, "unknown");

  /* Never answering, but exits meanwhile (a Sentry on its way out): stopped, with its exit status. The wait is
   * long beside the child's life, so that a slow machine (or an ASan build) does not race it. */
  child = fork ();
  if (child == 0)
    {
      g_usleep (100000);
      _exit (0);
    }
  st->sandbox_pid = child;
  st->sandbox_start_time = runsc_process_start_time (child);
  {
    g_autofree char *path = g_build_filename (d->path, STATE_EXIT_FILE, NULL);
    int es;
    g_assert_true (g_file_set_contents (path, "3\n", -1, NULL));
    g_assert_cmpstr (state_status_timeout (d, st, &es, 1500), ==, "stopped");
    g_assert_cmpint (es, ==, 3);
  }
  waitpid (child, NULL, 0);
  close (f.listener);
  remove_root (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  state_set_status_query (cli_sandbox_status_query);
  g_test_add_func ("/state/validate-id", test_validate_id);
  g_test_add_func ("/state/create-save-load-remove", test_create_save_load_remove);
  g_test_add_func ("/state/list", test_list);
  g_test_add_func ("/state/lock-serialises", test_lock_serialises);
  g_test_add_func ("/state/lock-after-delete", test_lock_after_delete);
  g_test_add_func ("/state/stale-pid-is-stopped", test_stale_pid_is_stopped);
  g_test_add_func ("/state/unanswering-sentry", test_unanswering_sentry);
  return g_test_run ();
}
