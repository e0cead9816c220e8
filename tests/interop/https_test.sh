#!/usr/bin/env bash
# Interop: our TLS (src/tls, wolfSSL) under our HTTP client and TCP (mpxe-net
# http get https://..., on a TAP in a private namespace) against nginx's TLS
# inside the namespace. A CA and the server's certificates are made for the run
# with openssl (EC P-256) in a temporary folder; nothing is committed.
#
#   nginx 10.77.0.1:443   TLS 1.3 and 1.2, certificate for IP 10.77.0.1
#   nginx 10.77.0.1:8443  TLS 1.2 only, same certificate
#   nginx 10.77.0.1:9443  TLS 1.3, a certificate for other.example only
#
#   https_test.sh path/to/mpxe-net clean
#     1 MiB and 64 MiB over TLS 1.3 and over TLS 1.2, one connection and four
#     (the others resume the first's session), and 256 MiB over each with four
#     connections, byte-exact; the 1 and 64 MiB files over
#     plain http for the throughput comparison; refusals, each named: no
#     --ca-cert, another CA, another name.
#   https_test.sh path/to/mpxe-net faults
#     1 MiB and 64 MiB (BIG=0: 1 MiB only) over TLS 1.3 and 1.2 through the
#     fault injector (1% loss, 1% duplication, 2% reordering each way; seeded),
#     byte-exact.
#
# One "RESULT" line per download. Exits 77 (skip) when not root, without
# /dev/net/tun, nginx or openssl.
set -euo pipefail
MPXE_NET=$1
MODE=${2:-clean}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"

netns_setup
WORK=$(mktemp -d /tmp/mpxe-https-XXXXXX)
ROOT=$WORK/www
PKI=$WORK/pki
mkdir -p "$ROOT" "$WORK/tmp" "$PKI"
chmod 755 "$WORK" "$ROOT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

# The run's CA, the server's certificate for its address, one for another name,
# and a second CA the client may be given instead.
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
make_ca() {  # NAME CN
  openssl req -x509 "${ec[@]}" -keyout "$PKI/$1.key" -out "$PKI/$1.pem" -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
}
make_leaf() {  # NAME CN SAN
  openssl req "${ec[@]}" -keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$3" >"$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
    -out "$PKI/$1.pem" -days 2 -extfile "$PKI/$1.ext" 2>/dev/null
}
make_ca ca "mpxe interop CA"
make_ca other "another CA"
make_leaf server "$HOST_IP" "IP:$HOST_IP,DNS:boot.example"
make_leaf wrongname other.example "DNS:other.example"
openssl x509 -in "$PKI/ca.pem" -outform DER -out "$PKI/ca.der"

make_file() { head -c "$2" /dev/urandom >"$ROOT/$1"; chmod 644 "$ROOT/$1"; }
make_file size1m $((1 << 20))
BIG=${BIG:-1}
if [ "$MODE" = clean ] || [ "$BIG" = 1 ]; then make_file size64m $((64 << 20)); fi
if [ "$MODE" = clean ]; then make_file size256m $((256 << 20)); fi

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
  ssl_session_cache shared:mpxe:1m;
  server {
    listen $HOST_IP:80;
    root $ROOT;
  }
  server {
    listen $HOST_IP:443 ssl;
    ssl_certificate $PKI/server.pem;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $ROOT;
  }
  server {
    listen $HOST_IP:8443 ssl;
    ssl_certificate $PKI/server.pem;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.2;
    root $ROOT;
  }
  server {
    listen $HOST_IP:9443 ssl;
    ssl_certificate $PKI/wrongname.pem;
    ssl_certificate_key $PKI/wrongname.key;
    ssl_protocols TLSv1.3;
    root $ROOT;
  }
}
CONF
ip netns exec "$NS" nginx -c "$WORK/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do
  ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q "$HOST_IP:9443 " && break
  sleep 0.1
done
ip netns exec "$NS" ss -ltn | grep -q "$HOST_IP:9443 " || { echo "FAIL: nginx did not listen"; cat "$WORK/error.log"; exit 1; }

FAULTS=()
[ "$MODE" = faults ] && FAULTS=(--drop 10 --dup 10 --reorder 20)
# The suite mpxe-net's order leads with, which nginx (no server preference)
# takes: AES-GCM (wolfSSL's AES-NI assembly) on a CPU with AES-NI, PCLMULQDQ,
# SSE4.1 and SSSE3, ChaCha20-Poly1305 on one without.
BULK=CHACHA20-POLY1305
flags=$(grep -m1 '^flags' /proc/cpuinfo)
if [[ " $flags " == *" aes "* && " $flags " == *" pclmulqdq "* && " $flags " == *" sse4_1 "* &&
      " $flags " == *" ssse3 "* ]]; then
  BULK=AES128-GCM
fi
failures=0
runs=0
seed=0

# netns_lib.sh's mpxe runs mpxe-net with this stack.
MPXE_NET_STACK=(--ip 10.77.0.2/24)

# get FILE CONNECTIONS URL WANT_TLS [ARGS...]: download, compare, print a RESULT
# line; WANT_TLS is the version the tls: line must name ("" for plain http).
get() {
  local file=$1 conns=$2 url=$3 want=$4
  shift 4
  local expected got
  runs=$((runs + 1))
  expected=$(sha256sum "$ROOT/$file" | cut -d' ' -f1)
  mpxe http get "$url" --connections "$conns" "$@"
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ] ||
     { [ -n "$want" ] && ! grep -q "^tls: $want, .*-$BULK" <<<"$out"; }; then
    echo "FAIL: $file x$conns $url $* (seed $seed, exit $status, want tls ${want:-none}${want:+ with $BULK})"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  local line tls
  line=$(grep -m1 ' bytes in ' <<<"$out")
  tls=$(grep -m1 '^tls: ' <<<"$out" || echo "plain http")
  echo "RESULT $MODE $file x$conns :: ${line} :: $tls"
}


CA=(--ca-cert "$PKI/ca.pem")
if [ "$MODE" = clean ]; then
  for file in size1m size64m; do
    get "$file" 1 "http://$HOST_IP/$file" ""
    get "$file" 1 "https://$HOST_IP/$file" TLSv1.3 "${CA[@]}"
    get "$file" 4 "https://$HOST_IP/$file" TLSv1.3 "${CA[@]}"
    get "$file" 1 "https://$HOST_IP:8443/$file" TLSv1.2 "${CA[@]}"
    get "$file" 4 "https://$HOST_IP:8443/$file" TLSv1.2 "${CA[@]}"
  done
  get size256m 4 "https://$HOST_IP/size256m" TLSv1.3 "${CA[@]}"
  get size256m 4 "https://$HOST_IP:8443/size256m" TLSv1.2 "${CA[@]}"
  # The first connection's session serves the other three.
  if ! grep -q "^tls: TLSv1.2, .*, 3 of 4 connections resumed" <<<"$out"; then
    echo "FAIL: want 3 of 4 connections resumed"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
  # DER works as PEM does.
  get size1m 1 "https://$HOST_IP/size1m" TLSv1.3 --ca-cert "$PKI/ca.der"
  fails "no CA" 'no trust anchors' 10 http get "https://$HOST_IP/size1m"
  fails "another CA" "certificate from an unknown CA: /CN=$HOST_IP issued by /CN=mpxe interop CA" 10 \
    http get "https://$HOST_IP/size1m" --ca-cert "$PKI/other.pem"
  fails "another name" "certificate for another name: asked for $HOST_IP, the certificate names other.example" 10 \
    http get "https://$HOST_IP:9443/size1m" "${CA[@]}"
  fails "plain server" "the server sent bytes that are not TLS\|no TLS version" 10 \
    http get "https://$HOST_IP:80/size1m" "${CA[@]}"
else
  for port_tls in "443 TLSv1.3" "8443 TLSv1.2"; do
    read -r port tls <<<"$port_tls"
    get size1m 1 "https://$HOST_IP:$port/size1m" "$tls" "${CA[@]}"
    get size1m 4 "https://$HOST_IP:$port/size1m" "$tls" "${CA[@]}"
    if [ "$BIG" = 1 ]; then
      get size64m 1 "https://$HOST_IP:$port/size64m" "$tls" "${CA[@]}"
      get size64m 4 "https://$HOST_IP:$port/size64m" "$tls" "${CA[@]}"
    fi
  done
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs runs ($MODE)"
  exit 1
fi
echo "PASS: $runs runs ($MODE)"
