#include "net/iface/reassembly.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

bool bit_is_set(const uint8_t* bits, size_t i) { return (bits[i / 8] >> (i % 8)) & 1u; }
void set_bit(uint8_t* bits, size_t i) { bits[i / 8] = static_cast<uint8_t>(bits[i / 8] | (1u << (i % 8))); }

}  // namespace

Reassembler::Reassembler(Span<const MutableBytes> buffers) {
  for (const MutableBytes& buffer : buffers) {
    if (slot_count_ == kMaxSlots) break;
    slots_[slot_count_++].buffer = buffer;
  }
}

Reassembler::Slot* Reassembler::find(const Ipv4Repr& header) {
  for (size_t i = 0; i < slot_count_; ++i) {
    Slot& slot = slots_[i];
    if (slot.busy && slot.ident == header.ident && slot.protocol == header.protocol &&
        slot.src == header.src && slot.dst == header.dst)
      return &slot;
  }
  return nullptr;
}

Reassembler::Slot* Reassembler::claim(const Ipv4Repr& header, Millis now) {
  for (size_t i = 0; i < slot_count_; ++i) {
    Slot& slot = slots_[i];
    if (slot.busy) continue;
    slot.busy = true;
    slot.last_seen = false;
    slot.src = header.src;
    slot.dst = header.dst;
    slot.ident = header.ident;
    slot.protocol = header.protocol;
    slot.header = header;
    slot.total = 0;
    slot.received = 0;
    slot.high = 0;
    slot.started = now;
    return &slot;
  }
  return nullptr;
}

void Reassembler::discard(Slot& slot) {
  slot.busy = false;
  fill_bytes(MutableBytes(slot.blocks), 0);
}

Result<Reassembler::Datagram> Reassembler::refuse(Slot* slot, Error error) {
  if (slot != nullptr) discard(*slot);
  ++stats_.refused;
  return error;
}

Result<Reassembler::Datagram> Reassembler::add(const Ipv4Repr& header, Bytes payload,
                                               Millis now) {
  expire(now);
  const size_t offset = header.fragment_offset;
  const size_t len = payload.size();
  const size_t end = offset + len;
  const bool last = !header.more_fragments;

  // RFC 791: "the data ... must be a multiple of 8 octets" in every fragment the
  // More-Fragments flag says is followed by another.
  if (len == 0 || (!last && len % kBlock != 0) || offset % kBlock != 0)
    return refuse(nullptr, Error(Layer::Ipv4, Errc::BadLength));
  if (end > kMaxPayload) return refuse(nullptr, Error(Layer::Ipv4, Errc::BadLength));

  Slot* slot = find(header);
  if (slot == nullptr) slot = claim(header, now);
  if (slot == nullptr) return refuse(nullptr, Error(Layer::Ipv4, Errc::Exhausted));
  if (end > slot->buffer.size()) return refuse(slot, Error(Layer::Ipv4, Errc::TooBig));

  // The end of the datagram, once known, is the same in every fragment.
  if (last && slot->last_seen && end != slot->total)
    return refuse(slot, Error(Layer::Ipv4, Errc::BadValue));
  if (!last && slot->last_seen && end >= slot->total)
    return refuse(slot, Error(Layer::Ipv4, Errc::BadValue));

  const size_t first_block = offset / kBlock;
  const size_t end_block = (end + kBlock - 1) / kBlock;
  size_t held = 0;
  for (size_t b = first_block; b < end_block; ++b) held += bit_is_set(slot->blocks, b);
  if (held != 0) {
    MutableBytes stored = slot->buffer.subspan(offset, len);
    if (held == end_block - first_block && bytes_equal(stored, payload)) {
      ++stats_.duplicates;
      return Datagram{};
    }
    return refuse(slot, Error(Layer::Ipv4, Errc::Overlap));
  }

  if (last) {
    // Nothing held may lie past the end this fragment declares.
    if (slot->high > end) return refuse(slot, Error(Layer::Ipv4, Errc::BadValue));
    slot->last_seen = true;
    slot->total = end;
  }

  copy_bytes(slot->buffer.subspan(offset, len), payload);
  for (size_t b = first_block; b < end_block; ++b) set_bit(slot->blocks, b);
  slot->received += len;
  if (end > slot->high) slot->high = end;
  if (offset == 0) slot->header = header;

  if (!slot->last_seen || slot->received != slot->total) return Datagram{};

  Datagram datagram;
  datagram.complete = true;
  datagram.header = slot->header;
  datagram.header.payload_len = static_cast<uint16_t>(slot->total);
  datagram.header.more_fragments = false;
  datagram.header.fragment_offset = 0;
  datagram.payload = Bytes(slot->buffer.data(), slot->total);
  // The slot is free again, but its bytes stay put until the next add().
  discard(*slot);
  ++stats_.completed;
  return datagram;
}

size_t Reassembler::expire(Millis now) {
  size_t count = 0;
  for (size_t i = 0; i < slot_count_; ++i) {
    Slot& slot = slots_[i];
    if (!slot.busy || now < slot.started + kTimeout) continue;
    discard(slot);
    ++stats_.timed_out;
    ++count;
  }
  return count;
}

Millis Reassembler::next_deadline() const {
  Millis deadline = kNever;
  for (size_t i = 0; i < slot_count_; ++i) {
    const Slot& slot = slots_[i];
    if (slot.busy && slot.started + kTimeout < deadline) deadline = slot.started + kTimeout;
  }
  return deadline;
}

size_t Reassembler::in_use() const {
  size_t n = 0;
  for (size_t i = 0; i < slot_count_; ++i) n += slots_[i].busy ? 1 : 0;
  return n;
}

}  // namespace mpxe::net
