// --http's boot URL and the nginx configuration the runner writes for one run.
#include <gtest/gtest.h>

#include "http_boot.h"

namespace mpxe::runner {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HttpBoot, UrlOnTheGuestsViewOfTheHostLoopback) {
  EXPECT_EQ(http_boot_url(41234, "mpsh.efi"), "http://10.0.2.2:41234/mpsh.efi");
  EXPECT_EQ(http_boot_url(80, "grub/grubx64.efi"), "http://10.0.2.2:80/grub/grubx64.efi");
  EXPECT_EQ(http_boot_url_template("mpsh.efi"), "http://10.0.2.2:PORT/mpsh.efi");
}

TEST(HttpBoot, BootFileIsPercentEncoded) {
  EXPECT_EQ(url_path_escape("a-b_c.d~e/F9"), "a-b_c.d~e/F9");
  EXPECT_EQ(url_path_escape("my boot,1%.efi"), "my%20boot%2C1%25.efi");
  EXPECT_EQ(url_path_escape("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(http_boot_url(8080, "a b.efi"), "http://10.0.2.2:8080/a%20b.efi");
}

TEST(HttpBoot, HttpsUrl) {
  EXPECT_EQ(http_boot_url(41234, "mpsh.efi", true), "https://10.0.2.2:41234/mpsh.efi");
  EXPECT_EQ(http_boot_url_template("a b.efi", true), "https://10.0.2.2:PORT/a%20b.efi");
  EXPECT_EQ(max_http_boot_file_length(true), 104u);
  EXPECT_TRUE(is_https_url("https://h/x"));
  EXPECT_FALSE(is_https_url("http://h/x"));
}

TEST(HttpBoot, LongestBootFileFillsTheDhcpFileField) {
  // "http://10.0.2.2:65535/" is 22 bytes of the 127.
  EXPECT_EQ(max_http_boot_file_length(), 105u);
  EXPECT_EQ(http_boot_url(65535, std::string(105, 'x')).size(), kDhcpFileMax);
}

TEST(HttpBoot, BootUrlChecks) {
  EXPECT_FALSE(check_boot_url("http://10.0.2.2:8080/mpsh.efi"));
  EXPECT_FALSE(check_boot_url("http://boot.example/x"));
  EXPECT_FALSE(check_boot_url("http://h/" + std::string(118, 'a')));  // 127 bytes
  EXPECT_TRUE(check_boot_url("http://h/" + std::string(119, 'a')));   // 128: no room for NUL
  EXPECT_FALSE(check_boot_url("https://h/x"));
  EXPECT_TRUE(check_boot_url("https://"));
  EXPECT_TRUE(check_boot_url("ftp://h/x"));
  EXPECT_TRUE(check_boot_url("HTTP://h/x"));
  EXPECT_TRUE(check_boot_url("http://"));
  EXPECT_TRUE(check_boot_url("http://h/a\tb"));
  EXPECT_TRUE(check_boot_url(""));
}

NginxSetup setup() { return {"/tmp/mpxe-abc", "/srv/pxe", 41234, std::nullopt}; }

TEST(NginxConfig, ServesTheFolderOnLoopbackInTheForeground) {
  auto config = nginx_config(setup());
  ASSERT_TRUE(config);
  for (const char* line :
       {"daemon off;\n", "master_process off;\n", "pid \"/tmp/mpxe-abc/nginx.pid\";\n",
        "error_log \"/tmp/mpxe-abc/nginx-error.log\" warn;\n", "access_log off;\n",
        "sendfile on;\n", "listen 127.0.0.1:41234;\n", "root \"/srv/pxe\";\n",
        "client_body_temp_path \"/tmp/mpxe-abc/client_body\";\n",
        "proxy_temp_path \"/tmp/mpxe-abc/proxy\";\n",
        "fastcgi_temp_path \"/tmp/mpxe-abc/fastcgi\";\n",
        "uwsgi_temp_path \"/tmp/mpxe-abc/uwsgi\";\n", "scgi_temp_path \"/tmp/mpxe-abc/scgi\";\n",
        "default_type application/octet-stream;\n",
        // UEFI's HTTP boot media types, so a firmware can tell images from disks.
        "application/efi efi;\n", "application/vnd.efi-iso iso;\n", "application/vnd.efi-img img;\n"})
    EXPECT_TRUE(contains(*config, line)) << line;
  // Nothing outside the run's folder: no mime.types include, no system log paths.
  EXPECT_FALSE(contains(*config, "include"));
  EXPECT_FALSE(contains(*config, "/var/"));
  EXPECT_FALSE(contains(*config, "listen 0.0.0.0"));
  // Balanced braces.
  EXPECT_EQ(std::count(config->begin(), config->end(), '{'),
            std::count(config->begin(), config->end(), '}'));
}

TEST(NginxConfig, HttpsServesOnlyTlsWithWhatOvmfAndMpxeNeed) {
  NginxSetup s = setup();
  EXPECT_FALSE(contains(*nginx_config(s), "ssl"));
  s.tls = NginxTls{"/tmp/mpxe-abc/server.pem", "/tmp/mpxe-abc/server.key"};
  auto config = nginx_config(s);
  ASSERT_TRUE(config);
  for (const char* line :
       {"listen 127.0.0.1:41234 ssl;\n", "ssl_certificate \"/tmp/mpxe-abc/server.pem\";\n",
        "ssl_certificate_key \"/tmp/mpxe-abc/server.key\";\n",
        "ssl_protocols TLSv1.2 TLSv1.3;\n", "root \"/srv/pxe\";\n"})
    EXPECT_TRUE(contains(*config, line)) << line;
  EXPECT_FALSE(contains(*config, "listen 127.0.0.1:41234;\n"));
  s.tls->key = "/tmp/$key";
  EXPECT_FALSE(nginx_config(s));
}

TEST(NginxConfig, PathsAreQuoted) {
  NginxSetup s = setup();
  s.root = "/srv/my \"pxe\"; x\\y";
  auto config = nginx_config(s);
  ASSERT_TRUE(config);
  EXPECT_TRUE(contains(*config, "root \"/srv/my \\\"pxe\\\"; x\\\\y\";\n")) << *config;
}

TEST(NginxConfig, RefusesWhatNginxWouldReadAsAVariable) {
  NginxSetup s = setup();
  s.root = "/srv/$pxe";
  EXPECT_FALSE(nginx_config(s));
  s = setup();
  s.dir = "/tmp/a\nb";
  EXPECT_FALSE(nginx_config(s));
}

TEST(NginxConfig, Command) {
  EXPECT_EQ(nginx_command("/usr/sbin/nginx", setup()),
            (std::vector<std::string>{"/usr/sbin/nginx", "-p", "/tmp/mpxe-abc", "-e",
                                      "/tmp/mpxe-abc/nginx-error.log", "-c",
                                      "/tmp/mpxe-abc/nginx.conf"}));
  EXPECT_EQ(nginx_config_path(setup()), "/tmp/mpxe-abc/nginx.conf");
}

}  // namespace
}  // namespace mpxe::runner
