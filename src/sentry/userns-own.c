/* Whether the container's user namespace is not the host's (userns-own.h). */
#include "config.h"

#include <sys/stat.h>

#include "common/host-fs.h"
#include "sentry/kernel-private.h"
#include "sentry/userns-own.h"

gboolean
sentry_spec_own_userns (const OciSpec *spec)
{
  const OciNamespace *ns;
  struct stat theirs, ours;

  if (spec == NULL)
    return FALSE;
  ns = oci_spec_namespace (spec, "user");
  if (ns == NULL)
    return FALSE;
  if (ns->path == NULL || ns->path[0] == '\0')
    return TRUE; /* a new one, made by the container's stage 1 */
  /* Namespaces are the same when their nsfs inodes are: what `readlink /proc/X/ns/user` compares. */
  if (runsc_host_stat (ns->path, &theirs) < 0 || runsc_host_stat ("/proc/self/ns/user", &ours) < 0)
    return FALSE;
  return theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino;
}

gboolean
sentry_kernel_own_userns (const SentryKernel *k)
{
  return k != NULL && k->rule_ctx.own_userns;
}
