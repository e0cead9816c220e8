// Per-packet cost of the TFTP receive path: one DATA datagram through
// TftpClient::on_datagram() into a sink that copies it to memory, as the boot
// path writes an image into its buffer. The transfer never ends (every block is
// full), so block numbers roll over as they would in a large image.
//
//   tftp_rx_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// What is measured is the client's own work per block: the transfer-ID check, the
// TFTP header check, the window bookkeeping, the sink call and, once a window, the
// ACK built and handed to the sender (here one that only counts it). Build type
// matters: use the default preset (RelWithDebInfo) or -DCMAKE_BUILD_TYPE=Release.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "net/socket/tftp_client.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

constexpr Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 1);
constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
constexpr uint16_t kClientPort = 49152;
constexpr uint16_t kTid = 50123;

class CountingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta&, Bytes payload) override {
    ++sent;
    benchmark::DoNotOptimize(payload.data());
    return {};
  }
  uint64_t sent = 0;
};

// Copies each block into a 16 MiB image buffer, wrapping around; with copy off
// it only touches the view, which leaves the client's own cost.
class MemcpySink final : public TftpSink {
 public:
  explicit MemcpySink(bool copy) : copy_(copy), image_(16u << 20) {}
  Result<void> on_size(uint64_t) override { return {}; }
  Result<void> on_data(uint64_t offset, Bytes data) override {
    if (!copy_) {
      benchmark::DoNotOptimize(data.data());
      return {};
    }
    size_t at = static_cast<size_t>(offset % (image_.size() - 65536));
    std::memcpy(image_.data() + at, data.data(), data.size());
    return {};
  }

 private:
  bool copy_;
  std::vector<uint8_t> image_;
};

void BM_TftpRx(benchmark::State& state) {
  const uint16_t blksize = static_cast<uint16_t>(state.range(0));
  const uint16_t window = static_cast<uint16_t>(state.range(1));
  CountingSender tx;
  MemcpySink sink(state.range(2) != 0);
  TftpClient client;
  TftpRequest request;
  request.server = kServer;
  request.client = kClient;
  request.client_port = kClientPort;
  request.filename = bytes_of("bench.img");
  request.sink = &sink;
  request.blksize = blksize;
  request.windowsize = window;
  if (!client.start(request, 0, tx).ok()) {
    state.SkipWithError("start failed");
    return;
  }
  UdpMeta meta;
  meta.src = kServer;
  meta.dst = kClient;
  meta.src_port = kTid;
  meta.dst_port = kClientPort;
  std::string oack("\0\6blksize\0", 10);
  oack += std::to_string(blksize) + std::string("\0", 1);
  if (window > 1) oack += std::string("windowsize\0", 11) + std::to_string(window) + std::string("\0", 1);
  client.on_datagram(meta, Bytes(reinterpret_cast<const uint8_t*>(oack.data()), oack.size()), 1, tx);
  if (client.state() != TftpClient::State::Receiving || client.windowsize() != window) {
    state.SkipWithError("no OACK accepted");
    return;
  }

  // The "receive buffer": one DATA datagram whose block number is rewritten.
  std::vector<uint8_t> packet(4 + blksize, 0xA5);
  packet[0] = 0;
  packet[1] = 3;
  uint16_t block = 1;
  Millis now = 2;
  for (auto _ : state) {
    packet[2] = static_cast<uint8_t>(block >> 8);
    packet[3] = static_cast<uint8_t>(block);
    client.on_datagram(meta, Bytes(packet.data(), packet.size()), now, tx);
    ++block;
  }
  if (client.state() != TftpClient::State::Receiving ||
      client.stats().blocks != static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("the transfer did not take every block");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * blksize);
  state.counters["acks_per_block"] =
      benchmark::Counter(static_cast<double>(tx.sent - 2) / static_cast<double>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_TftpRx)
    ->ArgNames({"blksize", "window", "copy"})
    ->Args({1468, 1, 1})
    ->Args({1468, 16, 1})
    ->Args({512, 1, 1})
    ->Args({512, 16, 1})
    ->Args({1468, 1, 0})
    ->Args({1468, 16, 0});

BENCHMARK_MAIN();
