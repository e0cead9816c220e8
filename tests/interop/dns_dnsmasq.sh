#!/usr/bin/env bash
# Interop: our DNS stub resolver (mpxe-net dns, on a TAP in a private namespace)
# against dnsmasq, which serves DHCP (option 6 pointing at itself, a fixed address
# for our MAC) and DNS for mpxe.test from its own records, with no upstream:
#   boot.mpxe.test   --host-record (A 10.77.0.1)
#   www.mpxe.test    --cname to boot.mpxe.test
#   multi.mpxe.test  two --host-record lines (two A records)
#   any.pool.mpxe.test  --address=/pool.mpxe.test/ (a whole domain)
#   nope.mpxe.test   nothing: NXDOMAIN (--local makes dnsmasq the authority)
#   v6.mpxe.test     an AAAA record only: no A record
#   dual.mpxe.test   --host-record with both: A 10.77.0.7, AAAA fd00::7
#   outside.example  outside every local domain, no upstream: REFUSED
# Cases:
#  1. DHCP first, then names: an A, a CNAME, the CNAME again in other case (from
#     the cache), two addresses, a wildcard domain, a dotted quad (no query);
#  2. the failures, each its own text and exit 1;
#  3. --ip and two --server: the first does not exist (its ARP goes unanswered),
#     so the query falls over to dnsmasq;
#  4. case 1's CNAME through the fault injector dropping 30% of the frames
#     (seeded so that the first query is lost): the retransmission gets it;
#  5. AAAA (RFC 3596) over the IPv4 transport: --family 6, then any (both, each
#     --prefer order), a CNAME to a name with an A record only, no AAAA record.
# The printed lines are compared exactly, after the times are cut off.
#   dns_dnsmasq.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

MAC=52:54:00:12:34:56
work=$(mktemp -d)
dnsmasq_pid=""

cleanup() {
  if [ -n "$dnsmasq_pid" ]; then kill "$dnsmasq_pid" 2>/dev/null || true; wait "$dnsmasq_pid" 2>/dev/null || true; fi
  netns_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  for log in "$work"/dnsmasq.*; do [ -e "$log" ] && { echo "--- $log"; cat "$log"; }; done
  exit 1
}

ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
  --interface="$TAP" --bind-interfaces --pid-file= --leasefile-ro \
  --log-queries --log-dhcp --log-facility="$work/dnsmasq.log" \
  --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h --dhcp-host="$MAC,10.77.0.42" \
  --dhcp-option=option:router,10.77.0.1 --dhcp-option=option:dns-server,10.77.0.1 \
  --domain=mpxe.test --local=/mpxe.test/ --local-ttl=300 \
  --host-record=boot.mpxe.test,10.77.0.1 --cname=www.mpxe.test,boot.mpxe.test \
  --host-record=multi.mpxe.test,10.77.0.5 --host-record=multi.mpxe.test,10.77.0.6 \
  --host-record=v6.mpxe.test,fd00::6 --host-record=dual.mpxe.test,10.77.0.7,fd00::7 \
  --address=/pool.mpxe.test/10.77.0.9 2>"$work/dnsmasq.err" &
dnsmasq_pid=$!
for _ in $(seq 50); do
  ip netns exec "$NS" ss -lun 2>/dev/null | grep -q "$HOST_IP:53 " && break
  sleep 0.1
done
ip netns exec "$NS" ss -lun | grep -q "$HOST_IP:53 " || fail "dnsmasq did not bind port 53"

# run EXPECTED_STATUS ARGS...: mpxe-net's output, times cut off, into $work/out.
run() {
  local want=$1 status=0
  shift
  echo "+ mpxe-net $*"
  ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 30 "$@" >"$work/raw" 2>"$work/err" ||
    status=$?
  sed 's/^/    /' "$work/raw"
  [ "$status" -eq "$want" ] || { cat "$work/err"; fail "exit $status, want $want"; }
  sed -E 's/ in [0-9]+\.[0-9]+ m?s$//' "$work/raw" >"$work/out"
}

# expect <<EOF ... EOF: the output is exactly these lines.
expect() {
  if ! diff -u - "$work/out"; then fail "output differs (- expected, + got)"; fi
}

echo "== 1. DHCP, then an A, a CNAME, the cache, two addresses, a domain, a literal"
run 0 dns boot.mpxe.test www.mpxe.test WWW.Mpxe.Test. multi.mpxe.test any.pool.mpxe.test 10.1.2.3
expect <<'EOF'
lease: 10.77.0.42 from 10.77.0.1
dns-servers: 10.77.0.1
boot.mpxe.test: 10.77.0.1 (ttl 300 s, server 10.77.0.1)
www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, server 10.77.0.1)
WWW.Mpxe.Test.: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, cache)
multi.mpxe.test: 10.77.0.5 10.77.0.6 (ttl 300 s, server 10.77.0.1)
any.pool.mpxe.test: 10.77.0.9 (ttl 300 s, server 10.77.0.1)
10.1.2.3: 10.1.2.3 (literal)
EOF
# Each name asked once: the cached one and the literal never reached dnsmasq.
[ "$(grep -c 'query\[A\] www.mpxe.test' "$work/dnsmasq.log")" -eq 1 ] || fail "www.mpxe.test asked more than once"
grep -q 'query\[A\] 10.1.2.3' "$work/dnsmasq.log" && fail "the literal was sent as a query"

echo "== 2. NXDOMAIN, no A record, REFUSED"
run 1 --ip 10.77.0.43/24 dns nope.mpxe.test --server 10.77.0.1
expect <<'EOF'
dns-servers: 10.77.0.1
nope.mpxe.test: failed: name does not exist (NXDOMAIN)
EOF
run 1 --ip 10.77.0.43/24 dns v6.mpxe.test --server 10.77.0.1
expect <<'EOF'
dns-servers: 10.77.0.1
v6.mpxe.test: failed: no A record for the name
EOF
run 1 --ip 10.77.0.43/24 dns outside.example --server 10.77.0.1
expect <<'EOF'
dns-servers: 10.77.0.1
outside.example: failed: query refused (REFUSED)
EOF

echo "== 3. a dead first server: the query falls over to the second"
run 0 --ip 10.77.0.43/24 dns www.mpxe.test --server 10.77.0.99 --server 10.77.0.1
expect <<'EOF'
dns-servers: 10.77.0.99 10.77.0.1
www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, server 10.77.0.1)
EOF
# About the first wait (1 s) late, not a timeout's worth.
ms=$(sed -nE 's/.* in ([0-9]+)\.[0-9]+ ms$/\1/p' "$work/raw")
[ "$ms" -ge 900 ] && [ "$ms" -le 2500 ] || fail "fall-over took $ms ms"

echo "== 4. 30% of the frames dropped each way (seeded: the first query is lost)"
run 0 --ip 10.77.0.43/24 --drop 300 --seed 6 -v dns www.mpxe.test --server 10.77.0.1
expect <<'EOF'
dns-servers: 10.77.0.1
www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, server 10.77.0.1)
EOF
grep '^dns: ' "$work/err"
grep -qE '^dns: [0-9]+ queries \([1-9][0-9]* retransmitted' "$work/err" || fail "nothing was retransmitted"

echo "== 5. AAAA: IPv6 only, both families in either order, a CNAME, none"
run 0 --ip 10.77.0.43/24 dns dual.mpxe.test v6.mpxe.test --server 10.77.0.1 --family 6
expect <<'EOF'
dns-servers: 10.77.0.1
dual.mpxe.test: fd00::7 (ttl 300 s, server 10.77.0.1)
v6.mpxe.test: fd00::6 (ttl 300 s, server 10.77.0.1)
EOF
grep -q 'query\[AAAA\] dual.mpxe.test' "$work/dnsmasq.log" || fail "dnsmasq saw no AAAA query"
run 0 --ip 10.77.0.43/24 dns dual.mpxe.test www.mpxe.test --server 10.77.0.1 --family any
expect <<'EOF'
dns-servers: 10.77.0.1
dual.mpxe.test: fd00::7 10.77.0.7 (ttl 300 s, server 10.77.0.1)
www.mpxe.test: 10.77.0.1 (cname boot.mpxe.test, ttl 300 s, server 10.77.0.1)
EOF
run 0 --ip 10.77.0.43/24 dns dual.mpxe.test --server 10.77.0.1 --family any --prefer 4
expect <<'EOF'
dns-servers: 10.77.0.1
dual.mpxe.test: 10.77.0.7 fd00::7 (ttl 300 s, server 10.77.0.1)
EOF
run 1 --ip 10.77.0.43/24 dns boot.mpxe.test --server 10.77.0.1 --family 6
expect <<'EOF'
dns-servers: 10.77.0.1
boot.mpxe.test: failed: no AAAA record for the name
EOF

echo "PASS"
