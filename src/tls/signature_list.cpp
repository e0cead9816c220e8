#include "tls/signature_list.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::tls {

namespace {

using L = SignatureListLayout;

constexpr uint8_t kDerSequence = 0x30;

}  // namespace

bool EfiGuid::matches(Bytes wire) const {
  return wire.size() >= sizeof(bytes) && bytes_equal(wire.first(sizeof(bytes)), Bytes(bytes));
}

size_t der_element_length(Bytes der) {
  if (der.size() < 2) return 0;
  uint8_t first = der[1];
  if (first < 0x80) return 2 + size_t{first};
  size_t count = first & 0x7f;
  // 0x80 is BER's indefinite length, which DER forbids; over 4 length bytes no
  // certificate has.
  if (count == 0 || count > 4 || der.size() < 2 + count) return 0;
  uint64_t length = 0;
  for (size_t i = 0; i < count; ++i) length = (length << 8) | der[2 + i];
  return static_cast<size_t>(2 + count + length);
}

bool SignatureListWalker::stop(net::Errc reason, SignatureListField field, uint32_t value) {
  fault_.reason = reason;
  fault_.field = field;
  // Inside a list it is already counted; a header that breaks is the next one.
  fault_.list_index = in_list_ ? lists_ - 1 : lists_;
  fault_.list_offset = static_cast<uint32_t>(offset_);
  fault_.value = value;
  stopped_ = true;
  return false;
}

// Checks the list at offset_ against the rest of the buffer; every size is
// compared in 64 bits, so no sum of 32-bit fields can wrap.
bool SignatureListWalker::enter_list() {
  Bytes list = bytes_.subspan(offset_);
  if (list.size() < L::kHeaderLen)
    return stop(net::Errc::Truncated, SignatureListField::Header, static_cast<uint32_t>(list.size()));
  uint32_t list_size = load_le32(list.data() + L::kListSizeOffset);
  header_size_ = load_le32(list.data() + L::kHeaderSizeOffset);
  signature_size_ = load_le32(list.data() + L::kSignatureSizeOffset);
  uint64_t fixed = uint64_t{L::kHeaderLen} + header_size_;
  if (list_size < fixed) return stop(net::Errc::BadLength, SignatureListField::ListSize, list_size);
  if (list_size > list.size())
    return stop(net::Errc::Truncated, SignatureListField::ListSize, list_size);
  uint64_t body = list_size - fixed;
  if (signature_size_ < L::kOwnerLen || body % signature_size_ != 0)
    return stop(net::Errc::BadLength, SignatureListField::SignatureSize, signature_size_);
  bool x509 = kCertX509Guid.matches(list);
  if (x509 && header_size_ != 0)
    return stop(net::Errc::BadValue, SignatureListField::HeaderSize, header_size_);
  list_size_ = list_size;
  signature_count_ = static_cast<size_t>(body / signature_size_);
  next_signature_ = 0;
  ++lists_;
  if (!x509) {
    ++skipped_lists_;
    skipped_signatures_ += static_cast<uint32_t>(signature_count_);
    offset_ += list_size_;
    return true;
  }
  in_list_ = true;
  return true;
}

bool SignatureListWalker::next(Bytes* der) {
  while (!stopped_) {
    if (!in_list_) {
      if (offset_ == bytes_.size()) {
        stopped_ = true;
        return false;
      }
      if (!enter_list()) return false;
      continue;
    }
    if (next_signature_ == signature_count_) {
      in_list_ = false;
      offset_ += list_size_;
      continue;
    }
    size_t at = offset_ + L::kHeaderLen + header_size_ + next_signature_ * signature_size_;
    Bytes data = bytes_.subspan(at + L::kOwnerLen, signature_size_ - L::kOwnerLen);
    size_t length = der_element_length(data);
    if (data.empty() || data[0] != kDerSequence || length == 0 || length > data.size())
      return stop(net::Errc::BadValue, SignatureListField::Certificate,
                  static_cast<uint32_t>(next_signature_));
    ++next_signature_;
    ++certificates_;
    *der = data.first(length);
    return true;
  }
  return false;
}

size_t signature_list_fault_format(const SignatureListFault& fault, char* out, size_t capacity) {
  size_t length = 0;
  if (capacity > 0) out[0] = '\0';
  format_append(out, capacity, length, "list %u at byte %u: ", fault.list_index, fault.list_offset);
  switch (fault.field) {
    case SignatureListField::None:
      format_append(out, capacity, length, "no fault");
      break;
    case SignatureListField::Header:
      format_append(out, capacity, length, "%u bytes left, fewer than a list's %u-byte header",
                    fault.value, static_cast<unsigned>(L::kHeaderLen));
      break;
    case SignatureListField::ListSize:
      if (fault.reason == net::Errc::Truncated)
        format_append(out, capacity, length, "SignatureListSize %u runs past the end of the data",
                      fault.value);
      else
        format_append(out, capacity, length,
                      "SignatureListSize %u cannot hold its header (%u bytes + SignatureHeaderSize)",
                      fault.value, static_cast<unsigned>(L::kHeaderLen));
      break;
    case SignatureListField::HeaderSize:
      format_append(out, capacity, length, "SignatureHeaderSize %u in an X.509 list (must be 0)",
                    fault.value);
      break;
    case SignatureListField::SignatureSize:
      format_append(out, capacity, length,
                    "SignatureSize %u does not cut the list into whole signatures of at least "
                    "%u bytes",
                    fault.value, static_cast<unsigned>(L::kOwnerLen));
      break;
    case SignatureListField::Certificate:
      format_append(out, capacity, length,
                    "signature %u is not a DER certificate (no SEQUENCE that fits its slot)",
                    fault.value);
      break;
  }
  return length;
}

net::Result<size_t> emit_x509_signature_list(Bytes der, const EfiGuid& owner, MutableBytes out) {
  if (der.empty()) return net::Error(net::Layer::None, net::Errc::BadValue);
  uint64_t total = uint64_t{L::kHeaderLen} + L::kOwnerLen + der.size();
  if (total > 0xffffffffu) return net::Error(net::Layer::None, net::Errc::TooBig);
  if (out.size() < total) return net::Error(net::Layer::None, net::Errc::NoSpace);
  uint8_t* p = out.data();
  copy_bytes(MutableBytes(p + L::kTypeOffset, 16), Bytes(kCertX509Guid.bytes));
  store_le32(p + L::kListSizeOffset, static_cast<uint32_t>(total));
  store_le32(p + L::kHeaderSizeOffset, 0);
  store_le32(p + L::kSignatureSizeOffset, static_cast<uint32_t>(L::kOwnerLen + der.size()));
  copy_bytes(MutableBytes(p + L::kHeaderLen, L::kOwnerLen), Bytes(owner.bytes));
  copy_bytes(MutableBytes(p + L::kHeaderLen + L::kOwnerLen, der.size()), der);
  return static_cast<size_t>(total);
}

}  // namespace mpxe::tls
