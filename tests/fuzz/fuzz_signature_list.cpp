// EFI_SIGNATURE_LISTs (fw_cfg etc/edk2/https/cacerts, the TlsCaCertificate variable):
// any bytes walk to an end or a named fault, every certificate yielded is one DER
// SEQUENCE inside the input, and what was yielded, written again by the runner's
// writer, walks back to the same certificates.
#include <vector>

#include "fuzz_check.h"
#include "tls/signature_list.h"

using mpxe::Bytes;
using mpxe::MutableBytes;
namespace tls = mpxe::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  tls::SignatureListWalker walker(input);
  std::vector<Bytes> certs;
  Bytes der;
  while (walker.next(&der)) {
    FUZZ_CHECK(der.data() >= data && der.data() + der.size() <= data + size);
    FUZZ_CHECK(der.size() >= 2 && der[0] == 0x30);
    FUZZ_CHECK(tls::der_element_length(der) == der.size());
    certs.push_back(der);
  }
  FUZZ_CHECK(!walker.next(&der));
  FUZZ_CHECK(walker.certificates() == certs.size());
  FUZZ_CHECK(walker.skipped_lists() <= walker.lists());
  const tls::SignatureListFault& fault = walker.fault();
  if (!fault.ok()) {
    FUZZ_CHECK(fault.field != tls::SignatureListField::None);
    FUZZ_CHECK(fault.list_offset < size);
    char line[160];
    size_t length = tls::signature_list_fault_format(fault, line, sizeof line);
    FUZZ_CHECK(length > 0);
  }

  std::vector<uint8_t> rewritten;
  for (Bytes cert : certs) {
    size_t at = rewritten.size();
    rewritten.resize(at + tls::x509_signature_list_size(cert.size()));
    auto written = tls::emit_x509_signature_list(
        cert, tls::kMpxeOwnerGuid, MutableBytes(rewritten.data() + at, rewritten.size() - at));
    FUZZ_CHECK(written.ok() && at + written.value() == rewritten.size());
  }
  tls::SignatureListWalker again(Bytes(rewritten.data(), rewritten.size()));
  size_t i = 0;
  while (again.next(&der)) {
    FUZZ_CHECK(i < certs.size() && mpxe::bytes_equal(der, certs[i]));
    ++i;
  }
  FUZZ_CHECK(i == certs.size() && again.fault().ok());
  return 0;
}
