/* OCI hooks: a program run with the state JSON on stdin, its args and env, killed at its timeout. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* HookPlans for a list of spec hooks (storage owned by the plan). */
HookPlan *hooks_plan (ContainerPlan *plan, const OciHook *hooks, gsize n_hooks);

/* A memfd holding data (for a hook's stdin). Plain C. Returns the fd or -errno. */
int hooks_state_fd (const char *data, size_t len);

/* Run one hook with state_fd (rewound) as stdin; a non-zero exit, a signal or the timeout is an error naming the
 * hook kind, path and its stderr. The hook enters user namespace userns_fd first (-1: ours): the init of the
 * sandbox's nested user namespace runs the createContainer hooks as container root, as it would be without the
 * nesting (init.c). Plain C: the init uses it between fork and execve. */
int hooks_run_one (const HookPlan *h, int state_fd, int userns_fd, const char *kind, InitError *err);

/* Run hooks in order with state_fd as stdin (and userns_fd as hooks_run_one); stops at the first failure. */
int hooks_run_all (const HookPlan *hooks, gsize n_hooks, int state_fd, int userns_fd, const char *kind,
                   InitError *err);
