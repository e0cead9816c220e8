#include "uefi/runtime/log.h"

#include <stdarg.h>

#include "core/format.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/port_io.h"

namespace uefi {
namespace {

// gEfiConsoleOutDeviceGuid: ConPlatform puts it on every real console output device.
constexpr Guid kConsoleOutDeviceGuid = {
    0xd3b36f2c, 0xd551, 0x11d4, {0x9a, 0x46, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};

constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kLineStatus = 5;
constexpr uint8_t kTransmitHoldingEmpty = 0x20;

bool g_console_seen;

void serial_put(char c) {
  // Bounded wait: a missing UART must not hang the boot.
  for (int spins = 0; spins < 100000; ++spins)
    if (inb(kCom1 + kLineStatus) & kTransmitHoldingEmpty) break;
  outb(kCom1, static_cast<uint8_t>(c));
}

}  // namespace

bool console_ready() {
  if (g_console_seen) return true;
  if (st() == nullptr || st()->ConOut == nullptr) return false;
  Uintn count = 0;
  Handle* handles = nullptr;
  if (!is_error(bs()->LocateHandleBuffer(LocateSearchType::ByProtocol, &kConsoleOutDeviceGuid,
                                         nullptr, &count, &handles))) {
    bs()->FreePool(handles);
    g_console_seen = count > 0;
  }
  return g_console_seen;
}

void console_write(const char* text) {
  if (st() == nullptr || st()->ConOut == nullptr) return;
  char16_t wide[129];
  size_t n = 0;
  auto flush = [&] {
    wide[n] = 0;
    st()->ConOut->OutputString(st()->ConOut, wide);
    n = 0;
  };
  for (const char* p = text; *p != '\0'; ++p) {
    if (n + 2 >= 128) flush();
    if (*p == '\n') wide[n++] = u'\r';
    wide[n++] = static_cast<unsigned char>(*p);
  }
  if (n > 0) flush();
}

void serial_write(const char* text) {
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p == '\n') serial_put('\r');
    serial_put(*p);
  }
}

void log(const char* fmt, ...) {
  char line[512];
  va_list args;
  va_start(args, fmt);
  mpxe::format_v(line, sizeof(line), fmt, args);
  va_end(args);
  if (console_ready()) console_write(line);
  else serial_write(line);
}

void print(const char* fmt, ...) {
  char line[512];
  va_list args;
  va_start(args, fmt);
  mpxe::format_v(line, sizeof(line), fmt, args);
  va_end(args);
  console_write(line);
}

}  // namespace uefi
