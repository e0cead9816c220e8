// One `mpxe run`: checks, a private workspace (vars copy, default PXE folder, the
// shell's commands), QEMU as a child with its serial console streamed and scanned,
// and cleanup on every way out, SIGINT and SIGTERM included.
#pragma once

#include "options.h"
#include "qemu_command.h"

namespace mpxe::runner {

// Returns the runner's exit status (see run_help()).
int run_session(const RunOptions& options, const HostPaths& paths, const Environment& env);

}  // namespace mpxe::runner
