/* Unit tests for src/container/cgroup-devices.c: the rule list (spec rules then runc's defaults, last match wins),
 * the v1 lines, and, as root on this host's real cgroup filesystems (skipped otherwise), the v1 devices cgroup and
 * the cgroup2 device program: a child that joins the test cgroup opens /dev/null's numbers and gets EPERM on
 * /dev/fuse's (10:229) unless a rule allows them. BPF_PROG_TEST_RUN does not run BPF_PROG_TYPE_CGROUP_DEVICE
 * programs, so the program is judged by real opens. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/cgroup-devices.h"

static OciResources *
resources (const OciDeviceRule *rules, gsize n)
{
  OciResources *r = g_new0 (OciResources, 1);
  r->devices = g_memdup2 (rules, n * sizeof *rules);
  r->n_devices = n;
  return r;
}

static const OciDeviceRule deny_all[] = { { FALSE, 'a', -1, -1, (char *) "rwm" } };
static const OciDeviceRule allow_fuse[] = { { FALSE, 'a', -1, -1, (char *) "rwm" },
                                            { TRUE, 'c', 10, 229, (char *) "rw" } };

static const OciDeviceRule deny_fuse_w[] = { { FALSE, 'a', -1, -1, (char *) "rwm" },
                                             { TRUE, 'c', 10, -1, (char *) "rw" },
                                             { FALSE, 'c', 10, 229, (char *) "w" } };

static void
test_rules (void)
{
  g_autofree OciResources *r = resources (deny_all, 1);
  g_autofree CgroupDeviceRule *rules = NULL;
  gsize n;

  rules = cgroup_devices_rules (r, &n, NULL);
  g_assert_nonnull (rules);
  g_assert_true (cgroup_devices_allowed (rules, n, 'c', 1, 3, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
  g_assert_true (cgroup_devices_allowed (rules, n, 'c', 136, 7, CGROUP_DEV_RWM));
  g_assert_false (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_READ));
  g_assert_true (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_MKNOD));
  g_assert_true (cgroup_devices_allowed (rules, n, 'b', 8, 0, CGROUP_DEV_MKNOD));
  g_assert_false (cgroup_devices_allowed (rules, n, 'b', 8, 0, CGROUP_DEV_READ));
  g_free (r->devices);
  g_free (rules);

  /* A spec rule cannot deny a default device (runc appends its defaults after the spec's rules). */
  {
    const OciDeviceRule deny_null[] = { { TRUE, 'a', -1, -1, (char *) "rwm" }, { FALSE, 'c', 1, 3, (char *) "rwm" } };
    g_free (r);
    r = resources (deny_null, 2);
    rules = cgroup_devices_rules (r, &n, NULL);
    g_assert_true (cgroup_devices_allowed (rules, n, 'c', 1, 3, CGROUP_DEV_READ));
    g_assert_true (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_READ));
    g_free (r->devices);
    g_free (rules);
  }
  /* Access is a subset test; the later rule wins. */
  {
    const OciDeviceRule ro[] = { { TRUE, 'c', 10, -1, (char *) "rw" }, { FALSE, 'c', 10, 229, (char *) "w" } };
    g_free (r);
    r = resources (ro, 2);
    rules = cgroup_devices_rules (r, &n, NULL);
    g_assert_true (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_READ));
    g_assert_false (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_WRITE));
    g_assert_false (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_READ | CGROUP_DEV_WRITE));
    g_assert_true (cgroup_devices_allowed (rules, n, 'c', 10, 200, CGROUP_DEV_WRITE));
    g_assert_false (cgroup_devices_allowed (rules, n, 'b', 10, 200, CGROUP_DEV_WRITE));
    g_free (r->devices);
  }
  /* No spec rules: the defaults alone. */
  g_free (rules);
  rules = cgroup_devices_rules (NULL, &n, NULL);
  g_assert_cmpuint (n, ==, 10);
  g_assert_false (cgroup_devices_allowed (rules, n, 'c', 10, 229, CGROUP_DEV_READ));
}

static void
test_invalid (void)
{
  const OciDeviceRule bad[] = { { TRUE, 'c', 1, 3, (char *) "rwx" } };
  g_autofree OciResources *r = resources (bad, 1);
  g_autoptr (GError) error = NULL;
  gsize n;

  g_assert_null (cgroup_devices_rules (r, &n, &error));
  g_assert_nonnull (strstr (error->message, "invalid access \"rwx\""));
  g_free (r->devices);
}

static void
test_v1_lines (void)
{
  g_autofree OciResources *r = resources (allow_fuse, 2);
  g_autofree CgroupDeviceRule *rules = NULL;
  g_auto (GStrv) lines = NULL;
  gsize n;

  rules = cgroup_devices_rules (r, &n, NULL);
  lines = cgroup_devices_v1_lines (rules, n);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2 + 10);
  g_assert_cmpstr (lines[0], ==, "deny a *:* rwm");
  g_assert_cmpstr (lines[1], ==, "deny a *:* rwm");
  g_assert_cmpstr (lines[2], ==, "allow c 10:229 rw");
  g_assert_cmpstr (lines[3], ==, "allow c *:* m");
  g_assert_cmpstr (lines[4], ==, "allow b *:* m");
  g_assert_cmpstr (lines[5], ==, "allow c 1:3 rwm");
  g_assert_cmpstr (lines[12], ==, "allow c 5:2 rwm");
  g_free (r->devices);
}

/* ---- real cgroups ---- */

/* In a child: join the cgroup (procs file), open node_null and node_fuse read-write; the exit status encodes the
 * results: bit 0 set when null failed, bit 1 set when fuse gave EPERM, bit 2 when joining failed. */
static int
probe (const char *procs, const char *node_null, const char *node_fuse)
{
  pid_t pid = fork ();
  int st;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int code = 0, fd;
      FILE *f = fopen (procs, "w");
      if (f == NULL || fprintf (f, "%d\n", (int) getpid ()) < 0 || fclose (f) != 0)
        _exit (4);
      fd = open (node_null, O_RDWR);
      if (fd < 0)
        code |= 1;
      else
        close (fd);
      fd = open (node_fuse, O_RDWR);
      if (fd < 0 && errno == EPERM)
        code |= 2;
      else if (fd >= 0)
        close (fd);
      _exit (code);
    }
  g_assert_cmpint (waitpid (pid, &st, 0), ==, pid);
  g_assert_true (WIFEXITED (st));
  return WEXITSTATUS (st);
}

typedef gboolean (*ApplyFunc) (const char *dir, const CgroupDeviceRule *rules, gsize n, GError **error);

static void
real_cgroup (const char *mount, const char *procs_name, ApplyFunc apply)
{
  g_autofree char *tmp = g_dir_make_tmp ("runsc-devices-XXXXXX", NULL);
  g_autofree char *node_null = g_build_filename (tmp, "null", NULL);
  g_autofree char *node_fuse = g_build_filename (tmp, "fuse", NULL);
  g_autofree char *probe_name = g_strdup_printf ("probe-%d", (int) getpid ());
  g_autofree char *probe_path = g_build_filename (tmp, probe_name, NULL);
  int round;

  if (geteuid () != 0 || mount == NULL || access (mount, W_OK) != 0)
    {
      g_rmdir (tmp);
      g_test_skip ("needs root and the cgroup filesystem");
      return;
    }
  g_assert_cmpint (mknod (node_null, S_IFCHR | 0666, makedev (1, 3)), ==, 0);
  g_assert_cmpint (mknod (node_fuse, S_IFCHR | 0666, makedev (10, 229)), ==, 0);

  /* Round 0: deny all (+ defaults): null opens, fuse is EPERM. Round 1: fuse allowed rw: not EPERM. Round 2:
   * c 10:* rw allowed, then c 10:229 w denied: a read-write open of fuse is EPERM (partial access tests). */
  for (round = 0; round < 3; round++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/runsc-test-devices-%d-%d", mount, (int) getpid (), round);
      g_autofree char *procs = g_build_filename (dir, procs_name, NULL);
      g_autofree OciResources *r = round == 0   ? resources (deny_all, 1)
                                   : round == 1 ? resources (allow_fuse, 2)
                                                : resources (deny_fuse_w, 3);
      g_autofree CgroupDeviceRule *rules = NULL;
      g_autoptr (GError) error = NULL;
      gsize n;
      int code;

      g_assert_cmpint (mkdir (dir, 0755), ==, 0);
      rules = cgroup_devices_rules (r, &n, NULL);
      if (round == 2 && apply == cgroup_devices_apply_v1)
        {
          /* cgroup v1 cannot take access from a wider exception: refused, as runc does. */
          g_assert_false (apply (dir, rules, n, &error));
          g_assert_nonnull (strstr (error->message, "cgroup v1 cannot express"));
          g_assert_cmpint (rmdir (dir), ==, 0);
          g_free (r->devices);
          continue;
        }
      if (!apply (dir, rules, n, &error))
        {
          g_rmdir (dir);
          g_error ("apply to %s: %s", dir, error->message);
        }
      code = probe (procs, node_null, node_fuse);
      g_assert_cmpint (rmdir (dir), ==, 0);
      g_assert_cmpint (code & 4, ==, 0);
      g_assert_cmpint (code & 1, ==, 0);                     /* /dev/null's numbers open */
      g_assert_cmpint (code & 2, ==, round == 1 ? 0 : 2);    /* 10:229: EPERM unless allowed */
      g_free (r->devices);
    }
  /* Outside any such cgroup, fuse opens (the EPERM above was the rules'). */
  g_assert_cmpint (probe ("/dev/null", node_null, node_fuse) & 2, ==, 0);
  (void) probe_path;
  g_unlink (node_null);
  g_unlink (node_fuse);
  g_rmdir (tmp);
}

static void
test_real_v1 (void)
{
  real_cgroup (access ("/sys/fs/cgroup/devices/devices.allow", W_OK) == 0 ? "/sys/fs/cgroup/devices" : NULL, "tasks",
               cgroup_devices_apply_v1);
}

static void
test_real_v2 (void)
{
  const char *m = NULL;

  if (access ("/sys/fs/cgroup/unified/cgroup.procs", W_OK) == 0)
    m = "/sys/fs/cgroup/unified";
  else if (access ("/sys/fs/cgroup/cgroup.subtree_control", W_OK) == 0)
    m = "/sys/fs/cgroup";
  real_cgroup (m, "cgroup.procs", cgroup_devices_apply_v2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cgroup-devices/rules", test_rules);
  g_test_add_func ("/cgroup-devices/invalid", test_invalid);
  g_test_add_func ("/cgroup-devices/v1-lines", test_v1_lines);
  g_test_add_func ("/cgroup-devices/real-v1", test_real_v1);
  g_test_add_func ("/cgroup-devices/real-v2", test_real_v2);
  return g_test_run ();
}
