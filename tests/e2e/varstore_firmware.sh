#!/usr/bin/env bash
# The firmware writes the Secure Boot key databases itself, now, and the runner's
# offline writer must match what it wrote: tests/data/varstore/regenerate.sh boots
# Debian's Secure Boot OVMF in setup mode into EDK II's UEFI Shell, which sets db,
# dbx, KEK and PK from payloads signed with the fixture's test key, into a fresh
# folder; then runner_test's VarstoreAgainstFirmware tests run on that store instead
# of the committed one (MPXE_VARSTORE_DIR). No network, no mpxe run.
source "$(dirname "$0")/lib.sh"

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
runner_test=$MPXE_BUILD_DIR/bin/runner_test
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
for f in /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /usr/share/OVMF/OVMF_VARS_4M.fd \
    /usr/share/OVMF/OVMF_VARS_4M.ms.fd; do
  [[ -f $f ]] || skip "$f not installed (ovmf)"
done
[[ -f ${MPXE_UEFI_SHELL:-$source_dir/.tools/uefi-shell/Shell.efi} ]] ||
  skip "the UEFI Shell is not built (scripts/setup --uefi-shell)"
command -v sign-efi-sig-list >/dev/null && command -v cert-to-efi-sig-list >/dev/null ||
  skip "efitools not installed"
[[ -x $runner_test ]] || skip "$runner_test not built"

mkdir "$WORK/store"
echo "+ regenerate.sh $WORK/store"
bash "$source_dir/tests/data/varstore/regenerate.sh" "$WORK/store" >"$WORK/stdout" 2>&1
STATUS=$?
sed 's/^/  /' "$WORK/stdout"
expect_status 0

if [[ -f $WORK/store/firmware-vars.bin ]]; then
  echo "+ runner_test --gtest_filter='VarstoreAgainstFirmware.*' on that store"
  MPXE_VARSTORE_DIR=$WORK/store "$runner_test" --gtest_filter='VarstoreAgainstFirmware.*' \
    >"$WORK/gtest" 2>&1
  STATUS=$?
  sed 's/^/  /' "$WORK/gtest"
  expect_status 0
  grep -q '^\[  PASSED  \] 3 tests' "$WORK/gtest" || fail "not the 3 VarstoreAgainstFirmware tests passing"
fi
finish
