// How several connections share one download: the resource is cut into chunks,
// and a connection that is free takes the next chunk nobody has taken, so chunks
// are taken in order and the part of the resource that is final from byte 0 grows
// with the whole transfer (a hash that must read the resource in order can follow
// it), not only with the first of n long ranges. With one chunk per connection it
// is the plain split into n ranges. Bookkeeping only: the caller runs the requests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::net {

class ChunkPlan {
 public:
  static constexpr uint32_t kMaxConnections = 8;

  struct Chunk {
    uint64_t from = 0;
    uint64_t to = 0;  // exclusive
  };

  // `size` bytes over `connections` (1 to kMaxConnections) in chunks of at most
  // `max_chunk` bytes (0: one chunk per connection). An empty resource is one
  // empty chunk, so that it is still asked for.
  void reset(uint64_t size, uint32_t connections, uint64_t max_chunk);

  uint32_t connections() const { return connections_; }
  uint32_t chunk_count() const { return count_; }
  uint64_t size() const { return size_; }
  uint64_t chunk_size() const { return chunk_size_; }
  bool all_taken() const { return next_ == count_; }

  // Gives free connection `c` the next chunk; false when every chunk is taken.
  bool take(uint32_t c, Chunk* chunk);
  // Connection c's chunk has arrived whole: c is free again.
  void complete(uint32_t c);
  bool holding(uint32_t c) const { return c < connections_ && holding_[c] >= 0; }

  // How far the resource is final from byte 0: whole chunks taken and completed,
  // then as much of the first chunk still held as its connection has in order
  // (in_order[c]: bytes from the start of c's chunk). Scans from `known`, an
  // earlier answer (the result only grows).
  uint64_t complete_to(uint64_t known, const uint64_t* in_order) const;
  // Bytes connection c has delivered: its completed chunks, and in_order of the
  // one it holds.
  uint64_t delivered(uint32_t c, uint64_t in_order) const;

 private:
  Chunk chunk(uint32_t index) const;

  uint64_t size_ = 0;
  uint64_t chunk_size_ = 0;
  uint32_t count_ = 0;
  uint32_t next_ = 0;
  uint32_t connections_ = 0;
  int64_t holding_[kMaxConnections] = {};  // chunk index, -1 for none
  uint64_t done_bytes_[kMaxConnections] = {};
};

}  // namespace mpxe::net
