// DHCP options (RFC 2132) and the PXE ones (RFC 4578, PXE 2.1): reading them with
// bounds checks, option overload included, and writing them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/dhcp.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::net {

namespace dhcp_option {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouter = 3;
inline constexpr uint8_t kDnsServers = 6;
inline constexpr uint8_t kHostName = 12;
inline constexpr uint8_t kBootFileSize = 13;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kBroadcastAddress = 28;
inline constexpr uint8_t kVendorSpecific = 43;   // PXE: encapsulated sub-options
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterRequestList = 55;
inline constexpr uint8_t kMessage = 56;
inline constexpr uint8_t kMaxMessageSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kVendorClassId = 60;    // "PXEClient:Arch:xxxxx:UNDI:yyyzzz"
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kTftpServerName = 66;
inline constexpr uint8_t kBootFileName = 67;
inline constexpr uint8_t kUserClass = 77;
inline constexpr uint8_t kClientArch = 93;       // RFC 4578 2.1
inline constexpr uint8_t kClientNdi = 94;        // RFC 4578 2.2
inline constexpr uint8_t kClientUuid = 97;       // RFC 4578 2.3
inline constexpr uint8_t kEnd = 255;
}  // namespace dhcp_option

// Option 52 values (RFC 2132 9.3): which of file and sname carry options.
inline constexpr uint8_t kDhcpOverloadFile = 1;
inline constexpr uint8_t kDhcpOverloadSname = 2;
inline constexpr uint8_t kDhcpOverloadBoth = 3;

// Option 93 values (RFC 4578 2.1 and the IANA "Processor Architecture Types").
namespace pxe_arch {
inline constexpr uint16_t kX86Bios = 0;
inline constexpr uint16_t kEfiIa32 = 6;
inline constexpr uint16_t kEfiBc = 7;    // what x64 UEFI firmware sends (EDK II, OVMF)
inline constexpr uint16_t kEfiX64 = 9;
inline constexpr uint16_t kEfiX64Http = 16;
}  // namespace pxe_arch

// Option 94 (RFC 4578 2.2): type 1 (UNDI), major, minor.
inline constexpr size_t kPxeClientNdiLen = 3;
// Option 97 (RFC 4578 2.3): type 0, then a 16-byte GUID.
inline constexpr size_t kPxeClientUuidLen = 17;

// Sub-options inside option 43 when the vendor class is "PXEClient" (PXE 2.1 2.4).
namespace pxe_option {
inline constexpr uint8_t kDiscoveryControl = 6;
inline constexpr uint8_t kBootServers = 8;
inline constexpr uint8_t kBootMenu = 9;
inline constexpr uint8_t kMenuPrompt = 10;
inline constexpr uint8_t kBootItem = 71;
}  // namespace pxe_option

struct DhcpOption {
  uint8_t code = 0;
  Bytes value;
};

// One area of code/length/value options: the options field, sname or file under
// overload, or option 43's sub-options. Pad is skipped; End or the end of the
// bytes stops it; an option whose length runs past the area is an error.
class DhcpOptionReader {
 public:
  constexpr DhcpOptionReader() = default;
  explicit constexpr DhcpOptionReader(Bytes area) : area_(area) {}

  // True with `option` filled, or false when the area is over; error() then says
  // whether it ended cleanly.
  bool next(DhcpOption& option);
  Error error() const { return error_; }

 private:
  Bytes area_;
  size_t pos_ = 0;
  bool done_ = false;
  Error error_;
};

// Every option of a message, in the order RFC 3396 section 7 gives for
// concatenation: the options field, then file, then sname, the last two only
// when option 52 in the options field says they hold options.
class DhcpOptionIterator {
 public:
  explicit DhcpOptionIterator(const DhcpPacket& packet);

  bool next(DhcpOption& option);
  Error error() const { return error_; }
  // Option 52's value once the options field has been read (0: none).
  uint8_t overload() const { return overload_; }

 private:
  enum class Area : uint8_t { Options, File, Sname, Done };
  void advance();

  DhcpOptionReader reader_;
  Bytes file_;
  Bytes sname_;
  Area area_ = Area::Options;
  uint8_t overload_ = 0;
  Error error_;
};

// The first instance of `code` anywhere in the message; NotFound when absent, or
// the error that stopped the walk.
Result<DhcpOption> dhcp_find_option(const DhcpPacket& packet, uint8_t code);
// Option 53; NotFound for a plain BOOTP message.
Result<DhcpMessageType> dhcp_message_type(const DhcpPacket& packet);
// The boot file name: option 67 if present, else the file field unless it holds
// options. Trailing NULs are not part of it. NotFound when there is none.
Result<Bytes> dhcp_boot_file(const DhcpPacket& packet);
// The server host name in sname, unless it holds options; NotFound when empty.
Result<Bytes> dhcp_server_name(const DhcpPacket& packet);

// The options a PXE client acts on, read in one walk and checked against their
// definitions (a 4-byte address option of another length is BadOption). The
// first instance of an option counts; byte-string values point into the packet.
struct DhcpParams {
  static constexpr size_t kMaxDnsServers = 3;

  uint8_t message_type = 0;  // a DhcpMessageType, 0 when absent
  uint8_t overload = 0;
  Ipv4Address server_id;
  Ipv4Address subnet_mask;
  Ipv4Address router;            // the first of option 3's list
  Ipv4Address broadcast_address;
  Ipv4Address requested_ip;
  Ipv4Address dns_servers[kMaxDnsServers];
  uint8_t dns_server_count = 0;
  uint32_t lease_time = 0;       // seconds; 0xFFFFFFFF is infinite
  uint32_t renewal_time = 0;
  uint32_t rebinding_time = 0;
  uint16_t max_message_size = 0;
  uint16_t client_arch = 0;      // the first of option 93's list
  bool has_server_id = false;
  bool has_subnet_mask = false;
  bool has_router = false;
  bool has_broadcast_address = false;
  bool has_requested_ip = false;
  bool has_lease_time = false;
  bool has_renewal_time = false;
  bool has_rebinding_time = false;
  bool has_client_arch = false;
  Bytes parameter_requests;  // 55
  Bytes vendor_class;        // 60
  Bytes vendor_specific;     // 43: iterate with DhcpOptionReader
  Bytes client_id;           // 61
  Bytes host_name;           // 12
  Bytes domain_name;         // 15
  Bytes tftp_server_name;    // 66
  Bytes boot_file_name;      // 67
  Bytes client_arch_list;    // 93, 2 bytes per architecture
  Bytes client_ndi;          // 94
  Bytes client_uuid;         // 97: type 0 and the GUID
  Bytes message;             // 56

  static Result<DhcpParams> parse(const DhcpPacket& packet);
};

// Options written one after another into caller storage; a failed put leaves
// what was written before it intact.
class DhcpOptionWriter {
 public:
  explicit constexpr DhcpOptionWriter(MutableBytes out) : out_(out) {}

  Result<void> put(uint8_t code, Bytes value);
  Result<void> put_u8(uint8_t code, uint8_t value);
  Result<void> put_u16(uint8_t code, uint16_t value);
  Result<void> put_u32(uint8_t code, uint32_t value);
  Result<void> put_address(uint8_t code, Ipv4Address address);
  Result<void> put_message_type(DhcpMessageType type);
  Result<void> put_end();
  // Pad options until size() reaches `len` (BOOTP relays expect a 300-byte
  // message at least, RFC 1542 2.1: 60 bytes of options after the cookie).
  Result<void> pad_to(size_t len);

  size_t size() const { return pos_; }
  Bytes written() const { return Bytes(out_.data(), pos_); }

 private:
  MutableBytes out_;
  size_t pos_ = 0;
};

}  // namespace mpxe::net
