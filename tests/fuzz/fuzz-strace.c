/* Fuzz target: the Sentry's syscall argument printer (src/sentry/strace-format.c: the --strace line and the
 * refused-call line) and the refusal checks that pick a refused call's errno from its arguments and the caller's
 * memory (src/sentry/refuse-args.c), on arbitrary register values. The caller's memory is a fake: the input's
 * tail, mapped at MEM_BASE (whole pages, zeros after the tail); everything else is unreadable (-EFAULT), as
 * process_vm_readv answers for an unmapped address. No descriptor of a caller is looked at (pid 0).
 *
 * Input: nr (2 bytes, little-endian, taken modulo 560 so that numbers beyond the table come too), 6 arguments
 * (8 bytes each), the result (8 bytes), a flags byte (bit 0: continued; bit 1: each argument is made to point into
 * the memory, at its value modulo the memory's size), then the memory. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sentry/notify.h"
#include "sentry/strace-format.h"
#include "sentry/syscall-table.h"
#include "tests/fuzz/fuzz.h"

#define MEM_BASE 0x7f0000001000ull
#define HEADER (2 + 6 * 8 + 8 + 1)

typedef struct
{
  const uint8_t *data;
  size_t len;
} FakeMemory;

/* The memory is mapped in whole pages, as a process's is: the bytes past the input's tail up to the end of its
 * last page read as zeros (a string read stops at the page's end, see sentry_view_read_string). */
static int
fake_read (void *ctx, uint64_t addr, void *buf, size_t len)
{
  const FakeMemory *m = ctx;
  uint64_t mapped = (m->len + 4095) / 4096 * 4096;

  if (len == 0)
    return 0;
  if (addr < MEM_BASE || addr - MEM_BASE > mapped || len > mapped - (addr - MEM_BASE))
    return -EFAULT;
  memset (buf, 0, len);
  if (addr - MEM_BASE < m->len)
    memcpy (buf, m->data + (addr - MEM_BASE), MIN (len, m->len - (addr - MEM_BASE)));
  return 0;
}

static void
check_line (const char *line, size_t n, size_t size)
{
  if (n >= size || strlen (line) != n)
    __builtin_trap ();
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) line[i] < 0x20 || (unsigned char) line[i] == 0x7f)
      __builtin_trap (); /* a control character from the caller's memory would break (or forge) a log line */
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint64_t args[6];
  int64_t result;
  FakeMemory mem;
  SentryCallView view = { args, fake_read, &mem, 0 };
  const SentrySyscall *row;
  char line[1800], small[40];
  int nr, flags;

  if (size < HEADER)
    return 0;
  nr = (int) ((data[0] | (data[1] << 8)) % 560);
  memcpy (args, data + 2, sizeof args);
  memcpy (&result, data + 2 + sizeof args, sizeof result);
  flags = data[HEADER - 1];
  mem.data = data + HEADER;
  mem.len = size - HEADER;
  if (flags & 2)
    for (int i = 0; i < 6; i++)
      args[i] = MEM_BASE + (mem.len > 0 ? args[i] % mem.len : 0);
  row = sentry_syscall_lookup (nr);

  check_line (line, sentry_strace_format (line, sizeof line, nr, row, &view, (long) result, flags & 1), sizeof line);
  /* A buffer too small for the line: truncated, never overrun. */
  check_line (small, sentry_strace_format (small, sizeof small, nr, row, &view, (long) result, flags & 1),
              sizeof small);
  {
    int err = sentry_syscall_refuse_errno_call (row, &view);
    if (err <= 0 || err >= 4096)
      __builtin_trap ();
    check_line (line, sentry_refusal_format (line, sizeof line, nr, row, args, err), sizeof line);
  }
  if (row != NULL)
    {
      for (int ctx = 0; ctx < 8; ctx++)
        {
          SentryRuleContext rc = { ctx & 1, (ctx >> 1) & 1, (ctx >> 2) & 1 };
          (void) sentry_syscall_allowed (row, args, &rc);
        }
      (void) sentry_syscall_refuse_errno (row, args);
    }
  return 0;
}
