#include "mpsh/tftp_packet.h"

#include "mpsh/text.h"

namespace mpsh {
namespace {

class PacketWriter {
 public:
  PacketWriter(uint8_t* out, size_t capacity) : out_(out), capacity_(capacity) {}
  void u16(uint16_t v) {
    byte(static_cast<uint8_t>(v >> 8));
    byte(static_cast<uint8_t>(v));
  }
  void string(const char* s, size_t max = static_cast<size_t>(-1)) {
    for (size_t i = 0; i < max && s[i] != '\0'; ++i) byte(static_cast<uint8_t>(s[i]));
    byte(0);
  }
  size_t finish() const { return overflow_ ? 0 : length_; }

 private:
  void byte(uint8_t b) {
    if (length_ < capacity_) out_[length_++] = b;
    else overflow_ = true;
  }
  uint8_t* out_;
  size_t capacity_;
  size_t length_ = 0;
  bool overflow_ = false;
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_nocase(const char* a, const char* b) {
  for (;; ++a, ++b) {
    if (lower(*a) != lower(*b)) return false;
    if (*a == '\0') return true;
  }
}

bool is_decimal(const char* s) {
  if (*s == '\0') return false;
  for (; *s != '\0'; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

// Next NUL-terminated string at `pos`, or nullptr when the packet ends first.
const char* take_string(mpxe::Bytes packet, size_t* pos) {
  size_t start = *pos;
  for (size_t i = start; i < packet.size(); ++i) {
    if (packet[i] == 0) {
      *pos = i + 1;
      return reinterpret_cast<const char*>(packet.data() + start);
    }
  }
  return nullptr;
}

}  // namespace

size_t tftp_build_size_request(uint8_t* out, size_t capacity, const char* file) {
  PacketWriter w(out, capacity);
  w.u16(kTftpOpRrq);
  w.string(file);
  w.string("octet");
  w.string("tsize");
  w.string("0");
  return w.finish();
}

size_t tftp_build_error(uint8_t* out, size_t capacity, uint16_t code, const char* message) {
  if (capacity < 5) return 0;
  PacketWriter w(out, capacity);
  w.u16(kTftpOpError);
  w.u16(code);
  w.string(message, capacity - 5);
  return w.finish();
}

TftpReply tftp_parse_reply(mpxe::Bytes packet) {
  TftpReply reply;
  if (packet.size() < 2) return reply;
  uint16_t opcode = mpxe::load_be16(packet.data());
  size_t pos = 2;
  switch (opcode) {
    case kTftpOpData:
      if (packet.size() >= 4) reply.kind = TftpReply::Kind::Data;
      return reply;
    case kTftpOpError: {
      if (packet.size() < 4) return reply;
      reply.error_code = mpxe::load_be16(packet.data() + 2);
      pos = 4;
      const char* text = take_string(packet, &pos);
      // Some servers omit the terminating NUL; keep what is there.
      if (text != nullptr) {
        text_copy(reply.error_text, sizeof(reply.error_text), text, text_length(text));
      } else {
        size_t n = 0;
        for (size_t i = 4; i < packet.size() && n + 1 < sizeof(reply.error_text); ++i)
          reply.error_text[n++] = static_cast<char>(packet[i]);
        reply.error_text[n] = '\0';
      }
      reply.kind = TftpReply::Kind::Error;
      return reply;
    }
    case kTftpOpOack:
      while (pos < packet.size()) {
        const char* name = take_string(packet, &pos);
        const char* value = name ? take_string(packet, &pos) : nullptr;
        if (value == nullptr) return TftpReply{};
        if (equal_nocase(name, "tsize")) {
          uint64_t size;
          // RFC 2349: the size is a decimal number of octets.
          if (!is_decimal(value) || !parse_u64(value, &size)) return TftpReply{};
          reply.has_tsize = true;
          reply.tsize = size;
        }
      }
      reply.kind = TftpReply::Kind::Oack;
      return reply;
    default:
      reply.kind = TftpReply::Kind::Other;
      return reply;
  }
}

}  // namespace mpsh
