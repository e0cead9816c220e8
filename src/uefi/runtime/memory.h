// Heap for firmware code, over AllocatePool. There are no exceptions: allocation
// goes through the nothrow forms only, and callers check for nullptr.
#pragma once

#include <stddef.h>

namespace std {
struct nothrow_t {
  explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
enum class align_val_t : size_t {};
}  // namespace std

void* operator new(size_t size, const std::nothrow_t&) noexcept;
void* operator new[](size_t size, const std::nothrow_t&) noexcept;
void operator delete(void* p) noexcept;
void operator delete(void* p, size_t size) noexcept;
void operator delete[](void* p) noexcept;
void operator delete[](void* p, size_t size) noexcept;
inline void* operator new(size_t, void* where) noexcept { return where; }

namespace uefi {
// Boot-services data; nullptr when the pool is exhausted.
void* allocate(size_t size);
void* allocate_zeroed(size_t size);
void release(void* p);
}  // namespace uefi
