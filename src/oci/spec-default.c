/* src/oci/spec-default.c: placeholder until its owner lands it. */
#include "config.h"
