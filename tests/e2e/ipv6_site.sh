# An IPv6 boot site on the TAP of an e2e test's namespace: source after lib.sh
# and tests/interop/netns_lib.sh, call netns_setup, then
#
#   ipv6_site MODE [DNSMASQ ARGS...]
#
# It gives TAP the server's address SITE6_IP/64 (IPv6 on, DAD off, no RAs taken:
# the namespace is the router) and starts dnsmasq on TAP with router
# advertisements and DHCPv6, in the MODE the caller names:
#
#   stateful    a range SITE6_RANGE_FIRST..SITE6_RANGE_LAST for PXE clients (those
#               whose DHCPv6 carries the client architecture, option 61) and
#               SITE6_OTHER_FIRST..SITE6_OTHER_LAST for everyone else: RA M=1, the
#               /64 on-link but not autonomous, so DHCPv6 (IA_NA) is the only
#               global address. Stock OVMF runs two DHCPv6 clients with one DUID
#               and two IAIDs (its IPv6 stack's own, because the RA sets M, and
#               PXEv6's); in one shared range of 2^k addresses dnsmasq hashes
#               both to the same address (IAIDs 0x3f497776 and 0x3662ff76 differ
#               by a multiple of 2^11), and when the IPv6 stack's Request lands
#               first OVMF's PXEv6 repeats its Request against NoAddrsAvail until
#               the test times out. Separate ranges keep the two apart.
#   stateless   ra-stateless: RA M=0 O=1 with the /64 for SLAAC, DHCPv6 by
#               Information-Request only
#
# and the caller's ARGS after those (the boot file URL, TFTP, an IPv4 range...).
# dnsmasq logs DHCP to SITE6_LOG; its pid is SITE6_PID (stopped with the namespace).
# dnsmasq reads the TAP's addresses when QEMU brings the carrier up, and answers
# the guest's router solicitations from then on.

SITE6_IP=fd77::1
SITE6_RANGE_FIRST=fd77::100
SITE6_RANGE_LAST=fd77::1ff
SITE6_OTHER_FIRST=fd77::200
SITE6_OTHER_LAST=fd77::2ff
SITE6_LOG=
SITE6_PID=

ipv6_site() {
  local mode=$1
  shift
  local -a range
  case $mode in
    stateful)
      range=("--dhcp-match=set:pxe6,option6:61"
             "--dhcp-range=tag:pxe6,$SITE6_RANGE_FIRST,$SITE6_RANGE_LAST,64,1h"
             "--dhcp-range=tag:!pxe6,$SITE6_OTHER_FIRST,$SITE6_OTHER_LAST,64,1h") ;;
    stateless) range=("--dhcp-range=::,constructor:$TAP,ra-stateless,64,1h") ;;
    *) fail "ipv6_site: unknown mode '$mode' (stateful or stateless)"; return 1 ;;
  esac
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=0"
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.accept_dad=0"
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.accept_ra=0"
  ip -n "$NS" addr add "$SITE6_IP/64" dev "$TAP" nodad
  SITE6_LOG=$WORK/dnsmasq6.log
  ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root \
    --interface="$TAP" --bind-interfaces --pid-file= --leasefile-ro --log-dhcp \
    --log-facility="$SITE6_LOG" --enable-ra "${range[@]}" "$@" &
  SITE6_PID=$!
}

# ipv6_mpsh_site [DNSMASQ ARGS...]: the stateful site serving mpsh.efi from
# dnsmasq's TFTP in $WORK/tftp, named tftp://[SITE6_IP]/mpsh.efi, and ARGS;
# MPSH_SIZE and MPSH_SHA256 are that file's.
ipv6_mpsh_site() {
  mkdir "$WORK/tftp"
  cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$WORK/tftp/"
  chmod -R a+rX "$WORK"
  MPSH_SIZE=$(stat -c %s "$WORK/tftp/mpsh.efi")
  MPSH_SHA256=$(sha256sum "$WORK/tftp/mpsh.efi" | cut -d' ' -f1)
  ipv6_site stateful --enable-tftp --tftp-root="$WORK/tftp" \
    "--dhcp-option=option6:bootfile-url,tftp://[$SITE6_IP]/mpsh.efi" "$@"
}

# in_site6_range ADDR FIRST LAST: ADDR lies within FIRST..LAST.
in_site6_range() {
  python3 - "$@" <<'PY'
import ipaddress, sys
a, lo, hi = (ipaddress.IPv6Address(x) for x in sys.argv[1:])
sys.exit(0 if lo <= a <= hi else 1)
PY
}
