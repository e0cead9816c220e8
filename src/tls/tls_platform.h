// What wolfSSL needs from the platform it runs on, beyond memory: entropy to
// seed its DRBG, the wall clock (certificate validity), and a coarse tick
// (ticket ages, timeouts). The option ROM and the host port each define these
// C functions once (src/driver/tls, host/tls); user_settings.h points wolfSSL
// at them.
#pragma once

#include <stdint.h>

extern "C" {
// Fills output[0, size) with entropy; 0 on success, nonzero when there is none
// (wolfSSL then refuses to make a DRBG, and no TLS connection starts).
int mpxe_tls_seed(unsigned char* output, unsigned int size);
// Seconds since 1970-01-01 UTC, also stored at *out when out is not null.
int64_t mpxe_tls_time(int64_t* out);
// wolfSSL's own names for its ticks (USER_TICKS): seconds and milliseconds
// from any fixed origin.
uint32_t LowResTimer(void);
int64_t TimeNowInMilliseconds(void);
}
