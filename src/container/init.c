/* Stage 1 and the container's init: everything between fork and execve. Plain C, no allocation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "container/capabilities.h"
#include "container/cgroup-join.h"
#include "container/console.h"
#include "container/devices.h"
#include "container/hooks.h"
#include "container/init.h"
#include "container/mounts.h"
#include "container/process.h"
#include "container/rootfs.h"
#include "container/seccomp-oci.h"
#include "container/sync.h"
#include "container/vfs-bind.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* /proc/self/cgroup as it was before the init made its cgroup namespace. */
static char cgroup_file[16384];

/* The sandbox's nested user namespace (plan.h): the container's user namespace, held from stage 1 (which enters
 * its parent) until the init, its mounts done, enters it (enter_container_userns). -1 otherwise. */
static int container_userns_fd = -1;

/* pid_max as the Sentry sees it (its pid namespace's), read by stage 1 before it makes the container's. */
static long sentry_pid_max = -1;

static long
read_pid_max (void)
{
  char buf[32];
  int fd = open ("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return strtol (buf, NULL, 10);
}

/* Since Linux 6.14 each pid namespace has its own pid_max, and a new one starts at the largest (4194304)
 * whatever its parent's. The container reads /proc/sys/kernel/pid_max through the Sentry, which sees its own
 * namespace's value, so the container's pids could pass the pid_max it is shown (a pid of 40000 under a
 * pid_max of 32768). Lower the new namespace's pid_max to the value shown, so that both agree. On older
 * kernels pid_max is global, both reads are equal, and nothing is written. */
static void
match_pid_max (void)
{
  long own = read_pid_max ();
  int fd;
  char buf[32];
  int len;

  if (sentry_pid_max <= 0 || own <= sentry_pid_max)
    return;
  len = snprintf (buf, sizeof buf, "%ld\n", sentry_pid_max);
  fd = open ("/proc/sys/kernel/pid_max", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, (size_t) len) != len)
    log_warning ("set the container's pid_max to the sandbox's %ld (it is %ld): %s", sentry_pid_max, own,
                 strerror (errno));
  if (fd >= 0)
    close (fd);
}

static void
reset_signals (void)
{
  sigset_t none;

  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* Die with the Sentry (fail closed), and check it is not already gone. */
static void
watch_sentry (const ContainerPlan *p, bool same_pid_ns)
{
  struct pollfd pfd = { .fd = p->sentry_pidfd, .events = POLLIN };

  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    _exit (1);
  if (same_pid_ns && getppid () != p->sentry_pid)
    _exit (1);
  if (p->sentry_pidfd >= 0 && poll (&pfd, 1, 0) > 0)
    _exit (1);
}

static void
wait_ack (int fd, int *fds, size_t n_fds)
{
  SyncMsg msg;
  int r = sync_recv (fd, &msg, fds, n_fds);

  if (r <= 0 || msg.type != SYNC_ACK)
    _exit (1);
}

/* Stage 1 of the sandbox's nested user namespace (plan.h): enter the parent of the container's user namespace
 * (userns_fd), as the host ids of container root. Its ids are the host's, and the caps it gives last over the
 * setres[ug]id: the kernel clears them only when leaving uid 0, and 0 is not mapped there. */
static int
enter_outer_userns (const ContainerPlan *p, int userns_fd, InitError *err)
{
  int outer = ioctl (userns_fd, NS_GET_PARENT);

  if (outer < 0)
    return init_error (err, errno, "the parent of user namespace %s", p->ns[NS_USER].path);
  if (setns (outer, CLONE_NEWUSER) < 0)
    {
      int e = errno;
      close (outer);
      return init_error (err, e, "setns the parent of user namespace %s", p->ns[NS_USER].path);
    }
  close (outer);
  if (syscall (SYS_setresgid, p->root_host_gid, p->root_host_gid, p->root_host_gid) < 0)
    return init_error (err, errno, "setresgid %u in the outer user namespace", (unsigned) p->root_host_gid);
  if (syscall (SYS_setresuid, p->root_host_uid, p->root_host_uid, p->root_host_uid) < 0)
    return init_error (err, errno, "setresuid %u in the outer user namespace", (unsigned) p->root_host_uid);
  return 0;
}

void
container_stage1_main (const ContainerPlan *p)
{
  InitError err;
  int nsfd[NS_N_SPAWN];
  int unshare_flags = 0;
  pid_t pid;

  /* The cgroup first, while still single-threaded and in the Sentry's namespaces and user. */
  if (p->n_cgroup_fds > 0)
    {
      int r = cgroup_join_self (p->cgroup_fds, p->n_cgroup_fds);
      if (r < 0)
        {
          init_error (&err, -r, "enter the container's cgroup");
          init_fail (p->sync_fd, &err);
        }
    }
  watch_sentry (p, true);

  /* Open every path first, while paths still resolve in the Sentry's namespaces. */
  for (int i = 0; i < NS_N_SPAWN; i++)
    {
      nsfd[i] = -1;
      if (!p->ns[i].wanted || p->ns[i].path == NULL)
        continue;
      nsfd[i] = open (p->ns[i].path, O_RDONLY | O_CLOEXEC);
      if (nsfd[i] < 0)
        {
          init_error (&err, errno, "open namespace %s", p->ns[i].path);
          init_fail (p->sync_fd, &err);
        }
    }
  /* Still in the Sentry's user namespace: the init inherits the score (in a user namespace the init could not
   * even open its own oom_score_adj). */
  if (!p->exec_mode && (process_apply_oom_score_adj (p, &err) < 0 || mounts_premake (p, &err) < 0))
    init_fail (p->sync_fd, &err);
  /* The idmapped root is attached on "." (rootfs.c): in the user namespace, container root may not search the
   * host directories above the rootfs, and unshare carries the working directory into the new mount namespace. */
  if (p->root_idmap_fd >= 0 && chdir (p->rootfs) < 0)
    {
      init_error (&err, errno, "chdir %s", p->rootfs);
      init_fail (p->sync_fd, &err);
    }
  /* The sandbox's nested user namespace: the outer one first (the init mounts there), the container's later. */
  if (p->userns_nested && !p->exec_mode)
    {
      if (enter_outer_userns (p, nsfd[NS_USER], &err) < 0)
        init_fail (p->sync_fd, &err);
      container_userns_fd = nsfd[NS_USER];
      nsfd[NS_USER] = -1;
    }
  /* Any other user namespace last: until then our capabilities are the host's, which cover namespaces of any
   * owner (an exec joins a pid namespace of the outer user namespace, which the container's gives no rights
   * over). */
  for (int k = 0; k < NS_N_SPAWN; k++)
    {
      int i = k == NS_N_SPAWN - 1 ? NS_USER : k == NS_USER ? NS_N_SPAWN - 1 : k;
      if (nsfd[i] < 0)
        continue;
      if (setns (nsfd[i], p->ns[i].clone_flag) < 0)
        {
          init_error (&err, errno, "setns %s", p->ns[i].path);
          init_fail (p->sync_fd, &err);
        }
      close (nsfd[i]);
    }
  if (!p->exec_mode && p->ns[NS_USER].wanted && p->ns[NS_USER].path == NULL)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        {
          init_error (&err, errno, "unshare user namespace");
          init_fail (p->sync_fd, &err);
        }
      /* The Sentry writes uid_map and gid_map. */
      if (sync_send (p->sync_fd, SYNC_USERNS, 0, NULL, NULL, 0) < 0)
        _exit (1);
      wait_ack (p->sync_fd, NULL, 0);
    }
  if (p->userns && !(p->userns_nested && !p->exec_mode))
    {
      /* Root of the namespace, if root is mapped (else the ids stay as they are). Raw system calls, as in
       * capabilities_change_user: glibc's would wait for the Sentry's threads. */
      if (syscall (SYS_setresgid, 0, 0, 0) < 0 && errno != EINVAL)
        {
          init_error (&err, errno, "setresgid 0 in the user namespace");
          init_fail (p->sync_fd, &err);
        }
      if (syscall (SYS_setresuid, 0, 0, 0) < 0 && errno != EINVAL)
        {
          init_error (&err, errno, "setresuid 0 in the user namespace");
          init_fail (p->sync_fd, &err);
        }
    }
  if (p->exec_mode)
    {
      /* Joined everything (the mount namespace's root is the container's root): the process, the Sentry's
       * child. */
      pid = raw_fork (CLONE_PARENT);
      if (pid < 0)
        {
          init_error (&err, errno, "clone the process");
          init_fail (p->sync_fd, &err);
        }
      if (pid == 0)
        container_exec_main (p);
      if (sync_send (p->sync_fd, SYNC_PID, pid, NULL, NULL, 0) < 0)
        {
          kill (pid, SIGKILL);
          _exit (1);
        }
      _exit (0);
    }
  unshare_flags = CLONE_NEWNS;
  if (p->ns[NS_PID].wanted && p->ns[NS_PID].path == NULL)
    {
      /* In the nested user namespace this one belongs to the outer namespace (the kernel shows a pid namespace
       * to setns only once it has an init, so one owned by the container's cannot be made for an init that is
       * not in it). Container root gains nothing from owning it: a new proc is refused anyway while the
       * runtime's mounts over /proc are locked. */
      unshare_flags |= CLONE_NEWPID;
      sentry_pid_max = read_pid_max ();
    }
  if (p->ns[NS_TIME].wanted && p->ns[NS_TIME].path == NULL)
    unshare_flags |= CLONE_NEWTIME;
  if (unshare (unshare_flags) < 0)
    {
      init_error (&err, errno, "unshare mount%s%s namespace", (unshare_flags & CLONE_NEWPID) ? ", pid" : "",
                  (unshare_flags & CLONE_NEWTIME) ? ", time" : "");
      init_fail (p->sync_fd, &err);
    }
  /* The init: pid 1 of the pid namespace, and the Sentry's child, not ours. */
  pid = raw_fork (CLONE_PARENT);
  if (pid < 0)
    {
      init_error (&err, errno, "clone the container's init");
      init_fail (p->sync_fd, &err);
    }
  if (pid == 0)
    container_init_main (p);
  if (sync_send (p->sync_fd, SYNC_PID, pid, NULL, NULL, 0) < 0)
    {
      kill (pid, SIGKILL);
      _exit (1);
    }
  _exit (0);
}

static void
read_cgroup_file (void)
{
  int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  size_t done = 0;

  cgroup_file[0] = '\0';
  if (fd < 0)
    return;
  while (done < sizeof cgroup_file - 1)
    {
      ssize_t n = read (fd, cgroup_file + done, sizeof cgroup_file - 1 - done);
      if (n <= 0)
        break;
      done += (size_t) n;
    }
  cgroup_file[done] = '\0';
  close (fd);
}

static int
setup_stdio (const ContainerPlan *p, InitError *err)
{
  int tmp[3];

  /* Through fds above 2 first, so that one stdio fd may be another's number. */
  for (int i = 0; i < 3; i++)
    {
      tmp[i] = -1;
      if (p->stdio[i] >= 0)
        {
          tmp[i] = fcntl (p->stdio[i], F_DUPFD_CLOEXEC, 3);
          if (tmp[i] < 0)
            return init_error (err, errno, "dup stdio fd %d", p->stdio[i]);
        }
    }
  for (int i = 0; i < 3; i++)
    if (tmp[i] >= 0)
      {
        if (dup2 (tmp[i], i) < 0)
          return init_error (err, errno, "dup2 stdio fd %d", i);
        close (tmp[i]);
      }
  return 0;
}

static int
install_filters (const ContainerPlan *p, int *listener, InitError *err)
{
  *listener = -1;
  if (p->oci_filter.len > 0 && seccomp_install (&p->oci_filter, p->oci_filter_flags, false, "OCI", err) < 0)
    return -1;
  if (p->sandbox_filter != NULL)
    {
      *listener = seccomp_install (p->sandbox_filter, 0, true, "sandbox", err);
      if (*listener < 0)
        return -1;
    }
  return 0;
}

__attribute__ ((noreturn)) static void process_main (const ContainerPlan *p, int start_state_fd);

/* The sandbox filter is in place: give its listener to the Sentry and wait until it serves it (from here on
 * some of our calls are mediated, and would wait for an answer nobody gives). */
static void
hand_over_listener (int sync, int listener)
{
  if (listener < 0)
    return;
  if (sync_send (sync, SYNC_LISTENER, 0, NULL, &listener, 1) < 0)
    _exit (1);
  close (listener);
  wait_ack (sync, NULL, 0);
}

/* runsc exec --preserve-fds: the passed descriptors become 3, 4, ...; what we still need (the sync and console
 * sockets) moves above them first. p is this process's own copy of the plan. */
static int
setup_preserved_fds (ContainerPlan *p, InitError *err)
{
  int floor = 3 + (int) p->n_preserve_fds;
  int tmp[16];

  if (p->n_preserve_fds == 0)
    return 0;
  if (p->n_preserve_fds > G_N_ELEMENTS (tmp))
    return init_error (err, EINVAL, "too many preserved fds");
  p->sync_fd = fcntl (p->sync_fd, F_DUPFD_CLOEXEC, floor);
  if (p->sync_fd < 0)
    _exit (1);
  if (p->console_socket >= 0 && (p->console_socket = fcntl (p->console_socket, F_DUPFD_CLOEXEC, floor)) < 0)
    return init_error (err, errno, "move the console socket");
  for (gsize i = 0; i < p->n_preserve_fds; i++)
    if ((tmp[i] = fcntl (p->preserve_fds[i], F_DUPFD_CLOEXEC, floor)) < 0)
      return init_error (err, errno, "dup preserved fd %d", (int) (3 + i));
  for (gsize i = 0; i < p->n_preserve_fds; i++)
    {
      if (dup2 (tmp[i], 3 + (int) i) < 0)
        return init_error (err, errno, "dup2 preserved fd %d", (int) (3 + i));
      close (tmp[i]);
    }
  return 0;
}

void
container_exec_main (const ContainerPlan *p)
{
  InitError err;

  reset_signals ();
  watch_sentry (p, !p->ns[NS_PID].wanted);
  syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  /* The Sentry puts us into the container's cgroup (prepare) and acknowledges. */
  wait_ack (p->sync_fd, NULL, 0);
  umask (0);
  if (setup_stdio (p, &err) < 0 || setup_preserved_fds ((ContainerPlan *) p, &err) < 0)
    init_fail (p->sync_fd, &err);
  process_main (p, -1);
}

/* The init of the sandbox's nested user namespace, its mounts done: into the container's user namespace (root
 * there, by the ids stage 1 took), with a copy of the mount namespace. The copy crosses into a less privileged user
 * namespace, so the kernel locks every mount in it together: container root, whatever its capabilities, cannot
 * unmount or remount one to uncover what is under it (the sandbox kernel's files, masked paths, a read-only
 * root). Its own later mounts are its to undo. */
static int
enter_container_userns (InitError *err)
{
  if (container_userns_fd < 0)
    return 0;
  if (setns (container_userns_fd, CLONE_NEWUSER) < 0)
    return init_error (err, errno, "setns the container's user namespace");
  close (container_userns_fd);
  container_userns_fd = -1;
  if (unshare (CLONE_NEWNS) < 0)
    return init_error (err, errno, "unshare the mount namespace in the container's user namespace");
  return 0;
}

void
container_init_main (const ContainerPlan *p)
{
  InitError err;
  SyncMsg msg;
  int sync = p->sync_fd;
  int rootfd, state_fds[2] = { -1, -1 };

  reset_signals ();
  watch_sentry (p, !p->ns[NS_PID].wanted);
  /* None of the Sentry's descriptors may reach a hook or the program. */
  syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  /* The Sentry puts us into our cgroup (prepare) and acknowledges. */
  wait_ack (sync, NULL, 0);
  read_cgroup_file ();
  match_pid_max ();
  if (p->ns[NS_CGROUP].wanted && p->ns[NS_CGROUP].path == NULL && unshare (CLONE_NEWCGROUP) < 0)
    {
      init_error (&err, errno, "unshare cgroup namespace");
      init_fail (sync, &err);
    }
  umask (0);

  rootfd = rootfs_prepare (p, &err);
  if (rootfd < 0)
    init_fail (sync, &err);
  if (mounts_apply (p, rootfd, cgroup_file, &err) < 0 || devices_apply (p, rootfd, &err) < 0
      || vfs_bind_apply (p, rootfd, &err) < 0)
    init_fail (sync, &err);
  {
    int fd = rootfs_mkdir_in_root (rootfd, p->cwd, false, &err);
    if (fd < 0)
      {
        init_error_prefix (&err, "create the working directory %s", p->cwd);
        init_fail (sync, &err);
      }
    close (fd);
  }

  /* prestart and createRuntime run in the Sentry now; then createContainer here, before pivot_root. */
  if (sync_send (sync, SYNC_HOOKS, 0, NULL, NULL, 0) < 0)
    _exit (1);
  if (sync_recv (sync, &msg, state_fds, 2) <= 0 || msg.type != SYNC_ACK)
    _exit (1);
  if (p->n_create_container_hooks > 0
      && hooks_run_all (p->create_container_hooks, p->n_create_container_hooks, state_fds[0], container_userns_fd,
                        "createContainer",
                        &err)
             < 0)
    init_fail (sync, &err);
  if (state_fds[0] >= 0)
    close (state_fds[0]);

  if (rootfs_pivot (rootfd, &err) < 0)
    init_fail (sync, &err);
  close (rootfd);
  if (rootfs_finalize (p, &err) < 0 || enter_container_userns (&err) < 0 || rootfs_propagate (p, &err) < 0)
    init_fail (sync, &err);
  /* stdio only now: until here the runtime's own warnings go to the Sentry's stderr, not the container's. */
  if (setup_stdio (p, &err) < 0)
    init_fail (sync, &err);
  process_main (p, state_fds[1]);
}

/* From the terminal to execve: shared by the init and an exec'd process. */
static void
process_main (const ContainerPlan *p, int start_state_fd)
{
  static char exe[PATH_MAX];
  InitError err;
  SyncMsg msg;
  int sync = p->sync_fd;
  int listener = -1;

  if (p->terminal)
    {
      if (console_setup (p, &err) < 0)
        init_fail (sync, &err);
    }
  else if (setsid () < 0 && errno != EPERM)
    {
      init_error (&err, errno, "setsid");
      init_fail (sync, &err);
    }
  if (p->console_socket >= 0)
    close (p->console_socket);
  if (chdir (p->cwd) < 0)
    {
      init_error (&err, errno, "chdir to the working directory %s", p->cwd);
      init_fail (sync, &err);
    }
  if (process_find_executable (p, exe, sizeof exe, &err) < 0)
    init_fail (sync, &err);
  if (process_apply_rlimits (p, &err) < 0 || capabilities_drop_bounding (p, &err) < 0)
    init_fail (sync, &err);

  if (p->no_new_privileges)
    {
      /* No new privileges: no CAP_SYS_ADMIN needed for seccomp, so filter as late as possible. */
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        {
          init_error (&err, errno, "prctl PR_SET_NO_NEW_PRIVS");
          init_fail (sync, &err);
        }
      if (capabilities_change_user (p, &err) < 0 || install_filters (p, &listener, &err) < 0)
        init_fail (sync, &err);
      hand_over_listener (sync, listener);
    }
  else
    {
      /* Without it, installing a filter needs CAP_SYS_ADMIN: filter first, then drop privileges (setgroups,
       * setres[ug]id and capset go through the Sentry, which serves the listener from now on). */
      if (install_filters (p, &listener, &err) < 0)
        init_fail (sync, &err);
      hand_over_listener (sync, listener);
      if (capabilities_change_user (p, &err) < 0)
        init_fail (sync, &err);
    }
  umask (p->umask);

  /* Nothing of the Sentry's reaches the program (only runsc exec --preserve-fds's, at 3...). */
  syscall (SYS_close_range, 3 + (unsigned int) p->n_preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);

  if (sync_send (sync, SYNC_READY, 0, NULL, NULL, 0) < 0)
    _exit (1);
  if (sync_recv (sync, &msg, NULL, 0) <= 0 || msg.type != SYNC_START)
    _exit (1);
  if (p->n_start_container_hooks > 0
      && hooks_run_all (p->start_container_hooks, p->n_start_container_hooks, start_state_fd, -1, "startContainer",
                        &err)
             < 0)
    init_fail (sync, &err);
  if (start_state_fd >= 0)
    close (start_state_fd);
  execve (exe, p->argv, p->envp);
  init_error (&err, errno, "exec %s", exe);
  init_fail (sync, &err);
}
