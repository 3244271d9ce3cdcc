/* `runsc help syscalls` and docs/syscalls.md: the syscall table as a table, JSON, CSV or Markdown. */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "common/error.h"
#include "sentry/syscall-table.h"

static const char *
errno_name (int err)
{
  const char *name = err != 0 ? strerrorname_np (err) : NULL;
  return name != NULL ? name : "";
}

/* The errno column: a refused row's errno, or what a native row with rules answers when none matches. */
static const char *
row_errno (const SentrySyscall *row)
{
  SentryDisposition d = sentry_syscall_disposition (row);
  if (d == SENTRY_REFUSED || (d == SENTRY_NATIVE && row->rules != NULL))
    return errno_name (row->err != 0 ? row->err : ENOSYS);
  return "";
}

/* "AF_UNIX; AF_INET SOCK_STREAM; ..." for a native row with rules, the handler of an emulated one. */
static char *
row_detail (const SentrySyscall *row)
{
  SentryDisposition d = sentry_syscall_disposition (row);
  if (d == SENTRY_EMULATED)
    return g_strdup (row->handler_name);
  if (d == SENTRY_NATIVE && row->rules != NULL)
    {
      GString *s = g_string_new ("allowed: ");
      for (guint i = 0; i < row->n_rules; i++)
        g_string_append_printf (s, "%s%s", i ? ", " : "", row->rules[i].desc);
      if (row->refuse_errno != NULL)
        g_string_append (s, "; others refused (errno depends on the arguments)");
      return g_string_free (s, FALSE);
    }
  if (d == SENTRY_REFUSED && row->refuse_check != NULL)
    return g_strdup ("after Linux's own argument checks (EFAULT, EINVAL, ... as Linux answers them)");
  if (row->disposition == SENTRY_EMULATED)
    return g_strdup ("emulated row without a handler: refused");
  return g_strdup ("");
}

typedef struct
{
  guint native, checked, emulated, refused;
} Counts;

static Counts
count_rows (void)
{
  Counts c = { 0 };
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      switch (sentry_syscall_disposition (row))
        {
        case SENTRY_NATIVE:
          c.native++;
          if (row->rules != NULL)
            c.checked++;
          break;
        case SENTRY_EMULATED:
          c.emulated++;
          break;
        case SENTRY_REFUSED:
          c.refused++;
          break;
        }
    }
  return c;
}

static void
format_table (GString *out)
{
  Counts c = count_rows ();
  g_string_append_printf (out, "%-4s  %-24s  %-9s  %-16s  %s\n", "NR", "NAME", "ACTION", "ERRNO", "DETAIL");
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      g_autofree char *detail = row_detail (row);
      const char *note = row->note != NULL ? row->note : "";
      g_string_append_printf (out, "%-4d  %-24s  %-9s  %-16s  %s%s%s\n", row->nr, row->name,
                              sentry_disposition_name (sentry_syscall_disposition (row)), row_errno (row), detail,
                              *detail && *note ? "; " : "", note);
    }
  g_string_append_printf (out,
                          "\n%" G_GSIZE_FORMAT " syscalls: %u native (%u with argument checks), %u emulated, "
                          "%u refused; any other number is refused with ENOSYS.\n",
                          sentry_syscall_table_len, c.native, c.checked, c.emulated, c.refused);
}

static void
csv_field (GString *out, const char *s, gboolean last)
{
  if (strpbrk (s, ",\"\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = s; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, s);
  g_string_append_c (out, last ? '\n' : ',');
}

static void
format_csv (GString *out)
{
  g_string_append (out, "nr,name,disposition,errno,detail,note\n");
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      g_autofree char *detail = row_detail (row);
      g_autofree char *nr = g_strdup_printf ("%d", row->nr);
      csv_field (out, nr, FALSE);
      csv_field (out, row->name, FALSE);
      csv_field (out, sentry_disposition_name (sentry_syscall_disposition (row)), FALSE);
      csv_field (out, row_errno (row), FALSE);
      csv_field (out, detail, FALSE);
      csv_field (out, row->note != NULL ? row->note : "", TRUE);
    }
}

static void
format_json (GString *out)
{
  Counts c = count_rows ();
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "arch");
  json_builder_add_string_value (b, "x86_64");
  json_builder_set_member_name (b, "default");
  json_builder_add_string_value (b, "refused ENOSYS");
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, sentry_syscall_table_len);
  json_builder_set_member_name (b, "native");
  json_builder_add_int_value (b, c.native);
  json_builder_set_member_name (b, "native_checked");
  json_builder_add_int_value (b, c.checked);
  json_builder_set_member_name (b, "emulated");
  json_builder_add_int_value (b, c.emulated);
  json_builder_set_member_name (b, "refused");
  json_builder_add_int_value (b, c.refused);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "syscalls");
  json_builder_begin_array (b);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      SentryDisposition d = sentry_syscall_disposition (row);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "nr");
      json_builder_add_int_value (b, row->nr);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, row->name);
      json_builder_set_member_name (b, "disposition");
      json_builder_add_string_value (b, sentry_disposition_name (d));
      if (*row_errno (row))
        {
          json_builder_set_member_name (b, "errno");
          json_builder_add_string_value (b, row_errno (row));
        }
      if (d == SENTRY_EMULATED)
        {
          json_builder_set_member_name (b, "handler");
          json_builder_add_string_value (b, row->handler_name);
        }
      if (d == SENTRY_NATIVE && row->rules != NULL)
        {
          json_builder_set_member_name (b, "allowed");
          json_builder_begin_array (b);
          for (guint r = 0; r < row->n_rules; r++)
            json_builder_add_string_value (b, row->rules[r].desc);
          json_builder_end_array (b);
        }
      if (row->note != NULL)
        {
          json_builder_set_member_name (b, "note");
          json_builder_add_string_value (b, row->note);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

static void
md_cell (GString *out, const char *s)
{
  for (const char *p = s; *p; p++)
    {
      if (*p == '|')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

static void
format_markdown (GString *out)
{
  Counts c = count_rows ();
  g_string_append (out,
                   "<!-- Generated from src/sentry/syscall-table.c by `make update-syscall-doc`; do not edit. -->\n"
                   "# System calls in the sandbox (x86-64)\n\n"
                   "Every system call an application makes in a runsc sandbox is decided by one row of the Sentry's\n"
                   "syscall table. `runsc help syscalls --format=table|json|csv` prints the same table.\n\n"
                   "- **native**: runs on the host kernel, allowed by the sandbox's seccomp filter (when the\n"
                   "  argument checks listed hold; otherwise the call is refused with the errno shown).\n"
                   "- **emulated**: the filter hands the call to the Sentry, which answers it from the sandbox's\n"
                   "  virtual kernel or performs it on the application's behalf.\n"
                   "- **refused**: the Sentry fails the call with the errno shown and logs it once, at info level,\n"
                   "  as `Unsupported syscall NAME(ARGS)`; it never reaches the host kernel.\n\n"
                   "A number the table does not know is refused with ENOSYS. Calls through the 32-bit entry points\n"
                   "(int 0x80, x32) fail with ENOSYS. An emulated row without a handler does not build.\n\n"
                   "The spec's seccomp profile (`linux.seccomp`) applies on top of this table: it decides the native\n"
                   "calls as under runc, but an emulated call is decided by the profile only where the profile\n"
                   "names it; otherwise the Sentry answers it, since it never reaches the host kernel (so `dmesg`\n"
                   "works under Docker's default profile). /proc/PID/status says `Seccomp: 2` in every sandbox,\n"
                   "also without a profile: it is the host kernel's line, and the sandbox filter is there. See\n"
                   "runsc(8), SECCOMP PROFILES.\n\n"
                   "## Errnos as Linux gives them\n\n"
                   "A refused call, and a checked call whose arguments no rule allows, first gets the checks Linux\n"
                   "makes before its privilege check: a bad pointer is EFAULT, a bad value EINVAL, a socket type the\n"
                   "family lacks ESOCKTNOSUPPORT, and so on, as the host kernel answers the same arguments\n"
                   "(tests/unit/test-refuse-args compares them). Only arguments Linux would accept get the row's\n"
                   "errno, which is what Linux answers a caller without the privilege, or ENOSYS for what the\n"
                   "sandbox kernel does not have.\n\n"
                   "Where the sandbox answers differently from Linux on purpose:\n\n"
                   "- keyrings (`add_key`, `request_key`, `keyctl`): ENOSYS after the argument checks, a kernel\n"
                   "  without keys. gVisor emulates a minimal session keyring; here the host's keyrings are not\n"
                   "  exposed (Docker's default profile blocks them too) and no emulation is offered, because\n"
                   "  programs (systemd, krb5, keyutils) treat ENOSYS as no keyring support and do without.\n"
                   "- seccomp strict mode (`prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)`,\n"
                   "  `seccomp(SECCOMP_SET_MODE_STRICT)`): EINVAL, Linux's answer to any process already under a\n"
                   "  filter (runc with a seccomp profile answers the same). Every process in the sandbox is under\n"
                   "  the sandbox's filter, and the Sentry cannot install a strict filter in another process.\n"
                   "- `personality(MMAP_PAGE_ZERO)` (and PER_SVR4, which includes it): EPERM. Every other persona\n"
                   "  and flag is set natively, as Linux allows any process; `uname` after UNAME26 still reports\n"
                   "  the sandbox's release, where Linux would report a 2.6 one.\n"
                   "- `adjtimex` and `clock_adjtime` reads (modes 0): EPERM, as in gVisor.\n"
                   "- `/proc/sys/kernel/pid_max` shows the host's value; the container's pid namespace is given the\n"
                   "  same limit, so that its pids never pass it.\n"
                   "- Calls the sandbox kernel does not have, answered as a kernel built without them: ENOSYS for\n"
                   "  the NUMA calls (`mbind`, `set_mempolicy`, `get_mempolicy`, `migrate_pages`, `move_pages`,\n"
                   "  `set_mempolicy_home_node`), `vmsplice`, `remap_file_pages`, `memfd_secret`, `ustat` and\n"
                   "  `set_thread_area`/`get_thread_area`; EINVAL for `madvise` with MADV_HWPOISON,\n"
                   "  MADV_SOFT_OFFLINE, MADV_MERGEABLE and MADV_UNMERGEABLE; EPROTONOSUPPORT for SCTP, DCCP,\n"
                   "  MPTCP and UDP-Lite sockets; ENOENT for `setsockopt(TCP_ULP)` and ENOPROTOOPT for SOL_TLS\n"
                   "  (no kernel TLS).\n"
                   "- `setsockopt` with netfilter's table options (IPT_SO_SET_*, IP6T_SO_SET_*, ARPT_SO_SET_*,\n"
                   "  EBT_SO_SET_*, IP_VS_SO_SET_*): EPERM, what Linux answers without CAP_NET_ADMIN where those\n"
                   "  tables are loaded (a host without them answers ENOPROTOOPT).\n"
                   "- `mknod` of a block device: EPERM after the type and name checks, also where Linux would\n"
                   "  first find the name taken (EEXIST) or its directory missing (ENOENT).\n"
                   "- `clone` and `unshare` with any namespace flag: EPERM, also with every capability (the\n"
                   "  sandbox's namespaces are the runtime's to make).\n\n");

  g_string_append_printf (out,
                          "Totals: %" G_GSIZE_FORMAT " system calls; %u native (%u of them with argument checks), "
                          "%u emulated, %u refused.\n\n",
                          sentry_syscall_table_len, c.native, c.checked, c.emulated, c.refused);
  g_string_append (out, "| nr | name | disposition | errno | details |\n|---:|---|---|---|---|\n");
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      g_autofree char *detail = row_detail (row);
      const char *note = row->note != NULL ? row->note : "";
      g_string_append_printf (out, "| %d | %s | %s | %s | ", row->nr, row->name,
                              sentry_disposition_name (sentry_syscall_disposition (row)), row_errno (row));
      md_cell (out, detail);
      if (*detail && *note)
        g_string_append (out, "; ");
      md_cell (out, note);
      g_string_append (out, " |\n");
    }
}

char *
sentry_syscalls_format (const char *format, GError **error)
{
  GString *out = g_string_new (NULL);

  if (format == NULL || strcmp (format, "table") == 0)
    format_table (out);
  else if (strcmp (format, "json") == 0)
    format_json (out);
  else if (strcmp (format, "csv") == 0)
    format_csv (out);
  else if (strcmp (format, "markdown") == 0)
    format_markdown (out);
  else
    {
      g_string_free (out, TRUE);
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid syscall table format %s: expected table, json or csv",
                       format);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

gboolean
sentry_syscalls_print (const char *format, FILE *out, GError **error)
{
  g_autofree char *text = sentry_syscalls_format (format, error);
  if (text == NULL)
    return FALSE;
  if (fputs (text, out) == EOF || fflush (out) != 0)
    return runsc_error_errno (error, errno, "write syscall table");
  return TRUE;
}
