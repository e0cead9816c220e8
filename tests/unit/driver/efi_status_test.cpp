// The error boundary: every error the stack can name has an EFI_STATUS of its own
// (never EFI_DEVICE_ERROR, the status that says nothing), and the ones UEFI's
// network protocols define are used where they apply.
#include <gtest/gtest.h>

#include "driver/efi/efi_status.h"

namespace mpxe::driver {
namespace {

using namespace uefi;
using net::Errc;
using net::Error;
using net::Layer;

constexpr uint8_t kLastLayer = static_cast<uint8_t>(Layer::Tls);
constexpr uint8_t kLastReason = static_cast<uint8_t>(Errc::Rejected);

TEST(EfiStatus, NoErrorIsSuccess) { EXPECT_EQ(efi_status(Error()), kSuccess); }

TEST(EfiStatus, EveryLayerAndReasonIsASpecificError) {
  for (uint8_t layer = 0; layer <= kLastLayer; ++layer)
    for (uint8_t reason = 1; reason <= kLastReason; ++reason) {
      Status s = efi_status(Error(static_cast<Layer>(layer), static_cast<Errc>(reason)));
      SCOPED_TRACE(testing::Message() << "layer " << int(layer) << " reason " << int(reason));
      EXPECT_TRUE(is_error(s));
      EXPECT_NE(s, kDeviceError);
    }
}

TEST(EfiStatus, EachReasonHasItsStatus) {
  struct Case {
    Errc reason;
    Status status;
  };
  const Case cases[] = {
      {Errc::Truncated, kProtocolError},   {Errc::BadLength, kProtocolError},
      {Errc::BadChecksum, kProtocolError}, {Errc::BadVersion, kProtocolError},
      {Errc::BadMagic, kProtocolError},    {Errc::BadOpcode, kProtocolError},
      {Errc::BadOption, kProtocolError},   {Errc::BadName, kInvalidParameter},
      {Errc::BadPointer, kProtocolError},  {Errc::TooManyPointers, kProtocolError},
      {Errc::NameTooLong, kInvalidParameter}, {Errc::Unterminated, kProtocolError},
      {Errc::Unsupported, kUnsupported},   {Errc::NoSpace, kBufferTooSmall},
      {Errc::NotFound, kNotFound},         {Errc::BadAddress, kInvalidParameter},
      {Errc::BadValue, kInvalidParameter}, {Errc::WouldBlock, kNotReady},
      {Errc::Unreachable, kNoResponse},    {Errc::TooBig, kBadBufferSize},
      {Errc::Overlap, kProtocolError},     {Errc::Exhausted, kOutOfResources},
      {Errc::InUse, kAlreadyStarted},      {Errc::Refused, kNoResponse},
      {Errc::Reset, kAborted},             {Errc::TimedOut, kTimeout},
      {Errc::Closed, kEndOfFile},          {Errc::Rejected, kAccessDenied},
  };
  static_assert(sizeof(cases) / sizeof(cases[0]) == kLastReason);
  for (const Case& c : cases) {
    SCOPED_TRACE(net::error_text(Error(Layer::Iface, c.reason)));
    EXPECT_EQ(efi_status(Error(Layer::Iface, c.reason)), c.status);
  }
}

TEST(EfiStatus, ProtocolsWithAStatusOfTheirOwnGetIt) {
  EXPECT_EQ(efi_status(Error(Layer::Icmp, Errc::Unreachable)), kIcmpError);
  EXPECT_EQ(efi_status(Error(Layer::Arp, Errc::Unreachable)), kNoResponse);
  EXPECT_EQ(efi_status(Error(Layer::Tftp, Errc::Rejected)), kTftpError);
  EXPECT_EQ(efi_status(Error(Layer::Http, Errc::Rejected)), kHttpError);
  EXPECT_EQ(efi_status(Error(Layer::Dhcp, Errc::Rejected)), kAccessDenied);
}

TEST(EfiStatus, TftpFailures) {
  EXPECT_EQ(efi_status(net::TftpFailure::None), kSuccess);
  EXPECT_EQ(efi_status(net::TftpFailure::BadRequest), kInvalidParameter);
  EXPECT_EQ(efi_status(net::TftpFailure::Timeout), kTimeout);
  EXPECT_EQ(efi_status(net::TftpFailure::ServerError), kTftpError);
  EXPECT_EQ(efi_status(net::TftpFailure::BadOack), kAborted);
  EXPECT_EQ(efi_status(net::TftpFailure::NoTsize), kUnsupported);
  EXPECT_EQ(efi_status(net::TftpFailure::SinkFailed), kBufferTooSmall);
  EXPECT_EQ(efi_status(net::TftpFailure::Unreachable), kIcmpError);
  EXPECT_EQ(efi_status(net::TftpFailure::Cancelled), kAborted);
  EXPECT_EQ(efi_status(net::TftpFailure::TooSlow), kTimeout);
}

TEST(EfiStatus, DhcpFailures) {
  EXPECT_EQ(efi_status(net::DhcpFailure::NoOffer), kTimeout);
  for (auto f : {net::DhcpFailure::NoAck, net::DhcpFailure::TooManyNaks,
                 net::DhcpFailure::ProxyNoReply, net::DhcpFailure::ProxyUnreachable,
                 net::DhcpFailure::SendFailed})
    EXPECT_EQ(efi_status(f), kNoResponse);
}

TEST(EfiStatus, HttpFailures) {
  using net::HttpFailure;
  const Error none;
  EXPECT_EQ(efi_status(HttpFailure::None, 200, none), kSuccess);
  EXPECT_EQ(efi_status(HttpFailure::Status, 404, none), kNotFound);
  EXPECT_EQ(efi_status(HttpFailure::Status, 410, none), kNotFound);
  EXPECT_EQ(efi_status(HttpFailure::Status, 403, none), kAccessDenied);
  EXPECT_EQ(efi_status(HttpFailure::Status, 500, none), kHttpError);
  EXPECT_EQ(efi_status(HttpFailure::Connection, 0, Error(Layer::Tcp, Errc::Refused)), kNoResponse);
  EXPECT_EQ(efi_status(HttpFailure::Connection, 0, Error(Layer::Tcp, Errc::TimedOut)), kTimeout);
  EXPECT_EQ(efi_status(HttpFailure::Stalled, 0, none), kTimeout);
  EXPECT_EQ(efi_status(HttpFailure::TooManyRedirects, 302, none), kHttpError);
  EXPECT_EQ(efi_status(HttpFailure::BadResponse, 0, none), kProtocolError);
  EXPECT_EQ(efi_status(HttpFailure::RangeIgnored, 200, none), kProtocolError);
  EXPECT_EQ(efi_status(HttpFailure::TooBig, 200, none), kBufferTooSmall);
  EXPECT_EQ(efi_status(HttpFailure::ClosedEarly, 200, none), kEndOfFile);
  EXPECT_EQ(efi_status(HttpFailure::BadRequest, 0, none), kInvalidParameter);
}

TEST(EfiStatus, PxeDiscoveryFailures) {
  EXPECT_EQ(efi_status(net::PxeDiscoveryFailure::None), kSuccess);
  EXPECT_EQ(efi_status(net::PxeDiscoveryFailure::NoTarget), kNotFound);
  EXPECT_EQ(efi_status(net::PxeDiscoveryFailure::NoReply), kTimeout);
  EXPECT_EQ(efi_status(net::PxeDiscoveryFailure::SendFailed), kDeviceError);
}

TEST(EfiStatus, DnsFailures) {
  EXPECT_EQ(efi_status(net::DnsFailure::NxDomain), kNotFound);
  EXPECT_EQ(efi_status(net::DnsFailure::NoAddress), kNotFound);
  for (auto f : {net::DnsFailure::NoServer, net::DnsFailure::Timeout,
                 net::DnsFailure::ServerFailure, net::DnsFailure::Refused,
                 net::DnsFailure::ServerError, net::DnsFailure::Truncated,
                 net::DnsFailure::Unreachable, net::DnsFailure::SendFailed,
                 net::DnsFailure::Cancelled})
    EXPECT_EQ(efi_status(f), kNoResponse);
}

}  // namespace
}  // namespace mpxe::driver
