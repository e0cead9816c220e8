#include "core/format.h"

#include <stdint.h>

namespace mpxe {
namespace {

class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), capacity_(capacity) {}
  void put(char c) {
    if (length_ + 1 < capacity_) out_[length_] = c;
    ++length_;
  }
  void pad(int count, char c) {
    for (int i = 0; i < count; ++i) put(c);
  }
  size_t finish() {
    if (capacity_ > 0) out_[length_ < capacity_ ? length_ : capacity_ - 1] = '\0';
    return length_;
  }

 private:
  char* out_;
  size_t capacity_;
  size_t length_ = 0;
};

void put_number(Writer& w, uint64_t value, unsigned base, bool upper, bool negative, int width,
                bool zero_pad) {
  char digits[24];
  int n = 0;
  const char* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = alphabet[value % base];
    value /= base;
  } while (value != 0);
  int total = n + (negative ? 1 : 0);
  if (zero_pad) {
    if (negative) w.put('-');
    w.pad(width - total, '0');
  } else {
    w.pad(width - total, ' ');
    if (negative) w.put('-');
  }
  while (n > 0) w.put(digits[--n]);
}

}  // namespace

size_t format_v(char* out, size_t capacity, const char* fmt, va_list args) {
  Writer w(out, capacity);
  for (const char* p = fmt; *p != '\0'; ++p) {
    if (*p != '%') {
      w.put(*p);
      continue;
    }
    ++p;
    bool zero_pad = false;
    bool left = false;
    for (;; ++p) {
      if (*p == '0') zero_pad = true;
      else if (*p == '-') left = true;
      else break;
    }
    int width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    int longs = 0;
    bool size_t_arg = false;
    while (*p == 'l') {
      ++longs;
      ++p;
    }
    if (*p == 'z') {
      size_t_arg = true;
      ++p;
    }
    auto unsigned_arg = [&]() -> uint64_t {
      if (size_t_arg) return va_arg(args, size_t);
      if (longs >= 2) return va_arg(args, unsigned long long);
      if (longs == 1) return va_arg(args, unsigned long);
      return va_arg(args, unsigned int);
    };
    switch (*p) {
      case 'd':
      case 'i': {
        int64_t v;
        if (size_t_arg) v = static_cast<int64_t>(va_arg(args, size_t));
        else if (longs >= 2) v = va_arg(args, long long);
        else if (longs == 1) v = va_arg(args, long);
        else v = va_arg(args, int);
        uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        put_number(w, magnitude, 10, false, v < 0, width, zero_pad);
        break;
      }
      case 'u':
        put_number(w, unsigned_arg(), 10, false, false, width, zero_pad);
        break;
      case 'x':
      case 'X':
        put_number(w, unsigned_arg(), 16, *p == 'X', false, width, zero_pad);
        break;
      case 'p':
        w.put('0');
        w.put('x');
        put_number(w, reinterpret_cast<uintptr_t>(va_arg(args, void*)), 16, false, false, 0,
                   false);
        break;
      case 'c':
        w.pad(width - 1, ' ');
        w.put(static_cast<char>(va_arg(args, int)));
        break;
      case 's': {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) s = "(null)";
        int len = 0;
        while (s[len] != '\0') ++len;
        if (!left) w.pad(width - len, ' ');
        for (int i = 0; i < len; ++i) w.put(s[i]);
        if (left) w.pad(width - len, ' ');
        break;
      }
      case '%':
        w.put('%');
        break;
      case '\0':
        return w.finish();
      default:
        w.put('%');
        w.put(*p);
        break;
    }
  }
  return w.finish();
}

size_t format(char* out, size_t capacity, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = format_v(out, capacity, fmt, args);
  va_end(args);
  return n;
}

void format_append(char* out, size_t capacity, size_t& length, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t at = length < capacity ? length : capacity;
  length += format_v(out + at, capacity - at, fmt, args);
  va_end(args);
}

void copy_printable(Bytes text, char* out, size_t capacity) {
  if (capacity == 0) return;
  size_t n = 0;
  for (; n < text.size() && n + 1 < capacity; ++n) {
    uint8_t c = text[n];
    out[n] = (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  out[n] = '\0';
}

size_t format_mib(uint64_t bytes, char* out, size_t capacity) {
  uint64_t whole = bytes >> 20;
  uint64_t tenths = ((bytes & 0xfffff) * 10 + (1 << 19)) >> 20;  // rounded
  if (tenths == 10) {
    ++whole;
    tenths = 0;
  }
  if (tenths == 0 && whole != 0)
    return format(out, capacity, "%llu MiB", static_cast<unsigned long long>(whole));
  return format(out, capacity, "%llu.%llu MiB", static_cast<unsigned long long>(whole),
                static_cast<unsigned long long>(tenths));
}

SizeUnit size_unit_for(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30)) return SizeUnit::kGiB;
  if (bytes >= (uint64_t{1} << 20)) return SizeUnit::kMiB;
  if (bytes >= (uint64_t{1} << 10)) return SizeUnit::kKiB;
  return SizeUnit::kB;
}

const char* size_unit_name(SizeUnit unit) {
  switch (unit) {
    case SizeUnit::kKiB: return "KiB";
    case SizeUnit::kMiB: return "MiB";
    case SizeUnit::kGiB: return "GiB";
    default: return "B";
  }
}

size_t format_in_unit(uint64_t bytes, SizeUnit unit, char* out, size_t capacity) {
  const unsigned shift = 10 * static_cast<unsigned>(unit);
  if (shift == 0) return format(out, capacity, "%llu", static_cast<unsigned long long>(bytes));
  const uint64_t part = bytes & ((uint64_t{1} << shift) - 1);
  return format(out, capacity, "%llu.%llu", static_cast<unsigned long long>(bytes >> shift),
                static_cast<unsigned long long>(part * 10 >> shift));
}

size_t format_progress(uint64_t done, uint64_t total, char* out, size_t capacity) {
  const SizeUnit unit = size_unit_for(total != 0 ? total : done);
  char done_text[24];
  format_in_unit(done, unit, done_text, sizeof(done_text));
  if (total == 0) return format(out, capacity, "%s %s", done_text, size_unit_name(unit));
  char total_text[24];
  format_in_unit(total, unit, total_text, sizeof(total_text));
  return format(out, capacity, "%s/%s %s", done_text, total_text, size_unit_name(unit));
}

}  // namespace mpxe
