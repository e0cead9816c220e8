#!/usr/bin/env bash
# Interop: our DHCP client (mpxe-net dhcp) against a hostile server
# (hostile_dhcp_server.py), which answers every DISCOVER with broken offers from
# its own addresses: an option past the packet's end, an option of the wrong
# size, option overload pointing at garbage, an offer without a server id, a plain
# BOOTP reply.
#  1. the hostile server alone: DHCP fails within its bound (15 s of DISCOVERs,
#     the test allows 25 s) and the faults line names each fault with its sender;
#  2. dnsmasq beside a server whose overload points at garbage: the lease comes
#     from dnsmasq, and the faults line still names the broken server.
#   dhcp_hostile.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
command -v python3 >/dev/null || skip "no python3"
netns_setup

. "$HERE/dnsmasq_lib.sh"

MAC=52:54:00:12:34:56

# hostile FAULT...: starts the hostile server and waits until it listens.
hostile() {
  ip netns exec "$NS" python3 "$HERE/hostile_dhcp_server.py" "$TAP" "$@" >"$work/hostile.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    grep -q '^hostile DHCP on' "$work/hostile.log" && return
    sleep 0.1
  done
  fail "the hostile server did not start"
}

# run_dhcp BOUND_SECONDS: mpxe-net dhcp; status in $status, output in $work/out.
run_dhcp() {
  local t0=$SECONDS
  status=0
  in_ns "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 60 dhcp >"$work/out" 2>&1 || status=$?
  cat "$work/out"
  elapsed=$((SECONDS - t0))
  [ "$elapsed" -le "$1" ] || fail "took $elapsed s, bound $1 s"
}

# has_fault TEXT: the faults line names TEXT.
has_fault() {
  grep '^faults: ' "$work/out" | grep -qF -- "$1" || fail "the faults line does not name '$1'"
}

echo "== 1. the hostile server alone"
hostile
run_dhcp 25
[ "$status" -eq 1 ] || fail "mpxe-net dhcp exited $status, want 1"
grep -q '^dhcp: failed: no DHCP offer' "$work/out" || fail "no 'no DHCP offer' line"
grep -q '^offer .* bootp from' "$work/hostile.log" || fail "the hostile server sent nothing"
has_fault "dhcp: truncated ("
has_fault "first from 10.77.0.3)"  # an option past the end: the first truncated one
has_fault "dhcp: bad option (" && has_fault "first from 10.77.0.4)"
has_fault "no server identifier (" && has_fault "first from 10.77.0.6)"
has_fault "no message type (BOOTP) (" && has_fault "first from 10.77.0.7)"
stop_dnsmasq

echo "== 2. dnsmasq beside a server whose overload points at garbage"
start_dnsmasq good "$NS" "$TAP" --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
  --dhcp-boot=pxe.efi,,10.77.0.1
hostile overload
sleep 0.5
run_dhcp 15
[ "$status" -eq 0 ] || fail "mpxe-net dhcp exited $status with dnsmasq on the link"
grep -qE '^address: 10\.77\.0\.(1[0-4][0-9]|150)$' "$work/out" || fail "no address from dnsmasq"
expect server 10.77.0.1
expect boot-file pxe.efi
has_fault "dhcp: truncated ("
has_fault "first from 10.77.0.5)"
echo "PASS"
