#!/usr/bin/env bash
# HTTP boot through our ROM from servers that misbehave (tests/interop/
# bad_http_server.py), on a TAP in a network namespace this test makes (root only),
# with dnsmasq naming http://10.77.0.1:8080/big.efi (the shell and 8 MiB of
# padding; --sha256 makes the ROM check every byte):
#   1. cut-ranges: the first response for each range is cut after 300000 bytes;
#      each range is asked again from where it stopped and the shell runs;
#   2. trickle: the head, then a byte a second; the ROM gives up within its
#      bounds (20 s under 1 KiB/s, one fresh GET: about 45 s; the test allows
#      150 s), names the cause with its figures, and the boot ends in status 109;
#   3. (virtio only) cut-plain: no ranges, the first response cut; one fresh GET
#      boots the shell;
#   4. (virtio only) slow-first: the range from byte 0 at 100 KB/s (within its
#      own rules, half a minute to its end), the others at once, the connections
#      on 3 APs (--http-aps); they come back to the BSP, a connection that
#      finished takes the rest over, and the shell runs.
#   mpxe_http_hostile.sh NIC
NIC=${1:-virtio}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
command -v python3 >/dev/null || skip "no python3"
netns_setup
HERE=$(cd "$(dirname "$0")" && pwd)

cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$WORK/big.efi"
head -c $((8 << 20)) /dev/urandom >>"$WORK/big.efi"
digest=$(sha256sum "$WORK/big.efi" | cut -d' ' -f1)

ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
  --bind-interfaces --pid-file= --leasefile-ro --dhcp-range=10.77.0.50,10.77.0.99,1h \
  --dhcp-boot=http://$HOST_IP:8080/big.efi --log-facility="$WORK/dnsmasq.log" &

SERVER=
# serve MODE ARGS...: bad_http_server.py on HOST_IP:8080 with big.efi, the last one stopped.
serve() {
  if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
  ip netns exec "$NS" python3 "$HERE/../interop/bad_http_server.py" "$HOST_IP" 8080 "$1" \
    --file "$WORK/big.efi" "${@:2}" >"$WORK/server-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do
    ip netns exec "$NS" ss -ltn 2>/dev/null | grep -q "$HOST_IP:8080 " && return
    sleep 0.1
  done
  fail "bad_http_server.py $1 did not listen"
}

serve cut-ranges --cut 300000
log=$WORK/cut-ranges.log
run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --sha256 "$digest" --serial-log "$log" \
  --shell-cmd "exit 0"
expect_status 0
expect_in "$log" '^mpxe: http: [1-9][0-9]* cut ranges? resumed'
expect_in "$log" "^sha256=$digest\$"

serve trickle
log=$WORK/trickle.log
start=$SECONDS
run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --serial-log "$log"
expect_status 109
((SECONDS - start <= 150)) || fail "the trickle took $((SECONDS - start)) s, bound 150 s"
expect_in "$log" "^mpxe: download of 'http://10\\.77\\.0\\.1:8080/big\\.efi' failed: .*server too slow: [0-9]+ bytes in [0-9]+ ms"
expect_stderr "^mpxe: boot failed: mpxe: download of 'http://10\\.77\\.0\\.1:8080/big\\.efi' failed: .*server too slow: .*; then "

if [[ $NIC == virtio ]]; then
  serve cut-plain --cut 300000
  log=$WORK/cut-plain.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --sha256 "$digest" --serial-log "$log" \
    --shell-cmd "exit 0"
  expect_status 0
  expect_in "$log" "^sha256=$digest\$"

  serve slow-first --rate 100000
  log=$WORK/slow-first.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --sha256 "$digest" --serial-log "$log" \
    --http-aps 3 --shell-cmd "exit 0"
  expect_status 0
  expect_in "$log" '^mpxe: http: a connection runs far slower than one that has finished; the rest runs on the BSP'
  expect_in "$log" '^mpxe: http: 1 slow range taken over by a faster connection'
  expect_in "$log" "^sha256=$digest\$"
fi
kill "$SERVER" 2>/dev/null
finish
