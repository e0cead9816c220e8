// The TLS library's heap (wolfSSL's XMALLOC/XREALLOC/XFREE, src/tls/wolfssl_alloc.cpp):
// first fit over pools the platform gives once at start, so no allocation ever
// calls a firmware service and any processor may allocate. The ROM takes its
// pool from boot services before the first connection (src/driver/tls); the
// host port gives a static buffer, so host tests run the allocator the ROM runs.
//
// Blocks are 16-byte aligned and carry a 16-byte header: their size (bit 0:
// in use) and the size of the block just below (0 for a pool's first block),
// so a freed block merges with both neighbours at once and two free blocks are
// never adjacent. Free blocks are listed in address order; each pool ends in a
// header of size 0 marked in use, which stops the walk upwards.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tls/spin_lock.h"

namespace mpxe::tls {

struct HeapStats {
  size_t pool_bytes = 0;        // bytes the pools give blocks (headers included)
  size_t in_use_bytes = 0;      // bytes of blocks handed out, headers included
  size_t high_water_bytes = 0;  // the most in_use_bytes has ever been: size the pool by it
  size_t live_blocks = 0;
  size_t largest_free_bytes = 0;  // the largest block free now, header included
  uint64_t allocations = 0;       // blocks handed out, ever
  uint64_t failures = 0;          // requests that found no room (the caller got null)
  size_t largest_failed = 0;      // bytes asked by the largest of them
  uint64_t bad_frees = 0;         // pointers released or resized that are no live block
};

class TlsHeap {
 public:
  static constexpr size_t kAlignment = 16;
  static constexpr size_t kMaxPools = 8;
  // The largest request served: a size near SIZE_MAX must not wrap.
  static constexpr size_t kMaxRequest = size_t{1} << 40;

  constexpr TlsHeap() = default;
  TlsHeap(const TlsHeap&) = delete;
  TlsHeap& operator=(const TlsHeap&) = delete;

  // Hands [base, base + size) to the heap for good; false if there is no room
  // for one block or kMaxPools are taken. Pools must not overlap.
  bool add_pool(void* base, size_t size);

  // C semantics: null when there is no room; size 0 gives a unique block.
  void* allocate(size_t size);
  // Grows in place when the block above is free, else moves; on failure the
  // old block is kept and null returned. p null: allocate(size).
  void* reallocate(void* p, size_t size);
  // p null: nothing. A pointer that is no live block is counted, not trusted.
  void release(void* p);

  HeapStats stats() const;

  // For tests and fuzzing. consistent(): every pool walks from its first block
  // to its end header, neighbours agree on their sizes, no two free blocks
  // touch, and the free list is exactly the free blocks in address order.
  bool consistent() const;
  // Every pool is one free block again (all memory returned).
  bool all_free() const;
  // The bytes a request may use in block p (at least the size asked).
  size_t usable_size(const void* p) const;

 private:
  struct Block {
    size_t size_and_used;
    size_t prev_size;
    // Only while free, in the payload:
    Block* next_free;
    Block* prev_free;

    size_t size() const { return size_and_used & ~size_t{1}; }
    bool used() const { return (size_and_used & 1) != 0; }
    Block* next() { return reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(this) + size()); }
    Block* prev() { return reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(this) - prev_size); }
  };
  static constexpr size_t kHeader = 2 * sizeof(size_t);
  static constexpr size_t kMinBlock = sizeof(Block);
  static_assert(kHeader == kAlignment && kMinBlock == 2 * kAlignment);

  struct Pool {
    uint8_t* begin;  // the first block
    uint8_t* end;    // the end header
  };

  static size_t block_size_for(size_t request);
  Block* live_block(const void* p) const;
  void* allocate_locked(size_t size);
  void release_locked(Block* block);
  void take_free(Block* block);
  void insert_free(Block* block);
  void replace_free(Block* old_block, Block* new_block);
  void split(Block* block, size_t size);
  void note_failure(size_t size);

  mutable SpinLock lock_;
  Pool pools_[kMaxPools] = {};
  size_t pool_count_ = 0;
  Block* free_head_ = nullptr;
  HeapStats stats_;
};

// The heap wolfSSL allocates from, in both worlds.
TlsHeap& tls_heap();

}  // namespace mpxe::tls
