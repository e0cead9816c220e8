// The packets of the shell's own tsize probe (pxe_probe_size, pxe_client.h): a
// PXE Base Code without TFTP_GET_FILE_SIZE (iPXE's answers EFI_UNSUPPORTED) still
// carries UDP, so the shell asks the server for the size itself. The packets are
// built and read with the wire layer (net/wire/tftp.h); what is mpsh's own here is
// what the probe makes of a reply. Portable (no UEFI).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/tftp.h"

namespace mpsh {

// RRQ for `file` in octet mode asking "tsize 0" (RFC 2349: the server answers
// with the size in its OACK); its length.
mpxe::net::Result<size_t> tsize_request(mpxe::MutableBytes out, const char* file);

// The ERROR that ends the transfer the request opened: OptionRefused after an
// OACK ("the client's way of terminating the transfer", RFC 2347), NotDefined
// after DATA; its length.
mpxe::net::Result<size_t> tsize_abort(mpxe::MutableBytes out, mpxe::net::TftpErrorCode code);

struct TsizeReply {
  enum class Kind {
    Ignore,  // malformed, or not an answer to a request: keep listening
    Oack,    // the server took options; has_tsize says whether the size came
    Data,    // an RFC 1350 server ignored the options and started sending
    Error,   // the server refused the request
  };
  Kind kind = Kind::Ignore;
  bool has_tsize = false;  // Oack only
  uint64_t tsize = 0;
  uint16_t error_code = 0;  // Error only
  char error_text[64] = {};
};

// What a server sent back to the request. An ERROR whose message lacks its NUL
// (some servers send it so) keeps the text it has.
TsizeReply read_tsize_reply(mpxe::Bytes packet);

}  // namespace mpsh
