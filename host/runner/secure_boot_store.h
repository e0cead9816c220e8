// --secure-boot's variable store: the run's private copy of the empty OVMF_VARS
// template gets the user's certificate and Microsoft's lists (secure_boot_keys.h),
// is read back from the file and checked, and the runner says what it holds.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mpxe::runner {

struct SecureBootStoreFiles {
  std::string vars;          // the run's copy of the template, rewritten in place
  std::string certificate;   // PEM or DER; the first certificate is taken
  std::string vendor_store;  // where Microsoft's lists come from; may be missing
};

// What was enrolled, for the console: one line per database, each naming its
// certificates ("PK: mpxe signing key"), plus any warnings (a missing vendor store,
// extra certificates left out).
struct SecureBootStoreReport {
  std::vector<std::string> lines;
};

// Writes and checks the store. Nothing, with REPORT filled, on success; else why not.
std::optional<std::string> write_secure_boot_store(const SecureBootStoreFiles& files,
                                                   SecureBootStoreReport& report);

}  // namespace mpxe::runner
