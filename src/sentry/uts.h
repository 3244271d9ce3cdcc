/* Emulated uts calls: uname(2) answers from the sandbox kernel; sethostname(2) and setdomainname(2) change the
 * sandbox's names (CAP_SYS_ADMIN required, as in Linux). */
#pragma once

#include "sentry/notify.h"

long sentry_sys_uname (SentryCall *call);
long sentry_sys_sethostname (SentryCall *call);
long sentry_sys_setdomainname (SentryCall *call);

/* TRUE if the caller has capability cap in its effective set (CapEff of /proc/TID/status). Allocation-free. */
int sentry_call_has_cap (const SentryCall *call, int cap);
