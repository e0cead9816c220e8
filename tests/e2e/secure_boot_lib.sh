# Helpers of the --secure-boot tests (sourced after lib.sh). secure_boot_setup finds
# what the tests boot under Secure Boot and sets:
#   SB_CERT      the certificate to enrol (PK, KEK, db)
#   SB_SIGNED    a folder holding mpsh.efi signed by SB_CERT's key
#   SB_UNSIGNED  a folder holding mpsh.efi with no signature at all
# SB_CERT is the build's signing certificate (build/firmware/signing-cert.pem): the
# build signs mpsh.efi with its key, so a shell it does not verify is a defect.
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
  [[ -f $SB_CERT ]] || { fail "the build wrote no signing certificate ($SB_CERT)"; exit 1; }
  sbverify --cert "$SB_CERT" "$mpsh" >/dev/null 2>&1 ||
    { fail "the build's certificate does not verify $mpsh"; exit 1; }
  cp "$mpsh" "$SB_SIGNED/mpsh.efi"
  sbverify --cert "$SB_CERT" "$SB_SIGNED/mpsh.efi" >/dev/null 2>&1 || fail "the signed copy does not verify"
  sbverify --list "$SB_UNSIGNED/mpsh.efi" 2>&1 | grep -q 'No signature table' ||
    fail "the unsigned copy still carries a signature"
}
