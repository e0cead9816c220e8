// What a test server sends on one connection: a segment from the remote end of
// `tuple` (the tuple as the client sees it).
#pragma once

#include <stdint.h>

#include "net/socket/tcp_connection.h"

namespace mpxe::net::test {

inline TcpRepr peer_segment(const TcpTuple& tuple, uint32_t seq, uint32_t ack, uint8_t flags,
                            uint16_t window) {
  TcpRepr r;
  r.src_port = tuple.remote_port;
  r.dst_port = tuple.local_port;
  r.seq = seq;
  r.ack = ack;
  r.flags = flags;
  r.window = window;
  return r;
}

}  // namespace mpxe::net::test
