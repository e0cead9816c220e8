#include "net/fetch/http_fetch.h"

#include "core/format.h"

namespace mpxe::net {
namespace {

// Failures that say nothing against the resource, only against this request:
// asked again, the rest may come.
bool resumable(const HttpClient& client) {
  switch (client.failure()) {
    case HttpFailure::ClosedEarly:
    case HttpFailure::Stalled:
    case HttpFailure::HeadTimeout:
    case HttpFailure::TooSlow:
      return true;
    case HttpFailure::Connection:
      // A server that refuses connections is not there to resume from.
      return client.error().reason() != Errc::Refused;
    default:
      return false;
  }
}

}  // namespace

HttpFetch::HttpFetch(HttpClient* const* clients, uint32_t count)
    : count_(count < kMaxConnections ? count : kMaxConnections) {
  for (uint32_t i = 0; i < count_; ++i) clients_[i] = clients[i];
}

Result<void> HttpFetch::start(const Request& request, const FetchPolicy& policy,
                              FetchObserver& observer, Millis now) {
  if (count_ == 0) return Error(Layer::Http, Errc::BadValue);
  policy_ = policy;
  observer_ = &observer;
  runner_ = nullptr;
  buffer_ = request.buffer;
  const uint64_t size = buffer_.size();
  const uint32_t n = fetch_connection_count(policy, size, request.connections, count_,
                                            request.accept_ranges);
  base_ = HttpGetRequest{};
  base_.url = request.url;
  base_.has_address = request.has_address;
  base_.address = request.address;
  base_.stall_ms = policy.stall_ms;
  base_.head_ms = policy.head_ms;
  base_.min_rate = policy.min_rate;
  base_.rate_window_ms = policy.rate_window_ms;
  base_.tcp.max_window = policy.window_budget / n;
  if (policy.max_window != 0 && base_.tcp.max_window > policy.max_window)
    base_.tcp.max_window = policy.max_window;
  plan_.reset(size, n, n > 1 && !request.one_range_each ? policy.chunk : 0);
  state_ = State::Running;
  started_ = 0;
  failed_ = false;
  accept_ranges_ = request.accept_ranges;
  recall_ = Recall::None;
  resumes_ = 0;
  overtakes_ = 0;
  for (uint32_t i = 0; i < kMaxConnections; ++i) last_rate_[i] = 0;
  rate_mark_ = 0;
  rate_at_ = now;
  too_slow_ = false;
  resume_at_ = now;
  progress_mark_ = 0;
  progress_at_ = now;
  stalled_ = false;
  failed_connection_ = kMaxConnections;
  failed_tries_ = 0;
  final_to_ = 0;
  start_ = now;
  next_report_ = now + policy.progress_every_ms;
  for (; started_ < n && !plan_.all_taken(); ++started_) {
    Result<void> started = take_chunk(started_, now);
    if (!started) {
      state_ = State::Failed;
      return started;
    }
  }
  return {};
}

Result<void> HttpFetch::take_chunk(uint32_t connection, Millis now) {
  ChunkPlan::Chunk chunk;
  if (!plan_.take(connection, &chunk)) return {};
  HttpGetRequest get = base_;
  get.body = buffer_.subspan(static_cast<size_t>(chunk.from),
                             static_cast<size_t>(chunk.to - chunk.from));
  // A range unless this is the whole resource (a resumed one is its tail).
  if (plan_.chunk_count() > 1 || chunk.from != 0) {
    get.has_range = true;
    get.range = HttpRange{chunk.from, chunk.to - 1};
  }
  request_at_[connection] = now;
  Result<void> started = clients_[connection]->start(get, now);
  if (!started) {
    observer_->fetch_cannot_start(connection, started.error());
    (void)plan_.give_back(connection, plan_.resumed_at(connection));
  }
  return started;
}

bool HttpFetch::connection_finished(uint32_t connection) const {
  return runner_ != nullptr ? runner_->finished(connection) : clients_[connection]->finished();
}

uint64_t HttpFetch::body_bytes(uint32_t connection) const {
  return runner_ != nullptr ? runner_->body_bytes(connection) : clients_[connection]->body_bytes();
}

void HttpFetch::settle_failure(uint32_t connection, Millis now) {
  const HttpClient& client = *clients_[connection];
  const ChunkPlan::Chunk chunk = plan_.held(connection);
  // What arrived in order stays, when a range can ask for the rest.
  const uint64_t have = accept_ranges_ ? plan_.resumed_at(connection) + body_bytes(connection) : 0;
  const uint32_t tries = plan_.give_back(connection, have);
  const uint32_t allowed = accept_ranges_ ? policy_.max_resumes : 1;
  if (!failed_ && resumable(client) && tries <= allowed) {
    ++resumes_;
    const uint32_t shift = tries - 1 < 16 ? tries - 1 : 16;
    const Millis at = now + (policy_.resume_backoff_ms << shift);
    if (at > resume_at_) resume_at_ = at;
    return;
  }
  if (!failed_) {
    failed_connection_ = connection;
    failed_tries_ = resumable(client) ? tries : 0;
    failed_from_ = chunk.from;
    failed_to_ = chunk.to;
  }
  failed_ = true;
}

// Free connections take chunks: the ones kept alive from a finished chunk first,
// so that a chunk a connection gave back goes to another when there is one.
void HttpFetch::hand_out(Millis now) {
  if (failed_ || runner_ != nullptr) return;
  if (plan_.has_returned() && now < resume_at_) return;
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < started_; ++i) {
      if (plan_.holding(i) || plan_.all_taken()) continue;
      if ((pass == 0) != clients_[i]->succeeded()) continue;
      if (!take_chunk(i, now)) {
        failed_ = true;
        return;
      }
    }
  }
}

// How long a request runs before its rate is worth comparing.
constexpr Millis kOvertakeMeasureMs = 1000;

void HttpFetch::overtake_slow(Millis now) {
  if (policy_.overtake_gain_ms == 0 || !accept_ranges_ || failed_ || !plan_.all_taken()) return;
  uint32_t fast = kMaxConnections;
  for (uint32_t i = 0; i < started_; ++i) {
    if (plan_.holding(i) || !clients_[i]->succeeded() || last_rate_[i] == 0) continue;
    if (fast == kMaxConnections || last_rate_[i] > last_rate_[fast]) fast = i;
  }
  if (fast == kMaxConnections) return;
  const uint64_t fast_rate = last_rate_[fast];
  uint32_t slow = kMaxConnections;
  Millis best_gain = 0;
  for (uint32_t i = 0; i < started_; ++i) {
    if (!plan_.holding(i) || connection_finished(i)) continue;
    if (plan_.returns(i) >= policy_.max_resumes) continue;  // its tries are spent
    const Millis ran = now - request_at_[i];
    if (ran < kOvertakeMeasureMs) continue;
    const ChunkPlan::Chunk chunk = plan_.held(i);
    const uint64_t in_place = plan_.resumed_at(i) + body_bytes(i);
    if (in_place >= chunk.to - chunk.from) continue;
    const uint64_t left = chunk.to - chunk.from - in_place;
    const uint64_t rate = body_bytes(i) * 1000 / ran;
    if (rate * 2 > fast_rate) continue;
    const Millis fast_end = left * 1000 / fast_rate;
    const Millis slow_end = rate == 0 ? kNever : left * 1000 / rate;
    if (slow_end - fast_end < policy_.overtake_gain_ms || slow_end - fast_end <= best_gain) continue;
    best_gain = slow_end - fast_end;
    slow = i;
  }
  if (slow == kMaxConnections) return;
  if (runner_ != nullptr) {
    recall_ = Recall::Overtake;
    return;
  }
  const uint64_t have = plan_.resumed_at(slow) + body_bytes(slow);
  clients_[slow]->close();
  (void)plan_.give_back(slow, have);
  ++overtakes_;
  if (!take_chunk(fast, now)) failed_ = true;
}

void HttpFetch::end_every_request() {
  failed_ = true;
  for (uint32_t i = 0; i < started_; ++i) {
    if (!plan_.holding(i)) continue;
    clients_[i]->close();
    (void)plan_.give_back(i, 0);
  }
}

void HttpFetch::poll(Millis now) {
  if (state_ != State::Running) return;
  if (runner_ == nullptr) {
    // Tripped while the connections ran elsewhere: they are back to be ended.
    if (too_slow_ && !failed_) end_every_request();
    for (uint32_t i = 0; i < started_; ++i) clients_[i]->poll(now);
  }
  // Connections done with their request: the chunk complete, or given back.
  for (uint32_t i = 0; i < started_; ++i) {
    if (!plan_.holding(i) || !connection_finished(i)) continue;
    if (clients_[i]->succeeded()) {
      const Millis ran = now - request_at_[i];
      last_rate_[i] = body_bytes(i) * 1000 / (ran == 0 ? 1 : ran);
      plan_.complete(i);
    } else {
      settle_failure(i, now);
    }
  }
  hand_out(now);
  if (recall_ == Recall::None) overtake_slow(now);
  bool busy = false;
  uint64_t in_order[kMaxConnections] = {};
  for (uint32_t i = 0; i < started_; ++i) {
    if (!plan_.holding(i)) continue;
    in_order[i] = body_bytes(i);
    busy = true;
  }
  // The buffer is final from byte 0 to the first chunk not complete, plus what
  // of that chunk is in place.
  const uint64_t done_to = plan_.complete_to(final_to_, in_order);
  if (done_to > final_to_) {
    observer_->fetch_final(final_to_, done_to - final_to_);
    final_to_ = done_to;
  }
  const uint64_t total = received();
  if (total != progress_mark_ || runner_ != nullptr) {
    progress_mark_ = total;
    progress_at_ = now;
  } else if (busy && !failed_ && now >= progress_at_ + policy_.download_stall_ms) {
    // Every connection, whatever it is doing, ends now.
    stalled_ = true;
    end_every_request();
    busy = false;
  }
  if (!failed_ && !too_slow_ && policy_.download_min_rate != 0 &&
      policy_.download_rate_window_ms != 0 && now >= rate_at_ + policy_.download_rate_window_ms) {
    const uint64_t arrived = total - rate_mark_;
    if (arrived < uint64_t{policy_.download_min_rate} * (now - rate_at_) / 1000) {
      too_slow_ = true;
      slow_bytes_ = arrived;
      slow_ms_ = now - rate_at_;
      if (runner_ != nullptr) {
        recall_ = Recall::GiveUp;
        return;
      }
      end_every_request();
      busy = false;
    } else {
      rate_at_ = now;
      rate_mark_ = total;
    }
  }
  if (!busy) {
    if (!failed_ && plan_.has_returned()) {
      // A chunk waits for its backoff, or for connections that are not ours.
      if (runner_ != nullptr) recall_ = Recall::Resume;
      return;
    }
    return finish();
  }
  if (now >= next_report_) {
    next_report_ += policy_.progress_every_ms;
    report_progress(now);
  }
}

void HttpFetch::finish() {
  const bool ok = !failed_ && plan_.all_taken();
  state_ = ok ? State::Done : State::Failed;
  // Every chunk arrived: the rest is final too.
  if (ok && final_to_ != buffer_.size()) {
    observer_->fetch_final(final_to_, buffer_.size() - final_to_);
    final_to_ = buffer_.size();
  }
}

Millis HttpFetch::next_deadline() const {
  if (state_ != State::Running) return kNever;
  Millis next = next_report_;
  if (runner_ == nullptr) {
    for (uint32_t i = 0; i < started_; ++i) {
      const Millis client = clients_[i]->next_deadline();
      if (client < next) next = client;
    }
    if (plan_.has_returned() && resume_at_ < next) next = resume_at_;
    if (progress_at_ + policy_.download_stall_ms < next) next = progress_at_ + policy_.download_stall_ms;
  }
  if (policy_.download_min_rate != 0 && policy_.download_rate_window_ms != 0 &&
      rate_at_ + policy_.download_rate_window_ms < next)
    next = rate_at_ + policy_.download_rate_window_ms;
  return next;
}

void HttpFetch::report_progress(Millis now) const {
  if (observer_ != nullptr) observer_->fetch_progress(*this, now - start_);
}

uint64_t HttpFetch::delivered(uint32_t connection) const {
  return plan_.delivered(connection, plan_.holding(connection) ? body_bytes(connection) : 0);
}

uint64_t HttpFetch::received() const {
  uint64_t total = 0;
  for (uint32_t i = 0; i < started_; ++i) total += delivered(i);
  return total;
}

size_t HttpFetch::describe_failure(char* out, size_t capacity) const {
  if (state_ != State::Failed) return format(out, capacity, "%s", "");
  if (stalled_)
    return format(out, capacity, "no byte of the download arrived for %llu ms (%llu of %llu bytes final)",
                  static_cast<unsigned long long>(policy_.download_stall_ms),
                  static_cast<unsigned long long>(final_to_),
                  static_cast<unsigned long long>(buffer_.size()));
  if (too_slow_)
    return format(out, capacity,
                  "download too slow: %llu bytes in %llu ms over every connection, under %u "
                  "bytes/s (%llu of %llu bytes final)",
                  static_cast<unsigned long long>(slow_bytes_),
                  static_cast<unsigned long long>(slow_ms_), policy_.download_min_rate,
                  static_cast<unsigned long long>(final_to_),
                  static_cast<unsigned long long>(buffer_.size()));
  if (failed_connection_ >= started_) return format(out, capacity, "%s", "the download failed");
  char last[160];
  clients_[failed_connection_]->describe_failure(last, sizeof(last));
  if (failed_tries_ == 0) return format(out, capacity, "%s", last);
  const bool truncated = clients_[failed_connection_]->failure() == HttpFailure::ClosedEarly;
  return format(out, capacity, "%s: bytes %llu-%llu in %u tries%s; the last: %s",
                truncated ? "truncated every time" : "cut short every time",
                static_cast<unsigned long long>(failed_from_),
                static_cast<unsigned long long>(failed_to_ == 0 ? 0 : failed_to_ - 1), failed_tries_,
                accept_ranges_ ? ", each resumed where the last stopped" : ", each from byte 0",
                last);
}

}  // namespace mpxe::net
