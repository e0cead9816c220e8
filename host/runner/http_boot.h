// HTTP boot for `mpxe run --http` and `--boot-url`: the boot URL the DHCP answer
// carries, and the private nginx the runner serves the PXE folder with. Pure: the
// process side (port, child, readiness) lives in nginx_child.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpxe::runner {

// The host's loopback as the guest sees it through QEMU's user network.
inline constexpr std::string_view kGuestHostAddress = "10.0.2.2";

// QEMU's DHCP server (libslirp) copies the bootfile into the 128-byte BOOTP file
// field with its terminating NUL and refuses a longer one at start-up (checked with
// QEMU 7.2 / libslirp 4.7: "slirp_new: assertion ... bp_file ... failed"). It sends no
// option 67, so the field is the only place the URL can go.
inline constexpr size_t kDhcpFileMax = 127;

// A URL path from a boot file relative to the folder: every byte outside RFC 3986's
// unreserved set and '/' percent-encoded.
std::string url_path_escape(std::string_view path);

// http://10.0.2.2:PORT/<boot file>, what --http hands the guest (https:// for --https).
std::string http_boot_url(uint16_t port, std::string_view boot_file, bool https = false);
// The same with PORT as a placeholder, for --print-command (the port is picked at run time).
std::string http_boot_url_template(std::string_view boot_file, bool https = false);

// Why URL cannot go into the DHCP file field as a boot URL, or nothing: it must start
// with http:// or https://, name a host, fit in kDhcpFileMax bytes and hold no spaces
// or control characters.
std::optional<std::string> check_boot_url(std::string_view url);
bool is_https_url(std::string_view url);

// The longest boot file --http (--https) can name: the URL with the longest port must fit.
size_t max_http_boot_file_length(bool https = false);

// --https: the certificate and key nginx serves TLS with.
struct NginxTls {
  std::string certificate;  // PEM: the server's certificate
  std::string key;          // PEM: its private key
};

// nginx for one run: a single process in the foreground (the runner is its parent and
// stops it), everything it writes under DIR, listening on 127.0.0.1:PORT only, ROOT
// served as static files (byte ranges included: nginx answers Range on static files).
struct NginxSetup {
  std::string dir;   // the run's private folder: config, pid, error log, temp paths
  std::string root;  // the folder served
  uint16_t port = 0;
  std::optional<NginxTls> tls;  // --https: TLS 1.2 and 1.3 on that port, no plain HTTP
};

// The configuration text, or nothing when a path cannot be written into nginx's
// syntax (a '$' would be read as a variable, control characters have no escape).
std::optional<std::string> nginx_config(const NginxSetup& setup);

// Where the pieces go inside NginxSetup::dir.
std::string nginx_config_path(const NginxSetup& setup);
std::string nginx_error_log_path(const NginxSetup& setup);

// NGINX's argument vector: prefix DIR, the config above, the error log in DIR from the
// first line on (-e: the default /var/log/nginx/error.log is root's).
std::vector<std::string> nginx_command(const std::string& nginx, const NginxSetup& setup);

}  // namespace mpxe::runner
