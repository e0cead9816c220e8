# Helpers of the --secure-boot tests (sourced after lib.sh). secure_boot_setup finds
# what the tests boot under Secure Boot and sets:
#   SB_CERT      the certificate to enrol (PK, KEK, db)
#   SB_SIGNED    a folder holding mpsh.efi signed by SB_CERT's key
#   SB_UNSIGNED  a folder holding mpsh.efi with no signature at all
# The build's signing certificate (build/firmware/signing-cert.pem) is used when it
# verifies the built mpsh.efi; otherwise a key made here signs a copy (a build that
# does not sign yet).
secure_boot_setup() {
  [[ -f /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ]] || skip "OVMF's Secure Boot build not installed (ovmf)"
  command -v sbsign >/dev/null && command -v sbattach >/dev/null || skip "sbsigntool not installed"
  local mpsh=$MPXE_BUILD_DIR/firmware/mpsh.efi
  SB_CERT=$MPXE_BUILD_DIR/firmware/signing-cert.pem
  SB_SIGNED=$WORK/signed
  SB_UNSIGNED=$WORK/unsigned
  mkdir -p "$SB_SIGNED" "$SB_UNSIGNED"
  cp "$mpsh" "$SB_UNSIGNED/mpsh.efi"
  # Fails on an image that carries no signature: then the copy is unsigned already.
  sbattach --remove "$SB_UNSIGNED/mpsh.efi" >/dev/null 2>&1 || true
  if [[ -f $SB_CERT ]] && sbverify --cert "$SB_CERT" "$mpsh" >/dev/null 2>&1; then
    cp "$mpsh" "$SB_SIGNED/mpsh.efi"
    echo "signed by the build: $SB_CERT"
  else
    SB_CERT=$WORK/test-signing.pem
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=mpxe e2e test signing key" \
      -keyout "$WORK/test-signing.key" -out "$SB_CERT" 2>/dev/null || fail "openssl could not make a key"
    sbsign --key "$WORK/test-signing.key" --cert "$SB_CERT" --output "$SB_SIGNED/mpsh.efi" \
      "$SB_UNSIGNED/mpsh.efi" >/dev/null 2>&1 || fail "sbsign failed"
    echo "the build does not sign mpsh.efi with a certificate of its own: signed here with $SB_CERT"
  fi
  sbverify --cert "$SB_CERT" "$SB_SIGNED/mpsh.efi" >/dev/null 2>&1 || fail "the signed copy does not verify"
  sbverify --list "$SB_UNSIGNED/mpsh.efi" 2>&1 | grep -q 'No signature table' ||
    fail "the unsigned copy still carries a signature"
}
