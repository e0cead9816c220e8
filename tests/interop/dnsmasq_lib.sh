# Shared by the interop scripts that run dnsmasq: source after netns_lib.sh and
# netns_setup. Keeps dnsmasq's pids and logs in $work, and can join a second
# namespace to our TAP's segment for a separate server (a ProxyDHCP or boot server).
#
#   start_dnsmasq NAME NAMESPACE INTERFACE ARGS...   in the background, logged to $work/NAME.log
#   stop_dnsmasq                                     every one started
#   bridge_segment                                   our TAP into br0 (HOST_IP moves to br0)
#   add_host NS DEV-NAME ADDRESS                     a namespace with a veth on br0

work=$(mktemp -d)
pids=()
extra_ns=()

dnsmasq_cleanup() {
  stop_dnsmasq
  for ns in "${extra_ns[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  netns_cleanup
  rm -rf "$work"
}
trap dnsmasq_cleanup EXIT

start_dnsmasq() {
  local name=$1 ns=$2 dev=$3
  shift 3
  ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
    --interface="$dev" --bind-interfaces --pid-file= --leasefile-ro --log-dhcp \
    --log-facility="$work/$name.log" "$@" &
  pids+=($!)
}

stop_dnsmasq() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# The e2e tests keep their own fail() (lib.sh), which collects failures.
declare -F fail >/dev/null || fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log; do [ -e "$log" ] && { echo "--- $log"; cat "$log"; }; done
  exit 1
}

bridge_segment() {
  ip -n "$NS" addr del "$HOST_IP/24" dev "$TAP"
  ip -n "$NS" link add br0 type bridge
  ip -n "$NS" link set br0 type bridge forward_delay 0 stp_state 0
  ip -n "$NS" link set "$TAP" master br0
  ip -n "$NS" addr add "$HOST_IP/24" dev br0
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 || true
  ip -n "$NS" link set br0 up
}

add_host() {
  local ns=$1 dev=$2 address=$3
  ip netns add "$ns"
  extra_ns+=("$ns")
  ip -n "$ns" link set lo up
  ip link add "$dev" netns "$ns" type veth peer "$dev-br" netns "$NS"
  ip -n "$NS" link set "$dev-br" master br0
  ip -n "$NS" link set "$dev-br" up
  ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" || true
  ip -n "$ns" addr add "$address/24" dev "$dev"
  ip -n "$ns" link set "$dev" up
}
