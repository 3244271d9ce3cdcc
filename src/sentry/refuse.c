/* Refused calls (counted, logged once, failed with the row's errno) and --strace lines. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/log.h"
#include "sentry/kernel-private.h"
#include "sentry/strace-format.h"
#include "sentry/user-log.h"


/* Multiplexers are logged once per command (ioctl and fcntl: arg 1, prctl: arg 0). */
static int
command_arg (int nr)
{
  switch (nr)
    {
    case __NR_ioctl:
    case __NR_fcntl:
      return 1;
    case __NR_prctl:
      return 0;
    default:
      return -1;
    }
}

/* TRUE the first time key is seen. A full set logs nothing more (the count still grows). */
static gboolean
dedup_first (SentryKernel *k, uint64_t key)
{
  uint64_t h = key * 0x9e3779b97f4a7c15ull;
  key++; /* 0 marks an empty slot */
  for (unsigned i = 0; i < SENTRY_DEDUP_SLOTS; i++)
    {
      uint64_t *slot = &k->dedup[(h + i) % SENTRY_DEDUP_SLOTS];
      uint64_t cur = __atomic_load_n (slot, __ATOMIC_ACQUIRE);
      if (cur == key)
        return FALSE;
      if (cur == 0)
        {
          uint64_t expected = 0;
          if (__atomic_compare_exchange_n (slot, &expected, key, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return TRUE;
          if (expected == key)
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean
first_refusal (SentryKernel *k, int nr, const uint64_t *args)
{
  int cmd = command_arg (nr);
  if (cmd >= 0)
    return dedup_first (k, ((uint64_t) nr << 32) | (uint32_t) args[cmd]);
  if (nr < 0 || nr >= SENTRY_MAX_NR)
    return dedup_first (k, ((uint64_t) 0xffffffffu << 32) | (uint32_t) nr);
  uint64_t bit = 1ull << (nr % 64);
  return !(__atomic_fetch_or (&k->refused_logged[nr / 64], bit, __ATOMIC_ACQ_REL) & bit);
}

/* The caller's memory for a row's refusal check (process_vm_readv: only read, never acted upon; the call is
 * refused whatever the memory holds, so a change behind our back changes at most the errno). */
static int
read_caller (void *ctx, uint64_t addr, void *buf, size_t len)
{
  return sentry_read_mem ((const SentryCall *) ctx, addr, buf, len);
}

long
sentry_refuse (SentryCall *call, const SentrySyscall *row)
{
  SentryKernel *k = call->kernel;
  const uint64_t *args = (const uint64_t *) call->req->data.args;
  int nr = call->req->data.nr;
  SentryCallView view = { args, read_caller, call, sentry_call_pid (call) };
  int err = sentry_syscall_refuse_errno_call (row, &view);
  char line[256];

  __atomic_fetch_add (&k->refused_count[nr >= 0 && nr < SENTRY_MAX_NR ? nr : SENTRY_MAX_NR], 1, __ATOMIC_RELAXED);
  if (first_refusal (k, nr, args))
    {
      sentry_refusal_format (line, sizeof line, nr, row, args, err);
      user_log_info ("%s (container %s)", line, call->container_id);
    }
  return -err;
}

void
sentry_strace (SentryCall *call, const SentrySyscall *row, long result, gboolean continued)
{
  SentryCallView view = { (const uint64_t *) call->req->data.args, read_caller, call, sentry_call_pid (call) };
  char line[1800];

  sentry_strace_format (line, sizeof line, call->req->data.nr, row, &view, result, continued);
  log_debug ("strace: %s [%u] %s", call->container_id, call->req->pid, line);
}

uint64_t
sentry_kernel_refused_count (SentryKernel *k, int nr)
{
  if (nr < 0 || nr >= SENTRY_MAX_NR)
    nr = SENTRY_MAX_NR;
  return __atomic_load_n (&k->refused_count[nr], __ATOMIC_RELAXED);
}
