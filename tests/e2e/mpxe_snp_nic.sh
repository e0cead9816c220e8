#!/usr/bin/env bash
# SNP on one NIC model, through both NBPs that drive it, and the receive filters
# they ask for reaching the NIC itself:
#   mpxe_snp_nic.sh NIC         (virtio, virtio-modern, e1000, e1000e)
#   1. GRUB's efinet, on QEMU's user network: it enables unicast, broadcast and
#      all-multicast (on the Intel parts RCTL.MPE), reads grub.cfg through SNP and
#      chainloads mpsh, which exits 0;
#   2. iPXE's snponly.efi on a TAP in a network namespace (root only), dnsmasq
#      serving DHCP and TFTP: iPXE enables every filter in ReceiveFilterMask, now
#      promiscuous too. While its script sleeps, the host sends 200 frames to
#      another station's MAC and 200 to a multicast group; iPXE's ifstat counts
#      them all received. Before SNP offered promiscuous, the Intel parts passed
#      neither kind (RCTL.UPE/MPE were never set) and virtio-net, which delivers
#      everything, only the multicast ones (our software filter dropped the rest).
source "$(dirname "$0")/lib.sh"
NIC=${1:?NIC model}
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
grub=/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
snponly=/usr/lib/ipxe/snponly.efi
[[ -f $grub ]] || skip "$grub not installed (package grub-efi-amd64-signed)"
[[ -f $snponly ]] || skip "$snponly not installed (package ipxe)"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
source "$(dirname "$0")/../interop/netns_lib.sh"
netns_setup
trap 'netns_cleanup; rm -rf "$WORK"' EXIT

# 1. GRUB.
pxe=$WORK/grub
mkdir -p "$pxe/grub"
cp "$grub" "$pxe/grubnetx64.efi"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
token=grub-$NIC-$RANDOM$RANDOM
cat >"$pxe/grub/grub.cfg" <<EOF
echo "$token: grub.cfg from \${net_default_server}"
chainloader (tftp)/mpsh.efi
boot
EOF
log=$WORK/grub.log
run_mpxe --stack mpxe --nic "$NIC" --pxe-folder "$pxe" --boot-file grubnetx64.efi \
  --serial-log "$log" --shell-cmd "exit 0"
expect_status 0
expect_in "$log" '^Welcome to GRUB!'
expect_in "$log" "^$token: grub\\.cfg from 10\\.0\\.2\\.2\$"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'

# 2. iPXE on the TAP. dnsmasq tells the two DHCP clients apart by iPXE's user
# class: our ROM gets snponly.efi, iPXE gets the script.
tftp=$WORK/tftp
mkdir "$tftp"
cp "$snponly" "$tftp/snponly.efi"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$tftp/"
cat >"$tftp/boot.ipxe" <<'EOF'
#!ipxe
ifstat net0
echo mpxe-snp: flood now
sleep 6
ifstat net0
chain tftp://${next-server}/mpsh.efi
EOF
chmod -R a+rX "$WORK"
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
  --bind-interfaces --pid-file= --leasefile-ro --dhcp-range=10.77.0.50,10.77.0.99,1h \
  --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:!ipxe,snponly.efi \
  --dhcp-boot=tag:ipxe,boot.ipxe --enable-tftp --tftp-root="$tftp" \
  --log-facility="$WORK/dnsmasq.log" >"$WORK/dnsmasq.out" 2>&1 &

log=$WORK/ipxe.log
frames=200
# Once iPXE says so, 200 frames to a station that is not there and 200 to a
# multicast group, paced so that no queue on the way overflows.
flood() {
  for _ in $(seq 1200); do
    [[ -f $log ]] && clean "$log" | grep -q '^mpxe-snp: flood now' && break
    sleep 0.1
  done
  ip netns exec "$NS" python3 - "$TAP" "$frames" <<'EOF'
import socket, sys, time
tap, count = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((tap, 0))
source = bytes.fromhex("020000000042")
others = [bytes.fromhex("020000000099"),  # unicast, another station
          bytes.fromhex("01005e010203")]  # 239.1.2.3's group
payload = b"\x88\xb5" + bytes(46)         # local experimental EtherType
for _ in range(count):
    for dest in others:
        s.send(dest + source + payload)
    time.sleep(0.01)
EOF
}
flood &
flood_pid=$!
run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --serial-log "$log" --shell-cmd "exit 0"
kill "$flood_pid" 2>/dev/null  # still waiting only if iPXE never got that far
wait "$flood_pid" 2>/dev/null
expect_status 0
expect_in "$log" 'net0: 52:54:00:12:34:56 using SNP on '
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
# The script's two ifstat lines are the last two (iPXE prints one when it opens).
rx=($(clean "$log" | sed -nE 's/^ *\[Link:up, TX:[0-9]+ TXE:[0-9]+ RX:([0-9]+) RXE:[0-9]+\]$/\1/p' |
  tail -2))
echo "  iPXE's RX count before and after the flood: ${rx[*]:-none}"
if ((${#rx[@]} != 2)); then
  fail "expected the script's two ifstat lines from iPXE, found ${#rx[@]}"
elif ((rx[1] - rx[0] < 2 * frames * 9 / 10)); then
  fail "iPXE received $((rx[1] - rx[0])) frames while the host sent $((2 * frames))"
fi
finish
