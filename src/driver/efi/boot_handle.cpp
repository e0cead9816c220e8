#include "driver/efi/boot_handle.h"

#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

extern "C" void* memcpy(void* dest, const void* src, size_t n);
extern "C" void* memset(void* dest, int value, size_t n);

namespace mpxe::driver {

using namespace uefi;

namespace {

constexpr uint8_t kIfTypeEthernet = 1;  // RFC 3232 ifType, as the MAC node wants

size_t device_path_size(const DevicePathProtocol* path) {
  size_t size = 0;
  const auto* node = path;
  // Bounded: a malformed path must not walk memory forever.
  for (int guard = 0; guard < 64 && node->Type != kDevicePathEnd; ++guard) {
    uint16_t length = device_path_node_length(node);
    if (length < sizeof(DevicePathProtocol)) break;
    size += length;
    node = reinterpret_cast<const DevicePathProtocol*>(reinterpret_cast<const uint8_t*>(node) +
                                                       length);
  }
  return size;
}

DevicePathProtocol* append_mac_node(const DevicePathProtocol* parent, const uint8_t mac[6]) {
  size_t prefix = device_path_size(parent);
  size_t total = prefix + sizeof(MacAddrDevicePath) + sizeof(DevicePathProtocol);
  auto* bytes = static_cast<uint8_t*>(allocate_zeroed(total));
  if (bytes == nullptr) return nullptr;
  memcpy(bytes, parent, prefix);
  auto* node = reinterpret_cast<MacAddrDevicePath*>(bytes + prefix);
  node->Header.Type = kDevicePathMessaging;
  node->Header.SubType = kDevicePathSubMac;
  node->Header.Length[0] = sizeof(MacAddrDevicePath);
  memcpy(node->MacAddress.Addr, mac, 6);
  node->IfType = kIfTypeEthernet;
  auto* end = reinterpret_cast<DevicePathProtocol*>(bytes + prefix + sizeof(MacAddrDevicePath));
  end->Type = kDevicePathEnd;
  end->SubType = kDevicePathSubEndEntire;
  end->Length[0] = sizeof(DevicePathProtocol);
  return reinterpret_cast<DevicePathProtocol*>(bytes);
}

}  // namespace

Status BootHandle::load_file_thunk(LoadFileProtocol* self, DevicePathProtocol*, Boolean boot_policy,
                                   Uintn* size, void* buffer) {
  auto* handle = reinterpret_cast<BootHandle*>(self);
  if (size == nullptr) return kInvalidParameter;
  return handle->load_(handle->context_, boot_policy != 0, size, buffer);
}

Status BootHandle::install(Handle controller, Handle driver, const uint8_t mac[6], LoadFn load,
                           void* context) {
  DevicePathProtocol* parent = nullptr;
  Status s = bs()->OpenProtocol(controller, &kDevicePathProtocolGuid,
                                reinterpret_cast<void**>(&parent), driver, controller,
                                kOpenProtocolGetProtocol);
  if (is_error(s)) return s;
  path_ = append_mac_node(parent, mac);
  if (path_ == nullptr) return kOutOfResources;
  controller_ = controller;
  driver_ = driver;
  load_ = load;
  context_ = context;
  load_file_.LoadFile = load_file_thunk;
  child_ = nullptr;
  s = bs()->InstallMultipleProtocolInterfaces(&child_, &kDevicePathProtocolGuid, path_,
                                              &kLoadFileProtocolGuid, &load_file_, nullptr);
  if (is_error(s)) {
    release(path_);
    path_ = nullptr;
    return s;
  }
  // The child holds the parent's PCI I/O, so disconnecting the NIC tears it down first.
  void* pci = nullptr;
  bs()->OpenProtocol(controller, &kPciIoProtocolGuid, &pci, driver, child_,
                     kOpenProtocolByChildController);
  return kSuccess;
}

void BootHandle::uninstall() {
  if (child_ == nullptr) return;
  bs()->CloseProtocol(controller_, &kPciIoProtocolGuid, driver_, child_);
  bs()->UninstallMultipleProtocolInterfaces(child_, &kDevicePathProtocolGuid, path_,
                                            &kLoadFileProtocolGuid, &load_file_, nullptr);
  release(path_);
  path_ = nullptr;
  child_ = nullptr;
}

}  // namespace mpxe::driver
