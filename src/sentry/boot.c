/* src/sentry/boot.c: placeholder until its owner lands it. */
#include "config.h"
