// mpxe-net tftp get FILE --server ADDRESS [--blksize N] [--windowsize N]
//                        [--out PATH] [--size-only] [--port N] [--linger SECONDS]
//                        [--min-rate BYTES] [--rate-window SECONDS]
//
// Fetches FILE with our TFTP client (src/net/socket/tftp_client.h) through our
// stack, hashing it as it arrives, and prints what a person comparing servers
// wants: the size, the time, the rate, the retransmissions and the SHA-256:
//
//   boot.efi: 1048576 bytes in 0.412 s, 2.54 MB/s (blksize 1468, windowsize 16)
//   blocks 715, retransmits 0, duplicates 0, out of order 0, acks 46, held 0, gap acks 0
//   sha256=<hex>
//
// A failure is one line naming the server and what it did wrong (bad OACK from
// 10.77.0.1: blksize 2048 granted, more than the 1468 asked), then the datagrams
// dropped, by reason, each with the sender of the first.
//
// ADDRESS is IPv4 (A.B.C.D, with --ip) or IPv6 (with --ipv6: from the address
// SLAAC gave, or the link-local one for a link-local server); over IPv6 the
// default blksize is 1448, what fits a 1500-byte MTU under the 40-byte header.
//
// The time runs from the RRQ to the last block delivered. With --size-only it
// asks tsize alone and refuses the transfer (what PXE's GET_FILE_SIZE does), and
// prints size=N. Exits 0 on success, 1 when the transfer failed.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "core/sha256.h"
#include "host/net/net_app.h"
#include "net/socket/tftp_client.h"
#include "net/wire/ip_address.h"

namespace mpxe::host {
namespace {

struct TftpGetOptions {
  std::string file;
  std::string server;
  uint16_t port = net::kTftpServerPort;
  unsigned blksize = net::kTftpClientBlockSize;
  bool blksize_given = false;
  unsigned windowsize = net::kTftpClientWindowSize;
  unsigned timeout = 0;  // the RFC 2349 option, seconds; 0: not asked
  std::string out;
  bool size_only = false;
  double linger = 3.0;
  unsigned min_rate = 512;  // bytes/s, 0: no rate rule
  double rate_window = 60;
};

// Hashes the file and, with --out, writes it; buffered, since the offsets only
// ever grow.
class HashingFileSink final : public net::TftpSink {
 public:
  ~HashingFileSink() {
    if (file_ != nullptr) fclose(file_);
  }
  bool open(const std::string& path) {
    file_ = fopen(path.c_str(), "wb");
    if (file_ == nullptr) return false;
    setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return true;
  }
  bool close() {
    bool ok = file_ == nullptr || (fflush(file_) == 0 && !ferror(file_));
    if (file_ != nullptr) fclose(file_);
    file_ = nullptr;
    return ok;
  }

  net::Result<void> on_size(uint64_t tsize) override {
    size = tsize;
    has_size = true;
    return {};
  }
  net::Result<void> on_data(uint64_t offset, Bytes data) override {
    if (offset != bytes) return net::Error(net::Layer::None, net::Errc::BadValue);
    sha.update(data.data(), data.size());
    if (file_ != nullptr && !data.empty() && fwrite(data.data(), 1, data.size(), file_) != data.size())
      return net::Error(net::Layer::None, net::Errc::NoSpace);
    bytes += data.size();
    return {};
  }

  Sha256 sha;
  uint64_t bytes = 0;
  uint64_t size = 0;
  bool has_size = false;

 private:
  FILE* file_ = nullptr;
};

void print_failure(const net::TftpClient& client, const TftpGetOptions& options) {
  char error[64];
  net::error_format(client.error(), error, sizeof error);
  fprintf(stderr, "mpxe-net tftp: %s: %s (%s)", options.file.c_str(),
          net::tftp_failure_text(client.failure()), error);
  if (client.failure() == net::TftpFailure::ServerError)
    fprintf(stderr, ": server error %u \"%s\"", client.remote_code(), client.remote_text());
  fprintf(stderr, "\n");
  char line[256];
  net::tftp_failure_format(client, line, sizeof line);
  fprintf(stderr, "mpxe-net tftp: %s\n", line);
}

void print_drops(const net::TftpClient& client, FILE* out) {
  char line[512];
  if (net::tftp_drop_summary(client.stats(), line, sizeof line) != 0)
    fprintf(out, "mpxe-net tftp: %s\n", line);
}

int run_tftp_get(NetApp& net, TftpGetOptions options) {
  auto server = net::IpAddress::parse(options.server.c_str());
  if (!server) {
    fprintf(stderr, "mpxe-net tftp: --server %s: expected A.B.C.D or an IPv6 address\n",
            options.server.c_str());
    return NetApp::kExitUsage;
  }
  const bool v6 = server.value().is_v6();
  if (v6 && !net.iface().ipv6_enabled()) {
    fprintf(stderr, "mpxe-net tftp: an IPv6 server needs --ipv6\n");
    return NetApp::kExitUsage;
  }
  if (!v6 && !net.iface().ipv4().configured()) {
    fprintf(stderr, "mpxe-net tftp: the stack has no address (give --ip)\n");
    return NetApp::kExitUsage;
  }
  if (v6 && !options.blksize_given) options.blksize = net::kTftpClientBlockSize6;
  HashingFileSink sink;
  if (!options.out.empty() && !sink.open(options.out)) {
    fprintf(stderr, "mpxe-net tftp: --out %s: cannot create\n", options.out.c_str());
    return NetApp::kExitUsage;
  }
  auto port = net.iface().allocate_port(net.random);
  if (!port) {
    fprintf(stderr, "mpxe-net tftp: no free local port\n");
    return NetApp::kExitFailed;
  }

  // Large (it holds its RRQ): on the heap, as the firmware keeps it in its session.
  auto client = std::make_unique<net::TftpClient>();
  net::TftpRequest request;
  request.server = server.value();
  request.server_port = options.port;
  // Over IPv6 the interface picks the source for each datagram (:: here).
  request.client = v6 ? net::IpAddress(net::Ipv6Address()) : net::IpAddress(net.iface().ipv4().address);
  request.client_port = port.value();
  request.filename = Bytes(reinterpret_cast<const uint8_t*>(options.file.data()), options.file.size());
  request.sink = &sink;
  request.blksize = static_cast<uint16_t>(options.blksize);
  request.windowsize = static_cast<uint16_t>(options.windowsize);
  request.timeout_s = static_cast<uint8_t>(options.timeout);
  request.size_only = options.size_only;
  // Room for a whole window of the largest block we ask, so that a block the
  // network moves ahead of its neighbour waits instead of being sent again.
  std::vector<uint8_t> reorder_store(
      std::min<size_t>(options.windowsize, net::kTftpMaxHeldBlocks) *
      (options.blksize != 0 ? options.blksize : net::kTftpDefaultBlockSize));
  if (options.windowsize > 1)
    request.reorder_store = MutableBytes(reorder_store.data(), reorder_store.size());
  request.linger_ms = static_cast<net::Millis>(options.linger * 1000.0);
  request.min_rate = options.min_rate;
  request.rate_window_ms = static_cast<net::Millis>(options.rate_window * 1000.0);
  if (auto bound = net.iface().bind(port.value(), *client); !bound) {
    fprintf(stderr, "mpxe-net tftp: cannot bind port %u\n", port.value());
    return NetApp::kExitFailed;
  }

  const uint64_t started = net.clock.steady_micros();
  uint64_t finished = 0;
  net::Result<void> status = client->start(request, net.now(), net.iface());
  if (!status) {
    char error[64];
    net::error_format(status.error(), error, sizeof error);
    fprintf(stderr, "mpxe-net tftp: cannot request %s: %s\n", options.file.c_str(), error);
    net.iface().unbind(port.value());
    return NetApp::kExitUsage;
  }
  net.log("tftp: RRQ %s from port %u", options.file.c_str(), port.value());
  // Until every byte is here; then on through the linger (the server may resend
  // its last block if our final ACK was lost) unless the command's time is up.
  net.run_until(
      [&] {
        if (finished == 0 && client->succeeded()) {
          finished = net.clock.steady_micros();
          net.log("tftp: complete, lingering");
        }
        return client->finished();
      },
      net.deadline(),
      [&](net::Millis now) {
        client->poll(now, net.iface());
        return client->next_deadline();
      });
  net.iface().unbind(port.value());
  bool written = sink.close();

  if (!client->succeeded()) {
    if (client->state() != net::TftpClient::State::Failed)
      fprintf(stderr, "mpxe-net tftp: %s: no result within --timeout\n", options.file.c_str());
    else
      print_failure(*client, options);
    print_drops(*client, stderr);
    return NetApp::kExitFailed;
  }
  if (!written) {
    fprintf(stderr, "mpxe-net tftp: --out %s: write failed\n", options.out.c_str());
    return NetApp::kExitFailed;
  }
  if (options.size_only) {
    printf("size=%llu\n", static_cast<unsigned long long>(client->tsize()));
    return 0;
  }
  const net::TftpStats& stats = client->stats();
  double seconds = static_cast<double>(finished - started) / 1e6;
  double rate = seconds > 0 ? static_cast<double>(stats.bytes) / 1e6 / seconds : 0;
  printf("%s: %llu bytes in %.3f s, %.2f MB/s (blksize %u, windowsize %u%s)\n",
         options.file.c_str(), static_cast<unsigned long long>(stats.bytes), seconds, rate,
         client->blksize(), client->windowsize(), client->oack_received() ? "" : ", no OACK");
  printf("blocks %llu, retransmits %llu, duplicates %llu, out of order %llu, acks %llu, "
         "held %llu, gap acks %llu\n",
         static_cast<unsigned long long>(stats.blocks),
         static_cast<unsigned long long>(stats.retransmits),
         static_cast<unsigned long long>(stats.duplicates),
         static_cast<unsigned long long>(stats.out_of_order),
         static_cast<unsigned long long>(stats.acks),
         static_cast<unsigned long long>(stats.held),
         static_cast<unsigned long long>(stats.gap_acks));
  print_drops(*client, stdout);
  if (sink.has_size && sink.size != stats.bytes)
    printf("warning: the server announced tsize %llu\n", static_cast<unsigned long long>(sink.size));
  char hex[Sha256::kHexSize];
  sink.sha.finish_hex(hex);
  printf("sha256=%s\n", hex);
  return 0;
}

}  // namespace

void add_tftp_command(CLI::App& app, NetApp& net) {
  auto options = std::make_shared<TftpGetOptions>();
  CLI::App* tftp = app.add_subcommand("tftp", "TFTP client (RFC 1350, 2347-2349, 7440)");
  tftp->require_subcommand(1);
  CLI::App* get = tftp->add_subcommand("get", "Fetch a file; print its size, rate and SHA-256");
  get->add_option("file", options->file, "File name on the server")->required();
  get->add_option("--server", options->server, "Server address, A.B.C.D or IPv6 (with --ipv6)")
      ->required();
  get->add_option("--port", options->port, "Server port")->check(CLI::Range(1, 65535));
  get->add_option("--blksize", options->blksize,
                  "Block size to ask (0: do not ask, 512; default 1468, over IPv6 1448)")
      ->check(CLI::Range(0, 65464))
      ->each([options](const std::string&) { options->blksize_given = true; });
  get->add_option("--windowsize", options->windowsize, "Window to ask (1: lock-step, not asked)")
      ->check(CLI::Range(1, 65535));
  get->add_option("--timeout-option", options->timeout, "RFC 2349 timeout to ask, seconds")
      ->check(CLI::Range(0, 255));
  get->add_option("--out", options->out, "Write the file here");
  get->add_flag("--size-only", options->size_only, "Ask the size only (tsize), then refuse");
  get->add_option("--linger", options->linger,
                  "Seconds to stay for a resent last block after the final ACK")
      ->check(CLI::NonNegativeNumber);
  get->add_option("--min-rate", options->min_rate,
                  "Fail a transfer that brings fewer bytes a second than this over --rate-window "
                  "(0: no such rule)");
  get->add_option("--rate-window", options->rate_window, "Seconds over which --min-rate is measured")
      ->check(CLI::PositiveNumber);
  net.on_command(get, [options](NetApp& net) { return run_tftp_get(net, *options); });
}

}  // namespace mpxe::host
