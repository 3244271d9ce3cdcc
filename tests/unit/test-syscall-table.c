/* The syscall table agrees with everything generated from it: libseccomp's and the kernel headers' numbering,
 * the seccomp program (run here through a classic-BPF interpreter, row by row and rule by rule), the table /
 * JSON / CSV output of `runsc help syscalls`, and docs/syscalls.md. */
#include "config.h"

#include <asm/unistd_64.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#include "common/error.h"
#include "container/seccomp-oci.h"
#include "oci/spec.h"
#include "sentry/kernel-private.h"
#include "sentry/syscall-readme.h"
#include "sentry/userns-own.h"
#include "sentry/sentry.h"
#include "sentry/syscall-table.h"
#include "sentry/strace-format.h"

#ifndef AUDIT_ARCH_X86_64
#error need AUDIT_ARCH_X86_64
#endif

/* ---- a classic BPF interpreter for seccomp programs ---- */

static guint32
load_word (const struct seccomp_data *d, guint32 off)
{
  guint32 w;
  g_assert_cmpuint (off % 4, ==, 0);
  g_assert_cmpuint (off + 4, <=, sizeof *d);
  memcpy (&w, (const char *) d + off, 4);
  return w;
}

static guint32
run_bpf (const struct sock_fprog *prog, const struct seccomp_data *d)
{
  guint32 A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };

  for (guint pc = 0; pc < prog->len; pc++)
    {
      const struct sock_filter *f = &prog->filter[pc];
      guint32 src = BPF_SRC (f->code) == BPF_X ? X : f->k;
      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
          if (BPF_MODE (f->code) == BPF_ABS)
            A = load_word (d, f->k);
          else if (BPF_MODE (f->code) == BPF_IMM)
            A = f->k;
          else if (BPF_MODE (f->code) == BPF_MEM)
            A = M[f->k];
          else if (BPF_MODE (f->code) == BPF_LEN)
            A = sizeof *d;
          else
            g_assert_not_reached ();
          break;
        case BPF_LDX:
          if (BPF_MODE (f->code) == BPF_IMM)
            X = f->k;
          else if (BPF_MODE (f->code) == BPF_MEM)
            X = M[f->k];
          else if (BPF_MODE (f->code) == BPF_LEN)
            X = sizeof *d;
          else
            g_assert_not_reached ();
          break;
        case BPF_ST:
          M[f->k] = A;
          break;
        case BPF_STX:
          M[f->k] = X;
          break;
        case BPF_ALU:
          switch (BPF_OP (f->code))
            {
            case BPF_ADD: A += src; break;
            case BPF_SUB: A -= src; break;
            case BPF_MUL: A *= src; break;
            case BPF_DIV: A /= src; break;
            case BPF_AND: A &= src; break;
            case BPF_OR: A |= src; break;
            case BPF_XOR: A ^= src; break;
            case BPF_LSH: A <<= src; break;
            case BPF_RSH: A >>= src; break;
            case BPF_NEG: A = -A; break;
            default: g_assert_not_reached ();
            }
          break;
        case BPF_JMP:
          if (BPF_OP (f->code) == BPF_JA)
            pc += f->k;
          else
            {
              gboolean t;
              switch (BPF_OP (f->code))
                {
                case BPF_JEQ: t = A == src; break;
                case BPF_JGT: t = A > src; break;
                case BPF_JGE: t = A >= src; break;
                case BPF_JSET: t = (A & src) != 0; break;
                default: g_assert_not_reached ();
                }
              pc += t ? f->jt : f->jf;
            }
          break;
        case BPF_RET:
          return BPF_RVAL (f->code) == BPF_A ? A : f->k;
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            X = A;
          else
            A = X;
          break;
        }
    }
  g_assert_not_reached ();
}

static guint32
action_of (const struct sock_fprog *prog, guint32 arch, int nr, const uint64_t *args)
{
  struct seccomp_data d = { .nr = nr, .arch = arch, .instruction_pointer = 0x401000 };
  if (args != NULL)
    memcpy (d.args, args, sizeof d.args);
  return run_bpf (prog, &d);
}

/* ---- table and numbering ---- */

static void
test_rows (void)
{
  int prev = -1;

  g_assert_cmpuint (sentry_syscall_table_len, >, 300);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      int scmp = seccomp_syscall_resolve_name_arch (SCMP_ARCH_X86_64, row->name);

      g_assert_cmpint (row->nr, >, prev);
      prev = row->nr;
      g_assert_true (sentry_syscall_lookup (row->nr) == row);
      g_assert_true (sentry_syscall_by_name (row->name) == row);
      if (scmp != __NR_SCMP_ERROR)
        g_assert_cmpint (scmp, ==, row->nr);
      switch (row->disposition)
        {
        case SENTRY_NATIVE:
          g_assert_null (row->handler_name);
          g_assert_true ((row->rules == NULL) == (row->n_rules == 0));
          if (row->rules != NULL)
            g_assert_cmpint (row->err, >, 0);
          break;
        case SENTRY_EMULATED:
          g_assert_nonnull (row->handler_name);
          break;
        case SENTRY_REFUSED:
          g_assert_true (row->err == EPERM || row->err == ENOSYS);
          break;
        }
    }

  /* Every number libseccomp knows up to the highest the headers know has a row, under the same name. */
  g_assert_cmpint (prev, ==, __NR_set_mempolicy_home_node);
  for (int nr = 0; nr <= prev; nr++)
    {
      g_autofree char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, nr);
      if (name == NULL)
        continue;
      const SentrySyscall *row = sentry_syscall_lookup (nr);
      g_assert_nonnull (row);
      g_assert_cmpstr (row->name, ==, name);
    }
#ifdef __NR_cachestat
  g_assert_nonnull (sentry_syscall_lookup (__NR_cachestat)); /* newer headers: add their rows */
#endif
  g_assert_nonnull (sentry_syscall_lookup (__NR_read));
  g_assert_null (sentry_syscall_lookup (335));
  g_assert_null (sentry_syscall_lookup (prev + 1));
  g_assert_null (sentry_syscall_lookup (-1));
  g_assert_null (sentry_syscall_lookup (100000));

  /* The refusals the issue names. */
  static const char *const refused[] = {
    "pivot_root", "swapon", "swapoff", "reboot", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "bpf", "perf_event_open", "keyctl", "add_key",
    "request_key", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
    "iopl", "ioperm", "acct", "settimeofday", "clock_settime", "adjtimex", "quotactl",
    "lookup_dcookie", "vhangup", "setns",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      const SentrySyscall *row = sentry_syscall_by_name (refused[i]);
      g_assert_nonnull (row);
      g_assert_cmpint (sentry_syscall_disposition (row), ==, SENTRY_REFUSED);
    }
  static const char *const checked[] = { "clone", "unshare", "socket", "socketpair", "ioctl", "prctl",
                                         "personality", "ptrace", "mount", "umount2" };
  for (gsize i = 0; i < G_N_ELEMENTS (checked); i++)
    {
      const SentrySyscall *row = sentry_syscall_by_name (checked[i]);
      g_assert_cmpint (sentry_syscall_disposition (row), ==, SENTRY_NATIVE);
      g_assert_nonnull (row->rules);
    }
  /* mount and umount2: native only in a user namespace of the container's own, refused (EPERM) otherwise. */
  for (gsize i = 0; i < 2; i++)
    {
      const SentrySyscall *row = sentry_syscall_by_name (i == 0 ? "mount" : "umount2");
      const SentryRuleContext host = { .own_pidns = TRUE }, own = { .own_pidns = TRUE, .own_userns = TRUE };
      const uint64_t args[6] = { 0 };
      for (guint r = 0; r < row->n_rules; r++)
        g_assert_true (row->rules[r].needs & SENTRY_NEEDS_USERNS);
      g_assert_false (sentry_syscall_allowed (row, args, &host));
      g_assert_true (sentry_syscall_allowed (row, args, &own));
      g_assert_cmpint (sentry_syscall_refuse_errno (row, args), ==, EPERM);
    }
  /* name_to_handle_at runs natively: without open_by_handle_at a handle opens nothing. */
  g_assert_cmpint (sentry_syscall_disposition (sentry_syscall_by_name ("name_to_handle_at")), ==, SENTRY_NATIVE);
  g_assert_cmpint (sentry_syscall_disposition (sentry_syscall_by_name ("uname")), ==, SENTRY_EMULATED);
  g_assert_cmpint (sentry_syscall_disposition (sentry_syscall_by_name ("syslog")), ==, SENTRY_EMULATED);
}

/* ---- the filter ---- */

static SentryKernel *
kernel_with (gboolean net_raw, gboolean pidns, gboolean userns, gboolean strace)
{
  SentryOptions opts = { .net_raw = net_raw, .strace = strace };
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
      "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
      "\"linux\":{\"namespaces\":[%s{\"type\":\"mount\"}%s]%s}}",
      pidns ? "{\"type\":\"pid\"}," : "", userns ? ",{\"type\":\"user\"}" : "",
      userns ? ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
               "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]"
             : "");
  g_autoptr (OciSpec) spec = oci_spec_parse (json, -1, &error);
  g_assert_no_error (error);
  SentryKernel *k = sentry_kernel_new (&opts, spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (k);
  return k;
}

static void
check_filter (gboolean net_raw, gboolean pidns, gboolean userns, gboolean strace_all)
{
  gboolean strace = strace_all;
  SentryKernel *k = kernel_with (net_raw, pidns, userns, strace);
  const struct sock_fprog *prog = sentry_kernel_filter (k);
  SentryRuleContext ctx = { .net_raw = net_raw, .own_pidns = pidns, .own_userns = userns };
  const uint64_t zero[6] = { 0 };
  const uint64_t ones[6] = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull };

  g_assert_cmpuint (prog->len, >, 0);
  g_assert_cmpuint (prog->len, <=, BPF_MAXINSNS);

  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      SentryDisposition d = sentry_syscall_disposition (row);
      const uint64_t *probes[2] = { zero, ones };
      /* sendmsg is never traced: it hands the listener to the Sentry (kernel.c). */
      gboolean row_traced = strace_all && row->nr != __NR_sendmsg;

      for (int p = 0; p < 2; p++)
        {
          guint32 want = SECCOMP_RET_USER_NOTIF;
          if (!row_traced && sentry_syscall_allowed (row, probes[p], &ctx))
            want = SECCOMP_RET_ALLOW;
          if (d == SENTRY_NATIVE && row->rules == NULL && !row_traced)
            g_assert_cmphex (want, ==, SECCOMP_RET_ALLOW);
          if (d != SENTRY_NATIVE)
            g_assert_cmphex (want, ==, SECCOMP_RET_USER_NOTIF);
          if (action_of (prog, AUDIT_ARCH_X86_64, row->nr, probes[p]) != want)
            g_error ("%s (nr %d, args %s): filter says %#x, table %#x", row->name, row->nr, p ? "~0" : "0",
                     action_of (prog, AUDIT_ARCH_X86_64, row->nr, probes[p]), want);
        }

      /* Each rule: arguments that satisfy it (with the other bits of the masked arguments set too). */
      for (guint r = 0; r < row->n_rules; r++)
        {
          const SentryArgRule *rule = &row->rules[r];
          uint64_t args[6] = { 0 };
          for (guint c = 0; c < rule->n_cmp; c++)
            {
              const SentryArgCmp *cmp = &rule->cmp[c];
              args[cmp->arg] = cmp->op == SENTRY_CMP_MASKED_EQ ? (cmp->value | ~cmp->mask) : cmp->value;
            }
          gboolean allowed = sentry_syscall_allowed (row, args, &ctx);
          g_assert_true (allowed == sentry_rule_usable (rule, &ctx));
          guint32 want = allowed && !row_traced ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;
          if (action_of (prog, AUDIT_ARCH_X86_64, row->nr, args) != want)
            g_error ("%s rule \"%s\": filter says %#x, table %#x", row->name, rule->desc,
                     action_of (prog, AUDIT_ARCH_X86_64, row->nr, args), want);
        }
    }

  /* Specific calls the issue names. */
  const uint64_t tiocsti[6] = { 0, 0x5412 };
  const uint64_t tiocgwinsz_hi[6] = { 0, 0xffffffff00005413ull };
  const uint64_t packet[6] = { 17, 3, 0 };
  const uint64_t newuser[6] = { 0x10000000 | 17 };
  const uint64_t thread[6] = { 0x3d0f00 };
  const uint64_t newtime[6] = { 0x80 };
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_ioctl, tiocsti), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_ioctl, tiocgwinsz_hi), ==,
                   strace ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_socket, packet), ==,
                   net_raw && !strace ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_clone, newuser), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_clone, thread), ==,
                   strace ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_unshare, newtime), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_ptrace, zero), ==,
                   pidns && !strace ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF);
  /* Privileged calls only in a user namespace of the container's own (runsc(8), PRIVILEGED CONTAINERS). */
  const uint64_t braddbr[6] = { 3, 0x89a0 };
  g_assert_cmpuint (k->rule_ctx.own_userns, ==, userns);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_mount, zero), ==,
                   userns && !strace ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_umount2, zero), ==,
                   userns && !strace ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_ioctl, braddbr), ==,
                   userns && !strace ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF);

  /* Numbers beyond the table, and other ABIs. */
  for (int nr = __NR_set_mempolicy_home_node + 1; nr < 600; nr++)
    g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, nr, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, 335, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, -1, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_I386, 1, zero), ==, SECCOMP_RET_ERRNO | ENOSYS);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, 0x40000000 | __NR_getpid, zero) & SECCOMP_RET_ACTION_FULL,
                   !=, SECCOMP_RET_ALLOW);

  sentry_kernel_free (k);
}

/* The user namespace decision: a path naming the host's own user namespace, or one that cannot be read, is not
 * a user namespace of the container's own. */
static void
test_own_userns (void)
{
  static const struct
  {
    const char *ns;
    gboolean own;
  } cases[] = {
    { "", FALSE },
    { ",{\"type\":\"user\"}", TRUE },
    { ",{\"type\":\"user\",\"path\":\"/proc/self/ns/user\"}", FALSE },
    { ",{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}", FALSE },
    { ",{\"type\":\"user\",\"path\":\"/nonexistent/ns/user\"}", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *json = g_strdup_printf (
          "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
          "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}%s]}}",
          cases[i].ns);
      g_autoptr (OciSpec) spec = oci_spec_parse (json, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (sentry_spec_own_userns (spec), ==, cases[i].own);
    }
  g_assert_false (sentry_spec_own_userns (NULL));
}

static void
test_filter (void)
{
  for (int i = 0; i < 16; i++)
    check_filter (i & 1, (i >> 1) & 1, (i >> 2) & 1, (i >> 3) & 1);
}

static void
test_strace_list (void)
{
  char *list[] = { "getpid", "uname", NULL };
  SentryOptions opts = { .strace = TRUE, .strace_syscalls = list };
  g_autoptr (GError) error = NULL;
  SentryKernel *k = sentry_kernel_new (&opts, NULL, &error);
  g_assert_no_error (error);
  const struct sock_fprog *prog = sentry_kernel_filter (k);
  const uint64_t zero[6] = { 0 };
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_getpid, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_getppid, zero), ==, SECCOMP_RET_ALLOW);
  sentry_kernel_free (k);

  /* sendmsg, with which a new process hands its listener to the Sentry, is never traced, even when named or
   * with no list (every other call traced): notified, the process would wait on a listener only it holds. */
  char *with_sendmsg[] = { "getpid", "sendmsg", NULL };
  for (int i = 0; i < 2; i++)
    {
      opts.strace_syscalls = i == 0 ? with_sendmsg : NULL;
      k = sentry_kernel_new (&opts, NULL, &error);
      g_assert_no_error (error);
      prog = sentry_kernel_filter (k);
      g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_sendmsg, zero), ==, SECCOMP_RET_ALLOW);
      g_assert_cmphex (action_of (prog, AUDIT_ARCH_X86_64, __NR_getpid, zero), ==, SECCOMP_RET_USER_NOTIF);
      sentry_kernel_free (k);
    }

  char *bad[] = { "getpid", "no_such_call", NULL };
  opts.strace_syscalls = bad;
  k = sentry_kernel_new (&opts, NULL, &error);
  g_assert_null (k);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no_such_call"));
}

/* ---- outputs ---- */

static void
test_json (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = sentry_syscalls_format ("json", &error);
  g_assert_no_error (error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonObject *counts = json_object_get_object_member (root, "counts");
  JsonArray *rows = json_object_get_array_member (root, "syscalls");
  guint n[3] = { 0 };

  g_assert_cmpuint (json_array_get_length (rows), ==, sentry_syscall_table_len);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      JsonObject *o = json_array_get_object_element (rows, i);
      SentryDisposition d = sentry_syscall_disposition (row);
      n[d]++;
      g_assert_cmpint (json_object_get_int_member (o, "nr"), ==, row->nr);
      g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, row->name);
      g_assert_cmpstr (json_object_get_string_member (o, "disposition"), ==, sentry_disposition_name (d));
      if (d == SENTRY_REFUSED)
        g_assert_cmpstr (json_object_get_string_member (o, "errno"), ==, strerrorname_np (row->err));
      if (d == SENTRY_NATIVE && row->rules != NULL)
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "allowed")), ==, row->n_rules);
    }
  g_assert_cmpint (json_object_get_int_member (counts, "total"), ==, sentry_syscall_table_len);
  g_assert_cmpint (json_object_get_int_member (counts, "native"), ==, n[SENTRY_NATIVE]);
  g_assert_cmpint (json_object_get_int_member (counts, "emulated"), ==, n[SENTRY_EMULATED]);
  g_assert_cmpint (json_object_get_int_member (counts, "refused"), ==, n[SENTRY_REFUSED]);
  g_test_message ("native %u, emulated %u, refused %u", n[0], n[1], n[2]);
}

static void
test_csv_and_table (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *csv = sentry_syscalls_format ("csv", &error);
  g_assert_no_error (error);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "nr,name,disposition,errno,detail,note");
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      g_autofree char *prefix = g_strdup_printf ("%d,%s,%s,", row->nr, row->name,
                                                 sentry_disposition_name (sentry_syscall_disposition (row)));
      g_assert_true (g_str_has_prefix (lines[i + 1], prefix));
    }
  g_assert_cmpstr (lines[sentry_syscall_table_len + 1], ==, "");
  g_assert_null (lines[sentry_syscall_table_len + 2]);

  g_autofree char *table = sentry_syscalls_format ("table", &error);
  g_assert_no_error (error);
  g_auto (GStrv) tl = g_strsplit (table, "\n", -1);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (tl[i + 1], " ", -1);
      g_assert_cmpint (atoi (f[0]), ==, sentry_syscall_table[i].nr);
      g_assert_nonnull (strstr (tl[i + 1], sentry_syscall_table[i].name));
    }

  g_assert_null (sentry_syscalls_format ("yaml", &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
}

static void
test_doc (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *want = sentry_syscalls_format ("markdown", &error);
  g_autofree char *path = g_build_filename (TOP_SRCDIR, "docs", "syscalls.md", NULL);
  g_autofree char *have = NULL;

  g_assert_no_error (error);
  if (!g_file_get_contents (path, &have, NULL, &error))
    g_error ("%s: %s (run `make update-syscall-doc`)", path, error->message);
  if (strcmp (have, want) != 0)
    g_error ("%s disagrees with the syscall table: run `make update-syscall-doc`", path);
  {
    /* README.md's compatibility section, likewise (`make update-readme`). */
    g_autofree char *section = sentry_syscalls_readme ();
    g_autofree char *readme_path = g_build_filename (TOP_SRCDIR, "README.md", NULL);
    g_autofree char *readme = NULL;
    if (!g_file_get_contents (readme_path, &readme, NULL, &error))
      g_error ("%s: %s", readme_path, error->message);
    if (strstr (readme, section) == NULL)
      g_error ("%s: the compatibility section disagrees with the syscall table: run `make update-readme`",
               readme_path);
    g_assert_nonnull (strstr (section, "`mount`"));
  }
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      g_autofree char *cell = g_strdup_printf ("| %d | %s | ", sentry_syscall_table[i].nr,
                                               sentry_syscall_table[i].name);
      g_assert_nonnull (strstr (have, cell));
    }
}

/* ---- fail closed ---- */

static long
dummy_handler (SentryCall *call)
{
  (void) call;
  return 0;
}

static void
test_fail_closed (void)
{
  g_autoptr (GError) error = NULL;
  const uint64_t zero[6] = { 0 };
  const SentryRuleContext ctx = { TRUE, TRUE };
  /* A row the build refuses (EMULATED() cannot write it, syscall-doc check fails on it): refused, never native. */
  const SentrySyscall no_handler = { 63, "uname", SENTRY_EMULATED, 0, NULL, NULL, NULL, 0, NULL, NULL };
  const SentrySyscall with_handler = { 63, "uname", SENTRY_EMULATED, 0, dummy_handler, "dummy", NULL, 0, NULL, NULL };

  g_assert_true (sentry_syscall_table_check (TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sentry_syscall_disposition (&no_handler), ==, SENTRY_REFUSED);
  g_assert_false (sentry_syscall_allowed (&no_handler, zero, &ctx));
  g_assert_cmpint (sentry_syscall_refuse_errno (&no_handler, zero), ==, ENOSYS);
  g_assert_cmpint (sentry_syscall_disposition (&with_handler), ==, SENTRY_EMULATED);
  /* Unknown numbers: no row, refused with ENOSYS. */
  g_assert_null (sentry_syscall_lookup (SENTRY_MAX_NR));
  g_assert_cmpint (sentry_syscall_refuse_errno (NULL, zero), ==, ENOSYS);
  g_assert_false (sentry_syscall_allowed (NULL, zero, &ctx));
}

/* ---- the OCI profile composed with the table ---- */

/* The kernel runs every filter and keeps the action of highest precedence (KILL_PROCESS first, ALLOW last). */
static guint32
stacked (guint32 oci, guint32 sandbox)
{
  return (gint32) (oci & SECCOMP_RET_ACTION_FULL) < (gint32) (sandbox & SECCOMP_RET_ACTION_FULL) ? oci : sandbox;
}

static void
compile_profile (const char *seccomp_json, gboolean with_sandbox, struct sock_fprog *prog)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                                           "\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", seccomp_json);
  g_autoptr (OciSpec) spec = oci_spec_parse (json, -1, &error);
  int answered[SENTRY_MAX_NR];
  gsize n = 0;
  unsigned int flags = 0;

  g_assert_no_error (error);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    if (sentry_syscall_disposition (&sentry_syscall_table[i]) == SENTRY_EMULATED)
      answered[n++] = sentry_syscall_table[i].nr;
  g_assert_cmpuint (n, >, 0);
  g_assert_true (seccomp_oci_compile (spec->linux_cfg->seccomp, with_sandbox ? answered : NULL,
                                      with_sandbox ? n : 0, prog, &flags, &error));
  g_assert_no_error (error);
}

/* Docker's default profile, trimmed (moby's profiles/seccomp/default.json as rendered for a container without
 * CAP_SYS_ADMIN or CAP_SYSLOG: syslog, sethostname and setdomainname are not named). */
#define DOCKER_LIKE \
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1," \
  "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]," \
  "\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit_group\",\"getpid\",\"mkdir\",\"mkdirat\",\"uname\"," \
  "\"sysinfo\",\"sched_getaffinity\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}," \
  "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}," \
  "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}"

static void
test_oci_compose (void)
{
  SentryKernel *k = kernel_with (FALSE, TRUE, FALSE, FALSE);
  const struct sock_fprog *sandbox = sentry_kernel_filter (k);
  struct sock_fprog prog = { 0 };
  const uint64_t zero[6] = { 0 };
  const uint64_t read_all[6] = { 3 };
  const uint64_t size_buffer[6] = { 10 };
#define BOTH(nr, args) stacked (action_of (&prog, AUDIT_ARCH_X86_64, (nr), (args)), \
                                action_of (sandbox, AUDIT_ARCH_X86_64, (nr), (args)))

  /* Docker's default: what it does not name and the Sentry answers goes to the Sentry; the host kernel's calls
   * are the profile's. */
  compile_profile (DOCKER_LIKE, TRUE, &prog);
  g_assert_cmphex (BOTH (__NR_syslog, read_all), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (BOTH (__NR_sethostname, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (BOTH (__NR_uname, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (BOTH (__NR_getpid, zero), ==, SECCOMP_RET_ALLOW);
  g_assert_cmphex (BOTH (__NR_getppid, zero), ==, SECCOMP_RET_ERRNO | EPERM); /* native, not allowed */
  g_assert_cmphex (BOTH (__NR_personality, zero), ==, SECCOMP_RET_ALLOW);
  g_assert_cmphex (BOTH (__NR_personality, read_all), ==, SECCOMP_RET_ERRNO | EPERM); /* argument-checked */
  g_assert_cmphex (BOTH (__NR_clone3, zero), ==, SECCOMP_RET_ERRNO | ENOSYS);
  g_assert_cmphex (BOTH (__NR_mount, zero), ==, SECCOMP_RET_ERRNO | EPERM); /* refused either way */
  g_assert_cmphex (BOTH (__NR_socket, zero), ==, SECCOMP_RET_USER_NOTIF);   /* AF_UNSPEC: the table refuses */
  g_assert_cmphex (action_of (&prog, AUDIT_ARCH_I386, 103, zero) & SECCOMP_RET_ACTION_FULL, ==, SECCOMP_RET_ALLOW);
  g_assert_cmphex (action_of (sandbox, AUDIT_ARCH_I386, 103, zero), ==, SECCOMP_RET_ERRNO | ENOSYS);
  g_clear_pointer (&prog.filter, g_free);

  /* Without the sandbox filter under it, nothing is relaxed: the profile as written. */
  compile_profile (DOCKER_LIKE, FALSE, &prog);
  g_assert_cmphex (action_of (&prog, AUDIT_ARCH_X86_64, __NR_syslog, read_all), ==, SECCOMP_RET_ERRNO | EPERM);
  g_clear_pointer (&prog.filter, g_free);

  /* A profile that names a call the Sentry answers decides it as written: an explicit denial wins (also one
   * that repeats the default action), and a conditional allowance leaves the other arguments to the default. */
  compile_profile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"syslog\",\"mkdir\",\"mkdirat\"],"
                   "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}", TRUE, &prog);
  g_assert_cmphex (BOTH (__NR_syslog, read_all), ==, SECCOMP_RET_ERRNO | EACCES);
  g_assert_cmphex (BOTH (__NR_mkdir, zero), ==, SECCOMP_RET_ERRNO | EACCES);
  g_assert_cmphex (BOTH (__NR_mkdirat, zero), ==, SECCOMP_RET_ERRNO | EACCES);
  g_assert_cmphex (BOTH (__NR_uname, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_clear_pointer (&prog.filter, g_free);

  compile_profile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"syslog\"],"
                   "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                   TRUE, &prog);
  g_assert_cmphex (BOTH (__NR_syslog, read_all), ==, SECCOMP_RET_ERRNO | EPERM);
  g_assert_cmphex (BOTH (__NR_uname, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_clear_pointer (&prog.filter, g_free);

  compile_profile ("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":[\"syslog\"],"
                   "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                   TRUE, &prog);
  g_assert_cmphex (BOTH (__NR_syslog, size_buffer), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (BOTH (__NR_syslog, read_all), ==, SECCOMP_RET_KILL_PROCESS);
  g_assert_cmphex (BOTH (__NR_sysinfo, zero), ==, SECCOMP_RET_USER_NOTIF);
  g_assert_cmphex (BOTH (__NR_getpid, zero), ==, SECCOMP_RET_KILL_PROCESS);
  g_clear_pointer (&prog.filter, g_free);
#undef BOTH
  sentry_kernel_free (k);
}

/* The --strace line quotes a path from the caller's memory with C escapes: a newline in a file name cannot
 * start a log line of its own. The memory here is a page at 0x1000 holding a string. */
static const char *strace_memory;

static int
strace_read (void *ctx, uint64_t addr, void *buf, size_t len)
{
  size_t size = strlen (strace_memory) + 1;
  (void) ctx;
  /* One page mapped at 0x1000: the string, then zeros. */
  if (addr < 0x1000 || addr - 0x1000 > 4096 || len > 4096 - (addr - 0x1000))
    return -EFAULT;
  memset (buf, 0, len);
  if (addr - 0x1000 < size)
    memcpy (buf, strace_memory + (addr - 0x1000), MIN (len, size - (addr - 0x1000)));
  return 0;
}

static void
test_strace_format (void)
{
  uint64_t args[6] = { (uint64_t) -100, 0x1000, 0, 0, 0, 0 };
  SentryCallView view = { args, strace_read, NULL, 0 };
  char line[512];

  strace_memory = "/tmp/a\nstrace: forged \"x\"\\\x01";
  sentry_strace_format (line, sizeof line, __NR_openat, sentry_syscall_lookup (__NR_openat), &view, -2, FALSE);
  g_assert_cmpstr (line, ==,
                   "openat(0xffffffffffffff9c, 0x1000 \"/tmp/a\\nstrace: forged \\\"x\\\"\\\\\\x01\", 0, 0, 0, 0) = -1 ENOENT");
  args[1] = 0x2000; /* unreadable: the number alone */
  sentry_strace_format (line, sizeof line, __NR_openat, sentry_syscall_lookup (__NR_openat), &view, 3, FALSE);
  g_assert_cmpstr (line, ==, "openat(0xffffffffffffff9c, 0x2000, 0, 0, 0, 0) = 3 (0x3)");
  sentry_refusal_format (line, sizeof line, 600, NULL, args, ENOSYS);
  g_assert_cmpstr (line, ==, "Unsupported syscall UNKNOWN[600/0x258](0xffffffffffffff9c,0x2000,0,0,0,0): refused with ENOSYS");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/syscall-table/own-userns", test_own_userns);
  g_test_add_func ("/syscall-table/rows", test_rows);
  g_test_add_func ("/syscall-table/filter", test_filter);
  g_test_add_func ("/syscall-table/strace-list", test_strace_list);
  g_test_add_func ("/syscall-table/strace-format", test_strace_format);
  g_test_add_func ("/syscall-table/json", test_json);
  g_test_add_func ("/syscall-table/csv-and-table", test_csv_and_table);
  g_test_add_func ("/syscall-table/doc", test_doc);
  g_test_add_func ("/syscall-table/fail-closed", test_fail_closed);
  g_test_add_func ("/syscall-table/oci-compose", test_oci_compose);
  return g_test_run ();
}
