#!/usr/bin/env bash
# HTTPS trust through our ROM, beyond fw_cfg (mpxe_https.sh has that path):
#  1. the CA only in the TlsCaCertificate variable (gEfiTlsCaCertificateGuid, NV+BS,
#     what OVMF's TLS Auth Configuration page leaves when a CA is enrolled), no fw_cfg
#     etc/edk2/https/cacerts: the shell boots over https and the console names the
#     variable as the source of its anchors;
#  2. a server certificate that expired, and 3. one not valid yet (both from the
#     test's own CA, dates set with `openssl ca`): each refused by name with its dates
#     and our clock, status 109 as every https refusal, no byte of the file fetched.
# One VM boot per case: the ROM boots the one URL the DHCP answer names.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
command -v openssl >/dev/null || skip "openssl not installed"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/boot.efi"
size=$(stat -c %s "$pxe/boot.efi")

# 1. The runner's CA as the variable: OVMF's TlsAuthConfigLib leaves an NV variable
# alone when the fw_cfg file is absent, so the ROM reads what was enrolled.
log=$WORK/serial-var.log
run_mpxe --stack mpxe --nic virtio --cores 1 --https --ca-cert-in-var --pxe-folder "$pxe" \
  --boot-file boot.efi --serial-log "$log" --shell-cmd "exit 0"
expect_status 0
expect_stderr '^mpxe: https: the guest trusts 1 certificate \(the TlsCaCertificate variable in the run.s OVMF variable store\)$'
expect_in "$log" '^mpxe: tls: 1 trust anchor from the TlsCaCertificate variable$'
clean "$log" | grep -q 'etc/edk2/https/cacerts' && fail "the console names the fw_cfg file"
expect_in "$log" '^mpxe: https: TLSv1\.3, TLS13-'
expect_in "$log" "^mpxe: file 'https://10\\.0\\.2\\.2:[0-9]+/boot\\.efi' $size bytes"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'

# The test's CA, and `openssl ca` for the server certificates: unlike `openssl x509
# -days`, it sets notBefore and notAfter to any date.
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=e2e dates CA" 2>/dev/null || fail "openssl req (CA)"
cat >ca.cnf <<'CNF'
[ca]
default_ca = dates
[dates]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
CNF
: >index.txt
echo 01 >serial
printf 'subjectAltName=IP:10.0.2.2,DNS:10.0.2.2\n' >server.ext
# sign NAME START END: NAME.pem for 10.0.2.2, valid from START to END (YYYYMMDDHHMMSSZ).
sign() {
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1 server" \
    2>/dev/null || fail "openssl req ($1)"
  openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$1.csr" -out "$1.pem" \
    -notext -extfile server.ext -startdate "$2" -enddate "$3" 2>/dev/null || fail "openssl ca ($1)"
}
sign expired 20000101000000Z 20010101000000Z
sign early 20900101000000Z 20910101000000Z
# The host agrees with what the guest is to say (openssl's own view of the dates).
openssl x509 -in expired.pem -noout -checkend 0 >/dev/null && fail "expired.pem is still valid"
[[ $(openssl x509 -in early.pem -noout -startdate) == "notBefore=Jan  1 00:00:00 2090 GMT" ]] ||
  fail "early.pem does not start in 2090"

# refused NAME WHAT FROM TO: a boot from a server with NAME.pem (its CA given by
# fw_cfg) ends in 109, the console and the runner naming WHAT with both dates and our
# clock (the RTC: the host's UTC date), and nginx never saw a request.
refused() {
  start_tls_nginx "$WORK/$1.pem" "$WORK/$1.key" "$pxe"
  local log=$WORK/serial-$1.log
  local day_before day_after
  day_before=$(date -u +%F)
  run_mpxe --stack mpxe --nic virtio --cores 1 \
    --boot-url "https://10.0.2.2:$TLS_PORT/boot.efi" --ca-cert "$WORK/ca.pem" \
    --serial-log "$log" --shell-cmd "exit 0"
  day_after=$(date -u +%F)
  expect_status 109
  expect_in "$log" '^mpxe: tls: 1 trust anchor from fw_cfg etc/edk2/https/cacerts$'
  expect_in "$log" "$2: /CN=$1 server valid from $3 to $4, our clock says ($day_before|$day_after) [0-9]{2}:[0-9]{2}:[0-9]{2} UTC"
  expect_stderr "^mpxe: boot failed: .*$2"
  clean "$log" | grep -q '^mpsh [^ ]+ - mpxe shell' && fail "the shell ran from $1's server"
  [[ -s $TLS_NGINX_ACCESS_LOG ]] && fail "$1's server got a request: $(head -1 "$TLS_NGINX_ACCESS_LOG")"
}
refused expired 'certificate expired' '2000-01-01 00:00:00 UTC' '2001-01-01 00:00:00 UTC'
refused early 'certificate not yet valid' '2090-01-01 00:00:00 UTC' '2091-01-01 00:00:00 UTC'
finish
