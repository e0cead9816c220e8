// The firmware's answers to the stack's questions about time and randomness
// (src/net/clock.h). Both are safe to call from any processor: they only read
// the TSC and the CPU's random number instruction.
#pragma once

#include "net/clock.h"

namespace mpxe::driver {

class TscClock {
 public:
  // Measures the TSC rate against the firmware's Stall(); call once on the BSP.
  void calibrate();
  net::Millis now() const;
  uint64_t ticks_per_ms() const { return ticks_per_ms_; }

 private:
  uint64_t ticks_per_ms_ = 1000000;  // a safe guess until calibrated
};

// RDRAND when the CPU has it, otherwise a splitmix64 generator seeded from the
// TSC, the MAC address and the firmware's monotonic counter: not cryptographic,
// but unpredictable enough for transaction ids and ephemeral ports.
class PlatformRandom final : public net::Random {
 public:
  void seed(const uint8_t mac[6]);
  uint32_t next_u32() override;

 private:
  bool has_rdrand_ = false;
  uint64_t state_ = 0;
};

uint64_t read_tsc();
struct CpuidRegisters {
  uint32_t eax, ebx, ecx, edx;
};
// The CPUID instruction for `leaf` (subleaf 0).
CpuidRegisters cpuid(uint32_t leaf);
// CPUID.1:ECX[30].
bool cpu_has_rdrand();
// CPUID.1:ECX[25], [1], [19] and [9]: AES-NI with PCLMULQDQ, SSE4.1 and SSSE3,
// the instructions wolfSSL's AES-GCM runs (tls::CipherSuites::builtin).
bool cpu_has_aes();
// One RDRAND value, retried a bounded number of times (Intel SDM); false when
// the CPU gave none.
bool rdrand64(uint64_t* value);

}  // namespace mpxe::driver
