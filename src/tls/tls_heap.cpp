#include "tls/tls_heap.h"

namespace mpxe::tls {

namespace {

constinit TlsHeap g_tls_heap;

constexpr size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

}  // namespace

TlsHeap& tls_heap() { return g_tls_heap; }

size_t TlsHeap::block_size_for(size_t request) {
  const size_t size = align_up((request == 0 ? 1 : request) + kHeader, kAlignment);
  return size < kMinBlock ? kMinBlock : size;
}

bool TlsHeap::add_pool(void* base, size_t size) {
  SpinGuard guard(lock_);
  if (pool_count_ == kMaxPools || base == nullptr) return false;
  const auto start = reinterpret_cast<uintptr_t>(base);
  if (size > UINTPTR_MAX - start) return false;
  const uintptr_t first = align_up(start, kAlignment);
  const uintptr_t end = (start + size) & ~uintptr_t{kAlignment - 1};
  if (end < first || end - first < kMinBlock + kHeader) return false;

  auto* block = reinterpret_cast<Block*>(first);
  const size_t block_size = end - first - kHeader;
  block->size_and_used = block_size;
  block->prev_size = 0;
  auto* end_header = reinterpret_cast<Block*>(end - kHeader);
  end_header->size_and_used = 1;
  end_header->prev_size = block_size;
  pools_[pool_count_++] = {reinterpret_cast<uint8_t*>(first), reinterpret_cast<uint8_t*>(end_header)};
  insert_free(block);
  stats_.pool_bytes += block_size;
  return true;
}

void* TlsHeap::allocate(size_t size) {
  SpinGuard guard(lock_);
  return allocate_locked(size);
}

void TlsHeap::release(void* p) {
  if (p == nullptr) return;
  SpinGuard guard(lock_);
  Block* block = live_block(p);
  if (block == nullptr) {
    ++stats_.bad_frees;
    return;
  }
  release_locked(block);
}

void* TlsHeap::reallocate(void* p, size_t size) {
  if (p == nullptr) return allocate(size);
  SpinGuard guard(lock_);
  Block* block = live_block(p);
  if (block == nullptr) {
    ++stats_.bad_frees;
    return nullptr;
  }
  if (size > kMaxRequest) {
    note_failure(size);
    return nullptr;
  }
  const size_t need = block_size_for(size);
  const size_t had = block->size();
  if (need <= had) {
    split(block, need);
    stats_.in_use_bytes -= had - block->size();
    return p;
  }
  Block* above = block->next();
  if (!above->used() && had + above->size() >= need) {
    take_free(above);
    block->size_and_used = (had + above->size()) | 1;
    block->next()->prev_size = block->size();
    split(block, need);
    stats_.in_use_bytes += block->size() - had;
    if (stats_.in_use_bytes > stats_.high_water_bytes) stats_.high_water_bytes = stats_.in_use_bytes;
    return p;
  }
  void* moved = allocate_locked(size);
  if (moved == nullptr) return nullptr;
  __builtin_memcpy(moved, p, had - kHeader);
  release_locked(block);
  return moved;
}

void* TlsHeap::allocate_locked(size_t size) {
  if (size > kMaxRequest) {
    note_failure(size);
    return nullptr;
  }
  const size_t need = block_size_for(size);
  for (Block* block = free_head_; block != nullptr; block = block->next_free) {
    if (block->size() < need) continue;
    take_free(block);
    block->size_and_used |= 1;
    split(block, need);
    stats_.in_use_bytes += block->size();
    if (stats_.in_use_bytes > stats_.high_water_bytes) stats_.high_water_bytes = stats_.in_use_bytes;
    ++stats_.live_blocks;
    ++stats_.allocations;
    return reinterpret_cast<uint8_t*>(block) + kHeader;
  }
  note_failure(size);
  return nullptr;
}

void TlsHeap::release_locked(Block* block) {
  stats_.in_use_bytes -= block->size();
  --stats_.live_blocks;
  block->size_and_used = block->size();
  bool listed = false;
  Block* above = block->next();
  if (!above->used()) {
    replace_free(above, block);  // the merged block starts here: the list order holds
    block->size_and_used = block->size() + above->size();
    listed = true;
  }
  if (block->prev_size != 0 && !block->prev()->used()) {
    Block* below = block->prev();
    if (listed) take_free(block);
    below->size_and_used = below->size() + block->size();
    block = below;
  } else if (!listed) {
    insert_free(block);
  }
  block->next()->prev_size = block->size();
}

// Cuts block (in use or just taken off the list) to `size`, when what is left is
// a block of its own; the rest becomes free and merges with a free block above.
void TlsHeap::split(Block* block, size_t size) {
  const size_t whole = block->size();
  if (whole - size < kMinBlock) return;
  block->size_and_used = size | 1;
  auto* rest = block->next();
  rest->size_and_used = whole - size;
  rest->prev_size = size;
  Block* above = rest->next();
  if (!above->used()) {
    replace_free(above, rest);
    rest->size_and_used += above->size();
  } else {
    insert_free(rest);
  }
  rest->next()->prev_size = rest->size();
}

void TlsHeap::take_free(Block* block) {
  if (block->prev_free != nullptr) {
    block->prev_free->next_free = block->next_free;
  } else {
    free_head_ = block->next_free;
  }
  if (block->next_free != nullptr) block->next_free->prev_free = block->prev_free;
}

void TlsHeap::insert_free(Block* block) {
  Block* before = nullptr;
  Block* after = free_head_;
  while (after != nullptr && after < block) {
    before = after;
    after = after->next_free;
  }
  block->prev_free = before;
  block->next_free = after;
  if (before != nullptr) {
    before->next_free = block;
  } else {
    free_head_ = block;
  }
  if (after != nullptr) after->prev_free = block;
}

void TlsHeap::replace_free(Block* old_block, Block* new_block) {
  new_block->prev_free = old_block->prev_free;
  new_block->next_free = old_block->next_free;
  if (new_block->prev_free != nullptr) {
    new_block->prev_free->next_free = new_block;
  } else {
    free_head_ = new_block;
  }
  if (new_block->next_free != nullptr) new_block->next_free->prev_free = new_block;
}

void TlsHeap::note_failure(size_t size) {
  ++stats_.failures;
  if (size > stats_.largest_failed) stats_.largest_failed = size;
}

// The block whose payload starts at p, if p is one handed out and not yet
// released: inside a pool, aligned, marked in use, and its neighbour above
// agreeing on its size.
TlsHeap::Block* TlsHeap::live_block(const void* p) const {
  const auto* bytes = static_cast<const uint8_t*>(p);
  if ((reinterpret_cast<uintptr_t>(bytes) & (kAlignment - 1)) != 0) return nullptr;
  for (size_t i = 0; i < pool_count_; ++i) {
    const Pool& pool = pools_[i];
    if (bytes < pool.begin + kHeader || bytes >= pool.end) continue;
    auto* block = reinterpret_cast<Block*>(const_cast<uint8_t*>(bytes) - kHeader);
    const size_t size = block->size();
    if (!block->used() || size < kMinBlock || size % kAlignment != 0 ||
        size > static_cast<size_t>(pool.end - bytes) + kHeader)
      return nullptr;
    if (block->next()->prev_size != size) return nullptr;
    return block;
  }
  return nullptr;
}

size_t TlsHeap::usable_size(const void* p) const {
  SpinGuard guard(lock_);
  const Block* block = live_block(p);
  return block == nullptr ? 0 : block->size() - kHeader;
}

HeapStats TlsHeap::stats() const {
  SpinGuard guard(lock_);
  HeapStats copy = stats_;
  copy.largest_free_bytes = 0;
  for (const Block* block = free_head_; block != nullptr; block = block->next_free)
    if (block->size() > copy.largest_free_bytes) copy.largest_free_bytes = block->size();
  return copy;
}

bool TlsHeap::consistent() const {
  SpinGuard guard(lock_);
  const Block* listed = free_head_;
  const Block* listed_prev = nullptr;
  size_t in_use = 0, live = 0;
  // Pools in address order, so the free list's order can be followed along.
  const Pool* order[kMaxPools];
  for (size_t i = 0; i < pool_count_; ++i) {
    size_t at = i;
    while (at > 0 && order[at - 1]->begin > pools_[i].begin) {
      order[at] = order[at - 1];
      --at;
    }
    order[at] = &pools_[i];
  }
  for (size_t i = 0; i < pool_count_; ++i) {
    auto* block = reinterpret_cast<Block*>(order[i]->begin);
    auto* end = reinterpret_cast<Block*>(order[i]->end);
    size_t below = 0;
    bool below_free = false;
    while (block != end) {
      const size_t size = block->size();
      if (size < kMinBlock || size % kAlignment != 0) return false;
      if (block->prev_size != below) return false;
      if (reinterpret_cast<uint8_t*>(block) + size > order[i]->end) return false;
      if (block->used()) {
        in_use += size;
        ++live;
        below_free = false;
      } else {
        if (below_free || block != listed || block->prev_free != listed_prev) return false;
        listed_prev = listed;
        listed = listed->next_free;
        below_free = true;
      }
      below = size;
      block = block->next();
    }
    if (end->size_and_used != 1 || end->prev_size != below) return false;
  }
  return listed == nullptr && in_use == stats_.in_use_bytes && live == stats_.live_blocks;
}

bool TlsHeap::all_free() const {
  SpinGuard guard(lock_);
  size_t free_blocks = 0;
  for (const Block* block = free_head_; block != nullptr; block = block->next_free) ++free_blocks;
  if (free_blocks != pool_count_ || stats_.live_blocks != 0) return false;
  for (size_t i = 0; i < pool_count_; ++i) {
    const auto* block = reinterpret_cast<const Block*>(pools_[i].begin);
    if (block->used() || pools_[i].begin + block->size() != pools_[i].end) return false;
  }
  return true;
}

}  // namespace mpxe::tls
