# Shared by the interop scripts: a private network namespace holding one TAP
# device, torn down however the script ends. Source it, then call netns_setup.
#
#   NS         the namespace (mpxe-it-<pid>), made and deleted here
#   TAP        the TAP device in it (tap0); the kernel side has HOST_IP
#   HOST_IP    10.77.0.1, on TAP with a /24; our stack takes other addresses
#
# Only the namespace made here is touched. Exits 77 (CTest's SKIP_RETURN_CODE)
# when the test cannot run here: not root, no /dev/net/tun, no `ip`.

NS="mpxe-it-$$"
TAP=tap0
HOST_IP=10.77.0.1

skip() {
  echo "SKIP: $*"
  exit 77
}

netns_cleanup() {
  # Whatever still runs in the namespace goes with it.
  if ip netns pids "$NS" >/dev/null 2>&1; then
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
  fi
}

netns_setup() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun"
  command -v ip >/dev/null || skip "no ip(8)"
  trap netns_cleanup EXIT
  trap 'exit 130' INT TERM
  ip netns add "$NS" || skip "cannot create a network namespace"
  ip -n "$NS" link set lo up
  ip -n "$NS" tuntap add dev "$TAP" mode tap
  # No IPv6 on the link: no router or neighbour solicitations from the kernel, so
  # every frame on it belongs to the test (and a seeded fault run replays).
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" || true
  ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
  ip -n "$NS" link set "$TAP" up
}

# Runs a command inside the namespace, echoing it first.
in_ns() {
  echo "+ $*"
  ip netns exec "$NS" "$@"
}
