/* src/oci/state.c: placeholder until its owner lands it. */
#include "config.h"
