#include "driver/boot/platform.h"

#include "uefi/runtime/efi.h"

namespace mpxe::driver {

uint64_t read_tsc() {
  uint32_t low, high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (uint64_t{high} << 32) | low;
}

void TscClock::calibrate() {
  // Stall() waits at least its time; a vCPU descheduled around it (a busy host
  // under TCG) only makes a sample longer, which would make this clock run slow
  // and every rate it times look fast. So: several short samples, the smallest.
  constexpr uint64_t kSampleUs = 2000;
  constexpr int kSamples = 5;
  uint64_t best = ~uint64_t{0};
  for (int i = 0; i < kSamples; ++i) {
    uint64_t start = read_tsc();
    uefi::bs()->Stall(kSampleUs);
    uint64_t elapsed = read_tsc() - start;
    if (elapsed < best) best = elapsed;
  }
  uint64_t per_ms = best / (kSampleUs / 1000);
  if (per_ms != 0) ticks_per_ms_ = per_ms;
}

net::Millis TscClock::now() const { return read_tsc() / ticks_per_ms_; }

CpuidRegisters cpuid(uint32_t leaf) {
  CpuidRegisters r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
  return r;
}

bool cpu_has_rdrand() { return (cpuid(1).ecx & (1u << 30)) != 0; }

// AES-NI (ECX 25), PCLMULQDQ (ECX 1), SSE4.1 (ECX 19) and SSSE3 (ECX 9): wolfSSL's
// AES-GCM runs them all (a real CPU with AES-NI has the rest; a QEMU model may not).
bool cpu_has_aes() {
  constexpr uint32_t kNeeded = (1u << 25) | (1u << 1) | (1u << 19) | (1u << 9);
  return (cpuid(1).ecx & kNeeded) == kNeeded;
}

// Intel SDM: retry a few times; the carry flag says whether a value came back.
bool rdrand64(uint64_t* value) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    uint8_t ok;
    asm volatile("rdrand %0; setc %1" : "=r"(*value), "=qm"(ok));
    if (ok) return true;
  }
  return false;
}

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

void PlatformRandom::seed(const uint8_t mac[6]) {
  has_rdrand_ = cpu_has_rdrand();
  uint64_t count = 0;
  uefi::bs()->GetNextMonotonicCount(&count);
  state_ = read_tsc() ^ (count << 32);
  for (int i = 0; i < 6; ++i) state_ ^= uint64_t{mac[i]} << (8 * i + 8);
}

uint32_t PlatformRandom::next_u32() {
  uint64_t value;
  if (has_rdrand_ && rdrand64(&value))
    return static_cast<uint32_t>(value) ^ static_cast<uint32_t>(splitmix64(state_));
  return static_cast<uint32_t>(splitmix64(state_) >> 16);
}

}  // namespace mpxe::driver
