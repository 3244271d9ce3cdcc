/* Capabilities and the process's user. */
#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "container/capabilities.h"
#include "container/sync.h"

static int
last_cap (void)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/sys/kernel/cap_last_cap", &text, NULL, NULL))
    return (int) g_ascii_strtoll (text, NULL, 10);
  return CAP_LAST_CAP;
}

static guint64
caps_mask (char **names, int last, const char *set)
{
  guint64 mask = 0;

  for (char **n = names; n != NULL && *n != NULL; n++)
    {
      const char *name = *n;
      int cap;

      if (g_ascii_strncasecmp (name, "CAP_", 4) == 0)
        name += 4;
      cap = capng_name_to_capability (name);
      if (cap < 0)
        {
          g_autofree char *lower = g_ascii_strdown (name, -1);
          cap = capng_name_to_capability (lower);
        }
      if (cap < 0)
        {
          log_warning ("process.capabilities.%s: unknown capability %s ignored", set, *n);
          continue;
        }
      if (cap > last || cap > 63)
        {
          log_warning ("process.capabilities.%s: %s is not supported by this kernel, ignored", set, *n);
          continue;
        }
      mask |= G_GUINT64_CONSTANT (1) << cap;
    }
  return mask;
}

gboolean
capabilities_plan (ContainerPlan *plan, const OciCapabilities *caps, GError **error)
{
  plan->cap_last = last_cap ();
  if (caps == NULL)
    {
      plan->has_caps = false;
      return TRUE;
    }
  plan->has_caps = true;
  plan->cap_bounding = caps_mask (caps->bounding, plan->cap_last, "bounding");
  plan->cap_effective = caps_mask (caps->effective, plan->cap_last, "effective");
  plan->cap_permitted = caps_mask (caps->permitted, plan->cap_last, "permitted");
  plan->cap_inheritable = caps_mask (caps->inheritable, plan->cap_last, "inheritable");
  plan->cap_ambient = caps_mask (caps->ambient, plan->cap_last, "ambient");
  /* An ambient capability must be permitted and inheritable, or the kernel refuses to raise it. */
  plan->cap_ambient &= plan->cap_permitted & plan->cap_inheritable;
  return TRUE;
}

int
capabilities_drop_bounding (const ContainerPlan *p, InitError *err)
{
  if (!p->has_caps)
    return 0;
  for (int cap = 0; cap <= p->cap_last && cap < 64; cap++)
    {
      if (p->cap_bounding & (UINT64_C (1) << cap))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return init_error (err, errno, "drop capability %d from the bounding set", cap);
    }
  return 0;
}

int
capabilities_change_user (const ContainerPlan *p, InitError *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];

  if (p->has_caps && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return init_error (err, errno, "prctl PR_SET_KEEPCAPS");
  /* Raw system calls, not glibc's set*id: in a process cloned from the multi-threaded Sentry, glibc still counts
   * the Sentry's threads and would signal them and wait for one that was still starting at the clone (forever:
   * it does not exist here). This process has one thread; the kernel call changes it alone, which is all. */
  if (syscall (SYS_setgroups, p->n_groups, p->groups) < 0)
    {
      /* A user namespace whose setgroups is denied: only an empty list can be right. */
      if (!(errno == EPERM && p->userns && p->n_groups == 0))
        return init_error (err, errno, "setgroups");
    }
  if (syscall (SYS_setresgid, p->gid, p->gid, p->gid) < 0)
    return init_error (err, errno, "setresgid %u", (unsigned) p->gid);
  if (syscall (SYS_setresuid, p->uid, p->uid, p->uid) < 0)
    return init_error (err, errno, "setresuid %u", (unsigned) p->uid);
  if (!p->has_caps)
    return 0;
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return init_error (err, errno, "prctl PR_SET_KEEPCAPS");

  memset (data, 0, sizeof data);
  data[0].effective = (uint32_t) p->cap_effective;
  data[1].effective = (uint32_t) (p->cap_effective >> 32);
  data[0].permitted = (uint32_t) p->cap_permitted;
  data[1].permitted = (uint32_t) (p->cap_permitted >> 32);
  data[0].inheritable = (uint32_t) p->cap_inheritable;
  data[1].inheritable = (uint32_t) (p->cap_inheritable >> 32);
  if (syscall (SYS_capset, &hdr, data) < 0)
    return init_error (err, errno, "capset (effective %#llx, permitted %#llx, inheritable %#llx)",
                       (unsigned long long) p->cap_effective, (unsigned long long) p->cap_permitted,
                       (unsigned long long) p->cap_inheritable);
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return init_error (err, errno, "clear the ambient capabilities");
  for (int cap = 0; cap <= p->cap_last && cap < 64; cap++)
    if ((p->cap_ambient & (UINT64_C (1) << cap))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return init_error (err, errno, "raise ambient capability %d", cap);
  return 0;
}
