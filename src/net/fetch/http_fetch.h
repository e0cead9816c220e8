// One resource over several HTTP connections at once, into one buffer: the
// download the option ROM's HTTP boot and `mpxe-net http get` both run. The
// resource is cut into chunks (ChunkPlan); each connection takes the next chunk
// nobody has taken as a byte range, on its kept-alive connection (HttpClient
// reconnects when the server closed it), so the part of the buffer that is final
// from byte 0 grows with the whole transfer and an in-order consumer (a hash)
// can follow it. TCP places every byte at its final offset, so nothing is copied
// here: the observer only hears which prefix is final.
//
//   Idle -start()-> Running -every chunk arrived-> Done
//                      \-- a request failed for good, once every connection has stopped --> Failed
//
// A request cut short (closed early, reset, stalled, too slow) gives its chunk
// back with what arrived in order; after a backoff the next free connection asks
// for the rest as a range (one kept alive from a finished chunk first, so a slow
// connection's chunk moves to another), at most FetchPolicy::max_resumes times
// per chunk. Without ranges nothing can be resumed: the whole resource is asked
// again once, rewriting the same bytes in place (the prefix already announced
// final is the same resource's). Any other failure (a status, a bad response)
// fails the fetch; so do no byte at all for download_stall_ms and fewer than
// download_min_rate bytes a second over download_rate_window_ms, all connections
// together. Once every chunk is taken, a connection that has finished takes over
// the rest of a much slower one's chunk (FetchPolicy::overtake_gain_ms), the
// slow one's request closed: the end of a download does not wait on its slowest
// connection.
//
// An I/O-free state machine: the caller polls the interface, then poll(now),
// which polls the connections, hands out chunks and reports. The connections
// may also run elsewhere (the ROM's APs, the host's threads): after
// run_elsewhere() the fetch only reads their progress from a FetchRunner and
// starts no more requests, so give it start() with one range per connection;
// when it must start or end one (a chunk cut short there, once every connection
// has finished; a slow one to overtake; the download's rate rule tripped),
// needs_local() asks the caller to take the connections back (run_elsewhere(
// nullptr)) and recall() says why.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/fetch/chunk_plan.h"
#include "net/fetch/fetch_policy.h"
#include "net/socket/http_client.h"

namespace mpxe::net {

class HttpFetch;

// What the fetch tells its owner as it goes.
class FetchObserver {
 public:
  // Bytes [offset, offset + length) of the buffer are final. Each call starts
  // where the previous one ended, from 0: every byte is announced once, in order.
  virtual void fetch_final(uint64_t offset, uint64_t length) = 0;
  // Every FetchPolicy::progress_every_ms while the fetch runs.
  virtual void fetch_progress(const HttpFetch& fetch, Millis elapsed) = 0;
  // Connection `connection` could not start its next request; the fetch fails.
  virtual void fetch_cannot_start(uint32_t connection, Error error) = 0;

 protected:
  ~FetchObserver() = default;
};

// Whoever runs the connections away from the fetch, read without touching the
// clients (they are the runner's until finished() says so).
class FetchRunner {
 public:
  // Body bytes of the current request in place, in order.
  virtual uint64_t body_bytes(uint32_t connection) const = 0;
  // The client has finished: from here on the fetch may read it.
  virtual bool finished(uint32_t connection) const = 0;

 protected:
  ~FetchRunner() = default;
};

class HttpFetch {
 public:
  static constexpr uint32_t kMaxConnections = ChunkPlan::kMaxConnections;

  enum class State : uint8_t { Idle, Running, Done, Failed };
  // Why the fetch wants the connections run elsewhere back.
  enum class Recall : uint8_t {
    None,
    Resume,    // a chunk cut short waits to be asked for again
    Overtake,  // a finished connection is to take over a slow one's chunk
    GiveUp,    // the download's rate rule tripped: every connection ends
  };

  struct Request {
    Bytes url;  // where the resource is (after the caller's HEAD and its redirects)
    // As HttpGetRequest: the address of a URL that names its host.
    bool has_address = false;
    IpAddress address;
    MutableBytes buffer;  // the whole resource
    uint32_t connections = 1;  // wanted; capped by the policy and the clients given
    bool accept_ranges = false;
    // The connections will run elsewhere, where no new request can start: one
    // range each, however large.
    bool one_range_each = false;
  };

  // `clients` [0, count): idle, or kept alive from an earlier request; each
  // talks through a stream of its own. They must outlive the fetch.
  HttpFetch(HttpClient* const* clients, uint32_t count);
  HttpFetch(const HttpFetch&) = delete;
  HttpFetch& operator=(const HttpFetch&) = delete;

  // Plans the chunks and starts the first request on each connection. On an
  // error the clients [0, connections()) have started and should be closed.
  Result<void> start(const Request& request, const FetchPolicy& policy, FetchObserver& observer,
                     Millis now);
  // From now on `runner` runs the connections (null: the fetch polls them again).
  void run_elsewhere(const FetchRunner* runner) {
    runner_ = runner;
    recall_ = Recall::None;
  }
  // The connections run elsewhere are wanted back, for recall().
  bool needs_local() const { return recall_ != Recall::None; }
  Recall recall() const { return recall_; }
  void poll(Millis now);
  // When poll() has something to do without a frame arriving.
  Millis next_deadline() const;
  // Tells the observer how far the fetch is now (its last word, say).
  void report_progress(Millis now) const;

  State state() const { return state_; }
  bool finished() const { return state_ == State::Done || state_ == State::Failed; }
  bool succeeded() const { return state_ == State::Done; }
  // Connections that have started a request.
  uint32_t connections() const { return started_; }
  const ChunkPlan& plan() const { return plan_; }
  const HttpClient& client(uint32_t connection) const { return *clients_[connection]; }
  // Body bytes connection `connection` has placed, all its chunks together.
  uint64_t delivered(uint32_t connection) const;
  // ... and every connection's together.
  uint64_t received() const;
  // Chunks given back to be asked for again, so far.
  uint32_t resumes() const { return resumes_; }
  // Chunks a faster connection took over from a slow one, so far.
  uint32_t overtakes() const { return overtakes_; }
  // Why the fetch failed, in one line with its figures (the length format()
  // would return); "" before it has.
  size_t describe_failure(char* out, size_t capacity) const;
  // The client whose failure failed the fetch; null when none did (the
  // download's own rules: stalled(), too_slow()).
  const HttpClient* failed_client() const {
    return failed_connection_ < started_ ? clients_[failed_connection_] : nullptr;
  }
  bool stalled() const { return stalled_; }
  bool too_slow() const { return too_slow_; }

 private:
  // The next chunk on `connection`; nothing when every chunk is taken.
  Result<void> take_chunk(uint32_t connection, Millis now);
  // Connection `connection`'s request failed: its chunk goes back to be resumed,
  // or, when the failure cannot be resumed or the chunk's tries are spent, the
  // fetch fails.
  void settle_failure(uint32_t connection, Millis now);
  void hand_out(Millis now);
  // Once every chunk is taken: the finished connection that was fastest takes the
  // rest of the chunk whose end that brings forward most.
  void overtake_slow(Millis now);
  // The download's own rules ended it: every connection's request ends.
  void end_every_request();
  bool connection_finished(uint32_t connection) const;
  uint64_t body_bytes(uint32_t connection) const;
  void finish();

  HttpClient* clients_[kMaxConnections] = {};
  uint32_t count_ = 0;
  State state_ = State::Idle;
  HttpGetRequest base_;
  MutableBytes buffer_;
  ChunkPlan plan_;
  FetchPolicy policy_;
  FetchObserver* observer_ = nullptr;
  const FetchRunner* runner_ = nullptr;
  uint32_t started_ = 0;
  bool failed_ = false;
  bool accept_ranges_ = false;
  Recall recall_ = Recall::None;
  uint32_t resumes_ = 0;
  uint32_t overtakes_ = 0;
  // Each connection's current request: when it went out; and the rate of its
  // last completed one, bytes a second (0: none yet).
  Millis request_at_[kMaxConnections] = {};
  uint64_t last_rate_[kMaxConnections] = {};
  // The download's rate window: received() at its start, and when it began.
  uint64_t rate_mark_ = 0;
  Millis rate_at_ = 0;
  bool too_slow_ = false;
  uint64_t slow_bytes_ = 0;  // what the window that tripped the rule brought
  Millis slow_ms_ = 0;
  Millis resume_at_ = 0;        // no chunk given back is taken before this
  // The download's progress: received() as last seen, and when it changed.
  uint64_t progress_mark_ = 0;
  Millis progress_at_ = 0;
  // Why the fetch failed: no byte for download_stall_ms, too slow, or connection
  // failed_connection_'s failure (after `failed_tries_` tries of bytes
  // [failed_from_, failed_to_) when it was a chunk's last).
  bool stalled_ = false;
  uint32_t failed_connection_ = kMaxConnections;
  uint32_t failed_tries_ = 0;
  uint64_t failed_from_ = 0;
  uint64_t failed_to_ = 0;
  uint64_t final_to_ = 0;  // the buffer is final in [0, final_to_)
  Millis start_ = 0;
  Millis next_report_ = kNever;
};

}  // namespace mpxe::net
