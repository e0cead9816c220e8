#include "net/error.h"

#include <gtest/gtest.h>

#include <string>

#include "net/result.h"

namespace mpxe::net {
namespace {

TEST(Error, PacksLayerAndReasonInOneSmallInteger) {
  Error e(Layer::Ipv4, Errc::BadChecksum);
  EXPECT_EQ(e.layer(), Layer::Ipv4);
  EXPECT_EQ(e.reason(), Errc::BadChecksum);
  EXPECT_EQ(e.code(), 0x0503);
  EXPECT_TRUE(e.is_error());
  EXPECT_FALSE(Error().is_error());
  EXPECT_NE(Error(Layer::Udp, Errc::BadChecksum), e);
}

TEST(Error, FormatsLayerAndReason) {
  char text[64];
  size_t n = error_format(Error(Layer::Dns, Errc::BadPointer), text, sizeof text);
  EXPECT_EQ(std::string(text), "dns: bad compression pointer");
  EXPECT_EQ(n, std::string(text).size());
  // Truncates safely, still terminated.
  char small[5];
  error_format(Error(Layer::Dhcp, Errc::Truncated), small, sizeof small);
  EXPECT_EQ(std::string(small), "dhcp");
}

TEST(Error, EveryReasonAndLayerHasText) {
  for (int r = 0; r <= static_cast<int>(Errc::BadValue); ++r)
    EXPECT_NE(std::string(error_text(Error(Layer::Ipv4, static_cast<Errc>(r)))), "unknown error")
        << r;
  for (int l = 0; l <= static_cast<int>(Layer::Ndp); ++l)
    EXPECT_NE(std::string(error_layer_text(Error(static_cast<Layer>(l), Errc::Truncated))),
              "unknown layer")
        << l;
  EXPECT_EQ(std::string(error_text(Error(Layer::Ipv4, static_cast<Errc>(200)))), "unknown error");
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 42;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), 42);
  EXPECT_FALSE(ok.error().is_error());

  Result<int> bad = Error(Layer::Tftp, Errc::BadOpcode);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), Error(Layer::Tftp, Errc::BadOpcode));
}

TEST(Result, StatusIsOkByDefault) {
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad = Error(Layer::Buffer, Errc::NoSpace);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason(), Errc::NoSpace);
}

TEST(ResultDeathTest, ReadingTheValueOfAnErrorStops) {
  Result<int> bad = Error(Layer::Tftp, Errc::BadOpcode);
  EXPECT_DEATH((void)bad.value(), "");
}

}  // namespace
}  // namespace mpxe::net
