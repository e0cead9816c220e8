// One connection of a download: an HTTP client talking through its own TCP
// stream. Kept together so that whoever runs the connection elsewhere (the
// ROM's APs, the host's threads) can reach the TCP side the client never sees.
#pragma once

#include "core/bytes.h"
#include "net/socket/http_client.h"
#include "net/stream/tcp_stream.h"

namespace mpxe::net {

struct HttpConnection {
  // `scratch`: the client's ring for response heads (HttpClient::kMinScratch at least).
  explicit HttpConnection(MutableBytes scratch) : client(stream, scratch) {}
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  TcpStream stream;
  HttpClient client;
};

}  // namespace mpxe::net
