/* Refused calls (counted, logged once, failed with the row's errno) and --strace lines. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/log.h"
#include "sentry/kernel-private.h"
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

static void
format_name (char *buf, size_t size, int nr, const SentrySyscall *row)
{
  if (row != NULL)
    snprintf (buf, size, "%s", row->name);
  else
    snprintf (buf, size, "UNKNOWN[%d/%#x]", nr, (unsigned) nr);
}

static const char *
errno_text (int err)
{
  const char *name = strerrorname_np (err);
  return name != NULL ? name : "?";
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
  char name[48];

  __atomic_fetch_add (&k->refused_count[nr >= 0 && nr < SENTRY_MAX_NR ? nr : SENTRY_MAX_NR], 1, __ATOMIC_RELAXED);
  if (first_refusal (k, nr, args))
    {
      format_name (name, sizeof name, nr, row);
      user_log_info ("Unsupported syscall %s(%#llx,%#llx,%#llx,%#llx,%#llx,%#llx): refused with %s (container %s)",
                     name, (unsigned long long) args[0], (unsigned long long) args[1], (unsigned long long) args[2],
                     (unsigned long long) args[3], (unsigned long long) args[4], (unsigned long long) args[5],
                     errno_text (err), call->container_id);
    }
  return -err;
}

/* The argument that names a path, for the calls that have one (-1: none). */
static int
path_arg (int nr)
{
  switch (nr)
    {
    case __NR_open: case __NR_creat: case __NR_stat: case __NR_lstat: case __NR_access: case __NR_execve:
    case __NR_mkdir: case __NR_rmdir: case __NR_unlink: case __NR_rename: case __NR_link: case __NR_symlink:
    case __NR_chdir: case __NR_readlink: case __NR_chmod: case __NR_chown: case __NR_lchown: case __NR_truncate:
    case __NR_mknod: case __NR_statfs: case __NR_chroot: case __NR_mount: case __NR_umount2: case __NR_swapon:
    case __NR_swapoff: case __NR_acct: case __NR_pivot_root: case __NR_utimes: case __NR_getxattr:
    case __NR_setxattr: case __NR_listxattr: case __NR_removexattr:
      return 0;
    case __NR_openat: case __NR_openat2: case __NR_newfstatat: case __NR_faccessat: case __NR_faccessat2:
    case __NR_execveat: case __NR_mkdirat: case __NR_unlinkat: case __NR_renameat: case __NR_renameat2:
    case __NR_linkat: case __NR_readlinkat: case __NR_fchmodat: case __NR_fchownat: case __NR_mknodat:
    case __NR_statx: case __NR_utimensat: case __NR_futimesat: case __NR_name_to_handle_at:
      return 1;
    default:
      return -1;
    }
}

/* "0x7ffd...", or "0x7ffd... \"/etc/passwd\"" when argument i names a path that can be read. */
static void
format_arg (SentryCall *call, int nr, unsigned i, char *buf, size_t size)
{
  uint64_t v = call->req->data.args[i];
  char path[160];

  if ((int) i == path_arg (nr) && v != 0)
    {
      ssize_t n = sentry_read_string (call, v, path, sizeof path);
      if (n >= 0 || n == -ENAMETOOLONG)
        {
          snprintf (buf, size, "%#llx \"%s%s\"", (unsigned long long) v, path, n < 0 ? "..." : "");
          return;
        }
    }
  snprintf (buf, size, "%#llx", (unsigned long long) v);
}

void
sentry_strace (SentryCall *call, const SentrySyscall *row, long result, gboolean continued)
{
  int nr = call->req->data.nr;
  char name[48], res[64], a[6][200];

  format_name (name, sizeof name, nr, row);
  if (continued)
    snprintf (res, sizeof res, "(native)");
  else if (result == SENTRY_ANSWERED)
    snprintf (res, sizeof res, "(new fd)");
  else if (result < 0)
    snprintf (res, sizeof res, "-1 %s", errno_text ((int) -result));
  else
    snprintf (res, sizeof res, "%ld (%#lx)", result, (unsigned long) result);
  for (unsigned i = 0; i < 6; i++)
    format_arg (call, row != NULL ? nr : -1, i, a[i], sizeof a[i]);
  log_debug ("strace: %s [%u] %s(%s, %s, %s, %s, %s, %s) = %s", call->container_id, call->req->pid, name, a[0],
             a[1], a[2], a[3], a[4], a[5], res);
}

uint64_t
sentry_kernel_refused_count (SentryKernel *k, int nr)
{
  if (nr < 0 || nr >= SENTRY_MAX_NR)
    nr = SENTRY_MAX_NR;
  return __atomic_load_n (&k->refused_count[nr], __ATOMIC_RELAXED);
}
