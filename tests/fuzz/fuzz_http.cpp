// HTTP/1.1 syntax. Invariants: a parsed head ends inside the input and parses
// the same from any longer input; a shorter prefix is only ever "truncated";
// the chunked decoder gives the same body and consumption whether fed whole or
// split at a point taken from the input; a URL that parses resolves against
// itself, reads back the same from its format() (IPv6 literals in their
// brackets) and builds a request that fits its own limits; a refused one says why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "fuzz_check.h"
#include "net/wire/http.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

struct Decoded {
  bool ok = true;
  bool done = false;
  size_t consumed = 0;
  std::string body;
};

Decoded decode(Bytes input, size_t split) {
  Decoded out;
  HttpChunkDecoder decoder;
  Bytes parts[2] = {input.first(split), input.subspan(split)};
  for (Bytes part : parts) {
    while (!part.empty() && !decoder.done()) {
      auto step = decoder.feed(part);
      if (!step) {
        out.ok = false;
        return out;
      }
      FUZZ_CHECK(step.value().consumed <= part.size());
      FUZZ_CHECK(step.value().consumed > 0 || decoder.done());
      out.body.append(step.value().data.begin(), step.value().data.end());
      out.consumed += step.value().consumed;
      part = part.subspan(step.value().consumed);
    }
  }
  out.done = decoder.done();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  auto head = HttpResponseHead::parse(input);
  if (head) {
    const HttpResponseHead& h = head.value();
    FUZZ_CHECK(h.header_len <= size && h.header_len > 0);
    FUZZ_CHECK(h.status >= 100 && h.status <= 599);
    FUZZ_CHECK(!(h.chunked && h.has_content_length));
    auto again = HttpResponseHead::parse(input.first(h.header_len));
    FUZZ_CHECK(again.ok() && again.value().header_len == h.header_len &&
               again.value().status == h.status &&
               again.value().content_length == h.content_length);
    if (h.header_len > 1) {
      auto shorter = HttpResponseHead::parse(input.first(h.header_len - 1));
      FUZZ_CHECK(!shorter.ok());
    }
  }

  size_t split = size == 0 ? 0 : data[0] % (size + 1);
  Decoded whole = decode(input, size);
  Decoded halves = decode(input, split);
  FUZZ_CHECK(whole.ok == halves.ok);
  if (whole.ok) {
    FUZZ_CHECK(whole.done == halves.done);
    FUZZ_CHECK(whole.body == halves.body);
    FUZZ_CHECK(whole.consumed == halves.consumed);
  }

  const char* why = nullptr;
  auto url = HttpUrl::parse(input, &why);
  FUZZ_CHECK(url.ok() == (why == nullptr));
  if (url) {
    const HttpUrl& u = url.value();
    FUZZ_CHECK(u.host_len > 0 && u.host_len <= HttpUrl::kMaxHost);
    FUZZ_CHECK(u.path_len > 0 && u.path_len <= HttpUrl::kMaxPath && u.path[0] == '/');
    if (u.is_ipv6_literal()) FUZZ_CHECK(u.has_address && u.host[u.host_len - 1] == ']');
    // format() writes what parse() reads back as the same URL.
    char text[8 + HttpUrl::kMaxHost + 6 + HttpUrl::kMaxPath + 1];
    size_t n = u.format(text, sizeof text);
    FUZZ_CHECK(n < sizeof text);
    auto again = HttpUrl::parse(Bytes(reinterpret_cast<const uint8_t*>(text), n));
    FUZZ_CHECK(again.ok() && again.value().same_origin(u));
    FUZZ_CHECK(again.value().has_address == u.has_address && again.value().address == u.address);
    FUZZ_CHECK(bytes_equal(again.value().path_bytes(), u.path_bytes()));
    // A path that starts "//" reads as a network-path reference (RFC 3986 4.2).
    if (!(u.path_len > 1 && u.path[1] == '/')) {
      auto self = u.resolve(u.path_bytes());
      FUZZ_CHECK(self.ok() && self.value().same_origin(u));
    }
    std::vector<uint8_t> request(HttpUrl::kMaxHost + HttpUrl::kMaxPath + 256);
    HttpRange range{1, 2};
    FUZZ_CHECK(http_emit_request(MutableBytes(request.data(), request.size()), u, false, &range, true).ok());
  }
  // Whatever a server puts in Location resolves or fails cleanly.
  static const HttpUrl base = HttpUrl::parse(bytes_of("http://10.0.0.1/dir/file")).value();
  (void)base.resolve(input);
  return 0;
}
