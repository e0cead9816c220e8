#!/usr/bin/env bash
# Interop: our HTTP client and TCP over IPv6 (mpxe-net --ipv6 http get, on a TAP
# in a private namespace) against nginx on [fd00:6d70::1]:80, and over TLS on
# :443, the same code as over IPv4 (http_test.sh, https_test.sh) on the other
# family. dnsmasq sends the router advertisements (ra-only: the /64 with A set,
# and itself as RDNSS), so our source is the SLAAC address, and answers DNS:
#
#   boot6.mpxe.test    AAAA fd00:6d70::1 (nginx)
#   v4only.mpxe.test   A 10.77.0.1 only: nothing an IPv6-only stack can reach
#
# A URL by name is looked up as the ROM looks it up: AAAA at the RA's RDNSS
# server (or at --dns). nginx logs each request's client address and Host
# header: every one must come from our SLAAC address. Every download is
# compared by SHA-256 with the served file.
#
#   http6_test.sh path/to/mpxe-net clean
#     0 B, 1 B, 1 MiB and 16 MiB by literal on one connection, 16 MiB in 4
#     parallel ranges (4 connections, also on worker threads); 16 MiB and 1 MiB
#     by name (the RDNSS server, and --dns); a redirect to an IPv6-literal URL
#     and a relative one by name (the same address); a missing file (404); a name with an A record only
#     (named failure); https by literal and by name (its certificate names
#     both), one connection and 4.
#   http6_test.sh path/to/mpxe-net faults
#     1 MiB on one connection, 16 MiB on one and 4, by literal and by name,
#     plain and over TLS, through the fault injector (1% loss, 1% duplication,
#     2% reordering each way; seeded, so a failure replays), byte-exact; each
#     16 MiB run must have met every one of those faults.
#
# Prints one "RESULT" line per download. Exits 77 (skip) when not root, without
# /dev/net/tun, nginx, openssl or dnsmasq.
set -euo pipefail
MPXE_NET=$1
MODE=${2:-clean}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v dnsmasq >/dev/null || skip "no dnsmasq (router advertisements and DNS)"
netns_setup
. "$HERE/dnsmasq_lib.sh"
. "$HERE/ipv6_lib.sh"
ipv6_segment

NAME6=boot6.mpxe.test
ROOT=$work/www
PKI=$work/pki
mkdir -p "$ROOT" "$work/tmp" "$PKI"
chmod 755 "$work" "$ROOT"
nginx_pid=""
stop_nginx() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
}
trap 'stop_nginx; dnsmasq_cleanup' EXIT

make_file() { head -c "$2" /dev/urandom >"$ROOT/$1"; chmod 644 "$ROOT/$1"; }
make_file size0 0
make_file size1 1
make_file size1m $((1 << 20))
make_file size16m $((16 << 20))

# The run's CA and nginx's certificate, for its IPv6 address and its name.
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 -subj "/CN=mpxe interop CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req "${ec[@]}" -keyout "$PKI/server.key" -out "$PKI/server.csr" -subj "/CN=$NAME6" 2>/dev/null
printf 'subjectAltName=IP:%s,DNS:%s\nbasicConstraints=CA:FALSE\n' "$HOST_IP6" "$NAME6" >"$PKI/server.ext"
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
  -out "$PKI/server.pem" -days 2 -extfile "$PKI/server.ext" 2>/dev/null

# As start_dnsmasq (dnsmasq_lib.sh) runs it, but with DNS on port 53: the RA
# then names dnsmasq as RDNSS.
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=53 --no-resolv --no-hosts \
  --local=/mpxe.test/ --interface="$SERVER_IF6" --bind-interfaces --pid-file= --leasefile-ro --log-queries --log-facility="$work/dnsmasq.log" \
  --enable-ra "--dhcp-range=::,constructor:$SERVER_IF6,ra-only,64,1h" \
  "--host-record=$NAME6,$HOST_IP6" --host-record=v4only.mpxe.test,10.77.0.1 2>/dev/null &
pids+=($!)

cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  log_format client '\$remote_addr \$http_host \$request \$status';
  access_log $work/access.log client;
  sendfile on;
  keepalive_timeout 30;
  default_type application/octet-stream;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  ssl_session_cache shared:mpxe:1m;
  server {
    listen [$HOST_IP6]:80;
    listen [$HOST_IP6]:443 ssl;
    ssl_certificate $PKI/server.pem;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $ROOT;
    location = /relative { absolute_redirect off; return 302 /size1m; }
    location = /absolute { return 301 http://[$HOST_IP6]/relative; }
  }
}
CONF
ip netns exec "$NS" nginx -c "$work/nginx.conf" &
nginx_pid=$!
listening() {
  ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q "\[$HOST_IP6\]:443 " &&
    ip netns exec "$NS" ss -lun 2>/dev/null | grep -q "\[$HOST_IP6\]:53 "
}
for _ in $(seq 50); do listening && break; sleep 0.1; done
listening || fail "nginx on [$HOST_IP6]:80/443 and dnsmasq on [$HOST_IP6]:53 are not all up"

FAULTS=()
[ "$MODE" = faults ] && FAULTS=(--drop 10 --dup 10 --reorder 20)
failures=0
runs=0
seed=0

# netns_lib.sh's mpxe runs mpxe-net with this stack.
MPXE_NET_STACK=(--mac "$OUR_MAC" --ipv6)
MPXE_NET_TIMEOUT=120

# get FILE CONNECTIONS URL [ARGS...]: download, compare; with several
# connections, all of them must have run. Prints a RESULT line.
get() {
  local file=$1 conns=$2 url=$3
  shift 3
  local expected got used
  runs=$((runs + 1))
  expected=$(sha256sum "$ROOT/$file" | cut -d' ' -f1)
  mpxe -v http get "$url" --connections "$conns" --ca-cert "$PKI/ca.pem" "$@"
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  used=$(grep -m1 ' bytes in ' <<<"$out" | sed -n 's/.*(\([0-9]*\) connection.*/\1/p') || true
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ] ||
     { [ "$file" = size16m ] && [ "$used" != "$conns" ]; }; then
    echo "FAIL: $file x$conns $url $* (seed $seed, exit $status, $used connections)"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  # Through the injector, 16 MiB (over 11000 frames in) meets every fault.
  local injected='^faults rx: .* [1-9][0-9]* dropped, [1-9][0-9]* duplicated, [1-9][0-9]* reordered'
  if [ "$MODE" = faults ] && [ "$file" = size16m ] && ! grep -q "$injected" <<<"$out"; then
    echo "FAIL: $file x$conns $url $*: not every fault was injected"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  local line
  line=$(grep -m1 ' bytes in ' <<<"$out")
  echo "RESULT ipv6 $MODE $file x$conns $url $* :: ${line#*: } :: $(grep -m1 '^tcp: ' <<<"$out")" \
    "$(grep -m1 '^faults rx: ' <<<"$out" || true)"
}

LIT="http://[$HOST_IP6]"
NAMED="http://$NAME6"
if [ "$MODE" = clean ]; then
  # Under 2 MiB the download takes one connection whatever is asked (a range is
  # 1 MiB at least): only 16 MiB is asked in 4.
  for file in size0 size1 size1m size16m; do get "$file" 1 "$LIT/$file"; done
  get size16m 4 "$LIT/size16m"
  get size16m 4 "$LIT/size16m" --threads 2
  get size16m 4 "$NAMED/size16m"
  grep -q "dns: $NAME6 (IPv6) is $HOST_IP6, from " <<<"$out" ||
    { echo "FAIL: $NAME6 not looked up by AAAA at the RDNSS server"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); }
  get size1m 1 "$NAMED/size1m" --dns "$HOST_IP6"
  get size1m 1 "$LIT/absolute"
  get size1m 2 "$NAMED/relative"
  fails "404" '404 Not Found' 20 http get "$LIT/missing.efi"
  fails "A record only" 'v4only.mpxe.test: no AAAA record' 20 http get http://v4only.mpxe.test/size1
  get size1m 1 "https://[$HOST_IP6]/size1m"
  get size16m 4 "https://$NAME6/size16m"
  grep -q 'tls: .*, 3 of 4 connections resumed' <<<"$out" ||
    { echo "FAIL: https x4: want 3 of 4 connections resumed"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); }
else
  for base in "$LIT" "$NAMED" "https://$NAME6"; do
    get size1m 1 "$base/size1m"
    get size16m 1 "$base/size16m"
    get size16m 4 "$base/size16m"
  done
fi

# nginx saw every request from our SLAAC address, with the Host header as written.
runs=$((runs + 1))
if [ -s "$work/access.log" ] && ! grep -qv "^$OUR_SLAAC " "$work/access.log" &&
   grep -q "^$OUR_SLAAC $NAME6 " "$work/access.log" && grep -qF "$OUR_SLAAC [$HOST_IP6] " "$work/access.log"; then
  echo "RESULT nginx: $(wc -l <"$work/access.log") requests, each from $OUR_SLAAC"
else
  echo "FAIL: nginx's access log is not all from $OUR_SLAAC with both hosts:"
  sed 's/^/    /' "$work/access.log" | sort | uniq -c | head -20
  failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs runs over IPv6 ($MODE)"
  exit 1
fi
echo "PASS: $runs runs over IPv6 ($MODE)"
