#!/usr/bin/env bash
# Interop: our stack (mpxe-net, on a TAP in a private namespace) against the Linux
# kernel on the other side of the TAP.
#  1. we ping the kernel: ARP request out, reply in, ICMP echo both ways;
#  2. the kernel pings us: it resolves us by ARP and we answer its echo requests;
#  3. we ping through the fault injector dropping 20% of frames each way (seeded,
#     so a failure replays): some replies must still arrive.
#   ping_test.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
netns_setup

out=$(mktemp)
trap 'rm -f "$out"; netns_cleanup' EXIT

count_replies() { grep -c "bytes from $HOST_IP" "$out" || true; }

echo "== 1. we ping the kernel"
in_ns "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 20 -v ping "$HOST_IP" -c 3 | tee "$out"
replies=$(count_replies)
[ "$replies" -eq 3 ] || { echo "FAIL: expected 3 replies on a clean link, got $replies"; exit 1; }

echo "== 2. the kernel pings us"
# Our stack runs while pinging an address no one has, so the kernel cannot learn
# our MAC from our own ARP requests: it has to ask, and we have to answer.
ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 20 -v \
  ping 10.77.0.99 -c 6 -i 0.5 >/dev/null 2>"$out.stack" &
stack=$!
sleep 0.5
status=0
in_ns python3 "$HERE/kernel_ping.py" 10.77.0.2 3 || status=$?
wait "$stack" || true  # it pinged no one: failing is its job here
cat "$out.stack"; rm -f "$out.stack"
[ "$status" -eq 0 ] || { echo "FAIL: the kernel's echo requests went unanswered"; exit 1; }

echo "== 3. 20% drop each way (seeded)"
in_ns "$MPXE_NET" --tap "$TAP" --ip 10.77.0.3/24 --drop 200 --seed 7 --timeout 30 -v \
  ping "$HOST_IP" -c 10 -i 0.3 | tee "$out"
replies=$(count_replies)
[ "$replies" -ge 1 ] || { echo "FAIL: no reply got through 20% loss"; exit 1; }
echo "PASS: $replies of 10 replies through 20% loss"
