#include "driver/efi/efi_status.h"

namespace mpxe::driver {

using namespace uefi;
using net::Errc;
using net::Layer;

// Every switch names each value and has no default, so a new reason or failure
// does not build until it has a status here.

Status efi_status(net::Error error) {
  switch (error.reason()) {
    case Errc::None: return kSuccess;
    // Bytes that break their format: a peer's answer, a served file.
    case Errc::Truncated:
    case Errc::BadLength:
    case Errc::BadChecksum:
    case Errc::BadVersion:
    case Errc::BadMagic:
    case Errc::BadOpcode:
    case Errc::BadOption:
    case Errc::BadPointer:
    case Errc::TooManyPointers:
    case Errc::Unterminated:
    case Errc::Overlap: return kProtocolError;
    // A value the caller gave that cannot be: a name, an address, a field.
    case Errc::BadName:
    case Errc::NameTooLong:
    case Errc::BadAddress:
    case Errc::BadValue: return kInvalidParameter;
    case Errc::Unsupported: return kUnsupported;
    case Errc::NoSpace: return kBufferTooSmall;
    case Errc::NotFound: return kNotFound;
    case Errc::WouldBlock: return kNotReady;
    case Errc::Unreachable: return error.layer() == Layer::Icmp ? kIcmpError : kNoResponse;
    case Errc::TooBig: return kBadBufferSize;
    case Errc::Exhausted: return kOutOfResources;
    case Errc::InUse: return kAlreadyStarted;
    case Errc::Refused: return kNoResponse;
    case Errc::Reset: return kAborted;
    case Errc::TimedOut: return kTimeout;
    case Errc::Closed: return kEndOfFile;
    case Errc::Rejected:
      if (error.layer() == Layer::Tftp) return kTftpError;
      if (error.layer() == Layer::Http) return kHttpError;
      return kAccessDenied;
  }
  return kProtocolError;  // a reason outside the enum: bytes nobody checked
}

Status efi_status(net::TftpFailure failure) {
  switch (failure) {
    case net::TftpFailure::None: return kSuccess;
    case net::TftpFailure::BadRequest: return kInvalidParameter;
    case net::TftpFailure::Timeout: return kTimeout;
    case net::TftpFailure::ServerError: return kTftpError;
    case net::TftpFailure::BadOack: return kAborted;
    case net::TftpFailure::NoTsize: return kUnsupported;
    case net::TftpFailure::SinkFailed: return kBufferTooSmall;
    case net::TftpFailure::Unreachable: return kIcmpError;
    case net::TftpFailure::Cancelled: return kAborted;
    case net::TftpFailure::TooSlow: return kTimeout;
  }
  return kAborted;
}

Status efi_status(net::DhcpFailure failure) {
  switch (failure) {
    case net::DhcpFailure::None: return kSuccess;
    case net::DhcpFailure::NoOffer: return kTimeout;
    case net::DhcpFailure::NoAck:
    case net::DhcpFailure::TooManyNaks:
    case net::DhcpFailure::ProxyNoReply:
    case net::DhcpFailure::ProxyUnreachable:
    case net::DhcpFailure::SendFailed: return kNoResponse;
  }
  return kNoResponse;
}

Status efi_status(net::PxeDiscoveryFailure failure) {
  switch (failure) {
    case net::PxeDiscoveryFailure::None: return kSuccess;
    case net::PxeDiscoveryFailure::NoTarget: return kNotFound;
    case net::PxeDiscoveryFailure::NoReply: return kTimeout;
    case net::PxeDiscoveryFailure::SendFailed: return kDeviceError;  // the link refused them all
  }
  return kDeviceError;
}

Status efi_status(net::DnsFailure failure) {
  switch (failure) {
    case net::DnsFailure::None: return kSuccess;
    case net::DnsFailure::NxDomain:
    case net::DnsFailure::NoAddress: return kNotFound;
    case net::DnsFailure::NoServer:
    case net::DnsFailure::Timeout:
    case net::DnsFailure::ServerFailure:
    case net::DnsFailure::Refused:
    case net::DnsFailure::ServerError:
    case net::DnsFailure::Truncated:
    case net::DnsFailure::Unreachable:
    case net::DnsFailure::SendFailed:
    case net::DnsFailure::Cancelled: return kNoResponse;
  }
  return kNoResponse;
}

Status efi_status(net::HttpFailure failure, uint16_t http_status, net::Error error) {
  switch (failure) {
    case net::HttpFailure::None: return kSuccess;
    case net::HttpFailure::BadRequest:
    case net::HttpFailure::NeedsDns: return kInvalidParameter;
    case net::HttpFailure::Connection: return efi_status(error);
    case net::HttpFailure::Stalled:
    case net::HttpFailure::HeadTimeout:
    case net::HttpFailure::TooSlow: return kTimeout;
    case net::HttpFailure::Status:
      if (http_status == 404 || http_status == 410) return kNotFound;
      if (http_status == 401 || http_status == 403) return kAccessDenied;
      return kHttpError;
    case net::HttpFailure::TooManyRedirects: return kHttpError;
    case net::HttpFailure::BadResponse:
    case net::HttpFailure::RangeIgnored: return kProtocolError;
    case net::HttpFailure::TooBig: return kBufferTooSmall;
    case net::HttpFailure::ClosedEarly: return kEndOfFile;
  }
  return kProtocolError;
}

}  // namespace mpxe::driver
