#!/usr/bin/env bash
# HTTP boot through our ROM alone: the runner's nginx serves the PXE folder, QEMU's
# DHCP names an http:// URL, and our driver fetches it over its own TCP -- HEAD for
# the size, then one GET or one byte range per processor -- into BDS's buffer.
#   mpxe_http_boot.sh            the shell (a small file): it runs and sees the lease
#   mpxe_http_boot.sh CORES MiB  the shell plus MiB of random data, at CORES
#                                processors: sha256= equals the host's, --sha256 passes
#   mpxe_http_boot.sh CORES MiB APS  the same with the connections on up to APS
#                                application processors (--http-aps): the BSP keeps
#                                the NIC and the hash, and no segment is lost or bad.
#                                With one processor there is no AP: the BSP runs the
#                                same connection code itself. APS 0: on the BSP.
#   mpxe_http_boot.sh CORES MiB APS lossy  the same over a lossy link: the ROM drops
#                                0.3%, duplicates 0.5%, reorders 1% and corrupts
#                                0.2% of the frames each way (mpxe run --faults,
#                                a fixed seed so a failure replays); the image must
#                                still arrive byte for byte.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
cores=${1:-4}
mib=${2:-0}
aps=${3:-}
link=${4:-clean}
placement=()
[[ -n $aps ]] && placement=(--http-aps "$aps")
faults=drop=3,dup=5,reorder=10,corrupt=2,seed=7
[[ $link == lossy ]] && placement+=(--faults "$faults")
pxe=$WORK/pxe
mkdir "$pxe"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$pxe/boot.efi"
((mib > 0)) && head -c $((mib << 20)) /dev/urandom >>"$pxe/boot.efi"
size=$(stat -c %s "$pxe/boot.efi")
image_sha=$(sha256sum "$pxe/boot.efi" | cut -d' ' -f1)
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --cores "$cores" --http --pxe-folder "$pxe" \
  --boot-file boot.efi --sha256 "$image_sha" --serial-log "$log" --shell-cmd "net; exit 0" \
  "${placement[@]}"
expect_status 0
expect_in "$log" "^mpxe: boot server 10\\.0\\.2\\.2 file 'http://10\\.0\\.2\\.2:[0-9]+/boot\\.efi'\$"
expect_in "$log" "^mpxe: file 'http://10\\.0\\.2\\.2:[0-9]+/boot\\.efi' $size bytes \\(byte ranges accepted\\)\$"
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
# One connection for a small file; one range per processor (at most 4) for a big one.
connections=1
((mib > 0)) && connections=$((cores < 4 ? cores : 4))
suffix=s; ((connections == 1)) && suffix=
expect_in "$log" "^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, http [0-9]+ ms \\($size bytes, [0-9.]+ MB/s, $connections connection$suffix\\)\$"
# On the BSP, several connections take the image in 4 MiB chunks, in order.
chunks=$(((size + (4 << 20) - 1) / (4 << 20)))
if ((connections > 1)) && [[ -z $aps || $aps == 0 ]] && ((chunks > connections)); then
  expect_in "$log" "^mpxe: http: $chunks chunks of 4 MiB over $connections connections\$"
fi
if [[ -n $aps ]] && ((aps > 0)); then
  on=$((cores - 1 < connections ? cores - 1 : connections))
  on=$((on < aps ? on : aps))
  expect_in "$log" "^mpxe: http: $connections connections? on $on APs?\$"
  bad=0
  [[ $link == lossy ]] && bad='[0-9]+'
  expect_in "$log" "^mpxe: http: connections on APs: [0-9]+ segments, $bad bad, [0-9]+ dropped on full rings"
fi
if [[ $link == lossy ]]; then
  expect_in "$log" "^mpxe: test link: drop 3, duplicate 5, reorder 10, corrupt 2 per mille each way \\(seed 7\\)\$"
fi
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
expect_in "$log" "^net: server 10\\.0\\.2\\.2 file http://10\\.0\\.2\\.2:[0-9]+/boot\\.efi\$"
finish
