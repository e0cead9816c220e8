#include "net/wire/ipv6_address.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {

namespace {

constexpr size_t kGroups = 8;

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The groups before and after the "::", as they are read.
struct GroupList {
  uint16_t groups[kGroups] = {};
  size_t count = 0;
  bool push(uint16_t group) {
    if (count == kGroups) return false;
    groups[count++] = group;
    return true;
  }
};

}  // namespace

Result<Ipv6Address> Ipv6Address::parse(Bytes text) {
  const Error bad(Layer::Address, Errc::BadAddress);
  GroupList head, tail;
  GroupList* groups = &head;
  bool compressed = false;
  size_t pos = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    compressed = true;
    groups = &tail;
    pos = 2;
  }
  while (pos < text.size()) {
    size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && pos - start < 4 && hex_value(text[pos]) >= 0)
      value = value * 16 + static_cast<unsigned>(hex_value(text[pos++]));
    if (pos < text.size() && text[pos] == '.') {
      // The dotted quad ends the address and fills its last two groups.
      Result<Ipv4Address> v4 = Ipv4Address::parse(text.subspan(start));
      if (!v4) return bad;
      if (!groups->push(static_cast<uint16_t>(v4.value().to_u32() >> 16)) ||
          !groups->push(static_cast<uint16_t>(v4.value().to_u32())))
        return bad;
      pos = text.size();
      break;
    }
    if (pos == start || !groups->push(static_cast<uint16_t>(value))) return bad;
    if (pos == text.size()) break;
    if (text[pos] != ':') return bad;
    ++pos;
    if (pos < text.size() && text[pos] == ':') {
      if (compressed) return bad;
      compressed = true;
      groups = &tail;
      ++pos;
    } else if (pos == text.size()) {
      return bad;  // a single trailing ':'
    }
  }
  size_t total = head.count + tail.count;
  // RFC 4291 2.2: "::" stands for "one or more groups of 16 bits of zeros".
  if (compressed ? total >= kGroups : total != kGroups) return bad;
  Ipv6Address address;
  for (size_t i = 0; i < head.count; ++i) {
    address.octets[2 * i] = static_cast<uint8_t>(head.groups[i] >> 8);
    address.octets[2 * i + 1] = static_cast<uint8_t>(head.groups[i]);
  }
  size_t first_tail = kGroups - tail.count;
  for (size_t i = 0; i < tail.count; ++i) {
    address.octets[2 * (first_tail + i)] = static_cast<uint8_t>(tail.groups[i] >> 8);
    address.octets[2 * (first_tail + i) + 1] = static_cast<uint8_t>(tail.groups[i]);
  }
  return address;
}

Result<Ipv6Address> Ipv6Address::parse(const char* text) { return parse(bytes_of(text)); }

size_t Ipv6Address::format(char* out, size_t capacity) const {
  if (is_v4_mapped()) {
    return mpxe::format(out, capacity, "::ffff:%u.%u.%u.%u", octets[12], octets[13], octets[14],
                        octets[15]);
  }
  // The longest run of zero groups; RFC 5952 4.2.2: a single one is not shortened.
  size_t best_start = kGroups, best_len = 1;
  for (size_t i = 0; i < kGroups;) {
    if (group(i) != 0) {
      ++i;
      continue;
    }
    size_t run = i;
    while (run < kGroups && group(run) == 0) ++run;
    if (run - i > best_len) {
      best_start = i;
      best_len = run - i;
    }
    i = run;
  }
  char text[kMaxTextLen + 1];
  size_t len = 0;
  for (size_t i = 0; i < kGroups; ++i) {
    if (i == best_start) {
      text[len++] = ':';
      if (i == 0) text[len++] = ':';
      i += best_len - 1;
      continue;
    }
    len += mpxe::format(text + len, sizeof text - len, "%x", group(i));
    if (i + 1 < kGroups) text[len++] = ':';
  }
  text[len] = '\0';
  return mpxe::format(out, capacity, "%s", text);
}

}  // namespace mpxe::net
