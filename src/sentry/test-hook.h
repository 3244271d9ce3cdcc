/* Control commands for the test suite only: the Sentry makes a system call on request, so that a test can see its
 * own seccomp allowlist refuse a call outside it, and it sends its spawner a request as a compromised Sentry could,
 * so that a test can see the spawner refuse it (tests/integration/sentry-confine.bats).
 *
 * runsc and the library hold the version of test-hook.c built without RUNSC_TEST_HOOKS, which knows no command. The
 * check program tests/sandbox/runsc-hooked is runsc with test-hook.c built with RUNSC_TEST_HOOKS: its Sentry answers
 *   "test-syscall" {"nr": N}  ->  {"ret": R, "errno": E}   (the call made with six zero arguments by the main
 *                                                          thread; only getpid, socket and getppid are accepted)
 *   "test-spawner" {"kind": K, "req": {...}}  ->  {"pid": P} or the spawner's error
 *                                            (sent to the spawner as it is, with three descriptors standing for stdio
 *                                            and a fourth for a mount, all copies of the control connection)
 * No installed program answers it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* TRUE when cmd was a test command (answered on conn; the caller closes conn as after any reply). */
gboolean sentry_test_hook (const char *cmd, JsonObject *req, int conn);

typedef struct SentrySpawner SentrySpawner;

/* The spawner "test-spawner" talks to (set once the Sentry is confined; kept but unused without the hooks). */
void sentry_test_hook_set_spawner (SentrySpawner *spawner);
