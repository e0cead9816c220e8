// ByteStream over one TcpConnection. The connection's segments are carried by a
// TcpHost: the interface, or whoever runs the connection away from it (a shard's
// rings, src/mp/http_shards.h), switched with attach() while the stream is idle
// or handed over. TCP delivers into the stream's receiver itself (it speaks
// StreamReceiver), so plain HTTP keeps its one copy at no extra call.
#pragma once

#include "net/socket/tcp_connection.h"
#include "net/stream/byte_stream.h"

namespace mpxe::net {

class TcpStream final : public ByteStream {
 public:
  TcpStream() = default;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // Who opens the connection and carries its segments from now on.
  void attach(TcpHost& host) { host_ = &host; }

  // The connection's MSS is capped by the host's link.
  Result<void> open(IpAddress remote, uint16_t port, StreamReceiver& receiver,
                    const TcpConfig& config, Millis now) override;
  Result<size_t> send(Bytes data) override { return conn_.send(data); }
  void flush(Millis now) override;
  void close() override { conn_.close(); }
  void abort() override;
  void release() override;

  StreamState state() const override;
  Error error() const override { return conn_.error(); }
  uint64_t received() const override { return conn_.received(); }
  bool peer_closed() const override { return conn_.peer_closed(); }

  // For the owner that routes segments (Interface::tcp_divert) and for statistics.
  TcpConnection& connection() { return conn_; }
  const TcpConnection& connection() const { return conn_; }

 private:
  TcpConnection conn_;
  TcpHost* host_ = nullptr;
};

}  // namespace mpxe::net
