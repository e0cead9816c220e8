#include "net/stream/tcp_stream.h"

namespace mpxe::net {

Result<void> TcpStream::open(IpAddress remote, uint16_t port, StreamReceiver& receiver,
                             const TcpConfig& config, Millis now) {
  if (host_ == nullptr) return Error(Layer::Tcp, Errc::Unsupported);  // attach() first
  TcpConfig capped = config;
  const uint16_t mss = host_->tcp_mss(remote.family());
  if (capped.mss > mss) capped.mss = mss;
  return host_->tcp_connect(conn_, remote, port, receiver, capped, now);
}

void TcpStream::flush(Millis now) {
  if (host_ != nullptr) conn_.poll(now, *host_);
}

void TcpStream::abort() {
  if (host_ != nullptr) conn_.abort(*host_);
}

void TcpStream::release() {
  if (host_ != nullptr) host_->tcp_release(conn_);
}

StreamState TcpStream::state() const {
  switch (conn_.state()) {
    case TcpConnection::State::Closed:
    case TcpConnection::State::TimeWait:
      return StreamState::Closed;
    case TcpConnection::State::SynSent:
      return StreamState::Opening;
    case TcpConnection::State::Established:
      return StreamState::Open;
    case TcpConnection::State::FinWait1:
    case TcpConnection::State::FinWait2:
    case TcpConnection::State::CloseWait:
    case TcpConnection::State::Closing:
    case TcpConnection::State::LastAck:
      return StreamState::Closing;
  }
  return StreamState::Closed;
}

}  // namespace mpxe::net
