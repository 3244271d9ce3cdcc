/* Interface counters with libnl-3 (see link-stats.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "net/link-stats.h"

static void
set_stat (JsonObject *o, const char *name, struct rtnl_link *link, rtnl_link_stat_id_t id)
{
  guint64 v = rtnl_link_get_stat (link, id);
  json_object_set_int_member (o, name, v > G_MAXINT64 ? G_MAXINT64 : (gint64) v);
}

static JsonArray *
read_links (GError **error)
{
  struct nl_sock *sk = nl_socket_alloc ();
  struct nl_cache *cache = NULL;
  JsonArray *out = NULL;
  struct nl_object *obj;
  int err;

  if (sk == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "netlink: cannot allocate a socket");
      return NULL;
    }
  err = nl_connect (sk, NETLINK_ROUTE);
  if (err < 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "netlink: connect: %s", nl_geterror (err));
      goto out;
    }
  err = rtnl_link_alloc_cache (sk, AF_UNSPEC, &cache);
  if (err < 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "netlink: list links: %s", nl_geterror (err));
      goto out;
    }
  out = json_array_new ();
  for (obj = nl_cache_get_first (cache); obj != NULL; obj = nl_cache_get_next (obj))
    {
      struct rtnl_link *link = (struct rtnl_link *) obj;
      JsonObject *o;

      if (rtnl_link_get_flags (link) & IFF_LOOPBACK)
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "name", rtnl_link_get_name (link));
      set_stat (o, "rx_bytes", link, RTNL_LINK_RX_BYTES);
      set_stat (o, "rx_packets", link, RTNL_LINK_RX_PACKETS);
      set_stat (o, "rx_errors", link, RTNL_LINK_RX_ERRORS);
      set_stat (o, "rx_dropped", link, RTNL_LINK_RX_DROPPED);
      set_stat (o, "tx_bytes", link, RTNL_LINK_TX_BYTES);
      set_stat (o, "tx_packets", link, RTNL_LINK_TX_PACKETS);
      set_stat (o, "tx_errors", link, RTNL_LINK_TX_ERRORS);
      set_stat (o, "tx_dropped", link, RTNL_LINK_TX_DROPPED);
      json_array_add_object_element (out, o);
    }
out:
  if (cache != NULL)
    nl_cache_free (cache);
  nl_socket_free (sk);
  return out;
}

JsonArray *
net_link_stats (pid_t pid, GError **error)
{
  char path[64];
  autofd int self = -1;
  autofd int target = -1;
  JsonArray *links;

  if (pid <= 0)
    return read_links (error);
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  target = open (path, O_RDONLY | O_CLOEXEC);
  if (target < 0)
    {
      runsc_error_errno (error, errno, "open %s", path);
      return NULL;
    }
  self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    {
      runsc_error_errno (error, errno, "open /proc/thread-self/ns/net");
      return NULL;
    }
  if (setns (target, CLONE_NEWNET) < 0)
    {
      runsc_error_errno (error, errno, "enter the network namespace of %d", (int) pid);
      return NULL;
    }
  links = read_links (error);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      /* We would go on in the sandbox's namespace: never. */
      log_error ("return to our network namespace: %s", g_strerror (errno));
      abort ();
    }
  return links;
}
