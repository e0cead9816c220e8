#include "net/socket/pxe_discovery.h"

#include "core/byte_ops.h"

namespace mpxe::net {

PxeDiscoveryRequest PxeDiscoveryRequest::from_options(const PxeVendorOptions& options,
                                                      uint16_t type, Ipv4Address client,
                                                      Ipv4Address menu_server) {
  PxeDiscoveryRequest r;
  r.client = client;
  r.type = type;
  r.control = options.control();
  if (options.has_multicast()) r.multicast = options.multicast();
  // A server list that names none for this type means no server offers it; only
  // options without any list leave the menu's own server to ask.
  if (!options.has_servers()) r.menu_server = menu_server;
  for (size_t e = 0; e < options.server_entry_count(); ++e) {
    PxeBootServerEntry entry = options.server_entry(e);
    if (entry.type != type) continue;
    for (size_t i = 0; i < entry.count() && r.server_count < kMaxTargets; ++i)
      r.servers[r.server_count++] = entry.address(i);
  }
  return r;
}

PxeDiscoveryRequest pxe_request_from_info(const PxeDiscoverInfo& info, uint16_t type,
                                          uint16_t layer, Ipv4Address client) {
  PxeDiscoveryRequest r;
  r.client = client;
  r.type = type;
  r.layer = layer;
  if (!info.use_broadcast) r.control |= pxe_discovery::kNoBroadcast;
  if (!info.use_multicast) r.control |= pxe_discovery::kNoMulticast;
  if (info.must_use_list) r.control |= pxe_discovery::kListedOnly;
  if (info.use_multicast) r.multicast = info.multicast;
  r.unicast = info.use_unicast;
  for (size_t i = 0; i < info.server_count && r.server_count < PxeDiscoveryRequest::kMaxTargets; ++i) {
    const PxeDiscoverInfo::Server& s = info.servers[i];
    if (s.type == type || s.accept_any) r.servers[r.server_count++] = s.address;
  }
  return r;
}

Result<PxeBootPlan> pxe_plan_boot(const DhcpLease& lease, size_t pinned) {
  Result<PxeVendorOptions> options = PxeVendorOptions::parse(lease.pxe_option_bytes());
  if (!options) return options.error();
  PxeBootPlan plan;
  plan.options = options.value();
  Result<PxeMenuItem> item = plan.options.choose(pinned);
  if (!item) return item.error();
  plan.item = item.value();
  plan.local_boot = plan.item.type == kPxeLocalBoot;
  // PXE 2.1 2.4.4.5: the prompt shows for `timeout` seconds, then the first item
  // boots; 0 boots at once. An item named in advance needs no prompt.
  if (plan.options.has_prompt() && pinned == 0) {
    uint8_t t = plan.options.prompt_timeout();
    plan.waits_for_key = t == kPxePromptForever;
    if (!plan.waits_for_key) plan.prompt_wait = Millis{t} * 1000;
  }
  plan.request = PxeDiscoveryRequest::from_options(plan.options, plan.item.type, lease.address,
                                                   lease.menu_server);
  return plan;
}

const char* pxe_discovery_failure_text(PxeDiscoveryFailure failure) {
  switch (failure) {
    case PxeDiscoveryFailure::None: return "none";
    case PxeDiscoveryFailure::NoTarget: return "the PXE options leave no boot server to ask";
    case PxeDiscoveryFailure::NoReply: return "no boot server answered the discovery";
    case PxeDiscoveryFailure::SendFailed: return "could not send the discovery request";
  }
  return "unknown";
}

const char* pxe_discovery_drop_text(PxeDiscoveryDrop drop) {
  switch (drop) {
    case PxeDiscoveryDrop::Malformed: return "malformed";
    case PxeDiscoveryDrop::NotOurs: return "not an ACK to our request";
    case PxeDiscoveryDrop::WrongItem: return "for another boot item";
    case PxeDiscoveryDrop::NotListed: return "from a server not in PXE_BOOT_SERVERS";
    case PxeDiscoveryDrop::WrongState: return "nothing expected";
  }
  return "unknown";
}

PxeDiscovery::PxeDiscovery(const DhcpConfig& identity, Random& random)
    : identity_(identity), random_(random) {}

Error PxeDiscovery::error() const {
  switch (failure_) {
    case PxeDiscoveryFailure::None: return Error();
    case PxeDiscoveryFailure::NoTarget: return Error(Layer::Dhcp, Errc::NotFound);
    case PxeDiscoveryFailure::NoReply: return Error(Layer::Dhcp, Errc::TimedOut);
    case PxeDiscoveryFailure::SendFailed:
      return send_error_.is_error() ? send_error_ : Error(Layer::Dhcp, Errc::WouldBlock);
  }
  return Error(Layer::Dhcp, Errc::BadValue);
}

void PxeDiscovery::add_target(Ipv4Address dst, uint16_t port) {
  if (target_count_ >= sizeof(targets_) / sizeof(targets_[0])) return;
  UdpMeta& t = targets_[target_count_++];
  t.src = request_info_.client;
  t.src_port = kDhcpClientPort;
  t.dst = dst;
  t.dst_port = port;
}

bool PxeDiscovery::is_listed(Ipv4Address address) const {
  for (size_t i = 0; i < request_info_.server_count; ++i)
    if (request_info_.servers[i] == address) return true;
  return false;
}

void PxeDiscovery::start(const PxeDiscoveryRequest& request, Millis now) {
  request_info_ = request;
  failure_ = PxeDiscoveryFailure::None;
  target_count_ = 0;
  target_ = 0;
  any_sent_ = false;
  requests_sent_ = 0;
  started_ = now;
  xid_ = random_.next_u32();
  boot_file_ = DhcpText<255>();
  boot_server_ = Ipv4Address();
  replied_from_ = Ipv4Address();
  reply_.clear();
  request_.clear();
  for (uint32_t& d : dropped_) d = 0;

  uint8_t control = request.control;
  if (!(control & pxe_discovery::kNoMulticast) && request.multicast.is_multicast())
    add_target(request.multicast, kMulticastPort);
  if (!(control & pxe_discovery::kNoBroadcast))
    add_target(Ipv4Address::broadcast(), kDhcpServerPort);
  for (size_t i = 0; request.unicast && i < request.server_count; ++i)
    if (request.servers[i].is_unicast()) add_target(request.servers[i], kPxeProxyPort);
  if (target_count_ == 0 && request.menu_server.is_unicast())
    add_target(request.menu_server, kPxeProxyPort);

  if (target_count_ == 0) {
    state_ = PxeDiscoveryState::Failed;
    failure_ = PxeDiscoveryFailure::NoTarget;
    return;
  }
  state_ = PxeDiscoveryState::Discovering;
  rt_ = Backoff::begin(now, kFirstTimeout, kSendsPerTarget);
}

void PxeDiscovery::next_target(Millis now) {
  if (++target_ < target_count_) {
    rt_ = Backoff::begin(now, kFirstTimeout, kSendsPerTarget);
    return;
  }
  state_ = PxeDiscoveryState::Failed;
  failure_ = any_sent_ ? PxeDiscoveryFailure::NoReply : PxeDiscoveryFailure::SendFailed;
}

Millis PxeDiscovery::next_deadline() const {
  return state_ == PxeDiscoveryState::Discovering ? rt_.due : kNever;
}

void PxeDiscovery::poll(Millis now, UdpSender& tx) {
  while (state_ == PxeDiscoveryState::Discovering) {
    switch (rt_.step(now)) {
      case Backoff::Step::Wait: return;
      case Backoff::Step::Over:
        next_target(now);
        continue;  // the next destination's first send is due now
      case Backoff::Step::Send: break;
    }
    Result<void> sent = send(now, tx);
    if (sent) {
      any_sent_ = true;
      rt_.sent(now, random_);
    } else {
      send_error_ = sent.error();
      rt_.refused(now, kSendRetry);
    }
    return;
  }
}

Result<void> PxeDiscovery::send(Millis now, UdpSender& tx) {
  size_t len = build(now, MutableBytes(request_.bytes));
  if (len == 0) return Error(Layer::Dhcp, Errc::NoSpace);
  request_.length = static_cast<uint16_t>(len);
  Result<void> status = tx.send_udp(targets_[target_], request_.view());
  if (status) ++requests_sent_;
  return status;
}

size_t PxeDiscovery::build(Millis now, MutableBytes out) {
  DhcpRepr repr;
  repr.op = BootpOp::Request;
  repr.set_client_mac(identity_.mac);
  repr.xid = xid_;
  Millis secs = (now - started_) / 1000;
  repr.secs = static_cast<uint16_t>(secs > 0xFFFF ? 0xFFFF : secs);
  repr.ciaddr = request_info_.client;

  uint8_t item[kPxeBootItemOptionLen];
  size_t item_len = pxe_emit_boot_item(request_info_.type, request_info_.layer, MutableBytes(item));
  DhcpOptionWriter w(out.subspan(DhcpPacket::kOptionsOffset));
  Result<void> s = w.put_message_type(DhcpMessageType::Request);
  if (s) s = w.put(dhcp_option::kVendorSpecific, Bytes(item, item_len));
  if (s) s = dhcp_put_client_options(w, identity_);
  if (s) s = dhcp_put_end_padded(w);
  if (!s) return 0;
  repr.options = w.written();
  if (!repr.emit(out)) return 0;
  return repr.buffer_len();
}

void PxeDiscovery::on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) {
  (void)now;
  (void)tx;
  if (state_ != PxeDiscoveryState::Discovering) return drop(PxeDiscoveryDrop::WrongState);
  if (payload.size() > DhcpRawPacket::kCapacity) return drop(PxeDiscoveryDrop::Malformed);
  // PXE boot server discovery is DHCPv4: an answer over IPv6 is no answer.
  if (!meta.src.is_v4()) return drop(PxeDiscoveryDrop::NotOurs);
  const Ipv4Address from = meta.src.v4();
  Result<DhcpPacket> checked = DhcpPacket::check(payload);
  if (!checked) {
    last_error_ = checked.error();
    return drop(PxeDiscoveryDrop::Malformed);
  }
  const DhcpPacket& packet = checked.value();
  if (packet.op() != static_cast<uint8_t>(BootpOp::Reply) || packet.xid() != xid_ ||
      !(packet.client_mac() == identity_.mac))
    return drop(PxeDiscoveryDrop::NotOurs);
  Result<DhcpParams> parsed = DhcpParams::parse(packet);
  if (!parsed) {
    last_error_ = parsed.error();
    return drop(PxeDiscoveryDrop::Malformed);
  }
  const DhcpParams& params = parsed.value();
  if (params.message_type != static_cast<uint8_t>(DhcpMessageType::Ack))
    return drop(PxeDiscoveryDrop::NotOurs);
  Result<PxeVendorOptions> options = PxeVendorOptions::parse(params.vendor_specific);
  if (!options) {
    last_error_ = options.error();
    return drop(PxeDiscoveryDrop::Malformed);
  }
  // PXE 2.1 2.2.5: the reply names the item it answers; one that names none is
  // taken (some servers leave it out), one that names another is not ours.
  uint16_t layer = request_info_.layer;
  if (options.value().has_boot_item()) {
    if (options.value().boot_item_type() != request_info_.type)
      return drop(PxeDiscoveryDrop::WrongItem);
    layer = options.value().boot_item_layer();
  }
  if ((request_info_.control & pxe_discovery::kListedOnly) && !is_listed(from))
    return drop(PxeDiscoveryDrop::NotListed);

  reply_.assign(packet.bytes());
  replied_from_ = from;
  layer_ = layer;
  Result<Bytes> file = dhcp_boot_file(packet);
  boot_file_.assign(file ? file.value() : Bytes());
  if (!packet.siaddr().is_unspecified())
    boot_server_ = packet.siaddr();
  else if (params.has_server_id)
    boot_server_ = params.server_id;
  else
    boot_server_ = from;
  state_ = PxeDiscoveryState::Done;
}

void PxeDiscovery::on_unreachable(const UdpMeta& quoted, uint8_t /*code*/, Millis now) {
  if (state_ != PxeDiscoveryState::Discovering) return;
  const UdpMeta& t = targets_[target_];
  if (quoted.dst == t.dst && quoted.dst_port == t.dst_port) next_target(now);
}

}  // namespace mpxe::net
