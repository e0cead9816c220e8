// A TFTP boot file URL (RFC 3617), as DHCPv6's OPT_BOOTFILE_URL carries it (RFC
// 5970 3.1): tftp://[2001:db8::1]/path/file, tftp://192.0.2.1:6969/file. QEMU's
// user network sends tftp://[fec0::2]/FILE.
//
// The host must be an address literal (an IPv6 one in brackets, RFC 3986 3.2.2, no
// zone; or a dotted quad): a name would need DNS first, which the caller does not
// have at this point, so it is refused as Unsupported. The port is optional (69).
// The file is the path after the host's '/', percent-decoded (%2F stays a '/' in
// the name, as TFTP has no path segments of its own); RFC 3617's ";mode=octet"
// may end it, any other mode is refused. A decoded NUL or control character, an
// empty file or one over kMaxFile bytes is an error: the name goes into an RRQ.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ip_address.h"

namespace mpxe::net {

struct TftpUrl {
  static constexpr size_t kMaxFile = 255;
  IpAddress server;
  uint16_t port = 69;
  char file[kMaxFile + 1] = {};  // NUL-terminated, without the leading '/'
  size_t file_size = 0;
};

// Errors (Layer::Tftp): BadValue (not tftp://, a bad port, a mode other than
// octet, a bad %XX), BadAddress (the host literal), Unsupported (a host name),
// Truncated (no file), NameTooLong (over kMaxFile), BadName (NUL or control).
Result<TftpUrl> parse_tftp_url(Bytes text);

// "tftp://" at the start, in any case.
bool is_tftp_url(Bytes text);

}  // namespace mpxe::net
