/* Unit tests for src/container/userdb.c: HOME and USER[:GROUP] from a root's own /etc/passwd and /etc/group,
 * read inside that root (an absolute symlink in it does not reach the host's files). */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "container/userdb.h"

static char *
make_root (const char *passwd, const char *group)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-userdb-XXXXXX", &error);
  g_autofree char *etc = NULL, *pw = NULL, *gr = NULL;

  g_assert_no_error (error);
  etc = g_build_filename (dir, "etc", NULL);
  g_assert_cmpint (g_mkdir (etc, 0755), ==, 0);
  pw = g_build_filename (etc, "passwd", NULL);
  gr = g_build_filename (etc, "group", NULL);
  if (passwd != NULL)
    g_assert_true (g_file_set_contents (pw, passwd, -1, NULL));
  if (group != NULL)
    g_assert_true (g_file_set_contents (gr, group, -1, NULL));
  return dir;
}

static void
remove_root (const char *root)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (cmd), ==, 0);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment\n"
                             "short:x:7\n"
                             "alice:x:1000:1001:Alice:/home/alice:/bin/sh\n"
                             "nohome:x:1002:1002:::/bin/sh\n";
static const char group[] = "root:x:0:\n"
                            "staff:x:50:bob,alice\n"
                            "alice:x:1001:\n"
                            "wheel:x:10:alice\n";

static void
test_home (void)
{
  g_autofree char *root = make_root (passwd, group);
  g_autofree char *h0 = userdb_home (root, 0);
  g_autofree char *h1000 = userdb_home (root, 1000);
  g_autofree char *h1002 = userdb_home (root, 1002);
  g_autofree char *h4242 = userdb_home (root, 4242);
  g_autofree char *h7 = userdb_home (root, 7);

  g_assert_cmpstr (h0, ==, "/root");
  g_assert_cmpstr (h1000, ==, "/home/alice");
  g_assert_cmpstr (h1002, ==, "/"); /* an empty directory field */
  g_assert_cmpstr (h4242, ==, "/"); /* no entry */
  g_assert_cmpstr (h7, ==, "/");    /* a short line is no entry */
  remove_root (root);
}

static void
test_home_no_passwd (void)
{
  g_autofree char *root = make_root (NULL, NULL);
  g_autofree char *h = userdb_home (root, 0);
  g_autofree char *missing = userdb_home ("/nonexistent-root-for-userdb", 0);

  g_assert_cmpstr (h, ==, "/");
  g_assert_cmpstr (missing, ==, "/");
  remove_root (root);
}

/* /etc/passwd an absolute symlink to /etc/host-passwd: resolved inside the root, never the host's. */
static void
test_symlink_stays_inside (void)
{
  g_autofree char *root = make_root (NULL, NULL);
  g_autofree char *link = g_build_filename (root, "etc", "passwd", NULL);
  g_autofree char *target = g_build_filename (root, "etc", "mine", NULL);
  g_autofree char *home = NULL, *home_root = NULL;

  g_assert_true (g_file_set_contents (target, "root:x:0:0::/inside-root:/bin/sh\n", -1, NULL));
  g_assert_cmpint (symlink ("/etc/mine", link), ==, 0);
  home_root = userdb_home (root, 0);
  g_assert_cmpstr (home_root, ==, "/inside-root");
  g_assert_cmpint (unlink (link), ==, 0);
  /* The host's /etc/passwd has root; through ../../../ it must still be the root's own (absent) file. */
  g_assert_cmpint (symlink ("../../../../../../../../etc/passwd-none", link), ==, 0);
  home = userdb_home (root, 0);
  g_assert_cmpstr (home, ==, "/");
  remove_root (root);
}

/* A FIFO as /etc/passwd is not read (it would block). */
static void
test_fifo_not_read (void)
{
  g_autofree char *root = make_root (NULL, NULL);
  g_autofree char *pw = g_build_filename (root, "etc", "passwd", NULL);
  g_autofree char *home = NULL;
  uid_t uid;
  gid_t gid;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (mkfifo (pw, 0644), ==, 0);
  home = userdb_home (root, 0);
  g_assert_cmpstr (home, ==, "/");
  g_assert_false (userdb_resolve (root, "alice", &uid, &gid, NULL, NULL, &error));
  g_assert_nonnull (error);
  remove_root (root);
}

static void
test_resolve (void)
{
  g_autofree char *root = make_root (passwd, group);
  g_autofree gid_t *groups = NULL;
  gsize n = 0;
  uid_t uid = 99;
  gid_t gid = 99;
  g_autoptr (GError) error = NULL;

  g_assert_true (userdb_resolve (root, "alice", &uid, &gid, &groups, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uid, ==, 1000);
  g_assert_cmpuint (gid, ==, 1001);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (groups[0], ==, 50);
  g_assert_cmpuint (groups[1], ==, 10);
  g_clear_pointer (&groups, g_free);

  g_assert_true (userdb_resolve (root, "alice:staff", &uid, &gid, &groups, &n, &error));
  g_assert_cmpuint (uid, ==, 1000);
  g_assert_cmpuint (gid, ==, 50);
  g_assert_cmpuint (n, ==, 0); /* a group given: no supplementary lookup */

  g_assert_true (userdb_resolve (root, "alice:7", &uid, &gid, NULL, NULL, &error));
  g_assert_cmpuint (gid, ==, 7);

  g_assert_true (userdb_resolve (root, "1000", &uid, &gid, NULL, NULL, &error));
  g_assert_cmpuint (uid, ==, 1000);
  g_assert_cmpuint (gid, ==, 1001); /* the entry's primary group */

  g_assert_true (userdb_resolve (root, "4242:wheel", &uid, &gid, NULL, NULL, &error));
  g_assert_cmpuint (uid, ==, 4242);
  g_assert_cmpuint (gid, ==, 10);

  g_assert_true (userdb_resolve (root, "4242", &uid, &gid, NULL, NULL, &error));
  g_assert_cmpuint (uid, ==, 4242);
  g_assert_cmpuint (gid, ==, 0);

  g_assert_false (userdb_resolve (root, "bob", &uid, &gid, NULL, NULL, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no user bob"));
  g_clear_error (&error);

  g_assert_false (userdb_resolve (root, "alice:nope", &uid, &gid, NULL, NULL, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no group nope"));
  g_clear_error (&error);

  g_assert_false (userdb_resolve (root, "alice:", &uid, &gid, NULL, NULL, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (userdb_resolve (root, ":staff", &uid, &gid, NULL, NULL, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  remove_root (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/userdb/home", test_home);
  g_test_add_func ("/userdb/home-no-passwd", test_home_no_passwd);
  g_test_add_func ("/userdb/symlink-stays-inside", test_symlink_stays_inside);
  g_test_add_func ("/userdb/fifo-not-read", test_fifo_not_read);
  g_test_add_func ("/userdb/resolve", test_resolve);
  return g_test_run ();
}
