// EFI_DEVICE_PATH_PROTOCOL nodes (UEFI 2.10, chapter 10).
#pragma once

#include "uefi/types.h"

namespace uefi {

struct DevicePathProtocol {
  uint8_t Type;
  uint8_t SubType;
  uint8_t Length[2];
};
static_assert(sizeof(DevicePathProtocol) == 4);

constexpr uint8_t kDevicePathHardware = 0x01;
constexpr uint8_t kDevicePathMessaging = 0x03;
constexpr uint8_t kDevicePathMedia = 0x04;
constexpr uint8_t kDevicePathEnd = 0x7f;

constexpr uint8_t kDevicePathSubPci = 0x01;
constexpr uint8_t kDevicePathSubMac = 0x0b;
constexpr uint8_t kDevicePathSubIpv4 = 0x0c;
constexpr uint8_t kDevicePathSubUri = 0x18;
constexpr uint8_t kDevicePathSubEndEntire = 0xff;

inline constexpr Guid kDevicePathProtocolGuid = {
    0x09576e91, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

inline uint16_t device_path_node_length(const DevicePathProtocol* node) {
  return static_cast<uint16_t>(node->Length[0] | (node->Length[1] << 8));
}

#pragma pack(push, 1)
struct MacAddrDevicePath {
  DevicePathProtocol Header;
  MacAddress MacAddress;
  uint8_t IfType;
};
#pragma pack(pop)
static_assert(sizeof(MacAddrDevicePath) == 37);

}  // namespace uefi
