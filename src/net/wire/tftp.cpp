#include "net/wire/tftp.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

Error tftp_error(Errc reason) { return Error(Layer::Tftp, reason); }

// The string starting at `pos` up to its NUL; false when there is no NUL.
bool read_string(Bytes area, size_t pos, Bytes& out) {
  for (size_t i = pos; i < area.size(); ++i)
    if (area[i] == 0) {
      out = area.subspan(pos, i - pos);
      return true;
    }
  return false;
}

bool has_nul(Bytes text) {
  for (uint8_t c : text)
    if (c == 0) return true;
  return false;
}

// Writes `value` in decimal at out[pos...]; returns the digit count, or 0 when it
// does not fit.
size_t write_decimal(MutableBytes out, size_t pos, uint64_t value) {
  uint8_t digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<uint8_t>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (out.size() < pos || out.size() - pos < n) return 0;
  for (size_t i = 0; i < n; ++i) out[pos + i] = digits[n - 1 - i];
  return n;
}

size_t decimal_len(uint64_t value) {
  size_t n = 1;
  while (value >= 10) {
    value /= 10;
    ++n;
  }
  return n;
}

// Option pairs are well formed: every string terminated, every name valued.
Result<void> check_options(Bytes area) {
  TftpOptionIterator it(area);
  Bytes name, value;
  while (it.next(name, value)) {
  }
  return it.error();
}

// Appends `text` and its NUL at out[pos...]; returns the new position.
size_t put_string(MutableBytes out, size_t pos, Bytes text) {
  copy_bytes(out.subspan(pos, text.size()), text);
  out[pos + text.size()] = 0;
  return pos + text.size() + 1;
}

bool is_rq(TftpOpcode opcode) { return opcode == TftpOpcode::Rrq || opcode == TftpOpcode::Wrq; }

}  // namespace

bool tftp_parse_decimal(Bytes text, uint64_t max, uint64_t& out) {
  if (text.empty()) return false;
  uint64_t value = 0;
  for (uint8_t c : text) {
    if (c < '0' || c > '9') return false;
    unsigned digit = c - '0';
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

Result<TftpPacket> TftpPacket::check(Bytes bytes) {
  if (bytes.size() < kMinLen) return tftp_error(Errc::Truncated);
  uint16_t opcode = load_be16(bytes.data() + kOpcodeOffset);
  if (opcode < static_cast<uint16_t>(TftpOpcode::Rrq) ||
      opcode > static_cast<uint16_t>(TftpOpcode::Oack))
    return tftp_error(Errc::BadOpcode);
  switch (static_cast<TftpOpcode>(opcode)) {
    case TftpOpcode::Data:
    case TftpOpcode::Ack:
    case TftpOpcode::Error:
      if (bytes.size() < 4) return tftp_error(Errc::Truncated);
      break;
    default:
      break;
  }
  return TftpPacket(bytes);
}

bool TftpOptionIterator::next(Bytes& name, Bytes& value) {
  if (pos_ >= area_.size() || error_.is_error()) return false;
  if (!read_string(area_, pos_, name)) {
    error_ = tftp_error(Errc::Unterminated);
    return false;
  }
  size_t value_pos = pos_ + name.size() + 1;
  if (name.empty()) {
    error_ = tftp_error(Errc::BadOption);
    return false;
  }
  if (!read_string(area_, value_pos, value)) {
    // A name at the very end with no value at all, or a value without its NUL.
    error_ = tftp_error(value_pos >= area_.size() ? Errc::BadOption : Errc::Unterminated);
    return false;
  }
  pos_ = value_pos + value.size() + 1;
  return true;
}

Result<TftpOptions> TftpOptions::parse(Bytes area) {
  TftpOptions options;
  TftpOptionIterator it(area);
  Bytes name, value;
  const Error bad = tftp_error(Errc::BadOption);
  while (it.next(name, value)) {
    uint64_t number = 0;
    // A repeated option is refused: which of two values the peer meant is unknowable.
    if (bytes_equal_nocase(name, bytes_of("blksize"))) {
      if (options.has_blksize || !tftp_parse_decimal(value, kMaxBlockSize, number) ||
          number < kMinBlockSize)
        return bad;
      options.blksize = static_cast<uint16_t>(number);
      options.has_blksize = true;
    } else if (bytes_equal_nocase(name, bytes_of("tsize"))) {
      if (options.has_tsize || !tftp_parse_decimal(value, ~uint64_t{0}, number)) return bad;
      options.tsize = number;
      options.has_tsize = true;
    } else if (bytes_equal_nocase(name, bytes_of("timeout"))) {
      if (options.has_timeout || !tftp_parse_decimal(value, 255, number) || number < kMinTimeout)
        return bad;
      options.timeout = static_cast<uint8_t>(number);
      options.has_timeout = true;
    } else if (bytes_equal_nocase(name, bytes_of("windowsize"))) {
      if (options.has_windowsize || !tftp_parse_decimal(value, 65535, number) ||
          number < kMinWindowSize)
        return bad;
      options.windowsize = static_cast<uint16_t>(number);
      options.has_windowsize = true;
    } else if (options.unknown_count < 255) {
      ++options.unknown_count;
    }
  }
  if (it.error().is_error()) return it.error();
  return options;
}

size_t TftpOptions::buffer_len() const {
  // Each pair: name, NUL, digits, NUL.
  size_t len = 0;
  if (has_blksize) len += sizeof("blksize") + decimal_len(blksize) + 1;
  if (has_tsize) len += sizeof("tsize") + decimal_len(tsize) + 1;
  if (has_timeout) len += sizeof("timeout") + decimal_len(timeout) + 1;
  if (has_windowsize) len += sizeof("windowsize") + decimal_len(windowsize) + 1;
  return len;
}

Result<size_t> TftpOptions::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return tftp_error(Errc::NoSpace);
  if ((has_blksize && (blksize < kMinBlockSize || blksize > kMaxBlockSize)) ||
      (has_timeout && timeout < kMinTimeout) ||
      (has_windowsize && windowsize < kMinWindowSize))
    return tftp_error(Errc::BadOption);
  size_t pos = 0;
  auto put_pair = [&](const char* name, uint64_t value) {
    pos = put_string(out, pos, bytes_of(name));
    pos += write_decimal(out, pos, value);
    out[pos++] = 0;
  };
  if (has_blksize) put_pair("blksize", blksize);
  if (has_tsize) put_pair("tsize", tsize);
  if (has_timeout) put_pair("timeout", timeout);
  if (has_windowsize) put_pair("windowsize", windowsize);
  return pos;
}

Result<TftpRepr> TftpRepr::parse(const TftpPacket& packet) {
  TftpRepr repr;
  repr.opcode = static_cast<TftpOpcode>(packet.opcode());
  Bytes body = packet.body();
  switch (repr.opcode) {
    case TftpOpcode::Rrq:
    case TftpOpcode::Wrq: {
      if (!read_string(body, 0, repr.filename)) return tftp_error(Errc::Unterminated);
      size_t mode_pos = repr.filename.size() + 1;
      if (!read_string(body, mode_pos, repr.mode)) return tftp_error(Errc::Unterminated);
      if (repr.filename.empty() || repr.mode.empty()) return tftp_error(Errc::BadValue);
      repr.options = body.subspan(mode_pos + repr.mode.size() + 1);
      Result<void> options = check_options(repr.options);
      if (!options) return options.error();
      return repr;
    }
    case TftpOpcode::Data:
      repr.block = packet.block();
      repr.data = packet.data();
      return repr;
    case TftpOpcode::Ack:
      if (packet.bytes().size() != 4) return tftp_error(Errc::BadLength);
      repr.block = packet.block();
      return repr;
    case TftpOpcode::Error:
      repr.error_code = packet.error_code();
      if (!read_string(packet.bytes(), TftpPacket::kErrorMessageOffset, repr.error_message))
        return tftp_error(Errc::Unterminated);
      return repr;
    case TftpOpcode::Oack: {
      repr.options = body;
      Result<void> options = check_options(repr.options);
      if (!options) return options.error();
      return repr;
    }
  }
  return tftp_error(Errc::BadOpcode);
}

size_t TftpRepr::buffer_len() const {
  switch (opcode) {
    case TftpOpcode::Rrq:
    case TftpOpcode::Wrq:
      return 2 + filename.size() + 1 + mode.size() + 1 + options.size();
    case TftpOpcode::Data:
      return 4 + data.size();
    case TftpOpcode::Ack:
      return 4;
    case TftpOpcode::Error:
      return 4 + error_message.size() + 1;
    case TftpOpcode::Oack:
      return 2 + options.size();
  }
  return 0;
}

Result<void> TftpRepr::emit(MutableBytes out) const {
  size_t len = buffer_len();
  if (len == 0) return tftp_error(Errc::BadOpcode);
  if (out.size() < len) return tftp_error(Errc::NoSpace);
  // What emit writes must parse back to this Repr.
  if (is_rq(opcode) && (filename.empty() || mode.empty() || has_nul(filename) || has_nul(mode)))
    return tftp_error(Errc::BadValue);
  if (opcode == TftpOpcode::Error && has_nul(error_message)) return tftp_error(Errc::BadValue);
  if (is_rq(opcode) || opcode == TftpOpcode::Oack) {
    Result<void> options_ok = check_options(options);
    if (!options_ok) return options_ok;
  }
  store_be16(out.data(), static_cast<uint16_t>(opcode));
  switch (opcode) {
    case TftpOpcode::Rrq:
    case TftpOpcode::Wrq: {
      size_t pos = put_string(out, 2, filename);
      pos = put_string(out, pos, mode);
      copy_bytes(out.subspan(pos, options.size()), options);
      break;
    }
    case TftpOpcode::Data:
      store_be16(out.data() + TftpPacket::kBlockOffset, block);
      copy_bytes(out.subspan(TftpPacket::kDataOffset, data.size()), data);
      break;
    case TftpOpcode::Ack:
      store_be16(out.data() + TftpPacket::kBlockOffset, block);
      break;
    case TftpOpcode::Error:
      store_be16(out.data() + TftpPacket::kErrorCodeOffset, error_code);
      put_string(out, TftpPacket::kErrorMessageOffset, error_message);
      break;
    case TftpOpcode::Oack:
      copy_bytes(out.subspan(TftpPacket::kOptionsOffset, options.size()), options);
      break;
  }
  return {};
}

bool TftpRepr::operator==(const TftpRepr& other) const {
  return opcode == other.opcode && bytes_equal(filename, other.filename) &&
         bytes_equal(mode, other.mode) && bytes_equal(options, other.options) &&
         block == other.block && bytes_equal(data, other.data) &&
         error_code == other.error_code && bytes_equal(error_message, other.error_message);
}

Result<size_t> tftp_emit_rrq(MutableBytes out, Bytes filename, const TftpOptions& options) {
  if (filename.empty() || has_nul(filename)) return tftp_error(Errc::BadValue);
  Bytes mode = bytes_of("octet");
  size_t header = 2 + filename.size() + 1 + mode.size() + 1;
  if (out.size() < header + options.buffer_len()) return tftp_error(Errc::NoSpace);
  store_be16(out.data(), static_cast<uint16_t>(TftpOpcode::Rrq));
  size_t pos = put_string(out, 2, filename);
  pos = put_string(out, pos, mode);
  Result<size_t> written = options.emit(out.subspan(pos));
  if (!written) return written;
  return pos + written.value();
}

Result<size_t> tftp_emit_oack(MutableBytes out, const TftpOptions& options) {
  if (out.size() < 2 + options.buffer_len()) return tftp_error(Errc::NoSpace);
  store_be16(out.data(), static_cast<uint16_t>(TftpOpcode::Oack));
  Result<size_t> written = options.emit(out.subspan(2));
  if (!written) return written;
  return 2 + written.value();
}

bool tftp_mode_is_octet(Bytes mode) { return bytes_equal_nocase(mode, bytes_of("octet")); }

}  // namespace mpxe::net
