// mpxe: the host runner. `mpxe run` network-boots a Q35 VM; see `mpxe run --help`.
// `mpxe bench` hands over to the benchmark script in the source tree (bench/run).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "doctor.h"
#include "options.h"
#include "qemu_command.h"
#include "session.h"

#ifndef MPXE_BUILD_DIR
#error "MPXE_BUILD_DIR must name the build tree (set by host/runner/CMakeLists.txt)"
#endif
#ifndef MPXE_SOURCE_DIR
#error "MPXE_SOURCE_DIR must name the source tree (set by host/runner/CMakeLists.txt)"
#endif
#ifndef MPXE_VERSION
#define MPXE_VERSION "unknown"
#endif

namespace {

constexpr std::string_view kUsage =
    "mpxe " MPXE_VERSION " - network-boot a Q35 VM (QEMU + OVMF) into a payload\n"
    "\n"
    "Usage: mpxe run [OPTIONS] [-- EXTRA QEMU ARGS...]\n"
    "       mpxe bench [--quick] [OPTIONS]\n"
    "       mpxe doctor\n"
    "       mpxe options --markdown | --update-readme FILE\n"
    "       mpxe --version\n"
    "\n"
    "Commands:\n"
    "  run      boot over the network and stream the serial console (mpxe run --help)\n"
    "  bench    mpxe side by side with OVMF and iPXE: runs " MPXE_SOURCE_DIR "/bench/run\n"
    "           (mpxe bench --help; docs/PERFORMANCE.md)\n"
    "  doctor   what mpxe run needs and finds on this host, with the package for each\n"
    "           thing missing; status 0 when the default mpxe run can boot, else 1\n"
    "  options  mpxe run's options as README's markdown table (--markdown), or that\n"
    "           table written between its markers in FILE (--update-readme FILE)\n";

// Replaces this process with the benchmark script, pointed at this build tree unless
// MPXE_BUILD_DIR already names one. Returns only when the exec fails.
int exec_bench(const std::vector<std::string>& args) {
  std::string script = MPXE_SOURCE_DIR "/bench/run";
  std::vector<char*> argv;
  std::string python = "python3";
  argv.push_back(python.data());
  argv.push_back(script.data());
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (auto& a : rest) argv.push_back(a.data());
  argv.push_back(nullptr);
  setenv("MPXE_BUILD_DIR", MPXE_BUILD_DIR, 0);
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "mpxe: cannot run %s with python3: %s\n", script.c_str(),
               std::strerror(errno));
  return 100;
}

// mpxe options --markdown | --update-readme FILE.
int options_command(const std::vector<std::string>& args) {
  using namespace mpxe::runner;
  if (args.size() == 2 && args[1] == "--markdown") {
    std::fputs(run_options_markdown().c_str(), stdout);
    return 0;
  }
  if (args.size() == 3 && args[1] == "--update-readme") {
    std::ifstream in(args[2]);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "mpxe options: cannot read %s\n", args[2].c_str());
      return 100;
    }
    auto updated = replace_options_markdown(text.str(), run_options_markdown());
    if (!updated) {
      std::fprintf(stderr, "mpxe options: %s has no '%s' ... '%s' lines\n", args[2].c_str(),
                   std::string(kOptionsMarkdownBegin).c_str(),
                   std::string(kOptionsMarkdownEnd).c_str());
      return 100;
    }
    if (*updated == text.str()) return 0;
    std::ofstream out(args[2], std::ios::trunc);
    out << *updated;
    if (!out.flush()) {
      std::fprintf(stderr, "mpxe options: cannot write %s\n", args[2].c_str());
      return 100;
    }
    std::fprintf(stderr, "mpxe options: updated the table in %s\n", args[2].c_str());
    return 0;
  }
  std::fputs("Usage: mpxe options --markdown | --update-readme FILE\n", stderr);
  return 100;
}

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
  if (args[0] == "bench") return exec_bench(args);
  if (args[0] == "options") return options_command(args);
  if (args[0] == "doctor") {
    Environment env = Environment::from_process();
    auto lines = doctor_checks(resolve_host_paths(env, MPXE_BUILD_DIR, MPXE_SOURCE_DIR),
                               DoctorProbe::real(env));
    std::fputs(doctor_report(lines).c_str(), stdout);
    return doctor_status(lines);
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
  return run_session(*parsed.options, resolve_host_paths(env, MPXE_BUILD_DIR, MPXE_SOURCE_DIR),
                     env);
}
