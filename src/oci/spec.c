/* src/oci/spec.c: placeholder until its owner lands it. */
#include "config.h"
