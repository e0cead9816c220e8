#!/usr/bin/env bash
# --stack ovmf --https: EDK II's HttpBootDxe/TlsDxe boots mpsh over TLS from the
# runner's nginx, trusting only the run's CA, which reaches it as fw_cfg
# etc/edk2/https/cacerts (OVMF's TlsAuthConfigLib copies it into TlsCaCertificate).
# The same with the CA enrolled as the TlsCaCertificate variable instead of the file
# (--ca-cert-in-var): EDK II's own TLS takes the variable the runner writes, the one
# mpxe's ROM is tested with (mpxe_https_trust.sh).
# Then the same server with another CA handed over instead: OVMF must refuse it.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
command -v openssl >/dev/null || skip "openssl not installed"
log=$WORK/serial.log
run_mpxe --stack ovmf --https --shell-cmd "ver; exit 0" --serial-log "$log"
expect_status 0
expect_stderr '^mpxe: https: the guest trusts 1 certificate \(fw_cfg etc/edk2/https/cacerts\)'
expect_stderr 'over TLS on 127\.0\.0\.1:[0-9]+'
expect_in "$log" '^  URI: https://10\.0\.2\.2:[0-9]+/mpsh\.efi$'
expect_in "$log" 'Downloading\.\.\.100%'
expect_in "$log" 'BdsDxe: starting Boot0000 .*/Uri\(https://10\.0\.2\.2:[0-9]+/mpsh\.efi\)$'
expect_in "$log" '^mpsh [0-9]'

logv=$WORK/serial-var.log
run_mpxe --stack ovmf --https --ca-cert-in-var --shell-cmd "ver; exit 0" --serial-log "$logv"
expect_status 0
expect_stderr '^mpxe: https: the guest trusts 1 certificate \(the TlsCaCertificate variable in the run.s OVMF variable store\)$'
grep -q 'etc/edk2/https/cacerts' "$WORK/stderr" && fail "--ca-cert-in-var still handed over the fw_cfg file"
expect_in "$logv" 'Downloading\.\.\.100%'
expect_in "$logv" '^mpsh [0-9]'

# A server whose certificate the guest's anchors do not cover: nginx with its own
# self-signed certificate, the guest given an unrelated CA. No unverified download.
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 \
  -subj /CN=10.0.2.2 -addext subjectAltName=IP:10.0.2.2 2>/dev/null || fail "openssl req"
openssl req -x509 -newkey rsa:2048 -nodes -keyout unrelated.key -out unrelated.pem -days 2 \
  -subj /CN=unrelated 2>/dev/null || fail "openssl req"
mkdir -p pxe
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" pxe/
start_tls_nginx "$WORK/other.pem" "$WORK/other.key" "$WORK/pxe"
port=$TLS_PORT
log2=$WORK/serial2.log
run_mpxe --stack ovmf --boot-url "https://10.0.2.2:$port/mpsh.efi" --ca-cert "$WORK/unrelated.pem" \
  --shell-cmd "exit 0" --serial-log "$log2"
expect_status 109
clean "$log2" | grep -q '^mpsh [0-9]' && fail "OVMF booted from a server no anchor covers"
# The refusal is the certificate check's: TlsDxe drops the connection in the middle
# of the handshake, after the server's certificate (no alert: nginx logs the close,
# at info), and never sends a request.
grep -E 'SSL|alert|handshake' "$TLS_NGINX_LOG" | tail -3 | sed 's/^/  nginx: /'
expect_in "$TLS_NGINX_LOG" 'peer closed connection in SSL handshake'
finish
