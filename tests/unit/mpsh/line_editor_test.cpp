#include "mpsh/line_editor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mpsh {
namespace {

class LineEditorTest : public ::testing::Test {
 protected:
  LineEditorTest() : editor_(&LineEditorTest::capture, this) { editor_.begin(); }

  static void capture(void* self, const char* text) {
    static_cast<LineEditorTest*>(self)->screen_ += text;
  }
  LineEditor::Result type(const std::string& text) {
    LineEditor::Result r = LineEditor::Result::Editing;
    for (char c : text) r = editor_.feed(edit_key_from_uefi(0, static_cast<uint8_t>(c)));
    return r;
  }
  LineEditor::Result key(EditKeyKind kind) { return editor_.feed(EditKey{kind, 0}); }
  // Replays the echoed text on a one-line terminal model: returns what is visible.
  std::string visible() const {
    std::string row;
    size_t col = 0;
    for (char c : screen_) {
      if (c == '\b') {
        if (col > 0) --col;
      } else {
        if (col >= row.size()) row.resize(col + 1, ' ');
        row[col++] = c;
      }
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    return row;
  }

  LineEditor editor_;
  std::string screen_;
  static inline std::vector<const char*> words_;
};

TEST_F(LineEditorTest, TypesAndFinishesOnEnter) {
  EXPECT_EQ(type("ver"), LineEditor::Result::Editing);
  EXPECT_EQ(screen_, "ver");
  EXPECT_EQ(type("\r"), LineEditor::Result::Done);
  EXPECT_STREQ(editor_.text(), "ver");
}

TEST_F(LineEditorTest, BackspaceAndDelFromASerialTerminal) {
  type("helq");
  type("\x7f");
  EXPECT_STREQ(editor_.text(), "hel");
  type("\b");
  EXPECT_STREQ(editor_.text(), "he");
  // OVMF's PC-ANSI terminal reports DEL as the Delete key: at the end it erases back.
  key(EditKeyKind::Delete);
  EXPECT_STREQ(editor_.text(), "h");
  type("elp");
  EXPECT_EQ(visible(), "help");
  EXPECT_EQ(editor_.cursor(), 4u);
}

TEST_F(LineEditorTest, InsertsInTheMiddle) {
  type("tftp gt x");
  for (int i = 0; i < 3; ++i) key(EditKeyKind::Left);
  type("e");
  EXPECT_STREQ(editor_.text(), "tftp get x");
  EXPECT_EQ(editor_.cursor(), 7u);
  EXPECT_EQ(visible(), "tftp get x");
}

TEST_F(LineEditorTest, DeleteUnderCursorHomeEnd) {
  type("xver");
  key(EditKeyKind::Home);
  EXPECT_EQ(editor_.cursor(), 0u);
  key(EditKeyKind::Delete);
  EXPECT_STREQ(editor_.text(), "ver");
  EXPECT_EQ(visible(), "ver");
  key(EditKeyKind::End);
  EXPECT_EQ(editor_.cursor(), 3u);
  key(EditKeyKind::Right);  // nothing past the end
  EXPECT_EQ(editor_.cursor(), 3u);
  key(EditKeyKind::Home);
  key(EditKeyKind::Left);  // nothing before the start
  key(EditKeyKind::Backspace);
  EXPECT_STREQ(editor_.text(), "ver");
}

TEST_F(LineEditorTest, CrLfIsOneEnter) {
  EXPECT_EQ(type("ver\r"), LineEditor::Result::Done);
  editor_.begin();
  EXPECT_EQ(type("\n"), LineEditor::Result::Editing);  // the LF of CR LF
  EXPECT_EQ(type("cpus\n"), LineEditor::Result::Done);  // a lone LF ends a line
  EXPECT_STREQ(editor_.text(), "cpus");
}

TEST_F(LineEditorTest, CtrlCCancels) {
  type("junk");
  EXPECT_EQ(type("\x03"), LineEditor::Result::Cancelled);
  EXPECT_EQ(editor_.length(), 0u);
}

TEST_F(LineEditorTest, HistoryUpAndDown) {
  type("ver\r");
  editor_.begin();
  type("memmap\r");
  editor_.begin();
  screen_.clear();
  type("x");
  key(EditKeyKind::Up);
  EXPECT_STREQ(editor_.text(), "memmap");
  key(EditKeyKind::Up);
  EXPECT_STREQ(editor_.text(), "ver");
  EXPECT_EQ(visible(), "ver");
  key(EditKeyKind::Up);  // oldest stays
  EXPECT_STREQ(editor_.text(), "ver");
  key(EditKeyKind::Down);
  EXPECT_STREQ(editor_.text(), "memmap");
  key(EditKeyKind::Down);
  EXPECT_STREQ(editor_.text(), "");
  EXPECT_EQ(visible(), "");
}

TEST_F(LineEditorTest, HistoryKeepsTheNewestEntries) {
  for (size_t i = 0; i < LineEditor::kHistory + 4; ++i) {
    type("cmd" + std::to_string(i) + "\r");
    editor_.begin();
  }
  for (size_t i = 0; i < LineEditor::kHistory + 3; ++i) key(EditKeyKind::Up);
  EXPECT_STREQ(editor_.text(), "cmd4");
}

TEST_F(LineEditorTest, KillLineAndLengthLimit) {
  type("abc");
  type("\x15");
  EXPECT_EQ(editor_.length(), 0u);
  EXPECT_EQ(visible(), "");
  type(std::string(LineEditor::kMaxLine + 20, 'a'));
  EXPECT_EQ(editor_.length(), LineEditor::kMaxLine);
}

// What OVMF's PC-ANSI terminal driver delivers for keys it does not decode:
// Esc as a scan code, then the rest of the sequence as characters.
TEST_F(LineEditorTest, DecodesSequencesTheTerminalDriverLeftAlone) {
  auto esc = [&] { editor_.feed(edit_key_from_uefi(0x17, 0)); };
  type("xecho hi");
  esc();
  type("[1~");  // Home
  EXPECT_EQ(editor_.cursor(), 0u);
  esc();
  type("[3~");  // Delete
  EXPECT_STREQ(editor_.text(), "echo hi");
  esc();
  type("OF");  // End (SS3)
  EXPECT_EQ(editor_.cursor(), 7u);
  esc();
  type("[2~");  // Insert: nothing
  esc();
  type("[1;5D");  // Ctrl-Left: a left move
  EXPECT_EQ(editor_.cursor(), 6u);
  EXPECT_STREQ(editor_.text(), "echo hi");
  EXPECT_EQ(visible(), "echo hi");
}

TEST_F(LineEditorTest, LoneEscapeLeavesTheNextKeyAlone) {
  type("ab");
  editor_.feed(edit_key_from_uefi(0x17, 0));
  type("c");
  EXPECT_STREQ(editor_.text(), "abc");
  type("\x1b");
  key(EditKeyKind::Left);  // a decoded key ends a pending sequence
  type("[");
  EXPECT_STREQ(editor_.text(), "ab[c");
}

// mpsh's own names (commands.cpp), in its order.
const char* shell_words(size_t index) {
  static const char* const kWords[] = {"help", "ver",  "cpus",   "memmap", "bootopts",
                                       "net",  "tftp", "pxebc",  "snp",    "sha256",
                                       "fwcfg", "echo", "clear", "reset",  "poweroff",
                                       "exit"};
  return index < sizeof(kWords) / sizeof(kWords[0]) ? kWords[index] : nullptr;
}

class CompletionTest : public LineEditorTest {
 protected:
  CompletionTest() { editor_.set_completion(shell_words, "mpsh> "); }
  void tab() { type("\t"); }
};

TEST_F(CompletionTest, AUniquePrefixCompletesWithASpace) {
  type("tf");
  tab();
  EXPECT_STREQ(editor_.text(), "tftp ");
  EXPECT_EQ(visible(), "tftp");
  EXPECT_EQ(editor_.cursor(), 5u);
  type("get x\r");
  EXPECT_STREQ(editor_.text(), "tftp get x");
}

TEST_F(CompletionTest, AmbiguousPrefixesListTheCandidatesAndRedraw) {
  type("p");
  screen_.clear();
  tab();
  EXPECT_STREQ(editor_.text(), "p");
  EXPECT_EQ(screen_, "\npxebc  poweroff\nmpsh> p");
  screen_.clear();
  type("o");
  tab();  // "po": poweroff alone
  EXPECT_STREQ(editor_.text(), "poweroff ");
}

TEST_F(CompletionTest, SeveralMatchesCompleteToWhatTheyShare) {
  words_ = {"memmap", "memtest"};
  editor_.set_completion(
      [](size_t i) -> const char* { return i < words_.size() ? words_[i] : nullptr; }, "> ");
  type("m");
  screen_.clear();
  tab();
  EXPECT_STREQ(editor_.text(), "mem");  // no list yet: the prefix grew
  EXPECT_EQ(screen_, "em");
  screen_.clear();
  tab();
  EXPECT_EQ(screen_, "\nmemmap  memtest\n> mem");
}

TEST_F(CompletionTest, AnEmptyLineListsEveryCommand) {
  tab();
  EXPECT_EQ(screen_,
            "\nhelp  ver  cpus  memmap  bootopts  net  tftp  pxebc  snp  sha256  fwcfg  echo  "
            "clear  reset  poweroff  exit\nmpsh> ");
  EXPECT_STREQ(editor_.text(), "");
}

TEST_F(CompletionTest, OnlyTheCommandNameCompletes) {
  type("echo cl");
  tab();  // an argument: left alone
  EXPECT_STREQ(editor_.text(), "echo cl");
  key(EditKeyKind::Home);
  type("ec");
  tab();  // the cursor inside "ececho": not at the word's end
  EXPECT_STREQ(editor_.text(), "ececho cl");
  editor_.begin();
  type("  cle");
  tab();  // leading blanks are no word
  EXPECT_STREQ(editor_.text(), "  clear ");
  editor_.begin();
  type("zz");
  screen_.clear();
  tab();  // nothing matches: nothing happens
  EXPECT_EQ(screen_, "");
}

TEST_F(CompletionTest, TheCursorStaysWhereItWasAfterAList) {
  type("s x");
  key(EditKeyKind::Left);
  key(EditKeyKind::Left);
  screen_.clear();
  tab();  // "s" before a space: snp, sha256
  EXPECT_EQ(screen_, "\nsnp  sha256\nmpsh> s x\b\b");
  EXPECT_EQ(editor_.cursor(), 1u);
}

TEST_F(LineEditorTest, TabWithoutWordsDoesNothing) {
  type("ver\t");
  EXPECT_STREQ(editor_.text(), "ver");
}

TEST(EditKeyFromUefi, MapsScanCodesAndControls) {
  EXPECT_EQ(edit_key_from_uefi(0x04, 0).kind, EditKeyKind::Left);
  EXPECT_EQ(edit_key_from_uefi(0x08, 0).kind, EditKeyKind::Delete);
  EXPECT_EQ(edit_key_from_uefi(0x17, 0).kind, EditKeyKind::Escape);
  EXPECT_EQ(edit_key_from_uefi(0x0b, 0).kind, EditKeyKind::Ignore);  // F1
  EXPECT_EQ(edit_key_from_uefi(0, 0x0d).kind, EditKeyKind::Enter);
  EXPECT_EQ(edit_key_from_uefi(0, 0x08).kind, EditKeyKind::Backspace);
  EXPECT_EQ(edit_key_from_uefi(0, 0x09).kind, EditKeyKind::Tab);
  EditKey a = edit_key_from_uefi(0, 'a');
  EXPECT_EQ(a.kind, EditKeyKind::Char);
  EXPECT_EQ(a.ch, 'a');
  EXPECT_EQ(edit_key_from_uefi(0, 0x00e9).kind, EditKeyKind::Ignore);  // not ASCII
}

}  // namespace
}  // namespace mpsh
