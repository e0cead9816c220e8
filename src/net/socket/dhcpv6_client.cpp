#include "net/socket/dhcpv6_client.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

// RFC 5970 3.4: type 1 (UNDI), major 3, minor 16 — as the DHCPv4 client's option
// 94 and vendor class say. (EDK II writes its SNP's NII values, 3.0 without one.)
constexpr uint8_t kClientNii[Dhcpv6ClientMessage::kClientNiiLen] = {1, 3, 0x10};

// EDK II's vendor-class-data for PXE and HTTP boot, after the enterprise number.
constexpr char kPxeVendorClass[] = "PXEClient:Arch:00007:UNDI:003016";
constexpr char kHttpVendorClass[] = "HTTPClient:Arch:00016:UNDI:003016";

constexpr uint16_t kSlirpServerPort = (kDhcpv6ServerPort >> 8) | ((kDhcpv6ServerPort & 0xFF) << 8);

Millis add(Millis a, Millis b) { return a > kNever - b ? kNever : a + b; }

}  // namespace

const char* dhcpv6_state_text(Dhcpv6State state) {
  switch (state) {
    case Dhcpv6State::Idle: return "idle";
    case Dhcpv6State::Soliciting: return "soliciting";
    case Dhcpv6State::Requesting: return "requesting";
    case Dhcpv6State::InformationRequesting: return "information-requesting";
    case Dhcpv6State::Declining: return "declining";
    case Dhcpv6State::Bound: return "bound";
    case Dhcpv6State::Failed: return "failed";
  }
  return "unknown";
}

const char* dhcpv6_failure_text(Dhcpv6Failure failure) {
  switch (failure) {
    case Dhcpv6Failure::None: return "none";
    case Dhcpv6Failure::NoAdvertise: return "no DHCPv6 Advertise";
    case Dhcpv6Failure::NoAddress: return "DHCPv6 servers offered no address";
    case Dhcpv6Failure::NoReply: return "no DHCPv6 Reply";
    case Dhcpv6Failure::ServerStatus: return "DHCPv6 server refused";
    case Dhcpv6Failure::SendFailed: return "could not send";
    case Dhcpv6Failure::AddressInUse: return "DHCPv6 address in use on the link (DAD)";
  }
  return "unknown";
}

const char* dhcpv6_drop_text(Dhcpv6Drop drop) {
  switch (drop) {
    case Dhcpv6Drop::Malformed: return "malformed";
    case Dhcpv6Drop::Oversize: return "oversize";
    case Dhcpv6Drop::WrongPort: return "wrong source port";
    case Dhcpv6Drop::WrongXid: return "wrong transaction id";
    case Dhcpv6Drop::UnexpectedType: return "unexpected message type";
    case Dhcpv6Drop::NotForUs: return "not our client id";
    case Dhcpv6Drop::NoServerId: return "no server id";
    case Dhcpv6Drop::WrongServer: return "from a server not asked";
    case Dhcpv6Drop::NoAddress: return "no address offered";
    case Dhcpv6Drop::WrongState: return "nothing expected";
    case Dhcpv6Drop::Worse: return "no better than the Advertise kept";
  }
  return "unknown";
}

uint32_t Dhcpv6Stats::dropped_total() const {
  uint32_t total = 0;
  for (uint32_t n : dropped) total += n;
  return total;
}

Dhcpv6Client::Dhcpv6Client(const Dhcpv6Config& config, Random& random)
    : config_(config), random_(random) {
  duid_ = config.has_uuid ? Dhcpv6Duid::uuid(config.uuid) : Dhcpv6Duid::llt(config.mac, config.duid_time);
  iaid_ = config.iaid != 0 ? config.iaid : load_be32(config.mac.octets + 2);
  // An IAID of 0 would read as "any" in Dhcpv6Params::parse's filter.
  if (iaid_ == 0) iaid_ = 1;
}

Error Dhcpv6Client::error() const {
  switch (failure_) {
    case Dhcpv6Failure::None: return Error();
    case Dhcpv6Failure::NoAdvertise:
    case Dhcpv6Failure::NoReply: return Error(Layer::Dhcp, Errc::TimedOut);
    case Dhcpv6Failure::NoAddress: return Error(Layer::Dhcp, Errc::NotFound);
    case Dhcpv6Failure::ServerStatus: return Error(Layer::Dhcp, Errc::Rejected);
    case Dhcpv6Failure::AddressInUse: return Error(Layer::Dhcp, Errc::InUse);
    case Dhcpv6Failure::SendFailed:
      return send_error_.is_error() ? send_error_ : Error(Layer::Dhcp, Errc::WouldBlock);
  }
  return Error(Layer::Dhcp, Errc::BadValue);
}

void Dhcpv6Client::start(Millis now) {
  lease_ = Dhcpv6Lease();
  stats_ = Dhcpv6Stats();
  last_status_ = Dhcpv6StatusNote();
  failure_ = Dhcpv6Failure::None;
  send_error_ = Error();
  if (config_.mode == Dhcpv6Mode::Stateful) {
    enter_soliciting(now);
    return;
  }
  xid_ = random_.next_u32() & Dhcpv6Packet::kXidMask;
  exchange_started_ = kNever;
  state_ = Dhcpv6State::InformationRequesting;
  rt_ = begin(now, kInfTimeout, kInfMaxRt, 0, kInformationDuration);
}

// ---- retransmission (RFC 8415 15) -----------------------------------------

Dhcpv6Client::Retransmit Dhcpv6Client::begin(Millis now, Millis irt, Millis mrt, uint8_t mrc,
                                             Millis duration) {
  Retransmit rt;
  rt.due = now;
  rt.irt = irt;
  rt.mrt = mrt;
  rt.max_sends = mrc;
  rt.end = add(now, duration);
  return rt;
}

Millis Dhcpv6Client::randomized(Millis base, bool positive) {
  // RAND*base with RAND uniform in [-0.1, 0.1] ("strictly greater than 0" for the
  // first Solicit). A random value of 0x80000000 gives RAND = 0 (or 0.05 + 1 ms).
  Millis tenth = base / 10;
  Millis draw = ((random_.next_u32() >> 16) * (2 * tenth)) >> 16;  // [0, 0.2*base)
  if (positive) return base + 1 + draw / 2;
  return base - tenth + draw;
}

Dhcpv6Client::Step Dhcpv6Client::step(const Retransmit& rt, Millis now) const {
  if (now >= rt.end) return Step::Over;
  if (now < rt.due) return Step::Wait;
  if (rt.max_sends != 0 && rt.sends >= rt.max_sends) return Step::Over;
  return Step::Send;
}

void Dhcpv6Client::sent(Retransmit& rt, Millis now) {
  if (rt.rt == 0) {
    rt.rt = randomized(rt.irt, rt.positive_first);
  } else {
    // "RT = 2*RTprev + RAND*RTprev"; past MRT, "RT = MRT + RAND*MRT".
    Millis doubled = 2 * rt.rt + (randomized(rt.rt, false) - rt.rt);
    rt.rt = doubled > rt.mrt ? randomized(rt.mrt, false) : doubled;
  }
  ++rt.sends;
  // After the last allowed send the wait still runs, then the exchange is over.
  rt.due = add(now, rt.rt);
  if (rt.due > rt.end) rt.due = rt.end;
}

bool Dhcpv6Client::retransmit(Retransmit& rt, Message message, Millis now, UdpSender& tx) {
  switch (step(rt, now)) {
    case Step::Over: return false;
    case Step::Wait: return true;
    case Step::Send: break;
  }
  Result<void> status = send(message, now, tx);
  if (!status) {
    send_error_ = status.error();
    ++stats_.send_failures;
    rt.due = add(now, kSendRetry);
    if (rt.due > rt.end) rt.due = rt.end;
    return true;
  }
  sent(rt, now);
  return true;
}

Millis Dhcpv6Client::next_deadline() const {
  switch (state_) {
    case Dhcpv6State::Soliciting:
    case Dhcpv6State::Requesting:
    case Dhcpv6State::InformationRequesting:
    case Dhcpv6State::Declining: return rt_.due;
    case Dhcpv6State::Idle:
    case Dhcpv6State::Bound:
    case Dhcpv6State::Failed: return kNever;
  }
  return kNever;
}

uint16_t Dhcpv6Client::elapsed(Millis now) const {
  // "the time since the client began its current DHCP transaction ... in
  // hundredths of a second"; 0xffff when longer (RFC 8415 21.9).
  if (exchange_started_ == kNever || now < exchange_started_) return 0;
  Millis centis = (now - exchange_started_) / 10;
  return centis > 0xFFFF ? 0xFFFF : static_cast<uint16_t>(centis);
}

// ---- transitions ----------------------------------------------------------

void Dhcpv6Client::enter_soliciting(Millis now) {
  xid_ = random_.next_u32() & Dhcpv6Packet::kXidMask;
  exchange_started_ = kNever;
  offer_ = Offer();
  state_ = Dhcpv6State::Soliciting;
  rt_ = begin(now, kSolTimeout, kSolMaxRt, 0, kSolicitDuration);
  rt_.positive_first = true;
}

void Dhcpv6Client::enter_requesting(Millis now, UdpSender* tx) {
  // "The client MUST use a transaction ID that is different from the
  // transaction ID of the Solicit" — a new exchange.
  xid_ = random_.next_u32() & Dhcpv6Packet::kXidMask;
  exchange_started_ = kNever;
  state_ = Dhcpv6State::Requesting;
  lease_.preference = offer_.preference;
  rt_ = begin(now, kReqTimeout, kReqMaxRt, kReqMaxRc, kRequestDuration);
  if (tx != nullptr) retransmit(rt_, Message::Request, now, *tx);
}

void Dhcpv6Client::finish_bound(Millis) {
  state_ = Dhcpv6State::Bound;
  failure_ = Dhcpv6Failure::None;
}

void Dhcpv6Client::fail(Millis, Dhcpv6Failure failure) {
  state_ = Dhcpv6State::Failed;
  failure_ = failure;
}

void Dhcpv6Client::restart_or_fail(Millis now, Dhcpv6Failure failure) {
  if (stats_.restarts >= kMaxRestarts) {
    fail(now, failure);
    return;
  }
  ++stats_.restarts;
  enter_soliciting(now);
}

Result<void> Dhcpv6Client::decline(Millis now) {
  if (state_ != Dhcpv6State::Bound || !lease_.has_address) return Error(Layer::Dhcp, Errc::BadValue);
  // RFC 8415 18.2.7: to the server that assigned it, a new transaction, the
  // address in its IA; and the client "MUST NOT use" it meanwhile.
  declined_ = lease_.address;
  lease_.has_address = false;
  xid_ = random_.next_u32() & Dhcpv6Packet::kXidMask;
  exchange_started_ = kNever;
  state_ = Dhcpv6State::Declining;
  rt_ = begin(now, kDecTimeout, kDecTimeout * 64, kDecMaxRc, kDeclineDuration);
  return {};
}

void Dhcpv6Client::poll(Millis now, UdpSender& tx) {
  switch (state_) {
    case Dhcpv6State::Soliciting:
      // The first RT is over with an Advertise in hand: ask its server.
      if (offer_.valid && now >= rt_.due) {
        enter_requesting(now, &tx);
        break;
      }
      if (!retransmit(rt_, Message::Solicit, now, tx)) {
        Dhcpv6Failure why = !rt_.sends                   ? Dhcpv6Failure::SendFailed
                            : last_status_.valid         ? Dhcpv6Failure::NoAddress
                                                         : Dhcpv6Failure::NoAdvertise;
        fail(now, why);
      }
      break;
    case Dhcpv6State::Requesting:
      if (!retransmit(rt_, Message::Request, now, tx)) {
        restart_or_fail(now, rt_.sends ? Dhcpv6Failure::NoReply : Dhcpv6Failure::SendFailed);
        if (state_ == Dhcpv6State::Soliciting) poll(now, tx);
      }
      break;
    case Dhcpv6State::InformationRequesting:
      if (!retransmit(rt_, Message::InformationRequest, now, tx))
        fail(now, rt_.sends ? Dhcpv6Failure::NoReply : Dhcpv6Failure::SendFailed);
      break;
    case Dhcpv6State::Declining:
      // 18.2.7: unanswered after DEC_MAX_RC, the client "SHOULD abandon" the
      // Decline; either way a new address is asked for.
      if (!retransmit(rt_, Message::Decline, now, tx)) {
        restart_or_fail(now, Dhcpv6Failure::AddressInUse);
        if (state_ == Dhcpv6State::Soliciting) poll(now, tx);
      }
      break;
    case Dhcpv6State::Idle:
    case Dhcpv6State::Bound:
    case Dhcpv6State::Failed: break;
  }
}

// ---- sending --------------------------------------------------------------

Result<void> Dhcpv6Client::send(Message message, Millis now, UdpSender& tx) {
  if (exchange_started_ == kNever) exchange_started_ = now;
  Dhcpv6ClientMessage m;
  m.transaction_id = xid_;
  m.client_id = duid_;
  m.elapsed_time = elapsed(now);
  DhcpRawPacket* out = &lease_.solicit;
  if (message == Message::Decline) {
    // Client ID, Server ID, Elapsed Time and the IA (RFC 8415 18.2.7); no ORO
    // or boot options (Appendix C). Not kept: the raw packets serve PXE's Mode.
    m.type = Dhcpv6MessageType::Decline;
    m.server_id = offer_.server_id;
    m.has_ia_na = true;
    m.iaid = iaid_;
    m.has_ia_address = true;
    m.ia_address = declined_;
    uint8_t buffer[256];
    Result<size_t> len = m.emit(MutableBytes(buffer));
    if (!len) return len.error();
    UdpMeta meta;
    meta.src = config_.link_local;
    meta.dst = kDhcpv6AllServers;
    meta.src_port = kDhcpv6ClientPort;
    meta.dst_port = kDhcpv6ServerPort;
    Result<void> status = tx.send_udp(meta, Bytes(buffer, len.value()));
    if (status) ++stats_.declines_sent;
    return status;
  }
  // What every message asks for (RFC 8415 18.2.1 and 18.2.6 make the ORO carry
  // SOL_MAX_RT, INF_MAX_RT and the refresh time; slirp reads 23 and 59 only).
  auto ask = [&m](uint16_t code) { m.oro[m.oro_count++] = code; };
  ask(dhcpv6_option::kBootfileUrl);
  ask(dhcpv6_option::kBootfileParam);
  ask(dhcpv6_option::kDnsServers);
  ask(dhcpv6_option::kDomainList);
  switch (message) {
    case Message::Solicit:
      m.type = Dhcpv6MessageType::Solicit;
      m.rapid_commit = config_.rapid_commit;
      m.has_ia_na = true;
      m.iaid = iaid_;
      ask(dhcpv6_option::kSolMaxRt);
      break;
    case Message::Request:
      m.type = Dhcpv6MessageType::Request;
      m.server_id = offer_.server_id;
      m.has_ia_na = true;
      m.iaid = iaid_;
      m.has_ia_address = true;
      m.ia_address = offer_.address;
      ask(dhcpv6_option::kSolMaxRt);
      out = &lease_.request;
      break;
    case Message::Decline: break;  // sent above
    case Message::InformationRequest:
      // No IA: slirp drops a message with an IA Address, as RFC 3315 told it to.
      m.type = Dhcpv6MessageType::InformationRequest;
      ask(dhcpv6_option::kInfMaxRt);
      ask(dhcpv6_option::kInformationRefreshTime);
      break;
  }
  m.client_arch_set = true;
  bool http = config_.boot == DhcpMode::Http;
  m.client_arch = http ? pxe_arch::kEfiX64Http : pxe_arch::kEfiBc;
  copy_bytes(MutableBytes(m.nii), Bytes(kClientNii));
  m.vendor_enterprise = kVendorEnterprise;
  m.vendor_class = bytes_of(http ? kHttpVendorClass : kPxeVendorClass);

  Result<size_t> len = m.emit(MutableBytes(out->bytes));
  if (!len) return len.error();
  out->length = static_cast<uint16_t>(len.value());

  UdpMeta meta;
  meta.src = config_.link_local;
  meta.dst = kDhcpv6AllServers;
  meta.src_port = kDhcpv6ClientPort;
  meta.dst_port = kDhcpv6ServerPort;
  Result<void> status = tx.send_udp(meta, out->view());
  if (!status) return status;
  switch (message) {
    case Message::Solicit: ++stats_.solicits_sent; break;
    case Message::Request: ++stats_.requests_sent; break;
    case Message::InformationRequest: ++stats_.information_requests_sent; break;
    case Message::Decline: break;
  }
  return {};
}

// ---- receiving ------------------------------------------------------------

void Dhcpv6Client::drop(Dhcpv6Drop reason) {
  size_t i = static_cast<size_t>(reason);
  if (stats_.dropped[i]++ == 0) stats_.first_from[i] = datagram_from_;
  stats_.last_drop = reason;
}

void Dhcpv6Client::note_status(const Dhcpv6Status& status) {
  last_status_.valid = true;
  last_status_.code = status.code;
  last_status_.message.assign(status.message);
  last_status_.from = datagram_from_;
}

bool Dhcpv6Client::client_id_ok(const Dhcpv6Params& params) {
  if (params.client_id.empty()) return config_.mode == Dhcpv6Mode::Stateless;
  return bytes_equal(params.client_id, duid_.view());
}

void Dhcpv6Client::on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) {
  ++stats_.received;
  datagram_from_ = meta.src;
  if (state_ != Dhcpv6State::Soliciting && state_ != Dhcpv6State::Requesting &&
      state_ != Dhcpv6State::InformationRequesting && state_ != Dhcpv6State::Declining)
    return drop(Dhcpv6Drop::WrongState);
  // QEMU's slirp writes port 547 in host order where network order belongs, so
  // on x86 its Reply leaves from port 8962 (captured: dhcpv6_frames.h). Taken in
  // stateless mode only, the one exchange slirp answers.
  bool slirp_port = config_.mode == Dhcpv6Mode::Stateless && meta.src_port == kSlirpServerPort;
  if (meta.src_port != kDhcpv6ServerPort && !slirp_port) return drop(Dhcpv6Drop::WrongPort);
  if (payload.size() > DhcpRawPacket::kCapacity) return drop(Dhcpv6Drop::Oversize);
  Result<Dhcpv6Packet> packet = Dhcpv6Packet::check(payload);
  if (!packet) {
    stats_.last_error = packet.error();
    return drop(Dhcpv6Drop::Malformed);
  }
  if (packet.value().transaction_id() != xid_) return drop(Dhcpv6Drop::WrongXid);
  Result<Dhcpv6Params> parsed = Dhcpv6Params::parse(packet.value(), iaid_);
  if (!parsed) {
    stats_.last_error = parsed.error();
    return drop(Dhcpv6Drop::Malformed);
  }
  const Dhcpv6Params& params = parsed.value();
  if (!client_id_ok(params)) return drop(Dhcpv6Drop::NotForUs);
  uint8_t type = params.msg_type;
  if (state_ == Dhcpv6State::Soliciting && type == static_cast<uint8_t>(Dhcpv6MessageType::Advertise))
    return handle_advertise(params, payload, now, tx);
  bool reply = type == static_cast<uint8_t>(Dhcpv6MessageType::Reply);
  // A Reply to a Solicit only under Rapid Commit (RFC 8415 18.2.1).
  if (reply && (state_ != Dhcpv6State::Soliciting || (config_.rapid_commit && params.rapid_commit)))
    return handle_reply(params, payload, now);
  drop(Dhcpv6Drop::UnexpectedType);
}

void Dhcpv6Client::handle_advertise(const Dhcpv6Params& params, Bytes payload, Millis now,
                                    UdpSender& tx) {
  if (params.server_id.empty()) return drop(Dhcpv6Drop::NoServerId);
  // "The client MUST ignore any Advertise message that contains no addresses"
  // (RFC 8415 18.2.9); its status is what the failure will name.
  if (!params.has_ia_na || !params.ia_na.has_address || !params.status.ok()) {
    if (!params.status.ok()) note_status(params.status);
    else if (params.has_ia_na && !params.ia_na.status.ok()) note_status(params.ia_na.status);
    else if (params.has_ia_na && params.ia_na.address_status.present)
      note_status(params.ia_na.address_status);
    return drop(Dhcpv6Drop::NoAddress);
  }
  uint8_t preference = params.has_preference ? params.preference : 0;
  if (offer_.valid && preference <= offer_.preference) return drop(Dhcpv6Drop::Worse);
  ++stats_.accepted;
  ++stats_.advertises;
  offer_.valid = true;
  offer_.preference = preference;
  offer_.server_id = Dhcpv6Duid::of(params.server_id).value();
  offer_.address = params.ia_na.address.address;
  offer_.from = datagram_from_;
  lease_.advertise.assign(payload);
  // Preference 255: "the client immediately begins a client-initiated message
  // exchange"; after the first RT, the first Advertise is taken at once too.
  if (preference == 255 || rt_.sends >= 2 || (rt_.sends == 1 && now >= rt_.due))
    enter_requesting(now, &tx);
}

void Dhcpv6Client::handle_reply(const Dhcpv6Params& params, Bytes payload, Millis now) {
  bool stateful = config_.mode == Dhcpv6Mode::Stateful;
  if (params.server_id.empty() && stateful) return drop(Dhcpv6Drop::NoServerId);
  bool asked = state_ == Dhcpv6State::Requesting || state_ == Dhcpv6State::Declining;
  if (asked && !bytes_equal(params.server_id, offer_.server_id.view()))
    return drop(Dhcpv6Drop::WrongServer);
  if (state_ == Dhcpv6State::Declining) {
    // The server has taken the Decline (its status, whatever it is, changes
    // nothing: 18.2.10.1 has the client ask anew).
    ++stats_.accepted;
    if (!params.status.ok()) note_status(params.status);
    restart_or_fail(now, Dhcpv6Failure::AddressInUse);
    return;
  }
  if (!params.status.ok()) {
    // UnspecFail, UseMulticast (we send multicast only), NotOnLink, NoAddrsAvail:
    // a new round may meet a server in a better mood; a bounded number of them.
    ++stats_.accepted;
    note_status(params.status);
    if (stateful) restart_or_fail(now, Dhcpv6Failure::ServerStatus);
    else fail(now, Dhcpv6Failure::ServerStatus);
    return;
  }
  if (stateful && (!params.has_ia_na || !params.ia_na.has_address)) {
    ++stats_.accepted;
    if (params.has_ia_na && !params.ia_na.status.ok()) note_status(params.ia_na.status);
    else if (params.has_ia_na && params.ia_na.address_status.present)
      note_status(params.ia_na.address_status);
    restart_or_fail(now, last_status_.valid ? Dhcpv6Failure::NoAddress : Dhcpv6Failure::ServerStatus);
    return;
  }
  ++stats_.accepted;
  lease_.reply.assign(payload);
  fill_lease(params);
  finish_bound(now);
}

void Dhcpv6Client::fill_lease(const Dhcpv6Params& params) {
  if (params.has_ia_na && params.ia_na.has_address && config_.mode == Dhcpv6Mode::Stateful) {
    lease_.has_address = true;
    lease_.address = params.ia_na.address.address;
    lease_.preferred_lifetime = params.ia_na.address.preferred_lifetime;
    lease_.valid_lifetime = params.ia_na.address.valid_lifetime;
    lease_.t1 = params.ia_na.t1;
    lease_.t2 = params.ia_na.t2;
    lease_.iaid = params.ia_na.iaid;
  }
  lease_.dns_server_count = params.dns_server_count;
  for (size_t i = 0; i < params.dns_server_count; ++i) lease_.dns_servers[i] = params.dns_servers[i];
  char domain[256];
  Result<size_t> domain_len =
      params.domain_list.empty() ? Result<size_t>(Error(Layer::Dhcp, Errc::NotFound))
                                 : dhcpv6_first_domain(params.domain_list, domain, sizeof(domain));
  if (domain_len) lease_.domain.assign(Bytes(reinterpret_cast<const uint8_t*>(domain), domain_len.value()));
  if (!params.server_id.empty()) lease_.server_duid = Dhcpv6Duid::of(params.server_id).value();
  lease_.server = datagram_from_;
  fill_boot(params);
}

void Dhcpv6Client::fill_boot(const Dhcpv6Params& params) {
  // The Reply's boot options, else those of the Advertise chosen (a server that
  // names the file only when it offers).
  const Dhcpv6Params* source = &params;
  Result<Dhcpv6Params> advertised = Error(Layer::Dhcp, Errc::NotFound);
  if (params.bootfile_url.empty() && lease_.advertise.valid()) {
    Result<Dhcpv6Packet> packet = Dhcpv6Packet::check(lease_.advertise.view());
    if (packet) advertised = Dhcpv6Params::parse(packet.value(), iaid_);
    if (advertised) source = &advertised.value();
  }
  lease_.boot_file_url.assign(source->bootfile_url);
  Dhcpv6BootParams walk(source->bootfile_param);
  Bytes param;
  lease_.boot_file_param_count = 0;
  while (lease_.boot_file_param_count < Dhcpv6Lease::kMaxBootParams && walk.next(param))
    lease_.boot_file_params[lease_.boot_file_param_count++].assign(param);
}

}  // namespace mpxe::net
