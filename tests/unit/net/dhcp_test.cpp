#include "net/wire/dhcp.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "frames.h"
#include "net/wire/dhcp_options.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::str;
using test::text;
using test::to_buffer;
using test::view;

const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const uint8_t kUuidOption[] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

Buffer discover() { return to_buffer(test::udp_payload_of(frame(frames::kDhcpDiscover))); }
Buffer offer() { return to_buffer(test::udp_payload_of(frame(frames::kDhcpOffer))); }

DhcpPacket packet_of(const Buffer& bytes) { return DhcpPacket::check(view(bytes)).value(); }

std::vector<std::pair<int, std::string>> all_options(const DhcpPacket& packet) {
  std::vector<std::pair<int, std::string>> out;
  DhcpOptionIterator it(packet);
  DhcpOption option;
  while (it.next(option)) out.emplace_back(option.code, str(option.value));
  EXPECT_FALSE(it.error().is_error());
  return out;
}

TEST(Dhcp, ParsesTheCapturedDiscover) {
  Buffer bytes = discover();
  DhcpPacket p = packet_of(bytes);
  EXPECT_EQ(p.op(), 1);
  EXPECT_EQ(p.xid(), 0x1ec7a1d0u);
  EXPECT_EQ(p.secs(), 4);
  EXPECT_TRUE(p.broadcast());
  EXPECT_EQ(p.client_mac(), kClientMac);
  EXPECT_EQ(p.chaddr().size(), 6u);

  auto params = DhcpParams::parse(p);
  ASSERT_TRUE(params);
  const DhcpParams& d = params.value();
  EXPECT_EQ(d.message_type, static_cast<uint8_t>(DhcpMessageType::Discover));
  EXPECT_EQ(d.max_message_size, 1472);
  ASSERT_TRUE(d.has_client_arch);
  EXPECT_EQ(d.client_arch, pxe_arch::kEfiBc);
  EXPECT_EQ(to_buffer(d.client_ndi), (Buffer{1, 3, 0}));
  EXPECT_EQ(to_buffer(d.client_uuid), to_buffer(Bytes(kUuidOption)));
  EXPECT_EQ(str(d.vendor_class), "PXEClient:Arch:00007:UNDI:003000");
  EXPECT_EQ(to_buffer(d.parameter_requests), (Buffer{1, 2, 3, 5, 6, 12, 13, 43, 60}));
  EXPECT_EQ(dhcp_message_type(p).value(), DhcpMessageType::Discover);
  EXPECT_FAILS(dhcp_boot_file(p), Layer::Dhcp, Errc::NotFound);
}

TEST(Dhcp, ParsesTheOfferDnsmasqSentWithPxeOptions) {
  Buffer bytes = offer();
  DhcpPacket p = packet_of(bytes);
  EXPECT_EQ(p.op(), 2);
  EXPECT_EQ(p.xid(), 0x1ec7a1d0u);
  EXPECT_EQ(p.yiaddr(), Ipv4Address::of(10, 77, 0, 111));
  EXPECT_EQ(p.siaddr(), Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(p.client_mac(), kClientMac);
  EXPECT_EQ(str(dhcp_boot_file(p).value()), "bootx64.efi");
  EXPECT_FAILS(dhcp_server_name(p), Layer::Dhcp, Errc::NotFound);

  auto params = DhcpParams::parse(p);
  ASSERT_TRUE(params);
  const DhcpParams& d = params.value();
  EXPECT_EQ(d.message_type, static_cast<uint8_t>(DhcpMessageType::Offer));
  EXPECT_EQ(d.server_id, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(d.lease_time, 12u * 3600);
  EXPECT_EQ(d.renewal_time, 6u * 3600);
  EXPECT_EQ(d.rebinding_time, 10u * 3600 + 30 * 60);
  EXPECT_EQ(d.subnet_mask, Ipv4Address::of(255, 255, 255, 0));
  EXPECT_EQ(d.broadcast_address, Ipv4Address::of(10, 77, 0, 255));
  EXPECT_EQ(d.router, Ipv4Address::of(10, 77, 0, 1));
  ASSERT_EQ(d.dns_server_count, 1);
  EXPECT_EQ(d.dns_servers[0], Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(str(d.vendor_class), "PXEClient");
  EXPECT_EQ(to_buffer(d.client_uuid), to_buffer(Bytes(kUuidOption)));
  EXPECT_EQ(d.overload, 0);

  // Option 43 holds PXE sub-options: discovery control 8 (use the boot file in
  // this offer, no discovery), and the menu prompt: 5 seconds, "mpxe".
  DhcpOptionReader sub(d.vendor_specific);
  DhcpOption option;
  ASSERT_TRUE(sub.next(option));
  EXPECT_EQ(option.code, pxe_option::kDiscoveryControl);
  EXPECT_EQ(to_buffer(option.value), (Buffer{8}));
  ASSERT_TRUE(sub.next(option));
  EXPECT_EQ(option.code, pxe_option::kMenuPrompt);
  EXPECT_EQ(option.value[0], 5);
  EXPECT_EQ(str(option.value.subspan(1)), "mpxe");
  EXPECT_FALSE(sub.next(option));
  EXPECT_FALSE(sub.error().is_error());
}

TEST(Dhcp, RoundTripsToTheSameBytes) {
  for (const Buffer& bytes : {discover(), offer()}) {
    auto repr = DhcpRepr::parse(packet_of(bytes));
    ASSERT_TRUE(repr);
    Buffer out(repr.value().buffer_len());
    ASSERT_TRUE(repr.value().emit(mut(out)));
    EXPECT_EQ(out, bytes);
  }
}

// The client side of PXE: build the discover from fields and options, and get
// byte for byte what was captured.
TEST(Dhcp, BuildsTheDiscoverWithTheOptionWriter) {
  uint8_t options[312];
  DhcpOptionWriter w{MutableBytes(options)};
  ASSERT_TRUE(w.put_message_type(DhcpMessageType::Discover));
  ASSERT_TRUE(w.put_u16(dhcp_option::kMaxMessageSize, 1472));
  const uint8_t requests[] = {1, 2, 3, 5, 6, 12, 13, 43, 60};
  ASSERT_TRUE(w.put(dhcp_option::kParameterRequestList, Bytes(requests)));
  ASSERT_TRUE(w.put_u16(dhcp_option::kClientArch, pxe_arch::kEfiBc));
  const uint8_t ndi[] = {1, 3, 0};
  ASSERT_TRUE(w.put(dhcp_option::kClientNdi, Bytes(ndi)));
  ASSERT_TRUE(w.put(dhcp_option::kClientUuid, Bytes(kUuidOption)));
  ASSERT_TRUE(w.put(dhcp_option::kVendorClassId, text("PXEClient:Arch:00007:UNDI:003000")));
  ASSERT_TRUE(w.put_end());

  DhcpRepr repr;
  repr.op = BootpOp::Request;
  repr.xid = 0x1ec7a1d0;
  repr.secs = 4;
  repr.flags = DhcpPacket::kFlagBroadcast;
  repr.set_client_mac(kClientMac);
  repr.options = w.written();
  Buffer out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(mut(out)));
  EXPECT_EQ(out, discover());
}

TEST(Dhcp, BuildsAnOfferWithStringFields) {
  uint8_t options[64];
  DhcpOptionWriter w{MutableBytes(options)};
  ASSERT_TRUE(w.put_message_type(DhcpMessageType::Offer));
  ASSERT_TRUE(w.put_address(dhcp_option::kServerId, Ipv4Address::of(10, 0, 0, 1)));
  ASSERT_TRUE(w.put_u32(dhcp_option::kLeaseTime, 3600));
  ASSERT_TRUE(w.put_end());
  ASSERT_TRUE(w.pad_to(60));
  EXPECT_EQ(w.size(), 60u);

  DhcpRepr repr;
  repr.op = BootpOp::Reply;
  repr.yiaddr = Ipv4Address::of(10, 0, 0, 50);
  repr.sname = text("boot.example");
  repr.file = text("grubx64.efi");
  repr.options = w.written();
  Buffer out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(mut(out)));
  EXPECT_EQ(out.size(), 300u);  // the BOOTP minimum
  DhcpPacket p = packet_of(out);
  EXPECT_EQ(str(dhcp_boot_file(p).value()), "grubx64.efi");
  EXPECT_EQ(str(dhcp_server_name(p).value()), "boot.example");
  auto params = DhcpParams::parse(p).value();
  EXPECT_EQ(params.lease_time, 3600u);
  EXPECT_TRUE(params.has_server_id);
}

// An offer whose options spill into file and sname (RFC 2132 9.3 value 3).
Buffer overloaded_offer(uint8_t overload) {
  Buffer bytes = offer();
  Buffer out(bytes.begin(), bytes.begin() + DhcpPacket::kOptionsOffset);
  std::fill(out.begin() + DhcpPacket::kSnameOffset, out.begin() + DhcpPacket::kMagicOffset, 0);
  // options field: type, overload, server id, end.
  Buffer options = {53, 1, 2, 52, 1, overload, 54, 4, 10, 77, 0, 1, 255};
  // file: a boot file name option, then end.
  Buffer file = {67, 14};
  for (char c : std::string("overloaded.efi")) file.push_back(static_cast<uint8_t>(c));
  file.push_back(255);
  // sname: a TFTP server name option, then end.
  Buffer sname = {66, 4, 't', 'f', 't', 'p', 255};
  std::copy(file.begin(), file.end(), out.begin() + DhcpPacket::kFileOffset);
  std::copy(sname.begin(), sname.end(), out.begin() + DhcpPacket::kSnameOffset);
  out.insert(out.end(), options.begin(), options.end());
  return out;
}

TEST(Dhcp, ReadsOverloadedFileThenSname) {
  Buffer bytes = overloaded_offer(kDhcpOverloadBoth);
  DhcpPacket p = packet_of(bytes);
  auto options = all_options(p);
  ASSERT_EQ(options.size(), 5u);
  EXPECT_EQ(options[0].first, 53);
  EXPECT_EQ(options[1].first, 52);
  EXPECT_EQ(options[2].first, 54);
  EXPECT_EQ(options[3], (std::pair<int, std::string>{67, "overloaded.efi"}));
  EXPECT_EQ(options[4], (std::pair<int, std::string>{66, "tftp"}));
  EXPECT_EQ(str(dhcp_boot_file(p).value()), "overloaded.efi");
  EXPECT_FAILS(dhcp_server_name(p), Layer::Dhcp, Errc::NotFound);
  auto params = DhcpParams::parse(p).value();
  EXPECT_EQ(params.overload, kDhcpOverloadBoth);
  EXPECT_EQ(str(params.boot_file_name), "overloaded.efi");
  EXPECT_EQ(str(params.tftp_server_name), "tftp");
  EXPECT_EQ(str(dhcp_find_option(p, 66).value().value), "tftp");

  auto repr = DhcpRepr::parse(p);
  ASSERT_TRUE(repr);
  Buffer out(repr.value().buffer_len());
  ASSERT_TRUE(repr.value().emit(mut(out)));
  EXPECT_EQ(out, bytes);
}

TEST(Dhcp, ReadsOnlyTheFieldsTheOverloadNames) {
  Buffer file_only = overloaded_offer(kDhcpOverloadFile);
  auto options = all_options(packet_of(file_only));
  ASSERT_EQ(options.size(), 4u);
  EXPECT_EQ(options[3].first, 67);
  // sname is then a string again - here the bytes of an option, read as text.
  EXPECT_TRUE(dhcp_server_name(packet_of(file_only)));

  Buffer sname_only = overloaded_offer(kDhcpOverloadSname);
  options = all_options(packet_of(sname_only));
  ASSERT_EQ(options.size(), 4u);
  EXPECT_EQ(options[3].first, 66);
  EXPECT_FAILS(dhcp_server_name(packet_of(sname_only)), Layer::Dhcp, Errc::NotFound);
}

TEST(Dhcp, IgnoresAnOverloadOutsideTheOptionsField) {
  Buffer bytes = overloaded_offer(kDhcpOverloadFile);
  // Put an overload option asking for sname inside the file field.
  Buffer file = {52, 1, 2, 255};
  std::fill(bytes.begin() + DhcpPacket::kFileOffset, bytes.begin() + DhcpPacket::kMagicOffset, 0);
  std::copy(file.begin(), file.end(), bytes.begin() + DhcpPacket::kFileOffset);
  DhcpOptionIterator it(packet_of(bytes));
  DhcpOption option;
  int count = 0;
  while (it.next(option)) ++count;
  EXPECT_EQ(count, 4);
  EXPECT_EQ(it.overload(), kDhcpOverloadFile);
}

TEST(Dhcp, RejectsTruncatedAndForeignMessages) {
  Buffer bytes = offer();
  EXPECT_FAILS(DhcpPacket::check(view(bytes).first(239)), Layer::Dhcp, Errc::Truncated);
  EXPECT_TRUE(DhcpPacket::check(view(bytes).first(240)));  // no options at all

  Buffer cookie = bytes;
  cookie[DhcpPacket::kMagicOffset + 3] = 0x64;
  EXPECT_FAILS(DhcpPacket::check(view(cookie)), Layer::Dhcp, Errc::BadMagic);

  Buffer hlen = bytes;
  hlen[DhcpPacket::kHlenOffset] = 17;  // chaddr would run into sname
  EXPECT_FAILS(DhcpPacket::check(view(hlen)), Layer::Dhcp, Errc::BadLength);
  hlen[DhcpPacket::kHlenOffset] = 16;
  EXPECT_EQ(DhcpPacket::check(view(hlen)).value().chaddr().size(), 16u);
  EXPECT_TRUE(DhcpPacket::check(view(hlen)).value().client_mac().is_zero());

  Buffer op = bytes;
  op[0] = 3;
  EXPECT_FAILS(DhcpRepr::parse(packet_of(op)), Layer::Dhcp, Errc::BadOpcode);
}

TEST(Dhcp, RejectsOptionsThatRunPastTheirArea) {
  Buffer bytes = offer();
  // Cut inside the last option (43) and inside its length byte.
  size_t last = bytes.size() - 1;  // the end option
  Buffer cut(bytes.begin(), bytes.begin() + last - 3);
  EXPECT_FAILS(DhcpRepr::parse(packet_of(cut)), Layer::Dhcp, Errc::Truncated);
  EXPECT_FAILS(dhcp_find_option(packet_of(cut), 200), Layer::Dhcp, Errc::Truncated);
  EXPECT_FAILS(DhcpParams::parse(packet_of(cut)), Layer::Dhcp, Errc::Truncated);

  Buffer code_only(bytes.begin(), bytes.begin() + 241);  // first option's code, no length
  EXPECT_FAILS(DhcpRepr::parse(packet_of(code_only)), Layer::Dhcp, Errc::Truncated);

  // Without its end option, an options area that stops on a boundary is fine.
  Buffer no_end(bytes.begin(), bytes.begin() + last);
  EXPECT_TRUE(DhcpRepr::parse(packet_of(no_end)));

  // A bad option inside an overloaded file field is found too.
  Buffer over = overloaded_offer(kDhcpOverloadFile);
  over[DhcpPacket::kFileOffset + 1] = 200;  // option 67's length runs off the field
  EXPECT_FAILS(DhcpRepr::parse(packet_of(over)), Layer::Dhcp, Errc::Truncated);
  // Option 43's sub-options are checked when read.
  const uint8_t sub[] = {6, 1, 8, 10, 9, 5};
  DhcpOptionReader reader{Bytes(sub)};
  DhcpOption option;
  EXPECT_TRUE(reader.next(option));
  EXPECT_FALSE(reader.next(option));
  EXPECT_EQ(reader.error(), Error(Layer::Dhcp, Errc::Truncated));
  EXPECT_FALSE(reader.next(option));  // and it stays stopped
}

TEST(Dhcp, RejectsOptionsThatBreakTheirDefinition) {
  auto with_option = [](Buffer option) {
    Buffer bytes = offer();
    bytes.resize(DhcpPacket::kOptionsOffset);
    bytes.insert(bytes.end(), option.begin(), option.end());
    bytes.push_back(255);
    return bytes;
  };
  for (Buffer bad : {Buffer{52, 1, 0}, Buffer{52, 1, 4}, Buffer{52, 2, 1, 1}, Buffer{52, 0}}) {
    Buffer bytes = with_option(bad);
    EXPECT_FAILS(DhcpRepr::parse(packet_of(bytes)), Layer::Dhcp, Errc::BadOption);
  }
  for (Buffer bad : {Buffer{53, 1, 0}, Buffer{53, 1, 9}, Buffer{53, 2, 1, 1}, Buffer{54, 3, 1, 2, 3},
                     Buffer{1, 5, 1, 2, 3, 4, 5}, Buffer{3, 6, 1, 2, 3, 4, 5, 6}, Buffer{3, 0},
                     Buffer{6, 2, 1, 2}, Buffer{51, 2, 0, 1}, Buffer{57, 2, 0x01, 0xF4},
                     Buffer{57, 1, 1}, Buffer{93, 3, 0, 7, 0}, Buffer{93, 0}, Buffer{94, 2, 1, 3},
                     Buffer{97, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}) {
    Buffer bytes = with_option(bad);
    EXPECT_FAILS(DhcpParams::parse(packet_of(bytes)), Layer::Dhcp, Errc::BadOption)
        << int{bad[0]};
    // The message itself is well formed: only the typed reading refuses it.
    EXPECT_TRUE(DhcpRepr::parse(packet_of(bytes)));
  }
  Buffer bad_type = with_option({53, 1, 9});
  EXPECT_FAILS(dhcp_message_type(packet_of(bad_type)), Layer::Dhcp, Errc::BadOption);
  // The first instance of an option counts; a later, broken one is not read.
  Buffer twice = with_option({54, 4, 10, 0, 0, 1, 54, 3, 1, 2, 3});
  EXPECT_EQ(DhcpParams::parse(packet_of(twice)).value().server_id, Ipv4Address::of(10, 0, 0, 1));
  // Several DNS servers, more than are kept.
  Buffer dns = with_option({6, 16, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4});
  auto params = DhcpParams::parse(packet_of(dns)).value();
  EXPECT_EQ(params.dns_server_count, 3);
  EXPECT_EQ(params.dns_servers[2], Ipv4Address::of(3, 3, 3, 3));
}

TEST(Dhcp, OptionWriterRefusesWhatDoesNotFit) {
  uint8_t small[8];
  DhcpOptionWriter w{MutableBytes(small)};
  ASSERT_TRUE(w.put_u32(dhcp_option::kLeaseTime, 1));
  EXPECT_FAILS(w.put_u16(dhcp_option::kMaxMessageSize, 1500), Layer::Dhcp, Errc::NoSpace);
  EXPECT_EQ(w.size(), 6u);  // the failed put left nothing behind
  EXPECT_FAILS(w.put(dhcp_option::kPad, Bytes()), Layer::Dhcp, Errc::BadOption);
  EXPECT_FAILS(w.put(dhcp_option::kEnd, Bytes()), Layer::Dhcp, Errc::BadOption);
  ASSERT_TRUE(w.put_end());
  ASSERT_TRUE(w.pad_to(8));
  EXPECT_FAILS(w.put_end(), Layer::Dhcp, Errc::NoSpace);
  EXPECT_FAILS(w.pad_to(9), Layer::Dhcp, Errc::NoSpace);

  uint8_t big[300];
  uint8_t value[256] = {};
  DhcpOptionWriter w2{MutableBytes(big)};
  EXPECT_FAILS(w2.put(dhcp_option::kVendorSpecific, Bytes(value)), Layer::Dhcp, Errc::BadOption);
  EXPECT_TRUE(w2.put(dhcp_option::kVendorSpecific, Bytes(value, 255)));
}

TEST(Dhcp, EmitChecksItsFields) {
  DhcpRepr repr;
  Buffer small(239);
  EXPECT_FAILS(repr.emit(mut(small)), Layer::Dhcp, Errc::NoSpace);
  Buffer out(240);
  uint8_t long_name[65] = {};
  repr.sname = Bytes(long_name);
  EXPECT_FAILS(repr.emit(mut(out)), Layer::Dhcp, Errc::BadLength);
  repr.sname = Bytes();
  repr.hlen = 17;
  EXPECT_FAILS(repr.emit(mut(out)), Layer::Dhcp, Errc::BadLength);
}

}  // namespace
}  // namespace mpxe::net
