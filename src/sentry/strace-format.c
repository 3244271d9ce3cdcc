/* The text of --strace lines and refused-call lines (strace-format.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "sentry/notify.h"
#include "sentry/strace-format.h"

#define PAGE 4096

void
sentry_syscall_name_format (char *buf, size_t size, int nr, const SentrySyscall *row)
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

ssize_t
sentry_view_read_string (const SentryCallView *view, uint64_t addr, char *buf, size_t size)
{
  size_t got = 0;

  if (size == 0)
    return -ENAMETOOLONG;
  while (got < size)
    {
      /* Up to the end of the page, so that an unmapped next page does not fail a string that ends before it. */
      size_t chunk = PAGE - ((addr + got) % PAGE);
      int r;
      if (chunk > size - got)
        chunk = size - got;
      r = view->read (view->ctx, addr + got, buf + got, chunk);
      if (r < 0)
        return r;
      char *nul = memchr (buf + got, '\0', chunk);
      if (nul != NULL)
        return nul - buf;
      got += chunk;
    }
  buf[size - 1] = '\0';
  return -ENAMETOOLONG;
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

/* s quoted with C escapes into out (size > 0), truncated with "..." when it does not fit. */
static void
quote (char *out, size_t size, const char *s, gboolean cut)
{
  size_t o = 0;

  if (size < 8)
    {
      out[0] = '\0';
      return;
    }
  out[o++] = '"';
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      char esc[5];
      size_t n;

      if (c == '"' || c == '\\')
        n = (size_t) snprintf (esc, sizeof esc, "\\%c", c);
      else if (c == '\n')
        n = (size_t) snprintf (esc, sizeof esc, "\\n");
      else if (c < 0x20 || c >= 0x7f)
        n = (size_t) snprintf (esc, sizeof esc, "\\x%02x", c);
      else
        n = (size_t) snprintf (esc, sizeof esc, "%c", c);
      if (o + n + 5 > size) /* room for this, "...", the quote and the NUL */
        {
          cut = TRUE;
          break;
        }
      memcpy (out + o, esc, n);
      o += n;
    }
  out[o++] = '"';
  if (cut)
    {
      memcpy (out + o, "...", 3);
      o += 3;
    }
  out[o] = '\0';
}

/* "0x7ffd...", or "0x7ffd... \"/etc/passwd\"" when argument i names a path that can be read. */
static void
format_arg (const SentryCallView *view, int nr, unsigned i, char *buf, size_t size)
{
  uint64_t v = view->args[i];
  char path[160], quoted[200];

  if ((int) i == path_arg (nr) && v != 0 && view->read != NULL)
    {
      ssize_t n = sentry_view_read_string (view, v, path, sizeof path);
      if (n >= 0 || n == -ENAMETOOLONG)
        {
          quote (quoted, sizeof quoted, path, n < 0);
          snprintf (buf, size, "%#llx %s", (unsigned long long) v, quoted);
          return;
        }
    }
  snprintf (buf, size, "%#llx", (unsigned long long) v);
}

static size_t
length (size_t size, int n)
{
  if (n < 0)
    return 0;
  return (size_t) n < size ? (size_t) n : size - 1;
}

size_t
sentry_strace_format (char *buf, size_t size, int nr, const SentrySyscall *row, const SentryCallView *view,
                      long result, int continued)
{
  char name[48], res[64], a[6][240];

  sentry_syscall_name_format (name, sizeof name, nr, row);
  if (continued)
    snprintf (res, sizeof res, "(native)");
  else if (result == SENTRY_ANSWERED)
    snprintf (res, sizeof res, "(new fd)");
  else if (result < 0)
    snprintf (res, sizeof res, "-1 %s", errno_text ((int) -result));
  else
    snprintf (res, sizeof res, "%ld (%#lx)", result, (unsigned long) result);
  for (unsigned i = 0; i < 6; i++)
    format_arg (view, row != NULL ? nr : -1, i, a[i], sizeof a[i]);
  return length (size,
                 snprintf (buf, size, "%s(%s, %s, %s, %s, %s, %s) = %s", name, a[0], a[1], a[2], a[3], a[4], a[5], res));
}

size_t
sentry_refusal_format (char *buf, size_t size, int nr, const SentrySyscall *row, const uint64_t *args, int err)
{
  char name[48];

  sentry_syscall_name_format (name, sizeof name, nr, row);
  return length (size,
                 snprintf (buf, size, "Unsupported syscall %s(%#llx,%#llx,%#llx,%#llx,%#llx,%#llx): refused with %s",
                           name, (unsigned long long) args[0], (unsigned long long) args[1],
                           (unsigned long long) args[2], (unsigned long long) args[3], (unsigned long long) args[4],
                           (unsigned long long) args[5], errno_text (err)));
}
