// Tests for the England and Wales working-day calendar: the bundled gov.uk
// data, the standing rules, added holidays, JSON validation and the London
// time helpers.

#include "workflow/time/calendar.h"

#include <fstream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#ifndef CASEWORK_BANK_HOLIDAYS_JSON_PATH
#error "CASEWORK_BANK_HOLIDAYS_JSON_PATH must name workflow/time/data/bank-holidays.json"
#endif

namespace casework::workflow {

// Prints a Holiday in test failure messages as "2024-03-29 Good Friday".
void PrintTo(const Holiday& holiday, std::ostream* os) {
  *os << holiday.date << " " << holiday.title;
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

std::string ReadDataFile() {
  std::ifstream in(CASEWORK_BANK_HOLIDAYS_JSON_PATH, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << CASEWORK_BANK_HOLIDAYS_JSON_PATH;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Calendar LoadCalendar() {
  absl::StatusOr<Calendar> calendar =
      Calendar::FromBankHolidaysJson(ReadDataFile(), 1);
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

// A feed whose England and Wales division holds `events` (JSON objects
// separated by commas).
std::string Feed(const std::string& events) {
  return "{\"england-and-wales\": {\"division\": \"england-and-wales\", "
         "\"events\": [" +
         events + "]}}";
}

TEST(CalendarTest, LoadsBundledDataFor2018To2027) {
  const Calendar calendar = LoadCalendar();
  EXPECT_EQ(calendar.version(), 1);
  EXPECT_EQ(calendar.data_years(), std::make_pair(2018, 2027));
}

TEST(CalendarTest, HolidaysIn2024FromFile) {
  const Calendar calendar = LoadCalendar();
  EXPECT_THAT(
      calendar.HolidaysInYear(2024),
      ElementsAre(Holiday{absl::CivilDay(2024, 1, 1), "New Year's Day"},
                  Holiday{absl::CivilDay(2024, 3, 29), "Good Friday"},
                  Holiday{absl::CivilDay(2024, 4, 1), "Easter Monday"},
                  Holiday{absl::CivilDay(2024, 5, 6), "Early May bank holiday"},
                  Holiday{absl::CivilDay(2024, 5, 27), "Spring bank holiday"},
                  Holiday{absl::CivilDay(2024, 8, 26), "Summer bank holiday"},
                  Holiday{absl::CivilDay(2024, 12, 25), "Christmas Day"},
                  Holiday{absl::CivilDay(2024, 12, 26), "Boxing Day"}));
}

TEST(CalendarTest, Easter2024IsNonWorking) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2024, 3, 29)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2024, 4, 1)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2024, 3, 28)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2024, 4, 2)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2024, 3, 29)),
              Optional(std::string("Good Friday")));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2024, 4, 1)),
              Optional(std::string("Easter Monday")));
  EXPECT_EQ(calendar.HolidayTitle(absl::CivilDay(2024, 4, 2)), std::nullopt);
}

TEST(CalendarTest, ChristmasSubstituteDays2021) {
  const Calendar calendar = LoadCalendar();
  // 25 and 26 December 2021 were a Saturday and a Sunday.
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2021, 12, 27)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2021, 12, 28)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2021, 12, 29)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2021, 12, 27)),
              Optional(std::string("Christmas Day")));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2021, 12, 28)),
              Optional(std::string("Boxing Day")));
  // New Year's Day 2022 was a Saturday: substitute Monday 3 January.
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 1, 3)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2022, 1, 4)));
}

TEST(CalendarTest, ChristmasSubstituteDays2022) {
  const Calendar calendar = LoadCalendar();
  // 25 December 2022 was a Sunday: Boxing Day Monday 26, substitute
  // Christmas Day Tuesday 27.
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 12, 26)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 12, 27)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2022, 12, 28)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2022, 12, 26)),
              Optional(std::string("Boxing Day")));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2022, 12, 27)),
              Optional(std::string("Christmas Day")));
}

TEST(CalendarTest, PlatinumJubilee2022) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 6, 2)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 6, 3)));
  // The spring bank holiday moved away from the last Monday in May.
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2022, 5, 30)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2022, 6, 3)),
              Optional(std::string("Platinum Jubilee bank holiday")));
}

TEST(CalendarTest, StateFuneral2022) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2022, 9, 19)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2022, 9, 19)),
              Optional(std::string(
                  "Bank Holiday for the State Funeral of Queen Elizabeth II")));
}

TEST(CalendarTest, VeDay2020MovedEarlyMayHoliday) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2020, 5, 8)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2020, 5, 4)));
}

TEST(CalendarTest, Coronation2023) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2023, 5, 1)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2023, 5, 8)));
}

TEST(CalendarTest, WeekendsAreNonWorking) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2024, 6, 15)));  // Sat
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2024, 6, 16)));  // Sun
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2024, 6, 17)));   // Mon
  EXPECT_EQ(calendar.HolidayTitle(absl::CivilDay(2024, 6, 15)), std::nullopt);
}

// The file and the standing rules must agree on every date of every covered
// year except the one-off changes listed here. When a new one-off bank
// holiday is announced, add it to this list together with the new data file.
TEST(CalendarTest, FileDiffersFromRulesOnlyOnOneOffDays) {
  const Calendar calendar = LoadCalendar();
  const std::set<absl::CivilDay> rules_only = {
      absl::CivilDay(2020, 5, 4),   // Early May moved to VE Day.
      absl::CivilDay(2022, 5, 30),  // Spring moved to 2 June.
  };
  const std::set<absl::CivilDay> file_only = {
      absl::CivilDay(2020, 5, 8),   // VE Day 75th anniversary.
      absl::CivilDay(2022, 6, 2),   // Spring bank holiday (Jubilee).
      absl::CivilDay(2022, 6, 3),   // Platinum Jubilee bank holiday.
      absl::CivilDay(2022, 9, 19),  // State Funeral of Queen Elizabeth II.
      absl::CivilDay(2023, 5, 8),   // Coronation of King Charles III.
  };

  std::set<absl::CivilDay> found_rules_only;
  std::set<absl::CivilDay> found_file_only;
  const auto [first_year, last_year] = calendar.data_years();
  for (int year = first_year; year <= last_year; ++year) {
    std::set<absl::CivilDay> from_rules;
    for (const Holiday& holiday : RuleBasedHolidays(year)) {
      from_rules.insert(holiday.date);
    }
    std::set<absl::CivilDay> from_file;
    for (const Holiday& holiday : calendar.HolidaysInYear(year)) {
      from_file.insert(holiday.date);
    }
    for (const absl::CivilDay day : from_rules) {
      if (from_file.count(day) == 0) found_rules_only.insert(day);
    }
    for (const absl::CivilDay day : from_file) {
      if (from_rules.count(day) == 0) found_file_only.insert(day);
    }
  }
  EXPECT_EQ(found_rules_only, rules_only);
  EXPECT_EQ(found_file_only, file_only);
}

TEST(CalendarTest, RuleBasedHolidays2030) {
  EXPECT_THAT(
      RuleBasedHolidays(2030),
      ElementsAre(Holiday{absl::CivilDay(2030, 1, 1), "New Year's Day"},
                  Holiday{absl::CivilDay(2030, 4, 19), "Good Friday"},
                  Holiday{absl::CivilDay(2030, 4, 22), "Easter Monday"},
                  Holiday{absl::CivilDay(2030, 5, 6), "Early May bank holiday"},
                  Holiday{absl::CivilDay(2030, 5, 27), "Spring bank holiday"},
                  Holiday{absl::CivilDay(2030, 8, 26), "Summer bank holiday"},
                  Holiday{absl::CivilDay(2030, 12, 25), "Christmas Day"},
                  Holiday{absl::CivilDay(2030, 12, 26), "Boxing Day"}));
}

TEST(CalendarTest, RuleBasedHolidays2017And2031) {
  EXPECT_THAT(
      RuleBasedHolidays(2017),
      ElementsAre(Holiday{absl::CivilDay(2017, 1, 2), "New Year's Day"},
                  Holiday{absl::CivilDay(2017, 4, 14), "Good Friday"},
                  Holiday{absl::CivilDay(2017, 4, 17), "Easter Monday"},
                  Holiday{absl::CivilDay(2017, 5, 1), "Early May bank holiday"},
                  Holiday{absl::CivilDay(2017, 5, 29), "Spring bank holiday"},
                  Holiday{absl::CivilDay(2017, 8, 28), "Summer bank holiday"},
                  Holiday{absl::CivilDay(2017, 12, 25), "Christmas Day"},
                  Holiday{absl::CivilDay(2017, 12, 26), "Boxing Day"}));
  EXPECT_THAT(
      RuleBasedHolidays(2031),
      ElementsAre(Holiday{absl::CivilDay(2031, 1, 1), "New Year's Day"},
                  Holiday{absl::CivilDay(2031, 4, 11), "Good Friday"},
                  Holiday{absl::CivilDay(2031, 4, 14), "Easter Monday"},
                  Holiday{absl::CivilDay(2031, 5, 5), "Early May bank holiday"},
                  Holiday{absl::CivilDay(2031, 5, 26), "Spring bank holiday"},
                  Holiday{absl::CivilDay(2031, 8, 25), "Summer bank holiday"},
                  Holiday{absl::CivilDay(2031, 12, 25), "Christmas Day"},
                  Holiday{absl::CivilDay(2031, 12, 26), "Boxing Day"}));
}

TEST(CalendarTest, RuleBasedChristmasOnSaturday2032) {
  const std::vector<Holiday> holidays = RuleBasedHolidays(2032);
  ASSERT_EQ(holidays.size(), 8u);
  EXPECT_EQ(holidays[6], (Holiday{absl::CivilDay(2032, 12, 27),
                                  "Christmas Day"}));
  EXPECT_EQ(holidays[7], (Holiday{absl::CivilDay(2032, 12, 28), "Boxing Day"}));
}

TEST(CalendarTest, RuleBasedChristmasOnSundayAndFriday) {
  // 2033: 25 December is a Sunday.
  const std::vector<Holiday> sunday = RuleBasedHolidays(2033);
  ASSERT_EQ(sunday.size(), 8u);
  EXPECT_EQ(sunday[6], (Holiday{absl::CivilDay(2033, 12, 26), "Boxing Day"}));
  EXPECT_EQ(sunday[7],
            (Holiday{absl::CivilDay(2033, 12, 27), "Christmas Day"}));
  // 2037: 25 December is a Friday, Boxing Day a Saturday.
  const std::vector<Holiday> friday = RuleBasedHolidays(2037);
  ASSERT_EQ(friday.size(), 8u);
  EXPECT_EQ(friday[6],
            (Holiday{absl::CivilDay(2037, 12, 25), "Christmas Day"}));
  EXPECT_EQ(friday[7], (Holiday{absl::CivilDay(2037, 12, 28), "Boxing Day"}));
}

TEST(CalendarTest, RuleBasedEasterExtremes) {
  // Easter Sunday 2285 is 22 March (the earliest possible date) and 2038 is
  // 25 April (the latest); 2000 is 23 April.
  EXPECT_EQ(RuleBasedHolidays(2285)[1].date, absl::CivilDay(2285, 3, 20));
  EXPECT_EQ(RuleBasedHolidays(2038)[2].date, absl::CivilDay(2038, 4, 26));
  EXPECT_EQ(RuleBasedHolidays(2000)[1].date, absl::CivilDay(2000, 4, 21));
}

TEST(CalendarTest, RuleBasedHolidaysOutsideSupportedYearsIsEmpty) {
  EXPECT_TRUE(RuleBasedHolidays(1582).empty());
  EXPECT_TRUE(RuleBasedHolidays(10000).empty());
}

TEST(CalendarTest, YearsOutsideDataUseRules) {
  const Calendar calendar = LoadCalendar();
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2030, 4, 19)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2030, 4, 22)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2030, 4, 18)));
  EXPECT_THAT(calendar.HolidayTitle(absl::CivilDay(2030, 4, 19)),
              Optional(std::string("Good Friday")));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2032, 12, 27)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2032, 12, 28)));
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2032, 12, 29)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2017, 1, 2)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2017, 4, 14)));
  EXPECT_EQ(calendar.HolidaysInYear(2031), RuleBasedHolidays(2031));
}

TEST(CalendarTest, WithAddedHolidayMakesNewVersion) {
  const Calendar calendar = LoadCalendar();
  const absl::CivilDay day(2024, 7, 5);  // A Friday.
  ASSERT_TRUE(calendar.IsWorkingDay(day));

  absl::StatusOr<Calendar> updated =
      calendar.WithAddedHoliday(day, "Proclaimed bank holiday");
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version(), 2);
  EXPECT_FALSE(updated->IsWorkingDay(day));
  EXPECT_THAT(updated->HolidayTitle(day),
              Optional(std::string("Proclaimed bank holiday")));
  EXPECT_EQ(updated->data_years(), std::make_pair(2018, 2027));
  std::vector<Holiday> holidays = updated->HolidaysInYear(2024);
  ASSERT_EQ(holidays.size(), 9u);
  EXPECT_EQ(holidays[5], (Holiday{day, "Proclaimed bank holiday"}));

  // The original calendar is unchanged.
  EXPECT_EQ(calendar.version(), 1);
  EXPECT_TRUE(calendar.IsWorkingDay(day));
  EXPECT_EQ(calendar.HolidaysInYear(2024).size(), 8u);

  // Each change makes the next version.
  absl::StatusOr<Calendar> again =
      updated->WithAddedHoliday(absl::CivilDay(2030, 7, 5), "Another day");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version(), 3);
  EXPECT_FALSE(again->IsWorkingDay(absl::CivilDay(2030, 7, 5)));
  EXPECT_FALSE(again->IsWorkingDay(day));
  EXPECT_EQ(again->HolidaysInYear(2030).size(), 9u);
}

TEST(CalendarTest, WithAddedHolidayRefusesNonWorkingDays) {
  const Calendar calendar = LoadCalendar();
  absl::StatusOr<Calendar> saturday =
      calendar.WithAddedHoliday(absl::CivilDay(2024, 7, 6), "Extra");
  EXPECT_EQ(saturday.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(saturday.status().message(),
              HasSubstr("2024-07-06 is already a non-working day (Saturday)"));

  absl::StatusOr<Calendar> christmas =
      calendar.WithAddedHoliday(absl::CivilDay(2024, 12, 25), "Extra");
  EXPECT_EQ(christmas.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(christmas.status().message(),
              HasSubstr("2024-12-25 is already a non-working day (Christmas "
                        "Day)"));

  absl::StatusOr<Calendar> rules_year =
      calendar.WithAddedHoliday(absl::CivilDay(2030, 4, 19), "Extra");
  EXPECT_EQ(rules_year.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(CalendarTest, WithAddedHolidayRefusesInvalidInput) {
  const Calendar calendar = LoadCalendar();
  absl::StatusOr<Calendar> blank =
      calendar.WithAddedHoliday(absl::CivilDay(2024, 7, 5), "  ");
  EXPECT_EQ(blank.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(blank.status().message(), HasSubstr("title: is empty"));

  absl::StatusOr<Calendar> ancient =
      calendar.WithAddedHoliday(absl::CivilDay(1500, 7, 5), "Extra");
  EXPECT_EQ(ancient.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ancient.status().message(),
              HasSubstr("date: 1500-07-05 is outside the supported years"));
}

TEST(CalendarTest, CommonLawHolidaysCountEvenIfMissingFromFile) {
  // A file that lists only New Year's Day still has Good Friday and
  // Christmas Day as non-working days.
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(
      Feed(R"({"title": "New Year's Day", "date": "2024-01-01"})"), 7);
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_EQ(calendar->version(), 7);
  EXPECT_EQ(calendar->data_years(), std::make_pair(2024, 2024));
  EXPECT_FALSE(calendar->IsWorkingDay(absl::CivilDay(2024, 3, 29)));
  EXPECT_FALSE(calendar->IsWorkingDay(absl::CivilDay(2024, 12, 25)));
  // Easter Monday is not a common-law holiday; the file decides.
  EXPECT_TRUE(calendar->IsWorkingDay(absl::CivilDay(2024, 4, 1)));
  EXPECT_THAT(
      calendar->HolidaysInYear(2024),
      ElementsAre(Holiday{absl::CivilDay(2024, 1, 1), "New Year's Day"},
                  Holiday{absl::CivilDay(2024, 3, 29), "Good Friday"},
                  Holiday{absl::CivilDay(2024, 12, 25), "Christmas Day"}));
}

TEST(CalendarTest, OtherDivisionsAndUnknownFieldsAreIgnored) {
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(
      R"({"scotland": {"division": "scotland", "events": [
            {"title": "St Andrew's Day", "date": "2024-12-02"}]},
          "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Early May bank holiday", "date": "2024-05-06",
             "notes": "", "bunting": true, "colour": "red"}]},
          "northern-ireland": "not even an object"})",
      1);
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_TRUE(calendar->IsWorkingDay(absl::CivilDay(2024, 12, 2)));
  EXPECT_FALSE(calendar->IsWorkingDay(absl::CivilDay(2024, 5, 6)));
}

TEST(CalendarTest, RejectsInvalidDate) {
  // events[3] has 30 February.
  std::string json = ReadDataFile();
  json = absl::StrReplaceAll(json, {{"\"2018-05-07\"", "\"2023-02-30\""}});
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(json, 1);
  EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(calendar.status().message(),
              HasSubstr("england-and-wales.events[3].date: \"2023-02-30\" is "
                        "not a valid date (want YYYY-MM-DD)"));
}

TEST(CalendarTest, RejectsMalformedDates) {
  for (const char* date : {"2024-1-01", "01/01/2024", "2024-13-01",
                           "2024-00-10", "20240101", "2024-01-01T00:00",
                           ""}) {
    absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(
        Feed(std::string(R"({"title": "X", "date": ")") + date + "\"}"), 1);
    EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument)
        << date;
    EXPECT_THAT(calendar.status().message(),
                HasSubstr(std::string("england-and-wales.events[0].date: \"") +
                          date + "\" is not a valid date (want YYYY-MM-DD)"));
  }
}

TEST(CalendarTest, RejectsMissingEnglandAndWales) {
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(
      R"({"scotland": {"division": "scotland", "events": []}})", 1);
  EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(calendar.status().message(),
              HasSubstr("missing key \"england-and-wales\""));
}

TEST(CalendarTest, RejectsMalformedStructure) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not json", "bank holidays JSON: not a valid JSON object"},
      {"[1, 2]", "bank holidays JSON: not a valid JSON object"},
      {R"({"england-and-wales": []})",
       "england-and-wales: want an object, got an array"},
      {R"({"england-and-wales": {"division": 3, "events": []}})",
       "england-and-wales.division: want a string, got a number"},
      {R"({"england-and-wales": {"division": "england-and-wales"}})",
       "england-and-wales.events: missing"},
      {R"({"england-and-wales": {"events": {}}})",
       "england-and-wales.events: want an array, got an object"},
      {Feed(""), "england-and-wales.events: is empty"},
      {Feed(R"("2024-01-01")"),
       "england-and-wales.events[0]: want an object, got a string"},
      {Feed(R"({"date": "2024-01-01"})"),
       "england-and-wales.events[0].title: missing"},
      {Feed(R"({"title": "", "date": "2024-01-01"})"),
       "england-and-wales.events[0].title: is empty"},
      {Feed(R"({"title": 5, "date": "2024-01-01"})"),
       "england-and-wales.events[0].title: want a string, got a number"},
      {Feed(R"({"title": "X"})"), "england-and-wales.events[0].date: missing"},
      {Feed(R"({"title": "X", "date": null})"),
       "england-and-wales.events[0].date: want a string YYYY-MM-DD, got null"},
      {Feed(R"({"title": "X", "date": "2024-01-01", "notes": 1})"),
       "england-and-wales.events[0].notes: want a string, got a number"},
      {Feed(R"({"title": "X", "date": "2024-01-01", "bunting": "yes"})"),
       "england-and-wales.events[0].bunting: want true or false, got a "
       "string"},
      {Feed(R"({"title": "X", "date": "1400-01-01"})"),
       "england-and-wales.events[0].date: \"1400-01-01\" is outside the "
       "supported years 1583 to 9999"},
      {Feed(R"({"title": "A", "date": "2024-01-01"},
               {"title": "B", "date": "2024-05-06"},
               {"title": "C", "date": "2024-01-01"})"),
       "england-and-wales.events[2].date: \"2024-01-01\" duplicates "
       "england-and-wales.events[0].date"},
      {Feed(R"({"title": "A", "date": "2024-01-01"},
               {"title": "B", "date": "2026-01-01"})"),
       "england-and-wales.events: no events for 2025 (the data must cover "
       "every year from 2024 to 2026)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Calendar> calendar =
        Calendar::FromBankHolidaysJson(c.json, 1);
    EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument)
        << c.json;
    EXPECT_THAT(calendar.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(CalendarTest, RejectsNegativeVersion) {
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(
      Feed(R"({"title": "X", "date": "2024-01-01"})"), -1);
  EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(calendar.status().message(),
              HasSubstr("version: -1 is negative"));
}

class LondonTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london_));
  }

  static absl::Time Utc(int y, int m, int d, int hh, int mm) {
    return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                           absl::UTCTimeZone());
  }

  absl::TimeZone london_;
};

TEST_F(LondonTimeTest, LondonDateAcrossClockChanges) {
  // BST starts at 01:00 UTC on 31 March 2024.
  EXPECT_EQ(LondonDate(Utc(2024, 3, 31, 0, 30), london_),
            absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(LondonDate(Utc(2024, 3, 30, 23, 30), london_),
            absl::CivilDay(2024, 3, 30));
  // In summer London is UTC+1.
  EXPECT_EQ(LondonDate(Utc(2024, 6, 30, 23, 30), london_),
            absl::CivilDay(2024, 7, 1));
  EXPECT_EQ(LondonDate(Utc(2024, 6, 30, 22, 59), london_),
            absl::CivilDay(2024, 6, 30));
  // In winter London is UTC.
  EXPECT_EQ(LondonDate(Utc(2024, 1, 15, 23, 30), london_),
            absl::CivilDay(2024, 1, 15));
  // BST ends at 01:00 UTC on 27 October 2024.
  EXPECT_EQ(LondonDate(Utc(2024, 10, 26, 23, 30), london_),
            absl::CivilDay(2024, 10, 27));
  EXPECT_EQ(LondonDate(Utc(2024, 10, 27, 23, 30), london_),
            absl::CivilDay(2024, 10, 27));
}

TEST_F(LondonTimeTest, StartOfLondonDay) {
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 1, 15), london_),
            Utc(2024, 1, 15, 0, 0));
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 7, 1), london_),
            Utc(2024, 6, 30, 23, 0));
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 3, 31), london_),
            Utc(2024, 3, 31, 0, 0));
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 4, 1), london_),
            Utc(2024, 3, 31, 23, 0));
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 10, 27), london_),
            Utc(2024, 10, 26, 23, 0));
  // 31 March 2024 lasts 23 hours and 27 October 2024 lasts 25 hours.
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 4, 1), london_) -
                StartOfLondonDay(absl::CivilDay(2024, 3, 31), london_),
            absl::Hours(23));
  EXPECT_EQ(StartOfLondonDay(absl::CivilDay(2024, 10, 28), london_) -
                StartOfLondonDay(absl::CivilDay(2024, 10, 27), london_),
            absl::Hours(25));
  // The start of a day maps back to that day.
  EXPECT_EQ(LondonDate(StartOfLondonDay(absl::CivilDay(2024, 7, 1), london_),
                       london_),
            absl::CivilDay(2024, 7, 1));
}

}  // namespace
}  // namespace casework::workflow
