// The shell's line editor, as a state machine that does no I/O: keys come in
// through feed(), what the terminal must show goes out through an echo callback.
// Redrawing uses only printable characters, spaces and '\b' (cursor left), which
// both the UEFI console and OVMF's serial terminal driver understand, so no escape
// sequences are needed. Portable (no UEFI): host tests drive it key by key.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpsh {

enum class EditKeyKind : uint8_t {
  Ignore,
  Char,       // printable ASCII in `ch`
  Enter,      // CR
  LineFeed,   // LF: Enter, unless it is the LF of a CR LF pair
  Backspace,
  Delete,
  Left,
  Right,
  Home,
  End,
  Up,         // older history entry
  Down,       // newer history entry
  Interrupt,  // Ctrl-C: drop the line
  KillLine,   // Ctrl-U: erase the line
  Escape,     // Esc: may start a terminal sequence the firmware left undecoded
  Tab,        // complete the command name
};

struct EditKey {
  EditKeyKind kind = EditKeyKind::Ignore;
  char ch = 0;
};

// The UEFI input key (scan code, UCS-2 character) as an edit key. The scan codes
// are the specification's (UEFI 2.10 table 12.4), repeated so this stays portable.
EditKey edit_key_from_uefi(uint16_t scan_code, uint16_t unicode_char);

class LineEditor {
 public:
  static constexpr size_t kMaxLine = 255;
  static constexpr size_t kHistory = 16;
  // Receives NUL-terminated text to show, at most one call per key.
  using Echo = void (*)(void* context, const char* text);
  // The words Tab completes, by index; null past the last.
  using Words = const char* (*)(size_t index);

  enum class Result { Editing, Done, Cancelled };

  LineEditor(Echo echo, void* context) : echo_(echo), context_(context) {}

  // Tab completes the line's first word from WORDS: a unique match in full (and a
  // space), several to their longest common prefix, else they are listed and
  // PROMPT and the line are shown again below them. Without words Tab does nothing.
  void set_completion(Words words, const char* prompt) {
    words_ = words;
    prompt_ = prompt;
  }

  // Starts an empty line (the prompt is the caller's).
  void begin();
  // Enter finishes the line (Done; text() holds it, and it joins the history when
  // not empty); Ctrl-C gives Cancelled. The caller prints the newline.
  Result feed(EditKey key);

  const char* text() const { return line_; }
  size_t length() const { return length_; }
  size_t cursor() const { return cursor_; }

 private:
  void insert(char c);
  void erase_before_cursor();
  void erase_at_cursor();
  void move_left(size_t n);
  void show_tail(size_t extra_blanks);  // from the cursor to the end, then back
  void replace_line(const char* text);
  void history_add();
  void complete();
  void list_candidates(size_t word_length);
  void out_text(const char* text);
  void out(char c);
  void flush();

  // OVMF's PC-ANSI terminal driver decodes arrows and ESC [ H/F, but hands keys
  // such as Delete (ESC [ 3 ~) over as Esc, '[', '3', '~'. The editor decodes
  // those itself: CSI parameter + '~' (VT220) or a final letter, and SS3 (ESC O).
  enum class EscapeState : uint8_t { None, Esc, Csi, Ss3 };
  bool decode_escape(EditKey* key);

  Echo echo_;
  void* context_;
  EscapeState escape_ = EscapeState::None;
  unsigned escape_param_ = 0;
  char line_[kMaxLine + 1] = {};
  size_t length_ = 0;
  size_t cursor_ = 0;
  bool after_cr_ = false;
  Words words_ = nullptr;
  const char* prompt_ = "";

  char history_[kHistory][kMaxLine + 1] = {};
  size_t history_count_ = 0;  // entries stored, at most kHistory
  size_t history_next_ = 0;   // slot the next entry goes to
  size_t history_back_ = 0;   // 0 = editing a new line, k = k-th most recent entry

  char pending_[3 * (kMaxLine + 1) + 8] = {};
  size_t pending_length_ = 0;
};

}  // namespace mpsh
