// Fuzz target: the bank-holiday data parser.
//
// Input: text for Calendar::FromBankHolidaysJson. Anything that is not
// accepted must be INVALID_ARGUMENT. A calendar that is accepted must answer
// consistently: the holidays of a year are sorted, in that year, non-working
// and titled; Good Friday and a weekday Christmas Day are never working days
// in the data years; deadlines computed with it follow the counting rules;
// adding a one-off holiday makes exactly that day non-working.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "tests/fuzz/fuzz_support.h"
#include "workflow/time/calendar.h"
#include "workflow/time/deadline_rules.h"

namespace casework::fuzz {
namespace {

using workflow::Calendar;
using workflow::DeadlineRule;
using workflow::DeadlineUnit;
using workflow::Holiday;

constexpr int64_t kVersion = 7;

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

void CheckYear(const Calendar& calendar, int year) {
  const std::vector<Holiday> holidays = calendar.HolidaysInYear(year);
  for (size_t i = 0; i < holidays.size(); ++i) {
    const Holiday& h = holidays[i];
    FUZZ_CHECK(h.date.year() == year);
    FUZZ_CHECK(i == 0 || holidays[i - 1].date < h.date);
    FUZZ_CHECK(!h.title.empty());
    FUZZ_CHECK(!calendar.IsWorkingDay(h.date));
    const std::optional<std::string> title = calendar.HolidayTitle(h.date);
    FUZZ_CHECK(title.has_value() && *title == h.title);
  }
  // Every other day: a working day unless it is a weekend, and untitled.
  size_t next = 0;
  for (absl::CivilDay day(year, 1, 1); day.year() == year; ++day) {
    if (next < holidays.size() && holidays[next].date == day) {
      ++next;
      continue;
    }
    FUZZ_CHECK(!calendar.HolidayTitle(day).has_value());
    FUZZ_CHECK(calendar.IsWorkingDay(day) == !IsWeekend(day));
  }
}

void CheckCommonLawHolidays(const Calendar& calendar, int year) {
  for (const Holiday& h : workflow::RuleBasedHolidays(year)) {
    if (h.title == "Good Friday") FUZZ_CHECK(!calendar.IsWorkingDay(h.date));
  }
  const absl::CivilDay christmas(year, 12, 25);
  if (!IsWeekend(christmas)) FUZZ_CHECK(!calendar.IsWorkingDay(christmas));
}

void CheckAddedHoliday(const Calendar& calendar, int year) {
  // The first working day from 1 June.
  absl::CivilDay day(year, 6, 1);
  while (!calendar.IsWorkingDay(day)) ++day;
  absl::StatusOr<Calendar> added = calendar.WithAddedHoliday(day, "Fuzzed one-off holiday");
  FUZZ_CHECK(added.ok());
  FUZZ_CHECK(added->version() == calendar.version() + 1);
  FUZZ_CHECK(!added->IsWorkingDay(day));
  FUZZ_CHECK(added->HolidayTitle(day) == std::optional<std::string>("Fuzzed one-off holiday"));
  FUZZ_CHECK(added->IsWorkingDay(day + 1) == calendar.IsWorkingDay(day + 1));
  FUZZ_CHECK(calendar.IsWorkingDay(day));  // the original is unchanged
  CheckYear(*added, year);
  absl::StatusOr<Calendar> again = added->WithAddedHoliday(day, "Twice");
  FUZZ_CHECK(!again.ok() && again.status().code() == absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace casework::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  casework::fuzz::SilenceProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace casework::fuzz;  // NOLINT(build/namespaces)
  using casework::workflow::Calendar;
  using casework::workflow::DeadlineRule;
  using casework::workflow::DeadlineUnit;

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Calendar> calendar = Calendar::FromBankHolidaysJson(text, kVersion);
  if (!calendar.ok()) {
    FUZZ_CHECK(calendar.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!calendar.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(calendar->version() == kVersion);
  const auto [first, last] = calendar->data_years();
  FUZZ_CHECK(casework::workflow::kMinCalendarYear <= first);
  FUZZ_CHECK(first <= last);
  FUZZ_CHECK(last <= casework::workflow::kMaxCalendarYear);

  // Both ends of the data, the rule-based years either side and 2026.
  std::vector<int> years = {first, last, first - 1, last + 1, 2026};
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  for (int year : years) CheckYear(*calendar, year);
  CheckCommonLawHolidays(*calendar, first);
  CheckCommonLawHolidays(*calendar, last);

  const DeadlineRule rules[] = {
      {DeadlineUnit::kWorkingDays, 1, "appeal_papers"},
      {DeadlineUnit::kWorkingDays, 10, "threshold_decision"},
      {DeadlineUnit::kWorkingDays, 300, "long"},
      {DeadlineUnit::kCalendarDays, 28, "calendar"},
      {DeadlineUnit::kCalendarMonths, 1, "month"},
      {DeadlineUnit::kCalendarMonths, 6, "window"},
  };
  const absl::CivilDay starts[] = {
      absl::CivilDay(first, 1, 1),
      absl::CivilDay(last, 12, 20),
      absl::CivilDay(2026, 8, 31),
  };
  for (const absl::CivilDay start : starts) {
    for (const DeadlineRule& rule : rules) CheckComputedDeadline(*calendar, start, rule);
  }

  CheckAddedHoliday(*calendar, first);
  return 0;
}
