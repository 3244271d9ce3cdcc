/* Emulated syslog(2) (klogctl): the sandbox kernel log. Reads and SIZE_BUFFER work without privileges; CLEAR,
 * READ_CLEAR and the console actions fail with EPERM, as Linux answers a process without CAP_SYSLOG. */
#pragma once

#include "sentry/notify.h"

long sentry_sys_syslog (SentryCall *call);
