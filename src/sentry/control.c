/* src/sentry/control.c: placeholder until its owner lands it. */
#include "config.h"
