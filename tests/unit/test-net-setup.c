/* Unit tests for src/net/setup.c: what --network and --net-raw do to the spec, and the loopback of a network
 * namespace the sandbox makes. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "net/setup.h"

#define SPEC(NS) \
  "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": " \
  "\"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NET_RAW\"], \"effective\": [\"CAP_NET_RAW\"]}}, " \
  "\"linux\": {\"namespaces\": [" NS "]}}"

static OciSpec *
spec_new (const char *json)
{
  g_autoptr (GError) error = NULL;
  OciSpec *spec = oci_spec_parse (json, -1, &error);

  g_assert_no_error (error);
  return spec;
}

static const OciNamespace *
network_ns (const OciSpec *spec)
{
  return oci_spec_namespace (spec, "network");
}

static void
test_mode (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) joined = spec_new (SPEC ("{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": "
                                               "\"/var/run/netns/cni-1\"}, {\"type\": \"ipc\"}"));
  g_autoptr (OciSpec) host = spec_new (SPEC ("{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}"));
  g_autoptr (OciSpec) none = spec_new (SPEC ("{\"type\": \"network\", \"path\": \"/var/run/netns/cni-1\"}"));
  g_autoptr (OciSpec) added = spec_new (SPEC ("{\"type\": \"pid\"}"));

  /* sandbox (the default) keeps the spec's: CNI's namespace is joined. */
  g_assert_true (net_apply_mode (joined, NULL, &error));
  g_assert_true (net_apply_mode (joined, "sandbox", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (network_ns (joined)->path, ==, "/var/run/netns/cni-1");

  /* host: the entry goes, the others stay in order. */
  g_assert_true (net_apply_mode (host, "host", &error));
  g_assert_null (network_ns (host));
  g_assert_cmpuint (host->linux_cfg->n_namespaces, ==, 2);
  g_assert_cmpstr (host->linux_cfg->namespaces[0].type, ==, "pid");
  g_assert_cmpstr (host->linux_cfg->namespaces[1].type, ==, "ipc");

  /* none: a new namespace, not the path; added when the spec has none. */
  g_assert_true (net_apply_mode (none, "none", &error));
  g_assert_nonnull (network_ns (none));
  g_assert_null (network_ns (none)->path);
  g_assert_true (net_apply_mode (added, "none", &error));
  g_assert_nonnull (network_ns (added));
  g_assert_null (network_ns (added)->path);
  g_assert_cmpuint (added->linux_cfg->n_namespaces, ==, 2);
  g_assert_no_error (error);

  g_assert_false (net_apply_mode (host, "bridge", &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "--network bridge"));
}

static void
test_raw (void)
{
  g_autoptr (OciSpec) kept = spec_new (SPEC ("{\"type\": \"network\"}"));
  g_autoptr (OciSpec) dropped = spec_new (SPEC ("{\"type\": \"network\"}"));

  net_apply_raw (kept, TRUE);
  g_assert_true (g_strv_contains ((const char *const *) kept->process->capabilities->bounding, "CAP_NET_RAW"));
  net_apply_raw (dropped, FALSE);
  g_assert_false (g_strv_contains ((const char *const *) dropped->process->capabilities->bounding, "CAP_NET_RAW"));
  g_assert_false (g_strv_contains ((const char *const *) dropped->process->capabilities->effective, "CAP_NET_RAW"));
  g_assert_true (g_strv_contains ((const char *const *) dropped->process->capabilities->bounding, "CAP_KILL"));
}

/* In a new network namespace (a child process: the test's own namespace is left alone), lo is down until
 * net_bring_up_loopback; a spec that joins a namespace by path is not touched. */
static void
test_loopback (void)
{
  g_autoptr (OciSpec) own = spec_new (SPEC ("{\"type\": \"network\"}"));
  g_autoptr (OciSpec) joined = spec_new (SPEC ("{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}"));
  int status;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct ifreq ifr;
      int fd;

      if (unshare (CLONE_NEWNET) < 0)
        _exit (errno == EPERM ? 77 : 1);
      fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      memset (&ifr, 0, sizeof ifr);
      g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
      net_bring_up_loopback (joined);
      if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags & IFF_UP))
        _exit (2);
      net_bring_up_loopback (own);
      if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
        _exit (3);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) == 77)
    {
      g_test_skip ("no permission to make a network namespace");
      return;
    }
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-setup/mode", test_mode);
  g_test_add_func ("/net-setup/raw", test_raw);
  g_test_add_func ("/net-setup/loopback", test_loopback);
  return g_test_run ();
}
