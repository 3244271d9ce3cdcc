/* Helpers shared by the cgroup files (not an interface for the rest of the runtime). */
#pragma once

#include <glib.h>

#include "container/cgroup.h"

/* Read dir/name (whole, small). NULL with error naming the file. */
char *cgroup_read (const char *dir, const char *name, GError **error);

/* Read dir/name as a number: "max" gives G_MAXINT64; FALSE (no error) when the file is absent or not a number. */
gboolean cgroup_read_i64 (const char *dir, const char *name, gint64 *out);

/* Write value to dir/name in one write(2); the error names the file and the value
 * ("write 50000 to /sys/fs/cgroup/cpu/x/cpu.cfs_quota_us: Invalid argument"). */
gboolean cgroup_write (const char *dir, const char *name, const char *value, GError **error);

/* Like cgroup_write, but with errno kept for callers that retry (0 on success). */
int cgroup_write_errno (const char *dir, const char *name, const char *value);

/* The value of "key N" lines (memory.stat, cpu.stat, memory.events); FALSE when absent. */
gboolean cgroup_keyed_value (const char *text, const char *key, guint64 *out);

/* A handle with no directory yet (cgroup.c). */
CgroupHandle *cgroup_handle_new (void);

/* The handle's directory for a v1 controller, or NULL (cgroup.c). */
const char *cgroup_v1_dir (const CgroupHandle *h, const char *controller);

/* Remove the directories a create's journal names (CGROUP_JOURNAL_FILE in state_dir), deepest first; TRUE when there
 * is no journal (cgroup-setup.c). */
gboolean cgroup_journal_undo (const char *state_dir, GError **error);
