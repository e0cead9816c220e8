#include "net/wire/checksum.h"

namespace mpxe::net {

void Checksum::add(Bytes data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  if (n == 0) return;
  uint64_t acc = 0;
  if (odd_) {
    // This byte completes the word the previous piece started: the low half.
    acc += p[0];
    ++p;
    --n;
    odd_ = false;
  }
  // Four words a step into a 64-bit accumulator: carries are folded once at the end
  // (2^32 steps of at most 2^18 each cannot overflow 64 bits).
  while (n >= 8) {
    acc += load_be16(p) + load_be16(p + 2) + load_be16(p + 4) + load_be16(p + 6);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    acc += load_be16(p);
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    // "If the total length is odd, the received data is padded with one octet of
    // zeros" - or completed by the next piece.
    acc += uint64_t{p[0]} << 8;
    odd_ = true;
  }
  acc_ += acc;
}

uint16_t Checksum::sum() const { return checksum_fold(acc_); }

uint16_t checksum_fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint16_t internet_checksum(Bytes data) {
  Checksum checksum;
  checksum.add(data);
  return checksum.finish();
}

uint16_t checksum_combine(uint16_t sum_first, uint16_t sum_second, size_t first_len) {
  uint32_t second = sum_second;
  if (first_len & 1) second = ((second >> 8) | (second << 8)) & 0xFFFF;
  return checksum_fold(uint32_t{sum_first} + second);
}

uint16_t ipv4_pseudo_header_sum(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                                uint16_t length) {
  Checksum checksum;
  checksum.add_address(src);
  checksum.add_address(dst);
  checksum.add_u16(protocol);
  checksum.add_u16(length);
  return checksum.sum();
}

uint16_t ipv6_pseudo_header_sum(const Ipv6Address& src, const Ipv6Address& dst,
                                uint8_t next_header, uint32_t length) {
  Checksum checksum;
  checksum.add_address(src);
  checksum.add_address(dst);
  checksum.add_u32(length);
  checksum.add_u16(next_header);
  return checksum.sum();
}

uint16_t checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = uint32_t{static_cast<uint16_t>(~checksum)} +
                 uint32_t{static_cast<uint16_t>(~old_word)} + new_word;
  return static_cast<uint16_t>(~checksum_fold(sum));
}

}  // namespace mpxe::net
