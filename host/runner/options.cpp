#include "options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>

#include "exit_status.h"
#include "http_boot.h"
#include "ovmf_vars.h"
#include "phy/fault_spec.h"

extern char** environ;

namespace mpxe::runner {

namespace {

constexpr NicModel kNicModels[] = {
#define MPXE_NIC(id, name, vendor, device, driver, description, qemu_device, qemu_options, help, \
                 ovmf_drives)                                                                    \
  {Nic::k##id, name, qemu_device, qemu_options, help, ovmf_drives},
#include "driver/nic/nic_table.h"
#undef MPXE_NIC
};

std::map<std::string, Nic> nic_names() {
  std::map<std::string, Nic> names;
  for (const NicModel& row : kNicModels) names.emplace(row.name, row.nic);
  return names;
}
const std::map<std::string, Nic> kNics = nic_names();

// "virtio (virtio-net-pci), virtio-modern (same, modern only), e1000, e1000e" and
// "virtio|virtio-modern|e1000|e1000e".
std::string nic_help(bool with_notes) {
  std::string text;
  for (const NicModel& row : kNicModels) {
    if (!text.empty()) text += with_notes ? ", " : "|";
    text += row.name;
    if (with_notes && !row.help.empty()) text += " (" + std::string(row.help) + ")";
  }
  return text;
}
const std::map<std::string, Stack> kStacks = {
    {"mpxe", Stack::kMpxe}, {"ovmf", Stack::kOvmf}, {"ipxe", Stack::kIpxe}};
const std::map<std::string, Payload> kPayloads = {{"mpsh", Payload::kMpsh},
                                                  {"uefi-shell", Payload::kUefiShell}};
const std::map<std::string, Accel> kAccels = {{"tcg", Accel::kTcg}, {"kvm", Accel::kKvm}};

template <typename E>
std::string_view enum_name(const std::map<std::string, E>& names, E value) {
  for (const auto& [name, v] : names)
    if (v == value) return name;
  return "?";
}

// Where an option may come from besides the command line, highest precedence first.
// A pattern source ("BLD_*_QEMU_CORE_NUM") matches any variable with that shape.
struct EnvSource {
  std::string_view option;  // long option name, without "--"
  std::vector<std::string_view> variables;
  bool is_flag = false;     // the variable is a boolean (TRUE/FALSE), not a value
};

const std::vector<EnvSource>& env_sources() {
  static const std::vector<EnvSource> sources = {
      {"cores", {"MPXE_CORES", "BLD_*_QEMU_CORE_NUM"}},
      {"pxe-folder", {"PXE_FOLDER_PATH"}},
      {"boot-file", {"PXE_BOOT_FILE"}},
      {"gdb", {"GDB_SERVER"}},
      {"accel", {"QEMU_ACCEL"}},
      {"serial-port", {"SERIAL_PORT"}},
      {"monitor-port", {"MONITOR_PORT"}},
      {"headless", {"QEMU_HEADLESS"}, true},
  };
  return sources;
}

std::optional<std::pair<std::string, std::string>> lookup(const Environment& env,
                                                          std::string_view variable) {
  if (auto star = variable.find('*'); star != std::string_view::npos)
    return env.find_pattern(variable.substr(0, star), variable.substr(star + 1));
  if (auto value = env.get(variable)) return std::pair{std::string(variable), *value};
  return std::nullopt;
}

bool is_true(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value == "true" || value == "1" || value == "yes" || value == "on";
}

// "MPXE_CORES, BLD_*_QEMU_CORE_NUM", "QEMU_HEADLESS=TRUE": OPTION's fallbacks, each
// quoted by QUOTE (help: none; markdown: backticks); empty when it has none.
std::string env_list(std::string_view option, std::string_view quote = "") {
  std::string list;
  for (const auto& source : env_sources()) {
    if (source.option != option) continue;
    for (std::string_view variable : source.variables) {
      if (!list.empty()) list += ", ";
      list += std::string(quote) + std::string(variable) + (source.is_flag ? "=TRUE" : "") +
              std::string(quote);
    }
  }
  return list;
}

// Variables that name host programs and files rather than fill an option
// (resolve_host_paths reads them).
struct HostVariable {
  std::string_view name;
  std::string_view meaning;
};
constexpr HostVariable kHostVariables[] = {
    {"MPXE_BUILD_DIR",
     "build tree holding firmware/mpsh.efi and rom/ (default: the one mpxe was built in)"},
    {"MPXE_QEMU", "QEMU binary (default: qemu-system-x86_64 from PATH)"},
    {"MPXE_OVMF_CODE", "OVMF code image (default: /usr/share/OVMF/OVMF_CODE_4M.fd)"},
    {"MPXE_OVMF_VARS", "OVMF variable store template (default: /usr/share/OVMF/OVMF_VARS_4M.fd)"},
    {"MPXE_OVMF_CODE_SECBOOT",
     "--secure-boot's OVMF code image (default: /usr/share/OVMF/OVMF_CODE_4M.secboot.fd)"},
    {"MPXE_OVMF_VARS_MS",
     "--secure-boot: the store Microsoft's KEK, db and dbx are copied from (default: "
     "/usr/share/OVMF/OVMF_VARS_4M.ms.fd)"},
    {"MPXE_NGINX", "nginx for --http (default: nginx from PATH, else /usr/sbin/nginx)"},
    {"MPXE_OPENSSL", "openssl for --https's certificates (default: openssl from PATH)"},
    {"MPXE_UEFI_SHELL",
     "Shell.efi for --payload uefi-shell (default: .tools/uefi-shell/ in the source tree, made "
     "by scripts/setup --uefi-shell)"},
};

std::string environment_help() {
  std::string text = "Environment fallbacks (the command line wins):";
  size_t column = text.size();
  for (const auto& source : env_sources()) {
    std::string item = " " + env_list(source.option) + ",";
    if (column + item.size() > 90) {
      text += "\n ";
      column = 1;
    }
    text += item;
    column += item.size();
  }
  text.pop_back();  // the last comma
  text += "\nHost programs and files:\n";
  for (const HostVariable& v : kHostVariables) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-16s %s\n", std::string(v.name).c_str(),
                  std::string(v.meaning).c_str());
    text += line;
  }
  return text;
}

// Raw values the parser binds; converted into RunOptions once parsing is done.
struct Bound {
  RunOptions options;
  int gdb_port = 0;
  int serial_port = 0;
  int monitor_port = 0;
};

std::string exit_status_table() {
  std::string text = "Exit status:\n  N     the payload's `exit N` (N = 0..99; QEMU's isa-debug-exit)\n";
  for (const auto& entry : runner_statuses()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-5d %s\n", entry.status, std::string(entry.meaning).c_str());
    text += line;
  }
  return text;
}

// The one table of mpxe run's options: --help, README's table (run_options_markdown)
// and the tests all read it from here. A new option is one add_option/add_flag call
// (option_text "METAVAR (default)"); an environment fallback is one env_sources() row.
// Then regenerate README's table: build/bin/mpxe options --update-readme README.md.
void add_run_options(CLI::App& app, Bound& b) {
  RunOptions& o = b.options;
  app.add_option("--cores", o.cores, "Processors (-smp)")
      ->check(CLI::Range(1u, 255u))
      ->option_text("N (4)");
  app.add_option("--memory", o.memory_mib, "Memory in MiB (-m)")
      ->check(CLI::Range(64u, 1u << 20))
      ->option_text("MiB (1024)");
  app.add_option("--pxe-folder", o.pxe_folder,
                 "Folder served over TFTP (default: a temp folder holding the built mpsh.efi)")
      ->option_text("DIR");
  app.add_option("--boot-file", o.boot_file,
                 "Boot file, relative to the PXE folder")
      ->option_text("PATH (mpsh.efi)");
  app.add_option("--payload", o.payload,
                 "What the runner's PXE folder holds and boots: mpsh (our shell, "
                 "firmware/mpsh.efi) or uefi-shell (EDK II's UEFI Shell, Shell.efi, built by "
                 "scripts/setup --uefi-shell). For uefi-shell, --shell-cmd becomes a startup.nsh "
                 "on a read-only FAT drive and its `exit N` the status")
      ->transform(CLI::CheckedTransformer(kPayloads, CLI::ignore_case).description(""))
      ->option_text("mpsh|uefi-shell (mpsh)");
  app.add_option("--nic", o.nic, "NIC model: " + nic_help(true))
      ->transform(CLI::CheckedTransformer(kNics, CLI::ignore_case).description(""))
      ->option_text(nic_help(false) + " (" + std::string(nic_name(Nic::kVirtio)) + ")");
  app.add_option("--stack", o.stack,
                 "Network boot stack: mpxe (our option ROM: PXE over TFTP, http:// and https:// "
                 "boot files), ovmf (OVMF's own NetworkPkg), ipxe (QEMU's iPXE ROM)")
      ->transform(CLI::CheckedTransformer(kStacks, CLI::ignore_case).description(""))
      ->option_text("mpxe|ovmf|ipxe (mpxe)");
  app.add_option("--tap", o.tap,
                 "Attach the NIC to this TAP interface and serve nothing (the PXE server is yours)")
      ->option_text("IF");
  app.add_option("--mac", o.mac,
                 "The NIC's MAC address (QEMU's 52:54:00:12:34:56 by default): VMs sharing a "
                 "link (a TAP on one bridge) need one each")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return parse_mac(text) ? std::string() : "expected six hex pairs, 52:54:00:ab:cd:ef";
          },
          "MAC"))
      ->option_text("XX:XX:XX:XX:XX:XX");
  app.add_flag("--http", o.http,
               "Also serve the PXE folder over HTTP: the runner starts nginx on 127.0.0.1 (a "
               "free port, stopped with QEMU) and the DHCP answer names "
               "http://10.0.2.2:PORT/<boot file> instead of the file (TFTP still serves the "
               "folder). ipxe boots it; ovmf gets a boot option with that URI written into its "
               "variable store (QEMU's DHCP sends no HTTPClient class, which OVMF's own HTTP "
               "boot options need); mpxe: our ROM fetches it over its own TCP, HEAD for the size "
               "then one byte range per processor (up to four) when the server offers ranges");
  app.add_flag("--https", o.https,
               "--http over TLS (implies --http): the runner makes a CA and a server "
               "certificate for 10.0.2.2 with openssl (RSA 2048, for this run only), nginx "
               "serves the folder with TLS 1.2 and 1.3, the guest gets the CA as fw_cfg "
               "etc/edk2/https/cacerts (what OVMF and mpxe's ROM trust) and the DHCP answer "
               "names https://10.0.2.2:PORT/<boot file>. mpxe boots it over its own TLS (wolfSSL), "
               "ovmf with EDK II's HttpBootDxe/TlsDxe; ipxe cannot (Debian's iPXE ROMs have no "
               "HTTPS)");
  app.add_option("--ca-cert", o.ca_certs,
                 "Trust this CA too (PEM, one or more certificates, or DER; repeatable): "
                 "added to etc/edk2/https/cacerts, for --https, an https:// --boot-url, or the "
                 "https:// URL a --tap link's DHCP server names")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->option_text("FILE");
  app.add_flag("--ca-cert-in-var", o.ca_cert_in_var,
               "Hand the CA certificates (--https's, --ca-cert's) to the guest as the "
               "non-volatile TlsCaCertificate variable in the run's copy of the OVMF variable "
               "store -- what enrolling them in OVMF's TLS Auth Configuration page leaves -- "
               "instead of fw_cfg etc/edk2/https/cacerts (OVMF and mpxe's ROM read the "
               "variable when that file is absent)");
  app.add_option("--boot-url", o.boot_url,
                 "Boot this http:// or https:// URL from a server you run (no nginx; at most "
                 "127 bytes, the DHCP file field); the stacks take it as with --http. https "
                 "needs --ca-cert for the server's CA")
      ->option_text("URL");
  app.add_flag("--secure-boot", o.secure_boot,
               "Boot with UEFI Secure Boot enforced: OVMF's Secure Boot build "
               "(OVMF_CODE_4M.secboot.fd, SMM on, its flash only writable from SMM) and a "
               "variable store written from the empty template with PK and KEK = the "
               "--secure-boot-cert certificate, db = it plus Microsoft's two db certificates and "
               "KEK plus Microsoft's KEK (copied out of OVMF_VARS_4M.ms.fd, so Microsoft-signed "
               "shims verify), dbx = that store's; checked by reading it back. The firmware then "
               "starts only boot images signed by a key in db; it runs option ROMs signed or not "
               "(Debian's OVMF: PcdOptionRomImageVerificationPolicy 0), so ipxe's unsigned ROM "
               "runs too and the images it loads are checked. SMM under TCG slows with every "
               "processor: give it --cores 1");
  app.add_option("--secure-boot-cert", o.secure_boot_cert,
                 "--secure-boot: the certificate (PEM or DER; the first of a PEM file) enrolled "
                 "as PK, KEK and in db: the one your boot images are signed with")
      ->option_text("FILE (build/firmware/signing-cert.pem)");
  app.add_option("--shell-cmd", o.shell_cmd,
                 "Commands the payload runs at start (\"CMD; CMD\"): mpsh reads them with "
                 "-fw_cfg, the UEFI Shell as its startup.nsh; 'exit N' ends the run with status N")
      ->option_text("CMDS");
  app.add_option("--sha256", o.sha256,
                 "Refuse a boot image whose SHA-256 differs (--stack mpxe; passed with -fw_cfg)")
      ->transform(CLI::Validator(
          [](std::string& value) -> std::string {
            bool hex = value.size() == 64 &&
                       std::all_of(value.begin(), value.end(),
                                   [](unsigned char c) { return std::isxdigit(c) != 0; });
            if (!hex) return "--sha256 wants 64 hex digits, got '" + value + "'";
            std::transform(value.begin(), value.end(), value.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return {};
          },
          "HEX", "sha256"))
      ->option_text("HEX");
  app.add_flag("--digest", o.digest,
               "--stack mpxe: compute the image's SHA-256 during the transfer and print it "
               "(sha256=HEX; --sha256 and a FILE.sha256 on the server imply it)");
  app.add_option("--http-aps", o.http_aps,
                 "--stack mpxe, HTTP boot: run the connections on up to N application "
                 "processors, at most one each (0: all on the BSP, the default)")
      ->check(CLI::Range(0, 64))
      ->option_text("N");
  app.add_option("--faults", o.faults,
                 "--stack mpxe, for tests: the ROM's link drops, duplicates, reorders or "
                 "corrupts frames both ways, per mille: drop=N,dup=N,reorder=N,corrupt=N,seed=N. Use "
                 "it over HTTP or a real TFTP server: QEMU's own TFTP server answers every ACK "
                 "with its next block, whatever block the ACK names, so no client recovers a "
                 "lost block from it")
      ->check(CLI::Validator(
          [](std::string& spec) -> std::string {
            mpxe::phy::FaultRates rates;
            uint64_t seed = 1;
            if (!mpxe::phy::parse_fault_spec(spec.c_str(), &rates, &seed))
              return "not drop=N,dup=N,reorder=N,corrupt=N,seed=N with rates 0-1000: " + spec;
            return {};
          },
          "SPEC", "faults"))
      ->option_text("SPEC");
  app.add_option("--pxe-menu", o.pxe_menu,
                 "--stack mpxe: on a site with a PXE boot menu, boot item N (1-based) without "
                 "waiting for the menu prompt (default: the first item that is not local boot, "
                 "after the prompt's timeout)")
      ->check(CLI::Range(1, 255))
      ->option_text("N");
  app.add_flag("--ipv6", o.ipv6,
               "Boot over IPv6 first: QEMU's user network gets ipv6=on (router advertisements "
               "for fec0::/64, a stateless DHCPv6 answer naming tftp://[fec0::2]/<boot file>, "
               "TFTP over IPv6) and mpxe's ROM tries IPv6 before IPv4 (fw_cfg "
               "opt/org.mpxe/ipv6-first; IPv4 stays the fallback). With --tap only the ROM's "
               "order changes, and the link's DHCPv6 server may name a tftp://, http:// or "
               "https:// URL. ovmf and ipxe cannot boot from QEMU's DHCPv6 (they send Solicit, "
               "which it ignores) and fall back to IPv4");
  app.add_flag("--ipv6-only", o.ipv6_only,
               "--ipv6 with IPv4 turned off on QEMU's user network (ipv4=off): nothing to fall "
               "back to, so the boot shows what each stack does on an IPv6-only network. OVMF "
               "and iPXE cannot boot there; they try every boot option and stop");
  app.add_flag("--hash-on-ap", o.hash_on_ap,
               "--stack mpxe: hash the image on an application processor whenever there is "
               "one (default: on the BSP between blocks, on an AP only when the BSP falls behind)");
  app.add_option("--gdb", b.gdb_port,
                 "Start halted with a gdb server on PORT (default 1234)")
      ->expected(0, 1)
      ->default_str(std::to_string(kDefaultGdbPort))
      ->check(CLI::Range(1, 65535))
      ->option_text("[=PORT]");
  app.add_option("--serial-log", o.serial_log, "Write a raw copy of the serial console to FILE")
      ->option_text("FILE");
  app.add_option("--pcap", o.pcap, "Capture the NIC's traffic to FILE (-object filter-dump)")
      ->option_text("FILE");
  app.add_option("--timeout", o.timeout_s, "Stop QEMU after this many seconds (0: never; --gdb: never unless given)")
      ->check(CLI::NonNegativeNumber)
      ->option_text("SECONDS (600)");
  app.add_option("--accel", o.accel,
                 "QEMU accelerator (OVMF dies under this host's KVM: keep tcg)")
      ->transform(CLI::CheckedTransformer(kAccels, CLI::ignore_case).description(""))
      ->option_text("tcg|kvm (tcg)");
  app.add_option("--cpu", o.cpu,
                 "QEMU CPU model and features (-cpu), e.g. max: AES-NI and RDRAND under TCG "
                 "(default: QEMU's, qemu64 under TCG, which has neither)")
      ->option_text("MODEL");
  app.add_option("--serial-port", b.serial_port,
                 "Serial console on a TCP server at 127.0.0.1:PORT instead of this terminal "
                 "(still logged and scanned)")
      ->check(CLI::Range(1, 65535))
      ->option_text("PORT");
  app.add_option("--monitor-port", b.monitor_port,
                 "QEMU monitor on a TCP server at 127.0.0.1:PORT")
      ->check(CLI::Range(1, 65535))
      ->option_text("PORT");
  app.add_flag("--headless", o.headless,
               "No display window (also without $DISPLAY); the serial console always comes "
               "here");
  app.add_flag("--print-command,--dry-run", o.print_command,
               "Print the QEMU command and exit 0");
}

// CLI11's usage line knows nothing of the words after "--"; each option's
// environment fallbacks come from env_sources(), the table the parser reads.
class RunFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "Usage: mpxe run [OPTIONS] [-- EXTRA QEMU ARGS...]\n";
  }
  std::string make_option_desc(const CLI::Option* option) const override {
    std::string env = env_list(option->get_single_name());
    return option->get_description() + (env.empty() ? "" : " [env: " + env + "]");
  }
};

std::unique_ptr<CLI::App> make_run_app(Bound& bound) {
  auto app = std::make_unique<CLI::App>(
      "Boot a Q35 VM (QEMU + OVMF) over the network and stream its serial console.",
      "mpxe run");
  app->formatter(std::make_shared<RunFormatter>());
  // An option given twice takes its last value, so wrappers can override their defaults.
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  add_run_options(*app, bound);
  app->footer(environment_help() + "\n" + exit_status_table());
  return app;
}

// Ports are bound as ints where 0 means "not set" (every valid port is 1..65535);
// a value from the environment survives the command-line pass that follows it.
RunOptions finish(const Bound& b) {
  RunOptions o = b.options;
  if (o.https) o.http = true;  // --https is --http over TLS
  auto port = [](int value) -> std::optional<uint16_t> {
    if (value <= 0) return std::nullopt;
    return static_cast<uint16_t>(value);
  };
  o.gdb_port = port(b.gdb_port);
  o.serial_port = port(b.serial_port);
  o.monitor_port = port(b.monitor_port);
  return o;
}

ParseResult usage_error(std::string message) {
  ParseResult r;
  r.exit_status = static_cast<int>(RunnerStatus::kUsage);
  r.err = "mpxe run: " + message + "\nRun with --help for more information.\n";
  return r;
}

// Text for a markdown table cell: '|' would end the cell, '<' start an HTML tag,
// '*' emphasis.
std::string markdown_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '<' || c == '*') out += '\\';
    out += c;
  }
  return out;
}

// "`--cores N` (4)", "`--gdb[=PORT]`", "`--print-command`, `--dry-run`": the names
// with the metavar in code, the default after, from option_text "METAVAR (default)".
std::string markdown_option(const CLI::Option& option) {
  std::string metavar = option.get_option_text();
  std::string fallback;
  if (auto paren = metavar.rfind(" ("); paren != std::string::npos && metavar.ends_with(")")) {
    fallback = metavar.substr(paren + 1);
    metavar.resize(paren);
  }
  if (!metavar.empty() && metavar.front() != '[') metavar.insert(0, " ");
  std::string cell;
  for (const std::string& name : option.get_lnames())
    cell += (cell.empty() ? "`--" : ", `--") + name + markdown_text(metavar) + "`";
  return fallback.empty() ? cell : cell + " " + markdown_text(fallback);
}

}  // namespace

std::vector<std::string> run_option_names() {
  Bound bound;
  auto app = make_run_app(bound);
  std::vector<std::string> names;
  for (const CLI::Option* option : app->get_options()) {
    if (option == app->get_help_ptr()) continue;
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::string run_options_markdown() {
  Bound bound;
  auto app = make_run_app(bound);
  std::string text =
      "| option | env fallback | meaning |\n"
      "|---|---|---|\n";
  for (const CLI::Option* option : app->get_options()) {
    if (option == app->get_help_ptr()) continue;
    text += "| " + markdown_option(*option) + " | " + env_list(option->get_single_name(), "`") +
            " | " + markdown_text(option->get_description()) + " |\n";
  }
  text += "| `-- ARGS` | | extra QEMU arguments |\n\n";
  text += "| variable | meaning |\n|---|---|\n";
  for (const HostVariable& v : kHostVariables)
    text += "| `" + std::string(v.name) + "` | " + markdown_text(v.meaning) + " |\n";
  return text;
}

std::optional<std::string> replace_options_markdown(std::string_view document,
                                                    std::string_view markdown) {
  size_t begin = document.find(kOptionsMarkdownBegin);
  if (begin == std::string_view::npos) return std::nullopt;
  begin += kOptionsMarkdownBegin.size();
  size_t end = document.find(kOptionsMarkdownEnd, begin);
  if (end == std::string_view::npos) return std::nullopt;
  // Blank lines around the table: the closing marker must not read as one of its rows.
  return std::string(document.substr(0, begin)) + "\n" + std::string(markdown) + "\n" +
         std::string(document.substr(end));
}

const NicModel& nic_model(Nic nic) {
  for (const NicModel& row : kNicModels)
    if (row.nic == nic) return row;
  return kNicModels[0];  // unreachable: Nic's values are the rows
}
std::span<const NicModel> nic_models() { return kNicModels; }
std::string_view nic_name(Nic nic) { return nic_model(nic).name; }
std::string_view stack_name(Stack stack) { return enum_name(kStacks, stack); }
std::string_view accel_name(Accel accel) { return enum_name(kAccels, accel); }
std::string_view payload_name(Payload payload) { return enum_name(kPayloads, payload); }
std::string_view payload_file_name(Payload payload) {
  return payload == Payload::kUefiShell ? "Shell.efi" : "mpsh.efi";
}

Environment Environment::from_process() {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return Environment(vars);
}

std::optional<std::string> Environment::get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<std::pair<std::string, std::string>> Environment::find_pattern(
    std::string_view prefix, std::string_view suffix) const {
  for (const auto& [name, value] : vars_) {
    std::string_view n(name);
    if (value.empty() || n.size() <= prefix.size() + suffix.size()) continue;
    if (n.starts_with(prefix) && n.ends_with(suffix)) return std::pair{name, value};
  }
  return std::nullopt;
}

std::pair<std::vector<std::string>, std::vector<std::string>> split_at_double_dash(
    const std::vector<std::string>& args) {
  auto dash = std::find(args.begin(), args.end(), "--");
  if (dash == args.end()) return {args, {}};
  return {std::vector<std::string>(args.begin(), dash),
          std::vector<std::string>(dash + 1, args.end())};
}

std::optional<std::string> check_combination(const RunOptions& o) {
  if (o.stack == Stack::kOvmf && !nic_model(o.nic).ovmf_drives)
    return "--stack ovmf cannot drive --nic " + std::string(nic_name(o.nic)) +
           ": OVMF has no Intel NIC driver (it carries only VirtioNetDxe), so it would find "
           "no network boot option; use --stack ipxe or --stack mpxe, or --nic virtio";
  if (!o.sha256.empty() && o.stack != Stack::kMpxe)
    return "--sha256 needs --stack mpxe: the digest is checked by mpxe's option ROM";
  if (o.hash_on_ap && o.stack != Stack::kMpxe) return "--hash-on-ap needs --stack mpxe";
  if (o.digest && o.stack != Stack::kMpxe) return "--digest needs --stack mpxe";
  if (o.http_aps >= 0 && o.stack != Stack::kMpxe) return "--http-aps needs --stack mpxe";
  if (!o.faults.empty() && o.stack != Stack::kMpxe) return "--faults needs --stack mpxe";
  if (o.pxe_menu > 0 && o.stack != Stack::kMpxe) return "--pxe-menu needs --stack mpxe";
  if (o.ipv6_only && !o.tap.empty())
    return "--ipv6-only turns IPv4 off on QEMU's user network; with --tap the network is "
           "yours (give it no DHCPv4 server for an IPv6-only link)";
  // On a TAP the link's own DHCPv6 server names the URL; the check below refuses
  // --http/--boot-url there with its own reason.
  if (o.ipv6 && o.tap.empty() && (o.http || !o.boot_url.empty()))
    return std::string("--ipv6 on QEMU's user network boots over TFTP only: its DHCPv6 (slirp) "
                       "names the boot file as tftp://[host]/FILE and nothing else, so ") +
           (o.http ? (o.https ? "--https" : "--http") : "--boot-url") +
           " cannot reach the guest over IPv6; for http(s):// over IPv6 use --tap with a "
           "DHCPv6 server of yours naming the URL (docs/real-server.md, IPv6 HTTP boot)";
  if (o.boot_file.empty()) return "--boot-file must not be empty";
  if (o.boot_file.front() == '/')
    return "--boot-file " + o.boot_file + " must be relative to the PXE folder";
  if (o.https && !o.boot_url.empty())
    return "--https and --boot-url exclude each other: --https serves the folder itself, "
           "--boot-url names a server you run (give it --ca-cert for its CA)";
  if ((o.https || is_https_url(o.boot_url)) && o.stack == Stack::kIpxe)
    return std::string("--stack ipxe cannot boot ") + (o.https ? "--https" : "an https:// URL") +
           ": Debian's iPXE ROMs (ipxe-qemu) are built without HTTPS (their banner lists "
           "'Features: DNS HTTP iSCSI NFS TFTP AoE EFI Menu'; an https:// file fails with "
           "'Operation not supported'); use --stack mpxe or --stack ovmf, or --http";
  // On a TAP the link's DHCP server may name an https:// URL the runner never sees.
  const bool may_boot_https = o.https || is_https_url(o.boot_url) || !o.tap.empty();
  if (!o.ca_certs.empty() && !may_boot_https)
    return "--ca-cert needs --https, an https:// --boot-url or --tap (whose DHCP server may "
           "name an https:// URL): the guest uses it only for TLS";
  if (o.ca_cert_in_var && !may_boot_https)
    return "--ca-cert-in-var needs --https, an https:// --boot-url or --tap: the guest uses the "
           "certificates only for TLS";
  if (is_https_url(o.boot_url) && o.ca_certs.empty())
    return "--boot-url " + o.boot_url + " needs --ca-cert FILE with the CA of that server: the "
           "guest trusts only the certificates handed to it (fw_cfg etc/edk2/https/cacerts)";
  if (o.http && !o.boot_url.empty())
    return "--http and --boot-url exclude each other: --http serves the folder itself, "
           "--boot-url names a server you run";
  if ((o.http || !o.boot_url.empty()) && !o.tap.empty())
    return std::string(o.http ? "--http" : "--boot-url") +
           " needs QEMU's user network: with --tap the DHCP server on the link is yours, "
           "so give it the http:// boot file there";
  if (!o.boot_url.empty())
    if (auto problem = check_boot_url(o.boot_url)) return *problem;
  if (o.http && url_path_escape(o.boot_file).size() > max_http_boot_file_length(o.https))
    return "--boot-file " + o.boot_file + " is too long for " + (o.https ? "--https" : "--http") +
           ": the URL must fit QEMU's DHCP file field (" + std::to_string(kDhcpFileMax) +
           " bytes), which leaves " + std::to_string(max_http_boot_file_length(o.https)) +
           " for the path";
  if (!o.secure_boot_cert.empty() && !o.secure_boot)
    return "--secure-boot-cert needs --secure-boot: the certificate is enrolled only then";
  if (o.secure_boot && o.accel == Accel::kKvm)
    return "--secure-boot needs --accel tcg: OVMF dies under this host's KVM, and its Secure "
           "Boot build needs SMM as well";
  if (o.serial_port && o.gdb_port && *o.serial_port == *o.gdb_port)
    return "--serial-port and --gdb use the same port";
  if (o.serial_port && o.monitor_port && *o.serial_port == *o.monitor_port)
    return "--serial-port and --monitor-port use the same port";
  if (o.monitor_port && o.gdb_port && *o.monitor_port == *o.gdb_port)
    return "--monitor-port and --gdb use the same port";
  return std::nullopt;
}

std::string run_help() {
  Bound bound;
  return make_run_app(bound)->help();
}

ParseResult parse_run_arguments(const std::vector<std::string>& args, const Environment& env) {
  auto [runner_args, qemu_args] = split_at_double_dash(args);
  Bound bound;
  auto app = make_run_app(bound);

  // Lowest precedence first: each environment source is parsed as if it were a
  // command-line word, later sources overwrite earlier ones, and the command line
  // comes last. An option the command line sets is not looked up at all.
  auto parse = [&](std::vector<std::string> words) {
    std::reverse(words.begin(), words.end());  // CLI11 takes them back to front
    app->parse(words);
  };
  try {
    parse(runner_args);
  } catch (const CLI::CallForHelp&) {
    ParseResult r;
    r.out = app->help();
    return r;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  std::vector<std::string> given;  // options set on the command line, then by the environment
  for (const auto& source : env_sources())
    if (app->get_option("--" + std::string(source.option))->count() > 0)
      given.emplace_back(source.option);

  for (const auto& source : env_sources()) {
    if (std::find(given.begin(), given.end(), source.option) != given.end()) continue;
    for (auto var = source.variables.rbegin(); var != source.variables.rend(); ++var) {
      auto found = lookup(env, *var);
      if (!found) continue;
      std::string word = "--" + std::string(source.option);
      if (source.is_flag) {
        if (!is_true(found->second)) continue;
      } else {
        word += "=" + found->second;
      }
      try {
        parse({word});
      } catch (const CLI::ParseError& e) {
        return usage_error(found->first + "=" + found->second + ": " + e.what());
      }
      given.emplace_back(source.option);
    }
  }
  // Values from the environment are in place; the command line overrides them.
  try {
    parse(runner_args);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  RunOptions options = finish(bound);
  if (options.ipv6_only) options.ipv6 = true;
  // A debugging session has no natural end: no default timeout under --gdb.
  if (options.gdb_port && app->get_option("--timeout")->count() == 0) options.timeout_s = 0;
  // Given nowhere, the boot file is the payload the runner's folder holds.
  if (std::find(given.begin(), given.end(), "boot-file") == given.end())
    options.boot_file = std::string(payload_file_name(options.payload));
  options.extra_qemu_args = qemu_args;
  if (auto problem = check_combination(options)) return usage_error(*problem);
  ParseResult r;
  r.options = std::move(options);
  return r;
}

}  // namespace mpxe::runner
