/* Unit tests for src/common/host-fs.c: absolute paths under a held directory reach it through its descriptor, even
 * when the path itself names nothing on the host (a prefix that does not exist stands for the confined Sentry's
 * empty root, where no absolute path resolves); other paths go to the kernel as they are. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "common/host-fs.h"

/* Held under prefixes that do not exist on the host. */
#define FAKE "/nonexistent-runsc-held"
#define FAKE_SUB FAKE "/sub"

static char *dir;

/* file in directory d, with text (a symbolic link to text when link) */
static void
make (const char *d, const char *name, const char *text, gboolean link)
{
  g_autofree char *path = g_build_filename (d, name, NULL);

  if (link)
    g_assert_cmpint (symlink (text, path), ==, 0);
  else
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
setup_dirs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sub = NULL;
  int fd;

  dir = g_dir_make_tmp ("test-host-fs-XXXXXX", &error);
  g_assert_no_error (error);
  sub = g_build_filename (dir, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  make (dir, "top", "top\n", FALSE);
  make (sub, "file", "in sub\n", FALSE);
  make (dir, "link", "top", TRUE);
  g_assert_false (runsc_host_fs_active ());
  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (runsc_host_fs_hold (FAKE "/", fd));
  fd = open (sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_true (runsc_host_fs_hold (FAKE_SUB, fd));
  g_assert_true (runsc_host_fs_active ());
}

static void
test_at (void)
{
  const char *rel;
  int top, sub;

  top = runsc_host_at (FAKE "/top", &rel);
  g_assert_cmpint (top, >=, 0);
  g_assert_cmpstr (rel, ==, "top");
  g_assert_cmpint (runsc_host_at (FAKE, &rel), ==, top);
  g_assert_cmpstr (rel, ==, ".");
  /* The longest held prefix wins. */
  sub = runsc_host_at (FAKE_SUB "//file", &rel);
  g_assert_cmpint (sub, >=, 0);
  g_assert_cmpint (sub, !=, top);
  g_assert_cmpstr (rel, ==, "file");
  /* A longer name that only starts like a held one, a relative path and an unheld one are left alone. */
  g_assert_cmpint (runsc_host_at (FAKE "x/top", &rel), ==, AT_FDCWD);
  g_assert_cmpstr (rel, ==, FAKE "x/top");
  g_assert_cmpint (runsc_host_at ("top", &rel), ==, AT_FDCWD);
  g_assert_cmpint (runsc_host_at ("/etc/hostname", &rel), ==, AT_FDCWD);
  g_assert_cmpstr (rel, ==, "/etc/hostname");
  /* Refused: relative or root prefixes. */
  g_assert_false (runsc_host_fs_hold ("relative", 0));
  g_assert_false (runsc_host_fs_hold ("/", 0));
}

static void
test_calls (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  char buf[64];
  struct stat st;
  ssize_t n;
  DIR *d;
  int fd, entries = 0;

  g_assert_true (runsc_host_get_contents (FAKE_SUB "/file", &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "in sub\n");
  g_assert_false (runsc_host_get_contents (FAKE "/missing", &text, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, FAKE "/missing"));

  n = runsc_host_readlink (FAKE "/link", buf, sizeof buf);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpmem (buf, 3, "top", 3);
  g_assert_cmpint (runsc_host_stat (FAKE_SUB, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (runsc_host_access (FAKE "/top", F_OK), ==, 0);
  g_assert_cmpint (runsc_host_access (FAKE "/nope", F_OK), ==, -1);
  g_assert_cmpint (errno, ==, ENOENT);

  fd = runsc_host_open (FAKE "/new.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (runsc_host_rename (FAKE "/new.tmp", FAKE_SUB "/new"), ==, 0);
  g_assert_cmpint (runsc_host_access (FAKE "/sub/new", F_OK), ==, 0);
  g_assert_cmpint (runsc_host_unlink (FAKE_SUB "/new"), ==, 0);
  g_assert_cmpint (runsc_host_access (FAKE_SUB "/new", F_OK), ==, -1);

  d = runsc_host_opendir (FAKE);
  g_assert_nonnull (d);
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    entries += de->d_name[0] != '.';
  closedir (d);
  g_assert_cmpint (entries, ==, 3); /* sub, top, link */
  /* Unheld paths still work as plain calls. */
  g_assert_cmpint (runsc_host_stat ("/", &st), ==, 0);
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  setup_dirs ();
  g_test_add_func ("/host-fs/at", test_at);
  g_test_add_func ("/host-fs/calls", test_calls);
  r = g_test_run ();
  /* What setup_dirs made (test_calls removed what it made). */
  for (const char *const *p = (const char *const[]) { "sub/file", "sub", "top", "link", NULL }; *p != NULL; p++)
    {
      g_autofree char *path = g_build_filename (dir, *p, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
  return r;
}
