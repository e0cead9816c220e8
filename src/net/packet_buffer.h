// One packet in caller-provided storage, with room reserved in front for headers
// (after iPXE's io_buffer). Layers prepend headers with push() and strip them with
// pull() without copying the payload; the storage can be a fixed ring slot, so no
// heap is involved.
//
//   storage()                                         storage() + capacity()
//   head            data                tail          end
//   |  headroom     |  the packet       |   tailroom  |
//
// Invariant, kept by every operation: head <= data <= tail <= end. An operation
// that would break it fails, returns an error and changes nothing.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"

namespace mpxe::net {

class PacketBuffer {
 public:
  constexpr PacketBuffer() = default;
  // An empty packet whose data starts `headroom` bytes into `storage` (clamped to
  // the storage's size).
  constexpr PacketBuffer(MutableBytes storage, size_t headroom)
      : storage_(storage.data()), capacity_(storage.size()) {
    reset(headroom);
  }
  // A packet that already fills the first `length` bytes of `storage` (a received
  // frame); no headroom. Clamped to the storage's size.
  static constexpr PacketBuffer holding(MutableBytes storage, size_t length) {
    PacketBuffer buffer(storage, 0);
    buffer.tail_ = length < buffer.capacity_ ? length : buffer.capacity_;
    return buffer;
  }

  // Empties the packet and reserves `headroom` bytes in front (clamped).
  constexpr void reset(size_t headroom) {
    data_ = headroom < capacity_ ? headroom : capacity_;
    tail_ = data_;
  }

  constexpr size_t capacity() const { return capacity_; }
  constexpr size_t headroom() const { return data_; }
  constexpr size_t tailroom() const { return capacity_ - tail_; }
  constexpr size_t length() const { return tail_ - data_; }
  constexpr uint8_t* data() const { return storage_ + data_; }
  constexpr MutableBytes contents() const { return MutableBytes(storage_ + data_, tail_ - data_); }

  // Grows the packet at the front by `len` bytes (a header about to be written)
  // and returns them. Fails when the headroom is smaller.
  constexpr Result<MutableBytes> push(size_t len) {
    if (len > data_) return Error(Layer::Buffer, Errc::NoSpace);
    data_ -= len;
    return MutableBytes(storage_ + data_, len);
  }

  // Removes `len` bytes from the front (a header consumed) and returns them.
  // Fails when the packet is shorter.
  constexpr Result<MutableBytes> pull(size_t len) {
    if (len > tail_ - data_) return Error(Layer::Buffer, Errc::Truncated);
    MutableBytes removed(storage_ + data_, len);
    data_ += len;
    return removed;
  }

  // Grows the packet at the end by `len` bytes and returns them. Fails when the
  // tailroom is smaller.
  constexpr Result<MutableBytes> put(size_t len) {
    if (len > capacity_ - tail_) return Error(Layer::Buffer, Errc::NoSpace);
    MutableBytes added(storage_ + tail_, len);
    tail_ += len;
    return added;
  }

  // Cuts the packet down to its first `len` bytes (Ethernet padding past the IPv4
  // total length, say). Fails when the packet is shorter than `len`.
  constexpr Status trim(size_t len) {
    if (len > tail_ - data_) return Error(Layer::Buffer, Errc::BadLength);
    tail_ = data_ + len;
    return {};
  }

 private:
  uint8_t* storage_ = nullptr;
  size_t capacity_ = 0;
  size_t data_ = 0;  // offset of data from head
  size_t tail_ = 0;  // offset of tail from head
};

}  // namespace mpxe::net
