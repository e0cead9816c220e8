// --https's certificates and --ca-cert's files: the openssl commands the runner runs
// make a chain that openssl itself verifies for the guest's address, and every
// certificate handed to the guest walks back out of the fw_cfg file as the ROM reads it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "https_certs.h"
#include "tls/signature_list.h"

namespace mpxe::runner {
namespace {

std::string quoted(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) line += "'" + word + "' ";
  return line;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// CA then server, one PEM file.
std::string write_bundle(const HttpsFiles& files, const std::string& name) {
  std::string path = files.dir + "/" + name;
  std::ofstream(path, std::ios::binary) << slurp(files.ca_certificate()) << slurp(files.server_certificate());
  return path;
}

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  return out;
}

class HttpsCerts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/mpxe-https-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    files_.dir = tmpl;
    std::ofstream(files_.ca_config()) << ca_openssl_config();
    std::ofstream(files_.server_config()) << server_openssl_config();
    for (const auto& command : https_openssl_commands("openssl", files_))
      ASSERT_TRUE(run(quoted(command))) << quoted(command);
  }
  static void TearDownTestSuite() { run("rm -rf '" + files_.dir + "'"); }
  static HttpsFiles files_;
};
HttpsFiles HttpsCerts::files_;

TEST_F(HttpsCerts, OpensslVerifiesTheServerForTheGuestsAddressAndName) {
  std::string verify = "openssl verify -CAfile " + files_.ca_certificate() + " -purpose sslserver ";
  EXPECT_TRUE(run(verify + "-verify_ip 10.0.2.2 " + files_.server_certificate()));
  EXPECT_TRUE(run(verify + "-verify_hostname 10.0.2.2 " + files_.server_certificate()));
  EXPECT_TRUE(run(verify + "-verify_hostname localhost " + files_.server_certificate()));
  EXPECT_FALSE(run(verify + "-verify_hostname boot.example " + files_.server_certificate()));
  EXPECT_FALSE(run(verify + "-verify_ip 10.0.2.3 " + files_.server_certificate()));
}

TEST_F(HttpsCerts, Rsa2048SoOvmfCanUseIt) {
  for (const std::string& cert : {files_.ca_certificate(), files_.server_certificate()}) {
    std::string text = output_of("openssl x509 -noout -text -in " + cert);
    EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos) << text;
    EXPECT_NE(text.find("rsaEncryption"), std::string::npos);
    EXPECT_NE(text.find("sha256WithRSAEncryption"), std::string::npos);
  }
  std::string server = output_of("openssl x509 -noout -text -in " + files_.server_certificate());
  EXPECT_NE(server.find("Key Encipherment"), std::string::npos);  // TLS 1.2 RSA key exchange
  EXPECT_NE(server.find("TLS Web Server Authentication"), std::string::npos);
  std::string ca = output_of("openssl x509 -noout -text -in " + files_.ca_certificate());
  EXPECT_NE(ca.find("CA:TRUE"), std::string::npos);
}

TEST_F(HttpsCerts, PemBundleDerAndGarbage) {
  std::string bundle = write_bundle(files_, "bundle.pem");
  std::string error;
  auto both = read_certificates(bundle, error);
  ASSERT_TRUE(both) << error;
  ASSERT_EQ(both->size(), 2u);

  std::string der_path = files_.dir + "/ca.der";
  ASSERT_TRUE(run("openssl x509 -in " + files_.ca_certificate() + " -outform DER -out " + der_path));
  auto der = read_certificates(der_path, error);
  ASSERT_TRUE(der) << error;
  ASSERT_EQ(der->size(), 1u);
  EXPECT_EQ((*der)[0], (*both)[0]);

  std::string empty = files_.dir + "/empty";
  std::ofstream(empty).close();
  EXPECT_FALSE(read_certificates(empty, error));
  EXPECT_NE(error.find("is empty"), std::string::npos) << error;

  std::string junk = files_.dir + "/junk";
  std::ofstream(junk) << "not a certificate";
  EXPECT_FALSE(read_certificates(junk, error));
  EXPECT_NE(error.find("neither PEM nor one DER X.509 certificate"), std::string::npos) << error;
  std::ofstream(junk) << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(read_certificates(junk, error));
  EXPECT_NE(error.find("no PEM CERTIFICATE block that parses"), std::string::npos) << error;
  EXPECT_FALSE(read_certificates(files_.dir + "/missing", error));
  EXPECT_NE(error.find("cannot read"), std::string::npos);
}

TEST_F(HttpsCerts, TheGuestsFileWalksBackToTheSameCertificates) {
  std::string bundle = write_bundle(files_, "bundle2.pem");
  std::string error;
  auto certs = read_certificates(bundle, error);
  ASSERT_TRUE(certs) << error;
  std::vector<uint8_t> lists = signature_lists(*certs);
  tls::SignatureListWalker walker(Bytes(lists.data(), lists.size()));
  Bytes der;
  size_t i = 0;
  while (walker.next(&der)) {
    ASSERT_LT(i, certs->size());
    EXPECT_EQ(Der(der.begin(), der.end()), (*certs)[i]);
    ++i;
  }
  EXPECT_EQ(i, 2u);
  EXPECT_TRUE(walker.fault().ok());
}

}  // namespace
}  // namespace mpxe::runner
