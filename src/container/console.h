/* process.terminal: a pty made inside the container, its master sent over the console socket. */
#pragma once

#include "container/plan.h"

/* In the init, after pivot_root (so /dev/ptmx is the container's devpts): open a pty, make the slave the
 * controlling terminal and stdio (owned by the process's user), apply consoleSize, send the master over
 * p->console_socket with SCM_RIGHTS (the pty's name as data), and close the master. */
int console_setup (const ContainerPlan *p, InitError *err);
