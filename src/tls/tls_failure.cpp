#include "tls/tls_failure.h"

#include "core/format.h"

namespace mpxe::tls {

const char* tls_failure_text(TlsFailure failure) {
  switch (failure) {
    case TlsFailure::None: return "no failure";
    case TlsFailure::NoTrustAnchors: return "no trust anchors (give a CA certificate): HTTPS refused";
    case TlsFailure::UnknownCa: return "certificate from an unknown CA";
    case TlsFailure::NameMismatch: return "certificate for another name";
    case TlsFailure::Expired: return "certificate expired";
    case TlsFailure::NotYetValid: return "certificate not yet valid";
    case TlsFailure::BadCertificate: return "certificate refused";
    case TlsFailure::NoCommonVersion: return "no TLS version or cipher suite in common";
    case TlsFailure::PeerAlert: return "the server sent a fatal alert";
    case TlsFailure::HandshakeTimeout: return "TLS handshake timed out";
    case TlsFailure::Garbage: return "the server sent bytes that are not TLS";
    case TlsFailure::Truncated: return "the connection closed without TLS close_notify";
    case TlsFailure::Transport: return "the connection under TLS failed";
    case TlsFailure::Internal: return "TLS library failure";
  }
  return "unknown TLS failure";
}

net::Error tls_failure_error(TlsFailure failure) {
  using net::Errc;
  Errc reason = Errc::None;
  switch (failure) {
    case TlsFailure::None: return net::Error();
    case TlsFailure::NoTrustAnchors: reason = Errc::NotFound; break;
    case TlsFailure::UnknownCa:
    case TlsFailure::NameMismatch:
    case TlsFailure::Expired:
    case TlsFailure::NotYetValid:
    case TlsFailure::BadCertificate:
    case TlsFailure::PeerAlert: reason = Errc::Rejected; break;
    case TlsFailure::NoCommonVersion: reason = Errc::Unsupported; break;
    case TlsFailure::HandshakeTimeout: reason = Errc::TimedOut; break;
    case TlsFailure::Garbage: reason = Errc::BadValue; break;
    case TlsFailure::Truncated: reason = Errc::Closed; break;
    case TlsFailure::Transport: reason = Errc::Reset; break;
    case TlsFailure::Internal: reason = Errc::Exhausted; break;
  }
  return net::Error(net::Layer::Tls, reason);
}

const char* tls_alert_name(uint8_t code) {
  switch (code) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return nullptr;
  }
}

void tls_format_time(int64_t seconds, char* out, size_t capacity) {
  // Days to a civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rest = seconds - days * 86400;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  format(out, capacity, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", static_cast<long long>(year),
         static_cast<long long>(month), static_cast<long long>(day),
         static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
         static_cast<long long>(rest % 60));
}

}  // namespace mpxe::tls
