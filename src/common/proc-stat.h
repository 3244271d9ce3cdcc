/* The one reader of /proc/PID/stat, for runsc, the Sentry and the shim.
 *
 * It does not allocate: the caller gives the buffer the file is read into (RUNSC_PROC_STAT_BUF bytes is enough for
 * every field it returns), and the command name points into it. So the Sentry may call it where it must not
 * allocate, and the process-tree walks read one buffer per /proc entry on the stack.
 *
 * The command name (field 2) is the task's comm in parentheses, as the process set it: it may hold spaces, '(' and
 * ')' (prctl PR_SET_NAME takes any bytes), so the fields after it are found after the LAST ')' of the text. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <sys/types.h>

/* Enough for the fields below: a 64-byte comm (kernel threads' names are longer than TASK_COMM_LEN) and 20
 * numbers of at most 20 digits. */
#define RUNSC_PROC_STAT_BUF 512

typedef struct
{
  int pid;            /* field 1 */
  const char *comm;   /* field 2 without its parentheses; points into the text, not NUL-terminated */
  size_t comm_len;    /* its length in bytes */
  char state;         /* field 3: R, S, D, Z, T, t, X, I, ... */
  int ppid;           /* field 4 */
  int pgrp;           /* field 5 */
  int session;        /* field 6 */
  guint64 start_time; /* field 22: clock ticks after boot */
} RunscProcStat;

/* Parse the text of a stat file (len bytes; it need not be NUL-terminated). FALSE if it is not one (no "(comm)",
 * a field missing or not a number, or the text cut before the start time ends). */
gboolean runsc_proc_stat_parse (const char *text, size_t len, RunscProcStat *st);

/* Read /proc/PID/stat into buf (size bytes; RUNSC_PROC_STAT_BUF) and parse it. FALSE with errno set if the process
 * does not exist (ENOENT, ESRCH) or the file cannot be read, EINVAL if it does not parse. Async-signal-safe. */
gboolean runsc_proc_stat_read (pid_t pid, char *buf, size_t size, RunscProcStat *st);
