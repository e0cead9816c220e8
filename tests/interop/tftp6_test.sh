#!/usr/bin/env bash
# Interop: our TFTP client over IPv6 (mpxe-net --ipv6 tftp get, on a TAP in a
# private namespace) against a real server bound to fd00:6d70::1 port 69, the
# same TFTP code as over IPv4 (tftp_test.sh) on the other family. dnsmasq sends
# the router advertisements (ra-only: the /64 with A set), so our source is the
# SLAAC address, and the server's kernel resolves it through our NDP.
#   atftpd    tsize, blksize, timeout, windowsize (RFC 7440)
#   dnsmasq   tsize, blksize (its built-in TFTP server)
# Every download is compared by SHA-256 with the server's file.
#
#   tftp6_test.sh path/to/mpxe-net SERVER clean
#     sizes 0, 1, 511, 512, 513 bytes and 1 MiB at blksize 512 lock-step and with
#     windowsize 16, and at the defaults (1448 over IPv6, 16); 16 MiB at the
#     defaults; a missing file (the server's ERROR, exit 1).
#   tftp6_test.sh path/to/mpxe-net SERVER faults
#     the small sizes and 256 KiB (atftpd: and 1 MiB) through the fault injector
#     (2% loss, 1% duplication, 5% reordering, 0.5% corruption each way; seeded),
#     byte-exact within the command's --timeout.
# Prints one "RESULT" line per download. Exits 77 (skip) when not root, without
# /dev/net/tun or without the server.
set -euo pipefail
MPXE_NET=$1
SERVER=$2
MODE=${3:-clean}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq (it sends the router advertisements)"
case "$SERVER" in
  atftpd) command -v atftpd >/dev/null || skip "atftpd is not installed" ;;
  dnsmasq) ;;
  *) echo "unknown server $SERVER"; exit 2 ;;
esac
netns_setup
. "$HERE/dnsmasq_lib.sh"
. "$HERE/ipv6_lib.sh"
ipv6_segment

ROOT=$work/root
mkdir -p "$ROOT"
chmod 755 "$work" "$ROOT"
make_file() { head -c "$2" /dev/urandom >"$ROOT/$1"; chmod 644 "$ROOT/$1"; }
for n in 0 1 511 512 513; do make_file "size$n" "$n"; done
make_file size256k $((256 << 10))
make_file size1m $((1 << 20))
[ "$MODE" = clean ] && make_file size16m $((16 << 20))

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap 'stop_server; dnsmasq_cleanup' EXIT

RA=(--enable-ra "--dhcp-range=::,constructor:$SERVER_IF6,ra-only,64,1h")
case "$SERVER" in
  atftpd)
    start_dnsmasq ra "$NS" "$SERVER_IF6" "${RA[@]}"
    # atftpd 0.8.0 binds IPv4 only as a daemon; as inetd starts it (a socket on
    # stdin, served until idle) it takes IPv6: the socket is made here.
    ip netns exec "$NS" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 69))
os.dup2(s.fileno(), 0)
os.execvp("atftpd", ["atftpd", "--tftpd-timeout", "600", "--retry-timeout", "1",
                     "--user", "root", "--group", "root", "--logfile", "/dev/null", sys.argv[2]])
' "$HOST_IP6" "$ROOT" &
    server_pid=$! ;;
  dnsmasq)
    start_dnsmasq ra "$NS" "$SERVER_IF6" "${RA[@]}" --user=root --enable-tftp "--tftp-root=$ROOT" ;;
esac
for _ in $(seq 50); do
  ip netns exec "$NS" ss -lun 2>/dev/null | grep -q "\[$HOST_IP6\]:69 " && break
  sleep 0.1
done
ip netns exec "$NS" ss -lun | grep -q "\[$HOST_IP6\]:69 " ||
  { ip netns exec "$NS" ss -lun; echo "FAIL: $SERVER did not bind [$HOST_IP6]:69"; exit 1; }

FAULTS=()
[ "$MODE" = faults ] && FAULTS=(--drop 20 --dup 10 --reorder 50 --corrupt 5)
failures=0
runs=0
seed=0

# get FILE [tftp get options...]: download, compare, print a RESULT line.
get() {
  local file=$1
  shift
  local expected got out status=0
  seed=$((seed + 1))
  runs=$((runs + 1))
  expected=$(sha256sum "$ROOT/$file" | cut -d' ' -f1)
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --mac "$OUR_MAC" --ipv6 --timeout 120 \
        --seed "$seed" "${FAULTS[@]}" tftp get "$file" --server "$HOST_IP6" --linger 0.3 "$@" 2>&1) \
    || status=$?
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ]; then
    echo "FAIL: $SERVER $file $* (seed $seed, exit $status)"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  echo "RESULT $SERVER ipv6 $MODE $file [$* ${FAULTS[*]}] :: $(grep -m1 ' bytes in ' <<<"$out" | sed 's/^[^:]*: //') :: $(grep -m1 '^blocks ' <<<"$out")"
}

SMALL="size0 size1 size511 size512 size513"
if [ "$MODE" = clean ]; then
  for file in $SMALL size1m; do
    get "$file" --blksize 512 --windowsize 1
    get "$file" --blksize 512 --windowsize 16
    get "$file"
  done
  get size16m
  # The IPv6 default block fills the MTU: 1448 + 4 + 8 + 40 = 1500.
  runs=$((runs + 1))
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --mac "$OUR_MAC" --ipv6 --timeout 30 \
        tftp get size1m --server "$HOST_IP6" --linger 0 2>&1) || true
  if grep -q 'blksize 1448' <<<"$out"; then echo "RESULT $SERVER default blksize over IPv6 :: 1448"
  else echo "FAIL: the default blksize over IPv6 is not 1448: $out"; failures=$((failures + 1)); fi
  # A missing file: the server's ERROR, its code and text, exit 1.
  runs=$((runs + 1))
  status=0
  err=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --mac "$OUR_MAC" --ipv6 --timeout 30 \
        tftp get missing.efi --server "$HOST_IP6" 2>&1) || status=$?
  if [ "$status" -eq 1 ] && grep -q 'server error 1' <<<"$err"; then
    echo "RESULT $SERVER missing.efi :: $(grep -m1 'server error' <<<"$err")"
  else
    echo "FAIL: $SERVER missing file: exit $status: $err"; failures=$((failures + 1))
  fi
else
  files="$SMALL size256k"
  [ "$SERVER" = atftpd ] && files="$files size1m"
  for file in $files; do
    get "$file" --blksize 512 --windowsize 1
    [ "$SERVER" = atftpd ] && get "$file" --blksize 512 --windowsize 16
    get "$file"
  done
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs runs against $SERVER over IPv6 ($MODE)"
  exit 1
fi
echo "PASS: $runs runs against $SERVER over IPv6 ($MODE)"
