/* The README's compatibility section, written from the syscall table (`make update-readme`; test-syscall-table
 * fails while README.md and the table disagree). What the table cannot say (identity, gVisor's choices) is the
 * fixed text below, kept next to the lists it explains. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sentry/syscall-readme.h"
#include "sentry/syscall-table.h"

/* Whether some (want TRUE) or some other (want FALSE) rule of the row needs a user namespace of its own. */
static gboolean
has_rule (const SentrySyscall *row, gboolean want)
{
  for (guint i = 0; i < row->n_rules; i++)
    if (!(row->rules[i].needs & SENTRY_NEEDS_USERNS) == !want)
      return TRUE;
  return FALSE;
}

static gboolean is_userns (const SentrySyscall *row, int unused);

/* "a, b and c" of the rows that pass keep (and, for refused rows, whose errno is err). */
static void
append_names (GString *out, gboolean (*keep) (const SentrySyscall *, int), int err)
{
  GPtrArray *names = g_ptr_array_new ();
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    if (keep (&sentry_syscall_table[i], err))
      g_ptr_array_add (names, (gpointer) sentry_syscall_table[i].name);
  for (guint i = 0; i < names->len; i++)
    {
      const SentrySyscall *row = sentry_syscall_by_name (names->pdata[i]);
      g_string_append_printf (out, "%s`%s`", i == 0 ? "" : i + 1 == names->len ? " and " : ", ",
                              (const char *) names->pdata[i]);
      /* A row some of whose shapes only are widened (ioctl): say so. */
      if (keep == is_userns && has_rule (row, FALSE))
        g_string_append (out, " (the requests marked \"own user namespace\" in docs/syscalls.md)");
    }
  g_ptr_array_free (names, TRUE);
}

static gboolean
is_refused_with (const SentrySyscall *row, int err)
{
  return sentry_syscall_disposition (row) == SENTRY_REFUSED && row->err == err;
}

static gboolean
is_refused_other (const SentrySyscall *row, int unused)
{
  (void) unused;
  return sentry_syscall_disposition (row) == SENTRY_REFUSED && row->err != EPERM && row->err != ENOSYS;
}

static gboolean
is_emulated (const SentrySyscall *row, int unused)
{
  (void) unused;
  return sentry_syscall_disposition (row) == SENTRY_EMULATED;
}

static gboolean
is_checked (const SentrySyscall *row, int unused)
{
  (void) unused;
  return sentry_syscall_disposition (row) == SENTRY_NATIVE && row->rules != NULL && has_rule (row, FALSE);
}

static gboolean
is_userns (const SentrySyscall *row, int unused)
{
  (void) unused;
  return sentry_syscall_disposition (row) == SENTRY_NATIVE && has_rule (row, TRUE);
}

char *
sentry_syscalls_readme (void)
{
  GString *out = g_string_new (NULL);
  guint native = 0, checked = 0, emulated = 0, refused = 0;

  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    switch (sentry_syscall_disposition (&sentry_syscall_table[i]))
      {
      case SENTRY_NATIVE:
        native++;
        checked += sentry_syscall_table[i].rules != NULL;
        break;
      case SENTRY_EMULATED:
        emulated++;
        break;
      case SENTRY_REFUSED:
        refused++;
        break;
      }

  g_string_append (out, "<!-- Generated from src/sentry/syscall-table.c by `make update-readme`; do not edit. -->\n"
                        "## Compatibility\n\n");
  g_string_append_printf (out,
                          "Of the %u x86-64 system calls, %u run natively on the host kernel (%u of them with "
                          "argument checks), %u are emulated by the Sentry and %u are refused "
                          "(`runsc help syscalls`, [docs/syscalls.md](docs/syscalls.md)).\n\n",
                          (guint) sentry_syscall_table_len, native, checked, emulated, refused);

  g_string_append (out, "### Where a container sees something other than Linux\n\n");
  g_string_append (out, "- The kernel's identity: `uname`, `/proc/version` and `/proc/sys/kernel/osrelease` say "
                        "`4.4.0` (`--kernel-release`), and programs that check the release see that one; "
                        "`dmesg` prints the sandbox's own boot log. Test suites skip what that release lacks: of "
                        "408 LTP syscall programs run beside runc, 4 skipped on the release alone, 7 on calls a "
                        "4.4 kernel lacks and the table refuses (`clone3`, the keyring calls) or does not know "
                        "(`cachestat`, `fchmodat2`, `file_getattr`: unknown numbers answer ENOSYS).\n");
  g_string_append (out, "- Emulated, answered by the Sentry: ");
  append_names (out, is_emulated, 0);
  g_string_append (out, ".\n- Refused with EPERM (privileged on Linux, never reach the host kernel): ");
  append_names (out, is_refused_with, EPERM);
  g_string_append (out, ".\n- Refused with ENOSYS (a kernel without them): ");
  append_names (out, is_refused_with, ENOSYS);
  {
    GString *other = g_string_new (NULL);
    append_names (other, is_refused_other, 0);
    if (other->len > 0)
      g_string_append_printf (out, ".\n- Refused with another errno: %s", other->str);
    g_string_free (other, TRUE);
  }
  g_string_append (out, ".\n- Native with argument checks (a refused shape fails as Linux fails it where Linux "
                        "would reject the arguments anyway): ");
  append_names (out, is_checked, 0);
  g_string_append (out, ".\n- Allowed only to a privileged container in a user namespace of its own (the "
                        "kernel confines them there; refused with the host's): ");
  append_names (out, is_userns, 0);
  g_string_append (out, " (runsc(8), PRIVILEGED CONTAINERS).\n");
  g_string_append (out, "- `/proc/self/status` says `Seccomp: 2` in every container, the sandbox's filter; "
                        "seccomp strict mode fails with EINVAL, as under runc with a profile.\n"
                        "- Not supported: joining a mount namespace by path, a spec without a mount namespace "
                        "(runsc(8), NOTES).\n"
                        "- Namespaces the host owns: container root, in the sandbox's user namespace, may not "
                        "join a pid, cgroup or time namespace that the host's user namespace owns (EPERM; "
                        "one it is in already is kept), nor configure a network namespace the host made, such "
                        "as a pod's CNI namespace (EPERM where runc, host root, succeeds: critest's \"Privileged "
                        "is true\" and \"adding capability\" run brctl there) (runsc(8), NOTES).\n"
                        "- `runsc state` gives the Sentry's pid, whose mount, pid, user and cgroup namespaces "
                        "are not the container's (runtime-tools' namespace checks of the state pid fail; "
                        "runsc-state(8)).\n\n");

  g_string_append (out, "### Where it differs from gVisor\n\n");
  g_string_append (out, "- gVisor's application never reaches the host kernel; here the native calls above do, "
                        "inside the container's namespaces, cgroups and user namespace (runsc(8), ISOLATION).\n"
                        "- Networking is the host kernel's stack in the sandbox's network namespace, not "
                        "netstack; `--network=sandbox|host|none` are gVisor's names.\n"
                        "- Keyrings: refused (ENOSYS) where gVisor emulates a session keyring.\n"
                        "- mount(2) in a privileged container is the host kernel's, in the container's user "
                        "namespace, where gVisor serves it from its own VFS; in both, nothing propagates to the "
                        "host.\n"
                        "- The same: `runsc state` reports the sandbox's pid (the Sentry's) as gVisor does; "
                        "`CAP_NET_RAW` is dropped unless `--net-raw`; the root filesystem gets an in-memory "
                        "overlay (`--overlay2=root:memory`).\n\n");
  return g_string_free (out, FALSE);
}
