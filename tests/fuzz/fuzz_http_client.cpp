// HttpClient (src/net/socket/http_client.*) fed whatever a server might send,
// in pieces, at times, with a close or a reset, all taken from the input, over a
// stream that places bytes the way TCP does (in order, only below the
// receiver's limit). Invariants: nothing is written outside the body buffer and
// the ring (the sanitizers), body_bytes() never exceeds the buffer, a success
// has every promised byte, and once the server sends nothing more the request
// ends within its bounds (stall, head, rate): no input makes it wait forever.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/http_client.h"
#include "net/stream/byte_stream.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

class FakeStream final : public ByteStream {
 public:
  Result<void> open(IpAddress, uint16_t, StreamReceiver& receiver, const TcpConfig&, Millis) override {
    receiver_ = &receiver;
    state_ = StreamState::Open;
    received_ = 0;
    fin_ = false;
    error_ = Error();
    return {};
  }
  Result<size_t> send(Bytes data) override {
    if (state_ != StreamState::Open) return Error(Layer::Tcp, Errc::Closed);
    return data.size();
  }
  void flush(Millis) override {}
  void close() override {
    if (state_ == StreamState::Open) state_ = fin_ ? StreamState::Closed : StreamState::Closing;
  }
  void abort() override { state_ = StreamState::Closed; }
  void release() override { receiver_ = nullptr; }
  StreamState state() const override { return state_; }
  Error error() const override { return error_; }
  uint64_t received() const override { return received_; }
  bool peer_closed() const override { return fin_; }

  // The server's bytes, placed in order until the receiver's limit (the rest is
  // dropped, as TCP drops what lies beyond its window).
  void deliver(Bytes data) {
    if (receiver_ == nullptr || fin_ || state_ == StreamState::Closed) return;
    while (!data.empty() && received_ < receiver_->stream_rx_limit()) {
      MutableBytes room = receiver_->stream_rx_space(received_, data.size());
      if (room.empty()) break;
      copy_bytes(room, data.first(room.size()));
      received_ += room.size();
      data = data.subspan(room.size());
      receiver_->stream_rx_data(received_);
    }
  }
  void fin() {
    if (receiver_ == nullptr || fin_ || state_ == StreamState::Closed) return;
    fin_ = true;
    if (state_ == StreamState::Closing) state_ = StreamState::Closed;
    receiver_->stream_rx_fin(received_);
  }
  void reset() {
    if (state_ == StreamState::Closed) return;
    state_ = StreamState::Closed;
    error_ = Error(Layer::Tcp, Errc::Reset);
  }

 private:
  StreamReceiver* receiver_ = nullptr;
  StreamState state_ = StreamState::Closed;
  uint64_t received_ = 0;
  bool fin_ = false;
  Error error_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const size_t body_size = static_cast<size_t>(data[1]) * 64;
  data += 2;
  size -= 2;

  FakeStream stream;
  std::vector<uint8_t> ring(HttpClient::kMinScratch);
  std::vector<uint8_t> body(body_size);
  HttpClient client(stream, MutableBytes(ring.data(), ring.size()));
  HttpGetRequest request;
  static const char kUrl[] = "http://10.77.0.1/image";
  request.url = Bytes(reinterpret_cast<const uint8_t*>(kUrl), sizeof(kUrl) - 1);
  request.body = MutableBytes(body.data(), body.size());
  request.head = (flags & 1) != 0;
  if ((flags & 2) != 0 && body_size != 0) {
    request.has_range = true;
    request.range = HttpRange{1000, 1000 + body_size - 1};
  }
  request.keep_alive = (flags & 4) != 0;
  request.stall_ms = 5000;
  request.head_ms = 8000;
  request.min_rate = (flags & 8) != 0 ? 0 : 1024;
  request.rate_window_ms = 4000;
  Millis now = 1000;
  if (!client.start(request, now)) return 0;

  // Events: a kind byte, then for data a length byte and that many bytes.
  size_t at = 0;
  while (at < size && !client.finished()) {
    const uint8_t kind = data[at++];
    switch (kind & 3) {
      case 0: {  // data
        size_t n = at < size ? data[at++] : 0;
        if (n > size - at) n = size - at;
        stream.deliver(Bytes(data + at, n));
        at += n;
        break;
      }
      case 1: stream.fin(); break;
      case 2: stream.reset(); break;
      case 3: now += static_cast<Millis>(kind >> 2) * 100; break;
    }
    client.poll(now);
    // (A failed head may have had more body in the ring than the buffer holds.)
    FUZZ_CHECK(client.state() == HttpClient::State::Failed || client.body_bytes() <= body.size());
  }
  // The server goes quiet: the request ends within its bounds, whatever came.
  for (int i = 0; i < 16 && !client.finished(); ++i) {
    const Millis next = client.next_deadline();
    FUZZ_CHECK(next != kNever);
    now = next > now ? next : now + 1;
    client.poll(now);
  }
  FUZZ_CHECK(client.finished());
  if (client.succeeded() && !request.head) {
    FUZZ_CHECK(client.has_content_length());
    FUZZ_CHECK(client.content_length() <= body.size());
  }
  char text[256];
  client.describe_failure(text, sizeof(text));
  client.close();
  client.release();
  return 0;
}
