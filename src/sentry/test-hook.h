/* A control command for the test suite only: the Sentry makes a system call on request, so that a test can see its
 * own seccomp allowlist refuse a call outside it (tests/integration/sentry-confine.bats).
 *
 * runsc and the library hold the version of test-hook.c built without RUNSC_TEST_HOOKS, which knows no command. The
 * check program tests/sandbox/runsc-hooked is runsc with test-hook.c built with RUNSC_TEST_HOOKS: its Sentry answers
 *   "test-syscall" {"nr": N}  ->  {"ret": R, "errno": E}   (the call made with six zero arguments by the main
 *                                                          thread; only getpid, socket and getppid are accepted)
 * No installed program answers it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* TRUE when cmd was a test command (answered on conn; the caller closes conn as after any reply). */
gboolean sentry_test_hook (const char *cmd, JsonObject *req, int conn);
