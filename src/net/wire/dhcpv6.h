// DHCPv6 messages (RFC 8415) between a client and a server: the 4-byte header
// (msg-type, 24-bit transaction-id), the option TLVs with their nested options
// (IA_NA -> IA Address -> Status Code), the network-boot options of RFC 5970, and
// the client's messages built from a repr. Only the wire: the client's state
// machine is socket/dhcpv6_client.h. Relay messages (12, 13) never reach a client
// and are not read here.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"

namespace mpxe::net {

inline constexpr uint16_t kDhcpv6ClientPort = 546;
inline constexpr uint16_t kDhcpv6ServerPort = 547;
// All_DHCP_Relay_Agents_and_Servers (RFC 8415 7.1): where a client sends.
inline constexpr Ipv6Address kDhcpv6AllServers = Ipv6Address::of(0xff02, 0, 0, 0, 0, 0, 1, 2);

// msg-type (RFC 8415 7.3).
enum class Dhcpv6MessageType : uint8_t {
  Solicit = 1,
  Advertise = 2,
  Request = 3,
  Confirm = 4,
  Renew = 5,
  Rebind = 6,
  Reply = 7,
  Release = 8,
  Decline = 9,
  Reconfigure = 10,
  InformationRequest = 11,
  RelayForward = 12,
  RelayReply = 13,
};
const char* dhcpv6_message_text(uint8_t type);

namespace dhcpv6_option {
inline constexpr uint16_t kClientId = 1;
inline constexpr uint16_t kServerId = 2;
inline constexpr uint16_t kIaNa = 3;
inline constexpr uint16_t kIaTa = 4;
inline constexpr uint16_t kIaAddr = 5;
inline constexpr uint16_t kOro = 6;
inline constexpr uint16_t kPreference = 7;
inline constexpr uint16_t kElapsedTime = 8;
inline constexpr uint16_t kUnicast = 12;
inline constexpr uint16_t kStatusCode = 13;
inline constexpr uint16_t kRapidCommit = 14;
inline constexpr uint16_t kUserClass = 15;
inline constexpr uint16_t kVendorClass = 16;
inline constexpr uint16_t kVendorOpts = 17;
inline constexpr uint16_t kDnsServers = 23;          // RFC 3646
inline constexpr uint16_t kDomainList = 24;          // RFC 3646
inline constexpr uint16_t kInformationRefreshTime = 32;
inline constexpr uint16_t kBootfileUrl = 59;         // RFC 5970 3.1
inline constexpr uint16_t kBootfileParam = 60;       // RFC 5970 3.2
inline constexpr uint16_t kClientArchType = 61;      // RFC 5970 3.3
inline constexpr uint16_t kNii = 62;                 // RFC 5970 3.4
inline constexpr uint16_t kSolMaxRt = 82;
inline constexpr uint16_t kInfMaxRt = 83;
}  // namespace dhcpv6_option

// status-code values (RFC 8415 21.13).
namespace dhcpv6_status {
inline constexpr uint16_t kSuccess = 0;
inline constexpr uint16_t kUnspecFail = 1;
inline constexpr uint16_t kNoAddrsAvail = 2;
inline constexpr uint16_t kNoBinding = 3;
inline constexpr uint16_t kNotOnLink = 4;
inline constexpr uint16_t kUseMulticast = 5;
inline constexpr uint16_t kNoPrefixAvail = 6;
}  // namespace dhcpv6_status
// "NoAddrsAvail", ...; "unknown status" for a code RFC 8415 does not name.
const char* dhcpv6_status_text(uint16_t code);

// DUID types (RFC 8415 11.2-11.5, RFC 6355).
namespace dhcpv6_duid {
inline constexpr uint16_t kLlt = 1;
inline constexpr uint16_t kEn = 2;
inline constexpr uint16_t kLl = 3;
inline constexpr uint16_t kUuid = 4;
inline constexpr uint16_t kHwEthernet = 1;  // hardware type (RFC 826)
}  // namespace dhcpv6_duid

// "A DUID can be no more than 130 octets long (including the type code)"
// (RFC 8415 11.1).
struct Dhcpv6Duid {
  static constexpr size_t kMaxLen = 130;
  uint8_t length = 0;
  uint8_t bytes[kMaxLen] = {};

  // DUID-LLT: type 1, hardware type 1, `time` (seconds since 2000-01-01 UTC,
  // modulo 2^32), the MAC.
  static Dhcpv6Duid llt(MacAddress mac, uint32_t time);
  // DUID-LL: type 3, hardware type 1, the MAC.
  static Dhcpv6Duid ll(MacAddress mac);
  // DUID-UUID: type 4 and the 16 bytes as given (RFC 6355; EDK II's Dhcp6Dxe
  // copies the SMBIOS system GUID the same way).
  static Dhcpv6Duid uuid(const uint8_t (&uuid)[16]);
  // A DUID from the wire: 3 to 130 bytes (a type and at least one byte more).
  static Result<Dhcpv6Duid> of(Bytes value);

  bool valid() const { return length != 0; }
  uint16_t type() const { return length >= 2 ? load_be16(bytes) : 0; }
  Bytes view() const { return Bytes(bytes, length); }
  bool operator==(const Dhcpv6Duid& other) const;
};

// Checks the 4-byte header only; options are walked by Dhcpv6OptionReader.
class Dhcpv6Packet {
 public:
  static constexpr size_t kHeaderLen = 4;
  static constexpr uint32_t kXidMask = 0xFFFFFF;

  static Result<Dhcpv6Packet> check(Bytes bytes);

  uint8_t msg_type() const { return bytes_[0]; }
  uint32_t transaction_id() const { return load_be32(bytes_.data()) & kXidMask; }
  Bytes options() const { return bytes_.subspan(kHeaderLen); }
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr Dhcpv6Packet(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct Dhcpv6Option {
  uint16_t code = 0;
  Bytes value;
};

// One area of option-code/option-len/value TLVs: a message's options, or those
// nested in an IA_NA or IA Address. No pad, no end marker: the area ends with
// the bytes, and an option whose length runs past it is an error (Truncated).
class Dhcpv6OptionReader {
 public:
  constexpr Dhcpv6OptionReader() = default;
  explicit constexpr Dhcpv6OptionReader(Bytes area) : area_(area) {}

  bool next(Dhcpv6Option& option);
  Error error() const { return error_; }

 private:
  Bytes area_;
  size_t pos_ = 0;
  Error error_;
};

// Status Code (13): a code and a UTF-8 message, not NUL-terminated.
struct Dhcpv6Status {
  bool present = false;
  uint16_t code = dhcpv6_status::kSuccess;
  Bytes message;

  bool ok() const { return !present || code == dhcpv6_status::kSuccess; }
};

// The first IA Address of an IA_NA whose own status (if any) is Success.
struct Dhcpv6IaAddress {
  Ipv6Address address;
  uint32_t preferred_lifetime = 0;
  uint32_t valid_lifetime = 0;
};

// IA_NA (3): IAID, T1, T2 and the nested options read.
struct Dhcpv6IaNa {
  static constexpr size_t kFixedLen = 12;

  uint32_t iaid = 0;
  uint32_t t1 = 0;
  uint32_t t2 = 0;
  Dhcpv6Status status;         // the IA's own Status Code
  bool has_address = false;    // an IA Address with a usable lifetime and no bad status
  Dhcpv6IaAddress address;
  Dhcpv6Status address_status;  // of the first IA Address that carried one
  uint8_t addresses = 0;        // IA Address options seen (usable or not)
};

// The options a boot client acts on, read in one walk and each checked against
// its definition (BadOption). The first instance of an option counts, except
// IA_NA: the first with our IAID (iaid_filter) counts, any first when the filter
// is 0. Byte values point into the packet.
struct Dhcpv6Params {
  static constexpr size_t kMaxDnsServers = 3;

  uint8_t msg_type = 0;
  uint32_t transaction_id = 0;
  Bytes client_id;  // the DUIDs, 3..130 bytes when present
  Bytes server_id;
  bool has_preference = false;
  uint8_t preference = 0;
  bool has_elapsed_time = false;
  uint16_t elapsed_time = 0;  // hundredths of a second
  bool rapid_commit = false;
  Dhcpv6Status status;  // the message's top-level Status Code
  bool has_ia_na = false;
  Dhcpv6IaNa ia_na;
  Ipv6Address dns_servers[kMaxDnsServers];
  uint8_t dns_server_count = 0;
  Bytes domain_list;     // 24: uncompressed DNS names (dhcpv6_first_domain reads one)
  Bytes bootfile_url;    // 59: the URL text
  Bytes bootfile_param;  // 60: param-len + text, repeated (Dhcpv6BootParams walks it)
  Bytes oro;             // 6: 2 bytes per option code
  Bytes vendor_class;    // 16: enterprise number, then class-len + data, repeated
  bool has_client_arch = false;
  uint16_t client_arch = 0;  // 61: the first architecture of the list
  Bytes nii;                 // 62: type, major, minor

  static Result<Dhcpv6Params> parse(const Dhcpv6Packet& packet, uint32_t iaid_filter = 0);
};

// RFC 5970 3.2's list: "param-len (2 octets) ... parameter (variable)", repeated.
class Dhcpv6BootParams {
 public:
  explicit constexpr Dhcpv6BootParams(Bytes value) : value_(value) {}
  bool next(Bytes& param);

 private:
  Bytes value_;
  size_t pos_ = 0;
};

// The first name of option 24 as dotted text ("example.com"), NUL-terminated;
// returns its length. BadName for a label over 63 bytes, a compression pointer
// (RFC 8415 10: names are not compressed) or a name over 255 bytes; Truncated
// when the bytes end inside it; NoSpace when it does not fit `out`.
Result<size_t> dhcpv6_first_domain(Bytes domain_list, char* out, size_t capacity);

// A client message (Solicit, Request, Information-Request, ...) as the client
// sends it; emit() writes the header and options in the order listed here.
struct Dhcpv6ClientMessage {
  static constexpr size_t kMaxOro = 8;
  static constexpr size_t kClientNiiLen = 3;

  Dhcpv6MessageType type = Dhcpv6MessageType::Solicit;
  uint32_t transaction_id = 0;  // 24 bits
  Dhcpv6Duid client_id;         // omitted when invalid
  Dhcpv6Duid server_id;         // omitted when invalid
  uint16_t elapsed_time = 0;    // hundredths of a second, always written
  bool rapid_commit = false;
  bool has_ia_na = false;
  uint32_t iaid = 0;  // T1 and T2 are 0: "no preference" (RFC 8415 21.4)
  bool has_ia_address = false;  // an IA Address with lifetimes 0 inside the IA_NA
  Ipv6Address ia_address;
  uint16_t oro[kMaxOro] = {};
  uint8_t oro_count = 0;
  // The network-boot options (RFC 5970), when client_arch_set.
  bool client_arch_set = false;
  uint16_t client_arch = 0;
  uint8_t nii[kClientNiiLen] = {};
  uint32_t vendor_enterprise = 0;
  Bytes vendor_class;  // one vendor-class-data item; omitted when empty

  size_t buffer_len() const;
  // NoSpace when `out` is shorter than buffer_len(); returns the length written.
  Result<size_t> emit(MutableBytes out) const;
};

}  // namespace mpxe::net
