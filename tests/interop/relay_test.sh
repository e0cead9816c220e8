#!/usr/bin/env bash
# Interop: real servers across a bad link in both directions. mpxe-relay sits
# between our client's TAP and a veth to the servers (relay_setup in
# netns_lib.sh) and drops, duplicates, reorders and corrupts frames each way,
# seeded; behind it:
#   dnsmasq   DHCP: a lease and its boot file
#   atftpd    TFTP with windowsize 16
#   nginx     HTTP, in 4 parallel ranges (and on one connection)
# Every download is compared by SHA-256 with the served file. Then the relay's
# counters must show every kind of fault in each direction (else the run proved
# nothing) and add up: out + send errors = in - dropped + duplicated.
#
#   relay_test.sh path/to/mpxe-net path/to/mpxe-relay [single]
#     first a ping with every frame held for reordering (each must leave on the
#     relay's timer); then one client: DHCP, TFTP 1 MiB at blksize 512 and 4 MiB
#     at the defaults, HTTP 4 MiB on 1 and 4 connections; every frame on its TAP
#     must have crossed the relay
#   relay_test.sh path/to/mpxe-net path/to/mpxe-relay storm
#     three clients at once on three bridged TAPs (RELAY_CLIENT_TAPS), each DHCP,
#     TFTP 4 MiB and HTTP 4 MiB on 4 connections, through the one relay
#   SEED=N FAULTS="--drop 20 ..." relay_test.sh ...   another run, another link
#
# Prints one "RESULT" line per exchange and per direction of the relay. Exits 77
# (skip) when not root, without /dev/net/tun, ethtool or one of the servers.
set -euo pipefail
MPXE_NET=$1
RELAY=$2
MODE=${3:-single}
case "$MODE" in single | storm) ;; *) echo "unknown mode $MODE"; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
for server in dnsmasq atftpd nginx; do
  command -v "$server" >/dev/null || skip "$server is not installed"
done

netns_setup
WORK=$(mktemp -d /tmp/mpxe-relay-test-XXXXXX)
chmod 755 "$WORK"
pids=()
cleanup() {
  relay_stop
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

SEED=${SEED:-17}
read -r -a FAULTS <<<"${FAULTS:---drop 20 --dup 10 --reorder 50 --corrupt 10}"
CLIENTS=1
if [ "$MODE" = storm ]; then
  CLIENTS=3
  RELAY_CLIENT_TAPS="tap0 tap1 tap2"
  relay_setup "$RELAY" "${FAULTS[@]}" --seed "$SEED"
else
  # First every frame held for reordering, and no neighbour to swap with.
  relay_setup "$RELAY" --reorder 1000 --seed "$SEED"
fi

# Random bytes, so a misplaced block or segment cannot go unnoticed.
mkdir -p "$WORK/root" "$WORK/tmp"
make_file() { head -c "$2" /dev/urandom >"$WORK/root/$1"; chmod 644 "$WORK/root/$1"; }
make_file size1m $((1 << 20))
make_file size4m $((4 << 20))
chmod 755 "$WORK/root"

ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$HOST_IF" \
  --bind-interfaces --pid-file= --leasefile-ro --log-dhcp --log-facility="$WORK/dnsmasq.log" \
  --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h --dhcp-boot=pxe.efi,,"$HOST_IP" \
  2>"$WORK/dnsmasq.err" &
pids+=($!)
# A 1 s retry timer, as a PXE server would be set up.
ip netns exec "$NS" atftpd --daemon --no-fork --port 69 --bind-address "$HOST_IP" \
  --user root --group root --retry-timeout 1 --logfile /dev/null \
  --pidfile "$WORK/atftpd.pid" "$WORK/root" &
pids+=($!)
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen $HOST_IP:80; root $WORK/root; }
}
CONF
ip netns exec "$NS" nginx -c "$WORK/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do
  ip netns exec "$NS" ss -lntu 2>/dev/null >"$WORK/ss"
  grep -q "$HOST_IP:69 " "$WORK/ss" && grep -q "$HOST_IP:80 " "$WORK/ss" &&
    grep -q ':67 ' "$WORK/ss" && break
  sleep 0.1
done

failures=0
runs=0
# One MAC per client for every run: the servers' neighbour entry for it stays
# right even when a gratuitous ARP is lost on the way.
MAC=52:54:00:12:34:50
CLIENT_IP=10.77.0.20/24

# client ARGS...: mpxe-net on the TAP; output in $out, status in $status, seconds in $took.
client() {
  local t0 t1
  runs=$((runs + 1))
  status=0
  t0=$(date +%s.%N)
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 120 "$@" 2>&1) ||
    status=$?
  t1=$(date +%s.%N)
  took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

failed() {
  echo "FAIL: $* (seed $SEED, exit $status)"
  echo "$out" | sed 's/^/    /'
  failures=$((failures + 1))
}

# fetch WHAT FILE ARGS...: a download by mpxe-net, byte-exact or a failure.
fetch() {
  local what=$1 file=$2
  shift 2
  local expected got
  client --ip "$CLIENT_IP" "$@"
  expected=$(sha256sum "$WORK/root/$file" | cut -d' ' -f1)
  got=$(sed -n 's/^sha256=//p' <<<"$out")
  if [ "$status" -ne 0 ] || [ "$got" != "$expected" ]; then
    failed "$what $file: sha256 '$got', want $expected"
    return
  fi
  echo "RESULT relay $what $file :: $(grep -m1 ' bytes in ' <<<"$out" | sed 's/^[^:]*: //') :: $(grep -m1 -E '^(blocks|tcp:) ' <<<"$out")"
}

# dhcp: a lease from dnsmasq with the boot file, or a failure.
dhcp() {
  client dhcp
  if [ "$status" -eq 0 ] && grep -qE '^address: 10\.77\.0\.(1[0-4][0-9]|150)$' <<<"$out" &&
     grep -qx 'boot-file: pxe.efi' <<<"$out"; then
    echo "RESULT relay dhcp dnsmasq :: $(grep -m1 '^address: ' <<<"$out"), $(grep -m1 '^boot-file: ' <<<"$out") in $took s"
  else
    failed "DHCP: no lease with the boot file"
  fi
}

tap_stat() { ip netns exec "$NS" cat "/sys/class/net/$TAP/statistics/$1"; }

if [ "$MODE" = single ]; then
  echo "== ping with every frame held: each leaves on the relay's timer, none is stuck"
  client --ip "$CLIENT_IP" ping "$HOST_IP" -c 3 -i 0.3
  relay_stop
  late_a=$(relay_counter a-to-b released-late)
  late_b=$(relay_counter b-to-a released-late)
  if [ "$status" -eq 0 ] && grep -q '^3 packets transmitted, 3 received' <<<"$out" &&
     [ "$late_a" -ge 3 ] && [ "$late_b" -ge 3 ]; then
    echo "RESULT relay ping all held :: $(grep -m1 'packets transmitted' <<<"$out") :: released late: a-to-b $late_a, b-to-a $late_b"
  else
    failed "ping with every frame held: released late a-to-b '$late_a', b-to-a '$late_b'"
    cat "$RELAY_LOG"
  fi

  # Then the lossy link, for the rest.
  relay_start "${FAULTS[@]}" --seed "$SEED"
  head -n 3 "$RELAY_LOG"
  tap_in0=$(tap_stat rx_packets)
  tap_out0=$(($(tap_stat tx_packets) + $(tap_stat tx_dropped)))

  echo "== DHCP from dnsmasq"
  dhcp
  echo "== TFTP from atftpd, windowsize 16"
  fetch "tftp atftpd blksize 512" size1m tftp get size1m --server "$HOST_IP" --linger 0.3 \
    --blksize 512 --windowsize 16
  fetch "tftp atftpd" size4m tftp get size4m --server "$HOST_IP" --linger 0.3 --windowsize 16
  echo "== HTTP from nginx"
  fetch "http nginx x1" size4m http get "http://$HOST_IP/size4m" --connections 1
  fetch "http nginx x4" size4m http get "http://$HOST_IP/size4m" --connections 4
else
  head -n 3 "$RELAY_LOG"
  echo "== $CLIENTS clients at once: DHCP, TFTP (windowsize 16), HTTP (4 connections) each"
  storm_pids=()
  for i in $(seq 0 $((CLIENTS - 1))); do
    (
      TAP=tap$i
      MAC=52:54:00:12:34:5$i
      CLIENT_IP=10.77.0.$((20 + i))/24
      dhcp
      fetch "tftp atftpd client $i" size4m tftp get size4m --server "$HOST_IP" --linger 0.3 \
        --windowsize 16
      fetch "http nginx x4 client $i" size4m http get "http://$HOST_IP/size4m" --connections 4
      exit "$failures"
    ) >"$WORK/client$i.out" 2>&1 &
    storm_pids+=($!)
  done
  for i in $(seq 0 $((CLIENTS - 1))); do
    client_failures=0
    wait "${storm_pids[$i]}" || client_failures=$?
    cat "$WORK/client$i.out"
    failures=$((failures + client_failures))
    runs=$((runs + 3))
  done
fi

relay_stop
echo "== the relay's counters"
tail -n 2 "$RELAY_LOG"
for direction in a-to-b b-to-a; do
  declare -A c=()
  for name in in out dropped duplicated reordered corrupted send-errors; do
    c[$name]=$(relay_counter "$direction" "$name")
    c[$name]=${c[$name]:-0}
  done
  echo "RESULT relay $direction :: in ${c[in]}, out ${c[out]}, dropped ${c[dropped]}, duplicated ${c[duplicated]}, reordered ${c[reordered]}, corrupted ${c[corrupted]}"
  for name in dropped duplicated reordered corrupted; do
    if [ "${c[$name]}" -eq 0 ]; then
      echo "FAIL: $direction: no frame $name: the faults did not reach this direction"
      failures=$((failures + 1))
    fi
  done
  if [ $((c[out] + c[send-errors])) -ne $((c[in] - c[dropped] + c[duplicated])) ]; then
    echo "FAIL: $direction: out ${c[out]} + send errors ${c[send-errors]} != in ${c[in]} - dropped ${c[dropped]} + duplicated ${c[duplicated]}"
    failures=$((failures + 1))
  fi
  unset c
done

if [ "$MODE" = single ]; then
  # Every frame on the TAP crossed the relay: the relay took every frame of the
  # client's, and the kernel sent none of its own there (the relay's legs are
  # wires, not hosts). The TAP may count fewer than the relay sent: a frame sent
  # while no client holds the TAP is dropped before any counter.
  tap_in=$(($(tap_stat rx_packets) - tap_in0))
  tap_out=$(($(tap_stat tx_packets) + $(tap_stat tx_dropped) - tap_out0))
  echo "RESULT relay $TAP :: the client sent $tap_in frames, was sent $tap_out"
  if [ "$tap_in" -ne "$(relay_counter a-to-b in)" ] || [ "$tap_out" -gt "$(relay_counter b-to-a out)" ]; then
    echo "FAIL: $TAP carried frames the relay did not (client $tap_in, to the client $tap_out)"
    failures=$((failures + 1))
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "FAIL: $failures problems in $runs runs through the relay ($MODE, seed $SEED)"
  cat "$WORK/dnsmasq.log" 2>/dev/null | tail -n 40 || true
  exit 1
fi
echo "PASS: $runs runs through the relay ($MODE), faults counted each way (seed $SEED)"
