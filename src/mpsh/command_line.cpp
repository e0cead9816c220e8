#include "mpsh/command_line.h"

namespace mpsh {
namespace {

bool is_separator(char c) { return c == ';' || c == '\n' || c == '\r' || c == '\0'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool CommandSplitter::next(TextView* command) {
  while (pos_ < size_) {
    size_t start = pos_;
    while (pos_ < size_ && !is_separator(text_[pos_])) ++pos_;
    size_t end = pos_;
    if (pos_ < size_) ++pos_;  // step over the separator
    while (start < end && is_blank(text_[start])) ++start;
    while (end > start && is_blank(text_[end - 1])) --end;
    if (end > start) {
      *command = TextView(text_ + start, end - start);
      return true;
    }
  }
  return false;
}

size_t join_commands(const char* text, size_t size, char* out, size_t capacity) {
  CommandSplitter splitter(text, size);
  TextView command;
  size_t length = 0;
  auto put = [&](char c) {
    if (length + 1 < capacity) out[length] = c;
    ++length;
  };
  bool first = true;
  while (splitter.next(&command)) {
    if (!first) {
      put(';');
      put(' ');
    }
    first = false;
    for (char c : command) put(c);
  }
  if (capacity > 0) out[length < capacity ? length : capacity - 1] = '\0';
  return length;
}

size_t split_words(char* line, char** argv, size_t max_args) {
  size_t argc = 0;
  char* p = line;
  for (;;) {
    while (is_blank(*p)) ++p;
    if (*p == '\0') break;
    char* word = p;
    while (*p != '\0' && !is_blank(*p)) ++p;
    if (argc < max_args) argv[argc++] = word;
    if (*p == '\0') break;
    *p++ = '\0';
  }
  return argc;
}

}  // namespace mpsh
