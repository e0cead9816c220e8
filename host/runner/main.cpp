// mpxe: the host runner. `mpxe run` network-boots a Q35 VM; see `mpxe run --help`.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"
#include "qemu_command.h"
#include "session.h"

#ifndef MPXE_BUILD_DIR
#error "MPXE_BUILD_DIR must name the build tree (set by host/runner/CMakeLists.txt)"
#endif
#ifndef MPXE_VERSION
#define MPXE_VERSION "unknown"
#endif

namespace {

constexpr std::string_view kUsage =
    "mpxe " MPXE_VERSION " - network-boot a Q35 VM (QEMU + OVMF) into a payload\n"
    "\n"
    "Usage: mpxe run [OPTIONS] [-- EXTRA QEMU ARGS...]\n"
    "       mpxe --version\n"
    "\n"
    "Commands:\n"
    "  run    boot over the network and stream the serial console (mpxe run --help)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace mpxe::runner;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? 100 : 0;
  }
  if (args[0] == "--version") {
    std::puts("mpxe " MPXE_VERSION);
    return 0;
  }
  if (args[0] != "run") {
    std::fprintf(stderr, "mpxe: unknown command '%s' (try: mpxe run --help)\n", args[0].c_str());
    return 100;
  }
  Environment env = Environment::from_process();
  ParseResult parsed = parse_run_arguments({args.begin() + 1, args.end()}, env);
  std::fputs(parsed.out.c_str(), stdout);
  std::fputs(parsed.err.c_str(), stderr);
  if (!parsed.options) return parsed.exit_status;
  return run_session(*parsed.options, resolve_host_paths(env, MPXE_BUILD_DIR), env);
}
