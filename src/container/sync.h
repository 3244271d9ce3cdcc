/* The sync socket between container_spawn (the Sentry) and the container's init.
 *
 * A SOCK_SEQPACKET pair: every message is one SyncMsg, fds travel with SCM_RIGHTS. The init's end is O_CLOEXEC,
 * so end-of-file after the start message means that execve succeeded. Plain C: safe after fork. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/plan.h"

typedef enum
{
  SYNC_USERNS = 1,   /* child -> parent: I made a user namespace; write my uid_map and gid_map */
  SYNC_PID,          /* child -> parent: the init's host pid is value */
  SYNC_HOOKS,        /* init -> parent: namespaces and mounts exist; run prestart and createRuntime */
  SYNC_READY,        /* init -> parent: waiting for start (with the seccomp listener fd, if any) */
  SYNC_ERROR,        /* child -> parent: text is the error */
  SYNC_ACK,          /* parent -> child: go on (after SYNC_HOOKS: with the hook state memfds) */
  SYNC_START,        /* parent -> init: execve */
  SYNC_LISTENER,     /* init -> parent: the sandbox filter is installed, here is its listener fd; answered with
                        SYNC_ACK once the parent serves it (before the init drops privileges: those calls go
                        through the Sentry) */
} SyncType;

typedef struct
{
  uint32_t type;
  int32_t value;
  char text[2048];
} SyncMsg;

/* Send a message (with up to two fds). Returns 0 or -errno. */
int sync_send (int fd, SyncType type, int32_t value, const char *text, const int *fds, size_t n_fds);

/* Receive a message; fds (up to two, -1 when absent). Returns 1, 0 at EOF, or -errno. */
int sync_recv (int fd, SyncMsg *msg, int *fds, size_t max_fds);

/* Fill err with "what: strerror(errnum)" (errnum 0: just "what"). Always returns -1. */
int init_error (InitError *err, int errnum, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Append ": what" to an existing error. Always returns -1. */
int init_error_prefix (InitError *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Send err over the sync socket and exit the child with status 1. */
__attribute__ ((noreturn)) void init_fail (int sync_fd, const InitError *err);

/* A raw fork (clone without glibc's atfork handlers or malloc locks): safe in a child of a threaded process.
 * flags are CLONE_* flags; the exit signal is SIGCHLD. Returns the pid, 0 in the child, or -1. */
pid_t raw_fork (unsigned long flags);

/* Allocation-free strerror. */
const char *init_strerror (int errnum);
