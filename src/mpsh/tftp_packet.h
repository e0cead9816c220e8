// The few TFTP packets the shell builds itself (RFC 1350, options RFC 2347/2349).
// Used to learn a file's size with a "tsize" request when a PXE Base Code lacks
// TFTP_GET_FILE_SIZE (iPXE's answers EFI_UNSUPPORTED). Portable (no UEFI).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpsh {

constexpr uint16_t kTftpPort = 69;
constexpr uint16_t kTftpOpRrq = 1;
constexpr uint16_t kTftpOpData = 3;
constexpr uint16_t kTftpOpAck = 4;
constexpr uint16_t kTftpOpError = 5;
constexpr uint16_t kTftpOpOack = 6;
// RFC 2347: "error code 8 ... the client's way of terminating the transfer" after
// an OACK it does not want to continue.
constexpr uint16_t kTftpErrorOptionRefused = 8;

// RRQ for `file` in octet mode asking "tsize 0" (RFC 2349: the server answers with
// the size in its OACK). Returns the packet length, 0 when it does not fit.
size_t tftp_build_size_request(uint8_t* out, size_t capacity, const char* file);

// ERROR packet; the message is truncated to fit. Returns the length, 0 if no room.
size_t tftp_build_error(uint8_t* out, size_t capacity, uint16_t code, const char* message);

struct TftpReply {
  enum class Kind { Invalid, Oack, Data, Error, Other };
  Kind kind = Kind::Invalid;
  bool has_tsize = false;   // Oack only
  uint64_t tsize = 0;
  uint16_t error_code = 0;  // Error only
  char error_text[64] = {};
};

// Reads what a server sent back to an RRQ. Option names compare without case
// (RFC 2347); a malformed OACK or ERROR comes back as Invalid.
TftpReply tftp_parse_reply(mpxe::Bytes packet);

}  // namespace mpsh
