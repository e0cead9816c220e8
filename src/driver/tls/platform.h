// The ROM's side of src/tls/tls_platform.h: what wolfSSL needs from the machine.
//
// TlsPlatform::start() runs once on the BSP, before the first TLS connection: it
// takes the TLS heap's pool from boot services, finds the entropy sources and
// reads the RTC. After it, nothing wolfSSL calls reaches a firmware service
// except seeding from EFI_RNG_PROTOCOL, which happens only on the BSP (a seed
// asked for on an AP uses RDRAND alone), so connections may run on APs.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "driver/boot/platform.h"
#include "uefi/types.h"

namespace mpxe::driver {

struct TlsEntropySources {
  bool rdrand = false;
  bool rng_protocol = false;
  bool any() const { return rdrand || rng_protocol; }
};

class TlsPlatform {
 public:
  // The TLS heap's pool, taken once. Measured (wolfSSL client against OpenSSL
  // on the host, through this heap): a handshake peaks at 30-40 KiB (TLS 1.3 or
  // 1.2, a P-256 or RSA-2048 leaf), a connection then holds 9-14 KiB while 16 KiB
  // records come and go; in the ROM, 17 KiB once the ClientHello is out. Eight
  // connections handshaking at once fit many times over; resize from
  // HeapStats::high_water_bytes once HTTPS boots with real chains.
  static constexpr size_t kPoolBytes = size_t{2} << 20;

  // Idempotent. tsc_ticks_per_ms: the calibrated TSC rate (TscClock,
  // StackSession::ticks_per_ms()). kOutOfResources when the pool cannot be had;
  // kNotFound when there is no entropy source (HTTPS must refuse: the line it
  // prints says what to add).
  static uefi::Status start(uint64_t tsc_ticks_per_ms);
  static TlsEntropySources entropy_sources();
  // The console line for a missing entropy source, naming the fix.
  static const char* no_entropy_line();
};

}  // namespace mpxe::driver
