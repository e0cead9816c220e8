// HTTP boot's transfer, on our TCP: HEAD for the size (LoadFile's first call),
// then one GET, or several byte ranges at once on their own connections
// (net::HttpFetch, the download mpxe-net runs too), straight into the image's
// buffer. TCP places every payload byte at its final offset, in order
// or not, so the image is copied once (frame to buffer); the hasher is told how
// far the image is complete from byte 0. Driven from the BSP's poll loop; with
// the connections on APs (mp::HttpShards), the BSP keeps the NIC and the
// hasher, and each AP runs its connections' TCP and HTTP and places their bytes.
#pragma once

#include <stdint.h>

#include "driver/boot/image_hasher.h"
#include "driver/boot/mp_engine.h"
#include "mp/http_shards.h"
#include "driver/boot/stack_session.h"
#include "net/fetch/http_fetch.h"
#include "net/fetch/http_connection.h"
#include "net/socket/http_client.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"

namespace mpxe::driver {

// One connection of an https:// download: HTTP over TLS over TCP.
struct HttpsConnection {
  HttpsConnection(tls::TlsContext& context, MutableBytes cipher_ring, MutableBytes scratch)
      : tls(tcp, context, cipher_ring), client(tls, scratch) {}
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  net::TcpStream tcp;
  tls::TlsStream tls;
  net::HttpClient client;
};

class HttpDownload {
 public:
  static constexpr uint32_t kMaxConnections = 4;
  static_assert(kMaxConnections <= net::HttpFetch::kMaxConnections);
  static constexpr size_t kScratchSize = 16 * 1024;  // response heads, chunked bodies
  // Each https connection's ciphertext ring: its free room is the TCP window.
  static constexpr size_t kCipherRing = 128 * 1024;

  // Allocates the clients (once; boot-services pool, never in the packet path).
  uefi::Status init();

  // HEAD: the resource's size, following redirects; the URL it finally came from
  // is kept for fetch(). A host name is looked up through the lease's DNS servers.
  uefi::Status size(StackSession& session, const char* url, uint64_t* size);
  // size() for a resource that may well not exist (a digest beside the boot
  // file): a 404 is kNotFound without a console line.
  uefi::Status size_if_present(StackSession& session, const char* url, uint64_t* size);
  // GET of the sized URL into buffer[0, size), over up to `connections` ranges
  // when the server accepts ranges. Progress as for TFTP; hasher.add() as the
  // image completes in order; hasher.idle() when no frame came. With `aps` > 0,
  // the connections run on up to that many application processors of `mp`
  // (never more than one AP per connection); with 0, or when the APs cannot be
  // started, all on the BSP.
  uefi::Status fetch(StackSession& session, uint8_t* buffer, uint64_t size,
                     uint32_t connections, ImageHasher& hasher,
                     const StackSession::FetchHooks& hooks, MpEngine& mp, uint32_t aps);
  uint32_t connections_used() const { return used_; }
  bool accepts_ranges() const { return accept_ranges_; }
  // The sized resource's media type (lower case, no parameters); empty if none.
  const char* media_type() const { return media_type_; }
  // Why the last size() or fetch() failed, in one line with its figures (the
  // server's status, the bytes and tries of a cut transfer, a trickle's rate);
  // empty after a success. The boot's last line says this, not an EFI status.
  const char* last_cause() const { return cause_; }

 private:
  // One pass of the NIC and the interface (and, while the connections are on the
  // shards, of their rings); true when a frame came.
  bool poll_network(StackSession& session);
  // poll_network(), then the timers of clients [0, n) unless the shards run them.
  bool poll_clients(StackSession& session, uint32_t n);
  void close_all(StackSession& session, uint32_t n);
  // Hands clients [0, n) to the shards and starts them on the APs; without memory
  // for the shards it diverts nothing and the BSP runs them as usual.
  void start_shards(StackSession& session, uint32_t n, MpEngine& mp, uint32_t aps);
  // Stops the APs and takes the connections back.
  void stop_shards(StackSession& session, uint32_t n, MpEngine& mp);
  // Logs the client's failure and keeps it as last_cause().
  void report_failure(const net::HttpClient& client);
  // The connections for the URL's scheme from now on: TLS ones for https://, made
  // (with the TLS platform and the trust anchors) on the first; an error, with
  // its line logged and kept as the cause, when https cannot be had.
  uefi::Status use_scheme(StackSession& session, bool https);
  uefi::Status init_tls(StackSession& session);
  net::HttpClient& client(uint32_t i) { return secure_ ? tls_conns_[i]->client : conns_[i]->client; }
  net::TcpStream& tcp(uint32_t i) { return secure_ ? tls_conns_[i]->tcp : conns_[i]->stream; }
  // Our FIN is acknowledged (FIN-WAIT-2): nothing more is needed from the server.
  // Its own FIN need not be waited for: a finished range leaves our window at 0,
  // and Linux never sends a FIN into a zero window (it probes), so that wait was
  // kCloseWaitMs per request on a real server; what it sends later gets a RST.
  bool fin_acked(uint32_t i) {
    return tcp(i).connection().state() == net::TcpConnection::State::FinWait2;
  }

  net::HttpConnection* conns_[kMaxConnections] = {};
  HttpsConnection* tls_conns_[kMaxConnections] = {};
  tls::TlsContext* tls_context_ = nullptr;
  bool secure_ = false;  // the connections in use are tls_conns_
  bool tls_described_ = false;  // the console has had the first TLS session's version
  uefi::Status tls_refused_ = uefi::kSuccess;  // init_tls() failed: https is off for the boot
  char tls_refusal_[256] = {};
  char url_[8 + net::HttpUrl::kMaxHost + 6 + net::HttpUrl::kMaxPath + 1] = {};
  size_t url_len_ = 0;
  bool accept_ranges_ = false;
  bool quiet_not_found_ = false;
  char media_type_[net::HttpClient::kMaxMediaType + 1] = {};
  char cause_[320] = {};
  // The address of a URL that names its host, from DNS.
  bool has_address_ = false;
  net::IpAddress address_;
  uint32_t used_ = 0;
  mp::HttpShards* shards_ = nullptr;  // boot-services pages, made on first use
  bool sharded_ = false;              // the fetch in progress runs on the shards
  // Connections an AP still held when the APs were stopped and did not return:
  // never touched again (their segments keep going to a ring nobody reads).
  uint32_t abandoned_ = 0;
  bool abandoned(uint32_t i) const { return (abandoned_ >> i & 1) != 0; }
};

}  // namespace mpxe::driver
