// mpxe run: its options, where each one may come from (command line, then the
// environment, then the default), and the parser that resolves them. Pure: the
// environment is passed in, nothing here reads the process's own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

// The NICs mpxe ships a ROM for (src/driver/nic/nic_table.h): kVirtio, kE1000, ...
enum class Nic {
#define MPXE_NIC(id, ...) k##id,
#include "driver/nic/nic_table.h"
#undef MPXE_NIC
};
enum class Stack { kMpxe, kOvmf, kIpxe };
// What the runner's own PXE folder holds and boots: our shell, or EDK II's UEFI Shell.
enum class Payload { kMpsh, kUefiShell };
enum class Accel { kTcg, kKvm };

// A row of the NIC table, as the runner uses it.
struct NicModel {
  Nic nic;
  std::string_view name;          // --nic NAME, rom/mpxe-NAME.rom
  std::string_view qemu_device;   // -device MODEL,...
  std::string_view qemu_options;  // appended to the -device arguments
  std::string_view help;          // --help's note after the name, or empty
  bool ovmf_drives;               // stock OVMF has a driver for it (VirtioNetDxe)
};
const NicModel& nic_model(Nic nic);
std::span<const NicModel> nic_models();  // every row, in the table's order
std::string_view nic_name(Nic nic);
std::string_view stack_name(Stack stack);
std::string_view payload_name(Payload payload);
// The payload's file name in the runner's PXE folder: mpsh.efi, Shell.efi.
std::string_view payload_file_name(Payload payload);
std::string_view accel_name(Accel accel);

// A snapshot of environment variables (name -> value).
class Environment {
 public:
  Environment() = default;
  explicit Environment(const std::map<std::string, std::string>& vars)
      : vars_(vars.begin(), vars.end()) {}
  static Environment from_process();  // reads environ

  std::optional<std::string> get(std::string_view name) const;
  // The first variable whose name is PREFIX*SUFFIX (non-empty middle), in name order.
  std::optional<std::pair<std::string, std::string>> find_pattern(std::string_view prefix,
                                                                  std::string_view suffix) const;

 private:
  std::map<std::string, std::string, std::less<>> vars_{};
};

struct RunOptions {
  unsigned cores = 4;
  unsigned memory_mib = 1024;
  std::string pxe_folder;            // empty: a temp folder holding the built mpsh.efi
  std::string boot_file = "mpsh.efi";  // relative to the folder; the payload's name unless given
  Payload payload = Payload::kMpsh;
  Nic nic = Nic::kVirtio;
  Stack stack = Stack::kMpxe;
  std::string tap;                  // empty: QEMU user networking serving the folder
  std::string mac;                  // the NIC's MAC, XX:XX:XX:XX:XX:XX; empty: QEMU's default
  bool http = false;                // serve the folder over HTTP too (nginx) and boot an http:// URL
  bool https = false;               // --http over TLS: a per-run CA and certificate, the CA to the guest
  std::vector<std::string> ca_certs;  // --ca-cert: PEM/DER files the guest trusts (etc/edk2/https/cacerts)
  bool ca_cert_in_var = false;      // hand them over as the TlsCaCertificate variable, not fw_cfg
  std::string boot_url;             // empty: none; else the DHCP answer names this URL
  bool secure_boot = false;         // OVMF's Secure Boot build, enforcing, with our keys enrolled
  std::string secure_boot_cert;     // --secure-boot's certificate (PK, KEK, db); empty: the build's
  std::string shell_cmd;            // empty: none
  std::string sha256;               // 64 hex digits the image must hash to; empty: any
  std::string faults;              // mpxe's ROM: a lossy link for tests (phy/fault_spec.h); empty: clean
  int pxe_menu = 0;                 // mpxe's ROM: PXE boot menu item to boot (1-based); 0: the first not local
  int http_aps = -1;               // mpxe's ROM runs HTTP connections on up to this many APs; -1: its default
  bool digest = false;              // mpxe's ROM prints the image's SHA-256
  bool hash_on_ap = false;          // mpxe's ROM hashes on an AP, not between blocks on the BSP
  bool ipv6 = false;                // QEMU's user network with IPv6 on; mpxe's ROM tries IPv6 first
  bool ipv6_only = false;           // --ipv6 with IPv4 off on QEMU's user network
  std::optional<uint16_t> gdb_port;
  std::string serial_log;
  std::string pcap;
  unsigned timeout_s = 600;         // 0: none
  Accel accel = Accel::kTcg;
  std::string cpu;                  // -cpu MODEL; empty: QEMU's default (qemu64 under TCG)
  std::optional<uint16_t> serial_port;
  std::optional<uint16_t> monitor_port;
  bool headless = false;
  bool print_command = false;
  std::vector<std::string> extra_qemu_args;  // everything after "--"

  bool operator==(const RunOptions&) const = default;
};

inline constexpr uint16_t kDefaultGdbPort = 1234;

// Outcome of parsing `mpxe run ARGS`: options to run with, or a status to exit
// with and text to print (help: stdout, status 0; error: stderr, status 100).
struct ParseResult {
  std::optional<RunOptions> options;
  int exit_status = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr
};

// ARGS are the words after "run". The environment fills any option the command
// line did not set; see run_help() for the variables.
ParseResult parse_run_arguments(const std::vector<std::string>& args, const Environment& env);

// The full `mpxe run --help` text (options, environment, exit statuses).
std::string run_help();

// The same options as README's markdown: one row per option (names, metavar,
// default, environment fallbacks, the help text), then the host variables. `mpxe
// options --markdown` prints it; tests/unit/runner checks README holds it.
std::string run_options_markdown();
// Every option's long names ("--cores", ..., "--print-command", "--dry-run").
std::vector<std::string> run_option_names();

// README marks where the generated table goes; the lines stay, what lies between
// them is the table.
inline constexpr std::string_view kOptionsMarkdownBegin =
    "<!-- mpxe options --markdown: generated, edit host/runner/options.cpp -->";
inline constexpr std::string_view kOptionsMarkdownEnd = "<!-- end of mpxe options --markdown -->";
// DOCUMENT with MARKDOWN between the markers, or nothing when they are missing.
std::optional<std::string> replace_options_markdown(std::string_view document,
                                                    std::string_view markdown);

// Splits ARGS at the first "--": runner words before, QEMU words after.
std::pair<std::vector<std::string>, std::vector<std::string>> split_at_double_dash(
    const std::vector<std::string>& args);

// Checks combinations that can never work; returns an error line or nothing.
std::optional<std::string> check_combination(const RunOptions& options);

}  // namespace mpxe::runner
