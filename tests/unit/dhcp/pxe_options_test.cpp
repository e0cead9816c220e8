// Option 43's PXE sub-options (PXE 2.1 2.4): blobs laid out as the spec's tables
// give them (and as ISC dhcpd's `vendor-encapsulated-options` writes them), and
// malformed ones rejected with a reason.
#include "net/wire/pxe_options.h"

#include "dhcp_test_util.h"

namespace mpxe::net::test {
namespace {

// 6: control 0x07; 7: 239.0.0.5; 8: type 0x8001 with 10.0.0.5 and 10.0.0.6, type 0x0003
// with 10.0.0.7; 9: "Install" 0x8001, "Local" 0, "Rescue" 0x0003; 10: 5 s "Press F8";
// 1-5 (MTFTP) and an unknown 200 that must be skipped; 255.
const uint8_t kIscBlob[] = {
    1, 4, 224, 1, 1, 1,  2, 2, 0x04, 0xD2,  3, 2, 0x04, 0xD3,  4, 1, 1,  5, 1, 10,
    6, 1, 0x07,
    7, 4, 239, 0, 0, 5,
    8, 18, 0x80, 0x01, 2, 10, 0, 0, 5, 10, 0, 0, 6, 0x00, 0x03, 1, 10, 0, 0, 7,
    9, 27, 0x80, 0x01, 7, 'I', 'n', 's', 't', 'a', 'l', 'l', 0x00, 0x00, 5, 'L', 'o', 'c', 'a',
    'l', 0x00, 0x03, 6, 'R', 'e', 's', 'c', 'u', 'e',
    10, 9, 5, 'P', 'r', 'e', 's', 's', ' ', 'F', '8',
    200, 2, 0xAA, 0xBB,
    255};

TEST(PxeVendorOptions, ParsesEverySubOptionOfASpecBlob) {
  auto parsed = PxeVendorOptions::parse(Bytes(kIscBlob));
  ASSERT_TRUE(parsed.ok()) << parsed.error().code();
  const PxeVendorOptions& o = parsed.value();
  EXPECT_TRUE(o.has_control());
  EXPECT_EQ(o.control(), 0x07);
  EXPECT_TRUE(o.has_multicast());
  EXPECT_EQ(str(o.multicast()), "239.0.0.5");

  ASSERT_EQ(o.server_entry_count(), 2u);
  PxeBootServerEntry first = o.server_entry(0);
  EXPECT_EQ(first.type, 0x8001);
  ASSERT_EQ(first.count(), 2u);
  EXPECT_EQ(str(first.address(0)), "10.0.0.5");
  EXPECT_EQ(str(first.address(1)), "10.0.0.6");
  EXPECT_EQ(o.server_entry(1).type, 3);
  EXPECT_EQ(str(o.server_entry(1).address(0)), "10.0.0.7");

  ASSERT_EQ(o.menu_count(), 3u);
  EXPECT_EQ(o.menu_item(0).type, 0x8001);
  EXPECT_EQ(str(o.menu_item(0).description), "Install");
  EXPECT_EQ(o.menu_item(1).type, kPxeLocalBoot);
  EXPECT_EQ(str(o.menu_item(1).description), "Local");
  EXPECT_EQ(str(o.menu_item(2).description), "Rescue");

  EXPECT_TRUE(o.has_prompt());
  EXPECT_EQ(o.prompt_timeout(), 5);
  EXPECT_EQ(str(o.prompt_text()), "Press F8");
  EXPECT_FALSE(o.has_boot_item());
}

TEST(PxeVendorOptions, AnEmptyOptionHasNothing) {
  auto parsed = PxeVendorOptions::parse(Bytes());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed.value().has_menu());
  EXPECT_FALSE(parsed.value().has_servers());
  EXPECT_FALSE(parsed.value().wants_discovery(false));
  EXPECT_EQ(parsed.value().choose(0).error(), Error(Layer::Dhcp, Errc::NotFound));
}

TEST(PxeVendorOptions, BootItemOfAReply) {
  const uint8_t reply[] = {71, 4, 0x80, 0x01, 0x00, 0x02, 255};
  auto parsed = PxeVendorOptions::parse(Bytes(reply));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed.value().has_boot_item());
  EXPECT_EQ(parsed.value().boot_item_type(), 0x8001);
  EXPECT_EQ(parsed.value().boot_item_layer(), 2);
}

struct Malformed {
  const char* what;
  Buffer blob;
  Errc reason;
};

TEST(PxeVendorOptions, MalformedBlobsAreRejectedWithAReason) {
  const Malformed cases[] = {
      {"sub-option runs past the option", {9, 10, 0x80, 0x01, 3, 'a', 'b'}, Errc::Truncated},
      {"length byte missing", {6}, Errc::Truncated},
      {"menu item longer than the menu", {9, 5, 0x80, 0x01, 7, 'a', 'b', 255}, Errc::BadLength},
      {"menu item header cut", {9, 2, 0x80, 0x01, 255}, Errc::BadLength},
      {"server count past the list", {8, 7, 0x80, 0x01, 2, 10, 0, 0, 5, 255}, Errc::BadLength},
      {"control of two bytes", {6, 2, 0, 0, 255}, Errc::BadOption},
      {"multicast address of 3 bytes", {7, 3, 239, 0, 0, 255}, Errc::BadOption},
      {"empty prompt", {10, 0, 255}, Errc::BadOption},
      {"boot item of 3 bytes", {71, 3, 0, 1, 0, 255}, Errc::BadOption},
  };
  for (const Malformed& c : cases) {
    auto parsed = PxeVendorOptions::parse(view(c.blob));
    ASSERT_FALSE(parsed.ok()) << c.what;
    EXPECT_EQ(parsed.error(), Error(Layer::Dhcp, c.reason)) << c.what;
  }
}

TEST(PxeVendorOptions, ChoosesTheFirstItemThatIsNotLocalBoot) {
  const uint8_t local_first[] = {9, 14, 0, 0, 5, 'L', 'o', 'c', 'a', 'l', 0x80, 0x02, 3, 'n', 'e', 't', 255};
  auto o = PxeVendorOptions::parse(Bytes(local_first)).value();
  auto item = o.choose(0);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item.value().type, 0x8002);
  EXPECT_EQ(str(item.value().description), "net");
}

TEST(PxeVendorOptions, APinnedItemWinsEvenLocalBoot) {
  auto o = PxeVendorOptions::parse(Bytes(kIscBlob)).value();
  EXPECT_EQ(o.choose(3).value().type, 3);
  EXPECT_EQ(o.choose(2).value().type, kPxeLocalBoot);
  EXPECT_EQ(o.choose(4).error(), Error(Layer::Dhcp, Errc::BadValue));
}

TEST(PxeVendorOptions, OnlyLocalBootLeavesNothingToBoot) {
  const uint8_t only_local[] = {9, 8, 0, 0, 5, 'L', 'o', 'c', 'a', 'l', 255};
  auto o = PxeVendorOptions::parse(Bytes(only_local)).value();
  EXPECT_EQ(o.choose(0).error(), Error(Layer::Dhcp, Errc::NotFound));
}

TEST(PxeVendorOptions, ServersWithoutAMenuStandForTheItem) {
  const uint8_t servers[] = {8, 7, 0x00, 0x07, 1, 10, 0, 0, 9, 255};
  auto o = PxeVendorOptions::parse(Bytes(servers)).value();
  EXPECT_TRUE(o.wants_discovery(false));
  EXPECT_EQ(o.choose(0).value().type, 7);
}

TEST(PxeVendorOptions, ControlBit3WithAFileMeansNoDiscovery) {
  const uint8_t menu_bit3[] = {6, 1, 0x08, 9, 6, 0x80, 0x01, 3, 'n', 'e', 't', 255};
  auto o = PxeVendorOptions::parse(Bytes(menu_bit3)).value();
  EXPECT_FALSE(o.wants_discovery(true));
  EXPECT_TRUE(o.wants_discovery(false));
}

TEST(PxeVendorOptions, EmitsTheBootItemAsTheSpecLaysItOut) {
  uint8_t out[kPxeBootItemOptionLen];
  ASSERT_EQ(pxe_emit_boot_item(0x8001, 0x0002, MutableBytes(out)), kPxeBootItemOptionLen);
  EXPECT_EQ(buf(out), (Buffer{71, 4, 0x80, 0x01, 0x00, 0x02, 255}));
  uint8_t small[6];
  EXPECT_EQ(pxe_emit_boot_item(1, 0, MutableBytes(small)), 0u);
}

}  // namespace
}  // namespace mpxe::net::test
