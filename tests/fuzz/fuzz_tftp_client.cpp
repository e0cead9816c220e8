// The TFTP client state machine fed arbitrary datagrams in each of its states.
//
// Input: byte 0 picks the state to drive the client into with well-formed server
// packets (low 3 bits: Idle, Requesting, Receiving lock-step, Receiving with a
// window of 4, Closing, Complete by size-only, Failed, Receiving without an
// OACK) and request variants (bit 3: ask timeout 1; bit 4: ask windowsize 1 only;
// bit 5: no reorder store, else one of 3 blocks, so that blocks after a gap are
// held, freed, duplicated and refused for want of room).
// Then records [ctl][u16 len, big-endian][len bytes], each one datagram:
//   ctl bits 0-1  source: the server's transfer ID, the server's port 69, another
//                 port of the server, another host
//   ctl bit 2     patched: made a DATA whose block is near the one expected
//                 (expected - 2 ... expected + 5), so the window logic is reached
//   ctl bit 3     poll after it
//   ctl bits 4-7  time advance before it: 0, 1, 2, 5, 10, 19, 20, 21, 50, 100,
//                 250, 1000, 2000, 3000, 4000, 10000 ms
// Afterwards the client is run to the end of its timers.
//
// Invariants: no crash or sanitizer report; failure() is set exactly in Failed;
// a deadline exists exactly while something is pending and lies ahead after
// poll(); the sink sees contiguous offsets and exactly the bytes the stats count,
// never more than a block size per block; every datagram sent is a well-formed
// TFTP packet of at most 512 bytes, to the server, or an ERROR 5 to an intruder;
// the server's text is NUL-terminated, bounded and printable, and so are the
// failure line and the drop summary (and they fit their buffer); a bad OACK is
// always named; and whatever it was fed, the machine finishes within its give-up
// time plus the linger.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/tftp_client.h"
#include "net/wire/tftp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

constexpr Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 1);
constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
constexpr Ipv4Address kOther = Ipv4Address::of(10, 77, 0, 9);
constexpr uint16_t kClientPort = 49152;
constexpr uint16_t kTid = 50123;

class CheckingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    FUZZ_CHECK(payload.size() <= TftpClient::kMaxRequestLen);
    FUZZ_CHECK(meta.src == kClient && meta.src_port == kClientPort);
    auto packet = TftpPacket::check(payload);
    FUZZ_CHECK(packet.ok());
    auto repr = TftpRepr::parse(packet.value());
    FUZZ_CHECK(repr.ok());
    TftpOpcode op = repr.value().opcode;
    FUZZ_CHECK(op == TftpOpcode::Rrq || op == TftpOpcode::Ack || op == TftpOpcode::Error);
    if (op == TftpOpcode::Rrq) {
      FUZZ_CHECK(meta.dst == kServer && meta.dst_port == kTftpServerPort);
    } else if (op == TftpOpcode::Ack ||
               repr.value().error_code != static_cast<uint16_t>(TftpErrorCode::UnknownTransferId)) {
      // ACKs and our own ERRORs go to the transfer, once its ID is known.
      FUZZ_CHECK(meta.dst == kServer && meta.dst_port == client->server_tid());
    }
    ++sent;
    return {};
  }
  const TftpClient* client = nullptr;
  uint64_t sent = 0;
};

class CheckingSink final : public TftpSink {
 public:
  Result<void> on_size(uint64_t) override {
    ++sizes;
    return {};
  }
  Result<void> on_data(uint64_t offset, Bytes data) override {
    FUZZ_CHECK(offset == bytes);
    FUZZ_CHECK(data.size() <= TftpOptions::kMaxBlockSize);
    bytes += data.size();
    return {};
  }
  uint64_t bytes = 0;
  int sizes = 0;
};

std::vector<uint8_t> packet(std::initializer_list<uint8_t> head, const std::string& tail = "") {
  std::vector<uint8_t> out(head);
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}
std::vector<uint8_t> data_block(uint16_t block, size_t len) {
  std::vector<uint8_t> out = {0, 3, static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block)};
  out.resize(4 + len, 0x5A);
  return out;
}

void feed(TftpClient& client, Ipv4Address src, uint16_t port, const std::vector<uint8_t>& bytes,
          Millis now, CheckingSender& tx) {
  UdpMeta meta;
  meta.src = src;
  meta.dst = kClient;
  meta.src_port = port;
  meta.dst_port = kClientPort;
  client.on_datagram(meta, Bytes(bytes.data(), bytes.size()), now, tx);
}

// NUL-terminated within `max` characters, all printable.
void check_text(const char* text, size_t max) {
  size_t n = 0;
  while (text[n] != '\0') {
    FUZZ_CHECK(n < max);
    FUZZ_CHECK(text[n] >= 0x20 && text[n] < 0x7F);
    ++n;
  }
}

void check_invariants(const TftpClient& client, const CheckingSink& sink, Millis now,
                      bool polled) {
  using State = TftpClient::State;
  State state = client.state();
  FUZZ_CHECK(static_cast<uint8_t>(state) <= static_cast<uint8_t>(State::Failed));
  FUZZ_CHECK((state == State::Failed) == (client.failure() != TftpFailure::None));
  FUZZ_CHECK((state == State::Failed) == client.error().is_error());
  bool pending = state == State::Requesting || state == State::Receiving || state == State::Closing;
  FUZZ_CHECK(pending == (client.next_deadline() != kNever));
  if (pending && polled) FUZZ_CHECK(client.next_deadline() > now);
  const TftpStats& stats = client.stats();
  FUZZ_CHECK(stats.bytes == sink.bytes);
  FUZZ_CHECK(stats.bytes <= stats.blocks * client.blksize());
  FUZZ_CHECK(client.blksize() >= TftpOptions::kMinBlockSize);
  FUZZ_CHECK(client.windowsize() >= 1);
  FUZZ_CHECK(sink.sizes <= 1);
  // A block dropped for want of room always answers its gap.
  FUZZ_CHECK(stats.out_of_order == 0 || stats.gap_acks != 0);
  check_text(client.remote_text(), TftpClient::kMaxRemoteText);
  check_text(client.oack_option(), TftpClient::kMaxOackText);
  check_text(client.oack_value(), TftpClient::kMaxOackText);
  if (client.failure() == TftpFailure::BadOack)
    FUZZ_CHECK(client.oack_fault() != TftpOackFault::None);
  char line[96];
  size_t full = tftp_failure_format(client, line, sizeof line);
  FUZZ_CHECK((full != 0) == (state == State::Failed));
  check_text(line, sizeof line - 1);
  full = tftp_drop_summary(stats, line, sizeof line);
  check_text(line, sizeof line - 1);
  uint64_t drops = stats.duplicates + stats.out_of_order + stats.malformed + stats.intruders;
  FUZZ_CHECK((full != 0) == (drops != 0));
}

constexpr Millis kAdvance[16] = {0, 1, 2, 5, 10, 19, 20, 21, 50, 100, 250, 1000, 2000, 3000,
                                 4000, 10000};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t target = data[0] & 7;
  CheckingSender tx;
  CheckingSink sink;
  TftpClient client;
  tx.client = &client;
  TftpRequest request;
  request.server = kServer;
  request.client = kClient;
  request.client_port = kClientPort;
  request.filename = bytes_of("fuzz.efi");
  request.sink = &sink;
  request.blksize = 16;  // small blocks: the fuzzer can write whole ones
  request.windowsize = (data[0] & 0x10) ? 1 : 4;
  request.timeout_s = (data[0] & 0x08) ? 1 : 0;
  request.size_only = target == 5;
  // Exactly 3 blocks: a write past its end is a sanitizer report.
  std::vector<uint8_t> store(3 * 16);
  if (!(data[0] & 0x20)) request.reorder_store = MutableBytes(store.data(), store.size());

  // Drive the client into the state under test with well-formed packets.
  Millis now = 0;
  if (target != 0) FUZZ_CHECK(client.start(request, now, tx).ok());
  std::string timeout = request.timeout_s ? std::string("timeout\0" "1\0", 10) : std::string();
  switch (target) {
    case 2:
    case 4:
      feed(client, kServer, kTid, packet({0, 6}, std::string("blksize\0" "16\0tsize\0" "19\0", 20) + timeout),
           ++now, tx);
      feed(client, kServer, kTid, data_block(1, 16), ++now, tx);
      if (target == 4) feed(client, kServer, kTid, data_block(2, 3), ++now, tx);
      break;
    case 3:
      feed(client, kServer, kTid,
           packet({0, 6}, std::string("blksize\0" "16\0windowsize\0" "4\0", 23) + timeout), ++now,
           tx);
      for (uint16_t b = 1; b <= 5; ++b) feed(client, kServer, kTid, data_block(b, 16), ++now, tx);
      break;
    case 5:
      feed(client, kServer, kTid, packet({0, 6}, std::string("tsize\0" "77\0", 9)), ++now, tx);
      break;
    case 6:
      feed(client, kServer, kTid, packet({0, 5, 0, 1}, std::string("File not found\0", 15)), ++now,
           tx);
      break;
    case 7:
      feed(client, kServer, kTid, data_block(1, 512), ++now, tx);
      break;
    default:
      break;
  }
  check_invariants(client, sink, now, false);

  uint64_t last_blocks = client.stats().blocks;
  size_t pos = 1;
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = load_be16(data + pos + 1);
    pos += 3;
    if (len > size - pos) len = size - pos;
    std::vector<uint8_t> bytes(data + pos, data + pos + len);
    pos += len;

    now += kAdvance[ctl >> 4];
    if ((ctl & 4) && bytes.size() >= 4) {
      uint16_t expected = static_cast<uint16_t>(client.stats().blocks + 1);
      uint16_t block = static_cast<uint16_t>(expected + (bytes[2] & 7) - 2);
      bytes[0] = 0;
      bytes[1] = 3;
      bytes[2] = static_cast<uint8_t>(block >> 8);
      bytes[3] = static_cast<uint8_t>(block);
    }
    switch (ctl & 3) {
      case 0: feed(client, kServer, kTid, bytes, now, tx); break;
      case 1: feed(client, kServer, kTftpServerPort, bytes, now, tx); break;
      case 2: feed(client, kServer, kTid + 1, bytes, now, tx); break;
      default: feed(client, kOther, kTid, bytes, now, tx); break;
    }
    check_invariants(client, sink, now, false);
    if (ctl & 8) {
      client.poll(now, tx);
      check_invariants(client, sink, now, true);
    }
    FUZZ_CHECK(client.stats().blocks >= last_blocks);
    last_blocks = client.stats().blocks;
  }

  // Whatever it was fed, the machine finishes: nothing moves for at most the
  // give-up time (19 s by default; the schedule overshoots it by one interval
  // at most), then the linger.
  Millis start = now;
  for (int i = 0; i < 1000 && !client.finished() && client.state() != TftpClient::State::Idle;
       ++i) {
    Millis d = client.next_deadline();
    FUZZ_CHECK(d != kNever);
    if (d < now) d = now;
    now = d;
    client.poll(now, tx);
    check_invariants(client, sink, now, true);
  }
  FUZZ_CHECK(client.finished() || client.state() == TftpClient::State::Idle);
  FUZZ_CHECK(now - start <= 19000 + 4000 + request.linger_ms);
  return 0;
}
