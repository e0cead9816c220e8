#!/usr/bin/env bash
# mpxe doctor on a host stripped of what it looks for: each missing thing is named
# with the Debian package (or build step) that brings it, and the status says
# whether the default `mpxe run` can boot. No VM: it runs anywhere.
source "$(dirname "$0")/lib.sh"

# doctor [VAR=VALUE...]: mpxe doctor under that environment; STATUS, $WORK/stdout.
doctor() {
  echo "+ $* mpxe doctor"
  env "$@" "$MPXE" doctor </dev/null >"$WORK/stdout" 2>"$WORK/stderr"
  STATUS=$?
  sed 's/^/  /' "$WORK/stdout"
}
expect_line() {
  grep -Eq -- "$1" "$WORK/stdout" || fail "no doctor line matching /$1/"
}

mkdir "$WORK/empty-build" "$WORK/empty-path"
# Nothing on PATH, an empty build tree, OVMF elsewhere: the default run cannot boot.
doctor PATH="$WORK/empty-path" MPXE_BUILD_DIR="$WORK/empty-build" \
  MPXE_OVMF_VARS=/nonexistent/OVMF_VARS.fd
expect_status 1
expect_line '^  MISSING +QEMU .*qemu-system-x86_64 not found; apt-get install qemu-system-x86 '
expect_line '^  MISSING +OVMF variables .*/nonexistent/OVMF_VARS\.fd not found; apt-get install ovmf '
expect_line "^  MISSING +mpxe ROM virtio .*$WORK/empty-build/rom/mpxe-virtio\.rom not found; build the 'roms' target"
expect_line "^  missing +mpxe ROM e1000 "
expect_line "^  MISSING +mpsh \(payload\) .*build the 'firmware' target"
expect_line '^  missing +openssl .*openssl not found; apt-get install openssl '
expect_line '^mpxe run cannot boot: 4 MISSING above \(status 1\)'

# Only optional parts missing: the status stays 0 where the machine has the rest.
if command -v qemu-system-x86_64 >/dev/null && [[ -f /usr/share/OVMF/OVMF_CODE_4M.fd &&
      -f /usr/share/OVMF/OVMF_VARS_4M.fd && -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom &&
      -f $MPXE_BUILD_DIR/firmware/mpsh.efi ]]; then
  doctor MPXE_NGINX=/nonexistent/nginx MPXE_OPENSSL=/nonexistent/openssl
  expect_status 0
  expect_line '^  ok +QEMU .*qemu-system-x86_64 \(QEMU emulator version [0-9]'
  expect_line '^  missing +nginx +\[--http\] +/nonexistent/nginx not found; apt-get install nginx '
  expect_line '^  missing +openssl +\[--https\] .*apt-get install openssl '
  expect_line '^mpxe run is ready'
fi
finish
