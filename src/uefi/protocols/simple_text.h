// EFI_SIMPLE_TEXT_INPUT_PROTOCOL and EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL (UEFI 2.10, 12.3-12.4).
#pragma once

#include "uefi/types.h"

namespace uefi {

struct InputKey {
  uint16_t ScanCode;
  char16_t UnicodeChar;
};
static_assert(sizeof(InputKey) == 4);

// Scan codes for keys with no Unicode character (UEFI 2.10, table 12.4).
constexpr uint16_t kScanUp = 0x01;
constexpr uint16_t kScanDown = 0x02;
constexpr uint16_t kScanRight = 0x03;
constexpr uint16_t kScanLeft = 0x04;
constexpr uint16_t kScanHome = 0x05;
constexpr uint16_t kScanEnd = 0x06;
constexpr uint16_t kScanDelete = 0x08;
constexpr uint16_t kScanEsc = 0x17;

struct SimpleTextInputProtocol {
  Status (*Reset)(SimpleTextInputProtocol* self, Boolean extended_verification);
  Status (*ReadKeyStroke)(SimpleTextInputProtocol* self, InputKey* key);
  Event WaitForKey;
};
static_assert(sizeof(SimpleTextInputProtocol) == 24);

struct SimpleTextOutputMode {
  int32_t MaxMode;
  int32_t Mode;
  int32_t Attribute;
  int32_t CursorColumn;
  int32_t CursorRow;
  Boolean CursorVisible;
};

struct SimpleTextOutputProtocol {
  Status (*Reset)(SimpleTextOutputProtocol* self, Boolean extended_verification);
  Status (*OutputString)(SimpleTextOutputProtocol* self, const char16_t* text);
  Status (*TestString)(SimpleTextOutputProtocol* self, const char16_t* text);
  Status (*QueryMode)(SimpleTextOutputProtocol* self, Uintn mode, Uintn* columns, Uintn* rows);
  Status (*SetMode)(SimpleTextOutputProtocol* self, Uintn mode);
  Status (*SetAttribute)(SimpleTextOutputProtocol* self, Uintn attribute);
  Status (*ClearScreen)(SimpleTextOutputProtocol* self);
  Status (*SetCursorPosition)(SimpleTextOutputProtocol* self, Uintn column, Uintn row);
  Status (*EnableCursor)(SimpleTextOutputProtocol* self, Boolean visible);
  SimpleTextOutputMode* Mode;
};
static_assert(sizeof(SimpleTextOutputProtocol) == 80);

}  // namespace uefi
