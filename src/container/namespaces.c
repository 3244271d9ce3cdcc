/* Namespaces: the sandbox's network, IPC and UTS namespaces, entered by the Sentry, and sysctls. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/container.h"
#include "container/namespaces.h"
#include "container/userns.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  const char *type;
  int flag;
} namespace_types[] = {
  { "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },     { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS },   { "user", CLONE_NEWUSER },   { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

int
namespace_clone_flag (const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (namespace_types); i++)
    if (g_strcmp0 (type, namespace_types[i].type) == 0)
      return namespace_types[i].flag;
  return 0;
}

const OciNamespace *
namespace_find (const OciSpec *spec, const char *type)
{
  const OciLinux *l = spec->linux_cfg;

  if (l == NULL)
    return NULL;
  for (gsize i = 0; i < l->n_namespaces; i++)
    if (g_strcmp0 (l->namespaces[i].type, type) == 0)
      return &l->namespaces[i];
  return NULL;
}

gboolean
namespace_sysctl_owner (const char *key, const char **ns_type)
{
  static const char *const ipc_exact[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                            "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                            "kernel.shm_rmid_forced" };

  for (gsize i = 0; i < G_N_ELEMENTS (ipc_exact); i++)
    if (strcmp (key, ipc_exact[i]) == 0)
      {
        *ns_type = "ipc";
        return TRUE;
      }
  if (g_str_has_prefix (key, "fs.mqueue."))
    {
      *ns_type = "ipc";
      return TRUE;
    }
  if (g_str_has_prefix (key, "net."))
    {
      *ns_type = "network";
      return TRUE;
    }
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    {
      *ns_type = "uts";
      return TRUE;
    }
  return FALSE;
}

static gboolean
enter_namespace (const OciNamespace *ns, int flag, int made_fd, GError **error)
{
  autofd int fd = -1;

  if ((ns->path == NULL || ns->path[0] == '\0') && made_fd >= 0)
    {
      if (setns (made_fd, flag) < 0)
        return runsc_error_errno (error, errno, "setns the sandbox's new %s namespace", ns->type);
      return TRUE;
    }
  if (ns->path == NULL || ns->path[0] == '\0')
    {
      if (unshare (flag) < 0)
        return runsc_error_errno (error, errno, "unshare %s namespace", ns->type);
      return TRUE;
    }
  fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return runsc_error_errno (error, errno, "open %s namespace %s", ns->type, ns->path);
  if (setns (fd, flag) < 0)
    return runsc_error_errno (error, errno, "setns %s namespace %s", ns->type, ns->path);
  return TRUE;
}

/* Open path for writing and write value: 0, or an errno. */
static int
open_and_write (const char *path, const char *value, size_t len)
{
  autofd int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return errno;
  if (write (fd, value, len) != (ssize_t) len)
    return errno != 0 ? errno : EIO;
  return 0;
}

/* The same, with this thread's effective ids those of the file's owner. The IPC and mqueue sysctls of a
 * namespace that the sandbox's user namespace owns may be written only by that namespace's root (the kernel
 * compares the writer's euid with the owner it shows, at open and at write; no capability stands in for it),
 * and the Sentry is host root. The raw system calls change this thread's ids only (glibc's wrappers change every
 * thread's, the FUSE server's too); the ids come back before anything else runs here. */
static int
open_and_write_as_owner (const char *path, const char *value, size_t len)
{
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  struct stat st;
  int e;

  if (stat (path, &st) < 0)
    return errno;
  if (st.st_uid == 0 || getresuid (&ruid, &euid, &suid) < 0 || getresgid (&rgid, &egid, &sgid) < 0)
    return EACCES;
  if (syscall (SYS_setresgid, -1, st.st_gid, -1) < 0)
    return errno;
  if (syscall (SYS_setresuid, -1, st.st_uid, -1) < 0)
    {
      e = errno;
      if (syscall (SYS_setresgid, -1, egid, -1) < 0)
        abort ();
      return e;
    }
  e = open_and_write (path, value, len);
  /* Not getting the ids back would leave this thread of a privileged process as another user: stop. */
  if (syscall (SYS_setresuid, -1, euid, -1) < 0 || syscall (SYS_setresgid, -1, egid, -1) < 0)
    abort ();
  return e;
}

static gboolean
write_sysctl (const char *key, const char *value, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *rel = g_strdup (key);
  size_t len = strlen (value);
  int e;

  g_strdelimit (rel, ".", '/');
  path = g_strconcat ("/proc/sys/", rel, NULL);
  e = open_and_write (path, value, len);
  if (e == EACCES)
    e = open_and_write_as_owner (path, value, len);
  if (e != 0)
    return runsc_error_errno (error, e, "sysctl %s: write %s", key, path);
  return TRUE;
}

/* Do the two descriptors name the same namespace (or user namespace)? */
static gboolean
same_ns (int a, int b)
{
  struct stat sa, sb;

  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* The container runs in a user namespace of its own, and the network namespace it was given by path (a
 * Kubernetes pod's, which the CNI plugins made) is another than the one runsc started in but belongs to the
 * host's user namespace: container root holds no CAP_NET_BIND_SERVICE over it and could not listen on port 80
 * as it does under runc. Open the ports below 1024 to the pod's processes in that namespace only, as Docker and
 * Podman do for theirs (net.ipv4.ip_unprivileged_port_start = 0), unless the spec sets that sysctl itself. Not
 * in the host's network namespace, nor in one the sandbox's user namespace owns (there root may bind). */
static void
open_low_ports (const OciSpec *spec, int netns_before)
{
  const OciNamespace *net = namespace_find (spec, "network");
  const OciLinux *l = spec->linux_cfg;
  autofd int now = -1;
  autofd int owner = -1;
  autofd int mine = -1;
  int e;

  if (namespace_find (spec, "user") == NULL || net == NULL || net->path == NULL || net->path[0] == '\0'
      || netns_before < 0 || (l->sysctl != NULL && g_hash_table_contains (l->sysctl, "net.ipv4.ip_unprivileged_port_start")))
    return;
  now = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  mine = open ("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
  if (now < 0 || mine < 0 || same_ns (now, netns_before))
    return;
  owner = ioctl (now, NS_GET_USERNS);
  if (owner < 0 || !same_ns (owner, mine))
    return;
  e = open_and_write ("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0", 1);
  if (e != 0)
    log_warning ("network namespace %s: set net.ipv4.ip_unprivileged_port_start to 0: %s (container root may not "
                 "listen below port 1024)", net->path, g_strerror (e));
  else
    log_info ("network namespace %s belongs to the host's user namespace: ports below 1024 opened to the "
              "container (net.ipv4.ip_unprivileged_port_start = 0)", net->path);
}

/* In the order of userns_new's ns_fds (userns.h). */
static const char *const sandbox_types[USERNS_N_OWNED] = { "network", "ipc", "uts" };

int
container_sandbox_namespaces_new (const OciSpec *spec)
{
  int flags = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (sandbox_types); i++)
    {
      const OciNamespace *ns = namespace_find (spec, sandbox_types[i]);
      if (ns != NULL && (ns->path == NULL || ns->path[0] == '\0'))
        flags |= namespace_clone_flag (sandbox_types[i]);
    }
  return flags;
}

gboolean
container_enter_sandbox_namespaces (const OciSpec *spec, GError **error)
{
  return container_enter_sandbox_namespaces_made (spec, NULL, error);
}

gboolean
container_enter_sandbox_namespaces_made (const OciSpec *spec, const int made[USERNS_N_OWNED], GError **error)
{
  const char *const *types = sandbox_types;
  const OciLinux *l = spec->linux_cfg;
  gboolean have_uts;
  GHashTableIter iter;
  gpointer k, v;
  g_autoptr (GList) keys = NULL;
  autofd int netns_before = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

  for (gsize i = 0; i < USERNS_N_OWNED; i++)
    {
      const OciNamespace *ns = namespace_find (spec, types[i]);
      if (ns != NULL && !enter_namespace (ns, namespace_clone_flag (types[i]), made != NULL ? made[i] : -1, error))
        return FALSE;
    }
  open_low_ports (spec, netns_before);

  have_uts = namespace_find (spec, "uts") != NULL;
  if (spec->hostname != NULL && spec->hostname[0] != '\0')
    {
      if (!have_uts)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "unable to set hostname %s without a private UTS namespace", spec->hostname);
      if (sethostname (spec->hostname, strlen (spec->hostname)) < 0)
        return runsc_error_errno (error, errno, "sethostname %s", spec->hostname);
    }
  if (spec->domainname != NULL && spec->domainname[0] != '\0')
    {
      if (!have_uts)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "unable to set domainname %s without a private UTS namespace", spec->domainname);
      if (setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
        return runsc_error_errno (error, errno, "setdomainname %s", spec->domainname);
    }

  if (l == NULL || l->sysctl == NULL)
    return TRUE;
  /* Check every key first, so that a bad key leaves nothing half-written. */
  g_hash_table_iter_init (&iter, l->sysctl);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      const char *owner = NULL;
      if (!namespace_sysctl_owner (k, &owner))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "sysctl %s is not namespaced: not allowed in a container",
                                (const char *) k);
      if (namespace_find (spec, owner) == NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "sysctl %s is not allowed: the container shares the host's %s namespace",
                                (const char *) k, owner);
    }
  keys = g_list_sort (g_hash_table_get_keys (l->sysctl), (GCompareFunc) strcmp);
  for (GList *it = keys; it != NULL; it = it->next)
    if (!write_sysctl (it->data, g_hash_table_lookup (l->sysctl, it->data), error))
      return FALSE;
  return TRUE;
}
