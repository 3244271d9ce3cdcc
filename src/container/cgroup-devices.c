/* The devices cgroup (cgroup-devices.h). */
#include "config.h"

#include "container/cgroup-devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-internal.h"

/* runc's default allow-list (libcontainer/specconv AllowedDevices), appended after the spec's rules. */
static const CgroupDeviceRule default_rules[] = {
  { TRUE, 'c', -1, -1, CGROUP_DEV_MKNOD },  /* mknod of any char device */
  { TRUE, 'b', -1, -1, CGROUP_DEV_MKNOD },  /* mknod of any block device */
  { TRUE, 'c', 1, 3, CGROUP_DEV_RWM },      /* /dev/null */
  { TRUE, 'c', 1, 8, CGROUP_DEV_RWM },      /* /dev/random */
  { TRUE, 'c', 1, 7, CGROUP_DEV_RWM },      /* /dev/full */
  { TRUE, 'c', 5, 0, CGROUP_DEV_RWM },      /* /dev/tty */
  { TRUE, 'c', 1, 5, CGROUP_DEV_RWM },      /* /dev/zero */
  { TRUE, 'c', 1, 9, CGROUP_DEV_RWM },      /* /dev/urandom */
  { TRUE, 'c', 136, -1, CGROUP_DEV_RWM },   /* /dev/pts/N */
  { TRUE, 'c', 5, 2, CGROUP_DEV_RWM },      /* /dev/ptmx */
};

static gboolean
parse_access (const char *s, guint *out)
{
  guint a = 0;

  if (s == NULL || *s == '\0')
    {
      *out = CGROUP_DEV_RWM;
      return TRUE;
    }
  for (; *s != '\0'; s++)
    switch (*s)
      {
      case 'r': a |= CGROUP_DEV_READ; break;
      case 'w': a |= CGROUP_DEV_WRITE; break;
      case 'm': a |= CGROUP_DEV_MKNOD; break;
      default: return FALSE;
      }
  *out = a;
  return TRUE;
}

CgroupDeviceRule *
cgroup_devices_rules (const OciResources *r, gsize *n, GError **error)
{
  gsize spec_n = r != NULL ? r->n_devices : 0;
  gsize i, total = spec_n + G_N_ELEMENTS (default_rules);
  g_autofree CgroupDeviceRule *rules = g_new0 (CgroupDeviceRule, total);

  for (i = 0; i < spec_n; i++)
    {
      const OciDeviceRule *d = &r->devices[i];
      char t = d->type != '\0' ? d->type : 'a';

      if (t != 'a' && t != 'c' && t != 'b')
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.resources.devices[%zu]: invalid type \"%c\"", i,
                                t),
               NULL;
      if (!parse_access (d->access, &rules[i].access))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.resources.devices[%zu]: invalid access \"%s\"",
                                i, d->access),
               NULL;
      if (d->major < -1 || d->major > G_MAXUINT32 || d->minor < -1 || d->minor > G_MAXUINT32)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.resources.devices[%zu]: invalid major:minor", i),
               NULL;
      rules[i].allow = d->allow;
      rules[i].type = t;
      rules[i].major = d->major;
      rules[i].minor = d->minor;
    }
  memcpy (rules + spec_n, default_rules, sizeof default_rules);
  *n = total;
  return g_steal_pointer (&rules);
}

static gboolean
rule_matches (const CgroupDeviceRule *r, char type, guint32 major, guint32 minor, guint access)
{
  return (r->type == 'a' || r->type == type) && (r->major == -1 || r->major == (gint64) major)
         && (r->minor == -1 || r->minor == (gint64) minor)
         && (r->allow ? (access & ~r->access) == 0 : (access & r->access) != 0);
}

gboolean
cgroup_devices_allowed (const CgroupDeviceRule *rules, gsize n, char type, guint32 major, guint32 minor,
                        guint access)
{
  gsize i;

  for (i = n; i > 0; i--)
    if (rule_matches (&rules[i - 1], type, major, minor, access))
      return rules[i - 1].allow;
  return FALSE;
}

/* ---- cgroup v1 ---- */

static void
format_num (char *buf, size_t size, gint64 v)
{
  if (v < 0)
    g_strlcpy (buf, "*", size);
  else
    snprintf (buf, size, "%" G_GINT64_FORMAT, v);
}

char **
cgroup_devices_v1_lines (const CgroupDeviceRule *rules, gsize n)
{
  GPtrArray *out = g_ptr_array_new ();
  gsize i;

  g_ptr_array_add (out, g_strdup ("deny a *:* rwm"));
  for (i = 0; i < n; i++)
    {
      const CgroupDeviceRule *r = &rules[i];
      char maj[24], min[24], acc[4];
      int k = 0;

      format_num (maj, sizeof maj, r->type == 'a' ? -1 : r->major);
      format_num (min, sizeof min, r->type == 'a' ? -1 : r->minor);
      if (r->access & CGROUP_DEV_READ)
        acc[k++] = 'r';
      if (r->access & CGROUP_DEV_WRITE)
        acc[k++] = 'w';
      if (r->access & CGROUP_DEV_MKNOD)
        acc[k++] = 'm';
      acc[k] = '\0';
      if (k == 0)
        continue; /* no access: the kernel rejects it, and it matches nothing */
      g_ptr_array_add (out, g_strdup_printf ("%s %c %s:%s %s", r->allow ? "allow" : "deny", r->type, maj, min, acc));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* a covers more devices than b (a wildcard where b names a number). */
static gboolean
wider (const CgroupDeviceRule *a, const CgroupDeviceRule *b)
{
  if (a->type != 'a' && a->type != b->type)
    return FALSE;
  if ((a->major != -1 && a->major != b->major) || (a->minor != -1 && a->minor != b->minor))
    return FALSE;
  return (a->type == 'a' && b->type != 'a') || (a->major == -1 && b->major != -1)
         || (a->minor == -1 && b->minor != -1);
}

/* The v1 kernel takes a rule against the default (deny while the default is deny, allow while it is allow) as
 * removing an exception with exactly those numbers: it silently leaves a wider exception alone, so "allow c 10:*
 * rw" then "deny c 10:229 w" would still allow writes to 10:229. As runc does, refuse such a list instead of
 * applying something weaker than it says. */
static gboolean
check_v1_expressible (const CgroupDeviceRule *rules, gsize n, GError **error)
{
  gboolean default_allow = FALSE;
  gsize i, j, reset = 0;

  for (i = 0; i < n; i++)
    {
      const CgroupDeviceRule *r = &rules[i];

      if (r->type == 'a' && r->access == CGROUP_DEV_RWM)
        {
          default_allow = r->allow;
          reset = i + 1;
          continue;
        }
      if (r->allow != default_allow)
        continue; /* adds an exception */
      for (j = reset; j < i; j++)
        if (rules[j].allow != default_allow && wider (&rules[j], r) && (rules[j].access & r->access) != 0)
          return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                                  "devices rule %zu (%s %c %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                                  ") takes access from the wider rule %zu, which cgroup v1 cannot express",
                                  i, r->allow ? "allow" : "deny", r->type, r->major, r->minor, j);
    }
  return TRUE;
}

gboolean
cgroup_devices_apply_v1 (const char *dir, const CgroupDeviceRule *rules, gsize n, GError **error)
{
  g_auto (GStrv) lines = NULL;
  char **l;

  if (!check_v1_expressible (rules, n, error))
    return FALSE;
  lines = cgroup_devices_v1_lines (rules, n);

  for (l = lines; *l != NULL; l++)
    {
      gboolean allow = g_str_has_prefix (*l, "allow ");
      const char *line = strchr (*l, ' ') + 1;

      if (!cgroup_write (dir, allow ? "devices.allow" : "devices.deny", line, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- cgroup v2: the program ---- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* Instructions of one rule's block (before the final r0 = allow; exit). */
static int
block_tests (const CgroupDeviceRule *r)
{
  return (r->type != 'a') + (r->access != CGROUP_DEV_RWM ? 3 : 0) + (r->type != 'a' && r->major != -1)
         + (r->type != 'a' && r->minor != -1);
}

/* The program: r2 = type, r3 = access, r4 = major, r5 = minor from struct bpf_cgroup_dev_ctx; then one block per
 * rule, last rule first, each jumping to the next block on a mismatch and returning its verdict on a match; no
 * match: deny (a rule that matches everything ends the program). A rule of type 'a' matches every device whatever its major:minor (as the v1 kernel takes it). */
static GArray *
build_program (const CgroupDeviceRule *rules, gsize n)
{
  GArray *p = g_array_new (FALSE, FALSE, sizeof (struct bpf_insn));
  struct bpf_insn head[] = {
    INSN (BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0),
    INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff),
    INSN (BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0),
    INSN (BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16),
    INSN (BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0),
    INSN (BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0),
  };
  gsize i;

  g_array_append_vals (p, head, G_N_ELEMENTS (head));
  for (i = n; i > 0; i--)
    {
      const CgroupDeviceRule *r = &rules[i - 1];
      int left = block_tests (r) + 2; /* instructions from here to the end of the block */
      struct bpf_insn in;

      if (r->access == 0)
        continue;
#define ADD(x)                                                                                                   \
  do                                                                                                             \
    {                                                                                                            \
      in = (x);                                                                                                  \
      g_array_append_val (p, in);                                                                                \
      left--;                                                                                                    \
    }                                                                                                            \
  while (0)
      if (r->type != 'a')
        ADD (INSN (BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_2, 0, left - 1,
                   r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
      if (r->access != CGROUP_DEV_RWM)
        {
          ADD (INSN (BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
          ADD (INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int) r->access));
          if (r->allow)
            ADD (INSN (BPF_JMP32 | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, left - 1, 0));
          else
            ADD (INSN (BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, 0, left - 1, 0));
        }
      if (r->type != 'a' && r->major != -1)
        ADD (INSN (BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_4, 0, left - 1, (gint32) (guint32) r->major));
      if (r->type != 'a' && r->minor != -1)
        ADD (INSN (BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_5, 0, left - 1, (gint32) (guint32) r->minor));
      ADD (INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
      ADD (INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
#undef ADD
      g_assert (left == 0);
      if (block_tests (r) == 0)
        return p; /* matches everything: what comes after it is unreachable, which the verifier refuses */
    }
  {
    struct bpf_insn tail[] = {
      INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
      INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
    g_array_append_vals (p, tail, G_N_ELEMENTS (tail));
  }
  return p;
}

int
cgroup_devices_bpf_load (const CgroupDeviceRule *rules, gsize n, GError **error)
{
  g_autoptr (GArray) prog = build_program (rules, n);
  char log_buf[4096] = "";
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (guint64) (uintptr_t) prog->data;
  attr.insn_cnt = prog->len;
  attr.license = (guint64) (uintptr_t) "Apache-2.0";
  fd = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0 && errno == EINVAL)
    {
      /* Again with the verifier's log, for the message. */
      int e;
      attr.log_buf = (guint64) (uintptr_t) log_buf;
      attr.log_size = sizeof log_buf;
      attr.log_level = 1;
      log_buf[0] = '\0';
      fd = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
      e = errno;
      if (fd < 0)
        log_debug ("cgroup: device program rejected: %s", log_buf);
      else
        log_buf[0] = '\0';
      errno = e;
    }
  if (fd < 0)
    {
      int e = errno;
      if (strchr (log_buf, '\n') != NULL)
        *strchr (log_buf, '\n') = '\0'; /* the verifier's first line says why */
      runsc_error_errno (error, e, "load the device filter (BPF_PROG_TYPE_CGROUP_DEVICE, %u instructions)%s%s",
                         prog->len, log_buf[0] != '\0' ? ": " : "", log_buf);
      return -1;
    }
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

gboolean
cgroup_devices_apply_v2 (const char *dir, const CgroupDeviceRule *rules, gsize n, GError **error)
{
  autofd int prog = cgroup_devices_bpf_load (rules, n, error);
  autofd int cg = -1;
  union bpf_attr attr;

  if (prog < 0)
    return FALSE;
  cg = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0)
    return runsc_error_errno (error, errno, "open cgroup %s", dir);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (guint32) cg;
  attr.attach_bpf_fd = (guint32) prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  /* The attachment holds the program: it stays when prog is closed, until the cgroup is removed. */
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0)
    return runsc_error_errno (error, errno, "attach the device filter to cgroup %s", dir);
  return TRUE;
}

gboolean
cgroup_devices_apply (const CgroupHandle *h, const OciResources *r, GError **error)
{
  g_autofree CgroupDeviceRule *rules = NULL;
  const char *v1 = h->v1 != NULL ? g_hash_table_lookup (h->v1, "devices") : NULL;
  gsize n;
  gboolean ok;

  rules = cgroup_devices_rules (r, &n, error);
  if (rules == NULL)
    return FALSE;
  if (v1 != NULL)
    ok = cgroup_devices_apply_v1 (v1, rules, n, error);
  else if (h->unified != NULL)
    {
      g_autoptr (GError) local = NULL;

      ok = cgroup_devices_apply_v2 (h->unified, rules, n, &local);
      if (!ok && h->version != CGROUP_V2)
        {
          /* A hybrid host without a v1 devices hierarchy: the program is extra, not required. */
          log_warning ("cgroup %s: %s; the Sentry alone applies the device rules", h->path, local->message);
          return TRUE;
        }
      if (!ok)
        g_propagate_error (error, g_steal_pointer (&local));
    }
  else
    {
      log_debug ("cgroup %s: no devices cgroup: the Sentry alone applies the device rules", h->path);
      return TRUE;
    }
  if (!ok)
    runsc_error_prefix (error, "linux.resources.devices");
  return ok;
}

/* ---- the Sentry's registry ---- */

typedef struct Entry
{
  struct Entry *next;
  char *id;
  CgroupDeviceRule *rules;
  gsize n;
} Entry;

static pthread_rwlock_t registry_lock = PTHREAD_RWLOCK_INITIALIZER;
static Entry *registry;

static void
entry_free (Entry *e)
{
  g_free (e->id);
  g_free (e->rules);
  g_free (e);
}

/* Unlink id's entry (under the write lock) and return it. */
static Entry *
unlink_entry (const char *id)
{
  Entry **pp;

  for (pp = &registry; *pp != NULL; pp = &(*pp)->next)
    if (strcmp ((*pp)->id, id) == 0)
      {
        Entry *e = *pp;
        *pp = e->next;
        return e;
      }
  return NULL;
}

gboolean
cgroup_devices_register (const char *id, const OciResources *r, GError **error)
{
  Entry *e = g_new0 (Entry, 1), *old;

  e->rules = cgroup_devices_rules (r, &e->n, error);
  if (e->rules == NULL)
    {
      g_free (e);
      return FALSE;
    }
  e->id = g_strdup (id != NULL ? id : "");
  pthread_rwlock_wrlock (&registry_lock);
  old = unlink_entry (e->id);
  e->next = registry;
  registry = e;
  pthread_rwlock_unlock (&registry_lock);
  if (old != NULL)
    entry_free (old);
  return TRUE;
}

void
cgroup_devices_unregister (const char *id)
{
  Entry *e;

  pthread_rwlock_wrlock (&registry_lock);
  e = unlink_entry (id != NULL ? id : "");
  pthread_rwlock_unlock (&registry_lock);
  if (e != NULL)
    entry_free (e);
}

int
cgroup_devices_check (const char *id, mode_t mode, dev_t rdev, int open_flags)
{
  const Entry *e;
  guint access;
  int r = 0;

  if (!S_ISCHR (mode) && !S_ISBLK (mode))
    return 0;
  if (open_flags & O_PATH)
    return 0;
  switch (open_flags & O_ACCMODE)
    {
    case O_RDONLY: access = CGROUP_DEV_READ; break;
    case O_WRONLY: access = CGROUP_DEV_WRITE; break;
    default: access = CGROUP_DEV_READ | CGROUP_DEV_WRITE; break;
    }
  pthread_rwlock_rdlock (&registry_lock);
  for (e = registry; e != NULL; e = e->next)
    if (strcmp (e->id, id != NULL ? id : "") == 0)
      {
        if (!cgroup_devices_allowed (e->rules, e->n, S_ISCHR (mode) ? 'c' : 'b', major (rdev), minor (rdev), access))
          r = -EPERM;
        break;
      }
  pthread_rwlock_unlock (&registry_lock);
  return r;
}
