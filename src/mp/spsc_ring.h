// A bounded, lock-free ring between exactly one producer and one consumer: the
// BSP hands work to one AP worker through one of these (Seastar's per-core queue,
// without the heap).
//
// Indices run free as 32-bit counters and wrap modulo 2^32; a slot is index &
// (Capacity - 1), and the fill level is tail - head in unsigned arithmetic, which
// is right across the wrap as long as Capacity <= 2^31. The producer owns tail_,
// the consumer owns head_; each publishes its index with a release store after
// touching the slot, and the other side reads it with an acquire load before
// touching that slot, so an item's bytes are visible before its index is. Each
// side also keeps a private copy of the other's index and re-reads the shared one
// only when that copy says full (producer) or empty (consumer): in steady state the
// two cache lines are not bounced on every item.
//
// Storage is inline (no heap): the owner places the ring where it wants it.
// Which thread is "the producer" may change only while neither side is running
// and the hand-over itself is ordered (a release store the new owner acquires).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mp/atomic.h"

namespace mpxe::mp {

template <typename T, uint32_t Capacity>
class SpscRing {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0,
                "capacity must be a power of two");
  static_assert(Capacity <= (uint32_t{1} << 31), "indices are compared modulo 2^32");
  static_assert(__is_trivially_copyable(T), "items are copied as bytes between cores");

 public:
  static constexpr uint32_t kCapacity = Capacity;

  constexpr SpscRing() = default;
  // Starts both indices at first_index (tests start near 2^32 to cross the wrap).
  constexpr explicit SpscRing(uint32_t first_index) { reset(first_index); }

  // Only while neither side is running.
  constexpr void reset(uint32_t first_index = 0) {
    producer_.tail = first_index;
    producer_.head_seen = first_index;
    consumer_.head = first_index;
    consumer_.tail_seen = first_index;
  }

  // Producer side. False when the ring holds Capacity items.
  bool try_push(const T& item) {
    uint32_t tail = producer_.tail;  // only the producer writes it
    if (tail - producer_.head_seen == Capacity) {
      producer_.head_seen = load_acquire(&consumer_.head);
      if (tail - producer_.head_seen == Capacity) return false;
    }
    slots_[tail & kMask] = item;
    store_release(&producer_.tail, tail + 1);
    return true;
  }

  // Consumer side. False when the ring is empty.
  bool try_pop(T* item) {
    uint32_t head = consumer_.head;  // only the consumer writes it
    if (head == consumer_.tail_seen) {
      consumer_.tail_seen = load_acquire(&producer_.tail);
      if (head == consumer_.tail_seen) return false;
    }
    *item = slots_[head & kMask];
    store_release(&consumer_.head, head + 1);
    return true;
  }

  // The same hand-over without copying an item through the caller: the producer
  // fills the slot producer_slot() returns (null when full) and commit()s it; the
  // consumer reads the slot consumer_slot() returns (null when empty) and
  // consume()s it. For items of a frame's size, where try_push/try_pop would copy
  // every byte once more.
  T* producer_slot() {
    uint32_t tail = producer_.tail;
    if (tail - producer_.head_seen == Capacity) {
      producer_.head_seen = load_acquire(&consumer_.head);
      if (tail - producer_.head_seen == Capacity) return nullptr;
    }
    return &slots_[tail & kMask];
  }
  void commit() { store_release(&producer_.tail, producer_.tail + 1); }
  const T* consumer_slot() {
    uint32_t head = consumer_.head;
    if (head == consumer_.tail_seen) {
      consumer_.tail_seen = load_acquire(&producer_.tail);
      if (head == consumer_.tail_seen) return nullptr;
    }
    return &slots_[head & kMask];
  }
  void consume() { store_release(&consumer_.head, consumer_.head + 1); }

  // Either side, or a third party for display: a snapshot that may be stale by
  // the time it is used, but never outside [0, Capacity]. head is read first:
  // tail only grows, so tail - head cannot go negative; it can exceed Capacity
  // when a pop and pushes land between the two reads, hence the clamp.
  uint32_t size() const {
    uint32_t head = load_acquire(&consumer_.head);
    uint32_t tail = load_acquire(&producer_.tail);
    uint32_t n = tail - head;
    return n > Capacity ? Capacity : n;
  }
  bool empty() const { return size() == 0; }

 private:
  static constexpr uint32_t kMask = Capacity - 1;

  // Written by the producer; tail is read by the consumer.
  struct alignas(kCacheLine) ProducerSide {
    uint32_t tail = 0;
    uint32_t head_seen = 0;  // producer's private copy of consumer_.head
  };
  // Written by the consumer; head is read by the producer.
  struct alignas(kCacheLine) ConsumerSide {
    uint32_t head = 0;
    uint32_t tail_seen = 0;  // consumer's private copy of producer_.tail
  };

  ProducerSide producer_;
  ConsumerSide consumer_;
  alignas(kCacheLine) T slots_[Capacity];
};

}  // namespace mpxe::mp
