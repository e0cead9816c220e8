#include "uefi/runtime/memory.h"

#include "uefi/runtime/efi.h"

extern "C" void* memset(void* dest, int value, size_t n);

namespace std {
const nothrow_t nothrow{};
}

namespace uefi {

void* allocate(size_t size) {
  void* p = nullptr;
  if (is_error(bs()->AllocatePool(MemoryType::BootServicesData, size == 0 ? 1 : size, &p)))
    return nullptr;
  return p;
}

void* allocate_zeroed(size_t size) {
  void* p = allocate(size);
  if (p != nullptr) memset(p, 0, size);
  return p;
}

void release(void* p) {
  if (p != nullptr) bs()->FreePool(p);
}

}  // namespace uefi

void* operator new(size_t size, const std::nothrow_t&) noexcept { return uefi::allocate(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return uefi::allocate(size); }
void operator delete(void* p) noexcept { uefi::release(p); }
void operator delete(void* p, size_t) noexcept { uefi::release(p); }
void operator delete[](void* p) noexcept { uefi::release(p); }
void operator delete[](void* p, size_t) noexcept { uefi::release(p); }
