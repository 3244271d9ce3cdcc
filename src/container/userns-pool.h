/* The pool of host id ranges that sandboxes' user namespaces map to (runsc --userns-pool, runsc(8)).
 *
 * Each sandbox that gets the default user namespace owns one range of USERNS_RANGE_SIZE host ids: container uid
 * and gid 0-65535 map to base + 65536 * index .. + 65535. A range is owned through a record
 * USERNS_POOL_DIR/<first host id> holding the sandbox's state directory (<root>/<id>), created and removed
 * under USERNS_POOL_DIR/lock (flock), so that two concurrent creates never get the same range. The directory is
 * the machine's, not the --root's: sandboxes of two state roots (containerd's, docker's, a person's) must not
 * share ids either. A record whose state directory is gone (a create or delete killed half-way, a reboot) is
 * reclaimed by the next allocation. */
#pragma once

#include <glib.h>
#include <stdint.h>

#define USERNS_RANGE_SIZE 65536u
#define USERNS_POOL_DIR "/run/runsc-userns"

/* The default pool: 4094 ranges from 0x70000000 (1879048192), that is above useradd's /etc/subuid ranges
 * (100000-600100000 by default) and systemd-nspawn's container ids (524288-1879048191), and below systemd's
 * reserved "foreign" range at 0x7FFE0000 and the ids above 2^31 that some tools mistake for negative. */
#define USERNS_POOL_DEFAULT_BASE 1879048192u
#define USERNS_POOL_DEFAULT_COUNT 4094u
#define USERNS_POOL_DEFAULT "1879048192:4094"

typedef struct
{
  uint32_t base;  /* first host id of range 0 */
  uint32_t count; /* number of ranges */
} UsernsPool;

/* Parse "BASE:COUNT" (--userns-pool). BASE must be at least 65536 (host ids 0-65535 are the host's own users)
 * and BASE + COUNT * 65536 must stay below 2^32 - 1 (the invalid id). what names the value in errors. */
gboolean userns_pool_parse (const char *text, const char *what, UsernsPool *pool, GError **error);

/* The records' directory: USERNS_POOL_DIR, or $RUNSC_USERNS_POOL_DIR when it is an absolute path (tests). */
const char *userns_pool_dir (void);

/* Allocate a range for the sandbox whose state directory (absolute) is state_dir: *host_base is its first host
 * id. */
gboolean userns_pool_allocate (const char *state_dir, const UsernsPool *pool, uint32_t *host_base, GError **error);

/* Release the range recorded for state_dir, if any. */
gboolean userns_pool_release (const char *state_dir, GError **error);
