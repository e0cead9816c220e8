// How several connections share one download: the resource is cut into chunks,
// and a connection that is free takes the next chunk nobody has taken, so chunks
// are taken in order and the part of the resource that is final from byte 0 grows
// with the whole transfer (a hash that must read the resource in order can follow
// it), not only with the first of n long ranges. With one chunk per connection it
// is the plain split into n ranges. Bookkeeping only: the caller runs the requests.
//
// A chunk cut short is given back with how much of it is in place; the next
// connection to take anything takes it first (the lowest such chunk first, as it
// holds the final prefix back), as the part still missing. So a chunk may arrive
// over several requests, even several connections, and the prefix that is final
// counts its earlier bytes from wherever they came.
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
  // Every chunk is taken and none is waiting to be taken again.
  bool all_taken() const { return next_ == count_ && returned_ == 0; }
  bool has_returned() const { return returned_ != 0; }

  // Gives free connection `c` the next chunk: the missing part of a chunk given
  // back, else the next chunk nobody has taken; false when there is none.
  bool take(uint32_t c, Chunk* chunk);
  // Connection c's chunk has arrived whole: c is free again.
  void complete(uint32_t c);
  // Connection c gives its chunk back with `have` bytes from the chunk's start in
  // place (at least what it had when it took it); c is free again. Returns how
  // many times this chunk has been given back, this time included.
  uint32_t give_back(uint32_t c, uint64_t have);
  bool holding(uint32_t c) const { return c < connections_ && holding_[c] >= 0; }
  // The chunk c holds, whole (not only the part c was asked for).
  Chunk held(uint32_t c) const { return chunk(static_cast<uint32_t>(holding_[c])); }
  // Bytes of c's chunk that were in place when c took it.
  uint64_t resumed_at(uint32_t c) const { return base_[c]; }
  // Times c's chunk had been given back when c took it.
  uint32_t returns(uint32_t c) const { return returns_[c]; }

  // How far the resource is final from byte 0: whole chunks taken and completed,
  // then as much of the first chunk not complete as is in place: what its holder
  // had when it took it plus in_order[holder] (bytes of the holder's request, in
  // order), or what it had when given back. Scans from `known`, an earlier
  // answer (the result only grows).
  uint64_t complete_to(uint64_t known, const uint64_t* in_order) const;
  // Bytes connection c has delivered: its part of the chunks it completed or gave
  // back, and in_order of the one it holds.
  uint64_t delivered(uint32_t c, uint64_t in_order) const;

 private:
  struct Returned {
    uint32_t index;
    uint32_t returns;
    uint64_t have;
  };

  Chunk chunk(uint32_t index) const;

  uint64_t size_ = 0;
  uint64_t chunk_size_ = 0;
  uint32_t count_ = 0;
  uint32_t next_ = 0;
  uint32_t connections_ = 0;
  int64_t holding_[kMaxConnections] = {};  // chunk index, -1 for none
  uint64_t base_[kMaxConnections] = {};      // bytes of the held chunk in place when taken
  uint32_t returns_[kMaxConnections] = {};   // times the held chunk was given back
  uint64_t done_bytes_[kMaxConnections] = {};
  // Chunks given back and not taken again: at most one per connection.
  Returned returned_list_[kMaxConnections] = {};
  uint32_t returned_ = 0;
};

}  // namespace mpxe::net
