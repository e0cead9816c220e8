#include "net/socket/http_client.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {
namespace {

Error http_error(Errc reason) { return Error(Layer::Http, reason); }

template <typename T>
constexpr T min_of(T a, T b) {
  return a < b ? a : b;
}

}  // namespace

const char* http_failure_text(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::None: return "no failure";
    case HttpFailure::BadRequest: return "bad request";
    case HttpFailure::NeedsDns: return "host name needs DNS (give an IP address)";
    case HttpFailure::Connection: return "connection failed";
    case HttpFailure::Stalled: return "server stalled";
    case HttpFailure::Status: return "server answered with an error status";
    case HttpFailure::TooManyRedirects: return "too many redirects";
    case HttpFailure::BadResponse: return "malformed response";
    case HttpFailure::TooBig: return "body larger than the buffer";
    case HttpFailure::ClosedEarly: return "server closed the connection before the end of the body";
    case HttpFailure::RangeIgnored: return "server ignored the byte range";
    case HttpFailure::HeadTimeout: return "no whole response head in time";
    case HttpFailure::TooSlow: return "server too slow";
  }
  return "unknown failure";
}

HttpClient::HttpClient(ByteStream& stream, MutableBytes scratch) : stream_(stream), ring_(scratch) {}

Result<void> HttpClient::start(const HttpGetRequest& request, Millis now) {
  if (ring_.size() < kMinScratch) return http_error(Errc::NoSpace);
  Result<HttpUrl> url = HttpUrl::parse(request.url);
  if (!url) return url.error();
  // https needs a stream that authenticates its peer; http never goes over one.
  if (url.value().secure != stream_.secure()) return http_error(Errc::Unsupported);
  if (!url.value().has_address) {
    if (!request.has_address) return http_error(Errc::Unsupported);
    url.value().address = request.address;
    url.value().has_address = true;
  }
  if (request.has_range && request.range.last < request.range.first) return http_error(Errc::BadValue);
  if (request.has_range && request.range.length() != request.body.size()) return http_error(Errc::BadValue);
  if (request.stall_ms == 0) return http_error(Errc::BadValue);
  bool was_kept = state_ == State::Done && keep_;
  request_ = request;
  request_.url = Bytes();
  url_ = url.value();
  state_ = State::Running;
  failure_ = HttpFailure::None;
  error_ = Error();
  redirects_ = 0;
  retried_ = false;
  status_ = 0;
  reason_[0] = 0;
  has_content_length_ = false;
  content_length_ = 0;
  has_total_ = false;
  total_ = 0;
  accept_ranges_ = false;
  media_type_[0] = 0;
  keep_ = was_kept;
  begin_request(now);
  return {};
}

// What TLS checks the certificate against (and sends as SNI when it is a name):
// the host, an IPv6 literal without its brackets.
void HttpClient::set_peer_name() {
  if (!url_.is_ipv6_literal()) return stream_.set_peer_name(url_.host);
  char text[IpAddress::kMaxTextLen + 1];
  url_.address.format(text, sizeof text);
  stream_.set_peer_name(text);
}

void HttpClient::begin_request(Millis now) {
  last_now_ = now;
  request_at_ = now;
  head_done_ = false;
  rate_at_ = kNever;
  slow_bytes_ = 0;
  redirect_pending_ = false;
  retry_pending_ = false;
  bool reuse = keep_ && stream_.is_open() && !stream_.peer_closed() &&
               url_.same_origin(conn_origin_) && phase_ == Phase::None;
  if (!reuse) {
    if (!stream_.is_closed()) stream_.abort();
    set_peer_name();
    Result<void> status = stream_.open(url_.address, url_.port, *this, request_.tcp, now);
    if (!status) return fail(HttpFailure::Connection, status.error());
    conn_origin_ = url_;
    ++stats_.connections;
  } else {
    ++stats_.reused;
  }
  reused_ = reuse;
  keep_ = false;
  resp_start_ = stream_.received();
  received_ = resp_start_;
  ring_base_ = resp_start_;
  body_base_ = resp_start_;
  chunked_ = false;
  discard_ = false;
  written_ = 0;
  phase_ = Phase::Head;
  close_delimited_ = false;
  uint8_t text[kMaxRequestLen];
  Result<size_t> len = http_emit_request(MutableBytes(text), url_, request_.head,
                                         request_.has_range ? &request_.range : nullptr,
                                         request_.keep_alive);
  if (!len) return fail(HttpFailure::BadRequest, len.error());
  Result<size_t> queued = stream_.send(Bytes(text, len.value()));
  if (!queued || queued.value() != len.value())
    return fail(HttpFailure::BadRequest, http_error(Errc::NoSpace));
  ++stats_.requests;
  progress_at_ = now;
  progress_mark_ = received_;
  progress_state_ = stream_.state();
  // On a kept-alive connection the request can leave at once.
  if (reuse) stream_.flush(now);
}

// ---------------------------------------------------------------------------
// Where the stream goes

MutableBytes HttpClient::ring_space(uint64_t offset, size_t len) {
  size_t at = static_cast<size_t>((offset - ring_base_) % ring_.size());
  return MutableBytes(ring_.data() + at, min_of(len, ring_.size() - at));
}

uint64_t HttpClient::stream_rx_limit() const {
  switch (phase_) {
    case Phase::Head: return ring_base_ + ring_.size();
    case Phase::Direct: return body_end_;
    case Phase::Ring: return consumed_ + ring_.size();
    case Phase::None: break;
  }
  return received_;
}

MutableBytes HttpClient::stream_rx_space(uint64_t offset, size_t len) {
  if (offset >= stream_rx_limit()) return MutableBytes();
  switch (phase_) {
    case Phase::Head:
    case Phase::Ring:
      return ring_space(offset, len);
    case Phase::Direct: {
      if (offset < body_base_) return MutableBytes();
      size_t at = static_cast<size_t>(offset - body_base_);
      return request_.body.subspan(at, min_of<uint64_t>(len, body_end_ - offset));
    }
    case Phase::None:
      break;
  }
  return MutableBytes();
}

void HttpClient::stream_rx_data(uint64_t end) {
  received_ = end;
  switch (phase_) {
    case Phase::Head: return on_head(end);
    case Phase::Direct:
      if (!close_delimited_ && end >= body_end_) complete_response(body_end_);
      return;
    case Phase::Ring: return process_ring(end);
    case Phase::None: return;
  }
}

void HttpClient::stream_rx_fin(uint64_t end) {
  received_ = end;
  if (state_ != State::Running) return;
  switch (phase_) {
    case Phase::Head:
      if (reused_ && !retried_ && end == resp_start_) {
        // The server closed the idle connection as our request went out: once
        // more on a new connection (RFC 9112 9.3.1 allows a retry of a GET).
        retry_pending_ = true;
        phase_ = Phase::None;
        return;
      }
      return fail(HttpFailure::ClosedEarly, http_error(Errc::Closed));
    case Phase::Direct:
      if (close_delimited_) return complete_response(end);
      return fail(HttpFailure::ClosedEarly, http_error(Errc::Closed));
    case Phase::Ring:
      if (!chunked_ && discard_ && close_delimited_) return complete_response(end);
      return fail(HttpFailure::ClosedEarly, http_error(Errc::Closed));
    case Phase::None:
      return;
  }
}

// ---------------------------------------------------------------------------
// Responses

void HttpClient::on_head(uint64_t end) {
  size_t have = static_cast<size_t>(end - ring_base_);
  Result<HttpResponseHead> parsed = HttpResponseHead::parse(Bytes(ring_.data(), have));
  if (!parsed) {
    if (parsed.error().reason() != Errc::Truncated)
      return fail(HttpFailure::BadResponse, parsed.error());
    if (have >= ring_.size()) return fail(HttpFailure::BadResponse, http_error(Errc::TooBig));
    return;
  }
  const HttpResponseHead& head = parsed.value();
  head_done_ = true;
  status_ = head.status;
  copy_printable(head.reason, reason_, sizeof(reason_));
  has_content_length_ = head.has_content_length;
  content_length_ = head.content_length;
  accept_ranges_ = head.accept_ranges;
  media_type_[0] = 0;
  if (head.media_type.size() <= kMaxMediaType) {
    size_t i = 0;
    for (; i < head.media_type.size(); ++i) {
      uint8_t c = head.media_type[i];
      if (c < 0x21 || c > 0x7E) break;  // only visible ASCII: a token "/" token
      media_type_[i] = static_cast<char>(ascii_lower(c));
    }
    media_type_[i == head.media_type.size() ? i : 0] = 0;
  }
  body_base_ = ring_base_ + head.header_len;
  keep_ = head.keep_alive && request_.keep_alive;
  if (head.status < 200) {
    // 1xx before the real answer: a GET never asks for one (no Expect).
    return fail(HttpFailure::BadResponse, http_error(Errc::Unsupported));
  }

  if (head.is_redirect() && !head.location.empty()) {
    if (redirects_ >= request_.max_redirects)
      return fail(HttpFailure::TooManyRedirects, http_error(Errc::Exhausted));
    Result<HttpUrl> next = url_.resolve(head.location);
    if (!next) return fail(HttpFailure::BadResponse, next.error());
    next_url_ = next.value();
    // The same name again (a relative Location, say): where the caller's lookup
    // of it went. Another name still needs DNS.
    if (!next_url_.has_address && url_.has_address &&
        bytes_equal_nocase(next_url_.host_bytes(), url_.host_bytes())) {
      next_url_.address = url_.address;
      next_url_.has_address = true;
    }
    if (request_.head) {
      redirect_pending_ = true;
      return complete_response(body_base_);
    }
    return setup_body(head, end, true);
  }
  if (head.status != 200 && head.status != 206) {
    abort_pending_ = true;
    return fail(HttpFailure::Status, http_error(Errc::Rejected));
  }
  if (request_.has_range) {
    if (head.status == 200) {
      abort_pending_ = true;
      return fail(HttpFailure::RangeIgnored, http_error(Errc::Unsupported));
    }
    const HttpContentRange& range = head.content_range;
    if (!head.has_content_range || !range.satisfied || range.first != request_.range.first ||
        range.last != request_.range.last ||
        (head.has_content_length && head.content_length != request_.range.length())) {
      abort_pending_ = true;
      return fail(HttpFailure::BadResponse, http_error(Errc::BadValue));
    }
    has_total_ = range.has_complete;
    total_ = range.complete;
  } else {
    if (head.status == 206) {
      abort_pending_ = true;
      return fail(HttpFailure::BadResponse, http_error(Errc::BadValue));
    }
    has_total_ = head.has_content_length;
    total_ = head.content_length;
  }
  if (request_.head) return complete_response(body_base_);
  setup_body(head, end, false);
}

void HttpClient::setup_body(const HttpResponseHead& head, uint64_t end, bool discard) {
  redirect_pending_ = discard;
  discard_ = discard;
  chunked_ = head.chunked;
  written_ = 0;
  if (!head.has_body()) return complete_response(body_base_);
  if (head.chunked) {
    phase_ = Phase::Ring;
    consumed_ = body_base_;
    decoder_ = HttpChunkDecoder();
    return process_ring(end);
  }
  if (!head.has_content_length) {
    // Delimited by the server's close (RFC 9112 6.3 item 8).
    close_delimited_ = true;
    keep_ = false;
  }
  if (discard) {
    phase_ = Phase::Ring;
    consumed_ = body_base_;
    discard_left_ = close_delimited_ ? ~uint64_t{0} : head.content_length;
    return process_ring(end);
  }
  uint64_t length = close_delimited_ ? request_.body.size() : head.content_length;
  // A body delimited by the close that came with its head already longer than
  // the buffer (found by fuzz_http_client: it completed with more bytes than the
  // buffer holds).
  if (length > request_.body.size() || (close_delimited_ && end > body_base_ + length)) {
    abort_pending_ = true;
    return fail(HttpFailure::TooBig, http_error(Errc::TooBig));
  }
  // What already sits in the ring after the head (in order or not) moves to the
  // body; from here on the stream maps onto the body buffer directly.
  size_t head_len = static_cast<size_t>(body_base_ - ring_base_);
  size_t tail = min_of<uint64_t>(ring_.size() - head_len, length);
  copy_bytes(request_.body.first(tail), Bytes(ring_.data() + head_len, tail));
  phase_ = Phase::Direct;
  body_end_ = body_base_ + length;
  if (!close_delimited_ && end >= body_end_) complete_response(body_end_);
}

void HttpClient::process_ring(uint64_t end) {
  while (consumed_ < end && state_ == State::Running && phase_ == Phase::Ring) {
    size_t at = static_cast<size_t>((consumed_ - ring_base_) % ring_.size());
    size_t n = static_cast<size_t>(min_of<uint64_t>(end - consumed_, ring_.size() - at));
    Bytes piece(ring_.data() + at, n);
    if (!chunked_) {
      uint64_t k = min_of<uint64_t>(n, discard_left_);
      consumed_ += k;
      discard_left_ -= k;
      if (discard_left_ == 0) return complete_response(consumed_);
      continue;
    }
    Result<HttpChunkDecoder::Step> step = decoder_.feed(piece);
    if (!step) return fail(HttpFailure::BadResponse, step.error());
    Bytes data = step.value().data;
    if (!discard_ && !data.empty()) {
      if (written_ + data.size() > request_.body.size()) {
        abort_pending_ = true;
        return fail(HttpFailure::TooBig, http_error(Errc::TooBig));
      }
      copy_bytes(request_.body.subspan(static_cast<size_t>(written_)), data);
      written_ += data.size();
    }
    consumed_ += step.value().consumed;
    if (decoder_.done()) return complete_response(consumed_);
    if (step.value().consumed == 0) break;
  }
}

void HttpClient::complete_response(uint64_t end_offset) {
  (void)end_offset;
  phase_ = Phase::None;
  if (!redirect_pending_) {
    if (chunked_ && !discard_) {
      has_content_length_ = true;
      content_length_ = written_;
    } else if (close_delimited_ && !discard_) {
      has_content_length_ = true;
      content_length_ = received_ - body_base_;
    }
    state_ = State::Done;
  }
  if (!keep_) stream_.close();
}

void HttpClient::fail(HttpFailure failure, Error error) {
  state_ = State::Failed;
  failure_ = failure;
  error_ = error;
  phase_ = Phase::None;
  redirect_pending_ = false;
  retry_pending_ = false;
  keep_ = false;
}

uint64_t HttpClient::body_bytes() const {
  if (chunked_) return written_;
  if (discard_ || request_.head || received_ <= body_base_) return 0;
  uint64_t n = received_ - body_base_;
  if (!close_delimited_ && n > content_length_) n = content_length_;
  return n;
}

// ---------------------------------------------------------------------------
// Time and deferred actions

void HttpClient::poll(Millis now) {
  last_now_ = now;
  stream_.poll(now);
  if (abort_pending_) {
    abort_pending_ = false;
    stream_.abort();
  }
  if (state_ != State::Running) return;
  if (retry_pending_) {
    retried_ = true;
    keep_ = false;
    return begin_request(now);
  }
  if (redirect_pending_ && phase_ == Phase::None) {
    ++redirects_;
    ++stats_.redirects;
    url_ = next_url_;
    if (url_.secure != stream_.secure()) {
      // From https to http (a downgrade), or the other way over a plain stream.
      stream_.abort();
      return fail(HttpFailure::BadResponse, http_error(Errc::Unsupported));
    }
    if (!url_.has_address) {
      stream_.abort();
      return fail(HttpFailure::NeedsDns, http_error(Errc::Unsupported));
    }
    return begin_request(now);
  }
  if (stream_.is_closed()) {
    if (reused_ && !retried_ && received_ == resp_start_ && stream_.error().is_error()) {
      // A kept-alive connection the server had already dropped (RST).
      retried_ = true;
      return begin_request(now);
    }
    return fail(HttpFailure::Connection,
                stream_.error().is_error() ? stream_.error() : http_error(Errc::Closed));
  }
  if (received_ != progress_mark_ || stream_.state() != progress_state_) {
    progress_mark_ = received_;
    progress_state_ = stream_.state();
    progress_at_ = now;
  }
  if (now >= progress_at_ + request_.stall_ms) {
    stream_.abort();
    return fail(HttpFailure::Stalled, http_error(Errc::TimedOut));
  }
  if (!head_done_) {
    if (request_.head_ms != 0 && now >= request_at_ + request_.head_ms) {
      stream_.abort();
      return fail(HttpFailure::HeadTimeout, http_error(Errc::TimedOut));
    }
    return;
  }
  if (request_.min_rate == 0 || request_.rate_window_ms == 0) return;
  if (rate_at_ == kNever) {
    // The first window begins at the first poll after the head.
    rate_at_ = now;
    rate_mark_ = received_;
    return;
  }
  if (now < rate_at_ + request_.rate_window_ms) return;
  const uint64_t arrived = received_ - rate_mark_;
  const uint64_t wanted = uint64_t{request_.min_rate} * (now - rate_at_) / 1000;
  if (arrived < wanted) {
    slow_bytes_ = arrived;
    slow_ms_ = now - rate_at_;
    stream_.abort();
    return fail(HttpFailure::TooSlow, http_error(Errc::TimedOut));
  }
  rate_at_ = now;
  rate_mark_ = received_;
}

Millis HttpClient::next_deadline() const {
  if (abort_pending_ || retry_pending_ || (redirect_pending_ && phase_ == Phase::None)) return last_now_;
  const Millis stream_next = stream_.next_deadline();
  if (state_ != State::Running) return stream_next;
  Millis next = progress_at_ + request_.stall_ms;
  if (stream_next < next) next = stream_next;
  if (!head_done_) {
    if (request_.head_ms != 0 && request_at_ + request_.head_ms < next)
      next = request_at_ + request_.head_ms;
  } else if (request_.min_rate != 0 && request_.rate_window_ms != 0) {
    const Millis window = rate_at_ == kNever ? last_now_ : rate_at_ + request_.rate_window_ms;
    if (window < next) next = window;
  }
  return next;
}

size_t HttpClient::describe_failure(char* out, size_t capacity) const {
  const char* what = http_failure_text(failure_);
  switch (failure_) {
    case HttpFailure::Status:
      return format(out, capacity, "%s: %u %s", what, status_, reason_);
    case HttpFailure::ClosedEarly:
      return format(out, capacity, "%s (%llu of %llu bytes)", what,
                    static_cast<unsigned long long>(body_bytes()),
                    static_cast<unsigned long long>(content_length_));
    case HttpFailure::TooBig:
      return format(out, capacity, "%s (%llu bytes)", what,
                    static_cast<unsigned long long>(content_length_));
    case HttpFailure::Stalled:
      return format(out, capacity, "%s: nothing for %llu ms", what,
                    static_cast<unsigned long long>(request_.stall_ms));
    case HttpFailure::HeadTimeout:
      return format(out, capacity, "%s: not within %llu ms of the request", what,
                    static_cast<unsigned long long>(request_.head_ms));
    case HttpFailure::TooSlow:
      return format(out, capacity, "%s: %llu bytes in %llu ms, under %u bytes/s", what,
                    static_cast<unsigned long long>(slow_bytes_),
                    static_cast<unsigned long long>(slow_ms_), request_.min_rate);
    case HttpFailure::Connection: {
      // The stream's own account when the failure is its (TLS names the certificate).
      char cause[320];
      if (error_ == stream_.error()) stream_.describe_error(cause, sizeof(cause));
      else error_format(error_, cause, sizeof(cause));
      return format(out, capacity, "%s (%s)", what, cause);
    }
    default: {
      char error[64];
      error_format(error_, error, sizeof(error));
      return format(out, capacity, "%s (%s)", what, error);
    }
  }
}

void HttpClient::close() {
  if (state_ == State::Running || phase_ != Phase::None) {
    stream_.abort();
    if (state_ == State::Running) fail(HttpFailure::Connection, http_error(Errc::Closed));
    return;
  }
  stream_.close();
  stream_.flush(last_now_);
}

bool HttpClient::connection_closed() const { return stream_.is_closed(); }

}  // namespace mpxe::net
