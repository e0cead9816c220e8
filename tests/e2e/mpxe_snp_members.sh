#!/usr/bin/env bash
# Every EFI_SIMPLE_NETWORK_PROTOCOL member an NBP with its own stack can call
# (GRUB's efinet, iPXE's snponly), as mpsh's `snp` sees it on the boot device's
# handle, the one the PXE Base Code is on.
#   mpxe_snp_members.sh NIC [mpxe|ovmf]
# mpsh boots from QEMU's user network (no TAP, no root) through our ROM (mpxe)
# or stock OVMF (ovmf, virtio only), runs `snp` and exits. `snp` never calls
# Reset; an SNP it finds initialized (OVMF's) it uses as it is; one it finds
# stopped (our ROM's: an NBP brings it up itself) it starts and initializes as
# GRUB and iPXE do, and afterwards shuts down and stops again, so the shell's
# PXE Base Code keeps the NIC.
# Asserted from mpsh's own lines: GetStatus, MCastIpToMac, a two-group
# multicast list read back from the Mode, ResetMCastFilter leaving none,
# promiscuous on and off (each where ReceiveFilterMask offers it, our ROM must
# offer all), one broadcast frame sent and its buffer recycled; for mpxe also
# the Statistics size query (BUFFER_TOO_SMALL and a size), the table, its reset
# and TxTotalFrames up after Transmit (OVMF's are only printed: its virtio-net
# has no counters). The whole report is in the test log as
# "artifact snp-STACK-NIC: ..." lines; with MPXE_E2E_ARTIFACTS=DIR also as files.
source "$(dirname "$0")/lib.sh"
NIC=${1:?NIC model}
STACK=${2:-mpxe}
require_machine
[[ $STACK == ovmf || -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"

log=$WORK/snp.log
run_mpxe --stack "$STACK" --nic "$NIC" --shell-cmd "snp; exit 0" --serial-log "$log"
sed 's/^/  stderr: /' "$WORK/stderr"
expect_status 0

report=$WORK/snp.txt
clean "$log" | grep '^snp: ' >"$report"
echo "---- artifact snp-$STACK-$NIC ($(wc -l <"$report") lines)"
sed "s/^/artifact snp-$STACK-$NIC: /" "$report"
echo "---- end of artifact snp-$STACK-$NIC"
if [[ -n ${MPXE_E2E_ARTIFACTS:-} ]]; then
  mkdir -p "$MPXE_E2E_ARTIFACTS"
  cp "$report" "$MPXE_E2E_ARTIFACTS/snp-$STACK-$NIC.txt"
  clean "$log" >"$MPXE_E2E_ARTIFACTS/snp-$STACK-$NIC.console.txt"
fi

mac='([0-9a-f]{2}:){5}[0-9a-f]{2}'
expect_in "$log" '^snp: protocol: SUCCESS on the boot device '
# Found initialized (OVMF: MNP runs on it) or brought up as an NBP does (our
# ROM: its own stack runs under SNP, which an NBP starts), then put back.
expect_in "$log" '^snp: (Mode\.State: 2 Initialized|Initialize: SUCCESS State was Started -> State 2 Initialized .*)$'
if clean "$log" | grep -q '^snp: Initialize: '; then
  expect_in "$log" '^snp: Shutdown: SUCCESS back to the state found -> State 1 Started$'
  clean "$log" | grep -q '^snp: Start: ' &&
    expect_in "$log" '^snp: Stop: SUCCESS back to the state found -> State 0 Stopped$'
fi
expect_in "$log" '^snp: Mode\.HwAddressSize: 6$'
expect_in "$log" '^snp: Mode\.MediaHeaderSize: 14$'
expect_in "$log" "^snp: Mode\\.CurrentAddress: $mac\$"
expect_in "$log" '^snp: Mode\.BroadcastAddress: ff:ff:ff:ff:ff:ff$'
expect_in "$log" '^snp: GetStatus: SUCCESS '
expect_in "$log" '^snp: MCastIpToMac: SUCCESS 239\.1\.2\.3 -> 01:00:5e:01:02:03$'
expect_in "$log" '^snp: MCastIpToMac: SUCCESS 224\.0\.0\.251 -> 01:00:5e:00:00:fb$'
# Our ROM offers every filter on every NIC model. Other SNPs are held to what
# their ReceiveFilterMask offers: a filter outside it is INVALID_PARAMETER
# (UEFI 2.10, 24.1). OVMF's virtio-net offers no multicast and is always
# promiscuous (it accepts "promiscuous off" and stays so).
mask=$(sed -nE 's/^snp: Mode\.ReceiveFilterMask: 0x([0-9a-f]+) .*/\1/p' "$report")
[[ -n $mask ]] || { fail "no Mode.ReceiveFilterMask line"; mask=0; }
[[ $STACK != mpxe || $((16#$mask)) == 31 ]] ||
  fail "our ROM's ReceiveFilterMask is 0x$mask, expected 0x1f (every filter)"
if (( 16#$mask & 0x02 )); then
  expect_in "$log" '^snp: ReceiveFilters\(multicast list\): SUCCESS .* MCastFilterCount 2$'
  expect_in "$log" '^snp: Mode\.MCastFilterCount: 2 01:00:5e:01:02:03 01:00:5e:00:00:fb$'
  expect_in "$log" '^snp: Mode\.ReceiveFilterSetting: 0x[0-9a-f]+ [A-Z_|]*\bMULTICAST\b'
else
  expect_in "$log" '^snp: ReceiveFilters\(multicast list\): INVALID_PARAMETER .* MCastFilterCount 0$'
fi
expect_in "$log" '^snp: ReceiveFilters\(ResetMCastFilter\): SUCCESS .* MCastFilterCount 0$'
grep -Eq '^snp: ReceiveFilters\(ResetMCastFilter\): .*[ |]MULTICAST[ |]' "$report" &&
  fail "multicast by list is still on after ResetMCastFilter"
if (( 16#$mask & 0x08 )); then
  expect_in "$log" '^snp: ReceiveFilters\(promiscuous on\): SUCCESS -> ReceiveFilterSetting 0x[0-9a-f]+ [A-Z_|]*\bPROMISCUOUS\b'
  expect_in "$log" '^snp: ReceiveFilters\(promiscuous off\): SUCCESS '
  [[ $STACK != mpxe ]] ||
    ! grep -Eq '^snp: ReceiveFilters\(promiscuous off\): .*[ |]PROMISCUOUS[ |]' "$report" ||
    fail "promiscuous is still on after disabling it"
else
  expect_in "$log" '^snp: ReceiveFilters\(promiscuous on\): INVALID_PARAMETER '
fi
expect_in "$log" '^snp: Transmit: SUCCESS HeaderSize 14 BufferSize 60 to ff:ff:ff:ff:ff:ff EtherType 0x88b5 '
expect_in "$log" '^snp: Transmit\.GetStatus: SUCCESS TxBuf recycled .* header ff:ff:ff:ff:ff:ff 88b5$'
expect_in "$log" '^snp: Receive: (SUCCESS|NOT_READY) '
# Statistics: our ROM keeps counters; OVMF's virtio-net answers UNSUPPORTED
# (printed above only).
if [[ $STACK == mpxe ]]; then
  expect_in "$log" '^snp: Statistics\(size\): BUFFER_TOO_SMALL Size [1-9][0-9]* '
  expect_in "$log" '^snp: Statistics: SUCCESS '
  expect_in "$log" '^snp: Statistics\(reset\): SUCCESS '
  expect_in "$log" '^snp: Statistics\(after reset\): SUCCESS .*RxTotalFrames 0 '
  expect_in "$log" '^snp: Statistics\(after Transmit\): SUCCESS .*TxTotalFrames [1-9]'
  expect_in "$log" '^snp: Statistics\.TxTotalFrames: [0-9]+ -> [0-9]+ increased$'
  expect_in "$log" '^snp: StationAddress: SUCCESS '
fi
expect_in "$log" '^snp: done$'
finish
