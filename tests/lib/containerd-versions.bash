# tests/lib/containerd-versions.bash: the containerd versions the suites run against, from Debian's own packages.
#
#   containerd_bin_dir SERIES    print the directory holding containerd, ctr and containerd-shim-runc-v2 of
#                                SERIES: "1.6" is the host's (Debian 12's package, /usr/bin); "1.7" is
#                                Debian 13 (trixie)'s package, "2" Debian sid's.  The newer ones are fetched
#                                once with apt-get download and unpacked with dpkg-deb -x into
#                                $RUNSC_TEST_CACHE/containerd/ (default /var/cache/runsc-tests), where they stay
#                                between runs.
#   containerd_select SERIES     containerd_bin_dir, then put that directory first on PATH (exported), so that
#                                `containerd` and `ctr` are that version's, and the runc shim it starts too;
#                                exports CONTAINERD_SERIES and CONTAINERD_FULL_VERSION.
#
# The download uses a private apt configuration under $RUNSC_TEST_CACHE/containerd/apt (its own sources list,
# lists, cache and status file): the same mirror as /etc/apt/sources.list.d/debian.sources, suites trixie and
# sid, Debian's archive keyring.  The host's apt sources and state are never touched.  A series already in the
# cache is used as it is, without the network; CONTAINERD_REFRESH=1 fetches the suite's current package again.
# Fetches are serialized by a lock in the cache directory (two suites, or two people's runs, at once).

: "${RUNSC_TEST_CACHE:=/var/cache/runsc-tests}"

# The Debian suite of a series, or nothing for the host's own.
_containerd_suite ()
{
  case $1 in
    1.6 | host) echo "" ;;
    1.7) echo trixie ;;
    2 | 2.x) echo sid ;;
    *) return 1 ;;
  esac
}

# The mirror the host's apt uses (first URIs of debian.sources, or of a sources.list line).
_containerd_mirror ()
{
  local m=
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources | head -n1)
  fi
  if [ -z "$m" ] && [ -r /etc/apt/sources.list ]; then
    m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

# apt-get / apt-cache with the private configuration rooted at $1.
_containerd_apt ()
{
  local a=$1 tool=$2
  shift 2
  "$tool" -q -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts="$a/sources.list.d" \
    -o Dir::Etc::Preferences="$a/preferences" -o Dir::Etc::PreferencesParts="$a/preferences.d" \
    -o Dir::State="$a/state" -o Dir::State::Lists="$a/state/lists" -o Dir::State::status="$a/state/status" \
    -o Dir::Cache="$a/cache" -o Dir::Cache::archives="$a/cache/archives" -o Debug::NoLocking=1 \
    -o APT::Sandbox::User=root -o APT::Architecture=amd64 -o APT::Architectures::=amd64 "$@"
}

# Fetch and unpack SERIES' package into the cache (caller holds the lock); print the unpacked root.
_containerd_fetch ()
{
  local series=$1 suite=$2 cache=$3 a dl deb version dest
  a=$cache/apt
  mkdir -p "$a/sources.list.d" "$a/preferences.d" "$a/state/lists/partial" "$a/cache/archives/partial" || return 1
  touch "$a/state/status"
  cat > "$a/sources.list" << EOF
# Private to the runsc test suite (tests/lib/containerd-versions.bash): newer containerd packages.
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(_containerd_mirror) trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(_containerd_mirror) sid main
EOF
  # One update per fetch; a fresh list is worth the few seconds when something is fetched at all.
  if ! _containerd_apt "$a" apt-get update > "$a/update.log" 2>&1; then
    echo "containerd $series: apt-get update with $a/sources.list failed:" >&2
    tail -n 5 "$a/update.log" >&2
    return 1
  fi
  dl=$(mktemp -d "$cache/download.XXXXXX") || return 1
  if ! (cd "$dl" && _containerd_apt "$a" apt-get download "containerd/$suite") > "$dl/download.log" 2>&1; then
    echo "containerd $series: apt-get download containerd/$suite failed:" >&2
    tail -n 5 "$dl/download.log" >&2
    rm -rf "$dl"
    return 1
  fi
  deb=$(ls "$dl"/containerd_*.deb 2> /dev/null | head -n1)
  version=$(dpkg-deb -f "$deb" Version) || { rm -rf "$dl"; return 1; }
  case $series:$version in
    1.7:1.7.* | 2:2.* | 2.x:2.*) ;;
    *)
      echo "containerd $series: Debian $suite now has containerd $version, not a $series release" >&2
      rm -rf "$dl"
      return 1
      ;;
  esac
  dest=$cache/$suite-$version
  if [ ! -x "$dest/usr/bin/containerd" ]; then
    rm -rf "$dest.tmp"
    dpkg-deb -x "$deb" "$dest.tmp" || { rm -rf "$dl" "$dest.tmp"; return 1; }
    rm -rf "$dest"
    mv "$dest.tmp" "$dest" || return 1
  fi
  rm -rf "$dl"
  ln -sfn "$(basename "$dest")" "$cache/$series.new" && mv -T "$cache/$series.new" "$cache/$series" || return 1
  echo "$dest"
}

containerd_bin_dir ()
{
  local series=$1 suite cache root
  suite=$(_containerd_suite "$series") || {
    echo "containerd series '$series' is not known (1.6, 1.7 or 2)" >&2
    return 1
  }
  if [ -z "$suite" ]; then
    dirname "$(command -v containerd || echo /usr/bin/containerd)"
    return 0
  fi
  [ "$series" = 2.x ] && series=2
  cache=$RUNSC_TEST_CACHE/containerd
  mkdir -p "$cache" || return 1
  root=$(
    exec 9> "$cache/.lock"
    flock -w 600 9 || { echo "containerd $series: $cache/.lock held for 10 minutes" >&2; exit 1; }
    if [ -z "${CONTAINERD_REFRESH:-}" ] && [ -x "$cache/$series/usr/bin/containerd" ]; then
      readlink -f "$cache/$series"
    else
      _containerd_fetch "$series" "$suite" "$cache"
    fi
  ) || return 1
  if ! "$root/usr/bin/containerd" --version > /dev/null 2>&1; then
    echo "containerd $series: $root/usr/bin/containerd does not run on this host:" >&2
    "$root/usr/bin/containerd" --version >&2
    return 1
  fi
  echo "$root/usr/bin"
}

containerd_select ()
{
  local dir
  dir=$(containerd_bin_dir "$1") || return 1
  # The host's own series: PATH stays as it is.
  if [ -n "$(_containerd_suite "$1")" ]; then
    case :$PATH: in
      :"$dir":*) ;;
      *) PATH=$dir:$PATH ;;
    esac
  fi
  CONTAINERD_SERIES=$1
  CONTAINERD_FULL_VERSION=$("$dir/containerd" --version 2> /dev/null | awk '{ print $3 }')
  export PATH CONTAINERD_SERIES CONTAINERD_FULL_VERSION
}

# The major version of the selected containerd (1 or 2).
containerd_major ()
{
  echo "${CONTAINERD_FULL_VERSION:-$(containerd --version | awk '{ print $3 }')}" | sed 's/^v//; s/\..*//'
}
