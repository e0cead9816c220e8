#!/usr/bin/env bash
# Interop: our HTTP client and TCP (mpxe-net http get, on a TAP in a private
# namespace) against nginx inside the namespace on 10.77.0.1:80, and against a
# deliberately broken server (bad_http_server.py) on port 8080. Every download is
# compared by SHA-256 with the served file.
#
#   http_test.sh path/to/mpxe-net clean
#     0 B, 1 B, 1 MiB and 256 MiB, on one connection and in 4 parallel ranges; a
#     redirect (relative and absolute); a missing file (404 and its text);
#     hostile servers (bad_http_server.py): cut mid-body with and without
#     ranges (resumed byte-exact), closing or resetting every response,
#     stalling, trickling the head or the body: each its named error within
#     the bound the test states.
#   http_test.sh path/to/mpxe-net faults
#     1 MiB and 64 MiB, one connection and 4, through the fault injector (1%
#     loss, 1% duplication, 2% reordering each way; seeded, so a failure
#     replays), byte-exact. BIG=0 leaves out the 64 MiB runs.
#   Both modes also run some downloads with --threads: the connections on worker
#   threads, as the option ROM runs them on its application processors.
#
# Prints one "RESULT" line per download (file, connections, seconds, MB/s, TCP
# counters) for the throughput table. Exits 77 (skip) when not root, without
# /dev/net/tun or without nginx.
set -euo pipefail
MPXE_NET=$1
MODE=${2:-clean}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"

netns_setup
WORK=$(mktemp -d /tmp/mpxe-http-XXXXXX)
ROOT=$WORK/www
mkdir -p "$ROOT" "$WORK/tmp"
chmod 755 "$WORK" "$ROOT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

make_file() { head -c "$2" /dev/urandom >"$ROOT/$1"; chmod 644 "$ROOT/$1"; }
make_file size0 0
make_file size1 1
make_file size1m $((1 << 20))
make_file size4m $((4 << 20))
BIG=${BIG:-1}
if [ "$MODE" = clean ]; then make_file size256m $((256 << 20)); fi
if [ "$MODE" = faults ] && [ "$BIG" = 1 ]; then make_file size64m $((64 << 20)); fi

cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  keepalive_timeout 30;
  default_type application/octet-stream;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server {
    listen $HOST_IP:80;
    root $ROOT;
    location = /relative { absolute_redirect off; return 302 /size1m; }
    location = /absolute { return 301 http://$HOST_IP/relative; }
  }
}
CONF
ip netns exec "$NS" nginx -c "$WORK/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do
  ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q "$HOST_IP:80 " && break
  sleep 0.1
done
ip netns exec "$NS" ss -ltn | grep -q "$HOST_IP:80 " || { echo "FAIL: nginx did not listen"; exit 1; }

FAULTS=()
[ "$MODE" = faults ] && FAULTS=(--drop 10 --dup 10 --reorder 20)
failures=0
runs=0
seed=0

# netns_lib.sh's mpxe runs mpxe-net with this stack.
MPXE_NET_STACK=(--ip 10.77.0.2/24)

# get FILE CONNECTIONS [URL [ARGS...]]: download, compare, print a RESULT line.
# An empty URL means the file's own.
get() {
  local file=$1 conns=$2 url=${3:-http://$HOST_IP/$1}
  shift $(($# < 3 ? $# : 3))
  local expected got
  runs=$((runs + 1))
  expected=$(sha256sum "$ROOT/$file" | cut -d' ' -f1)
  mpxe http get "$url" --connections "$conns" "$@"
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ]; then
    echo "FAIL: $file x$conns $url $* (seed $seed, exit $status)"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  local line counters
  line=$(grep -m1 ' bytes in ' <<<"$out")
  counters=$(grep -m1 '^tcp: ' <<<"$out")
  echo "RESULT $MODE $file x$conns $* :: ${line#*: } :: $counters"
}


if [ "$MODE" = clean ]; then
  for file in size0 size1 size1m size256m; do
    get "$file" 1
    get "$file" 4
  done
  # The connections on worker threads, as the ROM runs them on its APs.
  get size1m 4 "" --threads 4
  get size256m 4 "" --threads 2
  get size1m 1 "http://$HOST_IP/relative"
  get size1m 2 "http://$HOST_IP/absolute"
  fails "404" '404 Not Found' 10 http get "http://$HOST_IP/missing.efi"
  fails "refused" 'connection refused' 10 http get "http://$HOST_IP:81/x"

  # Hostile servers (bad_http_server.py serving size1m or size4m, a fresh one per
  # run): a cut transfer resumes byte-exact; one that cannot ends in its named
  # error within the bound stated.
  bad_server() {  # MODE FILE [SERVER ARGS...]
    ip netns exec "$NS" python3 "$HERE/bad_http_server.py" "$HOST_IP" 8080 "$1" --file "$ROOT/$2" \
      "${@:3}" &
    pids+=($!)
    for _ in $(seq 50); do
      ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q "$HOST_IP:8080 " && break
      sleep 0.1
    done
  }
  bad_server_stop() {
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
  }
  # resumed MODE FILE CONNECTIONS RESUMES [ARGS...]: byte-exact, with RESUMES
  # chunks resumed.
  resumed() {
    local mode=$1 file=$2 conns=$3 want=$4
    shift 4
    bad_server "$mode" "$file"
    get "$file" "$conns" "http://$HOST_IP:8080/image" "$@"
    if ! grep -q "$want chunks\? resumed" <<<"$out"; then
      echo "FAIL: $mode $file x$conns $*: want $want resumed"
      echo "$out" | sed 's/^/    /'
      failures=$((failures + 1))
    fi
    bad_server_stop
  }
  # bad MODE BOUND PATTERN [ARGS...]: the named error within BOUND seconds.
  bad() {
    local mode=$1 bound=$2 pattern=$3
    shift 3
    bad_server "$mode" size1m
    fails "$mode" "$pattern" "$bound" http get "http://$HOST_IP:8080/image" "$@"
    bad_server_stop
  }
  # No ranges: one fresh GET, cut again.
  bad close-mid-body 15 'truncated every time: bytes 0-1048575 in 2 tries, each from byte 0; the last: server closed the connection before the end of the body (100000 of 1048576 bytes)'
  bad reset 15 'cut short every time: bytes 0-1048575 in 2 tries.*connection reset'
  bad stall 10 'server stalled' --stall 3
  # A byte a second: under 1 KiB/s over a 3 s window, twice.
  bad trickle 20 'cut short every time: bytes 0-1048575 in 2 tries.*server too slow: [0-9]* bytes in [0-9]* ms, under 1024 bytes/s' --rate-window 3
  bad trickle-head 20 'cut short every time: bytes 0-1048575 in 2 tries.*no whole response head in time: not within 3000 ms' --head-timeout 3
  # Ranges, each response cut after 100000 bytes: 1 + 3 resumes, then the name.
  bad truncate-every 20 'truncated every time: bytes 0-1048575 in 4 tries, each resumed where the last stopped; the last: server closed the connection before the end of the body (100000 of 748576 bytes)'
  # Cut once: resumed from where it stopped (or, without ranges, one fresh GET).
  resumed cut-plain size1m 1 1
  resumed cut-ranges size4m 1 1
  resumed cut-ranges size4m 4 4
  # On worker threads: the cut ranges resumed once the threads are done.
  resumed cut-ranges size4m 4 4 --threads 2
  # overtaken FILE [ARGS...]: one range each over 2 connections, the range from
  # byte 0 at 20000 bytes/s (within every rule of its own, 105 s to its end):
  # the connection that finished takes the rest over, byte-exact, well before.
  overtaken() {
    local file=$1 t0
    shift
    bad_server slow-first "$file"
    t0=$(date +%s)
    get "$file" 2 "http://$HOST_IP:8080/image" --chunk 0 "$@"
    if ! grep -q "1 taken over from a slow connection" <<<"$out" || [ $(($(date +%s) - t0)) -gt 30 ]; then
      echo "FAIL: overtaken $file $*: want 1 taken over within 30 s"
      echo "$out" | sed 's/^/    /'
      failures=$((failures + 1))
    fi
    bad_server_stop
  }
  overtaken size4m
  overtaken size4m --threads 2
  # Every connection at 2000 bytes/s: each above its own 1024, together under the
  # download's 4096 over a 5 s window.
  bad_server slow size1m --rate 2000
  fails slow 'download too slow: [0-9]* bytes in 5[0-9][0-9][0-9] ms over every connection, under 4096 bytes/s' 15 \
    http get "http://$HOST_IP:8080/image" --connections 1 --download-rate-window 5
  bad_server_stop
else
  get size1m 1
  get size1m 4
  get size1m 1 "" --threads 1
  get size1m 4 "" --threads 2
  if [ "$BIG" = 1 ]; then
    get size64m 1
    get size64m 4
    get size64m 4 "" --threads 4
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs runs ($MODE)"
  exit 1
fi
echo "PASS: $runs runs ($MODE)"
