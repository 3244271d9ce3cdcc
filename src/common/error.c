/* Errors: one GError domain for the whole runtime. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/error.h"

G_DEFINE_QUARK (runsc-error-quark, runsc_error)

gboolean
runsc_error_errno (GError **error, int errnum, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, RUNSC_ERROR, errnum == ENOENT ? RUNSC_ERROR_NOT_FOUND : RUNSC_ERROR_FAILED, "%s: %s", what,
               g_strerror (errnum));
  return FALSE;
}

gboolean
runsc_error_set (GError **error, RunscErrorCode code, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, RUNSC_ERROR, code, msg);
  return FALSE;
}

gboolean
runsc_error_prefix (GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *prefix = NULL;

  if (error == NULL || *error == NULL)
    return FALSE;
  va_start (ap, fmt);
  prefix = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_prefix_error (error, "%s: ", prefix);
  return FALSE;
}
