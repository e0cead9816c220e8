# Shared by the interop scripts that run dnsmasq: source after netns_lib.sh and
# netns_setup. Keeps dnsmasq's pids and logs in $work, and can join a second
# namespace to our TAP's segment for a separate server (a ProxyDHCP or boot server).
#
#   start_dnsmasq NAME NAMESPACE INTERFACE ARGS...   in the background, logged to $work/NAME.log
#   stop_dnsmasq                                     every one started
#   bridge_segment                                   our TAP into br0 (HOST_IP moves to br0)
#   add_host NS DEV-NAME ADDRESS                     a namespace with a veth on br0
#   start_menu_site PROXY_NS TFTP_ROOT PROMPT ...    the two-host PXE menu site
#   expect FIELD VALUE                               a "FIELD: VALUE" line of $work/out

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

# expect FIELD VALUE: mpxe-net's line "FIELD: VALUE" is in the last output ($work/out).
expect() {
  grep -qx "$1: $2" "$work/out" || fail "expected '$1: $2'"
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

# start_menu_site PROXY_NS TFTP_ROOT PROMPT [ADDRESS-SERVER ARGS...]: the PXE site
# with a boot menu the menu tests and bench/menu_site boot from. Our segment is
# bridged; dnsmasq "address" on br0 hands out 10.77.0.100-150 (router 10.77.0.1)
# and nothing else; dnsmasq "proxy" in PROXY_NS (10.77.0.2, another host of the
# segment) is ProxyDHCP and TFTP server of TFTP_ROOT with the menu "Boot mpsh"
# (mpsh.efi), local boot, "Other" (missing.efi, which it does not have), and
# PROMPT as its pxe-prompt ("TEXT,SECONDS").
start_menu_site() {
  local proxy_ns=$1 root=$2 prompt=$3
  shift 3
  bridge_segment
  add_host "$proxy_ns" pxy0 10.77.0.2
  start_dnsmasq address "$NS" br0 --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
    --dhcp-option=option:router,10.77.0.1 "$@"
  start_dnsmasq proxy "$proxy_ns" pxy0 --dhcp-range=10.77.0.0,proxy --enable-tftp \
    --tftp-root="$root" "--pxe-prompt=$prompt" \
    "--pxe-service=X86-64_EFI,Boot mpsh,mpsh.efi" \
    "--pxe-service=X86-64_EFI,Boot from local disk" \
    "--pxe-service=X86-64_EFI,Other,missing.efi"
  sleep 0.5
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
