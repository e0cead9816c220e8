// A page-granular buffer shared with a bus-mastering device, allocated and mapped
// through EFI_PCI_IO_PROTOCOL (AllocateBuffer + Map as a common buffer), so it works
// with and without an IOMMU.
#pragma once

#include "uefi/protocols/pci_io.h"

namespace mpxe::driver {

class DmaBuffer {
 public:
  uefi::Status allocate(uefi::PciIoProtocol* pci, size_t bytes);
  void free();

  uint8_t* host() const { return host_; }
  uint64_t device() const { return device_; }
  size_t size() const { return pages_ * 4096; }
  bool valid() const { return host_ != nullptr; }

 private:
  uefi::PciIoProtocol* pci_ = nullptr;
  uint8_t* host_ = nullptr;
  uint64_t device_ = 0;
  void* mapping_ = nullptr;
  size_t pages_ = 0;
};

}  // namespace mpxe::driver
