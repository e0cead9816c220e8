#include "mpsh/console.h"

#include "mpsh/command_line.h"
#include "qemu/fw_cfg.h"
#include "mpsh/line_editor.h"
#include "mpsh/text.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpsh {
using namespace mpxe::qemu;
namespace {

constexpr char kPrompt[] = "mpsh> ";
// A startup script larger than this is cut (it is typed-in commands, not data).
constexpr uint32_t kMaxScript = 64 * 1024;
constexpr uefi::Uintn kRetryStallUs = 10'000;

void echo_to_console(void*, const char* text) { uefi::console_write(text); }

EditKey read_key(uefi::SimpleTextInputProtocol* in) {
  for (;;) {
    uefi::InputKey key{};
    uefi::Status s = in->ReadKeyStroke(in, &key);
    if (!uefi::is_error(s)) return edit_key_from_uefi(key.ScanCode, key.UnicodeChar);
    uefi::Uintn index = 0;
    uefi::Event event = in->WaitForKey;
    // A device error or a console without a key event: poll gently instead.
    if (s != uefi::kNotReady || event == nullptr ||
        uefi::is_error(uefi::bs()->WaitForEvent(1, &event, &index)))
      uefi::bs()->Stall(kRetryStallUs);
  }
}

}  // namespace

void run_startup_commands(Shell& shell) {
  FwCfgFile file;
  if (!fw_cfg_lookup(kShellCommandsFile, &file) || file.size == 0) return;
  uint32_t size = file.size < kMaxScript ? file.size : kMaxScript;
  // Joined, each separator may grow to "; ": twice the size bounds the line.
  char* script = new (std::nothrow) char[size + 1];
  char* joined = new (std::nothrow) char[2 * size + 1];
  if (script == nullptr || joined == nullptr) {
    uefi::print("mpsh: no memory for the startup commands (%u bytes)\n", size);
    delete[] script;
    delete[] joined;
    return;
  }
  fw_cfg_read(file.select, script, size);
  script[size] = '\0';
  join_commands(script, size, joined, 2 * size + 1);
  uefi::console_write("mpsh: running startup commands: ");
  uefi::console_write(joined);
  uefi::console_write("\n");
  delete[] joined;

  CommandSplitter splitter(script, size);
  TextView command;
  while (splitter.next(&command)) {
    char line[LineEditor::kMaxLine + 1];
    if (command.size() > LineEditor::kMaxLine) {
      uefi::print("mpsh: startup command of %zu characters skipped (at most %zu)\n",
                  command.size(), LineEditor::kMaxLine);
      continue;
    }
    text_copy(line, sizeof(line), command.data(), command.size());
    uefi::print("%s%s\n", kPrompt, line);
    run_command(shell, line);
  }
  delete[] script;
}

void run_interactive(Shell& shell) {
  uefi::SimpleTextInputProtocol* in = uefi::st()->ConIn;
  if (in == nullptr) {
    uefi::print("mpsh: no console input\n");
    return;
  }
  // History and line live here, off the stack: a few KiB.
  auto* editor = new (std::nothrow) LineEditor(echo_to_console, nullptr);
  if (editor == nullptr) {
    uefi::print("mpsh: no memory for the line editor\n");
    return;
  }
  editor->set_completion(command_name, kPrompt);
  for (;;) {
    uefi::console_write(kPrompt);
    editor->begin();
    LineEditor::Result result;
    do result = editor->feed(read_key(in));
    while (result == LineEditor::Result::Editing);
    uefi::console_write("\n");
    if (result != LineEditor::Result::Done) continue;
    char line[LineEditor::kMaxLine + 1];
    text_copy(line, sizeof(line), editor->text(), editor->length());
    run_command(shell, line);
  }
}

}  // namespace mpsh
