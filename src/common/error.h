/* Errors: one GError domain for the whole runtime. */
#pragma once

#include <glib.h>

#define RUNSC_ERROR (runsc_error_quark ())
GQuark runsc_error_quark (void);

typedef enum
{
  RUNSC_ERROR_FAILED,      /* generic failure; the message says what */
  RUNSC_ERROR_INVALID,     /* bad input: spec, flag, id */
  RUNSC_ERROR_NOT_FOUND,   /* container, file, process does not exist */
  RUNSC_ERROR_EXISTS,      /* container already exists */
  RUNSC_ERROR_STATE,       /* operation not valid in the container's current state */
  RUNSC_ERROR_UNSUPPORTED, /* valid request this runtime does not support */
} RunscErrorCode;

/* Set *error to "<what>: <strerror(errnum)>", formatting what with printf rules. Always returns FALSE. */
gboolean runsc_error_errno (GError **error, int errnum, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Set *error with a code and message. Always returns FALSE. */
gboolean runsc_error_set (GError **error, RunscErrorCode code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Prefix an existing error's message with "<prefix>: ". Always returns FALSE. */
gboolean runsc_error_prefix (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
