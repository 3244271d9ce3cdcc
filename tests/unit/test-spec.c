/* Unit tests for the OCI spec model (src/oci/spec.c, src/oci/spec-default.c): good specs parse into the right
 * values, and each broken spec in tests/unit/data/broken fails with the exact message naming its JSON path. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "oci/spec.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/unit/data"
#endif

typedef enum
{
  STAGE_PARSE,    /* oci_spec_load_file fails */
  STAGE_VALIDATE, /* it loads, oci_spec_validate fails */
} Stage;

typedef struct
{
  const char *name;
  Stage stage;
  const char *message; /* exact; for not-json only the start */
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { "not-json", STAGE_PARSE, "invalid JSON: " },
  { "not-object", STAGE_PARSE, "invalid spec: expected a JSON object" },
  { "no-oci-version", STAGE_PARSE, "ociVersion: missing" },
  { "oci-version-number", STAGE_PARSE, "ociVersion: expected a string" },
  { "no-root", STAGE_PARSE, "root: missing" },
  { "root-not-object", STAGE_PARSE, "root: expected an object" },
  { "no-root-path", STAGE_PARSE, "root.path: missing" },
  { "root-readonly-string", STAGE_PARSE, "root.readonly: expected a boolean" },
  { "process-not-object", STAGE_PARSE, "process: expected an object" },
  { "no-args", STAGE_PARSE, "process.args: missing" },
  { "args-string", STAGE_PARSE, "process.args: expected an array of strings" },
  { "args-number-element", STAGE_PARSE, "process.args: expected an array of strings" },
  { "no-cwd", STAGE_PARSE, "process.cwd: missing" },
  { "cwd-array", STAGE_PARSE, "process.cwd: expected a string" },
  { "env-object", STAGE_PARSE, "process.env: expected an array of strings" },
  { "terminal-string", STAGE_PARSE, "process.terminal: expected a boolean" },
  { "uid-negative", STAGE_PARSE, "process.user.uid: expected an unsigned 32-bit integer" },
  { "gid-too-big", STAGE_PARSE, "process.user.gid: expected an unsigned 32-bit integer" },
  { "additional-gids-bad", STAGE_PARSE, "process.user.additionalGids: expected an array of unsigned 32-bit integers" },
  { "console-size-no-width", STAGE_PARSE, "process.consoleSize.width: missing" },
  { "caps-bounding-string", STAGE_PARSE, "process.capabilities.bounding: expected an array of strings" },
  { "rlimits-object", STAGE_PARSE, "process.rlimits: expected an array" },
  { "rlimit-not-object", STAGE_PARSE, "process.rlimits[1]: expected an object" },
  { "rlimit-no-type", STAGE_PARSE, "process.rlimits[0].type: missing" },
  { "rlimit-hard-string", STAGE_PARSE, "process.rlimits[0].hard: expected an unsigned integer" },
  { "rlimit-soft-fraction", STAGE_PARSE, "process.rlimits[0].soft: expected an unsigned integer" },
  { "no-new-privileges-number", STAGE_PARSE, "process.noNewPrivileges: expected a boolean" },
  { "oom-score-string", STAGE_PARSE, "process.oomScoreAdj: expected a 32-bit integer" },
  { "hostname-number", STAGE_PARSE, "hostname: expected a string" },
  { "mounts-object", STAGE_PARSE, "mounts: expected an array" },
  { "mount-no-destination", STAGE_PARSE, "mounts[1].destination: missing" },
  { "mount-options-string", STAGE_PARSE, "mounts[0].options: expected an array of strings" },
  { "hooks-array", STAGE_PARSE, "hooks: expected an object" },
  { "hook-no-path", STAGE_PARSE, "hooks.prestart[0].path: missing" },
  { "hook-timeout-string", STAGE_PARSE, "hooks.poststop[0].timeout: expected a 32-bit integer" },
  { "annotation-number", STAGE_PARSE, "annotations[\"io.example.count\"]: expected a string" },
  { "linux-array", STAGE_PARSE, "linux: expected an object" },
  { "namespaces-object", STAGE_PARSE, "linux.namespaces: expected an array" },
  { "namespace-type-number", STAGE_PARSE, "linux.namespaces[2].type: expected a string" },
  { "namespace-no-type", STAGE_PARSE, "linux.namespaces[1].type: missing" },
  { "uid-mapping-no-size", STAGE_PARSE, "linux.uidMappings[0].size: missing" },
  { "sysctl-number", STAGE_PARSE, "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string" },
  { "memory-limit-string", STAGE_PARSE, "linux.resources.memory.limit: expected an integer" },
  { "pids-no-limit", STAGE_PARSE, "linux.resources.pids.limit: missing" },
  { "device-rule-no-allow", STAGE_PARSE, "linux.resources.devices[0].allow: missing" },
  { "device-type-unknown", STAGE_PARSE, "linux.devices[0].type: unknown device type \"x\" (expected one of c, b, u, p)" },
  { "seccomp-no-default-action", STAGE_PARSE, "linux.seccomp.defaultAction: missing" },
  { "seccomp-arg-no-op", STAGE_PARSE, "linux.seccomp.syscalls[0].args[0].op: missing" },
  { "no-process", STAGE_VALIDATE, "process: missing" },
  { "root-path-empty", STAGE_VALIDATE, "root.path: must not be empty" },
  { "args-empty", STAGE_VALIDATE, "process.args: must not be empty" },
  { "cwd-relative", STAGE_VALIDATE, "process.cwd: must be an absolute path, got \"tmp\"" },
  { "env-no-equals", STAGE_VALIDATE, "process.env[1]: expected NAME=VALUE, got \"DEBUG\"" },
  { "cap-unknown", STAGE_VALIDATE, "process.capabilities.effective[1]: unknown capability \"CAP_FOO\"" },
  { "cap-no-prefix", STAGE_VALIDATE, "process.capabilities.bounding[0]: unknown capability \"KILL\"" },
  { "cap-lowercase", STAGE_VALIDATE, "process.capabilities.permitted[0]: unknown capability \"cap_kill\"" },
  { "rlimit-unknown", STAGE_VALIDATE, "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"" },
  { "rlimit-no-prefix", STAGE_VALIDATE, "process.rlimits[0].type: unknown rlimit \"NOFILE\"" },
  { "rlimit-duplicate", STAGE_VALIDATE, "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
  { "rlimit-soft-above-hard", STAGE_VALIDATE,
    "process.rlimits[0]: soft limit 2048 is above hard limit 1024 for RLIMIT_NOFILE" },
  { "oom-score-range", STAGE_VALIDATE, "process.oomScoreAdj: must be between -1000 and 1000, got 1001" },
  { "namespace-unknown", STAGE_VALIDATE, "linux.namespaces[2].type: unknown namespace type \"pidx\"" },
  { "namespace-duplicate", STAGE_VALIDATE, "linux.namespaces[3].type: duplicate namespace \"pid\"" },
  { "namespace-path-relative", STAGE_VALIDATE,
    "linux.namespaces[1].path: must be an absolute path, got \"proc/1/ns/net\"" },
  { "userns-no-uid-mappings", STAGE_VALIDATE, "linux.uidMappings: missing (required for a new user namespace)" },
  { "userns-no-gid-mappings", STAGE_VALIDATE, "linux.gidMappings: missing (required for a new user namespace)" },
  { "mappings-without-userns", STAGE_VALIDATE, "linux.uidMappings: set, but no user namespace is requested" },
  { "mount-destination-relative", STAGE_VALIDATE, "mounts[0].destination: must be an absolute path, got \"proc\"" },
  { "hook-path-relative", STAGE_VALIDATE, "hooks.createRuntime[0].path: must be an absolute path, got \"hook.sh\"" },
  { "hook-timeout-zero", STAGE_VALIDATE, "hooks.poststart[1].timeout: must be positive, got 0" },
  { "device-path-relative", STAGE_VALIDATE, "linux.devices[0].path: must be an absolute path, got \"dev/fuse\"" },
  { "masked-path-relative", STAGE_VALIDATE, "linux.maskedPaths[1]: must be an absolute path, got \"proc/keys\"" },
  { "propagation-unknown", STAGE_VALIDATE, "linux.rootfsPropagation: unknown propagation \"sideways\"" },
};

static char *
data_path (const char *dir, const char *name)
{
  return g_strdup_printf ("%s/%s/%s.json", TEST_DATA_DIR, dir, name);
}

static OciSpec *
load_good (const char *name)
{
  g_autofree char *path = data_path ("good", name);
  g_autoptr (GError) error = NULL;
  OciSpec *spec = oci_spec_load_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (spec);
  oci_spec_validate (spec, &error);
  g_assert_no_error (error);
  return spec;
}

static void
test_broken (gconstpointer data)
{
  const BrokenCase *c = data;
  g_autofree char *path = data_path ("broken", c->name);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = NULL;

  spec = oci_spec_load_file (path, &error);
  if (c->stage == STAGE_PARSE)
    {
      g_assert_null (spec);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
      /* Load errors name the file first. */
      expected = g_strdup_printf ("%s: %s", path, c->message);
      if (strcmp (c->name, "not-json") == 0)
        g_assert_true (g_str_has_prefix (error->message, expected));
      else
        g_assert_cmpstr (error->message, ==, expected);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (spec);
  g_assert_false (oci_spec_validate (spec, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, c->message);
}

/* Every file in data/broken has a case, so a file added without an expectation is noticed. */
static void
test_broken_all_listed (void)
{
  g_autofree char *dir_path = g_strdup_printf ("%s/broken", TEST_DATA_DIR);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;
  guint files = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gsize i;
      gboolean found = FALSE;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      files++;
      for (i = 0; i < G_N_ELEMENTS (broken_cases); i++)
        if (strlen (name) == strlen (broken_cases[i].name) + 5
            && strncmp (name, broken_cases[i].name, strlen (broken_cases[i].name)) == 0)
          found = TRUE;
      if (!found)
        g_test_message ("no expectation for data/broken/%s", name);
      g_assert_true (found);
    }
  g_assert_cmpuint (files, ==, G_N_ELEMENTS (broken_cases));
}

static void
test_minimal (void)
{
  g_autoptr (OciSpec) spec = load_good ("minimal");

  g_assert_cmpstr (spec->oci_version, ==, "1.0.2");
  g_assert_nonnull (spec->process);
  g_assert_cmpstr (spec->process->args[0], ==, "/bin/true");
  g_assert_null (spec->process->args[1]);
  /* The never-NULL fields are empty, not NULL. */
  g_assert_nonnull (spec->process->env);
  g_assert_null (spec->process->env[0]);
  g_assert_cmpstr (spec->process->cwd, ==, "/");
  g_assert_null (spec->process->capabilities);
  g_assert_false (spec->process->terminal);
  g_assert_false (spec->process->has_oom_score_adj);
  g_assert_false (spec->process->has_umask);
  g_assert_cmpuint (spec->process->uid, ==, 0);
  g_assert_cmpuint (spec->process->n_rlimits, ==, 0);
  g_assert_cmpstr (spec->root_path, ==, "rootfs");
  g_assert_false (spec->root_readonly);
  g_assert_null (spec->hostname);
  g_assert_cmpuint (spec->n_mounts, ==, 0);
  g_assert_cmpuint (spec->hooks.n_prestart, ==, 0);
  g_assert_nonnull (spec->annotations);
  g_assert_cmpuint (g_hash_table_size (spec->annotations), ==, 0);
  g_assert_nonnull (spec->linux_cfg);
  g_assert_cmpuint (spec->linux_cfg->n_namespaces, ==, 0);
  g_assert_nonnull (spec->linux_cfg->sysctl);
  g_assert_nonnull (spec->linux_cfg->masked_paths);
  g_assert_null (spec->linux_cfg->masked_paths[0]);
  g_assert_nonnull (spec->linux_cfg->readonly_paths);
  g_assert_null (spec->linux_cfg->resources);
  g_assert_null (spec->linux_cfg->seccomp);
  g_assert_null (oci_spec_namespace (spec, "pid"));
  g_assert_null (oci_spec_annotation (spec, "io.kubernetes.cri.container-type"));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (spec->json));
}

static void
test_full (void)
{
  g_autoptr (OciSpec) spec = load_good ("full");
  const OciProcess *p = spec->process;
  const OciLinux *l = spec->linux_cfg;
  const OciResources *r;
  const OciSeccomp *s;

  g_assert_cmpstr (spec->oci_version, ==, "1.1.0");
  /* process */
  g_assert_true (p->terminal);
  g_assert_true (p->has_console_size);
  g_assert_cmpuint (p->console_height, ==, 25);
  g_assert_cmpuint (p->console_width, ==, 80);
  g_assert_cmpuint (p->uid, ==, 1000);
  g_assert_cmpuint (p->gid, ==, 1001);
  g_assert_true (p->has_umask);
  g_assert_cmpuint (p->umask, ==, 022);
  g_assert_cmpuint (p->n_additional_gids, ==, 2);
  g_assert_cmpuint (p->additional_gids[0], ==, 5);
  g_assert_cmpuint (p->additional_gids[1], ==, G_MAXUINT32);
  g_assert_cmpuint (g_strv_length (p->args), ==, 3);
  g_assert_cmpstr (p->args[2], ==, "echo hello");
  g_assert_cmpstr (p->env[1], ==, "EMPTY=");
  g_assert_cmpstr (p->cwd, ==, "/home/user");
  g_assert_nonnull (p->capabilities);
  g_assert_cmpuint (g_strv_length (p->capabilities->bounding), ==, 3);
  g_assert_cmpstr (p->capabilities->bounding[2], ==, "CAP_CHECKPOINT_RESTORE");
  g_assert_cmpstr (p->capabilities->effective[0], ==, "CAP_KILL");
  g_assert_nonnull (p->capabilities->inheritable);
  g_assert_null (p->capabilities->inheritable[0]);
  g_assert_cmpstr (p->capabilities->permitted[1], ==, "CAP_NET_BIND_SERVICE");
  g_assert_null (p->capabilities->ambient);
  g_assert_cmpuint (p->n_rlimits, ==, 2);
  g_assert_cmpstr (p->rlimits[0].type, ==, "RLIMIT_NOFILE");
  g_assert_cmpuint (p->rlimits[0].hard, ==, 4096);
  g_assert_cmpuint (p->rlimits[0].soft, ==, 1024);
  /* 18446744073709551615 (RLIM_INFINITY) survives json-glib's signed integers. */
  g_assert_cmpuint (p->rlimits[1].hard, ==, G_MAXUINT64);
  g_assert_cmpuint (p->rlimits[1].soft, ==, G_MAXUINT64);
  g_assert_true (p->no_new_privileges);
  g_assert_true (p->has_oom_score_adj);
  g_assert_cmpint (p->oom_score_adj, ==, -500);
  g_assert_cmpstr (p->apparmor_profile, ==, "runsc-default");
  g_assert_cmpstr (p->selinux_label, ==, "system_u:system_r:container_t:s0");
  /* root, names, mounts */
  g_assert_cmpstr (spec->root_path, ==, "/var/lib/bundles/x/rootfs/");
  g_assert_false (spec->root_readonly);
  g_assert_cmpstr (spec->hostname, ==, "sandbox-host");
  g_assert_cmpstr (spec->domainname, ==, "example.org");
  g_assert_cmpuint (spec->n_mounts, ==, 3);
  g_assert_cmpstr (spec->mounts[1].destination, ==, "/data");
  g_assert_cmpstr (spec->mounts[1].type, ==, "bind");
  g_assert_cmpstr (spec->mounts[1].source, ==, "/srv/data");
  g_assert_cmpuint (g_strv_length (spec->mounts[1].options), ==, 2);
  g_assert_cmpstr (spec->mounts[1].options[1], ==, "ro");
  g_assert_null (spec->mounts[0].options[0]);
  g_assert_null (spec->mounts[2].source); /* JSON null is absent */
  g_assert_nonnull (spec->mounts[2].options);
  g_assert_null (spec->mounts[2].options[0]);
  /* hooks */
  g_assert_cmpuint (spec->hooks.n_prestart, ==, 1);
  g_assert_cmpstr (spec->hooks.prestart[0].path, ==, "/usr/bin/setkey");
  g_assert_cmpstr (spec->hooks.prestart[0].args[1], ==, "abc");
  g_assert_cmpstr (spec->hooks.prestart[0].env[0], ==, "A=1");
  g_assert_true (spec->hooks.prestart[0].has_timeout);
  g_assert_cmpint (spec->hooks.prestart[0].timeout, ==, 5);
  g_assert_cmpuint (spec->hooks.n_create_runtime, ==, 1);
  g_assert_null (spec->hooks.create_runtime[0].args);
  g_assert_false (spec->hooks.create_runtime[0].has_timeout);
  g_assert_cmpuint (spec->hooks.n_create_container, ==, 1);
  g_assert_cmpuint (spec->hooks.n_start_container, ==, 1);
  g_assert_cmpuint (spec->hooks.n_poststart, ==, 2);
  g_assert_cmpstr (spec->hooks.poststart[1].path, ==, "/usr/bin/ps2");
  g_assert_cmpuint (spec->hooks.n_poststop, ==, 1);
  g_assert_cmpint (spec->hooks.poststop[0].timeout, ==, 30);
  /* annotations */
  g_assert_cmpstr (oci_spec_annotation (spec, "io.kubernetes.cri.container-type"), ==, "sandbox");
  g_assert_cmpstr (oci_spec_annotation (spec, "io.kubernetes.cri.sandbox-id"), ==, "abc123");
  g_assert_null (oci_spec_annotation (spec, "missing"));
  /* linux: namespaces and mappings */
  g_assert_cmpuint (l->n_namespaces, ==, 8);
  g_assert_cmpstr (oci_spec_namespace (spec, "network")->path, ==, "/var/run/netns/cni-1234");
  g_assert_null (oci_spec_namespace (spec, "pid")->path);
  g_assert_null (oci_spec_namespace (spec, "ipc")->path); /* "" means a new one */
  g_assert_nonnull (oci_spec_namespace (spec, "time"));
  g_assert_null (oci_spec_namespace (spec, "bogus"));
  g_assert_cmpuint (l->n_uid_mappings, ==, 1);
  g_assert_cmpuint (l->uid_mappings[0].host_id, ==, 100000);
  g_assert_cmpuint (l->uid_mappings[0].size, ==, 65536);
  g_assert_cmpuint (l->n_gid_mappings, ==, 1);
  g_assert_cmpuint (l->gid_mappings[0].host_id, ==, 200000);
  g_assert_cmpstr (g_hash_table_lookup (l->sysctl, "net.ipv4.ip_forward"), ==, "1");
  /* resources */
  r = l->resources;
  g_assert_nonnull (r);
  g_assert_true (r->has_memory_limit);
  g_assert_cmpint (r->memory_limit, ==, 536870912);
  g_assert_cmpint (r->memory_reservation, ==, 268435456);
  g_assert_true (r->has_memory_swap);
  g_assert_cmpint (r->memory_swap, ==, -1);
  g_assert_cmpuint (r->memory_swappiness, ==, 60);
  g_assert_true (r->disable_oom_killer);
  g_assert_cmpuint (r->cpu_shares, ==, 512);
  g_assert_cmpint (r->cpu_quota, ==, 50000);
  g_assert_cmpuint (r->cpu_period, ==, 100000);
  g_assert_cmpint (r->cpu_realtime_runtime, ==, 950000);
  g_assert_cmpuint (r->cpu_realtime_period, ==, 1000000);
  g_assert_cmpstr (r->cpu_cpus, ==, "0-1");
  g_assert_cmpstr (r->cpu_mems, ==, "0");
  g_assert_true (r->has_pids_limit);
  g_assert_cmpint (r->pids_limit, ==, 100);
  g_assert_true (r->has_blkio_weight);
  g_assert_cmpuint (r->blkio_weight, ==, 500);
  g_assert_cmpuint (r->n_devices, ==, 3);
  g_assert_false (r->devices[0].allow);
  g_assert_cmpint (r->devices[0].type, ==, 'a');
  g_assert_cmpint (r->devices[0].major, ==, -1);
  g_assert_cmpint (r->devices[0].minor, ==, -1);
  g_assert_cmpstr (r->devices[0].access, ==, "rwm");
  g_assert_true (r->devices[1].allow);
  g_assert_cmpint (r->devices[1].type, ==, 'c');
  g_assert_cmpint (r->devices[1].major, ==, 1);
  g_assert_cmpint (r->devices[1].minor, ==, 3);
  g_assert_cmpstr (r->devices[1].access, ==, "rw");
  g_assert_cmpint (r->devices[2].type, ==, 'b');
  g_assert_cmpint (r->devices[2].minor, ==, -1);
  g_assert_cmpstr (r->devices[2].access, ==, "rwm");
  g_assert_cmpuint (r->n_hugepage_limits, ==, 1);
  g_assert_cmpstr (r->hugepage_limits[0].page_size, ==, "2MB");
  g_assert_cmpuint (r->hugepage_limits[0].limit, ==, 209715200);
  g_assert_nonnull (r->unified);
  g_assert_cmpstr (g_hash_table_lookup (r->unified, "memory.high"), ==, "400000000");
  g_assert_cmpstr (l->cgroups_path, ==, "/kubepods/pod1/abc123");
  /* devices */
  g_assert_cmpuint (l->n_devices, ==, 2);
  g_assert_cmpstr (l->devices[0].path, ==, "/dev/fuse");
  g_assert_cmpint (l->devices[0].type, ==, 'c');
  g_assert_cmpint (l->devices[0].major, ==, 10);
  g_assert_cmpint (l->devices[0].minor, ==, 229);
  g_assert_true (l->devices[0].has_file_mode);
  g_assert_cmpuint (l->devices[0].file_mode, ==, 0666);
  g_assert_true (l->devices[0].has_uid);
  g_assert_true (l->devices[0].has_gid);
  g_assert_cmpint (l->devices[1].type, ==, 'p');
  g_assert_false (l->devices[1].has_file_mode);
  g_assert_cmpstr (l->masked_paths[0], ==, "/proc/kcore");
  g_assert_cmpstr (l->readonly_paths[0], ==, "/proc/sys");
  g_assert_cmpstr (l->rootfs_propagation, ==, "rslave");
  g_assert_cmpstr (l->mount_label, ==, "system_u:object_r:container_file_t:s0");
  /* seccomp */
  s = l->seccomp;
  g_assert_nonnull (s);
  g_assert_cmpstr (s->default_action, ==, "SCMP_ACT_ERRNO");
  g_assert_true (s->has_default_errno_ret);
  g_assert_cmpuint (s->default_errno_ret, ==, 1);
  g_assert_cmpstr (s->architectures[1], ==, "SCMP_ARCH_X86");
  g_assert_cmpstr (s->flags[0], ==, "SECCOMP_FILTER_FLAG_LOG");
  g_assert_cmpstr (s->listener_path, ==, "/run/seccomp-agent.sock");
  g_assert_cmpuint (s->n_syscalls, ==, 3);
  g_assert_cmpstr (s->syscalls[0].names[1], ==, "write");
  g_assert_cmpuint (s->syscalls[0].n_args, ==, 0);
  g_assert_false (s->syscalls[0].has_errno_ret);
  g_assert_cmpuint (s->syscalls[1].n_args, ==, 1);
  g_assert_cmpuint (s->syscalls[1].args[0].index, ==, 0);
  g_assert_cmpuint (s->syscalls[1].args[0].value, ==, 4294967295u);
  g_assert_cmpstr (s->syscalls[1].args[0].op, ==, "SCMP_CMP_EQ");
  g_assert_true (s->syscalls[2].has_errno_ret);
  g_assert_cmpuint (s->syscalls[2].errno_ret, ==, 38);
  /* The document is kept whole, unknown members included, to pass on unchanged. */
  g_assert_true (json_object_has_member (json_node_get_object (spec->json), "x-unknown-top-level"));
}

static void
test_base (void)
{
  g_autoptr (OciSpec) spec = load_good ("base");

  g_assert_cmpuint (spec->linux_cfg->n_namespaces, ==, 3);
}

/* A spec as containerd 1.6 writes it (`ctr container create --seccomp`, captured with `ctr container info`):
 * containerd's default capabilities, mounts and seccomp profile. */
static void
test_containerd (void)
{
  g_autoptr (OciSpec) spec = load_good ("containerd-ctr-seccomp");
  const OciSeccomp *s = spec->linux_cfg->seccomp;

  g_assert_cmpstr (spec->oci_version, ==, "1.0.2-dev");
  g_assert_cmpstrv (spec->process->args, ((const char *const[]){ "/bin/busybox", "true", NULL }));
  g_assert_cmpuint (g_strv_length (spec->process->capabilities->bounding), ==, 14);
  g_assert_cmpuint (spec->n_mounts, ==, 7);
  g_assert_cmpstr (spec->linux_cfg->cgroups_path, ==, "/default/spec-plain");
  g_assert_nonnull (oci_spec_namespace (spec, "network"));
  g_assert_null (oci_spec_namespace (spec, "user"));
  g_assert_nonnull (s);
  g_assert_cmpstr (s->default_action, ==, "SCMP_ACT_ERRNO");
  g_assert_false (s->has_default_errno_ret);
  g_assert_cmpuint (g_strv_length (s->architectures), ==, 3);
  g_assert_cmpuint (s->n_syscalls, ==, 11);
  g_assert_true (g_strv_contains ((const char *const *) s->syscalls[0].names, "read"));
  g_assert_cmpstr (s->syscalls[5].names[0], ==, "personality");
  g_assert_cmpuint (s->syscalls[5].args[0].value, ==, 4294967295u);
  g_assert_cmpstr (s->syscalls[9].args[0].op, ==, "SCMP_CMP_MASKED_EQ");
  g_assert_cmpuint (s->syscalls[9].args[0].value, ==, 2114060288u);
  g_assert_cmpstr (s->syscalls[10].names[0], ==, "clone3");
  g_assert_true (s->syscalls[10].has_errno_ret);
  g_assert_cmpuint (s->syscalls[10].errno_ret, ==, 38);
}

static void
test_null_is_absent (void)
{
  const char *doc = "{\"ociVersion\": \"1.1.0\", \"hostname\": null, \"root\": {\"path\": \"r\", \"readonly\": null},"
                    " \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"env\": null, \"capabilities\": null},"
                    " \"mounts\": null, \"linux\": null, \"annotations\": null}";
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_parse (doc, -1, &error);

  g_assert_no_error (error);
  g_assert_null (spec->hostname);
  g_assert_false (spec->root_readonly);
  g_assert_nonnull (spec->process->env);
  g_assert_null (spec->process->capabilities);
  g_assert_nonnull (spec->linux_cfg);
  g_assert_nonnull (spec->annotations);
  g_assert_true (oci_spec_validate (spec, &error));
}

/* A missing required field is reported even when JSON null stands in for it. */
static void
test_null_required (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec
      = oci_spec_parse ("{\"ociVersion\": null, \"root\": {\"path\": \"r\"}}", -1, &error);

  g_assert_null (spec);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "ociVersion: missing");
}

/* process is optional when parsing (the runtime spec allows it for create) and required by validate. */
static void
test_process_optional_in_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_parse ("{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"r\"}}", -1, &error);

  g_assert_no_error (error);
  g_assert_null (spec->process);
  g_assert_false (oci_spec_validate (spec, &error));
  g_assert_cmpstr (error->message, ==, "process: missing");
}

static void
test_load_enoent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_load_file ("/nonexistent-runsc-test/config.json", &error);

  g_assert_null (spec);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "open /nonexistent-runsc-test/config.json: No such file or directory");
}

static void
test_load_directory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_load_file ("/", &error);

  g_assert_null (spec);
  g_assert_cmpstr (error->message, ==, "read /: Is a directory");
}

/* The name is given as the caller wrote it: a bundle's config.json read after chdir reads "config.json: ...". */
static void
test_load_relative_name (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("runsc-spec-XXXXXX", &error);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *file = NULL;
  OciSpec *spec;

  g_assert_no_error (error);
  file = g_build_filename (dir, "config.json", NULL);
  g_assert_true (g_file_set_contents (file, "{\"root\": {\"path\": \"rootfs\"}}", -1, &error));
  g_assert_cmpint (chdir (dir), ==, 0);
  spec = oci_spec_load_file ("config.json", &error);
  g_assert_cmpint (chdir (cwd), ==, 0);
  g_assert_null (spec);
  g_assert_cmpstr (error->message, ==, "config.json: ociVersion: missing");
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static char *
rootfs_of (const char *root_path, const char *bundle)
{
  g_autofree char *doc = g_strdup_printf ("{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"%s\"}}", root_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_parse (doc, -1, &error);

  g_assert_no_error (error);
  return oci_spec_rootfs (spec, bundle);
}

static void
test_rootfs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("runsc-rootfs-XXXXXX", &error);
  g_autofree char *real_tmp = NULL;
  g_autofree char *bundle = NULL, *rootfs = NULL, *link = NULL, *expected = NULL, *cwd = NULL;
  char *r;

  g_assert_no_error (error);
  real_tmp = realpath (tmp, NULL);
  g_assert_nonnull (real_tmp);

  /* Directories that need not exist: resolved lexically. */
  r = rootfs_of ("rootfs", "/nonexistent-runsc/bundle");
  g_assert_cmpstr (r, ==, "/nonexistent-runsc/bundle/rootfs");
  g_free (r);
  r = rootfs_of ("rootfs/", "/nonexistent-runsc/bundle/");
  g_assert_cmpstr (r, ==, "/nonexistent-runsc/bundle/rootfs");
  g_free (r);
  r = rootfs_of ("./a/../rootfs//", "/nonexistent-runsc/./bundle");
  g_assert_cmpstr (r, ==, "/nonexistent-runsc/bundle/rootfs");
  g_free (r);
  r = rootfs_of ("/nonexistent-runsc/x/../abs/", "/ignored/bundle");
  g_assert_cmpstr (r, ==, "/nonexistent-runsc/abs");
  g_free (r);

  /* A real bundle with a symlinked rootfs: the canonical target. */
  bundle = g_build_filename (tmp, "bundle", NULL);
  rootfs = g_build_filename (tmp, "real-rootfs", NULL);
  link = g_build_filename (bundle, "rootfs", NULL);
  g_assert_cmpint (g_mkdir (bundle, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (rootfs, 0755), ==, 0);
  g_assert_cmpint (symlink ("../real-rootfs", link), ==, 0);
  expected = g_build_filename (real_tmp, "real-rootfs", NULL);
  r = rootfs_of ("rootfs", bundle);
  g_assert_cmpstr (r, ==, expected);
  g_free (r);

  /* A relative bundle is taken from the current directory. */
  cwd = g_get_current_dir ();
  g_assert_cmpint (chdir (bundle), ==, 0);
  r = rootfs_of ("rootfs", ".");
  g_assert_cmpstr (r, ==, expected);
  g_free (r);
  r = rootfs_of ("rootfs", NULL);
  g_assert_cmpstr (r, ==, expected);
  g_free (r);
  g_assert_cmpint (chdir (cwd), ==, 0);

  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (g_rmdir (rootfs), ==, 0);
  g_assert_cmpint (g_rmdir (bundle), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

static void
test_default (void)
{
  g_autofree char *text = oci_spec_default_json ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = NULL;
  const OciProcess *p;
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
  static const char *const mounts[][2] = { { "/proc", "proc" },        { "/dev", "tmpfs" },
                                           { "/dev/pts", "devpts" },   { "/dev/shm", "tmpfs" },
                                           { "/dev/mqueue", "mqueue" }, { "/sys", "sysfs" },
                                           { "/sys/fs/cgroup", "cgroup" } };
  gsize i;

  /* Pretty-printed with a two-space indent and a final newline. */
  g_assert_true (g_str_has_prefix (text, "{\n  \"ociVersion\": \"1.1.0\",\n  \"process\": {\n    \"terminal\""));
  g_assert_true (g_str_has_suffix (text, "}\n"));

  spec = oci_spec_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (oci_spec_validate (spec, &error));
  g_assert_no_error (error);

  p = spec->process;
  g_assert_true (p->terminal);
  g_assert_cmpuint (p->uid, ==, 0);
  g_assert_cmpuint (p->gid, ==, 0);
  g_assert_cmpstrv (p->args, ((const char *const[]){ "sh", NULL }));
  g_assert_cmpstrv (p->env, ((const char *const[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                                    "TERM=xterm", NULL }));
  g_assert_cmpstr (p->cwd, ==, "/");
  g_assert_cmpstrv (p->capabilities->bounding, caps);
  g_assert_cmpstrv (p->capabilities->effective, caps);
  g_assert_cmpstrv (p->capabilities->permitted, caps);
  g_assert_cmpuint (p->n_rlimits, ==, 1);
  g_assert_cmpstr (p->rlimits[0].type, ==, "RLIMIT_NOFILE");
  g_assert_cmpuint (p->rlimits[0].hard, ==, 1024);
  g_assert_cmpuint (p->rlimits[0].soft, ==, 1024);
  g_assert_true (p->no_new_privileges);
  g_assert_cmpstr (spec->root_path, ==, "rootfs");
  g_assert_true (spec->root_readonly);
  g_assert_cmpstr (spec->hostname, ==, "runsc");

  g_assert_cmpuint (spec->n_mounts, ==, G_N_ELEMENTS (mounts));
  for (i = 0; i < G_N_ELEMENTS (mounts); i++)
    {
      g_assert_cmpstr (spec->mounts[i].destination, ==, mounts[i][0]);
      g_assert_cmpstr (spec->mounts[i].type, ==, mounts[i][1]);
    }
  g_assert_true (g_strv_contains ((const char *const *) spec->mounts[5].options, "ro"));
  g_assert_true (g_strv_contains ((const char *const *) spec->mounts[6].options, "ro"));

  g_assert_cmpuint (spec->linux_cfg->n_namespaces, ==, G_N_ELEMENTS (ns));
  for (i = 0; i < G_N_ELEMENTS (ns); i++)
    {
      g_assert_cmpstr (spec->linux_cfg->namespaces[i].type, ==, ns[i]);
      g_assert_null (spec->linux_cfg->namespaces[i].path);
    }
  g_assert_true (g_strv_contains ((const char *const *) spec->linux_cfg->masked_paths, "/proc/kcore"));
  g_assert_true (g_strv_contains ((const char *const *) spec->linux_cfg->masked_paths, "/sys/firmware"));
  g_assert_true (g_strv_contains ((const char *const *) spec->linux_cfg->readonly_paths, "/proc/sys"));
  g_assert_true (g_strv_contains ((const char *const *) spec->linux_cfg->readonly_paths, "/proc/sysrq-trigger"));
  g_assert_nonnull (spec->linux_cfg->resources);
  g_assert_cmpuint (spec->linux_cfg->resources->n_devices, ==, 1);
  g_assert_false (spec->linux_cfg->resources->devices[0].allow);
  g_assert_cmpstr (spec->linux_cfg->resources->devices[0].access, ==, "rwm");
}

/* The default spec has the shape `runc spec` writes: every member runc writes is there (ambient capabilities
 * aside), the same mounts in the same order, runc's masked and read-only paths, its namespaces. */
static void
test_default_like_runc (void)
{
  g_autofree char *runc = g_find_program_in_path ("runc");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *file = NULL, *ours_text = oci_spec_default_json ();
  g_autoptr (OciSpec) theirs = NULL;
  g_autoptr (OciSpec) ours = NULL;
  const char *argv[] = { NULL, "spec", NULL };
  int status = 0;
  gsize i;

  if (runc == NULL)
    {
      g_test_skip ("runc is not installed");
      return;
    }
  dir = g_dir_make_tmp ("runsc-runc-spec-XXXXXX", &error);
  g_assert_no_error (error);
  argv[0] = runc;
  g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  file = g_build_filename (dir, "config.json", NULL);
  theirs = oci_spec_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_true (oci_spec_validate (theirs, &error));
  ours = oci_spec_parse (ours_text, -1, &error);
  g_assert_no_error (error);

  /* Top-level and process members. */
  {
    JsonObject *t = json_node_get_object (theirs->json), *o = json_node_get_object (ours->json);
    g_autoptr (GList) members = json_object_get_members (t);
    JsonObject *tp = json_object_get_object_member (t, "process"), *op = json_object_get_object_member (o, "process");
    g_autoptr (GList) pmembers = json_object_get_members (tp);
    GList *m;

    for (m = members; m != NULL; m = m->next)
      g_assert_true (json_object_has_member (o, m->data));
    for (m = pmembers; m != NULL; m = m->next)
      g_assert_true (json_object_has_member (op, m->data));
  }
  g_assert_cmpstrv (ours->process->args, theirs->process->args);
  g_assert_cmpstrv (ours->process->env, theirs->process->env);
  g_assert_cmpstr (ours->process->cwd, ==, theirs->process->cwd);
  g_assert_cmpint (ours->process->terminal, ==, theirs->process->terminal);
  g_assert_cmpstrv (ours->process->capabilities->bounding, theirs->process->capabilities->bounding);
  g_assert_cmpstrv (ours->process->capabilities->effective, theirs->process->capabilities->effective);
  g_assert_cmpstrv (ours->process->capabilities->permitted, theirs->process->capabilities->permitted);
  g_assert_cmpuint (ours->process->n_rlimits, ==, theirs->process->n_rlimits);
  g_assert_cmpstr (ours->process->rlimits[0].type, ==, theirs->process->rlimits[0].type);
  g_assert_cmpuint (ours->process->rlimits[0].hard, ==, theirs->process->rlimits[0].hard);
  g_assert_cmpint (ours->process->no_new_privileges, ==, theirs->process->no_new_privileges);
  g_assert_cmpstr (ours->root_path, ==, theirs->root_path);
  g_assert_cmpint (ours->root_readonly, ==, theirs->root_readonly);
  g_assert_cmpuint (ours->n_mounts, ==, theirs->n_mounts);
  for (i = 0; i < theirs->n_mounts; i++)
    {
      g_assert_cmpstr (ours->mounts[i].destination, ==, theirs->mounts[i].destination);
      g_assert_cmpstr (ours->mounts[i].type, ==, theirs->mounts[i].type);
      g_assert_cmpstr (ours->mounts[i].source, ==, theirs->mounts[i].source);
      g_assert_cmpstrv (ours->mounts[i].options, theirs->mounts[i].options);
    }
  for (i = 0; i < theirs->linux_cfg->n_namespaces; i++)
    g_assert_nonnull (oci_spec_namespace (ours, theirs->linux_cfg->namespaces[i].type));
  for (i = 0; theirs->linux_cfg->masked_paths[i] != NULL; i++)
    g_assert_true (
        g_strv_contains ((const char *const *) ours->linux_cfg->masked_paths, theirs->linux_cfg->masked_paths[i]));
  g_assert_cmpstrv (ours->linux_cfg->readonly_paths, theirs->linux_cfg->readonly_paths);

  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* oci_capabilities_drop removes one name from every set, whatever its case, and keeps the others in order. */
static void
test_capabilities_drop (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_parse (
      "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],"
      "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_NET_RAW\",\"CAP_CHOWN\"],\"effective\":[\"cap_net_raw\"],"
      "\"permitted\":[\"CAP_NET_RAW\",\"CAP_KILL\"]}}}",
      -1, &error);
  OciCapabilities *c;

  g_assert_no_error (error);
  c = spec->process->capabilities;
  oci_capabilities_drop (c, "CAP_NET_RAW");
  g_assert_cmpstrv (c->bounding, ((const char *[]){ "CAP_KILL", "CAP_CHOWN", NULL }));
  g_assert_cmpstrv (c->effective, ((const char *[]){ NULL }));
  g_assert_cmpstrv (c->permitted, ((const char *[]){ "CAP_KILL", NULL }));
  g_assert_null (c->inheritable);
  oci_capabilities_drop (NULL, "CAP_NET_RAW");
}

int
main (int argc, char **argv)
{
  gsize i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spec/good/minimal", test_minimal);
  g_test_add_func ("/spec/good/full", test_full);
  g_test_add_func ("/spec/good/base", test_base);
  g_test_add_func ("/spec/good/containerd", test_containerd);
  g_test_add_func ("/spec/parse/null-is-absent", test_null_is_absent);
  g_test_add_func ("/spec/parse/null-required", test_null_required);
  g_test_add_func ("/spec/parse/process-optional", test_process_optional_in_parse);
  g_test_add_func ("/spec/load/enoent", test_load_enoent);
  g_test_add_func ("/spec/load/directory", test_load_directory);
  g_test_add_func ("/spec/load/relative-name", test_load_relative_name);
  g_test_add_func ("/spec/broken/all-listed", test_broken_all_listed);
  for (i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/spec/broken/%s", broken_cases[i].name);
      g_test_add_data_func (name, &broken_cases[i], test_broken);
    }
  g_test_add_func ("/spec/rootfs", test_rootfs);
  g_test_add_func ("/spec/default", test_default);
  g_test_add_func ("/spec/default/like-runc", test_default_like_runc);
  g_test_add_func ("/spec/capabilities-drop", test_capabilities_drop);
  return g_test_run ();
}
