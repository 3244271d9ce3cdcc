/* Reading /proc/PID/mountinfo for the overlay a root filesystem is (src/container/mountinfo.c): the one reader
 * behind the in-memory root's layer reuse (rootfs-layers.c) and the idmapped copy of an overlay root (idmap.c). */
#pragma once

#include <glib.h>

/* Undo mountinfo's octal escapes (\040 for a space, \011, \012, \134) in place. */
void mountinfo_unescape (char *s);

/* The super options (the last field, as mountinfo writes them: escapes kept) of the mount visible at mountpoint
 * (the last line whose mount point, unescaped, is mountpoint) in the mountinfo file at path, when that mount is an
 * overlayfs mounted from its filesystem's root ("/" in the root field). NULL otherwise: no mount there, another
 * filesystem on top, a bind mount of part of an overlay, or an unreadable file. Newly allocated. */
char *mountinfo_overlay_options (const char *path, const char *mountpoint);
