// TFTP packets (RFC 1350) and option negotiation: OACK (RFC 2347), blksize
// (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"

namespace mpxe::net {

inline constexpr uint16_t kTftpServerPort = 69;
// "The data field is from zero to 512 bytes long" without blksize.
inline constexpr uint16_t kTftpDefaultBlockSize = 512;

enum class TftpOpcode : uint16_t {
  Rrq = 1,
  Wrq = 2,
  Data = 3,
  Ack = 4,
  Error = 5,
  Oack = 6,  // RFC 2347
};

enum class TftpErrorCode : uint16_t {
  NotDefined = 0,
  FileNotFound = 1,
  AccessViolation = 2,
  DiskFull = 3,
  IllegalOperation = 4,
  UnknownTransferId = 5,
  FileExists = 6,
  NoSuchUser = 7,
  OptionRefused = 8,  // RFC 2347: "terminate a transfer due to option negotiation"
};

class TftpPacket {
 public:
  static constexpr size_t kOpcodeOffset = 0;
  static constexpr size_t kBlockOffset = 2;        // DATA, ACK
  static constexpr size_t kErrorCodeOffset = 2;    // ERROR
  static constexpr size_t kFilenameOffset = 2;     // RRQ, WRQ
  static constexpr size_t kOptionsOffset = 2;      // OACK
  static constexpr size_t kDataOffset = 4;         // DATA
  static constexpr size_t kErrorMessageOffset = 4; // ERROR
  static constexpr size_t kMinLen = 2;
  static_assert(kDataOffset == kBlockOffset + 2);

  // A known opcode, and the fixed fields that opcode needs. The strings are
  // checked by TftpRepr::parse.
  static Result<TftpPacket> check(Bytes bytes);

  uint16_t opcode() const { return load_be16(bytes_.data() + kOpcodeOffset); }
  uint16_t block() const { return load_be16(bytes_.data() + kBlockOffset); }
  uint16_t error_code() const { return load_be16(bytes_.data() + kErrorCodeOffset); }
  // DATA: the block's bytes.
  Bytes data() const { return bytes_.subspan(kDataOffset); }
  // Everything after the opcode.
  Bytes body() const { return bytes_.subspan(kOpcodeOffset + 2); }
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr TftpPacket(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// Option name/value pairs, each a NUL-terminated string: "opt1 0 value1 0 ...".
class TftpOptionIterator {
 public:
  explicit constexpr TftpOptionIterator(Bytes area) : area_(area) {}
  // True with name and value set (terminators not included), or false at the end
  // of the area; error() then says whether a string was left unterminated or a
  // name had no value.
  bool next(Bytes& name, Bytes& value);
  Error error() const { return error_; }

 private:
  Bytes area_;
  size_t pos_ = 0;
  Error error_;
};

// The options this client negotiates, by value. Names match case-insensitively
// ("the option names are case-insensitive", RFC 2347); values are decimal.
struct TftpOptions {
  // RFC 2348: "Valid values range between "8" and "65464" octets, inclusive."
  static constexpr uint16_t kMinBlockSize = 8;
  static constexpr uint16_t kMaxBlockSize = 65464;
  // RFC 2349: "Valid values range between "1" and "255" seconds, inclusive."
  static constexpr uint8_t kMinTimeout = 1;
  // RFC 7440: "Valid values range between "1" and "65535" blocks, inclusive."
  static constexpr uint16_t kMinWindowSize = 1;

  uint16_t blksize = 0;
  uint64_t tsize = 0;
  uint8_t timeout = 0;
  uint16_t windowsize = 0;
  bool has_blksize = false;
  bool has_tsize = false;
  bool has_timeout = false;
  bool has_windowsize = false;
  uint8_t unknown_count = 0;  // options with other names (an OACK must not carry any)

  // BadOption for a value that is not a decimal number in its range.
  static Result<TftpOptions> parse(Bytes area);
  // Writes "blksize", "tsize", "timeout", "windowsize" (those present, in that
  // order, lowercase) as option pairs.
  size_t buffer_len() const;
  Result<size_t> emit(MutableBytes out) const;

  constexpr bool operator==(const TftpOptions&) const = default;
};

// One packet of any kind; the fields that the opcode does not use stay empty.
struct TftpRepr {
  TftpOpcode opcode = TftpOpcode::Rrq;
  Bytes filename;       // RRQ, WRQ
  Bytes mode;           // RRQ, WRQ: "netascii", "octet" or "mail", any case
  Bytes options;        // RRQ, WRQ, OACK: the option pairs as on the wire
  uint16_t block = 0;   // DATA, ACK
  Bytes data;           // DATA
  uint16_t error_code = 0;  // ERROR: a TftpErrorCode
  Bytes error_message;      // ERROR, terminator not included

  // Fails on an unterminated string (Unterminated), an empty file name or mode
  // (BadValue), malformed option pairs, and an ACK with trailing bytes
  // (BadLength). Bytes after an ERROR's message are ignored.
  static Result<TftpRepr> parse(const TftpPacket& packet);
  size_t buffer_len() const;
  Result<void> emit(MutableBytes out) const;

  bool operator==(const TftpRepr& other) const;
};

// An option's value (RFC 2347: a decimal number): digits only, at least one, at
// most `max`.
bool tftp_parse_decimal(Bytes text, uint64_t max, uint64_t& out);

// A read request for `filename` in octet mode with `options`; returns its length.
Result<size_t> tftp_emit_rrq(MutableBytes out, Bytes filename, const TftpOptions& options);
// An OACK carrying `options` (what a server, or a test standing in for one, sends).
Result<size_t> tftp_emit_oack(MutableBytes out, const TftpOptions& options);

// "octet" in any case: the only mode a boot loader transfers in.
bool tftp_mode_is_octet(Bytes mode);

}  // namespace mpxe::net
