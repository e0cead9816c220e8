#!/usr/bin/env bash
# Interop: mpxe-relay carries frames as large as the MTU allows, here 9000-byte
# jumbo frames, and harms them like any other. Two kernels in namespaces of
# their own (a client and a server, each on a veth with MTU 9000) talk through
# the relay in the test's namespace, which holds the veths' other ends:
#
#   client (10.9.0.1) == a2 <-> mpxe-relay <-> b1 == server (10.9.0.2)
#
# The client sends 48 UDP datagrams of 8900 bytes, four at a time, never
# fragmented (PMTU discovery "do": a datagram too big for the path is refused,
# not split), the server echoes each; every echo must come back byte-exact, with
# frames held back and duplicated on the way, and the relay must have truncated
# none. Duplicates go one way only (--b-to-a-dup 0 over --dup), and the counters
# are reported every 0.2 s (--stats-every) as well as at the end.
#
#   relay_jumbo_test.sh path/to/mpxe-relay
set -euo pipefail
RELAY=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v python3 >/dev/null || skip "no python3"
command -v ethtool >/dev/null || skip "no ethtool(8) (scripts/setup installs it)"
netns_setup
CLIENT_NS="$NS-cl"
SERVER_NS="$NS-sv"
cleanup() {
  relay_stop
  for ns in "$CLIENT_NS" "$SERVER_NS"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  netns_cleanup
}
trap cleanup EXIT
ip netns add "$CLIENT_NS"
ip netns add "$SERVER_NS"
ip link add a1 netns "$CLIENT_NS" type veth peer a2 netns "$NS"
ip link add b1 netns "$NS" type veth peer b2 netns "$SERVER_NS"
for end in "$CLIENT_NS a1" "$NS a2" "$NS b1" "$SERVER_NS b2"; do
  read -r ns dev <<<"$end"
  ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" || true
  ip -n "$ns" link set "$dev" mtu 9000
  ip netns exec "$ns" ethtool -K "$dev" rx off tx off tso off gso off gro off >/dev/null 2>&1 ||
    ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off
  ip -n "$ns" link set "$dev" up
done
ip -n "$NS" link set a2 arp off
ip -n "$NS" link set b1 arp off
ip -n "$CLIENT_NS" addr add 10.9.0.1/24 dev a1
ip -n "$SERVER_NS" addr add 10.9.0.2/24 dev b2

RELAY_BIN=$RELAY
RELAY_LEG_A=a2
RELAY_LEG_B=b1
# Duplicates one way only: a direction's own setting overrides the common one.
relay_start --reorder 300 --dup 200 --b-to-a-dup 0 --seed 5 --stats-every 0.2
head -n 1 "$RELAY_LOG"

sleep 0.5  # one --stats-every report at least before the traffic
ip netns exec "$SERVER_NS" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.0.2", 9999))
s.settimeout(20)
while True:
    data, peer = s.recvfrom(65536)
    s.sendto(data, peer)
' &
sleep 0.3
status=0
ip netns exec "$CLIENT_NS" python3 -c '
import os, socket, sys
IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
s.settimeout(1)
sent = {i: bytes([i]) + os.urandom(8899) for i in range(48)}
echoed = set()
# Four at a time (neighbours for the relay to swap; few enough for the
# kernels queues), each window sent again until echoed, three tries at most.
for first in range(0, len(sent), 4):
    window = range(first, first + 4)
    for attempt in range(3):
        for i in window:
            if i not in echoed:
                s.sendto(sent[i], ("10.9.0.2", 9999))
        try:
            while not all(i in echoed for i in window):
                data, _ = s.recvfrom(65536)
                if sent.get(data[0]) != data:
                    print("FAIL: an echo of", len(data), "bytes matches nothing sent")
                    sys.exit(1)
                echoed.add(data[0])
            break
        except socket.timeout:
            pass
print("RESULT relay jumbo :: %d of %d datagrams of 8900 bytes echoed byte-exact" % (len(echoed), len(sent)))
sys.exit(0 if len(echoed) == len(sent) else 1)
' || status=$?

relay_stop
tail -n 2 "$RELAY_LOG"
failures=$status
for direction in a-to-b b-to-a; do
  [ "$(relay_counter "$direction" reordered)" -gt 0 ] || {
    echo "FAIL: $direction: no frame reordered"; failures=$((failures + 1)); }
  [ "$(relay_counter "$direction" truncated)" -eq 0 ] || {
    echo "FAIL: $direction: frames truncated"; failures=$((failures + 1)); }
done
[ "$(relay_counter a-to-b duplicated)" -gt 0 ] || {
  echo "FAIL: a-to-b: no frame duplicated"; failures=$((failures + 1)); }
[ "$(relay_counter b-to-a duplicated)" -eq 0 ] || {
  echo "FAIL: b-to-a: frames duplicated despite --b-to-a-dup 0"; failures=$((failures + 1)); }
reports=$(grep -c '^a-to-b ' "$RELAY_LOG" || true)
[ "$reports" -ge 3 ] || {
  echo "FAIL: $reports reports of the counters, want --stats-every's and the last"
  failures=$((failures + 1)); }
if [ "$failures" -ne 0 ]; then echo "FAIL: jumbo frames through the relay"; exit 1; fi
echo "PASS: jumbo frames through the relay"
