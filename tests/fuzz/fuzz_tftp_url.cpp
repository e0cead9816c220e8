// A TFTP boot file URL from DHCPv6's OPT_BOOTFILE_URL: any bytes give a server
// address and a file name fit for an RRQ (no NUL, no control character, within
// its bound), or an error, never a read past the input.
#include "fuzz_check.h"
#include "net/wire/tftp_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = mpxe::net::parse_tftp_url(mpxe::Bytes(data, size));
  if (r.ok()) {
    const mpxe::net::TftpUrl& url = r.value();
    FUZZ_CHECK(url.file_size > 0 && url.file_size <= mpxe::net::TftpUrl::kMaxFile);
    FUZZ_CHECK(url.file[url.file_size] == '\0');
    for (size_t i = 0; i < url.file_size; ++i)
      FUZZ_CHECK(static_cast<uint8_t>(url.file[i]) >= 0x20 && url.file[i] != 0x7F);
    FUZZ_CHECK(url.port != 0);
    FUZZ_CHECK(mpxe::net::is_tftp_url(mpxe::Bytes(data, size)));
    FUZZ_CHECK(size >= url.file_size + 9);  // "tftp://" + a host + '/' at the least
  }
  return 0;
}
