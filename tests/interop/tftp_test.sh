#!/usr/bin/env bash
# Interop: our TFTP client (mpxe-net tftp get, on a TAP in a private namespace)
# against a real server inside the namespace, bound to 10.77.0.1:69:
#   atftpd     tsize, blksize, timeout, windowsize (the one server with RFC 7440)
#   tftpd-hpa  tsize, blksize, timeout, rollover (unpacked by scripts/setup)
#   dnsmasq    tsize, blksize (its built-in TFTP server)
# Every download is compared by SHA-256 with the server's file.
#
#   tftp_test.sh path/to/mpxe-net SERVER clean
#     sizes 0, 1, 511, 512, 513 bytes and 1 MiB at blksize 512 lock-step and with
#     windowsize 16 (a server without RFC 7440 drops it: lock-step again), and at
#     the defaults (1468, 16); 64 MiB at blksize 512 (block numbers roll over
#     twice) with and without windowsize; 64 MiB at the defaults, windowsize 1 and
#     16, for the throughput figures; size-only (tsize); a missing file.
#   tftp_test.sh path/to/mpxe-net SERVER faults
#     the small sizes and 256 KiB (atftpd: and 1 MiB) again through the fault
#     injector (2% loss, 1% duplication, 5% reordering, 0.5% corruption, each way;
#     seeded, so a failure replays), byte-exact within the command's --timeout.
#     Against atftpd also 64 MiB at blksize 512, windowsize 16, through the
#     faults (block numbers roll over under loss; about 45 s here). BIG=1 asks
#     the same of a lock-step server (tftpd-hpa: its 1 s timer per lost block,
#     over an hour); BIG=0 leaves it out for atftpd too.
#   tftp_test.sh path/to/mpxe-net atftpd reorder
#     16 MiB at the defaults (1468, windowsize 16), clean, then with every block
#     the server sends duplicated or swapped with its neighbour on the way in
#     (--dup 1000 --reorder 500 --faults-way rx: a frame drawn for reordering
#     is held and swapped, every other one doubled), then the same both ways
#     (our ACKs doubled and swapped too), then pairs swapped both ways
#     (--reorder 1000). Each byte-exact, with a RESULT line and a RATIO line
#     (its time over the clean run's: issue 17 asks at most 2x of the first);
#     time is printed, never asserted. The rx run must show blocks held and
#     duplicates dropped (proof the faults were there).
#
# Prints one "RESULT" line per download (server, file, options, seconds, MB/s,
# retransmits) for the throughput table. Exits 77 (skip) when not root, without
# /dev/net/tun or without the server.
set -euo pipefail
MPXE_NET=$1
SERVER=$2
MODE=${3:-clean}
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=$(cd "$HERE/../.." && pwd)
. "$HERE/netns_lib.sh"

HPA=${TFTPD_HPA:-$SOURCE_DIR/.tools/tftpd-hpa/usr/sbin/in.tftpd}
case "$SERVER" in
  atftpd) command -v atftpd >/dev/null || skip "atftpd is not installed" ;;
  tftpd-hpa) [ -x "$HPA" ] || skip "no tftpd-hpa at $HPA (scripts/setup unpacks it)" ;;
  dnsmasq) command -v dnsmasq >/dev/null || skip "dnsmasq is not installed" ;;
  *) echo "unknown server $SERVER"; exit 2 ;;
esac

netns_setup
WORK=$(mktemp -d /tmp/mpxe-tftp-XXXXXX)
ROOT=$WORK/root
mkdir -p "$ROOT"
chmod 755 "$WORK" "$ROOT"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

# The served files: random bytes, so a misplaced block cannot go unnoticed.
make_file() { head -c "$2" /dev/urandom >"$ROOT/$1"; chmod 644 "$ROOT/$1"; }
make_file size0 0
make_file size1 1
make_file size511 511
make_file size512 512
make_file size513 513
make_file size256k $((256 << 10))
make_file size1m $((1 << 20))
BIG=${BIG:-$([ "$SERVER" = atftpd ] && echo 1 || echo 0)}
if [ "$MODE" = clean ] || { [ "$MODE" = faults ] && [ "$BIG" = 1 ]; }; then make_file size64m $((64 << 20)); fi
if [ "$MODE" = reorder ]; then make_file size16m $((16 << 20)); fi

case "$SERVER" in
  atftpd)
    # --no-fork keeps it in the foreground (its pid is ours to kill); a 1 s retry
    # timer instead of 5 s, as a PXE server would be set up.
    ip netns exec "$NS" atftpd --daemon --no-fork --port 69 --bind-address "$HOST_IP" \
      --user root --group root --retry-timeout 1 --logfile /dev/null \
      --pidfile "$WORK/atftpd.pid" "$ROOT" &
    server_pid=$! ;;
  tftpd-hpa)
    ip netns exec "$NS" "$HPA" -L -u root -s "$ROOT" -a "$HOST_IP:69" &
    server_pid=$! ;;
  dnsmasq)
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
      --enable-tftp --tftp-root="$ROOT" --listen-address="$HOST_IP" --bind-interfaces \
      --interface="$TAP" --user=root --pid-file="$WORK/dnsmasq.pid" --log-facility=- -q \
      2>/dev/null &
    server_pid=$! ;;
esac
# Up when port 69 is bound.
for _ in $(seq 50); do
  ip netns exec "$NS" ss -lun 2>/dev/null | grep -q "$HOST_IP:69 " && break
  sleep 0.1
done
ip netns exec "$NS" ss -lun | grep -q "$HOST_IP:69 " || { echo "FAIL: $SERVER did not bind port 69"; exit 1; }

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
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 240 \
        --seed "$seed" "${FAULTS[@]}" tftp get "$file" --server "$HOST_IP" --linger 0.3 "$@" 2>&1) \
    || status=$?
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ]; then
    echo "FAIL: $SERVER $file $* (seed $seed, exit $status)"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  # "FILE: N bytes in T s, R MB/s (blksize B, windowsize W)" and the counters.
  local line counters
  line=$(grep -m1 ' bytes in ' <<<"$out")
  counters=$(grep -m1 '^blocks ' <<<"$out")
  echo "RESULT $SERVER $MODE $file [$* ${FAULTS[*]}] :: ${line#*: } :: $counters"
  LAST_SECONDS=$(sed -n 's/.* bytes in \([0-9.]*\) s,.*/\1/p' <<<"$line")
  LAST_COUNTERS=$counters
}

# ratio LABEL: the last run's time over the clean run's.
ratio() {
  [ -n "${LAST_SECONDS:-}" ] && [ -n "${CLEAN_SECONDS:-}" ] || return 0
  echo "RATIO $SERVER $1: ${LAST_SECONDS} s / ${CLEAN_SECONDS} s clean = $(awk -v a="$LAST_SECONDS" -v b="$CLEAN_SECONDS" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x"
}

SMALL="size0 size1 size511 size512 size513"
if [ "$MODE" = reorder ]; then
  [ "$SERVER" = atftpd ] || { echo "reorder: windowsize needs atftpd"; exit 2; }
  FAULTS=()
  LAST_SECONDS=""
  get size16m --windowsize 16
  CLEAN_SECONDS=$LAST_SECONDS
  FAULTS=(--dup 1000 --reorder 500 --faults-way rx)
  LAST_SECONDS=""
  get size16m --windowsize 16
  ratio "every block doubled or swapped on the way in"
  held=$(sed -n 's/.*held \([0-9]*\).*/\1/p' <<<"${LAST_COUNTERS:-}")
  dups=$(sed -n 's/.*duplicates \([0-9]*\).*/\1/p' <<<"${LAST_COUNTERS:-}")
  if [ -n "$LAST_SECONDS" ] && { [ "${held:-0}" -eq 0 ] || [ "${dups:-0}" -eq 0 ]; }; then
    echo "FAIL: no block held ($held) or no duplicate dropped ($dups): were the faults injected?"
    failures=$((failures + 1))
  fi
  FAULTS=(--dup 1000 --reorder 500)
  LAST_SECONDS=""
  get size16m --windowsize 16
  ratio "doubled or swapped both ways (our ACKs too)"
  FAULTS=(--reorder 1000)
  LAST_SECONDS=""
  get size16m --windowsize 16
  ratio "pairs swapped both ways"
elif [ "$MODE" = clean ]; then
  for file in $SMALL size1m; do
    get "$file" --blksize 512 --windowsize 1
    get "$file" --blksize 512 --windowsize 16
    get "$file"
  done
else
  # A lock-step server pays its own retransmission timer (1 s for tftpd-hpa, 2 s
  # and more for dnsmasq: it backs off) for every DATA block the link loses;
  # nothing a client does shortens that. So the lossy runs against them stop at
  # 256 KiB (about 10 lost blocks); a windowed server (atftpd) recovers at our
  # pace and also gets 1 MiB. Windowsize 16 against a lock-step server is the
  # default request, and is dropped: the third case is that one.
  files="$SMALL size256k"
  [ "$SERVER" = atftpd ] && files="$files size1m"
  for file in $files; do
    get "$file" --blksize 512 --windowsize 1
    [ "$SERVER" = atftpd ] && get "$file" --blksize 512 --windowsize 16
    get "$file"
  done
fi

if [ "$MODE" = clean ]; then
  get size64m --blksize 512 --windowsize 1
  get size64m --blksize 512 --windowsize 16
  get size64m --windowsize 1
  get size64m --windowsize 16

  # Size only: tsize in the OACK, then ERROR 8 from us.
  runs=$((runs + 1))
  size=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 20 \
         tftp get size1m --server "$HOST_IP" --size-only | sed -n 's/^size=//p')
  if [ "$size" = $((1 << 20)) ]; then echo "RESULT $SERVER size-only size1m :: size=$size"
  else echo "FAIL: $SERVER size-only gave '$size'"; failures=$((failures + 1)); fi

  # A missing file: the server's ERROR, its code and text, exit 1.
  runs=$((runs + 1))
  status=0
  err=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 20 \
        tftp get missing.efi --server "$HOST_IP" 2>&1) || status=$?
  if [ "$status" -eq 1 ] && grep -q 'server error 1' <<<"$err"; then
    echo "RESULT $SERVER missing.efi :: ${err#mpxe-net tftp: }"
  else
    echo "FAIL: $SERVER missing file: exit $status: $err"; failures=$((failures + 1))
  fi
elif [ "$MODE" = faults ] && [ "$BIG" = 1 ]; then
  get size64m --blksize 512 --windowsize 16
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures of $runs runs against $SERVER ($MODE)"
  exit 1
fi
echo "PASS: $runs runs against $SERVER ($MODE)"
