#include "phy/fault_injector.h"

#include "core/byte_ops.h"

namespace mpxe::phy {
namespace {

// Bounds one receive() call however many frames the faults eat.
constexpr int kMaxInnerFramesPerReceive = 64;

}  // namespace

FaultInjector::FaultInjector(Device& inner, uint64_t seed, FaultRates rx, FaultRates tx)
    : inner_(inner), rx_rates_(rx), rx_prng_(rx_seed(seed)),
      tx_(tx_seed(seed), tx, MutableBytes(tx_held_), MutableBytes(tx_scratch_)) {}

bool FaultInjector::has_pending() const {
  return rx_waiting_ != nullptr || rx_held_ != nullptr || tx_.holding();
}

FaultInjector::Copy* FaultInjector::take_copy(Bytes frame) {
  if (frame.size() > kBufferSize) return nullptr;
  for (Copy& copy : rx_copies_) {
    if (copy.lent) continue;
    copy_bytes(MutableBytes(copy.bytes, frame.size()), frame);
    copy.size = frame.size();
    copy.lent = true;  // in use from here until released, held or not
    return &copy;
  }
  return nullptr;
}

bool FaultInjector::is_copy(const RxFrame& frame, size_t& index) const {
  for (size_t i = 0; i < kRxBuffers; ++i) {
    if (frame.data == rx_copies_[i].bytes) {
      index = i;
      return true;
    }
  }
  return false;
}

RxFrame FaultInjector::lend(Copy& copy) {
  RxFrame frame;
  frame.data = copy.bytes;
  frame.size = copy.size;
  frame.slot = static_cast<uint32_t>(&copy - rx_copies_);
  return frame;
}

void FaultInjector::release(const RxFrame& frame) {
  size_t index = 0;
  if (is_copy(frame, index)) {
    rx_copies_[index].lent = false;
    return;
  }
  inner_.release(frame);
}

bool FaultInjector::receive(RxFrame& out) {
  if (rx_waiting_ != nullptr) {
    out = lend(*rx_waiting_);
    rx_waiting_ = nullptr;
    return true;
  }
  for (int i = 0; i < kMaxInnerFramesPerReceive; ++i) {
    RxFrame in;
    if (!inner_.receive(in)) break;
    ++rx_counters_.frames;
    FaultDecision d = decide_faults(rx_prng_, rx_rates_);
    if (d.drop) {
      inner_.release(in);
      ++rx_counters_.dropped;
      continue;
    }
    // One frame may be held at a time; the one after it is delivered as it is.
    bool hold = d.reorder && rx_held_ == nullptr;
    bool duplicate = d.duplicate && !d.reorder && rx_held_ == nullptr;
    Copy* own = nullptr;
    if (d.corrupt || hold) {
      own = take_copy(Bytes(in.data, in.size));
      if (own == nullptr) {
        ++rx_counters_.skipped;
        hold = false;
      } else {
        inner_.release(in);
        if (d.corrupt) {
          flip_bit(own->bytes, own->size, d.bit);
          ++rx_counters_.corrupted;
        }
      }
    }
    if (hold) {
      rx_held_ = own;
      continue;
    }
    out = own != nullptr ? lend(*own) : in;
    if (rx_held_ != nullptr) {
      rx_waiting_ = rx_held_;
      rx_held_ = nullptr;
      ++rx_counters_.reordered;
    } else if (duplicate) {
      Copy* copy = take_copy(Bytes(out.data, out.size));
      if (copy != nullptr) {
        rx_waiting_ = copy;
        ++rx_counters_.duplicated;
      } else {
        ++rx_counters_.skipped;
      }
    }
    return true;
  }
  // Nothing (more) to swap a held frame with: deliver it now rather than lose it.
  if (rx_held_ != nullptr) {
    out = lend(*rx_held_);
    rx_held_ = nullptr;
    return true;
  }
  // The stack is idle: a transmitted frame held back goes out now.
  (void)tx_.release_held(inner_);
  return false;
}

bool FaultInjector::transmit(Bytes frame) { return tx_.pass(frame, inner_); }

}  // namespace mpxe::phy
