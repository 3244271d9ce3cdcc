/* Users and groups of a container, from its own /etc/passwd and /etc/group, read inside its root (openat2
 * RESOLVE_IN_ROOT, no magic links): never the host's NSS. For HOME (runc sets it from the passwd entry of the
 * process's uid when process.env has none) and for runsc exec --user NAME[:GROUP]. Parent side (GLib). */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* The home directory of uid in the passwd file under root (a directory path on the host, e.g. the bundle's
 * rootfs or /proc/PID/root): the entry's directory, or "/" when there is no file, no entry or an empty one. */
char *userdb_home (const char *root, uid_t uid);

/* Resolve runc's user string "USER[:GROUP]" under root. USER is a name or a number, GROUP likewise. A name must
 * be in /etc/passwd (/etc/group); a number needs no entry. The gid is GROUP's when given, else the user's primary
 * group from passwd (0 for a number without an entry). When USER is in passwd and no GROUP is given, *groups (may be NULL) receives the gids of the /etc/group entries that list the
 * user's name (g_free; *n_groups of them). FALSE with error ("no user NAME in the container's /etc/passwd"). */
gboolean userdb_resolve (const char *root, const char *spec, uid_t *uid, gid_t *gid, gid_t **groups,
                         gsize *n_groups, GError **error);
