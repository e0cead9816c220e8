// A DNS stub resolver for A and AAAA records (RFC 1034 5.3.1, RFC 1035, RFC 3596), as a state machine
// that does no I/O, like the DHCP and TFTP clients beside it: replies come in
// through on_datagram(), time through the `now` arguments, and queries leave
// through the UdpSender handed to poll() or on_datagram().
//
//   Idle/Done/Failed --start()--> literal or cached name ------------------> Done
//                                  |
//                                  +--> Querying --matching answer with A--> Done
//                                          |  ^ timeout: next server,
//                                          |  | longer wait (bounded)
//                                          +--+--> Failed (failure() says why)
//
// One lookup at a time. A boot client resolves one host (the HTTP boot URL's)
// before it does anything else, so parallel lookups would buy nothing and cost a
// table of them; start() while Querying is refused (Errc::InUse). Finished
// lookups leave their addresses in a small cache that later start() calls use.
//
// The family (DnsFamily, start()'s last argument) says which records a lookup
// asks for: A only (the default), AAAA only, or both, one query after the other,
// the preferred type first; the answer lists the preferred family's addresses
// first (at most kMaxPerFamily of each). Each query is a phase with its own ID,
// its own servers' "no"s and the retransmissions below; total_limit bounds the
// lookup as a whole. A phase that finds nothing (NODATA, a timeout, a server's
// "no") passes to the next; the lookup fails only when no phase found an
// address, with the first failure other than NoAddress (else NoAddress).
// NXDOMAIN ends it at once (the name has no records of any type).
//
// What start() answers without a query:
//   - an address literal of a family asked for ("10.77.0.1", "fd00::1"):
//     itself (IpAddress::parse, strict form); one of a family not asked for is
//     refused (Dns Unsupported), never sent as a name;
//   - a name in the cache, for the same family, whose TTL has not run out.
//
// Queries (one question, QTYPE A or AAAA, QCLASS IN, RD set) go to the servers
// (DHCP option 6, or IPv6 ones: a query to an IPv6 server leaves in a UdpMeta of
// that family and the interface picks the source) in turn. Each lookup draws a fresh 16-bit ID from the Random; the
// caller binds the resolver to a port it draws the same way
// (Interface::allocate_port) and passes it to start(): RFC 5452 9.2 asks for both
// to be unpredictable, which leaves a blind spoofer 30 bits to guess.
//
// Retransmission (DnsResolverConfig): send k of a lookup goes to the next server
// in the list that has not failed, and waits first_timeout << (k / servers),
// capped at max_timeout: with the defaults and one server 1, 2, 4 s, then
// Timeout 7 s after start(); with two, 1, 1, 2, 2, 4 s and the limit (10 s).
// At most rounds x servers sends, and never longer than total_limit in all,
// however late poll() comes (an answer past it is not taken). A send the
// UdpSender refuses (the server's MAC not resolved yet, ring full) is tried again
// after kSendRetry within that send's wait, without spending an attempt.
//
// An answer is taken only when everything matches (RFC 5452 9.1): it comes from
// port 53 of a server this lookup sent to, to our port, with our ID, QR set,
// opcode QUERY, and the question we asked (name without regard to case, the
// phase's type, class IN). Anything else is dropped silently and counted (stats()). A late
// answer from a server asked earlier in the lookup is as good as one from the
// server asked last.
//
// What an accepted answer ends in:
//   NOERROR with A (AAAA) records for the name, following CNAMEs within the
//     answer (at most DnsResponse::kMaxCname of them)  -> Done: answer()
//   NOERROR without (NODATA, or a chain that ends at a name with no such record)
//                                           -> Failed NoAddress
//   NXDOMAIN                                -> Failed NxDomain (authoritative: no
//                                              other server is asked)
//   TC set                                  -> Failed Truncated (the answer needs
//                                              TCP, which this resolver lacks)
//   SERVFAIL, REFUSED, any other RCODE      -> that server is out for this lookup;
//     if it was the one being waited on, the next is asked at once; when none
//     is left, Failed ServerFailure, Refused or ServerError (rcode() has the
//     code). An ICMP port unreachable from a server does the same, ending in
//     Unreachable.
// When the sends or the time run out: Failed Timeout, unless a server had said
// no (then what it said), or no send ever left (SendFailed).
//
// The cache: kCacheSlots entries of a name, a family and up to kMaxAddresses addresses,
// inside the object (no heap). An entry lives for the answer's smallest TTL
// along its CNAME chain (both phases', for both families), capped at max_cache_ttl_s; TTL 0 is not cached (RFC
// 1035 3.2.1: "only for the transaction in progress"). A full cache replaces its
// least recently used entry. Failures are not cached (RFC 2308 negative caching
// needs the SOA of the authority section, which the wire parser skips).
//
// Storage: about 7 KiB (the cache is most of it), all inside the object; nothing
// is allocated.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/dns.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::net {

struct DnsResolverConfig {
  static constexpr size_t kMaxServers = 4;

  IpAddress servers[kMaxServers];  // in the order DHCP option 6 (or DHCPv6, RDNSS) gave them
  uint8_t server_count = 0;
  uint16_t server_port = kDnsServerPort;
  Millis first_timeout = 1000;   // the wait after each server's first send
  Millis max_timeout = 4000;     // the wait never doubles past this
  uint8_t rounds = 3;            // sends per server
  Millis total_limit = 10000;    // a lookup fails this long after start(), whatever is left
  uint32_t max_cache_ttl_s = 3600;

  // Keeps at most kMaxServers of `count`, skipping unusable addresses
  // (unspecified, broadcast, multicast) and repeats.
  void set_servers(const IpAddress* list, size_t count);
  void set_servers(const Ipv4Address* list, size_t count);
};

// Which address records a lookup asks for, and the order of its answer.
enum class DnsFamily : uint8_t {
  V4 = 0,        // A only: the default, what every IPv4-only caller gets
  V6 = 1,        // AAAA only
  PreferV4 = 2,  // A, then AAAA: IPv4 addresses first
  PreferV6 = 3,  // AAAA, then A: IPv6 addresses first
};
// "IPv4", "IPv6", "IPv4 then IPv6", "IPv6 then IPv4".
const char* dns_family_text(DnsFamily family);

enum class DnsResolverState : uint8_t {
  Idle,      // nothing asked yet
  Querying,  // a query is out: poll() and on_datagram() move it on
  Done,      // answer() holds the addresses
  Failed,    // failure() says why
};

// Why a lookup failed. Values are stable: they appear in logs.
enum class DnsFailure : uint8_t {
  None = 0,
  NoServer = 1,       // no server configured (and the name was no literal, not cached)
  Timeout = 2,        // no acceptable answer from any server in time
  NxDomain = 3,       // RCODE 3: the name does not exist
  ServerFailure = 4,  // RCODE 2 from every server left
  Refused = 5,        // RCODE 5 from every server left
  ServerError = 6,    // another RCODE (FORMERR, NOTIMP, ...): rcode() says which
  Truncated = 7,      // TC: the answer did not fit in UDP, and we have no TCP
  NoAddress = 8,      // the name exists but has no A (AAAA) record (after its CNAMEs)
  Unreachable = 9,    // ICMP port unreachable from every server
  SendFailed = 10,    // the UdpSender refused every send
  Cancelled = 11,     // cancel()
};
// "name does not exist (NXDOMAIN)", ...; NoAddress as for an A-only lookup.
const char* dns_failure_text(DnsFailure failure);
// ... NoAddress naming the records `family` asked for ("no AAAA record ...").
const char* dns_failure_text(DnsFailure failure, DnsFamily family);
const char* dns_resolver_state_text(DnsResolverState state);

// Why a datagram was dropped; stats() counts each.
enum class DnsDrop : uint8_t {
  WrongState = 0,     // no query is out
  WrongServer = 1,    // not from port 53 of a server this lookup asked, or not to our port
  Malformed = 2,      // the wire check failed: stats().last_error says how
  NotResponse = 3,    // QR clear, or an opcode other than QUERY
  WrongId = 4,        // another transaction's ID
  WrongQuestion = 5,  // no question, or not the name, type and class we asked
};
inline constexpr size_t kDnsDropReasons = 6;
const char* dns_drop_text(DnsDrop drop);

enum class DnsSource : uint8_t {
  None,
  Literal,  // the name was an address literal
  Cache,    // from an earlier answer
  Server,   // from answer().server just now
};

struct DnsAnswer {
  static constexpr size_t kMaxPerFamily = 4;
  static constexpr size_t kMaxAddresses = 2 * kMaxPerFamily;

  DnsName name;       // as asked
  DnsName canonical;  // where the CNAME chain ended (== name without one)
  // The preferred family's first, each in the server's order: IPv4 from A
  // records, IPv6 from AAAA records.
  IpAddress addresses[kMaxAddresses];
  uint8_t count = 0;
  uint32_t ttl_s = 0;  // left to live: the chain's smallest TTL (capped; 0 for a literal)
  DnsSource source = DnsSource::None;
  IpAddress server;  // Server: who answered (the first phase that found addresses)

  bool is_alias() const { return !(canonical == name); }
};

struct DnsStats {
  uint32_t queries = 0;        // sends that left, retransmissions included
  uint32_t retransmits = 0;    // sends after a timeout
  uint32_t send_failures = 0;  // sends the UdpSender refused
  uint32_t received = 0;       // datagrams handed to on_datagram()
  uint32_t accepted = 0;       // those that matched the query
  uint32_t dropped[kDnsDropReasons] = {};
  Error last_error;            // of the last Malformed drop
  uint32_t cache_hits = 0;
  uint32_t cache_misses = 0;
  uint32_t literals = 0;

  uint32_t drops(DnsDrop reason) const { return dropped[static_cast<size_t>(reason)]; }
  uint32_t dropped_total() const;
};

class DnsResolver final : public UdpEndpoint {
 public:
  static constexpr size_t kCacheSlots = 8;
  static constexpr Millis kSendRetry = 20;

  DnsResolver(const DnsResolverConfig& config, Random& random);

  // New servers (a new lease); the cache stays. Not while Querying (InUse).
  Result<void> configure(const DnsResolverConfig& config);

  // Looks `name` up ("boot.example.com", a trailing dot allowed, or an address
  // literal) for `family`. Returns an error, and changes nothing, for a name
  // that is no DNS name (Dns BadName, NameTooLong), a literal of a family not
  // asked for (Dns Unsupported) or while a lookup runs (Dns InUse). Otherwise
  // state() is Done at once (a literal, a cache hit), Failed (NoServer), or
  // Querying: the first query leaves at the next poll(), from `local_port`, the
  // port this endpoint is bound to.
  Result<void> start(Bytes name, uint16_t local_port, Millis now,
                     DnsFamily family = DnsFamily::V4);
  // Ends a running lookup (Failed, Cancelled); answers to it are dropped.
  void cancel(Millis now);

  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) override;
  void on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) override;
  // Sends what is due at `now`; gives up when the limits are reached.
  void poll(Millis now, UdpSender& tx);
  // When poll() next has something to do; kNever unless Querying.
  Millis next_deadline() const;

  DnsResolverState state() const { return state_; }
  bool done() const { return state_ == DnsResolverState::Done || state_ == DnsResolverState::Failed; }
  const DnsAnswer& answer() const { return answer_; }
  DnsFailure failure() const { return failure_; }
  // The family of the current (or last) lookup.
  DnsFamily family() const { return family_; }
  // The record type of the current (or last) query.
  DnsType query_type() const { return query_type_; }
  // failure() as an Error of Layer::Dns (none while all is well); the nearest
  // reason error.h has: failure() is exact.
  Error error() const;
  // The RCODE of the last error answer (ServerError and its kin).
  uint8_t rcode() const { return rcode_; }
  // The ID of the current (or last) query (each phase draws its own).
  uint16_t query_id() const { return id_; }
  uint16_t local_port() const { return local_port_; }
  // When the lookup started and ended (kNever when it has not).
  Millis started_at() const { return started_; }
  Millis finished_at() const { return finished_; }
  const DnsStats& stats() const { return stats_; }
  const DnsResolverConfig& config() const { return config_; }

  // The cache. A lookup of `name` for `family` at `now` would be served from it.
  bool cached(Bytes name, Millis now, DnsFamily family = DnsFamily::V4) const;
  size_t cache_entries(Millis now) const;
  void clear_cache();

 private:
  struct CacheEntry {
    DnsName name;
    DnsFamily family = DnsFamily::V4;
    IpAddress addresses[DnsAnswer::kMaxAddresses];
    uint8_t count = 0;  // 0: a free slot
    DnsName canonical;
    Millis expires = 0;
    Millis used = 0;
  };

  void cache_store(Millis now);

  void send_query(Millis now, UdpSender& tx);
  void next_attempt(Millis now);
  bool pick_server();
  void server_said_no(uint8_t server, DnsFailure failure, Millis now, UdpSender* tx);
  void finish_done(Millis now);
  void fail(DnsFailure failure, Millis now);
  void begin_phase(Millis now);
  // The counters of one query (its sends, servers asked, answers out): zero at
  // a lookup's start and at each phase's.
  void reset_query();
  // The current phase is over (None: it found addresses): the next phase, or
  // the lookup's end.
  void end_phase(DnsFailure failure, Millis now);
  void take_addresses(const DnsResponse& response, uint8_t server);
  void drop(DnsDrop reason);
  int server_index(IpAddress address) const;
  void accept_answer(const DnsResponse& response, uint8_t server, Millis now, UdpSender& tx);

  DnsResolverConfig config_;
  Random& random_;
  DnsResolverState state_ = DnsResolverState::Idle;
  DnsFailure failure_ = DnsFailure::None;
  DnsFailure server_failure_ = DnsFailure::None;  // the last "no" a server said
  uint8_t rcode_ = 0;
  Error send_error_;

  // The lookup in progress.
  DnsName name_;
  DnsFamily family_ = DnsFamily::V4;
  DnsType query_type_ = DnsType::A;
  uint8_t phase_ = 0;           // 0, or 1 for the second type of a two-family lookup
  uint8_t phase_count_ = 1;
  bool found_any_ = false;      // a phase found addresses (answer_ has them)
  uint32_t found_ttl_ = 0;      // the smallest TTL of the phases that found addresses
  DnsFailure first_failure_ = DnsFailure::None;  // the first phase failure other than NoAddress
  uint16_t id_ = 0;
  uint16_t local_port_ = 0;
  Millis started_ = kNever;
  Millis finished_ = kNever;
  Millis give_up_ = kNever;     // started_ + total_limit
  uint16_t sends_ = 0;          // attempts begun (a refused send retried is one attempt)
  uint16_t max_sends_ = 0;
  uint8_t server_ = 0;          // the server of the current attempt
  uint8_t next_server_ = 0;     // where the search for the next attempt's server begins
  uint8_t asked_ = 0;           // bit i: server i was sent a query this lookup
  uint8_t out_ = 0;             // bit i: server i said no; skipped from then on
  bool sent_any_ = false;
  bool send_pending_ = false;   // the current attempt's query has not left yet
  Millis send_at_ = 0;          // when to try it (send_pending_)
  Millis attempt_end_ = 0;      // the current attempt's wait ends

  DnsAnswer answer_;
  DnsStats stats_;
  CacheEntry cache_[kCacheSlots];
  uint8_t query_[DnsPacket::kMaxUdpLen] = {};
  uint16_t query_len_ = 0;
};

}  // namespace mpxe::net
