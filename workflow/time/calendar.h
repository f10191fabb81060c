// England and Wales working-day calendar.
//
// A Calendar knows which civil dates are non-working days in England and
// Wales: Saturdays, Sundays, bank holidays, and the common-law holidays Good
// Friday and Christmas Day. Holidays come from the gov.uk bank-holidays.json
// feed for the years the feed covers, and are computed from the standing rules
// (Easter computus, "first/last Monday" rules, substitute days) for every
// other year. A Calendar is an immutable value with a version number; an
// administrator's change (a proclaimed one-off bank holiday) produces a new
// Calendar with the next version, so every deadline can record exactly which
// calendar it was computed with.
//
// This file also provides the helpers that map instants to London civil dates
// and back. The time zone is passed in; loading it is the caller's job.

#ifndef CASEWORK_WORKFLOW_TIME_CALENDAR_H_
#define CASEWORK_WORKFLOW_TIME_CALENDAR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace casework::workflow {

// Earliest and latest years a Calendar accepts in data and in added holidays.
// Rule-based holidays are computed only for years in this range (the
// Gregorian computus is not defined before 1583, and dates are written with
// four-digit years).
inline constexpr int kMinCalendarYear = 1583;
inline constexpr int kMaxCalendarYear = 9999;

// One non-working day other than a weekend: a bank holiday, a common-law
// holiday, a substitute day or a proclaimed one-off day.
struct Holiday {
  // The civil date of the holiday in England and Wales.
  absl::CivilDay date;
  // The title as gov.uk words it, e.g. "Good Friday" or "Boxing Day". A
  // substitute day carries the title of the day it replaces.
  std::string title;

  friend bool operator==(const Holiday& a, const Holiday& b) {
    return a.date == b.date && a.title == b.title;
  }
  friend bool operator!=(const Holiday& a, const Holiday& b) {
    return !(a == b);
  }
};

// Returns the England and Wales bank and public holidays of `year` as the
// standing rules define them, sorted by date:
//   * New Year's Day: 1 January, or the following Monday if it falls on a
//     Saturday or Sunday;
//   * Good Friday and Easter Monday (Easter by the anonymous Gregorian
//     computus);
//   * Early May bank holiday: the first Monday in May;
//   * Spring bank holiday: the last Monday in May;
//   * Summer bank holiday: the last Monday in August;
//   * Christmas Day and Boxing Day with substitute days: if 25 December is a
//     Saturday, 27 December (Christmas) and 28 December (Boxing Day); if it is
//     a Sunday, 26 December (Boxing Day) and 27 December (Christmas); if 26
//     December is a Saturday, 28 December (Boxing Day).
// Substitute days carry the title of the day they replace. One-off changes
// (extra or moved bank holidays) are not rules and are never included.
// Returns an empty vector for a year outside [kMinCalendarYear,
// kMaxCalendarYear].
std::vector<Holiday> RuleBasedHolidays(int year);

// Returns the England and Wales bank-holiday data shipped with the release, in
// the gov.uk bank-holidays.json feed shape. Defined in a build-generated file
// made from workflow/time/data/bank-holidays.json.
std::string_view BundledBankHolidaysJson();

// The England and Wales working-day calendar. Immutable; cheap enough to copy
// (it holds about ten holidays per covered year).
class Calendar {
 public:
  // Builds a calendar from text in the gov.uk bank-holidays.json feed shape:
  //   {"england-and-wales": {"division": "england-and-wales",
  //                          "events": [{"title": "Good Friday",
  //                                      "date": "2024-03-29",
  //                                      "notes": "", "bunting": false}, ...]},
  //    "scotland": {...}, "northern-ireland": {...}}
  // Only "england-and-wales" is read; other top-level keys and unknown event
  // fields are ignored. Each event needs a non-empty string "title" and a
  // "date" of the form YYYY-MM-DD; "notes" (string) and "bunting" (boolean)
  // are optional. The events must have distinct dates and must cover every
  // year from the earliest to the latest year that appears (those years are
  // the calendar's data years). Good Friday, and Christmas Day when it falls
  // on a weekday, count as holidays in the data years even if the file leaves
  // them out (they are common-law holidays). `version` identifies this
  // calendar and is recorded in every deadline computed with it.
  //
  // Returns kInvalidArgument if the text is not a JSON object, if a field is
  // missing, of the wrong type or invalid (the message names the field, e.g.
  // `england-and-wales.events[3].date: "2023-02-30" is not a valid date (want
  // YYYY-MM-DD)`), if two events share a date, if a year in the covered range
  // has no events, or if `version` is negative.
  static absl::StatusOr<Calendar> FromBankHolidaysJson(std::string_view json,
                                                       int64_t version);

  Calendar(const Calendar&) = default;
  Calendar& operator=(const Calendar&) = default;
  Calendar(Calendar&&) = default;
  Calendar& operator=(Calendar&&) = default;

  // Returns true if `day` is a working day in England and Wales: not a
  // Saturday or Sunday, not a holiday from the data (or from the rules, for a
  // year outside the data years), not Good Friday or Christmas Day, and not a
  // holiday added with WithAddedHoliday.
  bool IsWorkingDay(absl::CivilDay day) const;

  // Returns the title of the holiday on `day` (e.g. "Boxing Day"), or nullopt
  // if `day` is not one of the holidays that HolidaysInYear lists. A weekend
  // day whose holiday moved to a substitute day (25 December on a Saturday)
  // has no title; the substitute day has it.
  std::optional<std::string> HolidayTitle(absl::CivilDay day) const;

  // Returns the holidays of `year` sorted by date: the file's events for a
  // data year, RuleBasedHolidays(year) for any other year, plus holidays added
  // with WithAddedHoliday.
  std::vector<Holiday> HolidaysInYear(int year) const;

  // Returns a new calendar equal to this one plus a one-off holiday on `date`
  // called `title` (for example a bank holiday proclaimed for a state
  // occasion). The new calendar's version is version() + 1; this calendar is
  // unchanged.
  //
  // Returns kInvalidArgument if `title` is empty or blank or the year of
  // `date` is outside [kMinCalendarYear, kMaxCalendarYear], and
  // kAlreadyExists if `date` is already a non-working day (a weekend day or a
  // holiday).
  absl::StatusOr<Calendar> WithAddedHoliday(absl::CivilDay date,
                                            std::string title) const;

  // Returns the version this calendar was built or derived with.
  int64_t version() const { return version_; }

  // Returns the first and last years covered by the bank-holiday data (both
  // inclusive). Holidays of other years come from the rules.
  std::pair<int, int> data_years() const {
    return {first_data_year_, last_data_year_};
  }

 private:
  Calendar(std::map<absl::CivilDay, std::string> data_holidays,
           int first_data_year, int last_data_year, int64_t version);

  // Returns true if `year` is one of the data years.
  bool IsDataYear(int year) const {
    return year >= first_data_year_ && year <= last_data_year_;
  }

  // Holidays of the data years (the file's events plus common-law fill-ins).
  std::map<absl::CivilDay, std::string> data_holidays_;
  // Holidays added with WithAddedHoliday, in any year.
  std::map<absl::CivilDay, std::string> added_holidays_;
  int first_data_year_;
  int last_data_year_;
  int64_t version_;
};

// Returns the civil date in London (Europe/London, GMT in winter and BST in
// summer) at instant `t`. `london` must be the Europe/London time zone, e.g.
// from absl::LoadTimeZone("Europe/London").
absl::CivilDay LondonDate(absl::Time t, const absl::TimeZone& london);

// Returns the first instant of civil date `d` in London: local midnight,
// which is 00:00 UTC in winter and 23:00 UTC of the previous day in summer.
// `london` must be the Europe/London time zone.
absl::Time StartOfLondonDay(absl::CivilDay d, const absl::TimeZone& london);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_TIME_CALENDAR_H_
