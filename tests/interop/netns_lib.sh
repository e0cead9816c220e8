# Shared by the interop scripts: a private network namespace holding one TAP
# device, torn down however the script ends. Source it, then call netns_setup.
#
#   NS         the namespace (mpxe-it-<pid>), made and deleted here
#   TAP        the TAP device in it (tap0); the kernel side has HOST_IP
#   HOST_IP    10.77.0.1, on TAP with a /24; our stack takes other addresses
#   HOST_IF    the interface that carries HOST_IP, where servers bind: TAP, or
#              after relay_setup the veth end past the relay
#
# Only the namespace made here is touched. Exits 77 (CTest's SKIP_RETURN_CODE)
# when the test cannot run here: not root, no /dev/net/tun, no `ip`.

NS="mpxe-it-$$"
TAP=tap0
HOST_IP=10.77.0.1
HOST_IF=$TAP
RELAY_BIN=""
RELAY_LEG_A=""
RELAY_LEG_B=""
RELAY_PID=""
RELAY_LOG=""

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
  if [ -n "$RELAY_LOG" ]; then rm -f "$RELAY_LOG"; fi
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

# relay_setup RELAY [OPTIONS...]: puts mpxe-relay (the binary RELAY, given
# OPTIONS: --drop/--dup/--reorder/--corrupt PERMILLE, --a-to-b-*/--b-to-a-*,
# --seed N) between the client and the servers, after netns_setup:
#
#   client on TAP  <->  mpxe-relay (A = TAP, B = vrelay)  <->  vrelay == vhost (HOST_IP/24)
#
# TAP stays what the client attaches to (mpxe-net --tap, mpxe run --tap) and
# loses its address; HOST_IP moves to vhost, and HOST_IF names it for servers
# that bind to an interface (dnsmasq --interface). A to B is the client's
# traffic, B to A the servers'. The relay's legs are wires, not hosts: no
# address, no ARP, no IPv6, so every frame between client and servers crosses
# the relay. Offloads are off on the veth, so the relay sees whole frames with
# their checksums, as a real link carries them. RELAY_PID is the relay, RELAY_LOG
# its output: the counters at the end (relay_stop). relay_start OPTIONS... starts
# it again after a relay_stop, on another link if the options differ (or, with
# RELAY_BIN, RELAY_LEG_A and RELAY_LEG_B set, between legs of another topology).
#
# For several clients at once (a boot storm), set RELAY_CLIENT_TAPS="tap0 tap1 ..."
# first: those TAPs (TAP among them, the others made here) are bridged (brc), and
# the relay's leg A is the veth from that bridge:
#
#   TAPs == brc == vclients == vcrelay  <->  mpxe-relay  <->  vrelay == vhost (HOST_IP/24)
relay_setup() {
  RELAY_BIN=$1
  shift
  [ -x "$RELAY_BIN" ] || { echo "FAIL: no relay at $RELAY_BIN"; exit 1; }
  command -v ethtool >/dev/null || skip "no ethtool(8) (scripts/setup installs it)"
  ip -n "$NS" addr flush dev "$TAP"
  wire_only "$TAP"
  RELAY_LEG_A=$TAP
  if [ -n "${RELAY_CLIENT_TAPS:-}" ]; then
    # Several clients (a boot storm): their TAPs bridged, the bridge's veth is leg A.
    ip -n "$NS" link add brc type bridge
    ip -n "$NS" link set brc type bridge forward_delay 0 stp_state 0
    wire_only brc
    local tap
    for tap in $RELAY_CLIENT_TAPS; do
      [ "$tap" = "$TAP" ] || ip -n "$NS" tuntap add dev "$tap" mode tap
      wire_only "$tap"
      ip -n "$NS" link set "$tap" master brc
      ip -n "$NS" link set "$tap" up
    done
    ip -n "$NS" link add vclients type veth peer name vcrelay
    wire_only vclients offloads
    wire_only vcrelay offloads
    ip -n "$NS" link set vclients master brc
    ip -n "$NS" link set vclients up
    ip -n "$NS" link set vcrelay up
    ip -n "$NS" link set brc up
    RELAY_LEG_A=vcrelay
  fi
  ip -n "$NS" link add vrelay type veth peer name vhost
  RELAY_LEG_B=vrelay
  wire_only vrelay offloads
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.vhost.disable_ipv6=1 || true
  no_offloads vhost
  ip -n "$NS" addr add "$HOST_IP/24" dev vhost
  ip -n "$NS" link set vrelay up
  ip -n "$NS" link set vhost up
  HOST_IF=vhost
  relay_start "$@"
}

# wire_only DEV [offloads]: DEV takes no part in the kernel's IP (no IPv6, no ARP,
# no address); with "offloads", its checksum and segmentation offloads are off too.
wire_only() {
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" || true
  ip -n "$NS" link set "$1" arp off
  if [ "${2:-}" = offloads ]; then no_offloads "$1"; fi
}

no_offloads() {
  ip netns exec "$NS" ethtool -K "$1" rx off tx off tso off gso off gro off >/dev/null 2>&1 ||
    ip netns exec "$NS" ethtool -K "$1" tx off tso off gso off
}

relay_start() {
  [ -n "$RELAY_LOG" ] || RELAY_LOG=$(mktemp /tmp/mpxe-relay-XXXXXX.log)
  ip netns exec "$NS" "$RELAY_BIN" "$RELAY_LEG_A" "$RELAY_LEG_B" "$@" >"$RELAY_LOG" 2>&1 &
  RELAY_PID=$!
  for _ in $(seq 50); do
    grep -q '^ready$' "$RELAY_LOG" && return 0
    kill -0 "$RELAY_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: mpxe-relay did not start"
  cat "$RELAY_LOG"
  exit 1
}

# relay_stop: ends the relay (SIGTERM); its last counters are then in RELAY_LOG.
relay_stop() {
  [ -n "$RELAY_PID" ] || return 0
  kill -TERM "$RELAY_PID" 2>/dev/null || true
  wait "$RELAY_PID" 2>/dev/null || true
  RELAY_PID=""
}

# relay_counter DIRECTION NAME: the relay's last figure NAME (dropped, out, ...)
# for DIRECTION (a-to-b, b-to-a), from RELAY_LOG.
relay_counter() {
  grep "^$1 " "$RELAY_LOG" | tail -n 1 | grep -o "[ ,]$2 [0-9]*" | grep -o '[0-9]*$'
}

# mpxe ARGS...: $MPXE_NET in the namespace on $TAP with the stack's own flags
# (MPXE_NET_STACK, e.g. --ip 10.77.0.2/24), --timeout MPXE_NET_TIMEOUT (240),
# the next --seed and the test's FAULTS; sets $out (stdout and stderr) and
# $status.
mpxe() {
  seed=$((${seed:-0} + 1))
  status=0
  out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" "${MPXE_NET_STACK[@]}" \
        --timeout "${MPXE_NET_TIMEOUT:-240}" --seed "$seed" "${FAULTS[@]}" "$@" 2>&1) || status=$?
}

# fails WHAT PATTERN MAX_SECONDS ARGS...: `mpxe ARGS` (above, or the test's own
# function that sets $out and $status) must exit 1 with PATTERN in its output
# within MAX_SECONDS; counts into the test's $runs and $failures.
fails() {
  local what=$1 pattern=$2 max=$3
  shift 3
  runs=$((runs + 1))
  local t0 t1
  t0=$(date +%s)
  mpxe "$@"
  t1=$(date +%s)
  if [ "$status" -eq 1 ] && grep -q -- "$pattern" <<<"$out" && [ $((t1 - t0)) -le "$max" ]; then
    echo "RESULT $what :: $(grep -m1 'mpxe-net http' <<<"$out") ($((t1 - t0)) s)"
  else
    echo "FAIL: $what: exit $status after $((t1 - t0)) s, want /$pattern/ within $max s"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
}
