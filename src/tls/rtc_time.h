// The wall clock's date as UEFI's GetTime gives it (EFI_TIME, UEFI 2.10 section
// 8.3.1), turned into what wolfSSL checks certificates against: seconds since
// 1970-01-01T00:00:00Z. Plain fields, so the conversion is tested on the host.
#pragma once

#include <stdint.h>

namespace mpxe::tls {

// EFI_UNSPECIFIED_TIMEZONE: the clock keeps local time, zone unknown. OVMF's
// RTC answers this and keeps UTC (QEMU's -rtc base=utc), so it is read as UTC.
inline constexpr int16_t kUnspecifiedTimeZone = 0x07ff;
// EFI_TIME_IN_DAYLIGHT: the local time has been moved an hour ahead.
inline constexpr uint8_t kTimeInDaylight = 0x02;

struct RtcTime {
  uint16_t year = 1970;  // 1900-9999
  uint8_t month = 1;     // 1-12
  uint8_t day = 1;       // 1-31, as the month has
  uint8_t hour = 0;      // 0-23
  uint8_t minute = 0;    // 0-59
  uint8_t second = 0;    // 0-59
  // Minutes the local time is ahead of UTC (-1440..1440; UEFI 2.7 and later:
  // Localtime = UTC + TimeZone), or kUnspecifiedTimeZone.
  int16_t time_zone = kUnspecifiedTimeZone;
  uint8_t daylight = 0;
};

// Days from 1970-01-01 to the given proleptic Gregorian date (negative before).
int64_t days_since_epoch(int64_t year, unsigned month, unsigned day);

// Seconds since the epoch in UTC; false (nothing stored) when a field is out of
// the range UEFI allows, so a broken clock is a clear error, not a wrong date.
bool rtc_to_unix_seconds(const RtcTime& time, int64_t* seconds);

}  // namespace mpxe::tls
