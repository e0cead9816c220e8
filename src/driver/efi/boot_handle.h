// The handle BDS boots from: a child of the NIC's PCI handle whose device path
// ends in a MAC node (so the firmware names the option "UEFI PXEv4 (MAC:…)"),
// carrying EFI_LOAD_FILE_PROTOCOL. It is the only network boot option the machine
// shows: no SNP exists during discovery, so OVMF's own network stack never binds.
#pragma once

#include "uefi/protocols/device_path.h"
#include "uefi/protocols/load_file.h"
#include "uefi/protocols/pci_io.h"

namespace mpxe::driver {

class BootHandle {
 public:
  // What LoadFile does; `buffer` is null when the caller asks for the size.
  using LoadFn = uefi::Status (*)(void* context, bool boot_policy, uefi::Uintn* size,
                                  void* buffer);

  uefi::Status install(uefi::Handle controller, uefi::Handle driver, const uint8_t mac[6],
                       LoadFn load, void* context);
  void uninstall();
  uefi::Handle handle() const { return child_; }
  // The child's device path (the NIC's path plus the MAC node), or null before
  // install(): a RAM disk registered from a downloaded image hangs below it, where
  // BDS looks for it.
  const uefi::DevicePathProtocol* device_path() const { return path_; }

 private:
  static uefi::Status load_file_thunk(uefi::LoadFileProtocol* self,
                                      uefi::DevicePathProtocol* path, uefi::Boolean boot_policy,
                                      uefi::Uintn* size, void* buffer);

  // First member: LoadFile hands back this pointer, from which the thunk finds us.
  uefi::LoadFileProtocol load_file_{};
  uefi::Handle controller_ = nullptr;
  uefi::Handle driver_ = nullptr;
  uefi::Handle child_ = nullptr;
  uefi::DevicePathProtocol* path_ = nullptr;
  LoadFn load_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace mpxe::driver
