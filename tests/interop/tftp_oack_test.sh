#!/usr/bin/env bash
# Interop: our TFTP client (mpxe-net tftp get, on a TAP in a private namespace)
# against a server whose OACK breaks RFC 2347 (bad_tftp_server.py, one violation
# per run). Each run must end, within 5 s, in exit status 1 with the line that
# names the violation and the server's address, once; the server must get our
# ERROR 8 (RFC 2347: "terminate a transfer due to option negotiation").
# Then the same server trickling blocks, each long before a timeout: the client
# ends it under its rate rule (here 512 bytes/s over 5 s) within 10 s, named
# with its figures, and the server gets ERROR 0.
#
#   tftp_oack_test.sh path/to/mpxe-net
#
# Exits 77 (skip) when not root or without /dev/net/tun.
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v python3 >/dev/null || skip "no python3"

netns_setup
WORK=$(mktemp -d /tmp/mpxe-tftp-oack-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

BOUND=5  # seconds: one RRQ, one OACK, our ERROR; nothing waits on a timer
failures=0
runs=0

# check MODE "expected line" [tftp get options...]: an OACK violation.
check() {
  check_with 8 "$BOUND" -F "$@"
}

# check_with CODE BOUND GREP-FLAG MODE "expected line" [tftp get options...]: exit
# 1 within BOUND seconds, the line once (grep -x with -F, or -E for a pattern),
# our ERROR CODE at the server.
check_with() {
  local code=$1 bound=$2 flag=$3 mode=$4 expected=$5
  shift 5
  runs=$((runs + 1))
  : >"$WORK/server.log"
  ip netns exec "$NS" python3 "$HERE/bad_tftp_server.py" "$HOST_IP" "$mode" >"$WORK/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do grep -q listening "$WORK/server.log" && break; sleep 0.1; done
  local status=0 out start elapsed
  start=$(date +%s%N)
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 30 \
        tftp get boot.efi --server "$HOST_IP" "$@" 2>&1) || status=$?
  elapsed=$((($(date +%s%N) - start) / 1000000))  # ms
  # The server prints our ERROR once it has it.
  for _ in $(seq 20); do grep -q '^client ' "$WORK/server.log" && break; sleep 0.1; done
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  local named
  named=$(grep -cx "$flag" -- "mpxe-net tftp: $expected" <<<"$out" || true)
  if [ "$status" -ne 1 ] || [ "$named" -ne 1 ] || ((elapsed > bound * 1000)) ||
     ! grep -q "^client ERROR $code: " "$WORK/server.log"; then
    echo "FAIL: $mode: exit $status in $elapsed ms, the line $named times (want once): $expected"
    echo "$out" | sed 's/^/    /'
    sed 's/^/    server: /' "$WORK/server.log"
    failures=$((failures + 1))
    return
  fi
  echo "RESULT $mode :: exit $status in $elapsed ms :: $(grep -m1 -x "$flag" -- "mpxe-net tftp: $expected" <<<"$out")"
}

S=$HOST_IP
check blksize-larger "bad OACK from $S: blksize 4096 granted, more than the 1468 asked"
check blksize-range "bad OACK from $S: blksize 4 is out of range"
check window-not-asked "bad OACK from $S: windowsize 8 granted, never asked" --windowsize 1
check window-larger "bad OACK from $S: windowsize 64 granted, more than the 16 asked"
check unknown-option "bad OACK from $S: unknown option 'multicast' granted, never asked"
check tsize-nonsense "bad OACK from $S: tsize 'lots' is not a number"
check malformed-oack "bad OACK from $S: malformed (tftp: bad option)"
check_with 0 10 -E trickle "$S too slow: [0-9]+ bytes in 50[0-9][0-9] ms, under 512 bytes/s" \
  --rate-window 5

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs bad servers"
  exit 1
fi
echo "PASS: $runs bad servers, each named"
