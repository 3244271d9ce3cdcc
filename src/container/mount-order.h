/* Keeping /proc/self/mountinfo in the spec's order for mounts made before the container's mount namespace. */
#pragma once

#include <stdbool.h>

#include "container/sync.h"

/* The mount at destination (under rootfd) was made earlier than the mounts before it in the spec (a sysfs or
 * mqueue made in the Sentry's user namespace, or a bind's idmapped copy made by the Sentry, then attached): replace
 * it by a clone of itself (with its submounts when recursive), made now, so that mountinfo, which lists mounts
 * in the order they were made, shows it where the spec puts it, as runc does. Plain system calls only (runs in
 * the container's init). 0, or -1 with err filled. */
int mount_order_refresh (int rootfd, const char *destination, bool recursive, InitError *err);
