/* The flag parser: placeholder until its owner lands it. */
#include "config.h"

#include "cli/cli.h"
