/* The shim's only reaper: SIGCHLD through a signalfd on the main context.
 *
 * The shim is a child subreaper, so the runsc sandbox process (and, with runc, container inits) become its
 * children when the runsc command that forked them exits. Exits of pids nobody watches yet are kept for a while,
 * so that a process that dies before the shim has read its pid file is not lost. Synchronous waits for short
 * runsc commands use waitpid on that pid directly; they run on the main thread, so they never race with it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef void (*ReaperExitFunc) (pid_t pid, int exit_status, gpointer user_data);

/* Block SIGCHLD and start reaping on the default main context. */
gboolean reaper_init (GError **error);
/* The signal mask to restore in a forked child before exec. */
void reaper_child_reset_signals (void);

/* Call func once pid has exited (with 128+signal for a signal death), from the main loop. If pid already exited
 * unwatched, func runs from an idle callback. */
void reaper_watch (pid_t pid, ReaperExitFunc func, gpointer user_data);
/* Drop the watch on pid (only if its user_data is user_data, unless that is NULL). */
void reaper_unwatch (pid_t pid, gpointer user_data);
/* TRUE (and the status) if pid's exit was reaped and is not yet claimed by a watch. */
gboolean reaper_take_exit (pid_t pid, int *exit_status);

/* Wait for our child pid; returns its exit status as above, or -1. */
int reaper_wait_sync (pid_t pid);
/* Translate a wait(2) status. */
int reaper_exit_status (int wstatus);
