#include "mpsh/line_editor.h"

#include "mpsh/text.h"

namespace mpsh {
namespace {

constexpr uint16_t kScanUp = 0x01;
constexpr uint16_t kScanDown = 0x02;
constexpr uint16_t kScanRight = 0x03;
constexpr uint16_t kScanLeft = 0x04;
constexpr uint16_t kScanHome = 0x05;
constexpr uint16_t kScanEnd = 0x06;
constexpr uint16_t kScanDelete = 0x08;
constexpr uint16_t kScanEsc = 0x17;

EditKeyKind final_letter(char c) {
  switch (c) {
    case 'A': return EditKeyKind::Up;
    case 'B': return EditKeyKind::Down;
    case 'C': return EditKeyKind::Right;
    case 'D': return EditKeyKind::Left;
    case 'H': return EditKeyKind::Home;
    case 'F': return EditKeyKind::End;
    default: return EditKeyKind::Ignore;
  }
}

// VT220 editing keys: ESC [ n ~.
EditKeyKind tilde_code(unsigned n) {
  switch (n) {
    case 1:
    case 7: return EditKeyKind::Home;
    case 3: return EditKeyKind::Delete;
    case 4:
    case 8: return EditKeyKind::End;
    default: return EditKeyKind::Ignore;  // Insert, Page Up/Down, function keys
  }
}

}  // namespace

EditKey edit_key_from_uefi(uint16_t scan_code, uint16_t unicode_char) {
  switch (scan_code) {
    case kScanUp: return {EditKeyKind::Up};
    case kScanDown: return {EditKeyKind::Down};
    case kScanRight: return {EditKeyKind::Right};
    case kScanLeft: return {EditKeyKind::Left};
    case kScanHome: return {EditKeyKind::Home};
    case kScanEnd: return {EditKeyKind::End};
    case kScanDelete: return {EditKeyKind::Delete};
    case kScanEsc: return {EditKeyKind::Escape};
    default: break;
  }
  if (scan_code != 0 && unicode_char == 0) return {};
  switch (unicode_char) {
    case 0x0d: return {EditKeyKind::Enter};
    case 0x0a: return {EditKeyKind::LineFeed};
    case 0x08:
    case 0x7f: return {EditKeyKind::Backspace};
    case 0x09: return {EditKeyKind::Tab};
    case 0x01: return {EditKeyKind::Home};       // Ctrl-A
    case 0x02: return {EditKeyKind::Left};       // Ctrl-B
    case 0x03: return {EditKeyKind::Interrupt};  // Ctrl-C
    case 0x04: return {EditKeyKind::Delete};     // Ctrl-D
    case 0x05: return {EditKeyKind::End};        // Ctrl-E
    case 0x06: return {EditKeyKind::Right};      // Ctrl-F
    case 0x0e: return {EditKeyKind::Down};       // Ctrl-N
    case 0x10: return {EditKeyKind::Up};         // Ctrl-P
    case 0x15: return {EditKeyKind::KillLine};   // Ctrl-U
    case 0x1b: return {EditKeyKind::Escape};
    default: break;
  }
  if (unicode_char >= 0x20 && unicode_char < 0x7f)
    return {EditKeyKind::Char, static_cast<char>(unicode_char)};
  return {};
}

void LineEditor::begin() {
  length_ = 0;
  cursor_ = 0;
  line_[0] = '\0';
  history_back_ = 0;
  escape_ = EscapeState::None;
}

bool LineEditor::decode_escape(EditKey* key) {
  if (key->kind == EditKeyKind::Escape) {
    escape_ = EscapeState::Esc;
    return false;
  }
  switch (escape_) {
    case EscapeState::None: return true;
    case EscapeState::Esc:
      escape_ = EscapeState::None;
      if (key->kind == EditKeyKind::Char && key->ch == '[') {
        escape_ = EscapeState::Csi;
        escape_param_ = 0;
        return false;
      }
      if (key->kind == EditKeyKind::Char && key->ch == 'O') {
        escape_ = EscapeState::Ss3;
        return false;
      }
      return true;  // a lone Esc: the key after it is an ordinary key
    case EscapeState::Csi:
      if (key->kind != EditKeyKind::Char) break;
      if (key->ch >= '0' && key->ch <= '9') {
        if (escape_param_ < 1000) escape_param_ = escape_param_ * 10 + unsigned(key->ch - '0');
        return false;
      }
      if (key->ch == ';') return false;  // modifiers: ignored
      escape_ = EscapeState::None;
      *key = EditKey{key->ch == '~' ? tilde_code(escape_param_) : final_letter(key->ch)};
      return true;
    case EscapeState::Ss3:
      if (key->kind != EditKeyKind::Char) break;
      escape_ = EscapeState::None;
      *key = EditKey{final_letter(key->ch)};
      return true;
  }
  escape_ = EscapeState::None;  // a decoded key in mid-sequence ends it
  return true;
}

LineEditor::Result LineEditor::feed(EditKey key) {
  if (!decode_escape(&key)) return Result::Editing;
  bool after_cr = after_cr_;
  after_cr_ = false;
  Result result = Result::Editing;
  switch (key.kind) {
    case EditKeyKind::Ignore:
    case EditKeyKind::Escape: break;
    case EditKeyKind::Char: insert(key.ch); break;
    case EditKeyKind::Enter:
      after_cr_ = true;
      history_add();
      result = Result::Done;
      break;
    case EditKeyKind::LineFeed:
      if (after_cr) break;  // second half of CR LF
      history_add();
      result = Result::Done;
      break;
    case EditKeyKind::Backspace: erase_before_cursor(); break;
    case EditKeyKind::Delete:
      // A serial terminal's Backspace key sends DEL (0x7f), which OVMF's PC-ANSI
      // terminal driver reports as the Delete key. At the end of the line Delete
      // would do nothing, so there it erases backwards and Backspace works.
      if (cursor_ == length_) erase_before_cursor();
      else erase_at_cursor();
      break;
    case EditKeyKind::Left:
      if (cursor_ > 0) move_left(1);
      break;
    case EditKeyKind::Right:
      if (cursor_ < length_) out(line_[cursor_++]);
      break;
    case EditKeyKind::Home: move_left(cursor_); break;
    case EditKeyKind::End:
      while (cursor_ < length_) out(line_[cursor_++]);
      break;
    case EditKeyKind::Up:
      if (history_back_ < history_count_) {
        ++history_back_;
        replace_line(history_[(history_next_ + kHistory - history_back_) % kHistory]);
      }
      break;
    case EditKeyKind::Down:
      if (history_back_ > 0) {
        --history_back_;
        replace_line(history_back_ == 0
                         ? ""
                         : history_[(history_next_ + kHistory - history_back_) % kHistory]);
      }
      break;
    case EditKeyKind::Interrupt:
      out('^');
      out('C');
      length_ = cursor_ = 0;
      line_[0] = '\0';
      result = Result::Cancelled;
      break;
    case EditKeyKind::KillLine: replace_line(""); break;
    case EditKeyKind::Tab: complete(); break;
  }
  flush();
  return result;
}

void LineEditor::insert(char c) {
  if (length_ >= kMaxLine) return;
  for (size_t i = length_; i > cursor_; --i) line_[i] = line_[i - 1];
  line_[cursor_] = c;
  line_[++length_] = '\0';
  out(line_[cursor_++]);
  show_tail(0);
}

void LineEditor::erase_before_cursor() {
  if (cursor_ == 0) return;
  move_left(1);
  erase_at_cursor();
}

void LineEditor::erase_at_cursor() {
  if (cursor_ >= length_) return;
  for (size_t i = cursor_; i < length_; ++i) line_[i] = line_[i + 1];
  --length_;
  show_tail(1);
}

void LineEditor::move_left(size_t n) {
  for (size_t i = 0; i < n && cursor_ > 0; ++i, --cursor_) out('\b');
}

void LineEditor::show_tail(size_t extra_blanks) {
  for (size_t i = cursor_; i < length_; ++i) out(line_[i]);
  for (size_t i = 0; i < extra_blanks; ++i) out(' ');
  for (size_t i = cursor_; i < length_ + extra_blanks; ++i) out('\b');
}

void LineEditor::replace_line(const char* text) {
  size_t old_length = length_;
  move_left(cursor_);
  length_ = text_copy(line_, sizeof(line_), text, kMaxLine);
  for (cursor_ = 0; cursor_ < length_; ++cursor_) out(line_[cursor_]);
  // Blank what is left of a longer old line, then come back to the end.
  for (size_t i = length_; i < old_length; ++i) out(' ');
  for (size_t i = length_; i < old_length; ++i) out('\b');
}

void LineEditor::history_add() {
  if (length_ == 0) return;
  if (history_count_ > 0 &&
      text_equal(history_[(history_next_ + kHistory - 1) % kHistory], line_))
    return;  // no duplicate of the previous entry
  text_copy(history_[history_next_], sizeof(history_[0]), line_, length_);
  history_next_ = (history_next_ + 1) % kHistory;
  if (history_count_ < kHistory) ++history_count_;
}

namespace {

// Whether WORD starts with the LENGTH characters of PREFIX.
bool starts_with(const char* word, const char* prefix, size_t length) {
  for (size_t i = 0; i < length; ++i)
    if (word[i] != prefix[i]) return false;
  return true;
}

}  // namespace

void LineEditor::complete() {
  if (words_ == nullptr) return;
  // Only the command name: the cursor at the end of the line's first word.
  size_t start = 0;
  while (start < length_ && line_[start] == ' ') ++start;
  if (cursor_ < start) return;
  for (size_t i = start; i < cursor_; ++i)
    if (line_[i] == ' ') return;
  if (cursor_ < length_ && line_[cursor_] != ' ') return;
  const char* prefix = line_ + start;
  const size_t typed = cursor_ - start;

  // The first match, and how much of it every match shares.
  const char* first = nullptr;
  size_t common = 0;
  size_t matches = 0;
  for (size_t i = 0; const char* word = words_(i); ++i) {
    if (!starts_with(word, prefix, typed)) continue;
    if (matches++ == 0) {
      first = word;
      common = text_length(word);
    } else {
      size_t n = 0;
      while (n < common && word[n] == first[n]) ++n;
      common = n;
    }
  }
  if (matches == 0) return;
  for (size_t i = typed; i < common; ++i) insert(first[i]);
  if (matches == 1) {
    if (cursor_ == length_) insert(' ');
    return;
  }
  if (common == typed) list_candidates(typed);
}

// The matches of the word before the cursor on their own line, then the prompt and
// the line again, the cursor where it was.
void LineEditor::list_candidates(size_t word_length) {
  const char* prefix = line_ + cursor_ - word_length;
  out('\n');
  size_t listed = 0;
  for (size_t i = 0; const char* word = words_(i); ++i) {
    if (!starts_with(word, prefix, word_length)) continue;
    if (listed++ > 0) out_text("  ");
    out_text(word);
  }
  out('\n');
  out_text(prompt_);
  out_text(line_);
  for (size_t i = cursor_; i < length_; ++i) out('\b');
}

void LineEditor::out_text(const char* text) {
  for (; *text != '\0'; ++text) out(*text);
}

void LineEditor::out(char c) {
  if (pending_length_ + 1 >= sizeof(pending_)) flush();
  pending_[pending_length_++] = c;
}

void LineEditor::flush() {
  if (pending_length_ == 0) return;
  pending_[pending_length_] = '\0';
  pending_length_ = 0;
  if (echo_ != nullptr) echo_(context_, pending_);
}

}  // namespace mpsh
