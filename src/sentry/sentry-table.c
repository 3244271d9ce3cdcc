/* The Sentry's own syscall table (sentry-table.h): what the confined Sentry may call, and why. */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "sentry/sentry-table.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW (4, __u64)
#endif

/* pthread_create's clone(2) flags (glibc), the only clone the Sentry makes once confined: a thread. */
#define THREAD_FLAGS                                                                                               \
  (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS                  \
   | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

#define EQ(a, v) { (a), SENTRY_CMP_EQ, 0, (v) }
#define MASKED(a, m, v) { (a), SENTRY_CMP_MASKED_EQ, (m), (v) }
#define RULES(r) r, G_N_ELEMENTS (r)

static const SentryArgRule ioctl_rules[] = {
  { "SECCOMP_IOCTL_NOTIF_RECV", 0, 1, { EQ (1, SECCOMP_IOCTL_NOTIF_RECV) } },
  { "SECCOMP_IOCTL_NOTIF_SEND", 0, 1, { EQ (1, SECCOMP_IOCTL_NOTIF_SEND) } },
  { "SECCOMP_IOCTL_NOTIF_ID_VALID", 0, 1, { EQ (1, SECCOMP_IOCTL_NOTIF_ID_VALID) } },
  { "SECCOMP_IOCTL_NOTIF_ADDFD", 0, 1, { EQ (1, SECCOMP_IOCTL_NOTIF_ADDFD) } },
  { "SECCOMP_IOCTL_NOTIF_SET_FLAGS", 0, 1, { EQ (1, SECCOMP_IOCTL_NOTIF_SET_FLAGS) } },
};
static const SentryArgRule clone_rules[] = {
  { "a thread (pthread_create's flags exactly)", 0, 1, { EQ (0, THREAD_FLAGS) } },
};
static const SentryArgRule noexec_rules_mmap[] = {
  { "without PROT_EXEC", 0, 1, { MASKED (2, PROT_EXEC, 0) } },
};
static const SentryArgRule noexec_rules_mprotect[] = {
  { "without PROT_EXEC", 0, 1, { MASKED (2, PROT_EXEC, 0) } },
};
static const SentryArgRule setsockopt_rules[] = {
  { "SOL_SOCKET SO_RCVTIMEO", 0, 2, { EQ (1, SOL_SOCKET), EQ (2, SO_RCVTIMEO) } },
};
static const SentryArgRule prctl_rules[] = {
  { "PR_SET_NAME", 0, 1, { EQ (0, 15) } },
  { "PR_GET_NAME", 0, 1, { EQ (0, 16) } },
};

#define ROW(n, reason) { SYS_##n, #n, 0, NULL, 0, reason }
#define ROWR(n, rules, reason) { SYS_##n, #n, 0, RULES (rules), reason }

const SentrySelfSyscall sentry_self_table[] = {
  ROW (read, "control requests, the signalfd, eventfds, /dev/fuse, /proc and cgroup files"),
  ROW (write, "control replies, logs, FUSE replies, cgroup.freeze, the exit status"),
  ROW (writev, "libfuse writes its replies with writev"),
  ROW (close, "descriptors it is done with"),
  ROW (dup2, "its standard descriptors onto /dev/null once the container has its copies: runsc create's caller (a shim) reads them to their end"),
  ROW (openat, "/proc/PID files of the sandbox's processes, cgroup files, the state directory's files: each relative to a directory it holds (its root is empty)"),
  ROW (openat2, "/proc/PID/status of another process resolved in the caller's root (sched_getaffinity of a pid)"),
  ROW (newfstatat, "stat of /proc and cgroup files, relative to a held directory"),
  ROW (faccessat2, "whether a cgroup, /proc or state file exists, relative to a held directory"),
  ROW (getdents64, "listing /proc for runsc ps and the sandbox's descendants"),
  ROW (readlinkat, "/proc/PID/ns/pid of the sandbox's processes (runsc ps), relative to the held /proc"),
  ROW (fgetxattr, "system.sockprotoname of a socket the application passes to setsockopt (its errno: unix and netlink sockets answer differently)"),
  ROW (fcntl, "O_NONBLOCK and FD_CLOEXEC on its descriptors"),
  ROW (renameat, "the exit status is written to a temporary file and renamed into place, in the held state root"),
  ROW (unlinkat, "a temporary file it could not finish"),
  ROW (fchdir, "into a held cgroup directory and back, to watch a pod member's memory.events (inotify_add_watch takes no directory descriptor)"),
  ROW (poll, "the main loop (control socket, signalfd, exec clients) and the serving threads"),
  ROW (accept4, "the control socket's connections"),
  ROW (recvmsg, "control requests with their descriptors (SCM_RIGHTS); the spawner's replies"),
  ROW (sendmsg, "control replies; requests to the spawner, with their descriptors"),
  ROWR (setsockopt, setsockopt_rules, "a receive timeout on a control connection"),
  ROW (eventfd2, "wake-up descriptors of a new notification listener, the FUSE thread, the OOM watcher"),
  ROW (inotify_init1, "the OOM watcher of a pod member's memory cgroup (cgroup v2 memory.events)"),
  ROW (inotify_add_watch, "the OOM watcher of a pod member's memory cgroup"),
  ROW (futex, "locks and condition variables between its threads"),
  ROW (set_robust_list, "each new thread (glibc)"),
  ROW (rseq, "each new thread (glibc)"),
  ROW (restart_syscall, "a call interrupted by a signal resumes"),
  ROW (clock_nanosleep, "waiting for killed processes to go"),
  ROW (clock_gettime, "timestamps (when the vDSO does not answer)"),
  ROWR (mmap, noexec_rules_mmap, "memory: malloc and thread stacks; never executable"),
  ROW (munmap, "memory"),
  ROWR (mprotect, noexec_rules_mprotect, "thread stack guards; never executable"),
  ROW (madvise, "malloc returns memory, thread stacks are released"),
  ROW (brk, "malloc"),
  ROWR (clone, clone_rules, "notification threads for a new container or exec'd process"),
  { SYS_clone3, "clone3", ENOSYS, NULL, 0,
    "refused with ENOSYS: its flags are in memory, which seccomp cannot check; glibc then uses clone(2)" },
  ROW (exit, "a thread ends"),
  ROW (exit_group, "the Sentry exits with the root container's status"),
  ROW (getpid, "its own pid (logs, /proc/PID paths)"),
  ROW (tgkill, "glibc's abort and thread cancellation"),
  ROW (rt_sigaction, "signal dispositions"),
  ROW (rt_sigprocmask, "the signals it reads from its signalfd stay blocked"),
  ROW (rt_sigreturn, "return from a signal handler"),
  ROW (kill, "signals forwarded to the containers' processes (runsc kill, SIGTERM to the sandbox)"),
  ROW (pidfd_open, "a pidfd of a container process, to wait for or signal it without pid reuse"),
  ROW (pidfd_getfd, "a descriptor of the calling application process, for an emulated call"),
  ROW (wait4, "reaping the containers' processes (it is their parent and subreaper)"),
  ROW (process_vm_readv, "reading an emulated call's arguments from the application's memory"),
  ROW (process_vm_writev, "writing an emulated call's results into the application's memory"),
  ROWR (ioctl, ioctl_rules, "seccomp user notifications"),
  ROW (getuid, "libfuse asks it when a connection is set up for a new container"),
  ROW (getrandom, "hash table seeds (GLib)"),
  ROW (sysinfo, "the host's memory, which /proc/meminfo and sysinfo(2) cap at the cgroup's limit"),
  ROW (sched_getaffinity, "the CPU count in /proc/cpuinfo and /proc/stat"),
  ROWR (prctl, prctl_rules, "thread names"),
#ifdef __SANITIZE_ADDRESS__
  /* ./configure --enable-sanitizers only: what the ASan/UBSan runtime itself calls in a running process (a
   * refused one fails its internal checks and ends the Sentry with status 1, before any report). */
  ROW (sigaltstack, "sanitizer builds only: the sanitizer runtime sets and removes each thread's signal stack"),
  ROW (gettid, "sanitizer builds only: the sanitizer runtime's thread registry"),
  ROW (sched_yield, "sanitizer builds only: the sanitizer runtime's spin locks"),
  ROW (open, "sanitizer builds only: a report opens its log file (log_path) and reads /proc/self/maps"),
  ROW (lseek, "sanitizer builds only: the sanitizer runtime reads /proc/self/maps"),
  ROW (prlimit64, "sanitizer builds only: the sanitizer runtime reads the stack limit of a new thread"),
#endif
};

const gsize sentry_self_table_len = G_N_ELEMENTS (sentry_self_table);

guint
sentry_self_allowed_count (void)
{
  guint n = 0;
  for (gsize i = 0; i < sentry_self_table_len; i++)
    n += sentry_self_table[i].err == 0;
  return n;
}

gboolean
sentry_self_table_check (GError **error)
{
  for (gsize i = 0; i < sentry_self_table_len; i++)
    {
      const SentrySelfSyscall *row = &sentry_self_table[i];
      int known = seccomp_syscall_resolve_name (row->name);

      if (row->nr < 0 || row->nr > 511)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s: number %d out of range", row->name,
                                row->nr);
      if (known != __NR_SCMP_ERROR && known != row->nr)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s is %d, libseccomp knows it as %d",
                                row->name, row->nr, known);
      if (row->reason == NULL || row->reason[0] == '\0')
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s has no reason", row->name);
      for (gsize j = 0; j < i; j++)
        if (sentry_self_table[j].nr == row->nr)
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s appears twice", row->name);
      for (guint r = 0; r < row->n_rules; r++)
        {
          if (row->rules[r].n_cmp == 0 || row->rules[r].n_cmp > 3)
            return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s: a rule needs 1-3 comparisons",
                                    row->name);
          for (guint c = 0; c < row->rules[r].n_cmp; c++)
            if (row->rules[r].cmp[c].arg > 5)
              return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry table: %s: argument %u out of range",
                                      row->name, row->rules[r].cmp[c].arg);
        }
    }
  return TRUE;
}

gboolean
sentry_self_filter_build (struct sock_fprog *prog, GError **error)
{
  scmp_filter_ctx ctx;
  autofd int mfd = -1;
  off_t size;
  int r = 0;

  if (!sentry_self_table_check (error))
    return FALSE;
  ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  if (ctx == NULL)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry filter: seccomp_init failed");
  r = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  for (gsize i = 0; r == 0 && i < sentry_self_table_len; i++)
    {
      const SentrySelfSyscall *row = &sentry_self_table[i];
      if (row->err != 0)
        r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (row->err), row->nr, 0);
      else if (row->rules == NULL)
        r = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, row->nr, 0);
      else
        for (guint j = 0; r == 0 && j < row->n_rules; j++)
          {
            const SentryArgRule *rule = &row->rules[j];
            struct scmp_arg_cmp cmp[3];
            for (guint c = 0; c < rule->n_cmp; c++)
              {
                const SentryArgCmp *a = &rule->cmp[c];
                cmp[c] = a->op == SENTRY_CMP_MASKED_EQ
                           ? (struct scmp_arg_cmp) { a->arg, SCMP_CMP_MASKED_EQ, a->mask, a->value }
                           : (struct scmp_arg_cmp) { a->arg, SCMP_CMP_EQ, a->value, 0 };
              }
            r = seccomp_rule_add_array (ctx, SCMP_ACT_ALLOW, row->nr, rule->n_cmp, cmp);
          }
      if (r < 0)
        {
          seccomp_release (ctx);
          return runsc_error_errno (error, -r, "Sentry filter: add rule for %s", row->name);
        }
    }
  if (r < 0)
    {
      seccomp_release (ctx);
      return runsc_error_errno (error, -r, "Sentry filter: attributes");
    }
  mfd = memfd_create ("sentry-self-filter", MFD_CLOEXEC);
  if (mfd < 0 || (r = seccomp_export_bpf (ctx, mfd)) < 0)
    {
      int e = mfd < 0 ? errno : -r;
      seccomp_release (ctx);
      return runsc_error_errno (error, e, "Sentry filter: export");
    }
  seccomp_release (ctx);
  size = lseek (mfd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0 || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "Sentry filter: bad program size %lld", (long long) size);
  prog->filter = g_malloc (size);
  if (pread (mfd, prog->filter, size, 0) != size)
    {
      g_clear_pointer (&prog->filter, g_free);
      return runsc_error_errno (error, errno, "Sentry filter: read program");
    }
  prog->len = size / sizeof (struct sock_filter);
  return TRUE;
}

gboolean
sentry_self_filter (struct sock_fprog *prog, GError **error)
{
  if (&sentry_self_prebuilt_len == NULL || sentry_self_prebuilt_insns == NULL || sentry_self_prebuilt_len == 0)
    return sentry_self_filter_build (prog, error);
  prog->filter = g_memdup2 (sentry_self_prebuilt_insns, sentry_self_prebuilt_len * sizeof (struct sock_filter));
  prog->len = (unsigned short) sentry_self_prebuilt_len;
  return TRUE;
}

static char *
row_detail (const SentrySelfSyscall *row)
{
  GString *s;

  if (row->rules == NULL)
    return g_strdup ("");
  s = g_string_new ("allowed: ");
  for (guint i = 0; i < row->n_rules; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", row->rules[i].desc);
  return g_string_free (s, FALSE);
}

static const char *
row_errno (const SentrySelfSyscall *row)
{
  const char *name = strerrorname_np (row->err != 0 ? row->err : EPERM);
  return row->err != 0 || row->rules != NULL ? (name != NULL ? name : "") : "";
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

gboolean
sentry_self_print (const char *format, FILE *out, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  guint allowed = sentry_self_allowed_count ();

  if (strcmp (format, "table") == 0)
    {
      g_string_append_printf (s, "%-4s  %-20s  %-9s  %-8s  %s\n", "NR", "NAME", "ACTION", "ERRNO", "DETAIL");
      for (gsize i = 0; i < sentry_self_table_len; i++)
        {
          const SentrySelfSyscall *row = &sentry_self_table[i];
          g_autofree char *detail = row_detail (row);
          g_string_append_printf (s, "%-4d  %-20s  %-9s  %-8s  %s%s%s\n", row->nr, row->name,
                                  row->err ? "refused" : "allowed", row_errno (row), detail, *detail ? "; " : "",
                                  row->reason);
        }
      g_string_append_printf (s, "\n%u syscalls allowed to the confined Sentry (%" G_GSIZE_FORMAT " rows); any "
                              "other call fails with EPERM.\n", allowed, sentry_self_table_len);
    }
  else if (strcmp (format, "csv") == 0)
    {
      g_string_append (s, "nr,name,disposition,errno,detail,note\n");
      for (gsize i = 0; i < sentry_self_table_len; i++)
        {
          const SentrySelfSyscall *row = &sentry_self_table[i];
          g_autofree char *detail = row_detail (row);
          g_autofree char *nr = g_strdup_printf ("%d", row->nr);
          csv_field (s, nr, FALSE);
          csv_field (s, row->name, FALSE);
          csv_field (s, row->err ? "refused" : "allowed", FALSE);
          csv_field (s, row_errno (row), FALSE);
          csv_field (s, detail, FALSE);
          csv_field (s, row->reason, TRUE);
        }
    }
  else if (strcmp (format, "json") == 0)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "arch");
      json_builder_add_string_value (b, "x86_64");
      json_builder_set_member_name (b, "default");
      json_builder_add_string_value (b, "refused EPERM");
      json_builder_set_member_name (b, "counts");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, sentry_self_table_len);
      json_builder_set_member_name (b, "allowed");
      json_builder_add_int_value (b, allowed);
      json_builder_set_member_name (b, "refused");
      json_builder_add_int_value (b, sentry_self_table_len - allowed);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "syscalls");
      json_builder_begin_array (b);
      for (gsize i = 0; i < sentry_self_table_len; i++)
        {
          const SentrySelfSyscall *row = &sentry_self_table[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "nr");
          json_builder_add_int_value (b, row->nr);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, row->name);
          json_builder_set_member_name (b, "disposition");
          json_builder_add_string_value (b, row->err ? "refused" : "allowed");
          if (*row_errno (row))
            {
              json_builder_set_member_name (b, "errno");
              json_builder_add_string_value (b, row_errno (row));
            }
          if (row->rules != NULL)
            {
              json_builder_set_member_name (b, "allowed");
              json_builder_begin_array (b);
              for (guint r = 0; r < row->n_rules; r++)
                json_builder_add_string_value (b, row->rules[r].desc);
              json_builder_end_array (b);
            }
          json_builder_set_member_name (b, "note");
          json_builder_add_string_value (b, row->reason);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      g_string_append (s, text);
      g_string_append_c (s, '\n');
    }
  else
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --format %s: expected table, json or csv", format);
  if (fputs (s->str, out) == EOF || fflush (out) != 0)
    return runsc_error_errno (error, errno, "write the Sentry's syscall table");
  return TRUE;
}
