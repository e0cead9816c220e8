#include "net/fetch/http_fetch.h"

namespace mpxe::net {

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
  base_.tcp.max_window = policy.window_budget / n;
  if (policy.max_window != 0 && base_.tcp.max_window > policy.max_window)
    base_.tcp.max_window = policy.max_window;
  plan_.reset(size, n, n > 1 && !request.one_range_each ? policy.chunk : 0);
  state_ = State::Running;
  started_ = 0;
  failed_ = false;
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
  if (plan_.chunk_count() > 1) {
    get.has_range = true;
    get.range = HttpRange{chunk.from, chunk.to - 1};
  }
  Result<void> started = clients_[connection]->start(get, now);
  if (!started) observer_->fetch_cannot_start(connection, started.error());
  return started;
}

bool HttpFetch::connection_finished(uint32_t connection) const {
  return runner_ != nullptr ? runner_->finished(connection) : clients_[connection]->finished();
}

uint64_t HttpFetch::body_bytes(uint32_t connection) const {
  return runner_ != nullptr ? runner_->body_bytes(connection) : clients_[connection]->body_bytes();
}

void HttpFetch::poll(Millis now) {
  if (state_ != State::Running) return;
  if (runner_ == nullptr)
    for (uint32_t i = 0; i < started_; ++i) clients_[i]->poll(now);
  // A connection done with its chunk takes the next one; a failure stops new ones.
  bool busy = false;
  uint64_t in_order[kMaxConnections] = {};
  for (uint32_t i = 0; i < started_; ++i) {
    if (!plan_.holding(i)) continue;
    if (!connection_finished(i)) {
      in_order[i] = body_bytes(i);
      busy = true;
      continue;
    }
    if (!clients_[i]->succeeded()) {
      failed_ = true;
      continue;
    }
    plan_.complete(i);
    if (failed_ || plan_.all_taken()) continue;
    if (!take_chunk(i, now)) {
      failed_ = true;
      continue;
    }
    busy = true;
  }
  // The buffer is final from byte 0 to the first chunk still arriving, plus what
  // that chunk has in order.
  const uint64_t done_to = plan_.complete_to(final_to_, in_order);
  if (done_to > final_to_) {
    observer_->fetch_final(final_to_, done_to - final_to_);
    final_to_ = done_to;
  }
  if (!busy) return finish();
  if (now >= next_report_) {
    next_report_ += policy_.progress_every_ms;
    report_progress(now);
  }
}

void HttpFetch::finish() {
  bool ok = !failed_ && plan_.all_taken();
  for (uint32_t i = 0; i < started_; ++i) ok = ok && clients_[i]->succeeded();
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
  }
  return next;
}

void HttpFetch::report_progress(Millis now) const {
  if (observer_ != nullptr) observer_->fetch_progress(*this, now - start_);
}

uint64_t HttpFetch::delivered(uint32_t connection) const {
  return plan_.delivered(connection, body_bytes(connection));
}

uint64_t HttpFetch::received() const {
  uint64_t total = 0;
  for (uint32_t i = 0; i < started_; ++i) total += delivered(i);
  return total;
}

}  // namespace mpxe::net
