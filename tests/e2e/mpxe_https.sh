#!/usr/bin/env bash
# HTTPS boot through our ROM alone: the runner's nginx with TLS (a per-run CA and
# certificate for 10.0.2.2, the CA handed over as fw_cfg etc/edk2/https/cacerts, a
# virtio RNG for entropy), QEMU's DHCP naming an https:// URL, and our driver
# fetching it over TLS on its own TCP.
#   mpxe_https.sh CORES 0    the shell at CORES processors; then a server of the
#                            user's, with fw_cfg etc/edk2/https/ciphers choosing the
#                            suite; then a server whose certificate names another
#                            host, and one whose CA the guest was not given: each
#                            refused by name (109)
#   mpxe_https.sh CORES MiB  the shell plus MiB of random data: sha256= equals the
#                            host's, --sha256 passes
#   mpxe_https.sh CORES MiB APS  the same with the connections, TLS and all, on up to
#                            APS application processors (--http-aps)
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
command -v openssl >/dev/null || skip "openssl not installed"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
cores=${1:-4}
mib=${2:-0}
aps=${3:-}
placement=()
[[ -n $aps ]] && placement=(--http-aps "$aps")
pxe=$WORK/pxe
mkdir "$pxe"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$pxe/boot.efi"
((mib > 0)) && head -c $((mib << 20)) /dev/urandom >>"$pxe/boot.efi"
size=$(stat -c %s "$pxe/boot.efi")
image_sha=$(sha256sum "$pxe/boot.efi" | cut -d' ' -f1)
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --cores "$cores" --https --pxe-folder "$pxe" \
  --boot-file boot.efi --sha256 "$image_sha" --serial-log "$log" --shell-cmd "exit 0" \
  "${placement[@]}"
expect_status 0
url="https://10\\.0\\.2\\.2:[0-9]+/boot\\.efi"
expect_in "$log" "^mpxe: boot server 10\\.0\\.2\\.2 file '$url'\$"
expect_in "$log" '^mpxe: tls: [0-9]+ KiB heap; entropy: EFI_RNG_PROTOCOL; clock [0-9]{4}-'
expect_in "$log" '^mpxe: tls: 1 trust anchor from fw_cfg etc/edk2/https/cacerts$'
# TCG's default CPU (qemu64) has no AES-NI: ChaCha20-Poly1305 is offered first and taken.
expect_in "$log" '^mpxe: tls: cipher suites: ChaCha20-Poly1305 first \(the CPU has no AES instructions\)$'
expect_in "$log" '^mpxe: https: TLSv1\.3, TLS13-CHACHA20-POLY1305-SHA256'
expect_in "$log" "^mpxe: file '$url' $size bytes \\(byte ranges accepted\\)\$"
connections=1
((mib > 0)) && connections=$((cores < 4 ? cores : 4))
suffix=s; ((connections == 1)) && suffix=
expect_in "$log" "^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, http [0-9]+ ms \\($size bytes, [0-9.]+ MB/s, $connections connection$suffix\\)\$"
if [[ -n $aps ]] && ((aps > 0)); then
  on=$((cores - 1 < connections ? cores - 1 : connections))
  on=$((on < aps ? on : aps))
  expect_in "$log" "^mpxe: http: $connections connections? on $on APs?\$"
  expect_in "$log" "^mpxe: http: connections on APs: [0-9]+ segments, 0 bad, "
fi
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
((mib > 0)) && finish

# Servers of "the user's" (--boot-url, --ca-cert). First one whose certificate
# names the address only as an IP entry (no DNS name, no CN): it boots, with the
# suites of fw_cfg etc/edk2/https/ciphers: TLS_AES_128_CCM_8_SHA256 (which mpxe
# does not have: skipped and named), then TLS_AES_256_GCM_SHA384 (taken).
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=e2e test CA" 2>/dev/null || fail "openssl req (CA)"
openssl req -newkey rsa:2048 -nodes -keyout ip.key -out ip.csr -subj "/O=e2e" 2>/dev/null ||
  fail "openssl req (IP server)"
printf 'subjectAltName=IP:10.0.2.2\n' >ip.ext
openssl x509 -req -in ip.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile ip.ext -out ip.pem 2>/dev/null || fail "openssl x509 (IP server)"
start_tls_nginx "$WORK/ip.pem" "$WORK/ip.key" "$pxe"
printf '\x13\x05\x13\x02' >"$WORK/ciphers"
log1=$WORK/serial-ip.log
run_mpxe --stack mpxe --nic virtio --cores "$cores" \
  --boot-url "https://10.0.2.2:$TLS_PORT/boot.efi" --ca-cert "$WORK/ca.pem" \
  --serial-log "$log1" --shell-cmd "exit 0" \
  -- -fw_cfg "name=etc/edk2/https/ciphers,file=$WORK/ciphers"
expect_status 0
expect_in "$log1" '^mpxe: tls: 1 cipher suite from fw_cfg etc/edk2/https/ciphers: TLS13-AES256-GCM-SHA384; not supported, skipped: 0x1305$'
expect_in "$log1" '^mpxe: https: TLSv1\.3, TLS13-AES256-GCM-SHA384'
expect_in "$log1" '^mpsh [^ ]+ - mpxe shell'

# Then a refusal each, with its cause on the console and the runner's last line:
# no byte of the boot file is fetched from either.
openssl req -newkey rsa:2048 -nodes -keyout other.key -out other.csr \
  -subj /CN=other.example 2>/dev/null || fail "openssl req (server)"
printf 'subjectAltName=DNS:other.example\n' >other.ext
openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile other.ext -out other.pem 2>/dev/null || fail "openssl x509"
openssl req -x509 -newkey rsa:2048 -nodes -keyout unrelated.key -out unrelated.pem -days 2 \
  -subj /CN=unrelated 2>/dev/null || fail "openssl req (unrelated)"
start_tls_nginx "$WORK/other.pem" "$WORK/other.key" "$pxe"

log2=$WORK/serial-name.log
run_mpxe --stack mpxe --nic virtio --cores "$cores" \
  --boot-url "https://10.0.2.2:$TLS_PORT/boot.efi" --ca-cert "$WORK/ca.pem" \
  --serial-log "$log2" --shell-cmd "exit 0"
expect_status 109
expect_in "$log2" '^mpxe: tls: 1 trust anchor from fw_cfg etc/edk2/https/cacerts$'
expect_in "$log2" 'certificate for another name: asked for 10\.0\.2\.2, the certificate names other\.example'
expect_stderr '^mpxe: boot failed: .*certificate for another name'

log3=$WORK/serial-ca.log
run_mpxe --stack mpxe --nic virtio --cores "$cores" \
  --boot-url "https://10.0.2.2:$TLS_PORT/boot.efi" --ca-cert "$WORK/unrelated.pem" \
  --serial-log "$log3" --shell-cmd "exit 0"
expect_status 109
expect_in "$log3" 'certificate from an unknown CA: /CN=other\.example issued by /CN=e2e test CA'
expect_stderr '^mpxe: boot failed: .*certificate from an unknown CA'
finish
