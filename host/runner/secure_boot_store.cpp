#include "secure_boot_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "https_certs.h"
#include "ovmf_vars.h"
#include "secure_boot_keys.h"

namespace mpxe::runner {

namespace {

namespace fs = std::filesystem;

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

// "'A', 'B'" for the X.509 certificates of LISTS, and "N SHA-256 hashes" and the
// like for lists of other types.
std::string describe_lists(const std::vector<uint8_t>& lists) {
  std::string error;
  auto split = split_signature_lists(lists, error);
  if (!split) return "(unreadable: " + error + ")";
  std::string text;
  size_t other = 0;
  for (const SignatureList& list : *split) {
    if (list.type != kCertX509TypeGuid) {
      other += list.signatures.size();
      continue;
    }
    for (const auto& s : list.signatures) {
      if (!text.empty()) text += ", ";
      text += "'" + certificate_name(std::vector<uint8_t>(s.data.begin(), s.data.end())) + "'";
    }
  }
  if (other > 0) {
    if (!text.empty()) text += ", ";
    text += std::to_string(other) + " hash" + (other == 1 ? "" : "es");
  }
  return text.empty() ? "(empty)" : text;
}

}  // namespace

std::optional<std::string> write_secure_boot_store(const SecureBootStoreFiles& files,
                                                   SecureBootStoreReport& report) {
  std::string error;
  auto certificates = read_certificates(files.certificate, error);
  if (!certificates) return error;
  if (certificates->size() > 1)
    report.lines.push_back("only the first of the " + std::to_string(certificates->size()) +
                           " certificates in " + files.certificate + " is enrolled");
  const std::vector<uint8_t> user = signature_lists({certificates->front()});

  std::vector<uint8_t> vendor_kek, vendor_db, vendor_dbx;
  const std::string vendor_name = fs::path(files.vendor_store).filename().string();
  if (auto vendor = read_file(files.vendor_store)) {
    auto stored = read_secure_boot_keys(*vendor, error);
    if (!stored) return files.vendor_store + ": " + error;
    auto kek = signature_lists_owned_by(stored->kek, kMicrosoftOwnerGuid, error);
    if (!kek) return files.vendor_store + ": KEK: " + error;
    auto db = signature_lists_owned_by(stored->db, kMicrosoftOwnerGuid, error);
    if (!db) return files.vendor_store + ": db: " + error;
    if (!split_signature_lists(stored->dbx, error)) return files.vendor_store + ": dbx: " + error;
    vendor_kek = std::move(*kek);
    vendor_db = std::move(*db);
    vendor_dbx = std::move(stored->dbx);
    if (vendor_db.empty())
      report.lines.push_back(files.vendor_store +
                             " holds no db list of Microsoft's: Microsoft-signed shims will be refused");
  } else {
    report.lines.push_back(files.vendor_store + " not found (package ovmf): db holds only " +
                           files.certificate + ", so Microsoft-signed shims will be refused");
  }
  SecureBootKeys keys = secure_boot_keys(user, vendor_kek, vendor_db, vendor_dbx);

  auto image = read_file(files.vars);
  if (!image) return "cannot read " + files.vars;
  if (auto problem = enrol_secure_boot_keys(*image, keys.pk, keys.kek, keys.db, keys.dbx))
    return "cannot enrol the keys in " + files.vars + ": " + *problem;
  {
    std::ofstream out(files.vars, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(image->data()),
              static_cast<std::streamsize>(image->size()));
    if (!out.flush()) return "cannot write " + files.vars;
  }
  auto written = read_file(files.vars);
  if (!written) return "cannot read " + files.vars + " back";
  if (auto problem = check_enrolled(*written, keys))
    return files.vars + " read back wrong: " + *problem;
  auto stored = read_secure_boot_keys(*written, error);
  if (!stored) return files.vars + " read back wrong: " + error;

  const std::string from = vendor_kek.empty() && vendor_db.empty() ? "" : " (Microsoft's from " + vendor_name + ")";
  report.lines.push_back("PK: " + describe_lists(stored->pk));
  report.lines.push_back("KEK: " + describe_lists(stored->kek) + from);
  report.lines.push_back("db: " + describe_lists(stored->db) + from);
  report.lines.push_back("dbx: " + (stored->dbx.empty() ? std::string("none")
                                                       : describe_lists(stored->dbx) + " from " +
                                                             vendor_name));
  return std::nullopt;
}

}  // namespace mpxe::runner
