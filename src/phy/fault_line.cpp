#include "phy/fault_line.h"

#include "core/byte_ops.h"

namespace mpxe::phy {

FaultDecision decide_faults(Prng& prng, const FaultRates& rates) {
  FaultDecision d;
  d.drop = prng.chance_per_mille(rates.drop);
  d.corrupt = prng.chance_per_mille(rates.corrupt);
  d.duplicate = prng.chance_per_mille(rates.duplicate);
  d.reorder = prng.chance_per_mille(rates.reorder);
  d.bit = prng.next_u32();
  return d;
}

void flip_bit(uint8_t* bytes, size_t size, uint32_t draw) {
  if (size == 0) return;
  size_t bit = draw % (size * 8);
  bytes[bit / 8] = static_cast<uint8_t>(bytes[bit / 8] ^ (1u << (bit % 8)));
}

bool receiver_checks(Bytes frame) {
  constexpr size_t kTypeAt = 12;
  constexpr uint16_t kIpv4 = 0x0800, kIpv6 = 0x86DD, kVlan = 0x8100, kQinQ = 0x88A8;
  if (frame.size() < kTypeAt + 2) return false;
  uint16_t type = load_be16(frame.data() + kTypeAt);
  if ((type == kVlan || type == kQinQ) && frame.size() >= kTypeAt + 6)
    type = load_be16(frame.data() + kTypeAt + 4);
  return type == kIpv4 || type == kIpv6;
}

FaultLine::FaultLine(uint64_t seed, FaultRates rates, MutableBytes hold, MutableBytes scratch)
    : rates_(rates), prng_(seed), hold_(hold), scratch_(scratch) {}

bool FaultLine::pass(Bytes frame, Device& out, bool may_corrupt) {
  ++counters_.frames;
  FaultDecision d = decide_faults(prng_, rates_);
  if (d.drop) {
    ++counters_.dropped;
    return true;
  }
  Bytes send = frame;
  if (d.corrupt && !may_corrupt) {
    ++counters_.spared;
  } else if (d.corrupt) {
    if (frame.size() <= scratch_.size()) {
      copy_bytes(scratch_, frame);
      flip_bit(scratch_.data(), frame.size(), d.bit);
      send = Bytes(scratch_.data(), frame.size());
      ++counters_.corrupted;
    } else {
      ++counters_.skipped;
    }
  }
  if (d.reorder && held_size_ == 0) {
    if (send.size() <= hold_.size() && !send.empty()) {
      copy_bytes(hold_, send);
      held_size_ = send.size();
      return true;
    }
    ++counters_.skipped;
  }
  if (!out.transmit(send)) return false;
  if (held_size_ != 0) {
    if (out.transmit(Bytes(hold_.data(), held_size_))) {
      held_size_ = 0;
      ++counters_.reordered;
    }
  } else if (d.duplicate && out.transmit(send)) {
    ++counters_.duplicated;
  }
  return true;
}

bool FaultLine::release_held(Device& out) {
  if (held_size_ == 0) return true;
  if (!out.transmit(Bytes(hold_.data(), held_size_))) return false;
  held_size_ = 0;
  return true;
}

}  // namespace mpxe::phy
