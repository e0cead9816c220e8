#include "https_certs.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "http_boot.h"
#include "tls/signature_list.h"

namespace mpxe::runner {

std::string ca_openssl_config() {
  return "# Written by mpxe run --https: the run's own CA, thrown away with the run.\n"
         "[req]\n"
         "distinguished_name = dn\n"
         "prompt = no\n"
         "x509_extensions = ca\n"
         "[dn]\n"
         "CN = mpxe run CA\n"
         "[ca]\n"
         "basicConstraints = critical, CA:TRUE\n"
         "keyUsage = critical, keyCertSign, cRLSign\n"
         "subjectKeyIdentifier = hash\n";
}

std::string server_openssl_config() {
  const std::string host(kGuestHostAddress);
  return "# Written by mpxe run --https: the certificate nginx serves, for the guest's\n"
         "# view of the host.\n"
         "[req]\n"
         "distinguished_name = dn\n"
         "prompt = no\n"
         "[dn]\n"
         "CN = " + host + "\n"
         "[server]\n"
         "basicConstraints = critical, CA:FALSE\n"
         "keyUsage = critical, digitalSignature, keyEncipherment\n"
         "extendedKeyUsage = serverAuth\n"
         "subjectAltName = IP:" + host + ", DNS:" + host + ", IP:127.0.0.1, DNS:localhost\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid\n";
}

std::vector<std::vector<std::string>> https_openssl_commands(const std::string& openssl,
                                                             const HttpsFiles& f) {
  return {
      {openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "7",
       "-config", f.ca_config(), "-keyout", f.ca_key(), "-out", f.ca_certificate()},
      {openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-config",
       f.server_config(), "-keyout", f.server_key(), "-out", f.server_request()},
      {openssl, "x509", "-req", "-sha256", "-days", "7", "-in", f.server_request(), "-CA",
       f.ca_certificate(), "-CAkey", f.ca_key(), "-set_serial", "2", "-extfile",
       f.server_config(), "-extensions", "server", "-out", f.server_certificate()},
  };
}

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::optional<Der> der_of(X509* cert) {
  int length = i2d_X509(cert, nullptr);
  if (length <= 0) return std::nullopt;
  Der der(static_cast<size_t>(length));
  unsigned char* out = der.data();
  if (i2d_X509(cert, &out) != length) return std::nullopt;
  return der;
}

}  // namespace

std::optional<std::vector<Der>> read_certificates(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    error = path + " is empty";
    return std::nullopt;
  }
  std::vector<Der> certificates;
  if (bytes.find("-----BEGIN") != std::string::npos) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    for (;;) {
      std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (!cert) break;
      auto der = der_of(cert.get());
      if (!der) break;
      certificates.push_back(std::move(*der));
    }
    ERR_clear_error();  // the read that ends the loop leaves "no start line"
    if (certificates.empty()) {
      error = path + " holds no PEM CERTIFICATE block that parses";
      return std::nullopt;
    }
    return certificates;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (!cert || p != reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size()) {
    error = path + " is neither PEM nor one DER X.509 certificate";
    return std::nullopt;
  }
  auto der = der_of(cert.get());
  if (!der) {
    error = "cannot re-encode the certificate in " + path;
    return std::nullopt;
  }
  certificates.push_back(std::move(*der));
  return certificates;
}

std::string certificate_name(const std::vector<uint8_t>& der) {
  const auto* p = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cert) return "(not a certificate)";
  X509_NAME* subject = X509_get_subject_name(cert.get());
  char name[256];
  if (X509_NAME_get_text_by_NID(subject, NID_commonName, name, sizeof name) > 0) return name;
  ERR_clear_error();
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), subject, 0, XN_FLAG_ONELINE);
  char* text = nullptr;
  long length = BIO_get_mem_data(bio.get(), &text);
  return length > 0 ? std::string(text, static_cast<size_t>(length)) : "(no subject)";
}

std::vector<uint8_t> signature_lists(const std::vector<Der>& certificates) {
  std::vector<uint8_t> out;
  for (const Der& der : certificates) {
    size_t at = out.size();
    out.resize(at + tls::x509_signature_list_size(der.size()));
    // Cannot fail: the room is exact and a DER certificate is never empty.
    (void)tls::emit_x509_signature_list(Bytes(der.data(), der.size()), tls::kMpxeOwnerGuid,
                                        MutableBytes(out.data() + at, out.size() - at));
  }
  return out;
}

}  // namespace mpxe::runner
