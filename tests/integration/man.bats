#!/usr/bin/env bats
# The manual pages: every page in man/ lints cleanly with mandoc and groff, is installed, has the sections the
# project requires, and documents every flag the binary's --help lists: runsc(8) the global flags and the
# commands, runsc-COMMAND(8) the flags of `runsc COMMAND --help`.
#
# Environment: RUNSC (the built runsc).

load helpers

MAN_DIR=$SRC_DIR/man

# The page rendered as plain text (no overstrike), one long line per paragraph.
render ()
{
  mandoc -Tascii -Owidth=400 "$1" | sed 's/.\x08//g'
}

# Flags a help text lists: lines "  --name ARG   text" -> name.
help_flags ()
{
  sed -n 's/^[[:space:]]\{1,\}--\{0,1\}-\([[:alnum:]_][[:alnum:]_-]*\).*/\1/p'
}

# Is flag $2 documented in rendered page $1? A one-letter flag may be written -x or --x.
documents_flag ()
{
  if [ ${#2} -eq 1 ]; then
    grep -Eq -- "(^|[^[:alnum:]_-])--?$2([^[:alnum:]_-]|$)" "$1"
  else
    grep -Eq -- "--$2([^[:alnum:]_-]|$)" "$1"
  fi
}

# The commands runsc --help lists.
runsc_commands ()
{
  "$RUNSC" --help | sed -n '/^Commands:/,/^$/s/^[[:space:]]\{1,\}\([a-z][a-z-]*\)[[:space:]].*/\1/p'
}

setup ()
{
  command -v mandoc > /dev/null || skip "mandoc is not installed"
}

@test "every man page passes mandoc -Tlint and groff -man -ww -z without a message" {
  pages=("$MAN_DIR"/*.[1-9])
  [ "${#pages[@]}" -gt 0 ]
  fail=0
  for page in "${pages[@]}"; do
    out=$(mandoc -Tlint "$page" 2>&1; groff -man -ww -z "$page" 2>&1)
    if [ -n "$out" ]; then
      echo "$out"
      fail=1
    fi
  done
  [ "$fail" -eq 0 ]
}

@test "every man page has a lexgrog-readable NAME line (lintian bad-whatis-entry)" {
  command -v lexgrog > /dev/null || skip "man-db's lexgrog is not installed"
  for page in "$MAN_DIR"/*.[1-9]; do
    lexgrog "$page" || { echo "lexgrog cannot read the NAME of $page"; false; }
  done
}

@test "every man page in man/ is listed in man/local.mk (installed by make install)" {
  for page in "$MAN_DIR"/*.[1-9]; do
    name=man/$(basename "$page")
    grep -Eq "(^|[[:space:]])$name([[:space:]]|\\\\|\$)" "$MAN_DIR/local.mk" || { echo "$name is not in man/local.mk"; false; }
  done
}

@test "the required man pages exist: runsc(8), containerd-shim-runsc-v1(8), runsc.toml(5), runsc-COMMAND(8)" {
  missing=
  for page in runsc.8 containerd-shim-runsc-v1.8 runsc.toml.5; do
    [ -e "$MAN_DIR/$page" ] || missing="$missing $page"
  done
  for cmd in $(runsc_commands); do
    [ -e "$MAN_DIR/runsc-$cmd.8" ] || missing="$missing runsc-$cmd.8"
  done
  [ -z "$missing" ] || { echo "missing:$missing"; false; }
}

@test "every man page has the required sections" {
  fail=0
  for page in "$MAN_DIR"/*.[1-9]; do
    sections=$(sed -n 's/^\.S[Hh] \{1,\}"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$page")
    required="NAME|SYNOPSIS|DESCRIPTION|EXAMPLES|SEE ALSO"
    case $page in
      *.8) required="$required|OPTIONS|EXIT STATUS" ;;
    esac
    # The pages of the issue also need ENVIRONMENT and FILES (a section 5 page has no environment of its own).
    case $(basename "$page") in
      runsc.8 | containerd-shim-runsc-v1.8) required="$required|ENVIRONMENT|FILES" ;;
      runsc.toml.5) required="$required|FILES" ;;
    esac
    IFS='|' read -ra want <<< "$required"
    for s in "${want[@]}"; do
      echo "$sections" | grep -qx "$s" || { echo "$(basename "$page"): no $s section"; fail=1; }
    done
  done
  [ "$fail" -eq 0 ]
}

@test "runsc(8) documents every global flag runsc --help lists, and links every command's page" {
  [ -x "$RUNSC" ]
  render "$MAN_DIR/runsc.8" > "$BATS_TEST_TMPDIR/runsc.txt"
  flags=$("$RUNSC" --help | sed -n '/^Global flags:/,$p' | help_flags)
  [ -n "$flags" ]
  missing=
  for f in $flags; do
    documents_flag "$BATS_TEST_TMPDIR/runsc.txt" "$f" || missing="$missing --$f"
  done
  for cmd in $(runsc_commands); do
    grep -q "runsc-$cmd(8)" "$BATS_TEST_TMPDIR/runsc.txt" || missing="$missing runsc-$cmd(8)"
  done
  [ -z "$missing" ] || { echo "not in runsc(8):$missing"; false; }
}

@test "runsc-COMMAND(8) documents every flag runsc COMMAND --help lists" {
  [ -x "$RUNSC" ]
  fail=0
  for cmd in $(runsc_commands); do
    page=$MAN_DIR/runsc-$cmd.8
    if [ ! -e "$page" ]; then
      echo "runsc-$cmd.8: missing"
      fail=1
      continue
    fi
    help=$("$RUNSC" "$cmd" --help 2>&1) || true
    flags=$(echo "$help" | help_flags)
    render "$page" > "$BATS_TEST_TMPDIR/page.txt"
    missing=
    for f in $flags; do
      documents_flag "$BATS_TEST_TMPDIR/page.txt" "$f" || missing="$missing --$f"
    done
    if [ -n "$missing" ]; then
      echo "runsc-$cmd.8 lacks:$missing"
      fail=1
    fi
  done
  [ "$fail" -eq 0 ]
}
