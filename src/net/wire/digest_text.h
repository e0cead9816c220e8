// A SHA-256 digest as text: what `sha256sum` writes ("HEX  NAME" or "HEX *NAME"),
// a bare "HEX", with or without a newline. The form of a digest a server publishes
// beside a boot file (FILE.sha256) and of the one the runner pins (--sha256).
#pragma once

#include <stddef.h>

#include "core/bytes.h"
#include "core/sha256.h"
#include "net/result.h"

namespace mpxe::net {

struct Sha256Text {
  char hex[Sha256::kHexSize] = {};  // lower case, NUL-terminated
};

// The digest at the start of `text`: 64 hex digits, then the end, white space or
// '*'. Anything else (fewer or more digits, a non-hex digit) is an error: a digest
// that cannot be read must not pass as no digest at all.
Result<Sha256Text> parse_sha256_text(Bytes text);

}  // namespace mpxe::net
