/* syscalls: the workload of bench/syscalls.sh. Times a few system calls in a loop and prints one line per
 * operation, "NAME NS_PER_CALL", the best of several rounds. Static, plain libc: it runs on the host, in runc
 * and in runsc alike.
 *
 *   syscalls FILE [SCALE]
 *
 * FILE is a regular file to open and stat; SCALE (default 1) multiplies the iteration counts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static double
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const char *file;

static int
op_getpid (void)
{
  return syscall (SYS_getpid) > 0 ? 0 : -1;
}

static int
op_uname (void)
{
  struct utsname u;
  return uname (&u);
}

static int
op_open_close (void)
{
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return close (fd);
}

static int
op_stat (void)
{
  struct stat st;
  return stat (file, &st);
}

static const struct
{
  const char *name;
  int (*fn) (void);
  long iterations;
} ops[] = {
  { "getpid", op_getpid, 1000000 },
  { "uname", op_uname, 100000 },
  { "open+close", op_open_close, 50000 },
  { "stat", op_stat, 200000 },
};

int
main (int argc, char **argv)
{
  long scale = 1;

  if (argc < 2)
    {
      fprintf (stderr, "usage: syscalls FILE [SCALE]\n");
      return 2;
    }
  file = argv[1];
  if (argc > 2)
    scale = atol (argv[2]) > 0 ? atol (argv[2]) : 1;

  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
    {
      long n = ops[i].iterations * scale / 10;
      double best = 0;
      if (n < 100)
        n = 100;
      for (long j = 0; j < n / 10; j++) /* warm up */
        if (ops[i].fn () < 0)
          {
            perror (ops[i].name);
            return 1;
          }
      for (int round = 0; round < 5; round++)
        {
          double t0 = now_ns ();
          for (long j = 0; j < n; j++)
            ops[i].fn ();
          double per = (now_ns () - t0) / n;
          if (round == 0 || per < best)
            best = per;
        }
      printf ("%s %.1f\n", ops[i].name, best);
    }
  return 0;
}
