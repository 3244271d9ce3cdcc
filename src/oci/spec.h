/* The OCI runtime spec (config.json) as typed structures, parsed with json-glib.
 *
 * Lists are plain arrays with a count (or NULL-terminated string vectors) so that the container init can read
 * them after fork without allocating. Optional scalars carry a has_* flag. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct
{
  char *type; /* "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" */
  char *path; /* NULL: create a new one */
} OciNamespace;

typedef struct
{
  guint32 container_id;
  guint32 host_id;
  guint32 size;
} OciIdMapping;

typedef struct
{
  char *destination;
  char *type;    /* may be NULL (bind mounts) */
  char *source;  /* may be NULL */
  char **options; /* NULL-terminated, never NULL */
} OciMount;

typedef struct
{
  char *type; /* "RLIMIT_NOFILE" ... */
  guint64 hard;
  guint64 soft;
} OciRlimit;

typedef struct
{
  /* NULL-terminated capability names ("CAP_CHOWN"), each set NULL when absent from the spec. */
  char **bounding;
  char **effective;
  char **inheritable;
  char **permitted;
  char **ambient;
} OciCapabilities;

typedef struct
{
  char *path;
  char **args; /* NULL-terminated, may be NULL */
  char **env;  /* NULL-terminated, may be NULL */
  gboolean has_timeout;
  int timeout; /* seconds, > 0 */
} OciHook;

typedef struct
{
  OciHook *prestart;
  gsize n_prestart;
  OciHook *create_runtime;
  gsize n_create_runtime;
  OciHook *create_container;
  gsize n_create_container;
  OciHook *start_container;
  gsize n_start_container;
  OciHook *poststart;
  gsize n_poststart;
  OciHook *poststop;
  gsize n_poststop;
} OciHooks;

typedef struct
{
  gboolean terminal;
  gboolean has_console_size;
  guint32 console_height;
  guint32 console_width;
  guint32 uid;
  guint32 gid;
  guint32 *additional_gids;
  gsize n_additional_gids;
  gboolean has_umask;
  guint32 umask;
  char **args; /* NULL-terminated, at least one element */
  char **env;  /* NULL-terminated, never NULL */
  char *cwd;   /* absolute */
  OciCapabilities *capabilities; /* NULL when absent */
  OciRlimit *rlimits;
  gsize n_rlimits;
  gboolean no_new_privileges;
  gboolean has_oom_score_adj;
  int oom_score_adj;
  char *apparmor_profile;
  char *selinux_label;
} OciProcess;

typedef struct
{
  char *path;
  char type; /* 'c', 'b', 'u', 'p' */
  gint64 major;
  gint64 minor;
  gboolean has_file_mode;
  guint32 file_mode;
  gboolean has_uid;
  guint32 uid;
  gboolean has_gid;
  guint32 gid;
} OciDevice;

typedef struct
{
  gboolean allow;
  char type; /* 'a', 'c', 'b' */
  gint64 major; /* -1: any */
  gint64 minor; /* -1: any */
  char *access;  /* "rwm" subset */
} OciDeviceRule;

typedef struct
{
  char *page_size;
  guint64 limit;
} OciHugepageLimit;

typedef struct
{
  /* memory */
  gboolean has_memory_limit;
  gint64 memory_limit; /* -1: unlimited */
  gboolean has_memory_reservation;
  gint64 memory_reservation;
  gboolean has_memory_swap;
  gint64 memory_swap;
  gboolean has_memory_swappiness;
  guint64 memory_swappiness;
  gboolean disable_oom_killer;
  /* cpu */
  gboolean has_cpu_shares;
  guint64 cpu_shares;
  gboolean has_cpu_quota;
  gint64 cpu_quota;
  gboolean has_cpu_period;
  guint64 cpu_period;
  gboolean has_cpu_realtime_runtime;
  gint64 cpu_realtime_runtime;
  gboolean has_cpu_realtime_period;
  guint64 cpu_realtime_period;
  char *cpu_cpus; /* "0-3" or NULL */
  char *cpu_mems;
  /* pids */
  gboolean has_pids_limit;
  gint64 pids_limit;
  /* blockIO */
  gboolean has_blkio_weight;
  guint16 blkio_weight;
  /* devices cgroup */
  OciDeviceRule *devices;
  gsize n_devices;
  OciHugepageLimit *hugepage_limits;
  gsize n_hugepage_limits;
  /* cgroup v2 unified key/values (char * -> char *), NULL when absent */
  GHashTable *unified;
} OciResources;

typedef struct
{
  guint index;
  guint64 value;
  guint64 value_two;
  char *op; /* "SCMP_CMP_EQ" ... */
} OciSeccompArg;

typedef struct
{
  char **names; /* NULL-terminated */
  char *action; /* "SCMP_ACT_ERRNO" ... */
  gboolean has_errno_ret;
  guint errno_ret;
  OciSeccompArg *args;
  gsize n_args;
} OciSeccompSyscall;

typedef struct
{
  char *default_action;
  gboolean has_default_errno_ret;
  guint default_errno_ret;
  char **architectures; /* may be NULL */
  char **flags;         /* may be NULL */
  char *listener_path;  /* may be NULL */
  OciSeccompSyscall *syscalls;
  gsize n_syscalls;
} OciSeccomp;

typedef struct
{
  OciNamespace *namespaces;
  gsize n_namespaces;
  OciIdMapping *uid_mappings;
  gsize n_uid_mappings;
  OciIdMapping *gid_mappings;
  gsize n_gid_mappings;
  GHashTable *sysctl; /* char * -> char *, never NULL */
  OciResources *resources; /* NULL when absent */
  char *cgroups_path;      /* may be NULL */
  OciDevice *devices;
  gsize n_devices;
  char **masked_paths;   /* never NULL */
  char **readonly_paths; /* never NULL */
  char *rootfs_propagation; /* may be NULL */
  char *mount_label;
  OciSeccomp *seccomp; /* NULL when absent */
} OciLinux;

typedef struct
{
  char *oci_version;
  OciProcess *process; /* NULL when absent (allowed by the spec for create; runsc requires it) */
  char *root_path;     /* as written in the spec; see oci_spec_rootfs() */
  gboolean root_readonly;
  char *hostname;   /* may be NULL */
  char *domainname; /* may be NULL */
  OciMount *mounts;
  gsize n_mounts;
  OciHooks hooks;
  GHashTable *annotations; /* char * -> char *, never NULL */
  OciLinux *linux_cfg;     /* never NULL after parsing (empty defaults when absent) */
  JsonNode *json;          /* the document as parsed, for passing on unchanged */
} OciSpec;

/* The largest config.json runsc create reads (runc has no limit; Kubernetes caps a pod's annotations at 256 KiB,
 * and real specs are a few KiB). */
#define OCI_SPEC_MAX_SIZE (16 << 20)

/* Parse config.json text. Unknown fields are ignored; a wrong type or a missing required field is an error
 * naming the JSON path, e.g. "process.args: expected an array of strings". */
OciSpec *oci_spec_parse (const char *data, gssize len, GError **error);

/* Read and parse a file; errors name the file. */
OciSpec *oci_spec_load_file (const char *path, GError **error);

void oci_spec_free (OciSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciSpec, oci_spec_free)

/* Checks beyond types that runsc needs to run the spec (process present, args non-empty, cwd absolute, known
 * namespace types, no duplicate namespace, valid rlimit and capability names...). */
gboolean oci_spec_validate (const OciSpec *spec, GError **error);

/* Parse a LinuxResources object on its own (runsc update --resources FILE); errors name "resources.<field>". */
OciResources *oci_resources_parse (const char *data, gssize len, GError **error);
void oci_resources_free (OciResources *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciResources, oci_resources_free)

/* root.path resolved against the bundle directory (absolute). */
char *oci_spec_rootfs (const OciSpec *spec, const char *bundle);

/* The namespace entry of that type, or NULL if the spec does not ask for one. */
const OciNamespace *oci_spec_namespace (const OciSpec *spec, const char *type);

/* Remove the capability named name ("CAP_NET_RAW") from all five sets; caps may be NULL. */
void oci_capabilities_drop (OciCapabilities *caps, const char *name);

/* Annotation value or NULL. */
const char *oci_spec_annotation (const OciSpec *spec, const char *key);

/* The default config.json that `runsc spec` writes (runc's defaults: sh, terminal, default capabilities, masked
 * and read-only paths, default mounts). */
char *oci_spec_default_json (void);
