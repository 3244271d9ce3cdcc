/* Unit tests for src/container/mountinfo.c: the overlay a mount point shows, from mountinfo texts. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "container/mountinfo.h"

/* Lines as the kernel writes them: an overlay at /run/c/rootfs, one at a path with a space, a bind mount of a
 * directory inside an overlay, and a tmpfs mounted over an overlay. */
static const char mountinfo[]
    = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "30 22 0:40 / /run/c/rootfs rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w\n"
      "31 22 0:41 / /run/with\\040space rw,relatime - overlay overlay rw,lowerdir=/l\\0403,upperdir=/u2,workdir=/w2\n"
      "32 22 0:40 /sub /run/bind rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w\n"
      "33 22 0:42 / /run/hidden rw,relatime shared:5 master:2 - overlay overlay rw,lowerdir=/h\n"
      "34 33 0:43 / /run/hidden rw,nosuid - tmpfs tmpfs rw,size=64k\n"
      "35 22 0:44 / /run/over rw - tmpfs tmpfs rw\n"
      "36 35 0:45 / /run/over rw shared:9 - overlay overlay rw,lowerdir=/o\n"
      "37 22 0:46 / /run/short rw - overlay\n";

static char *
write_mountinfo (void)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("mountinfo-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, mountinfo, -1, &error));
  g_assert_no_error (error);
  g_close (fd, NULL);
  return path;
}

static void
test_overlay_options (void)
{
  g_autofree char *path = write_mountinfo ();
  g_autofree char *plain = mountinfo_overlay_options (path, "/run/c/rootfs");
  g_autofree char *spaced = mountinfo_overlay_options (path, "/run/with space");
  g_autofree char *escaped = mountinfo_overlay_options (path, "/run/with\\040space");
  g_autofree char *bind = mountinfo_overlay_options (path, "/run/bind");
  g_autofree char *hidden = mountinfo_overlay_options (path, "/run/hidden");
  g_autofree char *over = mountinfo_overlay_options (path, "/run/over");
  g_autofree char *root = mountinfo_overlay_options (path, "/");
  g_autofree char *short_line = mountinfo_overlay_options (path, "/run/short");
  g_autofree char *none = mountinfo_overlay_options (path, "/run/none");
  g_autofree char *missing = mountinfo_overlay_options ("/nonexistent/mountinfo", "/run/c/rootfs");

  g_assert_cmpstr (plain, ==, "rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w");
  /* The mount point is compared unescaped; the options come back as written. */
  g_assert_cmpstr (spaced, ==, "rw,lowerdir=/l\\0403,upperdir=/u2,workdir=/w2");
  g_assert_null (escaped);
  /* Part of an overlay bind-mounted: its options name the whole overlay, not what is at the mount point. */
  g_assert_null (bind);
  /* Only the mount on top counts. */
  g_assert_null (hidden);
  g_assert_cmpstr (over, ==, "rw,lowerdir=/o");
  g_assert_null (root);
  g_assert_null (short_line);
  g_assert_null (none);
  g_assert_null (missing);
  g_unlink (path);
}

static void
test_unescape (void)
{
  char s[] = "a\\040b\\011c\\012d\\134e\\0f\\999";

  mountinfo_unescape (s);
  g_assert_cmpstr (s, ==, "a b\tc\nd\\e\\0f\\999");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mountinfo/overlay-options", test_overlay_options);
  g_test_add_func ("/mountinfo/unescape", test_unescape);
  return g_test_run ();
}
