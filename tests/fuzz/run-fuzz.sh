#!/bin/bash
# tests/fuzz/run-fuzz.sh: `make fuzz` (tests/fuzz/local.mk passes the FUZZ_* variables).
#
# Builds the runtime and shim sources once with clang -fsanitize=fuzzer-no-link,address,undefined into
# $FUZZ_BUILDDIR/fuzz/obj, links each target tests/fuzz/fuzz-NAME.c with libFuzzer, and runs it for FUZZ_TIME
# seconds over a working corpus (fuzz/work/NAME, seeded from tests/fuzz/corpus/NAME, which it never writes).
# Crashes go to fuzz/crashes/NAME-*; reproduce one with `tests/fuzz/replay-NAME FILE` or `fuzz/fuzz-NAME FILE`.
# Prints one line per target (executions, corpus size, crashes) and exits non-zero when any target crashed.
set -u
: "${FUZZ_CC:=clang}" "${FUZZ_TIME:=60}" "${FUZZ_TARGETS:=spec state toml ttrpc control strace daemon-json install-toml task}"
src=$FUZZ_SRCDIR
out=$FUZZ_BUILDDIR/fuzz
mkdir -p "$out/obj" "$out/work" "$out/crashes" || exit 1
eval "cppflags=($FUZZ_CPPFLAGS)"
eval "libs=($FUZZ_LIBS)"
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)

# One object per source, rebuilt when the source (or any header: crude, but safe) is newer.
newest_header=$(find "$src/src" "$FUZZ_BUILDDIR/proto" -name '*.h' -newer "$out/obj/.stamp" 2> /dev/null | head -1)
objs ()
{
  local s o list=()
  for s in "$@"; do
    case $s in /*) ;; proto/*) s=$FUZZ_BUILDDIR/$s ;; *) s=$src/$s ;; esac
    o=$out/obj/$(echo "${s#"$src"/}" | tr '/' '_').o
    if [ ! -e "$o" ] || [ "$s" -nt "$o" ] || [ -n "$newest_header" ]; then
      "$FUZZ_CC" "${cflags[@]}" -fsanitize=fuzzer-no-link "${cppflags[@]}" -w -c "$s" -o "$o" || return 1
    fi
    list+=("$o")
  done
  printf '%s\n' "${list[@]}"
}
echo "fuzz: building the sources with $FUZZ_CC (fuzzer-no-link, ASan, UBSan) in $out/obj"
mapfile -t runtime_objs < <(objs $FUZZ_RUNTIME_SOURCES) || exit 1
[ ${#runtime_objs[@]} -gt 0 ] || exit 1
mapfile -t shim_objs < <(objs $FUZZ_SHIM_SOURCES $FUZZ_SHIM_GENERATED) || exit 1
[ ${#shim_objs[@]} -gt 0 ] || exit 1
touch "$out/obj/.stamp"

status=0
summary=()
for t in $FUZZ_TARGETS; do
  case $t in toml | ttrpc | task) extra=("${shim_objs[@]}") ;; *) extra=() ;; esac
  if ! "$FUZZ_CC" "${cflags[@]}" -fsanitize=fuzzer "${cppflags[@]}" -w -o "$out/fuzz-$t" "$src/tests/fuzz/fuzz-$t.c" \
    "${extra[@]}" "${runtime_objs[@]}" "${libs[@]}"; then
    echo "fuzz: cannot build fuzz-$t" >&2
    status=1
    continue
  fi
  mkdir -p "$out/work/$t"
  log=$out/fuzz-$t.log
  echo "fuzz: $t for ${FUZZ_TIME}s (log: $log)"
  G_DEBUG=fatal-criticals ASAN_OPTIONS=detect_leaks=1 \
    LSAN_OPTIONS=suppressions=$src/tests/lsan.supp:print_suppressions=0 \
    "$out/fuzz-$t" -max_total_time="$FUZZ_TIME" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/crashes/$t-" "$out/work/$t" "$src/tests/fuzz/corpus/$t" > "$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  crashes=$(ls "$out/crashes" | grep -c "^$t-")
  corpus=$(ls "$out/work/$t" | wc -l)
  summary+=("$(printf '%-12s %10s executions in %ss, working corpus %s, crash files %s, exit %s' "$t" "${execs:-?}" \
    "$FUZZ_TIME" "$corpus" "$crashes" "$rc")")
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' "$log" | head -n 60
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
