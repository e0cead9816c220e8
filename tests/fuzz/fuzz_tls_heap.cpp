// The TLS heap under random allocate/release/reallocate sequences.
//
// Input: byte 0 sizes the pool (1-64 KiB), byte 1 shifts its start off the
// 16-byte grid; then records of 3 bytes, [op][a][b]: op % 4 is allocate
// (size from a, b) into slot op / 4 % 32, release that slot, reallocate it,
// or release a pointer the heap never gave (outside the pool, misaligned).
// After every step: the heap walks consistently, live blocks lie in the pool
// and never overlap, and each block still holds the bytes written into it
// (realloc keeps the common prefix). At the end everything is released and
// the pool must be one free block again.
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <array>
#include <vector>

#include "fuzz_check.h"
#include "tls/tls_heap.h"

namespace {

struct Slot {
  uint8_t* p = nullptr;
  size_t size = 0;
  uint8_t fill = 0;
};

void fill(Slot& s) {
  for (size_t i = 0; i < s.size; ++i) s.p[i] = static_cast<uint8_t>(s.fill + i);
}

void check_contents(const Slot& s, size_t upto) {
  for (size_t i = 0; i < upto; ++i) FUZZ_CHECK(s.p[i] == static_cast<uint8_t>(s.fill + i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  alignas(16) static uint8_t pool[64 * 1024 + 16];
  const size_t pool_size = (static_cast<size_t>(data[0]) + 1) * 256;
  const size_t shift = data[1] % 16;
  mpxe::tls::TlsHeap heap;
  if (!heap.add_pool(pool + shift, pool_size)) return 0;
  uint8_t* const lo = pool + shift;
  uint8_t* const hi = lo + pool_size;

  std::array<Slot, 32> slots{};
  uint8_t next_fill = 1;
  for (size_t at = 2; at + 3 <= size; at += 3) {
    const uint8_t op = data[at];
    const size_t request = (static_cast<size_t>(data[at + 1]) << 8 | data[at + 2]) % 9000;
    Slot& slot = slots[(op / 4) % slots.size()];
    switch (op % 4) {
      case 0:
        if (slot.p != nullptr) break;
        slot.p = static_cast<uint8_t*>(heap.allocate(request));
        if (slot.p == nullptr) break;
        slot.size = request;
        slot.fill = next_fill++;
        fill(slot);
        break;
      case 1:
        if (slot.p != nullptr) check_contents(slot, slot.size);
        heap.release(slot.p);
        slot = {};
        break;
      case 2: {
        auto* moved = static_cast<uint8_t*>(heap.reallocate(slot.p, request));
        if (moved == nullptr) {
          if (slot.p != nullptr) check_contents(slot, slot.size);  // the old block stays
          break;
        }
        slot.p = moved;
        check_contents(slot, std::min(slot.size, request));
        if (slot.size == 0 || request == 0) slot.fill = next_fill++;
        slot.size = request;
        fill(slot);
        break;
      }
      case 3: {
        const uint64_t bad_before = heap.stats().bad_frees;
        int on_stack = 0;
        heap.release(&on_stack);
        heap.release(lo == pool ? hi + 64 : pool);
        if (slot.p != nullptr) heap.release(slot.p + 1 + request % 15);
        FUZZ_CHECK(heap.stats().bad_frees == bad_before + (slot.p != nullptr ? 3 : 2));
        break;
      }
    }
    FUZZ_CHECK(heap.consistent());
    std::vector<std::pair<uint8_t*, size_t>> live;
    for (const Slot& s : slots) {
      if (s.p == nullptr) continue;
      FUZZ_CHECK(reinterpret_cast<uintptr_t>(s.p) % mpxe::tls::TlsHeap::kAlignment == 0);
      FUZZ_CHECK(s.p >= lo && s.p + s.size <= hi);
      FUZZ_CHECK(heap.usable_size(s.p) >= s.size);
      live.emplace_back(s.p, heap.usable_size(s.p));
    }
    std::sort(live.begin(), live.end());
    for (size_t i = 1; i < live.size(); ++i)
      FUZZ_CHECK(live[i - 1].first + live[i - 1].second <= live[i].first);
  }
  for (Slot& s : slots) {
    if (s.p != nullptr) check_contents(s, s.size);
    heap.release(s.p);
  }
  FUZZ_CHECK(heap.consistent());
  FUZZ_CHECK(heap.all_free());
  FUZZ_CHECK(heap.stats().in_use_bytes == 0);
  return 0;
}
