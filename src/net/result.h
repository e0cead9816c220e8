// A value or the Error that prevented it: the return type of every gate in the
// stack. Freestanding (no <new>, no exceptions): T must be trivially copyable,
// which every view, repr and address type here is.
#pragma once

#include "net/error.h"

namespace mpxe::net {

template <typename T>
class [[nodiscard]] Result {
  static_assert(__is_trivially_copyable(T), "Result holds trivially copyable values only");

 public:
  constexpr Result(const T& value) : value_(value), ok_(true) {}
  constexpr Result(Error error) : error_(error), ok_(false) {}

  constexpr bool ok() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }

  // Reading the value of a failed Result is a bug in the caller: stop at once
  // rather than hand back bytes nobody checked.
  constexpr const T& value() const {
    if (!ok_) __builtin_trap();
    return value_;
  }
  constexpr T& value() {
    if (!ok_) __builtin_trap();
    return value_;
  }
  constexpr Error error() const { return ok_ ? Error() : error_; }

 private:
  union {
    T value_;
    Error error_;
  };
  bool ok_;
};

// Success or an Error, for operations that produce nothing but side effects.
template <>
class [[nodiscard]] Result<void> {
 public:
  constexpr Result() = default;
  constexpr Result(Error error) : error_(error) {}

  constexpr bool ok() const { return !error_.is_error(); }
  constexpr explicit operator bool() const { return ok(); }
  constexpr Error error() const { return error_; }

 private:
  Error error_;
};

}  // namespace mpxe::net
