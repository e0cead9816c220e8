#!/usr/bin/env bash
# --http without a working nginx ends at once with status 112 and one line, before
# QEMU starts: nginx missing from PATH, and an "nginx" that exits instead of serving.
source "$(dirname "$0")/lib.sh"
require_machine
qemu=$(command -v qemu-system-x86_64)

# Debian keeps nginx in /usr/sbin: a PATH of /usr/bin:/bin has QEMU and the shell's
# tools but no nginx. MPXE_NGINX=nginx: PATH only (by default the runner also tries
# /usr/sbin/nginx, outside a user's PATH).
path=/usr/bin:/bin
if PATH=$path command -v nginx >/dev/null; then
  echo "nginx is in $path here: the PATH case is skipped"
else
  start=$SECONDS
  PATH=$path MPXE_QEMU=$qemu MPXE_NGINX=nginx run_mpxe --stack ipxe --nic e1000 --http
  expect_status 112
  expect_stderr '^mpxe: --http: nginx not found .*\(status 112\)$'
  ((SECONDS - start <= 5)) || fail "took $((SECONDS - start)) s to notice nginx is missing"
fi

start=$SECONDS
MPXE_NGINX=/bin/false run_mpxe --stack ipxe --nic e1000 --http
expect_status 112
expect_stderr '^mpxe: --http: nginx exited before serving 127\.0\.0\.1:[0-9]+ \(status 1\).*\(status 112\)$'
((SECONDS - start <= 5)) || fail "took $((SECONDS - start)) s to notice nginx failed"
grep -q 'iPXE\|BdsDxe' "$WORK/stdout" && fail "QEMU ran although the server did not start"
finish
