// The interactive side of mpsh: prompt, line editing over ConIn, startup commands.
#pragma once

#include "mpsh/shell.h"

namespace mpsh {

// Runs the commands of the fw_cfg file kShellCommandsFile, when QEMU has one.
void run_startup_commands(Shell& shell);

// Prompt, read a line, run it; forever (commands such as exit end it). Returns
// only when there is no console input to read.
void run_interactive(Shell& shell);

}  // namespace mpsh
