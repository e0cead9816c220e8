// What the TFTP client tests share: a UdpSender that records every datagram, sinks
// that keep or hash what arrives, and builders for the packets a server sends,
// byte by byte as RFC 1350/2347 lay them out.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_ops.h"
#include "core/bytes.h"
#include "core/sha256.h"
#include "net/socket/tftp_client.h"
#include "net/socket/udp_endpoint.h"

namespace mpxe::net::tftp_test {

using Buffer = std::vector<uint8_t>;

inline constexpr Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 1);
inline constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
inline constexpr uint16_t kClientPort = 49152;
inline constexpr uint16_t kTid = 50123;  // the port the server answers from

inline Bytes view(const Buffer& b) { return Bytes(b.data(), b.size()); }

struct Sent {
  UdpMeta meta;
  Buffer bytes;
};

class RecordingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    if (refuse > 0) {
      --refuse;
      ++refused;
      return Error(Layer::Iface, Errc::WouldBlock);
    }
    sent.push_back({meta, Buffer(payload.begin(), payload.end())});
    return {};
  }
  // Everything sent since the last take().
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }

  std::vector<Sent> sent;
  int refuse = 0;  // refuse this many sends (as an interface waiting for ARP does)
  int refused = 0;
};

// Keeps the file; checks the offsets are contiguous.
class MemorySink final : public TftpSink {
 public:
  Result<void> on_size(uint64_t tsize) override {
    sizes.push_back(tsize);
    return size_error.is_error() ? Result<void>(size_error) : Result<void>();
  }
  Result<void> on_data(uint64_t offset, Bytes bytes) override {
    EXPECT_EQ(offset, data.size());
    if (data_error.is_error() && offset + bytes.size() > fail_after) return data_error;
    data.insert(data.end(), bytes.begin(), bytes.end());
    ++calls;
    return {};
  }

  Buffer data;
  std::vector<uint64_t> sizes;
  int calls = 0;
  Error size_error;
  Error data_error;
  uint64_t fail_after = 0;  // data_error once the file would grow past this
};

// Hashes the file as it comes, for files too large to keep.
class HashSink final : public TftpSink {
 public:
  Result<void> on_size(uint64_t) override { return {}; }
  Result<void> on_data(uint64_t offset, Bytes bytes) override {
    if (offset != next) return Error(Layer::None, Errc::BadValue);
    sha.update(bytes.data(), bytes.size());
    next += bytes.size();
    return {};
  }
  std::string hex() {
    char out[Sha256::kHexSize];
    sha.finish_hex(out);
    return out;
  }

  Sha256 sha;
  uint64_t next = 0;
};

// The test file: byte i of a file is a function of i alone.
inline uint8_t file_byte(uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull;
  return static_cast<uint8_t>((x >> 32) ^ (x >> 56));
}
inline Buffer file_of(size_t size) {
  Buffer out(size);
  for (size_t i = 0; i < size; ++i) out[i] = file_byte(i);
  return out;
}

inline void put16(Buffer& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put_string(Buffer& b, const std::string& s) {
  b.insert(b.end(), s.begin(), s.end());
  b.push_back(0);
}

inline Buffer data_packet(uint16_t block, Bytes payload) {
  Buffer b;
  put16(b, 3);
  put16(b, block);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}
// DATA for block `index` (1-based, 64-bit) of `file` at `blksize`.
inline Buffer data_of(const Buffer& file, uint64_t index, size_t blksize) {
  size_t offset = static_cast<size_t>((index - 1) * blksize);
  size_t len = offset >= file.size() ? 0 : std::min(blksize, file.size() - offset);
  return data_packet(static_cast<uint16_t>(index), Bytes(file.data() + offset, len));
}
inline Buffer oack(std::initializer_list<std::pair<std::string, std::string>> options) {
  Buffer b;
  put16(b, 6);
  for (const auto& [name, value] : options) {
    put_string(b, name);
    put_string(b, value);
  }
  return b;
}
inline Buffer error_packet(uint16_t code, const std::string& text) {
  Buffer b;
  put16(b, 5);
  put16(b, code);
  put_string(b, text);
  return b;
}
inline Buffer ack_packet(uint16_t block) {
  Buffer b;
  put16(b, 4);
  put16(b, block);
  return b;
}
// A request as the bytes it must be: "\0\1" file "\0" mode "\0" name "\0" value "\0" ...
inline Buffer rrq_packet(const std::string& file,
                         std::initializer_list<std::pair<std::string, std::string>> options) {
  Buffer b;
  put16(b, 1);
  put_string(b, file);
  put_string(b, "octet");
  for (const auto& [name, value] : options) {
    put_string(b, name);
    put_string(b, value);
  }
  return b;
}

// A client, its sender and sink, and a request to 10.77.0.1 from 10.77.0.2:49152.
struct Harness {
  Harness() {
    request.server = kServer;
    request.client = kClient;
    request.client_port = kClientPort;
    request.filename = bytes_of("boot.efi");
    request.sink = &sink;
  }

  void start(Millis now = 0) {
    ASSERT_TRUE(client.start(request, now, tx).ok());
    tx.take();  // the RRQ
  }
  void deliver(const Buffer& packet, Millis now, uint16_t port = kTid,
               Ipv4Address src = kServer) {
    UdpMeta meta;
    meta.src = src;
    meta.dst = kClient;
    meta.src_port = port;
    meta.dst_port = kClientPort;
    client.on_datagram(meta, view(packet), now, tx);
  }
  void poll(Millis now) { client.poll(now, tx); }

  // Block numbers of the ACKs sent since the last look; fails the test on any
  // other packet, or one not addressed to the server's transfer ID.
  std::vector<uint16_t> acks() {
    std::vector<uint16_t> out;
    for (const Sent& s : tx.take()) {
      EXPECT_EQ(s.meta.dst, kServer);
      EXPECT_EQ(s.meta.dst_port, kTid);
      EXPECT_EQ(s.meta.src, kClient);
      EXPECT_EQ(s.meta.src_port, kClientPort);
      if (s.bytes.size() != 4 || s.bytes[0] != 0 || s.bytes[1] != 4) {
        ADD_FAILURE() << "not an ACK: " << s.bytes.size() << " bytes, opcode "
                      << (s.bytes.size() >= 2 ? s.bytes[1] : -1);
        continue;
      }
      out.push_back(static_cast<uint16_t>((s.bytes[2] << 8) | s.bytes[3]));
    }
    return out;
  }

  TftpClient client;
  RecordingSender tx;
  MemorySink sink;
  TftpRequest request;
};

}  // namespace mpxe::net::tftp_test
