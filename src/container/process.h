/* The process's settings: rlimits, oom_score_adj, the executable's lookup in the container's PATH. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Fill the process part of the plan: args, env, PATH, cwd, user, umask, rlimits, oom score, terminal. */
gboolean process_plan (ContainerPlan *plan, const OciProcess *proc, GError **error);

/* In the init: setrlimit each limit. */
int process_apply_rlimits (const ContainerPlan *p, InitError *err);

/* In the init: write /proc/self/oom_score_adj. */
int process_apply_oom_score_adj (const ContainerPlan *p, InitError *err);

/* In the init, inside the new root: resolve argv[0] against PATH as execvp would, into out. */
int process_find_executable (const ContainerPlan *p, char *out, size_t size, InitError *err);
