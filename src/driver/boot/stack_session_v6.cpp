// The IPv6 side of StackSession: SLAAC, DHCPv6 and the boot file URL, each wait
// bounded by a clock and each failure named (Ipv6Outcome::failure).
//
// QEMU's user network (libslirp 4.7) is the case this is shaped by: its RA comes
// from fe80::2 with fec0::/64, M=0 O=0; it answers DHCPv6 only once it knows our
// MAC (it does not resolve a link-local destination itself; it takes the MAC a
// router or neighbour solicitation from a unicast source came from), so a router
// solicitation from the link-local address goes out before the first DHCPv6
// message (Slaac's first one, at once from the optimistic address); it answers
// an Information-Request only (the client's stateless mode), and names the boot
// file as tftp://[fec0::2]/FILE.
#include <stdarg.h>

#include "core/byte_ops.h"
#include "core/format.h"
#include "driver/boot/stack_session.h"
#include "driver/efi/efi_status.h"
#include "net/wire/http.h"
#include "net/wire/ndp.h"
#include "net/wire/tftp_url.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {

using namespace uefi;
using net::Ipv6Address;
using net::Millis;

namespace {

// The link-local address is optimistic, so usable, from enable_ipv6() on (Slaac);
// this fence only guards that.
constexpr Millis kLinkLocalLimitMs = 3000;
// Router discovery: Slaac sends up to 3 solicitations 4 s apart and then waits
// 4 s more (routers_settled); this fence only guards that bound.
constexpr Millis kRouterLimitMs = 14000;
// The addresses an RA's prefixes make are optimistic too: nothing tentative to
// wait for unless one is also DHCPv6's; the fence guards that.
constexpr Millis kAddressLimitMs = 3000;
// The DHCPv6 client bounds each exchange to 15 s and restarts at most twice.
constexpr Millis kDhcpv6LimitMs = 65000;
// DAD of an address set by hand: RetransTimer (1 s) and a margin.
constexpr Millis kStaticDadLimitMs = 3000;

bool is_http_url(const char* url) {
  return starts_with_nocase(url, "http://") || starts_with_nocase(url, "https://");
}

}  // namespace

void StackSession::ipv6_fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  format_v(ipv6_.failure, sizeof(ipv6_.failure), fmt, args);
  va_end(args);
}

Status StackSession::ipv6_lease(DhcpFlavor flavor) {
  Status s = up();
  if (is_error(s)) return s;
  ipv6_ = Ipv6Outcome();
  // On a first attempt Slaac's own solicitation goes now; on a later one the
  // routers (and slirp, which learns our MAC from it) hear from us again.
  bool solicit = iface_->ipv6_enabled();
  if (!iface_->ipv6_enabled()) iface_->enable_ipv6(clock_.now());
  if (!await_slaac(solicit)) return kNoResponse;
  if (!run_dhcpv6(flavor)) return kNoResponse;
  if (flavor == DhcpFlavor::Pxe && !dhcpv6_->lease().has_boot_file()) {
    // As over IPv4: a site set up for UEFI HTTP boot names its URL only to the
    // HTTPClient class (vendor class "HTTPClient", client architecture 16).
    log("mpxe: IPv6: no boot file URL for PXEClient; asking again as HTTPClient\n");
    if (!run_dhcpv6(DhcpFlavor::Http)) return kNoResponse;
  }
  if (!take_boot_url()) return kNotFound;
  return kSuccess;
}

bool StackSession::await_slaac(bool solicit) {
  const net::Slaac& slaac = iface_->slaac();
  Millis start = clock_.now();
  // The link-local address first: optimistic (RFC 4429), usable while its DAD
  // runs; a duplicate found later fails Slaac, and run_dhcpv6 stops on that.
  poll_until([&] { return slaac.link_local_usable() || slaac.failure() != net::SlaacFailure::None; },
             static_cast<net::TftpClient*>(nullptr), start + kLinkLocalLimitMs);
  if (slaac.failure() != net::SlaacFailure::None) {
    ipv6_fail("IPv6: %s", net::slaac_failure_text(slaac.failure()));
    return false;
  }
  if (!slaac.link_local_usable()) {
    ipv6_fail("IPv6: the link-local address did not become usable in %llu ms",
              static_cast<unsigned long long>(kLinkLocalLimitMs));
    return false;
  }
  ipv6_.link_local = slaac.link_local();
  // A router that resolves no one (slirp) learns our MAC from a solicitation
  // from the link-local address, and answers DHCPv6 after it.
  if (solicit) (void)iface_->solicit_routers();
  poll_until([&] { return slaac.ra_received() || slaac.routers_settled(clock_.now()); },
             static_cast<net::TftpClient*>(nullptr), start + kRouterLimitMs);
  if (!slaac.ra_received()) {
    ipv6_fail("IPv6: no router advertisement in %llu ms (%u solicitations)",
              static_cast<unsigned long long>(clock_.now() - start),
              slaac.stats().solicitations_sent);
    return false;
  }
  // The RA's prefixes make addresses that run DAD of their own, optimistic: only
  // a tentative one (none, unless DHCPv6's) is waited for.
  Millis ra_at = clock_.now();
  poll_until(
      [&] {
        for (size_t i = 1; i < net::Slaac::kMaxAddresses; ++i)
          if (slaac.address(i).state == net::SlaacAddressState::Tentative) return false;
        return true;
      },
      static_cast<net::TftpClient*>(nullptr), ra_at + kAddressLimitMs);
  ipv6_.managed = slaac.managed();
  ipv6_.other = slaac.other_config();
  ipv6_.has_router = slaac.default_router(clock_.now(), ipv6_.router);
  // Our station address: the source Slaac picks for an off-link peer (:: is one),
  // a global address when the RA made one, else the link-local one.
  if (!slaac.source_for(Ipv6Address(), clock_.now(), ipv6_.address)) ipv6_.address = ipv6_.link_local;
  ipv6_.autoconf = ipv6_.address;
  ipv6_.slaac_ms = clock_.now() - start;
  return true;
}

bool StackSession::run_dhcpv6(DhcpFlavor flavor) {
  delete dhcpv6_binding_;
  dhcpv6_binding_ = nullptr;
  delete dhcpv6_;
  net::Dhcpv6Config config;
  config.mac = iface_->mac();
  config.link_local = ipv6_.link_local;
  // M: addresses from DHCPv6 (Solicit/Request). Neither M nor O (slirp's RA)
  // still runs an Information-Request: that is where the boot file URL comes from.
  config.mode = ipv6_.managed ? net::Dhcpv6Mode::Stateful : net::Dhcpv6Mode::Stateless;
  config.boot = flavor == DhcpFlavor::Http ? net::DhcpMode::Http : net::DhcpMode::Pxe;
  ipv6_.stateful = ipv6_.managed;
  ipv6_.http_client = flavor == DhcpFlavor::Http;
  dhcpv6_ = new (std::nothrow) net::Dhcpv6Client(config, random_);
  if (dhcpv6_ != nullptr) dhcpv6_binding_ = new (std::nothrow) net::Dhcpv6Binding(*dhcpv6_, *iface_);
  if (dhcpv6_binding_ == nullptr) {
    ipv6_fail("IPv6: no memory for the DHCPv6 client");
    return false;
  }
  net::Result<void> bound = iface_->bind(net::kDhcpv6ClientPort, *dhcpv6_);
  if (!bound.ok()) {
    ipv6_fail("IPv6: cannot bind the DHCPv6 client port");
    return false;
  }
  // The binding ends Bound only once a stateful lease's address has passed DAD
  // on the interface; a duplicate is declined and another asked for, within
  // the client's restarts (dhcpv6_binding.h).
  net::Dhcpv6Binding& binding = *dhcpv6_binding_;
  Millis start = clock_.now();
  binding.start(start);
  const net::Slaac& slaac = iface_->slaac();
  poll_until([&] { return binding.done() || slaac.failure() != net::SlaacFailure::None; },
             &binding, start + kDhcpv6LimitMs);
  iface_->unbind(net::kDhcpv6ClientPort);
  ipv6_.dhcp_ms = clock_.now() - start;
  // The link-local address's optimistic DAD found a duplicate meanwhile: no
  // address of ours is left to speak from (RFC 4862 5.4.5).
  if (slaac.failure() != net::SlaacFailure::None) {
    ipv6_fail("IPv6: %s", net::slaac_failure_text(slaac.failure()));
    return false;
  }
  const char* mode = ipv6_.stateful ? "stateful" : "stateless";
  if (binding.state() == net::Dhcpv6BindingState::Failed &&
      binding.failure() != net::Dhcpv6BindingFailure::Client) {
    char address[net::IpAddress::kMaxTextLen + 1];
    net::IpAddress(binding.address()).format(address, sizeof address);
    ipv6_fail("IPv6: stateful DHCPv6 leased %s, but %s", address,
              net::dhcpv6_binding_failure_text(binding.failure()));
    return false;
  }
  if (binding.state() != net::Dhcpv6BindingState::Bound) {
    const net::Dhcpv6StatusNote& status = dhcpv6_->last_status();
    if (status.valid) {
      char from[net::IpAddress::kMaxTextLen + 1];
      status.from.format(from, sizeof from);
      ipv6_fail("IPv6: %s DHCPv6 failed: %s (status %u from %s: %s)", mode,
                dhcpv6_->done() ? net::dhcpv6_failure_text(dhcpv6_->failure()) : "no answer",
                status.code, from, status.message.text);
    } else {
      ipv6_fail("IPv6: %s DHCPv6 failed: %s (%u dropped)", mode,
                dhcpv6_->done() ? net::dhcpv6_failure_text(dhcpv6_->failure()) : "no answer",
                dhcpv6_->stats().dropped_total());
    }
    return false;
  }
  ipv6_.dhcp_server = dhcpv6_->lease().server;
  if (binding.has_address()) {
    // The leased address is the station's from now on: TFTP's and HTTP's source
    // (Slaac::source_for puts it before SLAAC's), the PXE Base Code's StationIp.
    ipv6_.leased = true;
    ipv6_.address = binding.address();
  }
  return true;
}

bool StackSession::take_boot_url() {
  const net::Dhcpv6Lease& lease = dhcpv6_->lease();
  char server[net::IpAddress::kMaxTextLen + 1];
  lease.server.format(server, sizeof server);
  if (!lease.has_boot_file()) {
    ipv6_fail("IPv6: the DHCPv6 reply from %s names no boot file URL (option 59)", server);
    return false;
  }
  Bytes url = lease.boot_file_url.view();
  copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(ipv6_.boot_url), sizeof(ipv6_.boot_url) - 1),
             url);
  if (is_http_url(ipv6_.boot_url)) return take_http_url(url, server);
  net::Result<net::TftpUrl> parsed = net::parse_tftp_url(url);
  if (!parsed.ok()) {
    char why[48];
    net::error_format(parsed.error(), why, sizeof why);
    ipv6_fail("IPv6: boot file URL '%s' from %s is not a tftp:// URL this ROM can fetch (%s)",
              ipv6_.boot_url, server, why);
    return false;
  }
  const net::TftpUrl& tftp = parsed.value();
  if (!tftp.server.is_v6()) {
    ipv6_fail("IPv6: boot file URL '%s' names an IPv4 server", ipv6_.boot_url);
    return false;
  }
  adopt_v6(tftp.server, tftp.port,
           Bytes(reinterpret_cast<const uint8_t*>(tftp.file), tftp.file_size));
  return true;
}

// An http:// or https:// boot file URL is fetched by the same HttpDownload as
// over IPv4: the lease's boot file is the URL itself, and a host name is looked
// up (resolve()) through the DNS servers DHCPv6 and the RA gave.
bool StackSession::take_http_url(Bytes url, const char* dhcp_server) {
  const char* why = nullptr;
  net::Result<net::HttpUrl> parsed = net::HttpUrl::parse(url, &why);
  if (!parsed.ok()) {
    char error[48];
    net::error_format(parsed.error(), error, sizeof error);
    ipv6_fail("IPv6: boot file URL '%s' from %s is not a URL this ROM can fetch (%s)",
              ipv6_.boot_url, dhcp_server, why != nullptr ? why : error);
    return false;
  }
  const net::HttpUrl& http = parsed.value();
  // An IPv6 boot has no IPv4 address to reach it from.
  if (http.has_address && !http.address.is_v6()) {
    ipv6_fail("IPv6: boot file URL '%s' names an IPv4 server", ipv6_.boot_url);
    return false;
  }
  adopt_v6(http.has_address ? http.address : net::IpAddress(Ipv6Address()), http.port, url);
  return true;
}

void StackSession::adopt_v6(const net::IpAddress& server, uint16_t port, Bytes file) {
  const net::Dhcpv6Lease& lease = dhcpv6_->lease();
  lease_ = NetLease();
  lease_.ipv6 = true;
  lease_.station6 = ipv6_.address;
  lease_.boot_address = server;
  lease_.boot_port = port;
  copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(lease_.boot_file), sizeof(lease_.boot_file) - 1),
             file);
  // For the PXE Base Code's Mode: what we sent first and the Reply, as on the wire.
  lease_.discover.size = copy_bytes(MutableBytes(lease_.discover.bytes), lease.solicit.view());
  lease_.ack.size = copy_bytes(MutableBytes(lease_.ack.bytes), lease.reply.view());
  // DNS: DHCPv6's servers (option 23) first, then the RA's (RDNSS, RFC 8106).
  net::IpAddress servers[net::Dhcpv6Lease::kMaxDnsServers + net::Slaac::kMaxDnsServers];
  size_t count = 0;
  for (uint8_t i = 0; i < lease.dns_server_count; ++i) servers[count++] = lease.dns_servers[i];
  Ipv6Address rdnss[net::Slaac::kMaxDnsServers];
  const size_t advertised = iface_->slaac().dns_servers(clock_.now(), rdnss, net::Slaac::kMaxDnsServers);
  for (size_t i = 0; i < advertised; ++i) servers[count++] = rdnss[i];
  net::DnsResolverConfig config;
  config.set_servers(servers, count);  // drops repeats, keeps the first kMaxServers
  dns_server_count_ = config.server_count;
  for (uint8_t i = 0; i < dns_server_count_; ++i) dns_servers_[i] = config.servers[i];
  dns_family_ = net::DnsFamily::PreferV6;
}

// The PXE Base Code's Start(UseIpv6) with the boot's own steps: a link without
// a router fails only await_slaac's last step, and the link-local address stands.
Status StackSession::start_ipv6(Ipv6Address* station) {
  Status s = up();
  if (is_error(s)) return s;
  ipv6_ = Ipv6Outcome();
  bool solicit = iface_->ipv6_enabled();  // as in ipv6_lease
  if (!iface_->ipv6_enabled()) iface_->enable_ipv6(clock_.now());
  if (!await_slaac(solicit)) {
    if (!iface_->slaac().link_local_ready()) return kNoResponse;
    log("mpxe: PXE Base Code: %s; IPv6 on its link-local address\n", ipv6_.failure);
    ipv6_.link_local = iface_->slaac().link_local();
    ipv6_.address = ipv6_.autoconf = ipv6_.link_local;
  }
  *station = ipv6_.address;
  return kSuccess;
}

// The PXE Base Code's Dhcp() over IPv6: the boot's DHCPv6 run as PXEClient, with
// no need of a boot file URL (Dhcp() answers for the lease, not for a boot).
Status StackSession::dhcp6() {
  Ipv6Address station;
  Status s = start_ipv6(&station);
  if (is_error(s)) return s;
  if (!run_dhcpv6(DhcpFlavor::Pxe)) {
    log("mpxe: PXE Base Code: %s\n", ipv6_.failure);
    return kNoResponse;
  }
  if (dhcpv6_->lease().has_boot_file() && take_boot_url()) return kSuccess;
  adopt_v6(net::IpAddress(Ipv6Address()), net::kTftpServerPort, Bytes());
  return kSuccess;
}

Status StackSession::set_station6(const Ipv6Address& ip, uint8_t prefix_len) {
  if (!up_ || !iface_->ipv6_enabled()) return kNotStarted;
  const net::Slaac& slaac = iface_->slaac();
  if (ip.is_link_local()) {
    // The interface's link-local address comes from its MAC: only that one.
    if (!slaac.is_assigned(ip, clock_.now())) return kInvalidParameter;
    lease_.station6 = ip;
    return kSuccess;
  }
  if (!iface_->set_static_ipv6(ip, prefix_len).ok()) return kInvalidParameter;
  poll_until([&] { return !slaac.is_tentative(ip); }, static_cast<net::TftpClient*>(nullptr),
             clock_.now() + kStaticDadLimitMs);
  if (!slaac.is_assigned(ip, clock_.now())) {
    char text[net::IpAddress::kMaxTextLen + 1];
    ip.format(text, sizeof text);
    log("mpxe: PXE Base Code: SetStationIp %s/%u: %s\n", text, static_cast<unsigned>(prefix_len),
        slaac.dhcpv6_address().state == net::SlaacAddressState::Duplicate
            ? "another node holds it (DAD)"
            : "DAD did not end");
    return kDeviceError;
  }
  lease_.station6 = ip;
  return kSuccess;
}

const char* StackSession::ipv6_unroutable(const Ipv6Address& address) const {
  if (iface_ == nullptr || !iface_->ipv6_enabled()) return "IPv6 is not up on this boot";
  const net::Slaac& slaac = iface_->slaac();
  const Millis now = clock_.now();
  Ipv6Address unused;
  if (!slaac.source_for(address, now, unused)) return "no IPv6 address of ours can reach it";
  if (slaac.on_link(address, now) || slaac.default_router(now, unused)) return nullptr;
  return "it is not on-link and no router advertised a default route (router lifetime 0)";
}

}  // namespace mpxe::driver
