// EFI_TIME to seconds since the epoch, checked against dates whose answer is
// known (date -u -d ... +%s), the calendar's edges and the zone's sign.
#include "tls/rtc_time.h"

#include <gtest/gtest.h>

namespace mpxe::tls {
namespace {

RtcTime at(uint16_t year, uint8_t month, uint8_t day, uint8_t hour = 0, uint8_t minute = 0,
           uint8_t second = 0) {
  RtcTime t;
  t.year = year;
  t.month = month;
  t.day = day;
  t.hour = hour;
  t.minute = minute;
  t.second = second;
  return t;
}

int64_t seconds_of(const RtcTime& t) {
  int64_t s = -1;
  EXPECT_TRUE(rtc_to_unix_seconds(t, &s));
  return s;
}

TEST(RtcTime, KnownInstants) {
  EXPECT_EQ(seconds_of(at(1970, 1, 1)), 0);
  EXPECT_EQ(seconds_of(at(2000, 1, 1)), 946684800);
  EXPECT_EQ(seconds_of(at(2024, 2, 29, 12, 34, 56)), 1709210096);
  EXPECT_EQ(seconds_of(at(2026, 12, 5, 14, 49, 40)), 1796482180);
  EXPECT_EQ(seconds_of(at(1900, 1, 1)), -2208988800);
}

TEST(RtcTime, PastTheSigned32BitEnd) {
  EXPECT_EQ(seconds_of(at(2038, 1, 19, 3, 14, 7)), 2147483647);
  EXPECT_EQ(seconds_of(at(2038, 1, 19, 3, 14, 8)), 2147483648);
  EXPECT_EQ(seconds_of(at(2106, 2, 7, 6, 28, 16)), 4294967296);
  EXPECT_EQ(seconds_of(at(9999, 12, 31, 23, 59, 59)), 253402300799);
}

TEST(RtcTime, LeapYearsByTheGregorianRule) {
  // 2000 is a leap year (divisible by 400), 2100 and 1900 are not.
  EXPECT_EQ(seconds_of(at(2000, 3, 1)) - seconds_of(at(2000, 2, 28)), 2 * 86400);
  EXPECT_EQ(seconds_of(at(2100, 3, 1)) - seconds_of(at(2100, 2, 28)), 86400);
  EXPECT_EQ(seconds_of(at(2024, 12, 31)) - seconds_of(at(2024, 1, 1)), 365 * 86400);
  int64_t ignored = 0;
  EXPECT_FALSE(rtc_to_unix_seconds(at(2100, 2, 29), &ignored));
  EXPECT_FALSE(rtc_to_unix_seconds(at(1900, 2, 29), &ignored));
  EXPECT_TRUE(rtc_to_unix_seconds(at(2000, 2, 29), &ignored));
}

TEST(RtcTime, TheZoneSaysHowFarLocalTimeIsAheadOfUtc) {
  // 12:00 in UTC+01:00 is 11:00Z; 12:00 in UTC-05:00 is 17:00Z.
  RtcTime paris = at(2025, 1, 15, 12);
  paris.time_zone = 60;
  EXPECT_EQ(seconds_of(paris), seconds_of(at(2025, 1, 15, 11)));
  RtcTime new_york = at(2025, 1, 15, 12);
  new_york.time_zone = -300;
  EXPECT_EQ(seconds_of(new_york), seconds_of(at(2025, 1, 15, 17)));
  // Across midnight and a year's end.
  RtcTime tokyo = at(2025, 1, 1, 3);
  tokyo.time_zone = 540;
  EXPECT_EQ(seconds_of(tokyo), seconds_of(at(2024, 12, 31, 18)));
}

TEST(RtcTime, DaylightTimeIsAnHourFurtherAhead) {
  RtcTime summer = at(2025, 7, 1, 12);
  summer.time_zone = 60;
  summer.daylight = 0x01 | kTimeInDaylight;
  EXPECT_EQ(seconds_of(summer), seconds_of(at(2025, 7, 1, 10)));
  summer.daylight = 0x01;  // affected by daylight time, but not in it now
  EXPECT_EQ(seconds_of(summer), seconds_of(at(2025, 7, 1, 11)));
}

TEST(RtcTime, AnUnspecifiedZoneIsReadAsUtc) {
  RtcTime t = at(2025, 6, 1, 8);
  t.time_zone = kUnspecifiedTimeZone;
  EXPECT_EQ(seconds_of(t), 1748764800);
}

TEST(RtcTime, FieldsOutOfRangeAreRefused) {
  int64_t s = 42;
  RtcTime zone = at(2025, 1, 1);
  zone.time_zone = 1441;
  for (const RtcTime& t : {at(1899, 12, 31), at(2025, 0, 1), at(2025, 13, 1), at(2025, 4, 31),
                           at(2025, 1, 0), at(2025, 1, 1, 24), at(2025, 1, 1, 0, 60),
                           at(2025, 1, 1, 0, 0, 60), zone}) {
    EXPECT_FALSE(rtc_to_unix_seconds(t, &s));
  }
  EXPECT_EQ(s, 42);
}

TEST(RtcTime, DaysSinceEpochCountsEveryDayOnce) {
  // Day by day from 1899 to 2401: each date is one more than the one before.
  int64_t expected = days_since_epoch(1899, 1, 1);
  for (int year = 1899; year <= 2401; ++year) {
    for (unsigned month = 1; month <= 12; ++month) {
      static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
      const unsigned days = month == 2 && leap ? 29 : kDays[month - 1];
      for (unsigned day = 1; day <= days; ++day) {
        ASSERT_EQ(days_since_epoch(year, month, day), expected) << year << "-" << month << "-" << day;
        ++expected;
      }
    }
  }
}

}  // namespace
}  // namespace mpxe::tls
