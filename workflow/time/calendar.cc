#include "workflow/time/calendar.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace casework::workflow {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr absl::string_view kEnglandAndWales = "england-and-wales";

constexpr const char* kNewYearsDay = "New Year's Day";
constexpr const char* kGoodFriday = "Good Friday";
constexpr const char* kEasterMonday = "Easter Monday";
constexpr const char* kEarlyMay = "Early May bank holiday";
constexpr const char* kSpring = "Spring bank holiday";
constexpr const char* kSummer = "Summer bank holiday";
constexpr const char* kChristmasDay = "Christmas Day";
constexpr const char* kBoxingDay = "Boxing Day";

// A rule-based holiday without an allocated title.
struct RuleHoliday {
  absl::CivilDay date;
  const char* title;
};

// The standing rules always yield exactly eight holidays a year.
using RuleHolidays = std::array<RuleHoliday, 8>;

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

bool IsSupportedYear(int64_t year) {
  return year >= kMinCalendarYear && year <= kMaxCalendarYear;
}

// Easter Sunday of `year` by the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher). Valid for Gregorian years (>= 1583).
absl::CivilDay EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

absl::CivilDay FirstMondayOf(int year, int month) {
  // The Monday on or after the 1st.
  return absl::NextWeekday(absl::CivilDay(year, month, 1) - 1,
                           absl::Weekday::monday);
}

absl::CivilDay LastMondayOf(int year, int month) {
  // The Monday on or before the last day: PrevWeekday of the 1st of the next
  // month.
  const absl::CivilDay first_of_next(
      absl::CivilMonth(absl::CivilMonth(year, month) + 1));
  return absl::PrevWeekday(first_of_next, absl::Weekday::monday);
}

// Requires IsSupportedYear(year).
RuleHolidays ComputeRuleHolidays(int year) {
  RuleHolidays holidays;
  size_t n = 0;

  absl::CivilDay new_year(year, 1, 1);
  if (IsWeekend(new_year)) {
    new_year = absl::NextWeekday(new_year, absl::Weekday::monday);
  }
  holidays[n++] = {new_year, kNewYearsDay};

  const absl::CivilDay easter = EasterSunday(year);
  holidays[n++] = {easter - 2, kGoodFriday};
  holidays[n++] = {easter + 1, kEasterMonday};
  holidays[n++] = {FirstMondayOf(year, 5), kEarlyMay};
  holidays[n++] = {LastMondayOf(year, 5), kSpring};
  holidays[n++] = {LastMondayOf(year, 8), kSummer};

  const absl::CivilDay christmas(year, 12, 25);
  switch (absl::GetWeekday(christmas)) {
    case absl::Weekday::saturday:
      holidays[n++] = {christmas + 2, kChristmasDay};
      holidays[n++] = {christmas + 3, kBoxingDay};
      break;
    case absl::Weekday::sunday:
      holidays[n++] = {christmas + 1, kBoxingDay};
      holidays[n++] = {christmas + 2, kChristmasDay};
      break;
    case absl::Weekday::friday:  // Boxing Day is a Saturday.
      holidays[n++] = {christmas, kChristmasDay};
      holidays[n++] = {christmas + 3, kBoxingDay};
      break;
    default:
      holidays[n++] = {christmas, kChristmasDay};
      holidays[n++] = {christmas + 1, kBoxingDay};
      break;
  }
  // Already in date order: New Year, Easter (22 Mar..26 Apr), then May,
  // August and December.
  return holidays;
}

absl::string_view WeekdayName(absl::Weekday weekday) {
  switch (weekday) {
    case absl::Weekday::monday:
      return "Monday";
    case absl::Weekday::tuesday:
      return "Tuesday";
    case absl::Weekday::wednesday:
      return "Wednesday";
    case absl::Weekday::thursday:
      return "Thursday";
    case absl::Weekday::friday:
      return "Friday";
    case absl::Weekday::saturday:
      return "Saturday";
    case absl::Weekday::sunday:
      return "Sunday";
  }
  return "?";
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

// Returns a short description of a JSON value's kind, for error messages.
absl::string_view KindName(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a number";
    case Value::kStringValue:
      return "a string";
    case Value::kBoolValue:
      return "a boolean";
    case Value::kStructValue:
      return "an object";
    case Value::kListValue:
      return "an array";
    case Value::KIND_NOT_SET:
      break;
  }
  return "nothing";
}

absl::Status WrongKind(absl::string_view field, absl::string_view want,
                       const Value& got) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": want ", want, ", got ", KindName(got)));
}

// Parses a strict YYYY-MM-DD date. Returns nullopt if the text is not of that
// form or names a date that does not exist.
std::optional<absl::CivilDay> ParseIsoDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int fields[3] = {0, 0, 0};
  const std::pair<size_t, size_t> spans[3] = {{0, 4}, {5, 2}, {8, 2}};
  for (int f = 0; f < 3; ++f) {
    for (size_t i = spans[f].first; i < spans[f].first + spans[f].second; ++i) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
        return std::nullopt;
      }
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  const absl::CivilDay day(fields[0], fields[1], fields[2]);
  // CivilDay normalises out-of-range fields (30 Feb becomes 2 Mar); a real
  // date survives unchanged.
  if (day.year() != fields[0] || day.month() != fields[1] ||
      day.day() != fields[2]) {
    return std::nullopt;
  }
  return day;
}

// Looks up `key` in `object`; returns nullptr if absent.
const Value* FindField(const Struct& object, const std::string& key) {
  const auto it = object.fields().find(key);
  return it == object.fields().end() ? nullptr : &it->second;
}

}  // namespace

std::vector<Holiday> RuleBasedHolidays(int year) {
  std::vector<Holiday> holidays;
  if (!IsSupportedYear(year)) return holidays;
  for (const RuleHoliday& rule_holiday : ComputeRuleHolidays(year)) {
    holidays.push_back(Holiday{rule_holiday.date, rule_holiday.title});
  }
  return holidays;
}

Calendar::Calendar(std::map<absl::CivilDay, std::string> data_holidays,
                   int first_data_year, int last_data_year, int64_t version)
    : data_holidays_(std::move(data_holidays)),
      first_data_year_(first_data_year),
      last_data_year_(last_data_year),
      version_(version) {}

absl::StatusOr<Calendar> Calendar::FromBankHolidaysJson(std::string_view json,
                                                        int64_t version) {
  if (version < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("version: ", version, " is negative (want >= 0)"));
  }

  Struct root;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto parse_status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &root, options);
  if (!parse_status.ok()) {
    const auto message = parse_status.message();
    return absl::InvalidArgumentError(absl::StrCat(
        "bank holidays JSON: not a valid JSON object (",
        absl::string_view(message.data(), message.size()), ")"));
  }

  const std::string division_key(kEnglandAndWales);
  const Value* division = FindField(root, division_key);
  if (division == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bank holidays JSON: missing key \"", kEnglandAndWales,
        "\" (want the gov.uk bank-holidays.json feed with the England and "
        "Wales division)"));
  }
  if (division->kind_case() != Value::kStructValue) {
    return WrongKind(division_key, "an object", *division);
  }
  const Struct& division_object = division->struct_value();

  if (const Value* name = FindField(division_object, "division");
      name != nullptr && name->kind_case() != Value::kStringValue) {
    return WrongKind(absl::StrCat(division_key, ".division"), "a string",
                     *name);
  }

  const std::string events_field = absl::StrCat(division_key, ".events");
  const Value* events = FindField(division_object, "events");
  if (events == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(events_field, ": missing (want an array of events)"));
  }
  if (events->kind_case() != Value::kListValue) {
    return WrongKind(events_field, "an array", *events);
  }
  const ListValue& event_list = events->list_value();
  if (event_list.values_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(events_field, ": is empty (want at least one event)"));
  }

  std::map<absl::CivilDay, std::string> holidays;
  std::map<absl::CivilDay, int> index_of_date;
  int first_year = kMaxCalendarYear;
  int last_year = kMinCalendarYear;
  for (int i = 0; i < event_list.values_size(); ++i) {
    const std::string field = absl::StrCat(events_field, "[", i, "]");
    const Value& event = event_list.values(i);
    if (event.kind_case() != Value::kStructValue) {
      return WrongKind(field, "an object", event);
    }
    const Struct& event_object = event.struct_value();

    const Value* title = FindField(event_object, "title");
    if (title == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".title: missing (want a non-empty string)"));
    }
    if (title->kind_case() != Value::kStringValue) {
      return WrongKind(absl::StrCat(field, ".title"), "a string", *title);
    }
    if (absl::StripAsciiWhitespace(title->string_value()).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".title: is empty (want a non-empty string)"));
    }

    const Value* date = FindField(event_object, "date");
    if (date == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".date: missing (want YYYY-MM-DD)"));
    }
    if (date->kind_case() != Value::kStringValue) {
      return WrongKind(absl::StrCat(field, ".date"), "a string YYYY-MM-DD",
                       *date);
    }
    const std::optional<absl::CivilDay> day = ParseIsoDate(date->string_value());
    if (!day.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".date: \"", date->string_value(),
                       "\" is not a valid date (want YYYY-MM-DD)"));
    }
    if (!IsSupportedYear(day->year())) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s.date: \"%s\" is outside the supported years %d to %d", field,
          date->string_value(), kMinCalendarYear, kMaxCalendarYear));
    }

    if (const Value* notes = FindField(event_object, "notes");
        notes != nullptr && notes->kind_case() != Value::kStringValue) {
      return WrongKind(absl::StrCat(field, ".notes"), "a string", *notes);
    }
    if (const Value* bunting = FindField(event_object, "bunting");
        bunting != nullptr && bunting->kind_case() != Value::kBoolValue) {
      return WrongKind(absl::StrCat(field, ".bunting"), "true or false",
                       *bunting);
    }

    const auto [it, inserted] = index_of_date.emplace(*day, i);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".date: \"", date->string_value(), "\" duplicates ",
          events_field, "[", it->second, "].date"));
    }
    holidays.emplace(*day, title->string_value());
    first_year = std::min(first_year, static_cast<int>(day->year()));
    last_year = std::max(last_year, static_cast<int>(day->year()));
  }

  // Every year in the covered range must have data, otherwise that year
  // would silently have no holidays at all.
  for (int year = first_year; year <= last_year; ++year) {
    const auto it = holidays.lower_bound(absl::CivilDay(year, 1, 1));
    if (it == holidays.end() || it->first.year() != year) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: no events for %d (the data must cover every year from %d to "
          "%d)",
          events_field, year, first_year, last_year));
    }
  }

  // Good Friday and Christmas Day are common-law holidays: they are
  // non-working days whatever the file says.
  for (int year = first_year; year <= last_year; ++year) {
    holidays.emplace(EasterSunday(year) - 2, kGoodFriday);
    const absl::CivilDay christmas(year, 12, 25);
    if (!IsWeekend(christmas)) holidays.emplace(christmas, kChristmasDay);
  }

  return Calendar(std::move(holidays), first_year, last_year, version);
}

bool Calendar::IsWorkingDay(absl::CivilDay day) const {
  if (IsWeekend(day)) return false;
  return !HolidayTitle(day).has_value();
}

std::optional<std::string> Calendar::HolidayTitle(absl::CivilDay day) const {
  if (const auto it = added_holidays_.find(day); it != added_holidays_.end()) {
    return it->second;
  }
  const int64_t year = day.year();
  if (IsDataYear(static_cast<int>(year))) {
    const auto it = data_holidays_.find(day);
    if (it == data_holidays_.end()) return std::nullopt;
    return it->second;
  }
  if (!IsSupportedYear(year)) return std::nullopt;
  for (const RuleHoliday& rule_holiday :
       ComputeRuleHolidays(static_cast<int>(year))) {
    if (rule_holiday.date == day) return std::string(rule_holiday.title);
  }
  return std::nullopt;
}

std::vector<Holiday> Calendar::HolidaysInYear(int year) const {
  std::vector<Holiday> holidays;
  if (IsDataYear(year)) {
    for (auto it = data_holidays_.lower_bound(absl::CivilDay(year, 1, 1));
         it != data_holidays_.end() && it->first.year() == year; ++it) {
      holidays.push_back(Holiday{it->first, it->second});
    }
  } else {
    holidays = RuleBasedHolidays(year);
  }
  bool added_any = false;
  for (auto it = added_holidays_.lower_bound(absl::CivilDay(year, 1, 1));
       it != added_holidays_.end() && it->first.year() == year; ++it) {
    holidays.push_back(Holiday{it->first, it->second});
    added_any = true;
  }
  if (added_any) {
    std::sort(holidays.begin(), holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  }
  return holidays;
}

absl::StatusOr<Calendar> Calendar::WithAddedHoliday(absl::CivilDay date,
                                                    std::string title) const {
  if (absl::StripAsciiWhitespace(title).empty()) {
    return absl::InvalidArgumentError(
        "title: is empty (want the name of the holiday, e.g. \"Bank holiday "
        "for the coronation of King Charles III\")");
  }
  if (!IsSupportedYear(date.year())) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "date: %s is outside the supported years %d to %d", FormatDate(date),
        kMinCalendarYear, kMaxCalendarYear));
  }
  if (IsWeekend(date)) {
    return absl::AlreadyExistsError(
        absl::StrCat("date: ", FormatDate(date),
                     " is already a non-working day (",
                     WeekdayName(absl::GetWeekday(date)), ")"));
  }
  if (const std::optional<std::string> existing = HolidayTitle(date);
      existing.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "date: ", FormatDate(date), " is already a non-working day (",
        *existing, ")"));
  }
  Calendar result = *this;
  result.added_holidays_.emplace(date, std::move(title));
  result.version_ = version_ + 1;
  return result;
}

absl::CivilDay LondonDate(absl::Time t, const absl::TimeZone& london) {
  return absl::ToCivilDay(t, london);
}

absl::Time StartOfLondonDay(absl::CivilDay d, const absl::TimeZone& london) {
  const absl::TimeZone::TimeInfo info = london.At(absl::CivilSecond(d));
  // If midnight was skipped by a clock change, the day starts at the
  // transition; if it happened twice, at the first one.
  if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) return info.trans;
  return info.pre;
}

}  // namespace casework::workflow
