// EFI_PXE_BASE_CODE_PROTOCOL (UEFI 2.10, 24.3).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kPxeBaseCodeProtocolGuid = {
    0x03c4e603, 0xac28, 0x11d3, {0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};

constexpr uint64_t kPxeBaseCodeProtocolRevision = 0x00010000;
constexpr int kPxeMaxIpCount = 8;
constexpr int kPxeMaxArpEntries = 8;
constexpr int kPxeMaxRouteEntries = 8;

using PxeUdpPort = uint16_t;

enum class PxeTftpOpcode : uint32_t {
  First,
  TftpGetFileSize,
  TftpReadFile,
  TftpWriteFile,
  TftpReadDirectory,
  MtftpGetFileSize,
  MtftpReadFile,
  MtftpReadDirectory,
  Last
};

struct PxeDhcpv4Packet {
  uint8_t BootpOpcode;
  uint8_t BootpHwType;
  uint8_t BootpHwAddrLen;
  uint8_t BootpGateHops;
  uint32_t BootpIdent;
  uint16_t BootpSeconds;
  uint16_t BootpFlags;
  uint8_t BootpCiAddr[4];
  uint8_t BootpYiAddr[4];
  uint8_t BootpSiAddr[4];
  uint8_t BootpGiAddr[4];
  uint8_t BootpHwAddr[16];
  uint8_t BootpSrvName[64];
  uint8_t BootpBootFile[128];
  uint32_t DhcpMagik;
  uint8_t DhcpOptions[56];
};
static_assert(sizeof(PxeDhcpv4Packet) == 296);  // 236 BOOTP + 4 cookie + 56 options

struct PxeDhcpv6Packet {
  uint32_t MessageType : 8;
  uint32_t TransactionId : 24;
  uint8_t DhcpOptions[1024];
};

union PxePacket {
  uint8_t Raw[1472];
  PxeDhcpv4Packet Dhcpv4;
  PxeDhcpv6Packet Dhcpv6;
};
static_assert(sizeof(PxePacket) == 1472);

constexpr uint8_t kPxeIpFilterStationIp = 0x01;
constexpr uint8_t kPxeIpFilterBroadcast = 0x02;
constexpr uint8_t kPxeIpFilterPromiscuous = 0x04;
constexpr uint8_t kPxeIpFilterPromiscuousMulticast = 0x08;

struct PxeIpFilter {
  uint8_t Filters;
  uint8_t IpCnt;
  uint16_t reserved;
  IpAddress IpList[kPxeMaxIpCount];
};
static_assert(sizeof(PxeIpFilter) == 132);

struct PxeArpEntry {
  IpAddress IpAddr;
  MacAddress MacAddr;
};
static_assert(sizeof(PxeArpEntry) == 48);

struct PxeRouteEntry {
  IpAddress IpAddr;
  IpAddress SubnetMask;
  IpAddress GwAddr;
};
static_assert(sizeof(PxeRouteEntry) == 48);

struct PxeIcmpError {
  uint8_t Type;
  uint8_t Code;
  uint16_t Checksum;
  union {
    uint32_t reserved;
    uint32_t Mtu;
    uint32_t Pointer;
    struct {
      uint16_t Identifier;
      uint16_t Sequence;
    } Echo;
  } u;
  uint8_t Data[494];
};
static_assert(sizeof(PxeIcmpError) == 504);

struct PxeTftpError {
  uint8_t ErrorCode;
  char ErrorString[127];
};
static_assert(sizeof(PxeTftpError) == 128);

struct PxeMode {
  Boolean Started;
  Boolean IpV6Available;
  Boolean IpV6Supported;
  Boolean UsingIpv6;
  Boolean BisSupported;
  Boolean BisDetected;
  Boolean AutoArp;
  Boolean SendGUID;
  Boolean DhcpDiscoverValid;
  Boolean DhcpAckReceived;
  Boolean ProxyOfferReceived;
  Boolean PxeDiscoverValid;
  Boolean PxeReplyReceived;
  Boolean PxeBisReplyReceived;
  Boolean IcmpErrorReceived;
  Boolean TftpErrorReceived;
  Boolean MakeCallbacks;
  uint8_t TTL;
  uint8_t ToS;
  IpAddress StationIp;
  IpAddress SubnetMask;
  PxePacket DhcpDiscover;
  PxePacket DhcpAck;
  PxePacket ProxyOffer;
  PxePacket PxeDiscover;
  PxePacket PxeReply;
  PxePacket PxeBisReply;
  PxeIpFilter IpFilter;
  uint32_t ArpCacheEntries;
  PxeArpEntry ArpCache[kPxeMaxArpEntries];
  uint32_t RouteTableEntries;
  PxeRouteEntry RouteTable[kPxeMaxRouteEntries];
  PxeIcmpError IcmpError;
  PxeTftpError TftpError;
};
static_assert(offsetof(PxeMode, StationIp) == 20);
static_assert(offsetof(PxeMode, DhcpAck) == 52 + 1472);
static_assert(sizeof(PxeMode) == 10424);

struct PxeMtftpInfo {
  IpAddress MCastIp;
  PxeUdpPort CPort;
  PxeUdpPort SPort;
  uint16_t ListenTimeout;
  uint16_t TransmitTimeout;
};
static_assert(sizeof(PxeMtftpInfo) == 24);

struct PxeSrvList {
  uint16_t Type;
  Boolean AcceptAnyResponse;
  uint8_t Reserved;
  IpAddress IpAddr;
};

struct PxeDiscoverInfo {
  Boolean UseMCast;
  Boolean UseBCast;
  Boolean UseUCast;
  Boolean MustUseList;
  IpAddress ServerMCastIp;
  uint16_t IpCnt;
  PxeSrvList SrvList[1];
};

// EFI_PXE_BASE_CODE_CALLBACK_PROTOCOL (UEFI 2.10 24.4): a caller installs it on
// the PXE Base Code's handle and sets Mode.MakeCallbacks; the Base Code then asks
// it before each operation and after each packet, and stops on ABORT.
inline constexpr Guid kPxeBaseCodeCallbackProtocolGuid = {
    0x245dca21, 0xfb7b, 0x11d3, {0x8f, 0x01, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

enum class PxeFunction : uint32_t {
  First = 0, Dhcp = 1, Discover = 2, Mtftp = 3, UdpWrite = 4, UdpRead = 5, Arp = 6, Igmp = 7,
};
enum class PxeCallbackStatus : uint32_t { First = 0, Continue = 1, Abort = 2 };

struct PxeBaseCodeCallbackProtocol {
  uint64_t Revision;
  PxeCallbackStatus (*Callback)(PxeBaseCodeCallbackProtocol* self, PxeFunction function,
                                Boolean received, uint32_t packet_length, PxePacket* packet);
};
static_assert(sizeof(PxeBaseCodeCallbackProtocol) == 16);

struct PxeBaseCodeProtocol {
  uint64_t Revision;
  Status (*Start)(PxeBaseCodeProtocol* self, Boolean use_ipv6);
  Status (*Stop)(PxeBaseCodeProtocol* self);
  Status (*Dhcp)(PxeBaseCodeProtocol* self, Boolean sort_offers);
  Status (*Discover)(PxeBaseCodeProtocol* self, uint16_t type, uint16_t* layer, Boolean use_bis,
                     PxeDiscoverInfo* info);
  Status (*Mtftp)(PxeBaseCodeProtocol* self, PxeTftpOpcode operation, void* buffer,
                  Boolean overwrite, uint64_t* buffer_size, Uintn* block_size,
                  IpAddress* server_ip, const uint8_t* filename, PxeMtftpInfo* info,
                  Boolean dont_use_buffer);
  Status (*UdpWrite)(PxeBaseCodeProtocol* self, uint16_t op_flags, IpAddress* dest_ip,
                     PxeUdpPort* dest_port, IpAddress* gateway_ip, IpAddress* src_ip,
                     PxeUdpPort* src_port, Uintn* header_size, void* header, Uintn* buffer_size,
                     void* buffer);
  Status (*UdpRead)(PxeBaseCodeProtocol* self, uint16_t op_flags, IpAddress* dest_ip,
                    PxeUdpPort* dest_port, IpAddress* src_ip, PxeUdpPort* src_port,
                    Uintn* header_size, void* header, Uintn* buffer_size, void* buffer);
  Status (*SetIpFilter)(PxeBaseCodeProtocol* self, PxeIpFilter* filter);
  Status (*Arp)(PxeBaseCodeProtocol* self, IpAddress* ip, MacAddress* mac);
  Status (*SetParameters)(PxeBaseCodeProtocol* self, Boolean* auto_arp, Boolean* send_guid,
                          uint8_t* ttl, uint8_t* tos, Boolean* make_callback);
  Status (*SetStationIp)(PxeBaseCodeProtocol* self, IpAddress* station_ip,
                         IpAddress* subnet_mask);
  Status (*SetPackets)(PxeBaseCodeProtocol* self, Boolean* dhcp_discover_valid,
                       Boolean* dhcp_ack_received, Boolean* proxy_offer_received,
                       Boolean* pxe_discover_valid, Boolean* pxe_reply_received,
                       Boolean* pxe_bis_reply_received, PxePacket* dhcp_discover,
                       PxePacket* dhcp_ack, PxePacket* proxy_offer, PxePacket* pxe_discover,
                       PxePacket* pxe_reply, PxePacket* pxe_bis_reply);
  PxeMode* Mode;
};
static_assert(sizeof(PxeBaseCodeProtocol) == 14 * 8);

}  // namespace uefi
