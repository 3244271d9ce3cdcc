/* The host's files as a process with an empty root reaches them: through directories it holds open.
 *
 * The confined Sentry (src/sentry/confine.h) lives in an empty root of its own, so an absolute path means nothing
 * to it. Before it empties its root it opens the few host directories it still reads and writes, and holds each
 * one here under its absolute path ("/proc", "/sys/fs/cgroup", the state root, ...). From then on the functions
 * below turn an absolute path under a held directory into the *at call on that descriptor with the rest of the
 * path; a path under none goes to the kernel as it is (and, in an empty root, finds nothing). A process that holds
 * nothing (runsc itself, the shim, the spawner before it matters) sees plain open/stat/readlink behaviour, so the
 * code shared with them needs no second version.
 *
 * Held directories are added before the threads that use them read any (the Sentry's notification threads only
 * read the table); they are never removed. None of these allocates but runsc_host_get_contents: they may run on
 * the syscall path. */
#pragma once

#include <dirent.h>
#include <glib.h>
#include <sys/stat.h>
#include <sys/types.h>

#define RUNSC_HOST_FS_MAX 8

/* Hold dirfd (owned from now on) as the way to absolute path prefix (no trailing slash, "/" refused). FALSE when
 * the table is full or prefix is not absolute. */
gboolean runsc_host_fs_hold (const char *prefix, int dirfd);

/* Whether anything is held (the process reaches the host only through held directories). */
gboolean runsc_host_fs_active (void);

/* The directory descriptor and the path relative to it for path: (held fd, rest or ".") for a path under a held
 * prefix, else (AT_FDCWD, path). */
int runsc_host_at (const char *path, const char **rel);

int runsc_host_open (const char *path, int flags, mode_t mode);
DIR *runsc_host_opendir (const char *path);
ssize_t runsc_host_readlink (const char *path, char *buf, size_t size);
int runsc_host_stat (const char *path, struct stat *st);
int runsc_host_access (const char *path, int mode);
int runsc_host_rename (const char *from, const char *to);
int runsc_host_unlink (const char *path);

/* g_file_get_contents through the held directories (the same G_FILE_ERROR codes). */
gboolean runsc_host_get_contents (const char *path, char **contents, gsize *length, GError **error);
