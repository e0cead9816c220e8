#include "pecheck/pe_rules.h"

#include <array>
#include <utility>

#include "pecheck/hex_text.h"

namespace mpxe::pe {
namespace {

constexpr std::array<const char*, data_dir::kMaxEntries> kDirectoryNames = {
    "export", "import", "resource", "exception",
    "security", "base relocation", "debug", "architecture",
    "global pointer", "TLS", "load config", "bound import",
    "import address table", "delay import", "CLR runtime", "reserved"};

// Directories the image or the loader still reads after loading. The security
// directory holds a file offset, and relocations and debug data are read only
// while loading (EDK II keeps its own copy of a runtime driver's fixups), so
// their sections may be discarded.
bool directory_needed_after_load(size_t index) {
  return index != static_cast<size_t>(Directory::Security) &&
         index != static_cast<size_t>(Directory::BaseRelocation) &&
         index != static_cast<size_t>(Directory::Debug);
}

bool is_efi_subsystem(uint16_t subsystem) {
  return subsystem == kSubsystemEfiApplication || subsystem == kSubsystemEfiBootServiceDriver ||
         subsystem == kSubsystemEfiRuntimeDriver;
}

class ViolationList {
 public:
  void add(Rule rule, std::string message) {
    list_.push_back(Violation{rule, std::move(message), PeError::None, CertError::None});
  }
  std::vector<Violation> take() { return std::move(list_); }

 private:
  std::vector<Violation> list_;
};

void check_section_addresses(const PeImage& image, ViolationList& out) {
  for (const Section& s : image.sections)
    if (s.virtual_address % kPageSize != 0)
      out.add(Rule::SectionAddress, "section " + s.name + " VirtualAddress " +
                                        hex(s.virtual_address) + " is not 4 KiB aligned");
}

void check_write_execute(const PeImage& image, ViolationList& out) {
  for (const Section& s : image.sections)
    if (s.has(kScnMemWrite | kScnMemExecute))
      out.add(Rule::WriteExecute, "section " + s.name + " is both writable and executable (" +
                                      hex(s.characteristics) + ")");
}

void check_entry_point(const PeImage& image, const OptionalHeader64& h, ViolationList& out) {
  const Section* s = image.section_at(h.address_of_entry_point);
  if (s == nullptr)
    out.add(Rule::EntryPointExecutable,
            "entry point " + hex(h.address_of_entry_point) + " is outside every section");
  else if (!s->has(kScnMemExecute))
    out.add(Rule::EntryPointExecutable, "entry point " + hex(h.address_of_entry_point) +
                                            " is in section " + s->name + ", which is not executable");
}

void check_discardable(const PeImage& image, const OptionalHeader64& h, ViolationList& out) {
  for (const Section& s : image.sections) {
    if (!s.has(kScnMemDiscardable)) continue;
    if (s.contains_rva(h.address_of_entry_point))
      out.add(Rule::DiscardableNeeded, "section " + s.name + " is discardable but holds the entry point");
    for (size_t i = 0; i < h.data_directories.size(); ++i) {
      const DataDirectory& d = h.data_directories[i];
      if (d.size != 0 && directory_needed_after_load(i) && s.contains_rva(d.virtual_address))
        out.add(Rule::DiscardableNeeded, "section " + s.name + " is discardable but holds the " +
                                             kDirectoryNames[i] + " directory");
    }
  }
}

}  // namespace

const char* rule_name(Rule rule) {
  switch (rule) {
    case Rule::Malformed: return "malformed";
    case Rule::Machine: return "machine";
    case Rule::Pe32PlusMagic: return "pe32plus-magic";
    case Rule::EfiSubsystem: return "efi-subsystem";
    case Rule::SectionAlignment: return "section-alignment";
    case Rule::SectionAddress: return "section-address";
    case Rule::NxCompat: return "nx-compat";
    case Rule::WriteExecute: return "write-execute";
    case Rule::BaseRelocations: return "base-relocations";
    case Rule::EntryPointExecutable: return "entry-point-executable";
    case Rule::DiscardableNeeded: return "discardable-needed";
    case Rule::CertificateTable: return "certificate-table";
    case Rule::Signed: return "signed";
  }
  return "unknown";
}

std::vector<Violation> check_pe_image(const PeImage& image) {
  ViolationList out;
  if (image.machine != kMachineX64)
    out.add(Rule::Machine, "Machine is " + hex(image.machine) + ", not x64 (0x8664)");
  if (image.magic != kMagicPe32Plus)
    out.add(Rule::Pe32PlusMagic, "optional header magic is " + hex(image.magic) +
                                     ", not PE32+ (0x20b); its fields were not checked");
  const OptionalHeader64* h = image.pe32_plus ? &*image.pe32_plus : nullptr;
  if (h && !is_efi_subsystem(h->subsystem))
    out.add(Rule::EfiSubsystem,
            "Subsystem is " + std::to_string(h->subsystem) + ", not an EFI one (10, 11 or 12)");
  if (h && h->section_alignment != kPageSize)
    out.add(Rule::SectionAlignment,
            "SectionAlignment is " + hex(h->section_alignment) + ", must be 0x1000");
  check_section_addresses(image, out);
  if (h && (h->dll_characteristics & kDllNxCompat) == 0)
    out.add(Rule::NxCompat, "DllCharacteristics " + hex(h->dll_characteristics) +
                                " lacks NX_COMPAT (0x100)");
  check_write_execute(image, out);
  if (h) {
    DataDirectory relocations = h->directory(Directory::BaseRelocation);
    if (relocations.virtual_address == 0 || relocations.size == 0)
      out.add(Rule::BaseRelocations,
              "base relocation directory missing or empty: the image loads only at its preferred base");
    check_entry_point(image, *h, out);
    check_discardable(image, *h, out);
  }
  return out.take();
}

std::vector<Violation> check_pe(std::span<const uint8_t> file, const CheckOptions& options) {
  PeParseResult parsed = parse_pe(file);
  if (!parsed.image)
    return {Violation{Rule::Malformed, std::string(pe_error_text(parsed.error)) + ": " + parsed.detail,
                      parsed.error, CertError::None}};
  std::vector<Violation> violations = check_pe_image(*parsed.image);
  CertParseResult certificates = parse_certificate_table(file, *parsed.image);
  if (!certificates.table)
    violations.push_back(Violation{Rule::CertificateTable,
                                   std::string(cert_error_text(certificates.error)) + ": " + certificates.detail,
                                   PeError::None, certificates.error});
  else if (options.require_signature && !certificates.table->signed_image())
    violations.push_back(Violation{Rule::Signed, "no Authenticode signature (security directory empty)",
                                   PeError::None, CertError::None});
  return violations;
}

}  // namespace mpxe::pe
