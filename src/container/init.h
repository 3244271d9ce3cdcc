/* The two processes container_spawn starts: stage 1 joins or makes the namespaces and forks the init (with
 * CLONE_PARENT, so the Sentry is the init's parent); the init builds the root and runs up to execve. Plain C. */
#pragma once

#include "container/plan.h"

__attribute__ ((noreturn)) void container_stage1_main (const ContainerPlan *p);
__attribute__ ((noreturn)) void container_init_main (const ContainerPlan *p);

/* A process joining a running container (exec): stdio, terminal, process settings, filters, execve. */
__attribute__ ((noreturn)) void container_exec_main (const ContainerPlan *p);
