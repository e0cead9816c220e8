// The words `pxebc` prints for statuses and IP filters: the e2e test greps them
// from two firmwares, so they must be the specification's names, whatever code
// comes back.
#include "mpsh/pxebc_text.h"

#include <gtest/gtest.h>

#include <string>

namespace mpsh {
namespace {

constexpr uint64_t kError = uint64_t{1} << 63;

std::string status(uint64_t s) {
  char out[kStatusNameSize];
  format_efi_status(s, out);
  return out;
}

std::string filters(uint8_t f) {
  char out[96];
  size_t n = format_ip_filters(f, out, sizeof(out));
  EXPECT_EQ(n, std::string(out).size());
  return out;
}

TEST(PxebcText, NamesStatusesAsTheSpecification) {
  EXPECT_EQ(status(0), "SUCCESS");
  EXPECT_EQ(status(kError | 5), "BUFFER_TOO_SMALL");
  EXPECT_EQ(status(kError | 3), "UNSUPPORTED");
  EXPECT_EQ(status(kError | 18), "TIMEOUT");
  EXPECT_EQ(status(kError | 22), "ICMP_ERROR");
  EXPECT_EQ(status(kError | 23), "TFTP_ERROR");
  EXPECT_EQ(status(kError | 31), "END_OF_FILE");
  EXPECT_EQ(status(kError | 35), "HTTP_ERROR");
  EXPECT_EQ(status(kError | 100), "NETWORK_UNREACHABLE");
  EXPECT_EQ(status(kError | 103), "PORT_UNREACHABLE");  // OVMF's UdpRead after an ICMP error
  EXPECT_EQ(status(kError | 106), "CONNECTION_REFUSED");
  EXPECT_EQ(status(4), "WARN_BUFFER_TOO_SMALL");
  EXPECT_EQ(status(7), "WARN_RESET_REQUIRED");
}

TEST(PxebcText, ShowsTheNumberOfACodeItDoesNotKnow) {
  EXPECT_EQ(status(kError | 29), "ERROR_29");  // reserved
  EXPECT_EQ(status(kError | 36), "ERROR_36");
  EXPECT_EQ(status(kError | 99), "ERROR_99");
  EXPECT_EQ(status(kError | 107), "ERROR_107");
  EXPECT_EQ(status(kError), "ERROR_0");
  EXPECT_EQ(status(8), "WARN_8");
  EXPECT_EQ(status(~kError), "WARN_9223372036854775807");
  EXPECT_EQ(status(~uint64_t{0}), "ERROR_9223372036854775807");
}

TEST(PxebcText, NamesIpFilterBits) {
  EXPECT_EQ(filters(0), "none");
  EXPECT_EQ(filters(0x01), "STATION_IP");
  EXPECT_EQ(filters(0x03), "STATION_IP|BROADCAST");
  EXPECT_EQ(filters(0x0c), "PROMISCUOUS|PROMISCUOUS_MULTICAST");
  EXPECT_EQ(filters(0x31), "STATION_IP|0x30");
  EXPECT_EQ(filters(0x80), "0x80");
}

TEST(PxebcText, IpFiltersTruncateButReportTheFullLength) {
  char out[8];
  size_t n = format_ip_filters(0x0f, out, sizeof(out));
  EXPECT_EQ(n, std::string("STATION_IP|BROADCAST|PROMISCUOUS|PROMISCUOUS_MULTICAST").size());
  EXPECT_EQ(std::string(out), "STATION");
  EXPECT_EQ(format_ip_filters(0x01, nullptr, 0), 10u);
}

}  // namespace
}  // namespace mpsh
