#!/bin/bash
# bench/syscalls.sh: system call cost on the host, in runc (without and with a one-rule OCI seccomp profile),
# under the Sentry's syscall layer alone (bench/sentry-run) and in runsc (its default in-memory root overlay, and
# --overlay2=none): getpid (native), uname (emulated), open+close of a regular file (native), stat.
# Then runc and runsc again on a root that is an overlayfs mount of the same files, as containerd, Docker and
# Podman give a runtime (where runsc's in-memory layer takes the image overlay's layers: rootfs-layers.h).
# Prints ns per call and runsc's ratio to runc. Run as root from the build directory:
#
#   make bench-syscalls            (or: BUILDDIR=. SRCDIR=/path/to/src bench/syscalls.sh [SCALE])
#
# RUNSC_FLAGS adds global flags to the runsc run (e.g. --overlay2=none, --strace).
# Goals: native within 1.1x of runc; an emulated call under 8 us; open+close (native since the Sentry stopped
# mediating opens) at most 1.2x runc.
# Timings on shared machines are noisy: compare ratios from one run.
set -u
BUILDDIR=${BUILDDIR:-.}
SRCDIR=${SRCDIR:-$(dirname "$0")/..}
SCALE=${1:-1}
BENCH=$BUILDDIR/bench/syscalls
RUNSC=${RUNSC:-$BUILDDIR/runsc}
work=$(mktemp -d /tmp/bench-syscalls.XXXXXX)
cleanup ()
{
  [ -n "${runc_root:-}" ] && runc --root "$runc_root" delete -f bench-runc > /dev/null 2>&1
  mountpoint -q "$work/ovl/rootfs" 2> /dev/null && umount "$work/ovl/rootfs"
  if [ -n "${runsc_root:-}" ]; then
    "$RUNSC" --root "$runsc_root" delete --force bench-runsc > /dev/null 2>&1
    # A sandbox left behind by a failed run: its processes name our private --root.
    for pid in $(pgrep -f -- "--root=$runsc_root" || true); do kill -KILL "$pid" 2> /dev/null; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

declare -A result
run_case ()
{
  local name=$1 out
  shift
  if out=$("$@" 2> "$work/$name.err"); then
    while read -r op ns; do result[$name,$op]=$ns; done <<< "$out"
  else
    echo "# $name: failed: $(tail -n 3 "$work/$name.err" | tr '\n' ' ')" >&2
  fi
}

echo "data" > "$work/file"
run_case host "$BENCH" "$work/file" "$SCALE"
run_case sentry "$BUILDDIR/bench/sentry-run" "$BENCH" "$work/file" "$SCALE"

# runc and runsc: a busybox bundle with the workload in it.
. "$SRCDIR/tests/lib/bundle.bash"
if bundle_new "$work/bundle" /syscalls /file "$SCALE" > /dev/null 2>&1; then
  cp "$BENCH" "$work/bundle/rootfs/syscalls"
  echo "data" > "$work/bundle/rootfs/file"
  if command -v runc > /dev/null; then
    runc_root=$work/runc-root
    run_case runc runc --root "$runc_root" run --bundle "$work/bundle" bench-runc
    # runc with a one-rule OCI seccomp profile: the cost of having any filter at all (the syscall entry's slow
    # path), which is the floor for a native call under a sandbox filter.
    cp -a "$work/bundle/config.json" "$work/config.plain"
    bundle_jq "$work/bundle" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures":
      ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}'
    run_case runcsec runc --root "$runc_root" run --bundle "$work/bundle" bench-runc
    cp -a "$work/config.plain" "$work/bundle/config.json"
  fi
  if [ -x "$RUNSC" ]; then
    runsc_root=$work/runsc-root
    # shellcheck disable=SC2086
    run_case runsc timeout "${RUNSC_TIMEOUT:-120}" "$RUNSC" --root "$runsc_root" ${RUNSC_FLAGS:-} run --bundle "$work/bundle" \
      bench-runsc
    # The same without the in-memory root overlay: opens of the image's files then cost what runc's do, where
    # through overlayfs each open also opens the lower file.
    # shellcheck disable=SC2086
    run_case runscnone timeout "${RUNSC_TIMEOUT:-120}" "$RUNSC" --root "$runsc_root" ${RUNSC_FLAGS:-} --overlay2=none \
      run --bundle "$work/bundle" bench-runsc
  fi
  # The image overlay: the bundle's files as the lower layer, an empty upper layer on the same disk.
  mkdir -p "$work/ovl/rootfs" "$work/ovl/upper" "$work/ovl/work"
  cp "$work/bundle/config.json" "$work/ovl/"
  if mount -t overlay overlay -o "lowerdir=$work/bundle/rootfs,upperdir=$work/ovl/upper,workdir=$work/ovl/work" \
    "$work/ovl/rootfs"; then
    command -v runc > /dev/null && run_case runcovl runc --root "$runc_root" run --bundle "$work/ovl" bench-runc
    # shellcheck disable=SC2086
    [ -x "$RUNSC" ] && run_case runscovl timeout "${RUNSC_TIMEOUT:-120}" "$RUNSC" --root "$runsc_root" \
      ${RUNSC_FLAGS:-} run --bundle "$work/ovl" bench-runsc
  else
    echo "# no overlayfs: the image-overlay rows are skipped" >&2
  fi
else
  echo "# no busybox bundle (busybox-static and jq needed): runc and runsc skipped" >&2
fi

ratio ()
{
  [ -n "${result[$1,$3]:-}" ] && [ -n "${result[$2,$3]:-}" ] || { echo "-"; return; }
  awk -v a="${result[$1,$3]}" -v b="${result[$2,$3]}" 'BEGIN { printf "%.2fx", a / b }'
}

printf '%-11s %8s %8s %11s %10s %8s %11s %11s %16s %15s %12s\n' "op (ns)" host runc runc+filter sentry-run runsc \
  runsc-none "runsc/runc" "runsc/runc+filter" "runsc-none/runc" "sentry/host"
for op in getpid uname open+close stat; do
  printf '%-11s %8s %8s %11s %10s %8s %11s %11s %16s %15s %12s\n' "$op" "${result[host,$op]:--}" \
    "${result[runc,$op]:--}" "${result[runcsec,$op]:--}" "${result[sentry,$op]:--}" "${result[runsc,$op]:--}" \
    "${result[runscnone,$op]:--}" "$(ratio runsc runc "$op")" "$(ratio runsc runcsec "$op")" \
    "$(ratio runscnone runc "$op")" "$(ratio sentry host "$op")"
done
echo "# runsc: the default root (an in-memory overlay over the image); runsc-none: --overlay2=none, a root like runc's"
echo
printf '%-11s %9s %9s %14s\n' "op (ns)" runc-ovl runsc-ovl "runsc/runc-ovl"
for op in getpid uname open+close stat; do
  printf '%-11s %9s %9s %14s\n' "$op" "${result[runcovl,$op]:--}" "${result[runscovl,$op]:--}" \
    "$(ratio runscovl runcovl "$op")"
done
echo "# -ovl: the root is an overlayfs mount of the same files with an empty upper layer, as under containerd"
