/* Unit tests for the limits behind the Sentry's /proc files (src/sentry/proc.c): sentry_proc_limits_at on fake
 * /proc and /sys/fs/cgroup trees (plain directories) for a cgroup v2 host, a hybrid v1 host, and a hybrid host
 * seen through a mount namespace that shows only cgroup2; the live cgroup limit against the spec's. The real
 * v1 hierarchy is covered by tests/integration/sentry-files.bats and resources.bats (the development hosts
 * cannot give a cgroup2 memory or cpu controller: those are bound to their v1 hierarchies). */
#include "config.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "sentry/proc.h"

#define TID 4242
#define MiB (1024ULL * 1024ULL)

typedef struct
{
  char *dir;
  int proc_fd;
  int cgroup_fd;
} Tree;

static void
put (const char *base, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (base, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
}

static void
tree_init (Tree *t, const char *proc_cgroup)
{
  g_autofree char *proc = NULL, *cg = NULL;
  g_autoptr (GError) error = NULL;

  t->dir = g_dir_make_tmp ("test-sentry-proc-XXXXXX", &error);
  g_assert_no_error (error);
  proc = g_build_filename (t->dir, "proc", NULL);
  cg = g_build_filename (t->dir, "cgroup", NULL);
  put (proc, G_STRINGIFY (TID) "/cgroup", proc_cgroup);
  put (proc, G_STRINGIFY (TID) "/status", "Name:\tapp\nCpus_allowed_list:\t0-1023\n");
  g_assert_cmpint (g_mkdir_with_parents (cg, 0755), ==, 0);
  t->proc_fd = open (proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
  t->cgroup_fd = open (cg, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (t->proc_fd, >=, 0);
  g_assert_cmpint (t->cgroup_fd, >=, 0);
}

static void
tree_cg (Tree *t, const char *rel, const char *text)
{
  g_autofree char *cg = g_build_filename (t->dir, "cgroup", NULL);
  put (cg, rel, text);
}

static void
tree_free (Tree *t)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", t->dir);
  close (t->proc_fd);
  close (t->cgroup_fd);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (t->dir);
}

static void
limits (Tree *t, uint64_t spec, SentryProcLimits *lim)
{
  sentry_proc_limits_at (t->proc_fd, t->cgroup_fd, TID, spec, lim);
}

/* A cgroup v2 host: /sys/fs/cgroup is the cgroup2 hierarchy. The app is in the sandbox cgroup's "container"
 * child, which has no controller of its own; the limits are on the sandbox cgroup and on the pod's above it. */
static void
test_v2 (void)
{
  Tree t;
  SentryProcLimits lim;
  char text[4096];
  SentryProcView view = { "4.4.0", "#1", "h", "", 10ULL * 1000000000ULL, 0 };
  ssize_t n;

  tree_init (&t, "0::/pod/sb/container\n");
  tree_cg (&t, "cgroup.controllers", "cpu memory pids\n");
  tree_cg (&t, "pod/memory.max", "536870912\n");
  tree_cg (&t, "pod/cpu.max", "max 100000\n");
  tree_cg (&t, "pod/sb/memory.max", "max\n");
  tree_cg (&t, "pod/sb/memory.current", "1048576\n");
  tree_cg (&t, "pod/sb/memory.stat", "anon 1040384\nfile 8192\n");
  tree_cg (&t, "pod/sb/cpu.max", "50000 100000\n");
  tree_cg (&t, "pod/sb/pids.current", "7\n");
  tree_cg (&t, "pod/sb/container/cgroup.threads", "1\n2\n");
  tree_cg (&t, "pod/sb/container/cpu.stat", "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\n");

  limits (&t, 0, &lim);
  /* The pod's limit, two levels up from the app's cgroup. */
  g_assert_cmpuint (lim.mem_limit, ==, 512 * MiB);
  g_assert_cmpint (lim.mem_usage, ==, 1048576);
  g_assert_cmpint (lim.mem_cache, ==, 8192);
  /* cpu.max of the sandbox cgroup: half a CPU is one. */
  g_assert_cmpint (lim.ncpus, ==, 1);
  g_assert_cmpint (lim.cpu_user_ns, ==, 2000000000LL);
  g_assert_cmpint (lim.cpu_sys_ns, ==, 1000000000LL);
  g_assert_cmpint (lim.tasks, ==, 7);

  /* The spec's limit is only for a sandbox without a cgroup: here the cgroup's wins, higher or lower. */
  limits (&t, 256 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 512 * MiB);
  limits (&t, 1024 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 512 * MiB);

  /* What the app reads. */
  n = sentry_proc_render (SENTRY_PROC_MEMINFO, &view, &lim, 1, text, sizeof text);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (text, "MemTotal:         524288 kB\n"));
  n = sentry_proc_render (SENTRY_PROC_STAT, &view, &lim, 1, text, sizeof text);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (text, "cpu  200 0 100 "));
  g_assert_null (strstr (text, "\ncpu1 "));

  /* A limit on the app's own cgroup lower than its ancestors'. */
  tree_cg (&t, "pod/sb/memory.max", "268435456\n");
  tree_cg (&t, "pod/sb/container/cpu.max", "max 100000\n");
  limits (&t, 0, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 256 * MiB);
  g_assert_cmpint (lim.ncpus, ==, 1);

  /* No limit anywhere: unlimited, even with a spec limit (runsc update --memory -1). */
  tree_cg (&t, "pod/sb/memory.max", "max\n");
  tree_cg (&t, "pod/memory.max", "max\n");
  limits (&t, 256 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 0);
  tree_free (&t);
}

/* A cgroup2 hierarchy without memory and cpu controllers (the development hosts' cgroup2): no cgroup limit is
 * known, so the spec's limit counts. */
static void
test_v2_no_controllers (void)
{
  Tree t;
  SentryProcLimits lim;

  tree_init (&t, "0::/sb/container\n");
  tree_cg (&t, "cgroup.controllers", "hugetlb\n");
  tree_cg (&t, "sb/container/cgroup.threads", "1\n2\n3\n");
  limits (&t, 256 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 256 * MiB);
  g_assert_cmpint (lim.mem_usage, ==, -1);
  g_assert_cmpint (lim.ncpus, ==, MIN (get_nprocs (), 1024));
  g_assert_cmpint (lim.tasks, ==, 3);
  tree_free (&t);
}

/* A hybrid host seen through a mount namespace whose /sys/fs/cgroup is the cgroup2 mount (resources.bats'
 * technique): /proc/TID/cgroup still names the v1 hierarchies, which are not mounted there. */
static void
test_v2_view_of_hybrid (void)
{
  Tree t;
  SentryProcLimits lim;

  tree_init (&t, "12:pids:/sb\n5:memory:/sb\n4:cpu,cpuacct:/sb\n0::/sb/container\n");
  tree_cg (&t, "cgroup.controllers", "memory cpu\n");
  tree_cg (&t, "sb/memory.max", "134217728\n");
  tree_cg (&t, "sb/memory.current", "4096\n");
  tree_cg (&t, "sb/cpu.max", "100000 100000\n");
  limits (&t, 0, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 128 * MiB);
  g_assert_cmpint (lim.mem_usage, ==, 4096);
  g_assert_cmpint (lim.ncpus, ==, 1);
  tree_free (&t);
}

/* cgroup v1 (hybrid): memory and cpu limits up the hierarchy; the live limit wins over the spec's. */
static void
test_v1 (void)
{
  Tree t;
  SentryProcLimits lim;

  tree_init (&t, "12:pids:/pod/sb\n5:memory:/pod/sb\n4:cpu,cpuacct:/pod/sb\n0::/pod/sb\n");
  tree_cg (&t, "unified/cgroup.controllers", "hugetlb\n");
  tree_cg (&t, "memory/memory.limit_in_bytes", "9223372036854771712\n");
  tree_cg (&t, "memory/pod/memory.limit_in_bytes", "9223372036854771712\n");
  tree_cg (&t, "memory/pod/sb/memory.limit_in_bytes", "1073741824\n");
  tree_cg (&t, "memory/pod/sb/memory.usage_in_bytes", "2097152\n");
  tree_cg (&t, "memory/pod/sb/memory.stat", "cache 4096\ntotal_cache 16384\n");
  tree_cg (&t, "cpu/cpu.cfs_quota_us", "-1\n");
  tree_cg (&t, "cpu/cpu.cfs_period_us", "100000\n");
  tree_cg (&t, "cpu/pod/cpu.cfs_quota_us", "100000\n");
  tree_cg (&t, "cpu/pod/cpu.cfs_period_us", "100000\n");
  tree_cg (&t, "cpu/pod/sb/cpu.cfs_quota_us", "-1\n");
  tree_cg (&t, "cpu/pod/sb/cpu.cfs_period_us", "100000\n");
  tree_cg (&t, "cpuacct/cpuacct.stat", "user 1\nsystem 1\n");
  tree_cg (&t, "cpuacct/pod/sb/cpuacct.stat", "user 30\nsystem 20\n");
  tree_cg (&t, "pids/pod/sb/pids.current", "5\n");

  /* runsc update raised the limit from the spec's 256 MiB to 1 GiB: the app sees 1 GiB. */
  limits (&t, 256 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 1024 * MiB);
  g_assert_cmpint (lim.mem_usage, ==, 2097152);
  g_assert_cmpint (lim.mem_cache, ==, 16384);
  /* The pod's quota, one level up. */
  g_assert_cmpint (lim.ncpus, ==, 1);
  g_assert_cmpint (lim.cpu_user_ns, ==, 300000000LL);
  g_assert_cmpint (lim.cpu_sys_ns, ==, 200000000LL);
  g_assert_cmpint (lim.tasks, ==, 5);

  /* Lowered below the spec's. */
  tree_cg (&t, "memory/pod/memory.limit_in_bytes", "134217728\n");
  limits (&t, 256 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 128 * MiB);
  tree_free (&t);
}

/* No cgroup filesystem at all (or an app in no known cgroup): the spec's limit. */
static void
test_no_cgroup (void)
{
  Tree t;
  SentryProcLimits lim;

  tree_init (&t, "5:memory:/sb\n0::/sb\n");
  limits (&t, 64 * MiB, &lim);
  g_assert_cmpuint (lim.mem_limit, ==, 64 * MiB);
  g_assert_cmpint (lim.mem_usage, ==, -1);
  g_assert_cmpint (lim.tasks, ==, -1);
  tree_free (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sentry-proc/v2", test_v2);
  g_test_add_func ("/sentry-proc/v2-no-controllers", test_v2_no_controllers);
  g_test_add_func ("/sentry-proc/v2-view-of-hybrid", test_v2_view_of_hybrid);
  g_test_add_func ("/sentry-proc/v1", test_v1);
  g_test_add_func ("/sentry-proc/no-cgroup", test_no_cgroup);
  return g_test_run ();
}
