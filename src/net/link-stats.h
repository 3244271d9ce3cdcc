/* Network interface counters of a network namespace, read with libnl-3 (rtnetlink), for runsc events --stats. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

/* The interfaces of the network namespace pid is in (pid <= 0: the caller's), as runc's
 * types.NetworkInterface objects: name, rx_bytes, rx_packets, rx_errors, rx_dropped, tx_bytes, tx_packets,
 * tx_errors, tx_dropped. Loopback is left out (it never leaves the sandbox). The calling thread enters the
 * namespace for the duration of the call and comes back. */
JsonArray *net_link_stats (pid_t pid, GError **error);
