// A scripted HTTP server for unit tests: it plays the server side of every TCP
// connection a client opens through it (it is the TcpHost), over the real TCP
// machine on the client's side.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../tcp/peer_segment.h"
#include "net/socket/tcp_connection.h"

namespace mpxe::net::test {

using namespace tcp_flags;

inline const Ipv4Address kClient{{10, 77, 0, 2}};

inline uint8_t file_byte(size_t i) { return static_cast<uint8_t>((i * 7 + 3) & 0xFF); }

enum class Delivery { InOrder, Reversed, DropFirstOnce };

// Plays the server side of every connection the client opens: SYN,ACK to a
// SYN, then, once a whole request head has arrived, the next scripted response
// in MSS-sized segments, and FIN after it when the response says close.
class SimServer final : public TcpHost {
 public:
  struct Peer {
    TcpConnection* conn = nullptr;
    TcpTuple tuple;
    uint32_t nxt = 0;       // our next sequence number
    uint32_t ack = 0;       // what we acknowledge of the client
    std::string request;
    bool fin_sent = false;
    size_t answered = 0;    // responses sent on this connection
  };
  struct Out {
    TcpTuple tuple;
    TcpRepr repr;
    std::string payload;
  };

  Result<void> tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                           StreamReceiver& receiver, const TcpConfig& config, Millis now) override {
    TcpTuple tuple{kClient, static_cast<uint16_t>(50000 + peers.size()), remote, port};
    Peer peer;
    peer.conn = &connection;
    peer.tuple = tuple;
    peer.nxt = 0xFFFFF000u + static_cast<uint32_t>(peers.size()) * 7777u;  // wraps mid-body
    peers.push_back(peer);
    return connection.connect(tuple, 0x7000 * static_cast<uint32_t>(peers.size()), receiver, config, now, *this);
  }
  void tcp_release(TcpConnection&) override {}
  uint16_t tcp_mss(IpFamily family) const override { return family == IpFamily::V6 ? 1440 : 1460; }
  Result<void> send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) override {
    outbox.push_back({tuple, header, std::string(payload.begin(), payload.end())});
    return {};
  }

  // Handles what the client sent until it goes quiet.
  void run(Millis now) {
    while (!outbox.empty()) {
      Out out = outbox.front();
      outbox.pop_front();
      segments_from_client.push_back(out.repr);
      Peer* peer = nullptr;
      for (Peer& p : peers)
        if (p.tuple == out.tuple) peer = &p;
      if (peer == nullptr) continue;
      if (out.repr.has(kRst)) {
        peer->fin_sent = true;  // gone: nothing more goes to it
        continue;
      }
      if (out.repr.has(kSyn)) {
        peer->ack = out.repr.seq + 1;
        TcpRepr sa = segment(*peer, kSyn | kAck);
        sa.options.has_mss = true;
        sa.options.mss = 1460;
        sa.options.has_window_scale = true;
        sa.options.window_shift = 7;
        sa.options.sack_permitted = true;
        peer->nxt += 1;
        sa.seq = peer->nxt - 1;
        if (!silent) deliver(*peer, sa, "", now);
        continue;
      }
      if (!out.payload.empty() && out.repr.seq == peer->ack) {
        peer->request += out.payload;
        peer->ack += static_cast<uint32_t>(out.payload.size());
        requests.push_back(out.payload);
        size_t end = peer->request.find("\r\n\r\n");
        if (end != std::string::npos && !silent) {
          std::string head = peer->request.substr(0, end + 4);
          peer->request.erase(0, end + 4);
          if (hold) held.push_back({static_cast<size_t>(peer - peers.data()), head});
          else answer(*peer, head, now);
        }
      }
      if (out.repr.has(kFin)) {
        peer->ack = out.repr.seq + static_cast<uint32_t>(out.payload.size()) + 1;
        if (!peer->fin_sent) {
          peer->fin_sent = true;
          deliver(*peer, segment(*peer, kAck | kFin), "", now);
          peer->nxt += 1;
        }
      }
    }
  }

  TcpRepr segment(const Peer& peer, uint8_t flags) const {
    return peer_segment(peer.tuple, peer.nxt, peer.ack, flags, 512);
  }
  void deliver(Peer& peer, TcpRepr repr, const std::string& payload, Millis now) {
    repr.payload_len = payload.size();
    peer.conn->on_segment(repr, Bytes(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()), now, *this);
  }

  // Answers what arrived while `hold` was set.
  void release(Millis now) {
    hold = false;
    std::vector<std::pair<size_t, std::string>> due;
    due.swap(held);
    for (auto& [index, head] : due) answer(peers[index], head, now);
    run(now);
  }

  void answer(Peer& peer, const std::string& head, Millis now) {
    if (max_responses_per_connection != 0 && peer.answered == max_responses_per_connection) {
      // An idle kept-alive connection the server drops as the next request arrives.
      if (!peer.fin_sent) {
        peer.fin_sent = true;
        deliver(peer, segment(peer, kAck | kFin), "", now);
        peer.nxt += 1;
      }
      return;
    }
    std::string text;
    if (responder) {
      text = responder(head);
    } else {
      if (responses.empty()) return;
      text = responses.front();
      responses.pop_front();
    }
    ++peer.answered;
    size_t cut = text.size();
    if (cut_after != 0 && cut_after < cut) cut = cut_after;
    if (cut_for) {
      size_t at = cut_for(head);
      if (at != 0 && at < cut) cut = at;
    }
    size_t trickle = trickle_for ? trickle_for(head) : 0;
    if (trickle != 0 && trickle < cut) {
      drips.push_back({static_cast<size_t>(&peer - peers.data()), text.substr(trickle, cut - trickle),
                       now + trickle_every_ms});
      text.resize(trickle);
      cut = trickle;
    }
    std::vector<std::pair<uint32_t, std::string>> segs;
    for (size_t off = 0; off < cut; off += 1448)
      segs.push_back({peer.nxt + static_cast<uint32_t>(off), text.substr(off, std::min<size_t>(1448, cut - off))});
    uint32_t start = peer.nxt;
    peer.nxt += static_cast<uint32_t>(cut);
    if (delivery == Delivery::Reversed) std::reverse(segs.begin(), segs.end());
    bool dropped = false;
    for (auto& [seq, data] : segs) {
      if (delivery == Delivery::DropFirstOnce && !dropped && seq == start) {
        dropped = true;
        continue;
      }
      TcpRepr r = segment(peer, kAck);
      r.seq = seq;
      deliver(peer, r, data, now);
    }
    if (dropped) {
      TcpRepr r = segment(peer, kAck);
      r.seq = start;
      deliver(peer, r, segs.front().second, now);
    }
    bool close = text.find("Connection: close") != std::string::npos || cut != text.size();
    if (trickle != 0 && trickle == cut) close = false;  // the rest drips out in tick()
    if (close && !peer.fin_sent) {
      peer.fin_sent = true;
      TcpRepr fin = segment(peer, kAck | kFin);
      deliver(peer, fin, "", now);
      peer.nxt += 1;
    }
  }

  // The trickled rest of responses: trickle_bytes every trickle_every_ms.
  void tick(Millis now) {
    for (Drip& drip : drips) {
      Peer& peer = peers[drip.peer];
      if (drip.rest.empty() || drip.next > now || peer.fin_sent) continue;
      std::string piece = drip.rest.substr(0, trickle_bytes);
      drip.rest.erase(0, piece.size());
      TcpRepr r = segment(peer, kAck);
      deliver(peer, r, piece, now);
      peer.nxt += static_cast<uint32_t>(piece.size());
      drip.next = now + trickle_every_ms;
    }
  }
  Millis next_deadline() const {
    Millis next = kNever;
    for (const Drip& drip : drips)
      if (!drip.rest.empty() && !peers[drip.peer].fin_sent) next = std::min(next, drip.next);
    return next;
  }

  struct Drip {
    size_t peer;
    std::string rest;
    Millis next;
  };

  std::vector<Peer> peers;
  std::deque<Out> outbox;
  std::deque<std::string> responses;
  std::vector<std::string> requests;
  std::vector<TcpRepr> segments_from_client;
  Delivery delivery = Delivery::InOrder;
  size_t cut_after = 0;  // close after this many bytes of the response
  bool silent = false;   // never answer
  // Makes each response from the request head, instead of `responses`.
  std::function<std::string(const std::string& head)> responder;
  // Requests wait for release().
  bool hold = false;
  std::vector<std::pair<size_t, std::string>> held;  // peer index, request head
  // Responses a connection carries before the server drops it (0: no limit).
  size_t max_responses_per_connection = 0;
  // Where to cut a response to this request head and close (0: nowhere).
  std::function<size_t(const std::string& head)> cut_for;
  // After how many bytes of the response to this head the rest trickles (0: never).
  std::function<size_t(const std::string& head)> trickle_for;
  Millis trickle_every_ms = 1000;
  size_t trickle_bytes = 1;
  std::vector<Drip> drips;
};

}  // namespace mpxe::net::test
