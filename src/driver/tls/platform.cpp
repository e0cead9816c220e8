#include "driver/tls/platform.h"

#include <wolfssl/wolfcrypt/settings.h>

#include "tls/entropy_mix.h"
#include "tls/rtc_time.h"
#include "tls/tls_heap.h"
#include "tls/tls_platform.h"
#include "uefi/protocols/rng.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

// wolfSSL's XTIME hands a time_t* to mpxe_tls_time(int64_t*): user_settings.h
// makes them one type, and 64 bits wide past 2038.
static_assert(__is_same(time_t, int64_t));

namespace mpxe::driver {

namespace {

// Everything start() learns, read afterwards from any processor.
struct TlsPlatformState {
  bool started = false;
  bool rdrand = false;
  uefi::RngProtocol* rng = nullptr;
  uint32_t bsp_apic_id = 0;
  uint64_t ticks_per_ms = 1000000;  // replaced by the calibrated rate
  uint64_t start_tsc = 0;
  int64_t start_unix_seconds = 0;  // 0 (1970) when the RTC could not be read
};
constinit TlsPlatformState g_state;

// The processor's initial APIC ID (CPUID.1:EBX[31:24]): tells the BSP from an
// AP without a call into MP services.
uint32_t current_apic_id() { return cpuid(1).ebx >> 24; }

uint64_t elapsed_ms() { return (read_tsc() - g_state.start_tsc) / g_state.ticks_per_ms; }

// Bytes from EFI_RNG_PROTOCOL, in pieces no larger than the buffer.
bool add_from_rng_protocol(tls::EntropyMix& mix, size_t size) {
  uint8_t buffer[64];
  while (size > 0) {
    const size_t n = size < sizeof(buffer) ? size : sizeof(buffer);
    if (uefi::is_error(g_state.rng->GetRNG(g_state.rng, nullptr, n, buffer))) return false;
    mix.add_strong(buffer, n);
    size -= n;
  }
  for (uint8_t& b : buffer) *static_cast<volatile uint8_t*>(&b) = 0;
  return true;
}

bool add_from_rdrand(tls::EntropyMix& mix, size_t size) {
  for (size_t done = 0; done < size; done += sizeof(uint64_t)) {
    uint64_t value;
    if (!rdrand64(&value)) return false;
    mix.add_strong(&value, sizeof(value));
  }
  return true;
}

// The TSC read back to back around a CPUID, which exits to the hypervisor and
// stalls the pipeline: the low bits of each gap vary from run to run.
void add_tsc_jitter(tls::EntropyMix& mix) {
  uint64_t samples[32];
  for (uint64_t& sample : samples) {
    const uint64_t before = read_tsc();
    (void)cpuid(0);
    sample = read_tsc() - before + (before << 20);
  }
  mix.add_weak(samples, sizeof(samples));
}

}  // namespace

TlsEntropySources TlsPlatform::entropy_sources() {
  return {g_state.rdrand, g_state.rng != nullptr};
}

const char* TlsPlatform::no_entropy_line() {
  return "https: no entropy source (no RDRAND, no EFI_RNG_PROTOCOL): give the VM "
         "-device virtio-rng-pci, or a CPU with RDRAND (-cpu max)";
}

uefi::Status TlsPlatform::start(uint64_t tsc_ticks_per_ms) {
  using namespace uefi;
  if (!g_state.started) {
    constexpr Uintn kPages = kPoolBytes / 4096;
    PhysicalAddress pool = 0;
    Status s = bs()->AllocatePages(AllocateType::AnyPages, MemoryType::BootServicesData, kPages, &pool);
    if (is_error(s)) {
      log("mpxe: tls: no %u KiB for the TLS heap: %s\n", static_cast<unsigned>(kPoolBytes / 1024),
          status_text(s));
      return kOutOfResources;
    }
    tls::tls_heap().add_pool(reinterpret_cast<void*>(pool), kPoolBytes);

    uint64_t probe;
    g_state.rdrand = cpu_has_rdrand() && rdrand64(&probe);
    void* rng = nullptr;
    if (!is_error(bs()->LocateProtocol(&kRngProtocolGuid, nullptr, &rng))) {
      uint8_t check[8];
      auto* protocol = static_cast<RngProtocol*>(rng);
      if (!is_error(protocol->GetRNG(protocol, nullptr, sizeof(check), check))) g_state.rng = protocol;
    }
    g_state.bsp_apic_id = current_apic_id();
    if (tsc_ticks_per_ms != 0) g_state.ticks_per_ms = tsc_ticks_per_ms;
    g_state.start_tsc = read_tsc();

    Time now{};
    tls::RtcTime rtc;
    const bool read = !is_error(rt()->GetTime(&now, nullptr));
    if (read) {
      rtc = {now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, now.TimeZone,
             now.Daylight};
    }
    if (!read || !tls::rtc_to_unix_seconds(rtc, &g_state.start_unix_seconds)) {
      log("mpxe: tls: the RTC gives no valid date (%04u-%02u-%02u %02u:%02u:%02u): "
          "certificates will look not yet valid\n",
          now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second);
      g_state.start_unix_seconds = 0;
    }
    g_state.started = true;
    log("mpxe: tls: %u KiB heap; entropy:%s%s%s; clock %04u-%02u-%02u %02u:%02u:%02u\n",
        static_cast<unsigned>(kPoolBytes / 1024), g_state.rdrand ? " RDRAND" : "",
        g_state.rng != nullptr ? " EFI_RNG_PROTOCOL" : "",
        entropy_sources().any() ? "" : " none", now.Year, now.Month, now.Day, now.Hour,
        now.Minute, now.Second);
  }
  if (!entropy_sources().any()) {
    log("mpxe: %s\n", no_entropy_line());
    return kNotFound;
  }
  return kSuccess;
}

}  // namespace mpxe::driver

extern "C" {

// Both true sources when there are two; EFI_RNG_PROTOCOL only on the BSP, the
// one processor allowed to call the firmware.
int mpxe_tls_seed(unsigned char* output, unsigned int size) {
  namespace driver = mpxe::driver;
  mpxe::tls::EntropyMix mix;
  if (driver::g_state.rdrand) driver::add_from_rdrand(mix, size);
  if (driver::g_state.rng != nullptr && driver::current_apic_id() == driver::g_state.bsp_apic_id)
    driver::add_from_rng_protocol(mix, size);
  driver::add_tsc_jitter(mix);
  return mix.extract(output, size) ? 0 : -1;
}

int64_t mpxe_tls_time(int64_t* out) {
  const int64_t now = mpxe::driver::g_state.start_unix_seconds +
                      static_cast<int64_t>(mpxe::driver::elapsed_ms() / 1000);
  if (out != nullptr) *out = now;
  return now;
}

uint32_t LowResTimer(void) { return static_cast<uint32_t>(mpxe::driver::elapsed_ms() / 1000); }

int64_t TimeNowInMilliseconds(void) { return static_cast<int64_t>(mpxe::driver::elapsed_ms()); }

}  // extern "C"
