#include "serial_scanner.h"

#include <array>
#include <optional>

namespace mpxe::runner {

namespace {

constexpr char kEsc = '\x1b';
constexpr size_t kMaxLine = 4096;  // a line longer than this is matched in pieces

// Boot options whose start means the firmware gave up on every real boot option:
// Debian's OVMF starts its built-in UEFI shell (it is in the boot order even with
// -boot strict=on); other builds enter the UI application.
constexpr std::array kFallbackOptions = {std::string_view("\"EFI Internal Shell\""),
                                         std::string_view("\"UiApp\""),
                                         std::string_view("\"Enter Setup\"")};

bool contains(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

// From "...BdsDxe: failed to load Boot0001 "DESC" from PATH: STATUS" keeps
// `Boot0001 "DESC": STATUS` (the device path is long and says little).
std::string boot_failure_detail(std::string_view line, std::string_view verb) {
  std::string_view rest = line.substr(line.find(verb) + verb.size());
  std::string_view option = rest.substr(0, rest.find(" from "));
  auto colon = rest.rfind(": ");
  std::string detail(option);
  if (colon != std::string_view::npos) detail += std::string(rest.substr(colon));
  return detail;
}

std::string word_after(std::string_view line, std::string_view marker) {
  std::string_view rest = line.substr(line.find(marker) + marker.size());
  return std::string(rest.substr(0, rest.find(' ')));
}

}  // namespace

std::string strip_terminal_escapes(std::string_view text) {
  LineCleaner cleaner;
  std::vector<std::string> pieces;
  cleaner.feed(text, pieces);
  if (auto rest = cleaner.flush()) pieces.push_back(std::move(*rest));
  std::string out;
  for (const auto& piece : pieces) out += piece;
  return out;
}

std::optional<SerialEvent> classify_serial_line(std::string_view line) {
  static constexpr std::string_view kFailedLoad = "BdsDxe: failed to load ";
  static constexpr std::string_view kFailedStart = "BdsDxe: failed to start ";
  static constexpr std::string_view kLoading = "BdsDxe: loading ";
  static constexpr std::string_view kStarting = "BdsDxe: starting ";
  static constexpr std::string_view kNoBootable = "No bootable option or device was found";
  static constexpr std::string_view kDriverLoaded = " loaded at ";
  static constexpr std::string_view kDriver = "mpxe: driver ";
  static constexpr std::string_view kBound = "mpxe: bound to ";
  static constexpr std::string_view kCannotBoot = "mpxe: cannot boot: ";

  auto event = [&](SerialEventKind kind, std::string detail) {
    return SerialEvent{kind, std::move(detail), std::string(line)};
  };
  if (contains(line, kFailedLoad))
    return event(SerialEventKind::kBootOptionFailed, boot_failure_detail(line, kFailedLoad));
  if (contains(line, kFailedStart))
    return event(SerialEventKind::kBootOptionFailed, boot_failure_detail(line, kFailedStart));
  if (contains(line, kLoading)) {
    for (auto fallback : kFallbackOptions)
      if (contains(line, fallback))
        return event(SerialEventKind::kFirmwareGaveUp,
                     "fell back to " + std::string(fallback.substr(1, fallback.size() - 2)));
    return std::nullopt;
  }
  if (contains(line, kStarting))
    return event(SerialEventKind::kBootOptionStarted, boot_failure_detail(line, kStarting));
  if (contains(line, kNoBootable))
    return event(SerialEventKind::kFirmwareGaveUp, std::string(kNoBootable));
  if (contains(line, kDriver) && contains(line, kDriverLoaded))
    return event(SerialEventKind::kDriverLoaded, word_after(line, kDriverLoaded));
  if (contains(line, kCannotBoot))
    return event(SerialEventKind::kRomGaveUp,
                 std::string(line.substr(line.find(kCannotBoot) + kCannotBoot.size())));
  if (contains(line, kBound))
    return event(SerialEventKind::kDriverBound,
                 std::string(line.substr(line.find(kBound) + kBound.size())));
  return std::nullopt;
}

void LineCleaner::end_line(std::vector<std::string>& lines) {
  if (!line_.empty()) lines.push_back(std::move(line_));
  line_.clear();
}

// ECMA-48: ESC [ parameters intermediates final (0x40..0x7e); ESC ( X / ESC ) X
// designate character sets; any other ESC X is a two-byte sequence.
void LineCleaner::feed_byte(char c, std::vector<std::string>& lines) {
  auto u = static_cast<unsigned char>(c);
  switch (escape_) {
    case Escape::kEsc:
      if (c == '[') escape_ = Escape::kCsi;
      else if (c == '(' || c == ')') escape_ = Escape::kCharset;
      else escape_ = Escape::kNone;
      return;
    case Escape::kCharset:
      escape_ = Escape::kNone;
      return;
    case Escape::kCsi:
      if (u >= 0x40 && u <= 0x7e) {
        escape_ = Escape::kNone;
        // Cursor placement and screen clears start new text on screen.
        if (c == 'H' || c == 'J' || c == 'f') end_line(lines);
      }
      return;
    case Escape::kNone:
      break;
  }
  if (c == kEsc) {
    escape_ = Escape::kEsc;
  } else if (c == '\n' || c == '\r') {
    end_line(lines);
  } else if (c == '\b') {
    if (!line_.empty()) line_.pop_back();
  } else if (c == '\t' || u >= 0x20) {
    line_ += c;
    if (line_.size() >= kMaxLine) end_line(lines);
  }
}

void LineCleaner::feed(std::string_view bytes, std::vector<std::string>& lines) {
  for (char c : bytes) feed_byte(c, lines);
}

std::optional<std::string> LineCleaner::flush() {
  if (line_.empty()) return std::nullopt;
  std::string rest = std::move(line_);
  line_.clear();
  return rest;
}

std::vector<SerialEvent> SerialScanner::feed(std::string_view bytes) {
  bytes_seen_ += bytes.size();
  std::vector<std::string> lines;
  cleaner_.feed(bytes, lines);
  std::vector<SerialEvent> events;
  for (const auto& line : lines)
    if (auto event = classify_serial_line(line)) events.push_back(std::move(*event));
  return events;
}

std::vector<SerialEvent> SerialScanner::finish() {
  std::vector<SerialEvent> events;
  if (auto rest = cleaner_.flush())
    if (auto event = classify_serial_line(*rest)) events.push_back(std::move(*event));
  return events;
}

std::optional<std::string> qemu_fatal_error(std::string_view line) {
  if (contains(line, "KVM internal error"))
    return "QEMU: " + std::string(line) +
           " (the VM is stuck; OVMF dies under this host's KVM: use --accel tcg)";
  return std::nullopt;
}

bool ends_boot(const SerialEvent& event, bool user_network, bool ipv6) {
  if (event.kind == SerialEventKind::kFirmwareGaveUp) return true;
  if (!user_network || event.kind != SerialEventKind::kBootOptionFailed) return false;
  return !ipv6 || contains(event.detail, "PXEv6");
}

std::string describe_boot_failure(const SerialEvent& event, const std::string& first_failure,
                                  const std::string& rom_cause, const std::string& boot_url) {
  std::string detail = event.detail;
  if (event.kind == SerialEventKind::kBootOptionFailed)
    detail += boot_url.empty() ? " (no other boot option can reach QEMU's TFTP server either)"
                               : " (the firmware's other options would not find " + boot_url +
                                     " either)";
  else if (!first_failure.empty())
    detail = first_failure + " (and any later options), then the firmware " + detail;
  else
    detail = "the firmware " + detail;
  if (!rom_cause.empty()) detail = "mpxe: " + rom_cause + "; then " + detail;
  return detail;
}

}  // namespace mpxe::runner
