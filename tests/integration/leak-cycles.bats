#!/usr/bin/env bats
# Leak cycles (issue 12), the suite's small counts: bench/leak-cycles runs create/start/exec/delete cycles
# through the CLI and through containerd (one pod, one long-lived shim) and fails if the caller's descriptors,
# the mounts, the cgroups or processes of the run, FUSE connections, containerd's or the shim's descriptors
# grew, or the shim's RSS grew by a page a cycle or more.  `make leak-cycles` runs the full counts (500, 200).

load helpers

setup ()
{
  [ "$RUNTIME_NAME" = runsc ] || skip "the leak-cycle check drives runsc"
  [ "$(id -u)" -eq 0 ] || skip "the leak-cycle check runs as root"
}

@test "leak cycles: 20 create/start/exec/delete cycles through the CLI leave no growth" {
  run bash "$SRC_DIR/bench/leak-cycles" cli 20 3>&-
  echo "$output"
  [ "$status" -eq 0 ]
  assert_output_has "no growth"
}

@test "leak cycles: 10 run/exec/kill/rm cycles of a pod's container through containerd leave no growth" {
  run bash "$SRC_DIR/bench/leak-cycles" containerd 10 3>&-
  echo "$output"
  [ "$status" -eq 0 ]
  assert_output_has "no growth"
}
