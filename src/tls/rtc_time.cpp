#include "tls/rtc_time.h"

namespace mpxe::tls {

namespace {

bool is_leap_year(unsigned year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

}  // namespace

// Counts in 400-year eras that start on March 1st, so the leap day is the last
// day of its year and every era has the same 146097 days.
int64_t days_since_epoch(int64_t year, unsigned month, unsigned day) {
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;                                  // 0..399
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;         // 0..11
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;     // 0..365
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  constexpr int64_t kEpochFromEraZero = 719468;  // 0000-03-01 to 1970-01-01
  return era * 146097 + day_of_era - kEpochFromEraZero;
}

bool rtc_to_unix_seconds(const RtcTime& t, int64_t* seconds) {
  if (t.year < 1900 || t.year > 9999 || t.month < 1 || t.month > 12) return false;
  if (t.day < 1 || t.day > days_in_month(t.year, t.month)) return false;
  if (t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  int64_t offset_minutes = 0;
  if (t.time_zone != kUnspecifiedTimeZone) {
    if (t.time_zone < -1440 || t.time_zone > 1440) return false;
    offset_minutes = t.time_zone;
  }
  // Daylight time is an hour further ahead of UTC than the zone says.
  if ((t.daylight & kTimeInDaylight) != 0) offset_minutes += 60;
  const int64_t local = days_since_epoch(t.year, t.month, t.day) * 86400 + t.hour * 3600 +
                        t.minute * 60 + t.second;
  *seconds = local - offset_minutes * 60;
  return true;
}

}  // namespace mpxe::tls
