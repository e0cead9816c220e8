#include "http_boot.h"

namespace mpxe::runner {

namespace {

constexpr std::string_view kHttpScheme = "http://";
constexpr std::string_view kHttpsScheme = "https://";
constexpr uint16_t kLongestPort = 65535;

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

// A double-quoted nginx string; nothing for what cannot be written in one.
std::optional<std::string> nginx_quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '$' || u < 0x20 || u == 0x7f) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string url_path_escape(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (unreserved(u) || c == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string http_boot_url(uint16_t port, std::string_view boot_file, bool https) {
  return std::string(https ? kHttpsScheme : kHttpScheme) + std::string(kGuestHostAddress) + ":" +
         std::to_string(port) + "/" + url_path_escape(boot_file);
}

std::string http_boot_url_template(std::string_view boot_file, bool https) {
  return std::string(https ? kHttpsScheme : kHttpScheme) + std::string(kGuestHostAddress) +
         ":PORT/" + url_path_escape(boot_file);
}

size_t max_http_boot_file_length(bool https) {
  return kDhcpFileMax - http_boot_url(kLongestPort, "", https).size();
}

bool is_https_url(std::string_view url) { return url.starts_with(kHttpsScheme); }

std::optional<std::string> check_boot_url(std::string_view url) {
  bool https = is_https_url(url);
  if (!https && !url.starts_with(kHttpScheme))
    return "--boot-url " + std::string(url) + " must start with http:// or https:// (the DHCP "
           "answer names an HTTP boot URL)";
  std::string_view rest = url.substr(https ? kHttpsScheme.size() : kHttpScheme.size());
  if (rest.empty() || rest.front() == '/')
    return "--boot-url " + std::string(url) + " names no host";
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f)
      return "--boot-url must not hold spaces or control characters (percent-encode them)";
  }
  if (url.size() > kDhcpFileMax)
    return "--boot-url is " + std::to_string(url.size()) + " bytes; QEMU's DHCP file field "
           "holds at most " + std::to_string(kDhcpFileMax);
  return std::nullopt;
}

std::string nginx_config_path(const NginxSetup& setup) { return setup.dir + "/nginx.conf"; }
std::string nginx_error_log_path(const NginxSetup& setup) { return setup.dir + "/nginx-error.log"; }

std::optional<std::string> nginx_config(const NginxSetup& setup) {
  auto dir = nginx_quote(setup.dir);
  auto root = nginx_quote(setup.root);
  auto error_log = nginx_quote(nginx_error_log_path(setup));
  auto pid = nginx_quote(setup.dir + "/nginx.pid");
  auto temp = [&](std::string_view name) { return nginx_quote(setup.dir + "/" + std::string(name)); };
  auto body = temp("client_body"), proxy = temp("proxy"), fastcgi = temp("fastcgi"),
       uwsgi = temp("uwsgi"), scgi = temp("scgi");
  if (!dir || !root || !error_log || !pid || !body || !proxy || !fastcgi || !uwsgi || !scgi)
    return std::nullopt;
  std::string port = std::to_string(setup.port);
  std::string listen = "    listen 127.0.0.1:" + port + ";\n";
  if (setup.tls) {
    auto certificate = nginx_quote(setup.tls->certificate);
    auto key = nginx_quote(setup.tls->key);
    if (!certificate || !key) return std::nullopt;
    // TLS 1.3 for mpxe; TLS 1.2 with RSA key exchange too, for OVMF: Debian 12's
    // TlsDxe sends a TLS 1.2 ClientHello with DHE-RSA and RSA suites only (AES-GCM,
    // AES-CBC; no ECDHE, no SNI, no supported_versions), and nginx without dhparams
    // picks no DHE, so it settles on TLS_RSA_WITH_AES_256_GCM_SHA384 (0x009d).
    // HIGH:!aNULL:!MD5 keeps those suites in.
    listen = "    listen 127.0.0.1:" + port + " ssl;\n"
             "    ssl_certificate " + *certificate + ";\n"
             "    ssl_certificate_key " + *key + ";\n"
             "    ssl_protocols TLSv1.2 TLSv1.3;\n"
             "    ssl_ciphers HIGH:!aNULL:!MD5;\n"
             "    ssl_session_cache shared:mpxe_tls:1m;\n"
             "    ssl_session_timeout 10m;\n";
  }
  // One process in the foreground, so the runner's child is the server itself and a
  // signal to it ends everything. The temp paths would otherwise be /var/lib/nginx/*,
  // which only root may create.
  return std::string("# Written by mpxe run --http for one run; removed with the run's folder.\n") +
         "daemon off;\n"
         "master_process off;\n"
         "worker_processes 1;\n"
         "pid " + *pid + ";\n"
         "error_log " + *error_log + " warn;\n"
         "events {\n"
         "  worker_connections 64;\n"
         "}\n"
         "http {\n"
         "  access_log off;\n"
         "  sendfile on;\n"
         "  tcp_nopush on;\n"
         "  tcp_nodelay on;\n"
         "  keepalive_timeout 65;\n"
         "  server_tokens off;\n"
         "  default_type application/octet-stream;\n"
         // The media types UEFI's HTTP boot reads to tell an EFI image from a disk.
         "  types {\n"
         "    application/efi efi;\n"
         "    application/vnd.efi-iso iso;\n"
         "    application/vnd.efi-img img;\n"
         "  }\n"
         "  client_body_temp_path " + *body + ";\n"
         "  proxy_temp_path " + *proxy + ";\n"
         "  fastcgi_temp_path " + *fastcgi + ";\n"
         "  uwsgi_temp_path " + *uwsgi + ";\n"
         "  scgi_temp_path " + *scgi + ";\n"
         "  server {\n" +
         listen +
         "    root " + *root + ";\n"
         "    location / {\n"
         "      autoindex on;\n"
         "    }\n"
         "  }\n"
         "}\n";
}

std::vector<std::string> nginx_command(const std::string& nginx, const NginxSetup& setup) {
  return {nginx, "-p", setup.dir, "-e", nginx_error_log_path(setup), "-c",
          nginx_config_path(setup)};
}

}  // namespace mpxe::runner
