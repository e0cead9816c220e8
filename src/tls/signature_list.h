// EFI_SIGNATURE_LIST (UEFI 2.10, 32.4.1), the format QEMU's fw_cfg file
// etc/edk2/https/cacerts and EDK II's TlsCaCertificate variable hold trust anchors in:
// a run of lists, each
//   EFI_GUID SignatureType; UINT32 SignatureListSize; UINT32 SignatureHeaderSize;
//   UINT32 SignatureSize; UINT8 SignatureHeader[SignatureHeaderSize];
//   EFI_SIGNATURE_DATA Signatures[n][SignatureSize]
// where each EFI_SIGNATURE_DATA is an owner EFI_GUID followed by the signature's
// bytes, all little-endian and packed. For EFI_CERT_X509_GUID a signature is one
// DER certificate and the header is empty.
//
// Portable (host and firmware): a checked walk over the bytes that yields the
// certificates, and the writer the runner builds the fw_cfg file with.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/error.h"
#include "net/result.h"

namespace mpxe::tls {

// An EFI_GUID in its wire form: Data1..Data3 little-endian, then Data4's 8 bytes.
struct EfiGuid {
  uint8_t bytes[16];

  static constexpr EfiGuid make(uint32_t d1, uint16_t d2, uint16_t d3, const uint8_t (&d4)[8]) {
    EfiGuid g{};
    for (int i = 0; i < 4; ++i) g.bytes[i] = static_cast<uint8_t>(d1 >> (8 * i));
    for (int i = 0; i < 2; ++i) g.bytes[4 + i] = static_cast<uint8_t>(d2 >> (8 * i));
    for (int i = 0; i < 2; ++i) g.bytes[6 + i] = static_cast<uint8_t>(d3 >> (8 * i));
    for (int i = 0; i < 8; ++i) g.bytes[8 + i] = d4[i];
    return g;
  }
  bool matches(Bytes wire) const;
};
static_assert(sizeof(EfiGuid) == 16);

// EFI_CERT_X509_GUID, a5c059a1-94e4-4aa7-87b5-ab155c2bf072.
inline constexpr EfiGuid kCertX509Guid =
    EfiGuid::make(0xa5c059a1, 0x94e4, 0x4aa7, {0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72});
// EDK II's TlsCaCertificate variable's vendor (NetworkPkg's gEfiTlsCaCertificateGuid),
// fd2340d0-3dab-4349-a6c7-3b4f12b48eae.
inline constexpr EfiGuid kTlsCaCertificateGuid =
    EfiGuid::make(0xfd2340d0, 0x3dab, 0x4349, {0xa6, 0xc7, 0x3b, 0x4f, 0x12, 0xb4, 0x8e, 0xae});
// The owner mpxe's writer records in each signature (any GUID will do: EDK II
// ignores it); 6d707865-... spells "mpxe".
inline constexpr EfiGuid kMpxeOwnerGuid =
    EfiGuid::make(0x6d707865, 0x7472, 0x7573, {0x74, 0x2d, 0x61, 0x6e, 0x63, 0x68, 0x6f, 0x72});

// One list's fixed header.
struct SignatureListLayout {
  static constexpr size_t kTypeOffset = 0;
  static constexpr size_t kListSizeOffset = 16;
  static constexpr size_t kHeaderSizeOffset = 20;
  static constexpr size_t kSignatureSizeOffset = 24;
  static constexpr size_t kHeaderLen = 28;
  static constexpr size_t kOwnerLen = 16;  // EFI_SIGNATURE_DATA.SignatureOwner
  static_assert(kSignatureSizeOffset + 4 == kHeaderLen);
};

// The part of a list that broke the walk.
enum class SignatureListField : uint8_t {
  None = 0,
  Header,         // fewer than 28 bytes left for a list's header
  ListSize,       // SignatureListSize: below its header, or past the end of the bytes
  HeaderSize,     // SignatureHeaderSize: not 0 in an X.509 list
  SignatureSize,  // SignatureSize: no room for the owner, or the signatures do not fill the list
  Certificate,    // an X.509 signature that is not one DER SEQUENCE fitting its slot
};

// Where and why the walk stopped: reason None when every byte was walked.
struct SignatureListFault {
  net::Errc reason = net::Errc::None;
  SignatureListField field = SignatureListField::None;
  uint32_t list_index = 0;   // 0-based, of the list that broke
  uint32_t list_offset = 0;  // its first byte, from the start of the buffer
  uint32_t value = 0;        // the field's value as read (a size), for the line

  bool ok() const { return reason == net::Errc::None; }
};

// "list 2 at byte 1340: SignatureListSize 20 below the 28-byte header" into out.
size_t signature_list_fault_format(const SignatureListFault& fault, char* out, size_t capacity);

// Walks a buffer of EFI_SIGNATURE_LISTs, one X.509 certificate at a time. Lists of
// other types are stepped over and counted. The first malformed list stops the
// walk and is named in fault(); nothing past it is read.
class SignatureListWalker {
 public:
  explicit SignatureListWalker(Bytes bytes) : bytes_(bytes) {}

  // The next certificate's DER bytes (exactly its outer SEQUENCE), or false at the
  // end of the buffer or at a fault.
  bool next(Bytes* der);

  const SignatureListFault& fault() const { return fault_; }
  uint32_t lists() const { return lists_; }                // lists stepped into
  uint32_t certificates() const { return certificates_; }  // certificates yielded
  uint32_t skipped_lists() const { return skipped_lists_; }
  uint32_t skipped_signatures() const { return skipped_signatures_; }

 private:
  bool enter_list();
  bool stop(net::Errc reason, SignatureListField field, uint32_t value);

  Bytes bytes_;
  size_t offset_ = 0;        // start of the current list
  bool in_list_ = false;
  size_t next_signature_ = 0;
  size_t signature_count_ = 0;
  uint32_t list_size_ = 0;
  uint32_t header_size_ = 0;
  uint32_t signature_size_ = 0;
  SignatureListFault fault_{};
  bool stopped_ = false;
  uint32_t lists_ = 0;
  uint32_t certificates_ = 0;
  uint32_t skipped_lists_ = 0;
  uint32_t skipped_signatures_ = 0;
};

// The length a DER element starting at `der` declares, header included (it may
// exceed der.size(): the caller compares); 0 when its header does not parse: cut
// short, BER's indefinite length, or more than 4 length bytes.
size_t der_element_length(Bytes der);

// Bytes one EFI_SIGNATURE_LIST takes for a certificate of `der_size` bytes.
constexpr size_t x509_signature_list_size(size_t der_size) {
  return SignatureListLayout::kHeaderLen + SignatureListLayout::kOwnerLen + der_size;
}

// Writes one X.509 list holding `der`, owner `owner`, at the start of `out`;
// returns the bytes written. NoSpace when `out` is short, TooBig when the list's
// size would not fit its 32-bit field, BadValue for an empty certificate.
net::Result<size_t> emit_x509_signature_list(Bytes der, const EfiGuid& owner, MutableBytes out);

}  // namespace mpxe::tls
