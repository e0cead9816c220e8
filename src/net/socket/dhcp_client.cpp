#include "net/socket/dhcp_client.h"

#include "core/byte_ops.h"
#include "core/format.h"
#include "net/wire/pxe_options.h"

namespace mpxe::net {
namespace {

// Option 55 as PXE firmware asks (EDK II's list, trimmed to what a boot client
// uses): 1 mask, 3 router, 6 DNS, 12 host name, 15 domain, 28 broadcast, 43 PXE
// vendor options, 51 lease time, 54 server id, 60 class, 66/67 boot server/file,
// and 128-135, which PXE 2.1 reserves for PXE and PXE clients always request.
constexpr uint8_t kParameterRequests[] = {
    dhcp_option::kSubnetMask,     dhcp_option::kRouter,        dhcp_option::kDnsServers,
    dhcp_option::kHostName,       dhcp_option::kDomainName,    dhcp_option::kBroadcastAddress,
    dhcp_option::kVendorSpecific, dhcp_option::kLeaseTime,     dhcp_option::kServerId,
    dhcp_option::kVendorClassId,  dhcp_option::kTftpServerName, dhcp_option::kBootFileName,
    128, 129, 130, 131, 132, 133, 134, 135};

// RFC 4578 2.2: type 1 (UNDI), then major 3, minor 16 — UNDI 3.16, as option 60 says.
constexpr uint8_t kClientNdi[kPxeClientNdiLen] = {1, 3, 0x10};

constexpr char kPxeVendorClass[] = "PXEClient:Arch:00007:UNDI:003016";
constexpr char kHttpVendorClass[] = "HTTPClient:Arch:00016:UNDI:003016";
// What a server's option 60 must start with to be speaking to our kind of client.
constexpr char kPxeClassPrefix[] = "PXEClient";
constexpr char kHttpClassPrefix[] = "HTTPClient";

// RFC 1542 2.1: some relays drop BOOTP messages shorter than 300 bytes.
constexpr size_t kMinMessageLen = 300;

bool starts_with(Bytes value, const char* prefix) {
  Bytes p = bytes_of(prefix);
  return value.size() >= p.size() && bytes_equal(value.first(p.size()), p);
}

Millis add(Millis a, Millis b) { return Backoff::saturating_add(a, b); }

// Option 3's whole list (DhcpParams keeps only the first router).
uint8_t read_routers(const DhcpPacket& packet, Ipv4Address* out, size_t capacity) {
  Result<DhcpOption> option = dhcp_find_option(packet, dhcp_option::kRouter);
  if (!option) return 0;
  Bytes v = option.value().value;
  uint8_t n = 0;
  for (size_t i = 0; i + Ipv4Address::kSize <= v.size() && n < capacity; i += Ipv4Address::kSize)
    out[n++] = Ipv4Address::from_bytes(v.data() + i);
  return n;
}

// The PXE options ask for boot server discovery rather than the file at hand.
bool options_want_discovery(Bytes vendor_specific, bool has_boot_file) {
  Result<PxeVendorOptions> options = PxeVendorOptions::parse(vendor_specific);
  return options && options.value().wants_discovery(has_boot_file);
}

}  // namespace

Result<void> dhcp_put_client_options(DhcpOptionWriter& w, const DhcpConfig& config) {
  bool http = config.mode == DhcpMode::Http;
  Result<void> s = w.put_u16(dhcp_option::kMaxMessageSize, DhcpClient::kMaxMessageSize);
  if (s) s = w.put(dhcp_option::kParameterRequestList, Bytes(kParameterRequests));
  if (s) s = w.put_u16(dhcp_option::kClientArch, http ? pxe_arch::kEfiX64Http : pxe_arch::kEfiBc);
  if (s) s = w.put(dhcp_option::kClientNdi, Bytes(kClientNdi));
  if (s && config.has_guid) {
    uint8_t uuid[kPxeClientUuidLen] = {};
    copy_bytes(MutableBytes(uuid).subspan(1), Bytes(config.guid));
    s = w.put(dhcp_option::kClientUuid, Bytes(uuid));
  }
  if (s) s = w.put(dhcp_option::kVendorClassId, bytes_of(http ? kHttpVendorClass : kPxeVendorClass));
  return s;
}

Result<void> dhcp_put_end_padded(DhcpOptionWriter& w) {
  Result<void> s = w.put_end();
  if (s) s = w.pad_to(kMinMessageLen - DhcpPacket::kOptionsOffset);
  return s;
}

const char* dhcp_failure_text(DhcpFailure failure) {
  switch (failure) {
    case DhcpFailure::None: return "none";
    case DhcpFailure::NoOffer: return "no DHCP offer";
    case DhcpFailure::NoAck: return "no DHCP acknowledgement";
    case DhcpFailure::TooManyNaks: return "DHCP server refused the address";
    case DhcpFailure::ProxyNoReply: return "no reply from the ProxyDHCP server on port 4011";
    case DhcpFailure::ProxyUnreachable: return "ProxyDHCP port 4011 unreachable";
    case DhcpFailure::SendFailed: return "could not send";
  }
  return "unknown";
}

const char* dhcp_state_text(DhcpState state) {
  switch (state) {
    case DhcpState::Idle: return "idle";
    case DhcpState::Selecting: return "selecting";
    case DhcpState::Collecting: return "collecting";
    case DhcpState::Requesting: return "requesting";
    case DhcpState::ProxyRequesting: return "proxy-requesting";
    case DhcpState::Bound: return "bound";
    case DhcpState::Failed: return "failed";
  }
  return "unknown";
}

const char* dhcp_drop_text(DhcpDrop drop) {
  switch (drop) {
    case DhcpDrop::Malformed: return "malformed";
    case DhcpDrop::Oversize: return "oversize";
    case DhcpDrop::NotReply: return "not a BOOTREPLY";
    case DhcpDrop::WrongXid: return "wrong xid";
    case DhcpDrop::WrongChaddr: return "wrong chaddr";
    case DhcpDrop::WrongPort: return "wrong source port";
    case DhcpDrop::NotDhcp: return "no message type (BOOTP)";
    case DhcpDrop::UnexpectedType: return "unexpected message type";
    case DhcpDrop::NoAddress: return "no address offered";
    case DhcpDrop::NoServerId: return "no server identifier";
    case DhcpDrop::WrongServer: return "from a server not selected";
    case DhcpDrop::WrongState: return "nothing expected";
    case DhcpDrop::Duplicate: return "no better than the offer kept";
  }
  return "unknown";
}

void DhcpRawPacket::assign(Bytes packet) {
  length = static_cast<uint16_t>(copy_bytes(MutableBytes(bytes), packet));
}

bool dhcp_drop_is_server_fault(DhcpDrop drop) {
  switch (drop) {
    case DhcpDrop::Malformed:
    case DhcpDrop::Oversize:
    case DhcpDrop::NotDhcp:
    case DhcpDrop::NoAddress:
    case DhcpDrop::NoServerId: return true;
    case DhcpDrop::NotReply:
    case DhcpDrop::WrongXid:
    case DhcpDrop::WrongChaddr:
    case DhcpDrop::WrongPort:
    case DhcpDrop::UnexpectedType:
    case DhcpDrop::WrongServer:
    case DhcpDrop::WrongState:
    case DhcpDrop::Duplicate: return false;
  }
  return false;
}

size_t dhcp_fault_summary(const DhcpStats& stats, char* out, size_t capacity) {
  if (capacity > 0) out[0] = '\0';
  uint32_t faults = 0;
  for (size_t i = 0; i < kDhcpDropReasons; ++i)
    if (dhcp_drop_is_server_fault(static_cast<DhcpDrop>(i))) faults += stats.dropped[i];
  if (faults == 0) return 0;
  size_t length = 0;
  format_append(out, capacity, length, "%u answer%s dropped: ", faults, faults == 1 ? "" : "s");
  const char* separator = "";
  auto add = [&](const char* why, uint32_t count, const IpAddress& first_from) {
    char from[IpAddress::kMaxTextLen + 1];
    first_from.format(from, sizeof(from));
    format_append(out, capacity, length, "%s%s (%u, first from %s)", separator, why, count, from);
    separator = "; ";
  };
  uint32_t malformed_named = 0;
  for (const DhcpStats::MalformedKind& kind : stats.malformed) {
    if (kind.count == 0) continue;
    char why[64];
    error_format(kind.error, why, sizeof(why));
    add(why, kind.count, kind.first_from);
    malformed_named += kind.count;
  }
  // The wire check fails in kMalformedKinds ways today; a new one is still counted.
  const uint32_t malformed = stats.drops(DhcpDrop::Malformed);
  if (malformed > malformed_named)
    format_append(out, capacity, length, "%smalformed otherwise (%u)", separator, malformed - malformed_named);
  for (size_t i = 0; i < kDhcpDropReasons; ++i) {
    DhcpDrop reason = static_cast<DhcpDrop>(i);
    if (reason == DhcpDrop::Malformed || !dhcp_drop_is_server_fault(reason) || stats.dropped[i] == 0)
      continue;
    add(dhcp_drop_text(reason), stats.dropped[i], stats.first_from[i]);
  }
  return length;
}

uint32_t DhcpStats::dropped_total() const {
  uint32_t total = 0;
  for (uint32_t n : dropped) total += n;
  return total;
}

DhcpClient::DhcpClient(const DhcpConfig& config, Random& random)
    : config_(config), random_(random) {}

Error DhcpClient::error() const {
  // error.h has no "timed out" or "refused" reason (yet): NotFound and BadValue
  // are the nearest; failure() says exactly.
  switch (failure_) {
    case DhcpFailure::None: return Error();
    case DhcpFailure::NoOffer:
    case DhcpFailure::NoAck:
    case DhcpFailure::ProxyNoReply: return Error(Layer::Dhcp, Errc::NotFound);
    case DhcpFailure::TooManyNaks: return Error(Layer::Dhcp, Errc::BadValue);
    case DhcpFailure::ProxyUnreachable: return Error(Layer::Dhcp, Errc::Unreachable);
    case DhcpFailure::SendFailed:  // what the UdpSender said the last time
      return send_error_.is_error() ? send_error_ : Error(Layer::Dhcp, Errc::WouldBlock);
  }
  return Error(Layer::Dhcp, Errc::BadValue);
}

void DhcpClient::start(Millis now) {
  lease_ = DhcpLease();
  stats_ = DhcpStats();
  timeline_ = DhcpTimeline();
  timeline_.started = now;
  failure_ = DhcpFailure::None;
  send_error_ = Error();
  enter_selecting(now);
}

// ---- transitions ----------------------------------------------------------

void DhcpClient::enter_selecting(Millis now) {
  // A new transaction: replies to the old one must not count.
  xid_ = random_.next_u32();
  offer_ = OfferSummary();
  lease_.proxy_offer.clear();
  lease_.proxy_server = Ipv4Address();
  proxy_has_boot_file_ = false;
  proxy_wants_discovery_ = false;
  state_ = DhcpState::Selecting;
  data_.selecting = SelectingData();
  data_.selecting.rt = Backoff::begin(now, kDiscoverFirstTimeout, kSendsPerPhase);
}

void DhcpClient::enter_collecting(Millis now) {
  state_ = DhcpState::Collecting;
  data_.collecting = CollectingData();
  data_.collecting.window_end = add(now, config_.offer_wait);
}

void DhcpClient::enter_requesting(Millis now, UdpSender* tx) {
  state_ = DhcpState::Requesting;
  data_.requesting = RequestingData();
  data_.requesting.rt = Backoff::begin(now, kRequestFirstTimeout, kSendsPerPhase);
  if (tx != nullptr) retransmit(data_.requesting.rt, Message::Request, now, *tx);
}

void DhcpClient::enter_proxy(Millis now) {
  state_ = DhcpState::ProxyRequesting;
  data_.proxy = ProxyData();
  data_.proxy.xid = random_.next_u32();
  data_.proxy.server = lease_.proxy_server;
  // Not sent from here: the caller configures the interface with the new address
  // first (has_address()), then the next poll() unicasts the request.
  data_.proxy.rt = Backoff::begin(now, kProxyFirstTimeout, kSendsPerPhase);
}

void DhcpClient::finish_bound(Millis now, DhcpFailure missing) {
  // The proxy's offer is the fallback when its port-4011 reply never came; its
  // menu (else the ACK's) is what boot server discovery asks from.
  if (!lease_.has_boot_file() && !lease_.needs_discovery) {
    bool proxy = lease_.proxy_offer.valid();
    Result<DhcpPacket> packet = DhcpPacket::check(proxy ? lease_.proxy_offer.view() : lease_.ack.view());
    Result<DhcpParams> params =
        packet ? DhcpParams::parse(packet.value()) : Result<DhcpParams>(packet.error());
    if (params) {
      if (proxy && proxy_has_boot_file_ && !proxy_wants_discovery_)
        fill_boot_info(DhcpBootSource::ProxyOffer, packet.value(), params.value());
      else
        note_discovery(packet.value(), params.value(), proxy ? lease_.proxy_server : lease_.server_id);
    }
  }
  state_ = DhcpState::Bound;
  failure_ = missing;
  timeline_.finished = now;
}

void DhcpClient::fail(Millis now, DhcpFailure failure) {
  state_ = DhcpState::Failed;
  failure_ = failure;
  timeline_.finished = now;
}

void DhcpClient::restart_or_fail(Millis now, DhcpFailure failure) {
  if (stats_.restarts >= kMaxRestarts) {
    fail(now, failure);
    return;
  }
  ++stats_.restarts;
  enter_selecting(now);
}

// ---- time -----------------------------------------------------------------

uint16_t DhcpClient::elapsed_secs(Millis now) const {
  // "seconds elapsed since client began address acquisition" (RFC 2131 2.)
  if (timeline_.started == kNever || now < timeline_.started) return 0;
  Millis secs = (now - timeline_.started) / 1000;
  return secs > 0xFFFF ? 0xFFFF : static_cast<uint16_t>(secs);
}

Millis DhcpClient::next_deadline() const {
  switch (state_) {
    case DhcpState::Selecting: return data_.selecting.rt.due;
    case DhcpState::Collecting: return data_.collecting.window_end;
    case DhcpState::Requesting: return data_.requesting.rt.due;
    case DhcpState::ProxyRequesting: return data_.proxy.rt.due;
    case DhcpState::Idle:
    case DhcpState::Bound:
    case DhcpState::Failed: return kNever;
  }
  return kNever;
}

bool DhcpClient::retransmit(Retransmit& rt, Message message, Millis now, UdpSender& tx) {
  switch (rt.step(now)) {
    case Backoff::Step::Over: return false;
    case Backoff::Step::Wait: return true;
    case Backoff::Step::Send: break;
  }
  Result<void> sent = send(message, now, tx);
  if (!sent) {
    send_error_ = sent.error();
    // Not an attempt: try again shortly (an ARP resolution is usually under way,
    // or the transmit ring drains). rt.end bounds how long this can go on.
    ++stats_.send_failures;
    rt.refused(now, kSendRetry);
    return true;
  }
  rt.sent(now, random_);
  return true;
}

void DhcpClient::poll(Millis now, UdpSender& tx) {
  switch (state_) {
    case DhcpState::Selecting:
      if (!retransmit(data_.selecting.rt, Message::Discover, now, tx))
        fail(now, data_.selecting.rt.sent_once ? DhcpFailure::NoOffer : DhcpFailure::SendFailed);
      break;
    case DhcpState::Collecting:
      if (now >= data_.collecting.window_end) enter_requesting(now, &tx);
      break;
    case DhcpState::Requesting:
      if (!retransmit(data_.requesting.rt, Message::Request, now, tx))
        restart_or_fail(now, DhcpFailure::NoAck);
      // A restart sends its DISCOVER at once.
      if (state_ == DhcpState::Selecting) poll(now, tx);
      break;
    case DhcpState::ProxyRequesting:
      if (!retransmit(data_.proxy.rt, Message::ProxyRequest, now, tx))
        finish_bound(now, data_.proxy.rt.sent_once ? DhcpFailure::ProxyNoReply
                                                   : DhcpFailure::SendFailed);
      break;
    case DhcpState::Idle:
    case DhcpState::Bound:
    case DhcpState::Failed:
      break;
  }
}

// ---- sending --------------------------------------------------------------

Result<void> DhcpClient::send(Message message, Millis now, UdpSender& tx) {
  UdpMeta meta;
  meta.src_port = kDhcpClientPort;
  DhcpRawPacket* out = &scratch_;
  switch (message) {
    case Message::Discover:
      out = &lease_.discover;
      meta.dst = Ipv4Address::broadcast();
      meta.dst_port = kDhcpServerPort;
      break;
    case Message::Request:
      // "the DHCPREQUEST message ... sent to the same IP broadcast address as the
      // original DHCPDISCOVER message" (RFC 2131 4.4.1)
      meta.dst = Ipv4Address::broadcast();
      meta.dst_port = kDhcpServerPort;
      break;
    case Message::ProxyRequest:
      // PXE 2.1: a DHCPREQUEST unicast to the ProxyDHCP server's port 4011. From
      // port 68, as iPXE sends it: servers (dnsmasq, PXE 2.1) answer to the source
      // port, and this endpoint is bound to 68 only. EDK II sends from 4011.
      out = &lease_.pxe_discover;
      meta.src = lease_.address;
      meta.dst = data_.proxy.server;
      meta.dst_port = kPxeProxyPort;
      break;
  }
  size_t len = build(message, now, MutableBytes(out->bytes));
  if (len == 0) return Error(Layer::Dhcp, Errc::NoSpace);
  out->length = static_cast<uint16_t>(len);
  Result<void> status = tx.send_udp(meta, out->view());
  if (!status) return status;
  switch (message) {
    case Message::Discover: ++stats_.discovers_sent; break;
    case Message::Request:
      if (data_.requesting.first_sent == kNever) data_.requesting.first_sent = now;
      ++stats_.requests_sent;
      break;
    case Message::ProxyRequest: ++stats_.pxe_requests_sent; break;
  }
  return {};
}

size_t DhcpClient::build(Message message, Millis now, MutableBytes out) {
  DhcpRepr repr;
  repr.op = BootpOp::Request;
  repr.set_client_mac(config_.mac);
  switch (message) {
    case Message::Discover:
      repr.xid = xid_;
      discover_secs_ = elapsed_secs(now);
      repr.secs = discover_secs_;
      // We have no address yet, and a stack without one may not take unicast IP
      // for an unknown address: ask the server to broadcast (RFC 2131 4.1).
      repr.flags = DhcpPacket::kFlagBroadcast;
      break;
    case Message::Request:
      repr.xid = xid_;
      // "MUST use the same value in the DHCP message header's 'secs' field ... as
      // the original DHCPDISCOVER message" (RFC 2131 4.4.1)
      repr.secs = discover_secs_;
      repr.flags = DhcpPacket::kFlagBroadcast;
      break;
    case Message::ProxyRequest:
      repr.xid = data_.proxy.xid;
      repr.secs = elapsed_secs(now);
      repr.ciaddr = lease_.address;  // the address is ours: unicast replies work
      break;
  }

  // Options are written in place after the header; emit() copies them onto
  // themselves and fills in everything before offset 240.
  MutableBytes area = out.subspan(DhcpPacket::kOptionsOffset);
  DhcpOptionWriter w(area);
  bool ok = true;
  auto put = [&ok](Result<void> s) { ok = ok && s.ok(); };
  switch (message) {
    case Message::Discover:
      put(w.put_message_type(DhcpMessageType::Discover));
      break;
    case Message::Request:
      put(w.put_message_type(DhcpMessageType::Request));
      // RFC 2131 table 5: SELECTING carries 'requested IP address' and 'server
      // identifier', ciaddr stays 0.
      put(w.put_address(dhcp_option::kRequestedIp, offer_.address));
      put(w.put_address(dhcp_option::kServerId, offer_.server_id));
      break;
    case Message::ProxyRequest:
      put(w.put_message_type(DhcpMessageType::Request));
      put(w.put_address(dhcp_option::kServerId, data_.proxy.server));
      break;
  }
  put(dhcp_put_client_options(w, config_));
  put(dhcp_put_end_padded(w));
  if (!ok) return 0;

  repr.options = w.written();
  if (!repr.emit(out)) return 0;
  return repr.buffer_len();
}

// ---- receiving ------------------------------------------------------------

void DhcpClient::drop(DhcpDrop reason) {
  const size_t i = static_cast<size_t>(reason);
  if (stats_.dropped[i]++ == 0) stats_.first_from[i] = datagram_from_;
  stats_.last_drop = reason;
}

void DhcpClient::drop_malformed(Error error) {
  drop(DhcpDrop::Malformed);
  stats_.last_error = error;
  for (DhcpStats::MalformedKind& kind : stats_.malformed) {
    if (kind.count == 0) {
      kind.error = error;
      kind.first_from = datagram_from_;
    } else if (kind.error != error) {
      continue;
    }
    ++kind.count;
    return;
  }
}

bool DhcpClient::vendor_class_is_ours(Bytes vendor_class) const {
  return starts_with(vendor_class,
                     config_.mode == DhcpMode::Http ? kHttpClassPrefix : kPxeClassPrefix);
}

void DhcpClient::on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) {
  ++stats_.received;
  datagram_from_ = meta.src;
  if (state_ == DhcpState::Idle || state_ == DhcpState::Bound || state_ == DhcpState::Failed)
    return drop(DhcpDrop::WrongState);
  if (meta.src_port != kDhcpServerPort && meta.src_port != kPxeProxyPort)
    return drop(DhcpDrop::WrongPort);
  if (payload.size() > DhcpRawPacket::kCapacity) return drop(DhcpDrop::Oversize);

  Result<DhcpPacket> checked = DhcpPacket::check(payload);
  if (!checked) return drop_malformed(checked.error());
  const DhcpPacket& packet = checked.value();
  // Cheap tests first: on a busy segment most broadcasts are other clients'.
  if (packet.op() != static_cast<uint8_t>(BootpOp::Reply)) return drop(DhcpDrop::NotReply);
  uint32_t expected_xid = state_ == DhcpState::ProxyRequesting ? data_.proxy.xid : xid_;
  if (packet.xid() != expected_xid) return drop(DhcpDrop::WrongXid);
  if (packet.htype() != DhcpPacket::kHtypeEthernet || packet.hlen() != MacAddress::kSize ||
      !(packet.client_mac() == config_.mac))
    return drop(DhcpDrop::WrongChaddr);

  Result<DhcpParams> parsed = DhcpParams::parse(packet);
  if (!parsed) return drop_malformed(parsed.error());
  const DhcpParams& params = parsed.value();
  if (params.message_type == 0) return drop(DhcpDrop::NotDhcp);
  DhcpMessageType type = static_cast<DhcpMessageType>(params.message_type);

  switch (state_) {
    case DhcpState::Selecting:
    case DhcpState::Collecting:
      if (type != DhcpMessageType::Offer) return drop(DhcpDrop::UnexpectedType);
      return handle_offer(packet, params, now, tx);
    case DhcpState::Requesting:
      if (type == DhcpMessageType::Ack) return handle_ack(packet, params, now);
      if (type == DhcpMessageType::Nak) return handle_nak(params, now);
      // A ProxyDHCP offer that came late is still worth keeping.
      if (type == DhcpMessageType::Offer && packet.yiaddr().is_unspecified() &&
          !lease_.proxy_offer.valid() && vendor_class_is_ours(params.vendor_class)) {
        if (keep_proxy_offer(packet, params, now)) ++stats_.accepted;
        return;
      }
      return drop(DhcpDrop::UnexpectedType);
    case DhcpState::ProxyRequesting:
      if (type != DhcpMessageType::Ack) return drop(DhcpDrop::UnexpectedType);
      return handle_pxe_reply(packet, now);
    case DhcpState::Idle:
    case DhcpState::Bound:
    case DhcpState::Failed:
      break;
  }
}

void DhcpClient::on_unreachable(const UdpMeta& quoted, uint8_t /*code*/, Millis now) {
  // Only the port-4011 exchange is unicast, so only it can draw an ICMP error
  // worth acting on; broadcasts to port 67 draw none.
  if (state_ != DhcpState::ProxyRequesting) return;
  if (quoted.dst_port != kPxeProxyPort || !(quoted.dst == data_.proxy.server)) return;
  finish_bound(now, DhcpFailure::ProxyUnreachable);
}

bool DhcpClient::keep_proxy_offer(const DhcpPacket& packet, const DhcpParams& params,
                                  Millis now) {
  // PXE 2.1 2.2.1: a ProxyDHCP offer has no address and option 60 "PXEClient";
  // it must name its server for the port-4011 request to go anywhere.
  Ipv4Address server = params.has_server_id ? params.server_id : packet.siaddr();
  if (!server.is_unicast()) {
    drop(DhcpDrop::NoServerId);
    return false;
  }
  if (lease_.proxy_offer.valid()) {
    drop(DhcpDrop::Duplicate);
    return false;
  }
  ++stats_.proxy_offers;
  lease_.proxy_offer.assign(packet.bytes());
  lease_.proxy_server = server;
  proxy_has_boot_file_ = dhcp_boot_file(packet).ok();
  proxy_wants_discovery_ = options_want_discovery(params.vendor_specific, proxy_has_boot_file_);
  timeline_.proxy_offer = now;
  return true;
}

bool DhcpClient::choice_is_certain() const {
  if (!offer_.valid) return false;
  return offer_.has_boot_file || lease_.proxy_offer.valid();
}

void DhcpClient::handle_offer(const DhcpPacket& packet, const DhcpParams& params, Millis now,
                              UdpSender& tx) {
  bool ours = vendor_class_is_ours(params.vendor_class);
  if (packet.yiaddr().is_unspecified()) {
    if (!ours) return drop(DhcpDrop::NoAddress);
    if (!keep_proxy_offer(packet, params, now)) return;
    ++stats_.accepted;
  } else {
    if (!packet.yiaddr().is_unicast()) return drop(DhcpDrop::NoAddress);
    // "DHCP servers include this option in the DHCPOFFER" (RFC 2132 9.7), and the
    // REQUEST must name the server it picks.
    if (!params.has_server_id || !params.server_id.is_unicast())
      return drop(DhcpDrop::NoServerId);
    ++stats_.offers;
    OfferSummary offer;
    offer.valid = true;
    offer.has_boot_file = dhcp_boot_file(packet).ok();
    offer.pxe = ours;
    offer.address = packet.yiaddr();
    offer.server_id = params.server_id;
    // Better: names a boot file; then: a PXE-aware server. The first of equals wins.
    auto rank = [](const OfferSummary& o) { return (o.has_boot_file ? 2 : 0) + (o.pxe ? 1 : 0); };
    if (offer_.valid && rank(offer) <= rank(offer_)) return drop(DhcpDrop::Duplicate);
    offer_ = offer;
    ++stats_.accepted;
    if (timeline_.first_offer == kNever) timeline_.first_offer = now;
  }

  if (state_ == DhcpState::Selecting && offer_.valid) enter_collecting(now);
  if (state_ == DhcpState::Collecting && choice_is_certain()) enter_requesting(now, &tx);
}

void DhcpClient::handle_ack(const DhcpPacket& packet, const DhcpParams& params, Millis now) {
  if (params.has_server_id && !(params.server_id == offer_.server_id))
    return drop(DhcpDrop::WrongServer);
  if (!packet.yiaddr().is_unicast()) return drop(DhcpDrop::NoAddress);
  ++stats_.accepted;
  timeline_.acked = now;
  timeline_.requested = data_.requesting.first_sent;
  lease_.ack.assign(packet.bytes());
  fill_lease_from_ack(packet, params);
  if (proxy_exchange_needed()) {
    enter_proxy(now);
  } else {
    finish_bound(now, DhcpFailure::None);
  }
}

void DhcpClient::handle_nak(const DhcpParams& params, Millis now) {
  // The REQUEST was broadcast: only the selected server's refusal counts.
  if (params.has_server_id && !(params.server_id == offer_.server_id))
    return drop(DhcpDrop::WrongServer);
  ++stats_.accepted;
  ++stats_.naks;
  // "If the client receives a DHCPNAK message, the client restarts the
  // configuration process." (RFC 2131 3.1) The DISCOVER goes at the next poll().
  restart_or_fail(now, DhcpFailure::TooManyNaks);
}

void DhcpClient::handle_pxe_reply(const DhcpPacket& packet, Millis now) {
  ++stats_.accepted;
  timeline_.pxe_reply = now;
  lease_.pxe_reply.assign(packet.bytes());
  Result<DhcpParams> params = DhcpParams::parse(packet);
  // dnsmasq's proxy offers carry nothing; its menu comes in this reply, and the
  // boot file only after a discovery that names an item.
  if (params && dhcp_boot_file(packet).ok())
    fill_boot_info(DhcpBootSource::PxeReply, packet, params.value());
  else if (params)
    note_discovery(packet, params.value(), data_.proxy.server);
  finish_bound(now, DhcpFailure::None);
}

void DhcpClient::take_discovery(const DhcpRawPacket& request, const DhcpRawPacket& reply,
                                Millis now) {
  Result<DhcpPacket> packet = DhcpPacket::check(reply.view());
  if (!packet) return;
  Result<DhcpParams> params = DhcpParams::parse(packet.value());
  if (!params) return;
  lease_.pxe_discover = request;
  lease_.pxe_reply = reply;
  timeline_.pxe_reply = now;
  lease_.needs_discovery = false;
  // The menu stays the lease's PXE options: a later Discover asks from it again.
  uint8_t menu[sizeof(lease_.pxe_options)];
  size_t menu_length = copy_bytes(MutableBytes(menu), lease_.pxe_option_bytes());
  fill_boot_info(DhcpBootSource::PxeReply, packet.value(), params.value());
  if (menu_length != 0) {
    lease_.pxe_options_length = static_cast<uint8_t>(
        copy_bytes(MutableBytes(lease_.pxe_options), Bytes(menu, menu_length)));
  }
}

bool DhcpClient::proxy_exchange_needed() const {
  if (config_.mode != DhcpMode::Pxe) return false;  // HTTP boot has no port 4011
  if (lease_.has_boot_file() || !lease_.proxy_offer.valid()) return false;
  return !proxy_has_boot_file_ && !proxy_wants_discovery_;
}

void DhcpClient::note_discovery(const DhcpPacket& packet, const DhcpParams& params,
                                Ipv4Address server) {
  if (config_.mode != DhcpMode::Pxe) return;
  if (!options_want_discovery(params.vendor_specific, dhcp_boot_file(packet).ok())) return;
  lease_.needs_discovery = true;
  lease_.menu_server = server;
  lease_.pxe_options_length = static_cast<uint8_t>(
      copy_bytes(MutableBytes(lease_.pxe_options), params.vendor_specific));
}

void DhcpClient::fill_lease_from_ack(const DhcpPacket& packet, const DhcpParams& params) {
  lease_.address = packet.yiaddr();
  lease_.subnet_mask = params.has_subnet_mask ? params.subnet_mask : Ipv4Address();
  lease_.router_count = read_routers(packet, lease_.routers, DhcpLease::kMaxRouters);
  lease_.dns_server_count = params.dns_server_count;
  for (size_t i = 0; i < params.dns_server_count; ++i)
    lease_.dns_servers[i] = params.dns_servers[i];
  lease_.domain_name.assign(params.domain_name);
  lease_.lease_time = params.has_lease_time ? params.lease_time : 0;
  lease_.server_id = params.has_server_id ? params.server_id : offer_.server_id;
  fill_boot_info(dhcp_boot_file(packet).ok() ? DhcpBootSource::Ack : DhcpBootSource::None,
                 packet, params);
}

void DhcpClient::fill_boot_info(DhcpBootSource source, const DhcpPacket& packet,
                                const DhcpParams& params) {
  lease_.boot_source = source;
  Result<Bytes> file = dhcp_boot_file(packet);
  lease_.boot_file.assign(file ? file.value() : Bytes());
  Result<Bytes> sname = dhcp_server_name(packet);
  Bytes name = !params.tftp_server_name.empty() ? params.tftp_server_name
                                                : (sname ? sname.value() : Bytes());
  lease_.boot_server_name.assign(name);
  // PXE's order (EDK II PxeBcDhcp4BootInfo): siaddr, else the server's own address.
  // Option 66 may be a dotted quad (slirp-like servers, Windows DHCP set it so).
  Result<Ipv4Address> named = Ipv4Address::parse(params.tftp_server_name);
  if (!packet.siaddr().is_unspecified()) {
    lease_.boot_server = packet.siaddr();
  } else if (!params.tftp_server_name.empty() && named) {
    lease_.boot_server = named.value();
  } else {
    lease_.boot_server = params.has_server_id ? params.server_id : Ipv4Address();
  }
  lease_.pxe_options_length = static_cast<uint8_t>(
      copy_bytes(MutableBytes(lease_.pxe_options), params.vendor_specific));
}

}  // namespace mpxe::net
