// wolfSSL's mutexes in the ROM (WOLFSSL_USER_MUTEX; the type is user_settings.h's):
// spinlocks, since connections run on several processors and an AP may not use
// a firmware lock or event. wolfSSL holds them for a few instructions (reference
// counts, the session cache) and never nests them, so the bounded wait only
// turns a lost lock into wolfSSL's BAD_MUTEX_E instead of a hang.
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/wc_port.h>

#include "tls/spin_lock.h"

namespace {
// PAUSEs before giving up: seconds on any processor, also under TCG.
constexpr uint64_t kLockSpins = uint64_t{1} << 26;
}  // namespace

extern "C" {

int wc_InitMutex(wolfSSL_Mutex* m) {
  m->held = 0;
  return 0;
}

int wc_FreeMutex(wolfSSL_Mutex*) { return 0; }

int wc_LockMutex(wolfSSL_Mutex* m) {
  return mpxe::tls::spin_lock_within(&m->held, kLockSpins) ? 0 : BAD_MUTEX_E;
}

int wc_UnLockMutex(wolfSSL_Mutex* m) {
  mpxe::tls::spin_unlock(&m->held);
  return 0;
}

}  // extern "C"
