#!/usr/bin/env bash
# Our ROM against a TFTP server whose OACK breaks RFC 2347 (bad_tftp_server.py,
# which grants a blksize nobody asked): the boot must end with the line that
# names the violation and the server's address, once, and the firmware moving
# on (status 109) -- not a bare status. dnsmasq answers DHCP only and points at
# the bad server. The NIC sits on a TAP in a network namespace this test makes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
  --bind-interfaces --pid-file= --leasefile-ro --dhcp-range=10.77.0.50,10.77.0.99,1h \
  --dhcp-boot=boot.efi,,10.77.0.1 --log-facility="$WORK/dnsmasq.log" &
ip netns exec "$NS" python3 "$(dirname "$0")/../interop/bad_tftp_server.py" 10.77.0.1 \
  blksize-larger >"$WORK/server.log" 2>&1 &
log=$WORK/bad-oack.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --serial-log "$log"
expect_status 109
# The size query asks tsize alone, so any blksize is one never asked.
line='^mpxe: cannot get the size of .boot\.efi.: bad OACK from 10\.77\.0\.1: blksize 4096 granted, never asked$'
expect_in "$log" "$line"
(($(clean "$log" | grep -cE "$line") == 1)) || fail "the cause is printed more than once"
grep -q '^client ERROR 8: ' "$WORK/server.log" || fail "the server never got our ERROR 8"
# The runner's last word names the same cause.
expect_stderr '^mpxe: boot failed: mpxe: cannot get the size of .boot\.efi.: bad OACK from 10\.77\.0\.1: blksize 4096 granted, never asked; then '
finish
