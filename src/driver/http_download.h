// HTTP boot's transfer, on our TCP: HEAD for the size (LoadFile's first call),
// then one GET, or several byte ranges at once on their own connections, straight
// into BDS's buffer. TCP places every payload byte at its final offset, in order
// or not, so the image is copied once (frame to buffer); the hasher is told how
// far the image is complete from byte 0. Driven from the BSP's poll loop.
#pragma once

#include <stdint.h>

#include "driver/image_hasher.h"
#include "driver/stack_session.h"
#include "net/socket/http_client.h"

namespace mpxe::driver {

class HttpDownload {
 public:
  static constexpr uint32_t kMaxConnections = 4;
  // Each range gets at least this much; smaller images go over one connection.
  static constexpr uint64_t kMinRange = 1 << 20;
  // The receive window all connections share: enough to keep QEMU's user network
  // or a LAN server busy, small enough for the NIC's receive ring to absorb.
  static constexpr uint32_t kWindowBudget = 1 << 20;
  static constexpr size_t kScratchSize = 16 * 1024;  // response heads, chunked bodies

  // Allocates the clients (once; boot-services pool, never in the packet path).
  uefi::Status init();

  // HEAD: the resource's size, following redirects; the URL it finally came from
  // is kept for fetch(). A host name is looked up through the lease's DNS servers.
  uefi::Status size(StackSession& session, const char* url, uint64_t* size);
  // GET of the sized URL into buffer[0, size), over up to `connections` ranges
  // when the server accepts ranges. Progress as for TFTP; hasher.add() as the
  // image completes in order; hasher.idle() when no frame came.
  uefi::Status fetch(StackSession& session, uint8_t* buffer, uint64_t size,
                     uint32_t connections, ImageHasher& hasher,
                     const StackSession::FetchHooks& hooks);
  uint32_t connections_used() const { return used_; }
  bool accepts_ranges() const { return accept_ranges_; }

 private:
  struct Range {
    uint64_t from = 0;
    uint64_t to = 0;  // exclusive
  };
  // One pass: the NIC and the interface, then the timers of clients [0, n); true
  // when a frame came.
  bool poll_clients(StackSession& session, uint32_t n);
  // Polls until every client in [0, n) has finished; `step(frames)` after each pass.
  template <typename Step>
  void run(StackSession& session, uint32_t n, Step step);
  void close_all(StackSession& session, uint32_t n);
  void report_failure(const net::HttpClient& client) const;

  net::HttpClient* clients_[kMaxConnections] = {};
  Range ranges_[kMaxConnections];
  char url_[8 + net::HttpUrl::kMaxHost + 6 + net::HttpUrl::kMaxPath + 1] = {};
  size_t url_len_ = 0;
  bool accept_ranges_ = false;
  // The address of a URL that names its host, from DNS.
  bool has_address_ = false;
  net::Ipv4Address address_;
  uint32_t used_ = 0;
};

}  // namespace mpxe::driver
