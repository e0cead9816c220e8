#include "driver/nic/dma_buffer.h"

extern "C" void* memset(void* dest, int value, size_t n);

namespace mpxe::driver {

using namespace uefi;

Status DmaBuffer::allocate(PciIoProtocol* pci, size_t bytes) {
  pci_ = pci;
  pages_ = (bytes + 4095) / 4096;
  void* host = nullptr;
  Status s = pci->AllocateBuffer(pci, AllocateType::AnyPages, MemoryType::BootServicesData, pages_,
                                 &host, 0);
  if (is_error(s)) return s;
  Uintn mapped = pages_ * 4096;
  s = pci->Map(pci, PciIoOperation::BusMasterCommonBuffer, host, &mapped, &device_, &mapping_);
  if (!is_error(s) && mapped < pages_ * 4096) {
    pci->Unmap(pci, mapping_);
    s = kOutOfResources;
  }
  if (is_error(s)) {
    pci->FreeBuffer(pci, pages_, host);
    return s;
  }
  host_ = static_cast<uint8_t*>(host);
  memset(host_, 0, pages_ * 4096);
  return kSuccess;
}

void DmaBuffer::free() {
  if (host_ == nullptr) return;
  pci_->Unmap(pci_, mapping_);
  pci_->FreeBuffer(pci_, pages_, host_);
  host_ = nullptr;
}

}  // namespace mpxe::driver
