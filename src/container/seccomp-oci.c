/* linux.seccomp: compile (parent) and install (init). */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/seccomp-oci.h"
#include "container/sync.h"

static gboolean
parse_action (const char *name, gboolean has_errno, guint errno_ret, guint32 *action, GError **error)
{
  guint e = has_errno ? errno_ret : EPERM;

  if (g_strcmp0 (name, "SCMP_ACT_KILL") == 0 || g_strcmp0 (name, "SCMP_ACT_KILL_THREAD") == 0)
    *action = SCMP_ACT_KILL_THREAD;
  else if (g_strcmp0 (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *action = SCMP_ACT_KILL_PROCESS;
  else if (g_strcmp0 (name, "SCMP_ACT_TRAP") == 0)
    *action = SCMP_ACT_TRAP;
  else if (g_strcmp0 (name, "SCMP_ACT_ERRNO") == 0)
    *action = SCMP_ACT_ERRNO (e);
  else if (g_strcmp0 (name, "SCMP_ACT_TRACE") == 0)
    *action = SCMP_ACT_TRACE (e);
  else if (g_strcmp0 (name, "SCMP_ACT_ALLOW") == 0)
    *action = SCMP_ACT_ALLOW;
  else if (g_strcmp0 (name, "SCMP_ACT_LOG") == 0)
    *action = SCMP_ACT_LOG;
  else if (g_strcmp0 (name, "SCMP_ACT_NOTIFY") == 0)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "linux.seccomp: SCMP_ACT_NOTIFY is not supported (the sandbox owns the notifications)");
  else
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: unknown action %s", name ? name : "(null)");
  return TRUE;
}

static gboolean
parse_op (const char *name, enum scmp_compare *op, GError **error)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_strcmp0 (name, ops[i].name) == 0)
      {
        *op = ops[i].op;
        return TRUE;
      }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: unknown operator %s", name ? name : "(null)");
}

static gboolean
parse_arch (const char *name, guint32 *arch, GError **error)
{
  static const struct
  {
    const char *name;
    guint32 arch;
  } arches[] = {
    { "SCMP_ARCH_X86", SCMP_ARCH_X86 },         { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
    { "SCMP_ARCH_X32", SCMP_ARCH_X32 },         { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
    { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 }, { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
    { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },   { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
    { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },   { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
    { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 }, { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
    { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },     { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
    { "SCMP_ARCH_S390", SCMP_ARCH_S390 },       { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
    { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (arches); i++)
    if (g_strcmp0 (name, arches[i].name) == 0)
      {
        *arch = arches[i].arch;
        return TRUE;
      }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: unknown architecture %s",
                          name ? name : "(null)");
}

static gboolean
parse_flag (const char *name, unsigned int *flags, GError **error)
{
  if (g_strcmp0 (name, "SECCOMP_FILTER_FLAG_LOG") == 0)
    *flags |= SECCOMP_FILTER_FLAG_LOG;
  else if (g_strcmp0 (name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
    *flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  else if (g_strcmp0 (name, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
    ; /* the init is single-threaded */
  else
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: unknown flag %s", name ? name : "(null)");
  return TRUE;
}

static gboolean
add_rule (scmp_filter_ctx ctx, const char *name, int nr, guint32 action, const OciSeccompSyscall *sc,
          GError **error)
{
  struct scmp_arg_cmp cmps[6];
  gboolean repeated = FALSE;
  guint seen = 0;
  int r;

  if (sc->n_args > 6)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: %s: more than 6 argument rules", name);
  for (gsize i = 0; i < sc->n_args; i++)
    {
      enum scmp_compare op = SCMP_CMP_EQ;
      if (sc->args[i].index > 5)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: %s: argument index %u out of range",
                                name, sc->args[i].index);
      if (!parse_op (sc->args[i].op, &op, error))
        return FALSE;
      if (seen & (1u << sc->args[i].index))
        repeated = TRUE;
      seen |= 1u << sc->args[i].index;
      cmps[i] = (struct scmp_arg_cmp){ .arg = sc->args[i].index, .op = op, .datum_a = sc->args[i].value,
                                       .datum_b = sc->args[i].value_two };
    }
  if (!repeated)
    r = seccomp_rule_add_array (ctx, action, nr, (unsigned int) sc->n_args, cmps);
  else
    {
      /* Several rules on the same argument: each is its own rule (any of them matches), as runc does. */
      r = 0;
      for (gsize i = 0; i < sc->n_args && r == 0; i++)
        r = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[i]);
    }
  if (r < 0)
    return runsc_error_errno (error, -r, "linux.seccomp: add the rule for %s", name);
  return TRUE;
}

#define NAMED_MAX 1024

/* Marks in named[] (a bit per native syscall number below NAMED_MAX) the calls the profile names in any of its
 * rules, whatever the rule's action. */
static void
profile_named (const OciSeccomp *profile, guint64 *named)
{
  for (gsize i = 0; i < profile->n_syscalls; i++)
    for (char **n = profile->syscalls[i].names; n != NULL && *n != NULL; n++)
      {
        int nr = seccomp_syscall_resolve_name (*n);
        if (nr >= 0 && nr < NAMED_MAX)
          named[nr / 64] |= 1ull << (nr % 64);
      }
}

/* The composition rule (runsc(8), "SECCOMP PROFILES"): a call the Sentry answers itself never reaches the host
 * kernel, so the profile's defaultAction does not apply to it; the profile decides it only where it names it.
 * The sandbox filter, installed after this one, then hands it to the Sentry (the kernel takes the most
 * restrictive action across filters, so without the ALLOW here an ERRNO default would win over the Sentry). */
static gboolean
allow_answered (scmp_filter_ctx ctx, const OciSeccomp *profile, guint32 def, const int *answered, gsize n_answered,
                GError **error)
{
  guint64 named[NAMED_MAX / 64] = { 0 };

  if (def == SCMP_ACT_ALLOW)
    return TRUE; /* already allowed (and libseccomp refuses a rule that repeats the default) */
  profile_named (profile, named);
  for (gsize i = 0; i < n_answered; i++)
    {
      int nr = answered[i];
      int r;
      if (nr < 0 || nr >= NAMED_MAX)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.seccomp: emulated syscall number %d", nr);
      if (named[nr / 64] & (1ull << (nr % 64)))
        continue;
      r = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
      if (r < 0)
        {
          g_autofree char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_NATIVE, nr);
          return runsc_error_errno (error, -r, "linux.seccomp: allow %s for the Sentry",
                                    name != NULL ? name : "an emulated call");
        }
    }
  return TRUE;
}

gboolean
seccomp_oci_compile (const OciSeccomp *profile, const int *answered, gsize n_answered, struct sock_fprog *out,
                     unsigned int *flags, GError **error)
{
  scmp_filter_ctx ctx;
  guint32 def;
  autofd int mfd = -1;
  off_t size;
  g_autofree struct sock_filter *insns = NULL;
  gboolean ok = FALSE;

  *flags = 0;
  if (!parse_action (profile->default_action, profile->has_default_errno_ret, profile->default_errno_ret, &def,
                     error))
    return FALSE;
  for (char **f = profile->flags; f != NULL && *f != NULL; f++)
    if (!parse_flag (*f, flags, error))
      return FALSE;
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "linux.seccomp: seccomp_init failed");
  for (char **a = profile->architectures; a != NULL && *a != NULL; a++)
    {
      guint32 arch = 0;
      int r;
      if (!parse_arch (*a, &arch, error))
        goto out;
      r = seccomp_arch_add (ctx, arch);
      if (r < 0 && r != -EEXIST)
        {
          runsc_error_errno (error, -r, "linux.seccomp: add architecture %s", *a);
          goto out;
        }
    }
  for (gsize i = 0; i < profile->n_syscalls; i++)
    {
      const OciSeccompSyscall *sc = &profile->syscalls[i];
      guint32 action;

      if (!parse_action (sc->action, sc->has_errno_ret, sc->errno_ret, &action, error))
        goto out;
      if (action == def)
        continue; /* libseccomp refuses rules that repeat the default action */
      for (char **n = sc->names; n != NULL && *n != NULL; n++)
        {
          int nr = seccomp_syscall_resolve_name (*n);
          if (nr == __NR_SCMP_ERROR)
            {
              log_debug ("linux.seccomp: unknown syscall %s ignored", *n);
              continue;
            }
          if (!add_rule (ctx, *n, nr, action, sc, error))
            goto out;
        }
    }
  if (!allow_answered (ctx, profile, def, answered, n_answered, error))
    goto out;
  mfd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  if (mfd < 0)
    {
      runsc_error_errno (error, errno, "linux.seccomp: memfd_create");
      goto out;
    }
  {
    int r = seccomp_export_bpf (ctx, mfd);
    if (r < 0)
      {
        runsc_error_errno (error, -r, "linux.seccomp: export the BPF program");
        goto out;
      }
  }
  size = lseek (mfd, 0, SEEK_END);
  if (size <= 0 || size % (off_t) sizeof (struct sock_filter) != 0 || size / 8 > BPF_MAXINSNS)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "linux.seccomp: the BPF program has a bad size (%lld bytes)",
                       (long long) size);
      goto out;
    }
  insns = g_malloc ((gsize) size);
  if (pread (mfd, insns, (size_t) size, 0) != size)
    {
      runsc_error_errno (error, errno, "linux.seccomp: read the BPF program back");
      goto out;
    }
  out->len = (unsigned short) (size / (off_t) sizeof (struct sock_filter));
  out->filter = g_steal_pointer (&insns);
  ok = TRUE;
out:
  seccomp_release (ctx);
  return ok;
}

int
seccomp_install (const struct sock_fprog *prog, unsigned int flags, bool listener, const char *what,
                 InitError *err)
{
  long r;

  if (listener)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
  if (r < 0)
    return init_error (err, errno, "install the %s seccomp filter", what);
  return listener ? (int) r : 0;
}
