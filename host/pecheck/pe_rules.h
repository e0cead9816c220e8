// The rules every mpxe firmware image must meet so that UEFI can load it with
// memory protection on: page-aligned sections, NX compatibility, no section
// both writable and executable, relocations to load it anywhere. The
// MpNetworkStack prototype had to switch memory protection off because its
// UNDI driver broke the first of these; check_pe() keeps ours honest. Signing
// must keep them too, and leave a well-formed certificate table at the end.
#pragma once

#include <stdint.h>

#include <span>
#include <string>
#include <vector>

#include "pecheck/pe_certificates.h"
#include "pecheck/pe_image.h"

namespace mpxe::pe {

// Values are stable: tests compare them.
enum class Rule : uint8_t {
  Malformed,             // not parseable as a PE image at all (see Violation::parse_error)
  Machine,               // COFF Machine is not x64 (0x8664)
  Pe32PlusMagic,         // optional header magic is not PE32+ (0x20B)
  EfiSubsystem,          // Subsystem is not an EFI application or driver (10, 11, 12)
  SectionAlignment,      // SectionAlignment is not 4096
  SectionAddress,        // a section's VirtualAddress is not 4 KiB aligned
  NxCompat,              // DllCharacteristics lacks NX_COMPAT (0x0100)
  WriteExecute,          // a section is both MEM_WRITE and MEM_EXECUTE
  BaseRelocations,       // no base relocation directory, or an empty one
  EntryPointExecutable,  // the entry point is outside every executable section
  DiscardableNeeded,     // a discardable section holds the entry point or a directory used after load
  CertificateTable,      // the security directory's certificate table is malformed (see cert_error)
  Signed,                // CheckOptions::require_signature and no Authenticode signature
};

// "section-alignment", ...: the rule's name as the command line prints it.
const char* rule_name(Rule rule);

struct Violation {
  Rule rule;
  std::string message;  // the values found, for people
  PeError parse_error = PeError::None;  // why, when rule is Malformed
  CertError cert_error = CertError::None;  // why, when rule is CertificateTable
};

struct CheckOptions {
  // Shipped images must carry an Authenticode signature (a PKCS_SIGNED_DATA
  // entry); a malformed certificate table is a violation either way.
  bool require_signature = false;
};

// Every rule the image breaks, in the order of the Rule enumeration (per
// section in section-table order); empty when it conforms. Bytes that do not
// parse give one Malformed violation.
std::vector<Violation> check_pe(std::span<const uint8_t> file, const CheckOptions& options = {});

// The rules over an already parsed image.
std::vector<Violation> check_pe_image(const PeImage& image);

}  // namespace mpxe::pe
