/* The sandbox's network set-up (see setup.h). */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "net/setup.h"

/* Remove one namespace entry by index (the spec owns the strings). */
static void
remove_namespace (OciLinux *l, gsize i)
{
  g_free (l->namespaces[i].type);
  g_free (l->namespaces[i].path);
  memmove (&l->namespaces[i], &l->namespaces[i + 1], (l->n_namespaces - i - 1) * sizeof (OciNamespace));
  l->n_namespaces--;
}

/* --network: host shares the caller's network namespace; none gets a fresh one (loopback only); sandbox keeps
 * the spec's (a path to join, or a new one). */
gboolean
net_apply_mode (OciSpec *spec, const char *network, GError **error)
{
  OciLinux *l = spec->linux_cfg;
  gsize i;

  if (network == NULL || strcmp (network, "sandbox") == 0)
    return TRUE;
  if (strcmp (network, "host") == 0)
    {
      for (i = 0; i < l->n_namespaces;)
        if (g_strcmp0 (l->namespaces[i].type, "network") == 0)
          remove_namespace (l, i);
        else
          i++;
      return TRUE;
    }
  if (strcmp (network, "none") == 0)
    {
      for (i = 0; i < l->n_namespaces; i++)
        if (g_strcmp0 (l->namespaces[i].type, "network") == 0)
          {
            g_clear_pointer (&l->namespaces[i].path, g_free);
            return TRUE;
          }
      l->namespaces = g_renew (OciNamespace, l->namespaces, l->n_namespaces + 1);
      l->namespaces[l->n_namespaces].type = g_strdup ("network");
      l->namespaces[l->n_namespaces].path = NULL;
      l->n_namespaces++;
      return TRUE;
    }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --network %s: expected sandbox, host or none", network);
}

/* Without --net-raw, containers lose CAP_NET_RAW (gVisor's rule: raw and packet sockets need the flag). */
void
net_apply_raw (OciSpec *spec, gboolean net_raw)
{
  if (!net_raw && spec->process != NULL)
    oci_capabilities_drop (spec->process->capabilities, "CAP_NET_RAW");
}

/* A network namespace the sandbox made itself (--network=none, or sandbox without a path) has its loopback up,
 * as gVisor's does: "none" means loopback only, not nothing. */
void
net_bring_up_loopback (const OciSpec *spec)
{
  const OciNamespace *ns = oci_spec_namespace (spec, "network");
  struct ifreq ifr;
  int fd;

  if (ns == NULL || ns->path != NULL)
    return;
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
    {
      ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
      if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
        log_warning ("bring up lo: %s", g_strerror (errno));
    }
  close (fd);
}
