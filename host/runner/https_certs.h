// --https and --ca-cert: the per-run CA and server certificate the runner makes with
// the openssl CLI, the certificates a user hands in (PEM or DER), and the fw_cfg file
// etc/edk2/https/cacerts that gives them to the guest as EFI_SIGNATURE_LISTs, the
// way OVMF reads it (and mpxe's ROM, src/tls/trust_anchors.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

using Der = std::vector<uint8_t>;

// The fw_cfg name OVMF (TlsAuthConfigLib) and mpxe's ROM read trust anchors from.
inline constexpr std::string_view kCaCertsFwCfgName = "etc/edk2/https/cacerts";

// Files of one run's TLS material, all in DIR.
struct HttpsFiles {
  std::string dir;
  std::string ca_config() const { return dir + "/ca.cnf"; }
  std::string ca_key() const { return dir + "/ca.key"; }
  std::string ca_certificate() const { return dir + "/ca.pem"; }
  std::string server_config() const { return dir + "/server.cnf"; }
  std::string server_key() const { return dir + "/server.key"; }
  std::string server_request() const { return dir + "/server.csr"; }
  std::string server_certificate() const { return dir + "/server.pem"; }
  std::string cacerts() const { return dir + "/cacerts.esl"; }
  std::string openssl_log() const { return dir + "/openssl.log"; }
};

// openssl req's configuration for the CA: self-signed, CA:TRUE, certificate signing
// only.
std::string ca_openssl_config();
// For the server: CN and subjectAltName cover the address the guest connects to
// (10.0.2.2, as IP and as a name: EDK II releases differ in which they check) and
// the host's loopback; serverAuth; digitalSignature and keyEncipherment (TLS 1.2
// with RSA key exchange, all OVMF has).
std::string server_openssl_config();

// The openssl commands that make the material, in order: the CA (RSA 2048, 7 days),
// the server's key and request, the server certificate signed by the CA.
std::vector<std::vector<std::string>> https_openssl_commands(const std::string& openssl,
                                                             const HttpsFiles& files);

// Every X.509 certificate in the file at PATH: PEM (one or more CERTIFICATE blocks)
// or one DER certificate. Nothing, with ERROR set, when there is none or it does
// not parse.
std::optional<std::vector<Der>> read_certificates(const std::string& path, std::string& error);

// A certificate's subject as a person names it: its common name, else the whole
// subject on one line; "(not a certificate)" when DER does not parse.
std::string certificate_name(const std::vector<uint8_t>& der);

// One EFI_SIGNATURE_LIST per certificate (type EFI_CERT_X509_GUID, owner mpxe's GUID).
std::vector<uint8_t> signature_lists(const std::vector<Der>& certificates);

}  // namespace mpxe::runner
