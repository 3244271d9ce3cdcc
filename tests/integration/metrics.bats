#!/usr/bin/env bats
# runsc metric-server: Prometheus text format over HTTP on a unix socket or a loopback port, parsed strictly
# (tests/lib/promtext.py), with per-sandbox syscall counters that move when the application makes the calls,
# the Sentry's memory and threads, the container's cgroup figures and the start latency.

load helpers

PROMTEXT=$TESTS_DIR/lib/promtext.py

setup ()
{
  common_setup
  command -v curl > /dev/null || skip "curl is not installed"
  SOCK=$BATS_TEST_TMPDIR/metrics.sock
  SERVER_LOG=$BATS_TEST_TMPDIR/server.log
}

teardown ()
{
  if [ -n "${SERVER_PID:-}" ]; then
    kill -KILL "$SERVER_PID" 2> /dev/null || :
    wait "$SERVER_PID" 2> /dev/null || :
  fi
  common_teardown
}

# Start runsc metric-server in the background with the given flags; wait until it serves (the log says so).
start_server ()
{
  "$RUNSC" --root "$ROOT" metric-server "$@" > /dev/null 2> "$SERVER_LOG" 3>&- &
  SERVER_PID=$!
  wait_for_text "$SERVER_LOG" "metric-server: serving"
}

# Scrape over the unix socket into $BATS_TEST_TMPDIR/metrics (the raw text) and .../parsed (promtext.py's
# normalised samples); fail if the format is not strictly right.
scrape ()
{
  curl -sSf --unix-socket "$SOCK" http://localhost/metrics > "$BATS_TEST_TMPDIR/metrics" \
    || fail "scrape failed"
  python3 "$PROMTEXT" < "$BATS_TEST_TMPDIR/metrics" > "$BATS_TEST_TMPDIR/parsed" \
    || fail "not valid Prometheus text: $(cat "$BATS_TEST_TMPDIR/parsed")"
}

# The value of sample $1 (name{labels} as promtext.py prints it) in the last scrape; "" if absent.
value ()
{
  grep -F -- "$1 " "$BATS_TEST_TMPDIR/parsed" | awk '{ print $2 }'
}

# Send raw bytes $1 to the server's unix socket; print the response's status line.
raw_request ()
{
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.split(b"\r\n", 1)[0].decode())
' "$SOCK" "$1"
}

@test "metrics: a running sandbox's figures, strictly in the text format; the syscall counters move" {
  bundle_args "$BUNDLE" sleep 1000
  create_ok
  runtime start "$ID"
  start_server --metric-server "unix:$SOCK"
  scrape
  cat "$BATS_TEST_TMPDIR/parsed"
  [ "$(value runsc_sandboxes_running)" = 1 ]
  [ "$(value "runsc_sandbox_running{sandbox=\"$ID\"}")" = 1 ]
  threads=$(value "runsc_sentry_threads{sandbox=\"$ID\"}")
  [ "$threads" -ge 2 ] || fail "sentry threads: '$threads'"
  [ "$threads" = "$(awk '/^Threads:/ { print $2 }' /proc/"$(state_field "$ID" pid)"/status)" ]
  rss=$(value "runsc_sentry_resident_memory_bytes{sandbox=\"$ID\"}")
  [ "$rss" -gt 1000000 ] || fail "sentry rss: '$rss'"
  latency=$(value "runsc_sandbox_start_latency_seconds{sandbox=\"$ID\"}")
  awk -v v="$latency" 'BEGIN { exit !(v > 0 && v < 60) }' || fail "start latency: '$latency'"
  created=$(value "runsc_sandbox_creation_time_seconds{sandbox=\"$ID\"}")
  awk -v v="$created" -v now="$(date +%s)" 'BEGIN { exit !(v > now - 600 && v <= now + 1) }' \
    || fail "creation time: '$created'"
  [ -n "$(value "runsc_container_cpu_usage_seconds_total{container=\"$ID\",sandbox=\"$ID\"}")" ]
  mem=$(value "runsc_container_memory_usage_bytes{container=\"$ID\",sandbox=\"$ID\"}")
  [ "$mem" -gt 0 ] || fail "container memory: '$mem'"
  [ "$(value "runsc_container_oom_kills_total{container=\"$ID\",sandbox=\"$ID\"}")" = 0 ]

  syslog_before=$(value "runsc_syscalls_emulated_total{sandbox=\"$ID\",syscall=\"syslog\"}")
  refused_before=$(value "runsc_syscalls_refused_total{sandbox=\"$ID\",syscall=\"reboot\"}")
  # busybox dmesg reads the log with syslog(2) (emulated); reboot(2) is refused (mount no longer is, in the
  # sandbox's own user namespace).
  runtime exec "$ID" dmesg > /dev/null
  run runtime exec "$ID" reboot -f
  [ "$status" -ne 0 ]
  scrape
  syslog_after=$(value "runsc_syscalls_emulated_total{sandbox=\"$ID\",syscall=\"syslog\"}")
  refused_after=$(value "runsc_syscalls_refused_total{sandbox=\"$ID\",syscall=\"reboot\"}")
  [ "${syslog_after:-0}" -gt "${syslog_before:-0}" ] || fail "syslog emulated: ${syslog_before:-0} -> $syslog_after"
  [ "${refused_after:-0}" -gt "${refused_before:-0}" ] || fail "reboot refused: ${refused_before:-0} -> $refused_after"
  notified=$(value "runsc_syscalls_notified_total{sandbox=\"$ID\",syscall=\"syslog\"}")
  [ "$notified" -ge "$syslog_after" ]
  notified=$(value "runsc_syscalls_notified_total{sandbox=\"$ID\",syscall=\"reboot\"}")
  [ "$notified" -ge "$refused_after" ]

  # A stopped sandbox is no longer listed.
  runtime kill "$ID" KILL
  wait_for_status "$ID" stopped
  scrape
  [ "$(value runsc_sandboxes_running)" = 0 ]
  ! grep -q "sandbox=\"$ID\"" "$BATS_TEST_TMPDIR/parsed"
}

@test "metrics: an OOM kill by the memory limit is counted" {
  bundle_args "$BUNDLE" sh -c 'awk "BEGIN { s = \"x\"; while (1) s = s s }"; echo "awk exited $?"; sleep 1000'
  # 64 MiB, as userlog.bats has it (at 32 MiB the Sentry, in the same memory cgroup, was sometimes a victim).
  limit=$((64 << 20))
  if [ -e "$(cgroup_mount_of memory)/memory.memsw.limit_in_bytes" ]; then
    bundle_jq "$BUNDLE" '.linux.resources = {"memory": {"limit": $l, "swap": $l}}' --argjson l "$limit"
  else
    bundle_jq "$BUNDLE" '.linux.resources = {"memory": {"limit": $l}}' --argjson l "$limit"
  fi
  runtime run --detach --bundle "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/out" 2>&1
  start_server --metric-server "unix:$SOCK"
  wait_for_text "$BATS_TEST_TMPDIR/out" "awk exited 137" 30
  scrape
  oom=$(value "runsc_container_oom_kills_total{container=\"$ID\",sandbox=\"$ID\"}")
  [ "${oom:-0}" -ge 1 ] || fail "oom kills: '$oom'"
  [ "$(value "runsc_sandbox_running{sandbox=\"$ID\"}")" = 1 ]
}

@test "metrics: HTTP: GET and HEAD of /metrics, 404, 405, 400, 505; --exporter-prefix" {
  start_server --metric-server "unix:$SOCK" --exporter-prefix=node_runsc_
  run curl -sS -D - -o /dev/null --unix-socket "$SOCK" http://localhost/metrics
  echo "$output"
  echo "$output" | grep -q '^HTTP/1.1 200 OK'
  echo "$output" | grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8'
  echo "$output" | grep -qi '^Content-Length: [0-9]'
  curl -sSf --unix-socket "$SOCK" http://localhost/metrics?x=1 | python3 "$PROMTEXT" > "$BATS_TEST_TMPDIR/parsed"
  grep -qx 'node_runsc_sandboxes_running 0' "$BATS_TEST_TMPDIR/parsed"
  run curl -sS -I --unix-socket "$SOCK" http://localhost/metrics
  echo "$output" | grep -q '^HTTP/1.1 200 OK'
  run curl -sS --http1.0 -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://localhost/metrics
  [ "$output" = 200 ]
  run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://localhost/other
  [ "$output" = 404 ]
  run curl -sS -D - -o /dev/null -X POST --unix-socket "$SOCK" http://localhost/metrics
  echo "$output" | grep -q '^HTTP/1.1 405'
  echo "$output" | grep -qi '^Allow: GET, HEAD'
  [ "$(raw_request 'GET /metrics HTTP/1.1\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ] # no Host
  [ "$(raw_request 'GET /metrics HTTP/1.0\r\n\r\n')" = "HTTP/1.1 200 OK" ]
  [ "$(raw_request 'GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n')" = "HTTP/1.1 505 HTTP Version Not Supported" ]
  [ "$(raw_request 'nonsense\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
  [ "$(raw_request 'GET /metrics HTTP/1.1\r\nbroken header\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
  # Still serving after all that.
  curl -sSf --unix-socket "$SOCK" http://localhost/metrics > /dev/null
}

@test "metrics: a loopback port (0 picks one, the log names it); SIGTERM stops it and removes its files" {
  start_server --metric-server 127.0.0.1:0 --pid-file "$BATS_TEST_TMPDIR/server.pid"
  addr=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$SERVER_LOG")
  [ -n "$addr" ]
  curl -sSf "$addr" | python3 "$PROMTEXT" > "$BATS_TEST_TMPDIR/parsed"
  grep -qx 'runsc_sandboxes_running 0' "$BATS_TEST_TMPDIR/parsed"
  [ "$(cat "$BATS_TEST_TMPDIR/server.pid")" = "$SERVER_PID" ]
  kill -TERM "$SERVER_PID"
  status=0
  wait_pid_timeout "$SERVER_PID" 10 || status=$?
  SERVER_PID=
  [ "$status" -eq 0 ]
  [ ! -e "$BATS_TEST_TMPDIR/server.pid" ]

  # The global flag, as gVisor has it, with %RUNTIME_ROOT%; the socket goes at exit.
  "$RUNSC" --root "$ROOT" --metric-server "unix:%RUNTIME_ROOT%/metrics.sock" metric-server 2> "$SERVER_LOG" 3>&- &
  SERVER_PID=$!
  wait_for_text "$SERVER_LOG" "serving unix:$ROOT/metrics.sock"
  [ -S "$ROOT/metrics.sock" ]
  kill -INT "$SERVER_PID"
  status=0
  wait_pid_timeout "$SERVER_PID" 10 || status=$?
  SERVER_PID=
  [ "$status" -eq 0 ]
  [ ! -e "$ROOT/metrics.sock" ]
}

@test "metrics: addresses it will not serve are errors naming them" {
  run "$RUNSC" --root "$ROOT" metric-server --metric-server 0.0.0.0:9100
  [ "$status" -eq 1 ]
  assert_output_has "0.0.0.0:9100: not a loopback address"
  run "$RUNSC" --root "$ROOT" metric-server --metric-server 127.0.0.1:99999
  [ "$status" -eq 1 ]
  assert_output_has '127.0.0.1:99999: invalid port'
  run "$RUNSC" --root "$ROOT" metric-server --metric-server unix:relative.sock
  [ "$status" -eq 1 ]
  assert_output_has "must be absolute"
  run "$RUNSC" --root "$ROOT" metric-server
  [ "$status" -eq 1 ]
  assert_output_has "no address"
  run "$RUNSC" --root "$ROOT" metric-server --metric-server "unix:$SOCK" --exporter-prefix 9bad
  [ "$status" -eq 1 ]
  assert_output_has "--exporter-prefix 9bad"
  run "$RUNSC" --root "$BATS_TEST_TMPDIR/no-such-root" metric-server --metric-server "unix:$SOCK"
  [ "$status" -eq 1 ]
  assert_output_has "no-such-root does not exist"
  touch "$BATS_TEST_TMPDIR/plain-file"
  run "$RUNSC" --root "$ROOT" metric-server --metric-server "unix:$BATS_TEST_TMPDIR/plain-file"
  [ "$status" -eq 1 ]
  assert_output_has "is not a socket"
  [ ! -e "$SOCK" ]
}
