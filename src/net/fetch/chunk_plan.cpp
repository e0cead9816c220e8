#include "net/fetch/chunk_plan.h"

namespace mpxe::net {

void ChunkPlan::reset(uint64_t size, uint32_t connections, uint64_t max_chunk) {
  if (connections < 1) connections = 1;
  if (connections > kMaxConnections) connections = kMaxConnections;
  size_ = size;
  connections_ = connections;
  chunk_size_ = (size + connections - 1) / connections;
  if (max_chunk != 0 && chunk_size_ > max_chunk) chunk_size_ = max_chunk;
  if (chunk_size_ == 0) chunk_size_ = 1;
  count_ = static_cast<uint32_t>((size + chunk_size_ - 1) / chunk_size_);
  if (count_ == 0) count_ = 1;
  next_ = 0;
  returned_ = 0;
  for (uint32_t c = 0; c < kMaxConnections; ++c) {
    holding_[c] = -1;
    base_[c] = 0;
    returns_[c] = 0;
    done_bytes_[c] = 0;
  }
}

ChunkPlan::Chunk ChunkPlan::chunk(uint32_t index) const {
  Chunk k;
  k.from = index * chunk_size_;
  if (k.from > size_) k.from = size_;
  k.to = k.from + chunk_size_ < size_ ? k.from + chunk_size_ : size_;
  return k;
}

bool ChunkPlan::take(uint32_t c, Chunk* out) {
  if (c >= connections_ || holding_[c] >= 0) return false;
  if (returned_ != 0) {
    uint32_t first = 0;
    for (uint32_t r = 1; r < returned_; ++r)
      if (returned_list_[r].index < returned_list_[first].index) first = r;
    const Returned back = returned_list_[first];
    returned_list_[first] = returned_list_[--returned_];
    holding_[c] = back.index;
    base_[c] = back.have;
    returns_[c] = back.returns;
    *out = chunk(back.index);
    out->from += back.have;
    return true;
  }
  if (next_ == count_) return false;
  holding_[c] = next_;
  base_[c] = 0;
  returns_[c] = 0;
  *out = chunk(next_);
  ++next_;
  return true;
}

void ChunkPlan::complete(uint32_t c) {
  if (!holding(c)) return;
  Chunk k = held(c);
  done_bytes_[c] += k.to - k.from - base_[c];
  holding_[c] = -1;
}

uint32_t ChunkPlan::give_back(uint32_t c, uint64_t have) {
  if (!holding(c)) return 0;
  const Chunk k = held(c);
  if (have > k.to - k.from) have = k.to - k.from;
  if (have > base_[c]) done_bytes_[c] += have - base_[c];
  Returned& back = returned_list_[returned_++];
  back.index = static_cast<uint32_t>(holding_[c]);
  back.returns = returns_[c] + 1;
  back.have = have;
  holding_[c] = -1;
  return back.returns;
}

uint64_t ChunkPlan::complete_to(uint64_t known, const uint64_t* in_order) const {
  uint64_t done = known < size_ ? known : size_;
  while (done < size_) {
    const uint32_t index = static_cast<uint32_t>(done / chunk_size_);
    if (index >= next_) break;  // not taken yet
    const Chunk k = chunk(index);
    uint32_t holder = connections_;
    for (uint32_t c = 0; c < connections_; ++c)
      if (holding_[c] == index) holder = c;
    uint64_t have = 0;
    if (holder != connections_) {
      have = base_[holder] + in_order[holder];
    } else {
      uint32_t r = 0;
      while (r < returned_ && returned_list_[r].index != index) ++r;
      if (r == returned_) {  // taken, neither held nor given back: complete
        done = k.to;
        continue;
      }
      have = returned_list_[r].have;
    }
    if (have > k.to - k.from) have = k.to - k.from;
    if (k.from + have > done) done = k.from + have;
    break;
  }
  return done;
}

uint64_t ChunkPlan::delivered(uint32_t c, uint64_t in_order) const {
  if (c >= connections_) return 0;
  return done_bytes_[c] + (holding_[c] >= 0 ? in_order : 0);
}

}  // namespace mpxe::net
