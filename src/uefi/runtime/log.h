// Console and serial output for firmware images.
//
// Drivers run before BDS has connected any console, when text sent to ConOut is
// lost. log() therefore writes to ConOut once a console device exists and straight
// to the COM1 UART before that, so early lines still reach the serial log.
#pragma once

namespace uefi {

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Always to ConOut (the shell's output); '\n' becomes "\r\n".
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char* text);
void serial_write(const char* text);
bool console_ready();

}  // namespace uefi
