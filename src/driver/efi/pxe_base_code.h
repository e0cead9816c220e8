// EFI_PXE_BASE_CODE_PROTOCOL (UEFI 2.10, 24.3) over a NetSession, with its Mode
// filled the way EDK II's UefiPxeBcDxe fills it, because NBPs such as Windows
// Boot Manager and GRUB read DhcpAck, ProxyOffer and StationIp straight from there.
#pragma once

#include "driver/boot/net_session.h"
#include "uefi/protocols/pxe_base_code.h"

namespace mpxe::driver {

class PxeBaseCode {
 public:
  void init(NetSession* session);
  // The handle the protocol is installed on: where SetParameters looks for the
  // caller's callback protocol.
  void set_handle(uefi::Handle handle) { handle_ = handle; }
  uefi::PxeBaseCodeProtocol* protocol() { return &protocol_; }
  // Copies the lease of a DHCP run that happened outside the protocol (LoadFile's)
  // into Mode, as if Dhcp() had run: NBPs expect the PXE boot's packets there.
  void adopt_lease();
  // Mtftp with an absolute http:// or https:// name: what shim asks for when the
  // boot file came as a URL (its folder plus the next stage's name). Such a name
  // is no TFTP file, so it is read over HTTP through this reader when one is set.
  // `buffer` null asks the size only; *size is the room in, the file's size out
  // (kBufferTooSmall when it does not fit).
  using UrlReader = uefi::Status (*)(void* context, const char* url, uint8_t* buffer,
                                     uint64_t* size);
  void set_url_reader(UrlReader reader, void* context) {
    url_reader_ = reader;
    url_reader_context_ = context;
  }

 private:
  static PxeBaseCode* from(uefi::PxeBaseCodeProtocol* self);
  static uefi::Status start(uefi::PxeBaseCodeProtocol* self, uefi::Boolean use_ipv6);
  static uefi::Status stop(uefi::PxeBaseCodeProtocol* self);
  static uefi::Status dhcp(uefi::PxeBaseCodeProtocol* self, uefi::Boolean sort_offers);
  static uefi::Status discover(uefi::PxeBaseCodeProtocol* self, uint16_t type, uint16_t* layer,
                               uefi::Boolean use_bis, uefi::PxeDiscoverInfo* info);
  static uefi::Status mtftp(uefi::PxeBaseCodeProtocol* self, uefi::PxeTftpOpcode operation,
                            void* buffer, uefi::Boolean overwrite, uint64_t* buffer_size,
                            uefi::Uintn* block_size, uefi::IpAddress* server_ip,
                            const uint8_t* filename, uefi::PxeMtftpInfo* info,
                            uefi::Boolean dont_use_buffer);
  // Mtftp of an http(s):// name, through url_reader_.
  uefi::Status mtftp_url(uefi::PxeTftpOpcode operation, void* buffer, uint64_t* buffer_size,
                         const char* url, bool dont_use_buffer);
  static uefi::Status udp_write(uefi::PxeBaseCodeProtocol* self, uint16_t op_flags,
                                uefi::IpAddress* dest_ip, uefi::PxeUdpPort* dest_port,
                                uefi::IpAddress* gateway_ip, uefi::IpAddress* src_ip,
                                uefi::PxeUdpPort* src_port, uefi::Uintn* header_size,
                                void* header, uefi::Uintn* buffer_size, void* buffer);
  static uefi::Status udp_read(uefi::PxeBaseCodeProtocol* self, uint16_t op_flags,
                               uefi::IpAddress* dest_ip, uefi::PxeUdpPort* dest_port,
                               uefi::IpAddress* src_ip, uefi::PxeUdpPort* src_port,
                               uefi::Uintn* header_size, void* header, uefi::Uintn* buffer_size,
                               void* buffer);
  static uefi::Status set_ip_filter(uefi::PxeBaseCodeProtocol* self, uefi::PxeIpFilter* filter);
  static uefi::Status arp(uefi::PxeBaseCodeProtocol* self, uefi::IpAddress* ip,
                          uefi::MacAddress* mac);
  static uefi::Status set_parameters(uefi::PxeBaseCodeProtocol* self, uefi::Boolean* auto_arp,
                                     uefi::Boolean* send_guid, uint8_t* ttl, uint8_t* tos,
                                     uefi::Boolean* make_callback);
  static uefi::Status set_station_ip(uefi::PxeBaseCodeProtocol* self, uefi::IpAddress* station_ip,
                                     uefi::IpAddress* subnet_mask);
  static uefi::Status set_packets(uefi::PxeBaseCodeProtocol* self, uefi::Boolean* discover_valid,
                                  uefi::Boolean* ack_received, uefi::Boolean* proxy_received,
                                  uefi::Boolean* pxe_discover_valid, uefi::Boolean* pxe_reply_received,
                                  uefi::Boolean* bis_reply_received, uefi::PxePacket* discover,
                                  uefi::PxePacket* ack, uefi::PxePacket* proxy,
                                  uefi::PxePacket* pxe_discover, uefi::PxePacket* pxe_reply,
                                  uefi::PxePacket* bis_reply);

  // SetStationIp's IPv6 side.
  uefi::Status set_station_ip6(uefi::IpAddress* station_ip, uefi::IpAddress* subnet_mask);
  // With MakeCallbacks set, asks the caller's callback whether `function` may go
  // on (`packet` is what was just sent or received, or null before an operation).
  bool callback_allows(uefi::PxeFunction function, bool received = false,
                       const uint8_t* packet = nullptr, size_t length = 0);
  void note_icmp_error();
  void reset_mode();
  void update_route_and_arp();
  net::IpAddress tftp_server(const uefi::IpAddress* given) const;

  // First member: the protocol pointer NBPs hold converts back to this object.
  uefi::PxeBaseCodeProtocol protocol_{};
  uefi::PxeMode mode_{};
  NetSession* session_ = nullptr;
  uefi::Handle handle_ = nullptr;
  uefi::PxeBaseCodeCallbackProtocol* callback_ = nullptr;
  UrlReader url_reader_ = nullptr;
  void* url_reader_context_ = nullptr;
};

}  // namespace mpxe::driver
