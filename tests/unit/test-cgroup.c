/* Unit tests for src/container/cgroup*.c: paths (cgroupfs and systemd), runc's v2 conversions, sizes, the v1 and
 * v2 writers against fake hierarchies (plain directories), and, as root, the real thing: a sandbox cgroup on
 * this host (v1 or v2) with limits, a process in it, stats and removal, and freezing on the host's cgroup2 mount
 * (the hybrid hosts' cgroup2 has cgroup.freeze even without controllers). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "container/cgroup-internal.h"
#include "container/cgroup-join.h"
#include "container/cgroup.h"
#include "oci/spec.h"

static void
test_resolve_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *p = NULL;

  p = cgroup_resolve_path (NULL, "abc", FALSE, &unit, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p, ==, "abc");
  g_assert_null (unit);
  g_free (p);
  p = cgroup_resolve_path ("", "abc", FALSE, NULL, &error);
  g_assert_cmpstr (p, ==, "abc");
  g_free (p);
  p = cgroup_resolve_path ("/kubepods/pod1/abc", "abc", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p, ==, "/kubepods/pod1/abc");
  g_free (p);
  p = cgroup_resolve_path ("machine.slice:runsc:abc", "abc", FALSE, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "--systemd-cgroup"));
  g_clear_error (&error);

  p = cgroup_resolve_path ("a:b", "abc", TRUE, &unit, &error);
  g_assert_null (p);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "slice:prefix:name"));
  g_clear_error (&error);
  p = cgroup_resolve_path ("bad:runsc:abc", "abc", TRUE, &unit, &error);
  g_assert_null (p);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_clear_error (&error);

  p = cgroup_resolve_path ("kubepods-burstable.slice:cri:abc", "abc", TRUE, &unit, &error);
  if (access ("/run/systemd/system", F_OK) == 0)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (p, ==, "/kubepods.slice/kubepods-burstable.slice/cri-abc.scope");
      g_assert_cmpstr (unit, ==, "cri-abc.scope");
    }
  else
    {
      /* No systemd here: a clear error, not a cgroup systemd would not know about. */
      g_assert_null (p);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, "systemd is not the init system"));
    }
}

static void
test_slice_path (void)
{
  static const struct
  {
    const char *slice;
    const char *path;
  } good[] = {
    { "system.slice", "/system.slice" },
    { "-.slice", "" },
    { "kubepods-besteffort-pod1.slice", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice" },
  };
  static const char *const bad[] = { "system", "a--b.slice", "-a.slice", "a-.slice", "a/b.slice", ".slice" };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *p = cgroup_systemd_slice_path (good[i].slice, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (p, ==, good[i].path);
    }
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *p = cgroup_systemd_slice_path (bad[i], &error);
      g_test_message ("slice %s", bad[i]);
      g_assert_null (p);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
    }
}

static void
test_conversions (void)
{
  /* runc's and crun's cpu.shares -> cpu.weight mapping. */
  g_assert_cmpuint (cgroup_shares_to_weight (2), ==, 1);
  g_assert_cmpuint (cgroup_shares_to_weight (1024), ==, 39);
  g_assert_cmpuint (cgroup_shares_to_weight (262144), ==, 10000);
  g_assert_cmpuint (cgroup_shares_to_weight (0), ==, 0);
  /* memory+swap -> swap alone. */
  g_assert_cmpint (cgroup_swap_to_v2 (-1, 100), ==, -1);
  g_assert_cmpint (cgroup_swap_to_v2 (0, 100), ==, -2);
  g_assert_cmpint (cgroup_swap_to_v2 (300, 100), ==, 200);
  g_assert_cmpint (cgroup_swap_to_v2 (100, 100), ==, 0);
  g_assert_cmpint (cgroup_swap_to_v2 (300, 0), ==, -2);
}

static void
test_parse_size (void)
{
  static const struct
  {
    const char *text;
    gint64 value;
  } good[] = {
    { "1048576", 1048576 }, { "512k", 512 << 10 }, { "64m", 64 << 20 }, { "64M", 64 << 20 },
    { "1g", 1LL << 30 },    { "1.5g", 3LL << 29 }, { "2mb", 2 << 20 }, { "1MiB", 1 << 20 },
    { "-1", -1 },           { "0", 0 },
  };
  static const char *const bad[] = { "", "lots", "12x", "-5", "1gg", "m" };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 v = 0;
      g_test_message ("size %s", good[i].text);
      g_assert_true (cgroup_parse_size (good[i].text, &v, &error));
      g_assert_no_error (error);
      g_assert_cmpint (v, ==, good[i].value);
    }
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 v = 0;
      g_test_message ("size %s", bad[i]);
      g_assert_false (cgroup_parse_size (bad[i], &v, &error));
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
    }
}

/* A directory of empty control files. */
static char *
fake_dir (const char *const *files)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("cgroup-XXXXXX", &error);
  gsize i;

  g_assert_no_error (error);
  for (i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  return dir;
}

/* The file's text, stripped; valid until the next call (the previous one is freed: no leak per assertion). */
static const char *
fake_read (const char *dir, const char *name)
{
  static char *text;

  g_free (text);
  text = cgroup_read (dir, name, NULL);
  g_assert_nonnull (text);
  return g_strstrip (text);
}

static void
fake_remove (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static OciResources *
parse_resources (const char *json)
{
  g_autoptr (GError) error = NULL;
  OciResources *r = oci_resources_parse (json, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static void
test_v2_writer (void)
{
  static const char *const files[] = { "memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight",
                                       "pids.max", "cpuset.cpus", "cpuset.mems", "io.weight", "hugetlb.2MB.max",
                                       "memory.high", NULL };
  g_autofree char *dir = fake_dir (files);
  g_autoptr (OciResources) r = parse_resources (
      "{\"memory\": {\"limit\": 268435456, \"swap\": 536870912, \"reservation\": 134217728},"
      " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 200000, \"cpus\": \"0\", \"mems\": \"0\"},"
      " \"pids\": {\"limit\": 64}, \"blockIO\": {\"weight\": 500},"
      " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
      " \"unified\": {\"memory.high\": \"200000000\"}}");
  g_autoptr (GError) error = NULL;
  g_autofree char *cpu_max = g_build_filename (dir, "cpu.max", NULL);

  g_assert_true (g_file_set_contents (cpu_max, "max 100000\n", -1, NULL));
  g_assert_true (cgroup_apply_resources_v2 (dir, r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fake_read (dir, "memory.max"), ==, "268435456");
  g_assert_cmpstr (fake_read (dir, "memory.swap.max"), ==, "268435456");
  g_assert_cmpstr (fake_read (dir, "memory.low"), ==, "134217728");
  g_assert_cmpstr (fake_read (dir, "cpu.weight"), ==, "39");
  g_assert_cmpstr (fake_read (dir, "cpu.max"), ==, "50000 200000");
  g_assert_cmpstr (fake_read (dir, "pids.max"), ==, "64");
  g_assert_cmpstr (fake_read (dir, "cpuset.cpus"), ==, "0");
  g_assert_cmpstr (fake_read (dir, "io.weight"), ==, "default 4950");
  g_assert_cmpstr (fake_read (dir, "hugetlb.2MB.max"), ==, "4194304");
  g_assert_cmpstr (fake_read (dir, "memory.high"), ==, "200000000");
  fake_remove (dir);
}

static void
test_v2_writer_unlimited (void)
{
  static const char *const files[] = { "memory.max", "memory.swap.max", "pids.max", "cpu.max", NULL };
  g_autofree char *dir = fake_dir (files);
  g_autoptr (OciResources) r
      = parse_resources ("{\"memory\": {\"limit\": -1, \"swap\": -1}, \"pids\": {\"limit\": 0},"
                         " \"cpu\": {\"quota\": -1}}");
  g_autoptr (OciResources) bad = parse_resources ("{\"unified\": {\"../etc/passwd\": \"x\"}}");
  g_autoptr (OciResources) low_swap = parse_resources ("{\"memory\": {\"limit\": 200, \"swap\": 100}}");
  g_autoptr (GError) error = NULL;

  g_assert_true (cgroup_apply_resources_v2 (dir, r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fake_read (dir, "memory.max"), ==, "max");
  g_assert_cmpstr (fake_read (dir, "memory.swap.max"), ==, "max");
  g_assert_cmpstr (fake_read (dir, "pids.max"), ==, "max");
  g_assert_cmpstr (fake_read (dir, "cpu.max"), ==, "max 100000");
  g_assert_false (cgroup_apply_resources_v2 (dir, bad, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cgroup_apply_resources_v2 (dir, low_swap, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  fake_remove (dir);
}

static void
test_v1_writer (void)
{
  static const char *const mem_files[] = { "memory.limit_in_bytes", "memory.soft_limit_in_bytes",
                                           "memory.swappiness", NULL };
  static const char *const cpu_files[] = { "cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", NULL };
  static const char *const pids_files[] = { "pids.max", NULL };
  static const char *const cpuset_files[] = { "cpuset.cpus", "cpuset.mems", NULL };
  g_autofree char *mem = fake_dir (mem_files), *cpu = fake_dir (cpu_files), *pids = fake_dir (pids_files);
  g_autofree char *cpuset = fake_dir (cpuset_files);
  g_autoptr (GHashTable) dirs = g_hash_table_new (g_str_hash, g_str_equal);
  /* The fake has no memory.memsw.limit_in_bytes: swap is then ignored (with a warning), as on a kernel without
   * swap accounting. */
  g_autoptr (OciResources) r = parse_resources (
      "{\"memory\": {\"limit\": 268435456, \"swap\": 536870912, \"reservation\": 134217728, \"swappiness\": 10},"
      " \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0-1\"},"
      " \"pids\": {\"limit\": -1}}");
  g_autoptr (OciResources) unified = parse_resources ("{\"unified\": {\"memory.high\": \"1\"}}");
  g_autoptr (OciResources) hugetlb
      = parse_resources ("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}");
  g_autoptr (GError) error = NULL;

  g_hash_table_insert (dirs, "memory", mem);
  g_hash_table_insert (dirs, "cpu", cpu);
  g_hash_table_insert (dirs, "cpuacct", cpu);
  g_hash_table_insert (dirs, "pids", pids);
  g_hash_table_insert (dirs, "cpuset", cpuset);
  g_assert_true (cgroup_apply_resources_v1 (dirs, r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fake_read (mem, "memory.limit_in_bytes"), ==, "268435456");
  g_assert_cmpstr (fake_read (mem, "memory.soft_limit_in_bytes"), ==, "134217728");
  g_assert_cmpstr (fake_read (mem, "memory.swappiness"), ==, "10");
  g_assert_cmpstr (fake_read (cpu, "cpu.shares"), ==, "512");
  g_assert_cmpstr (fake_read (cpu, "cpu.cfs_quota_us"), ==, "50000");
  g_assert_cmpstr (fake_read (cpu, "cpu.cfs_period_us"), ==, "100000");
  g_assert_cmpstr (fake_read (pids, "pids.max"), ==, "max");
  g_assert_cmpstr (fake_read (cpuset, "cpuset.cpus"), ==, "0-1");

  /* unified is v2 only; hugetlb without a v1 hugetlb hierarchy is refused clearly. */
  g_assert_false (cgroup_apply_resources_v1 (dirs, unified, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cgroup_apply_resources_v1 (dirs, hugetlb, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_UNSUPPORTED);
  fake_remove (mem);
  fake_remove (cpu);
  fake_remove (pids);
  fake_remove (cpuset);
}

/* A child that counts in shared memory until killed. */
static pid_t
spawn_counter (volatile guint64 **counter)
{
  volatile guint64 *c = mmap (NULL, sizeof (guint64), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t pid;

  g_assert_true (c != MAP_FAILED);
  *c = 0;
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      for (;;)
        {
          (*c)++;
          usleep (1000);
        }
    }
  *counter = c;
  return pid;
}

static gboolean
counter_moves (volatile guint64 *c)
{
  guint64 before = *c;
  g_usleep (200000);
  return *c != before;
}

static OciSpec *
spec_with (const char *linux_json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"true\"],"
                                           " \"cwd\": \"/\"}, \"root\": {\"path\": \"rootfs\"}, \"linux\": %s}",
                                           linux_json);
  OciSpec *spec = oci_spec_parse (json, -1, &error);
  g_assert_no_error (error);
  return spec;
}

/* What the kernel says of the freeze cgroup: frozen (or freezing). */
static gboolean
is_frozen (const CgroupHandle *h)
{
  gboolean v1 = h->v1 != NULL && g_hash_table_lookup (h->v1, "freezer") != NULL
                && g_str_has_prefix (h->freeze_dir, g_hash_table_lookup (h->v1, "freezer"));
  g_autofree char *text = cgroup_read (h->freeze_dir, v1 ? "freezer.state" : "cgroup.freeze", NULL);

  if (text == NULL)
    return FALSE;
  return v1 ? !g_str_has_prefix (text, "THAWED") : text[0] == '1';
}

/* The cgroup's CFS quota in µs per period (v1 cpu.cfs_quota_us, v2 cpu.max), -1 for none. */
static gint64
cpu_quota (const CgroupHandle *h)
{
  const char *cpu = h->v1 != NULL ? g_hash_table_lookup (h->v1, "cpu") : NULL;
  g_autofree char *max = NULL;
  gint64 v;

  if (h->version == CGROUP_V1)
    return cpu != NULL && cgroup_read_i64 (cpu, "cpu.cfs_quota_us", &v) ? v : -1;
  max = cgroup_read (h->unified, "cpu.max", NULL);
  return max != NULL && g_ascii_isdigit (max[0]) ? g_ascii_strtoll (max, NULL, 10) : -1;
}

static void
test_host_sandbox (void)
{
  g_autofree char *id = g_strdup_printf ("runsc-unit-%d", (int) getpid ());
  g_autofree char *linux_json = g_strdup_printf (
      "{\"cgroupsPath\": \"/%s\", \"resources\": {\"memory\": {\"limit\": 134217728},"
      " \"cpu\": {\"quota\": 50000, \"period\": 100000}, \"pids\": {\"limit\": 50}}}", id);
  g_autoptr (OciSpec) spec = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  g_autoptr (CgroupHandle) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) pids = NULL;
  g_autoptr (JsonObject) stats = NULL;
  g_autofree char *state = NULL;
  volatile guint64 *counter;
  pid_t child;
  gboolean found = FALSE;
  guint i;

  if (geteuid () != 0 || cgroup_host_version () == 0)
    {
      g_test_skip ("needs root and a cgroup filesystem");
      return;
    }
  spec = spec_with (linux_json);
  h = cgroup_setup_for_sandbox (spec, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h);
  g_test_message ("cgroup v%d at %s", (int) h->version, h->path);
  g_assert_cmpuint (cgroup_memory_limit (h), ==, 134217728);
  g_assert_cmpint (cpu_quota (h), ==, 50000);

  state = g_dir_make_tmp ("cgroup-state-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (cgroup_handle_save (h, state, &error));
  loaded = cgroup_handle_load (state, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->path, ==, h->path);
  g_assert_cmpstr (loaded->freeze_dir, ==, h->freeze_dir);
  g_assert_cmpuint (g_strv_length (loaded->created), ==, g_strv_length (h->created));

  child = spawn_counter (&counter);
  g_assert_true (cgroup_enter_process (h, child, &error));
  g_assert_no_error (error);
  pids = cgroup_pids (h);
  for (i = 0; i < pids->len; i++)
    found = found || g_array_index (pids, int, i) == child;
  g_assert_true (found);
  stats = cgroup_stats (h, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (stats, "memory"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "pids"), "current"), >=, 1);
  g_assert_cmpuint (cgroup_oom_kill_count (h), ==, 0);

  /* Freeze the container's part (the counter), thaw it. */
  g_assert_true (counter_moves (counter));
  g_assert_true (cgroup_freeze (h, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (is_frozen (h));
  g_assert_false (counter_moves (counter));
  g_assert_true (cgroup_freeze (h, FALSE, &error));
  g_assert_false (is_frozen (h));
  g_assert_true (counter_moves (counter));

  /* An update the cgroup then reports. */
  {
    g_autoptr (OciResources) r = parse_resources ("{\"memory\": {\"limit\": 67108864}, \"cpu\": {\"quota\": 200000}}");
    g_assert_true (cgroup_apply_resources (h, r, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (cgroup_memory_limit (h), ==, 67108864);
    g_assert_cmpint (cpu_quota (h), ==, 200000);
  }

  /* Destroy kills what is left (frozen, even) and removes every directory made. */
  g_assert_true (cgroup_freeze (h, TRUE, &error));
  g_assert_true (cgroup_destroy_recorded (state, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  for (i = 0; h->created[i] != NULL; i++)
    g_assert_false (g_file_test (h->created[i], G_FILE_TEST_EXISTS));
  g_rmdir (state);
}

/* cgroup v2 freezing, on the host's cgroup2 mount (the development hosts are hybrid: their cgroup2 has no memory
 * or cpu controller, but cgroup.freeze is part of every v2 cgroup). */
static void
test_v2_freeze (void)
{
  g_autoptr (CgroupHandle) h = g_new0 (CgroupHandle, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *mountinfo = NULL;
  g_autofree char *mount = NULL;
  volatile guint64 *counter;
  pid_t child;
  char **lines;
  guint i;

  if (geteuid () != 0 || !g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    {
      g_test_skip ("needs root");
      return;
    }
  lines = g_strsplit (mountinfo, "\n", -1);
  for (i = 0; lines[i] != NULL && mount == NULL; i++)
    if (strstr (lines[i], " - cgroup2 ") != NULL)
      {
        g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
        mount = g_strdup (f[4]);
      }
  g_strfreev (lines);
  if (mount == NULL)
    {
      g_test_skip ("no cgroup2 mount");
      return;
    }
  h->version = CGROUP_V2;
  h->v1 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  h->path = g_strdup_printf ("/runsc-unit-v2-%d", (int) getpid ());
  h->unified = g_strconcat (mount, h->path, NULL);
  h->freeze_dir = g_build_filename (h->unified, CGROUP_CONTAINER_CHILD, NULL);
  h->created = g_new0 (char *, 3);
  h->created[0] = g_strdup (h->unified);
  h->created[1] = g_strdup (h->freeze_dir);
  if (mkdir (h->unified, 0755) < 0 || mkdir (h->freeze_dir, 0755) < 0)
    {
      g_test_skip ("cannot create a cgroup2 cgroup here");
      rmdir (h->unified);
      return;
    }
  {
    g_autofree char *probe = g_build_filename (h->freeze_dir, "cgroup.freeze", NULL);
    if (!g_file_test (probe, G_FILE_TEST_EXISTS))
      {
        g_test_skip ("this kernel's cgroup2 has no cgroup.freeze");
        rmdir (h->freeze_dir);
        rmdir (h->unified);
        return;
      }
  }
  child = spawn_counter (&counter);
  g_assert_true (cgroup_enter_container (h, child, &error));
  g_assert_no_error (error);
  g_assert_true (counter_moves (counter));
  g_assert_true (cgroup_freeze (h, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (is_frozen (h));
  g_assert_false (counter_moves (counter));
  g_assert_true (cgroup_freeze (h, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (counter_moves (counter));
  /* Destroy of a frozen v2 cgroup: SIGKILL reaches frozen tasks. */
  g_assert_true (cgroup_freeze (h, TRUE, &error));
  g_assert_true (cgroup_destroy (h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  g_assert_false (g_file_test (h->unified, G_FILE_TEST_EXISTS));
}

/* v2 with the Sentry's leaf (cgroup.h): the memory settings on the container's leaf, the rest on the sandbox's. */
static void
test_v2_split_writer (void)
{
  static const char *const files[] = { "memory.max", "memory.swap.max", "memory.low", "memory.high", "cpu.max",
                                       "cpu.weight", "pids.max", "io.weight", NULL };
  g_autofree char *sandbox = fake_dir (files);
  g_autofree char *leaf = fake_dir (files);
  g_autoptr (OciResources) r = parse_resources (
      "{\"memory\": {\"limit\": 268435456, \"swap\": 536870912, \"reservation\": 134217728},"
      " \"cpu\": {\"quota\": 50000, \"period\": 100000}, \"pids\": {\"limit\": 64},"
      " \"unified\": {\"memory.high\": \"200000000\", \"cpu.weight\": \"50\"}}");
  g_autoptr (GError) error = NULL;

  g_assert_true (cgroup_apply_resources_v2_split (sandbox, leaf, r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fake_read (leaf, "memory.max"), ==, "268435456");
  g_assert_cmpstr (fake_read (leaf, "memory.swap.max"), ==, "268435456");
  g_assert_cmpstr (fake_read (leaf, "memory.low"), ==, "134217728");
  g_assert_cmpstr (fake_read (leaf, "memory.high"), ==, "200000000");
  g_assert_cmpstr (fake_read (leaf, "cpu.max"), ==, "");
  g_assert_cmpstr (fake_read (leaf, "pids.max"), ==, "");
  g_assert_cmpstr (fake_read (leaf, "cpu.weight"), ==, "");
  g_assert_cmpstr (fake_read (sandbox, "memory.max"), ==, "");
  g_assert_cmpstr (fake_read (sandbox, "memory.high"), ==, "");
  g_assert_cmpstr (fake_read (sandbox, "cpu.max"), ==, "50000 100000");
  g_assert_cmpstr (fake_read (sandbox, "pids.max"), ==, "64");
  g_assert_cmpstr (fake_read (sandbox, "cpu.weight"), ==, "50");
  fake_remove (sandbox);
  fake_remove (leaf);
}

/* A v2 handle with the Sentry's leaf: S, S/sentry, S/container under base (made here). */
static CgroupHandle *
v2_leaf_handle (const char *base, const char *path)
{
  CgroupHandle *h = g_new0 (CgroupHandle, 1);

  h->version = CGROUP_V2;
  h->v1 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  h->path = g_strdup (path);
  h->unified = g_build_filename (base, path, NULL);
  h->sentry_memory = g_build_filename (h->unified, CGROUP_SENTRY_CHILD, NULL);
  h->freeze_dir = g_build_filename (h->unified, CGROUP_CONTAINER_CHILD, NULL);
  h->created = g_new0 (char *, 4);
  h->created[0] = g_strdup (h->unified);
  h->created[1] = g_strdup (h->sentry_memory);
  h->created[2] = g_strdup (h->freeze_dir);
  return h;
}

static char *
fd_target (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  return g_file_read_link (link, NULL);
}

/* The placement logic on plain directories: the Sentry's join fd is its leaf; a process the Sentry forks for the
 * container goes to the container's leaf and is never written to the sandbox's cgroup, which on a v2 host with
 * enabled controllers refuses processes (EBUSY); the container's memory is the leaf's. */
static void
test_v2_sentry_leaf_plan (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("cgroup-v2-XXXXXX", &error);
  g_autoptr (CgroupHandle) h = NULL;
  g_autofree char *target = NULL;
  int fds[4];
  int n;

  g_assert_no_error (error);
  h = v2_leaf_handle (base, "sb");
  for (guint i = 0; h->created[i] != NULL; i++)
    {
      g_autofree char *procs = g_build_filename (h->created[i], "cgroup.procs", NULL);
      g_assert_cmpint (g_mkdir_with_parents (h->created[i], 0755), ==, 0);
      g_assert_true (g_file_set_contents (procs, "", 0, NULL));
    }
  n = cgroup_open_join_fds (h, fds, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);
  target = fd_target (fds[0]);
  g_assert_cmpstr (target, ==, h->sentry_memory);
  close (fds[0]);

  g_assert_true (cgroup_enter_process (h, 4242, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fake_read (h->freeze_dir, "cgroup.procs"), ==, "4242");
  g_assert_cmpstr (fake_read (h->unified, "cgroup.procs"), ==, "");
  g_assert_cmpstr (fake_read (h->sentry_memory, "cgroup.procs"), ==, "");
  g_assert_cmpstr (cgroup_memory_dir (h), ==, h->freeze_dir);

  for (guint i = g_strv_length (h->created); i > 0; i--)
    fake_remove (h->created[i - 1]);

  /* A hybrid host (v1 drives the limits, the cgroup is made in cgroup2 too): the Sentry's cgroup2 join fd is the
   * cgroup2 directory, and its v1 memory join fd the parent of the memory leaf. */
  {
    g_autoptr (CgroupHandle) hy = v2_leaf_handle (base, "hy");
    g_autofree char *mem_leaf = g_build_filename (hy->sentry_memory, CGROUP_CONTAINER_CHILD, NULL);
    g_autofree char *tasks = g_build_filename (hy->sentry_memory, "tasks", NULL);
    g_autofree char *leaf_tasks = g_build_filename (mem_leaf, "tasks", NULL);
    gboolean saw_unified = FALSE, saw_sentry_memory = FALSE;

    hy->version = CGROUP_V1;
    g_hash_table_insert (hy->v1, g_strdup ("memory"), g_strdup (mem_leaf));
    g_assert_cmpint (g_mkdir_with_parents (mem_leaf, 0755), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (hy->unified, 0755), ==, 0);
    g_assert_true (g_file_set_contents (tasks, "", 0, NULL));
    g_assert_true (g_file_set_contents (leaf_tasks, "", 0, NULL));
    n = cgroup_open_join_fds (hy, fds, 4, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, 2);
    for (int i = 0; i < n; i++)
      {
        g_autofree char *t = fd_target (fds[i]);
        saw_unified = saw_unified || g_strcmp0 (t, hy->unified) == 0;
        saw_sentry_memory = saw_sentry_memory || g_strcmp0 (t, tasks) == 0;
        close (fds[i]);
      }
    g_assert_true (saw_unified);
    g_assert_true (saw_sentry_memory);
    g_assert_cmpstr (cgroup_memory_dir (hy), ==, mem_leaf);
    g_unlink (leaf_tasks);
    g_rmdir (mem_leaf);
    g_unlink (tasks);
    g_rmdir (hy->sentry_memory);
    g_rmdir (hy->unified);
  }
  g_rmdir (base);
}

/* The pid's cgroup2 path ("0::/path"). */
static char *
v2_cgroup_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  line = g_str_has_prefix (text, "0::") ? text : strstr (text, "\n0::");
  if (line == NULL)
    return NULL;
  line += line == text ? 3 : 4;
  return g_strndup (line, strcspn (line, "\n"));
}

/* The same on the host's cgroup2 mount (the hybrid hosts' has no controllers: the placement, not the limits): a
 * process forked with the Sentry's join fds is in S/sentry from its first instruction, one entered for the
 * container is in S/container, and destroy removes all three. */
static void
test_v2_sentry_leaf_host (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  g_autofree char *path = g_strdup_printf ("/runsc-unit-v2leaf-%d", (int) getpid ());
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  volatile guint64 *counter;
  const char *mount = NULL;
  int fds[4];
  int n, status;
  pid_t sentry, child;

  if (geteuid () == 0 && g_file_test ("/sys/fs/cgroup/unified/cgroup.procs", G_FILE_TEST_EXISTS))
    mount = "/sys/fs/cgroup/unified";
  else if (geteuid () == 0 && g_file_test ("/sys/fs/cgroup/cgroup.procs", G_FILE_TEST_EXISTS)
           && !g_file_test ("/sys/fs/cgroup/tasks", G_FILE_TEST_EXISTS))
    mount = "/sys/fs/cgroup";
  if (mount == NULL)
    {
      g_test_skip ("needs root and a cgroup2 mount");
      return;
    }
  h = v2_leaf_handle (mount, path);
  for (guint i = 0; h->created[i] != NULL; i++)
    if (mkdir (h->created[i], 0755) < 0)
      {
        g_test_skip ("cannot create a cgroup2 cgroup here");
        for (; i > 0; i--)
          rmdir (h->created[i - 1]);
        return;
      }
  n = cgroup_open_join_fds (h, fds, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);
  sentry = cgroup_fork_into (fds, n, 0);
  if (sentry == 0)
    {
      if (cgroup_join_self (fds, n) < 0)
        _exit (2);
      pause ();
      _exit (0);
    }
  g_assert_cmpint (sentry, >, 0);
  close (fds[0]);
  want = g_strconcat (path, "/" CGROUP_SENTRY_CHILD, NULL);
  got = v2_cgroup_of (sentry);
  g_assert_cmpstr (got, ==, want);

  child = spawn_counter (&counter);
  g_assert_true (cgroup_enter_process (h, child, &error));
  g_assert_no_error (error);
  g_free (want);
  g_free (got);
  want = g_strconcat (path, "/" CGROUP_CONTAINER_CHILD, NULL);
  got = v2_cgroup_of (child);
  g_assert_cmpstr (got, ==, want);

  g_assert_true (cgroup_destroy (h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  g_assert_cmpint (waitpid (sentry, &status, 0), ==, sentry);
  g_assert_true (WIFSIGNALED (status));
  for (guint i = 0; h->created[i] != NULL; i++)
    g_assert_false (g_file_test (h->created[i], G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cgroup/resolve-path", test_resolve_path);
  g_test_add_func ("/cgroup/systemd-slice-path", test_slice_path);
  g_test_add_func ("/cgroup/v2-conversions", test_conversions);
  g_test_add_func ("/cgroup/parse-size", test_parse_size);
  g_test_add_func ("/cgroup/v2-writer", test_v2_writer);
  g_test_add_func ("/cgroup/v2-writer-unlimited", test_v2_writer_unlimited);
  g_test_add_func ("/cgroup/v1-writer", test_v1_writer);
  g_test_add_func ("/cgroup/host-sandbox", test_host_sandbox);
  g_test_add_func ("/cgroup/v2-freeze", test_v2_freeze);
  g_test_add_func ("/cgroup/v2-split-writer", test_v2_split_writer);
  g_test_add_func ("/cgroup/v2-sentry-leaf-plan", test_v2_sentry_leaf_plan);
  g_test_add_func ("/cgroup/v2-sentry-leaf-host", test_v2_sentry_leaf_host);
  return g_test_run ();
}
