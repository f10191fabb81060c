#include "workflow/time/deadline_rules.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "workflow/time/calendar.h"

namespace casework::workflow {
namespace {

constexpr absl::string_view kRuleExamples =
    "want e.g. \"10 working days\", \"28 calendar days\", \"6 weeks\" or "
    "\"1 month\"";

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

absl::string_view ShortWeekday(absl::Weekday weekday) {
  switch (weekday) {
    case absl::Weekday::monday:
      return "Mon";
    case absl::Weekday::tuesday:
      return "Tue";
    case absl::Weekday::wednesday:
      return "Wed";
    case absl::Weekday::thursday:
      return "Thu";
    case absl::Weekday::friday:
      return "Fri";
    case absl::Weekday::saturday:
      return "Sat";
    case absl::Weekday::sunday:
      return "Sun";
  }
  return "?";
}

constexpr absl::string_view kShortMonths[12] = {"Jan", "Feb", "Mar", "Apr",
                                               "May", "Jun", "Jul", "Aug",
                                               "Sep", "Oct", "Nov", "Dec"};

// Formats a date as "Thu 21 Dec 2023".
std::string HumanDate(absl::CivilDay day) {
  return absl::StrCat(ShortWeekday(absl::GetWeekday(day)), " ", day.day(), " ",
                      kShortMonths[day.month() - 1], " ", day.year());
}

// Describes the non-working days strictly between `start` and `due` (and `due`
// itself when counting forwards) as "skipping weekends and Good Friday, ...".
// Returns an empty string when none were skipped.
std::string SkippedDays(const Calendar& calendar, absl::CivilDay start,
                        absl::CivilDay due) {
  bool weekends = false;
  std::vector<std::string> holidays;
  const absl::CivilDay first = std::min(start, due);
  const absl::CivilDay last = std::max(start, due);
  for (absl::CivilDay day = first; day <= last; ++day) {
    if (day == start || calendar.IsWorkingDay(day)) continue;
    if (IsWeekend(day)) {
      weekends = true;
      continue;
    }
    std::string title = calendar.HolidayTitle(day).value_or("a holiday");
    if (std::find(holidays.begin(), holidays.end(), title) == holidays.end()) {
      holidays.push_back(std::move(title));
    }
  }
  if (!weekends && holidays.empty()) return "";
  std::string text = ", skipping ";
  if (weekends) absl::StrAppend(&text, "weekends");
  if (weekends && !holidays.empty()) absl::StrAppend(&text, " and ");
  absl::StrAppend(&text, absl::StrJoin(holidays, ", "));
  return text;
}

// Maps the unit words of a rule (lower case, single spaces) to a unit and
// sets *multiplier (7 for weeks, else 1). Returns nullopt for unknown words.
std::optional<DeadlineUnit> UnitFromWords(absl::string_view words,
                                          int* multiplier) {
  *multiplier = 1;
  if (words == "working day" || words == "working days") {
    return DeadlineUnit::kWorkingDays;
  }
  if (words == "calendar day" || words == "calendar days") {
    return DeadlineUnit::kCalendarDays;
  }
  if (words == "week" || words == "weeks" || words == "calendar week" ||
      words == "calendar weeks") {
    *multiplier = 7;
    return DeadlineUnit::kCalendarDays;
  }
  if (words == "month" || words == "months" || words == "calendar month" ||
      words == "calendar months") {
    return DeadlineUnit::kCalendarMonths;
  }
  return std::nullopt;
}

}  // namespace

// Returns the day `months` months after `start`, clamped to the end of the
// target month. Sets *clamped when the day of the month did not exist.
absl::CivilDay AddMonthsClamped(absl::CivilDay start, int months,
                                bool* clamped) {
  const absl::CivilMonth target = absl::CivilMonth(start) + months;
  const absl::CivilDay last_day = absl::CivilDay(target + 1) - 1;
  if (start.day() > last_day.day()) {
    *clamped = true;
    return last_day;
  }
  *clamped = false;
  return absl::CivilDay(target.year(), target.month(), start.day());
}

std::string DeadlineRule::ToString() const {
  const bool one = amount == 1 || amount == -1;
  switch (unit) {
    case DeadlineUnit::kWorkingDays:
      return absl::StrCat(amount, one ? " working day" : " working days");
    case DeadlineUnit::kCalendarDays:
      return absl::StrCat(amount, one ? " calendar day" : " calendar days");
    case DeadlineUnit::kCalendarMonths:
      return absl::StrCat(amount, one ? " month" : " months");
  }
  return absl::StrCat(amount, " (unknown unit)");
}

absl::StatusOr<DeadlineRule> ParseDeadlineRule(std::string_view text) {
  const absl::string_view rule_text(text.data(), text.size());
  const std::string prefix =
      absl::StrCat("deadline rule \"", rule_text, "\": ");
  const std::vector<std::string> words = absl::StrSplit(
      absl::AsciiStrToLower(rule_text), absl::ByAnyChar(" \t\r\n"),
      absl::SkipWhitespace());
  if (words.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "is empty (", kRuleExamples, ")"));
  }

  const std::string& number = words[0];
  int64_t amount = 0;
  const bool all_digits =
      std::all_of(number.begin(), number.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      });
  const bool signed_digits =
      number.size() > 1 && (number[0] == '-' || number[0] == '+') &&
      std::all_of(number.begin() + 1, number.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      });
  if (!(all_digits || signed_digits) ||
      !absl::SimpleAtoi(number, &amount)) {
    // Digits that overflow int64 still mean "far too large".
    if (all_digits) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, "amount ", number, " is too large (at most ",
          kMaxDeadlineAmount, ")"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "\"", words[0], "\" is not a whole number (",
                     kRuleExamples, ")"));
  }
  if (amount <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "amount must be at least 1 (got ", amount, ")"));
  }
  if (amount > kMaxDeadlineAmount) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "amount ", amount, " is too large (at most ",
                     kMaxDeadlineAmount, ")"));
  }

  if (words.size() == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "missing unit (", kRuleExamples, ")"));
  }
  const std::string unit_words =
      absl::StrJoin(words.begin() + 1, words.end(), " ");
  if (unit_words == "day" || unit_words == "days") {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "unit \"", unit_words,
        "\" is ambiguous (say \"working days\" or \"calendar days\")"));
  }
  int multiplier = 1;
  const std::optional<DeadlineUnit> unit =
      UnitFromWords(unit_words, &multiplier);
  if (!unit.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "unknown unit \"", unit_words,
        "\" (want working days, calendar days, weeks or months)"));
  }
  return DeadlineRule{*unit, static_cast<int>(amount) * multiplier, ""};
}

int WorkingDaysBetween(const Calendar& calendar, absl::CivilDay from,
                       absl::CivilDay to) {
  int count = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (calendar.IsWorkingDay(day)) ++count;
  }
  return count;
}

absl::CivilDay AddWorkingDays(const Calendar& calendar, absl::CivilDay from,
                              int n) {
  const int step = n < 0 ? -1 : 1;
  int64_t remaining = n < 0 ? -static_cast<int64_t>(n) : n;
  absl::CivilDay day = from;
  while (remaining > 0) {
    day += step;
    if (calendar.IsWorkingDay(day)) --remaining;
  }
  return day;
}

Deadline ComputeDeadline(const Calendar& calendar, absl::CivilDay start,
                         const DeadlineRule& rule) {
  Deadline deadline;
  deadline.start = start;
  deadline.rule = rule;
  deadline.calendar_version = calendar.version();

  bool clamped = false;
  const std::string from =
      absl::StrCat(rule.ToString(), " from ", HumanDate(start), " (day 0)");
  switch (rule.unit) {
    case DeadlineUnit::kWorkingDays: {
      deadline.due = AddWorkingDays(calendar, start, rule.amount);
      deadline.explanation =
          absl::StrCat(from, SkippedDays(calendar, start, deadline.due),
                       ": due ", HumanDate(deadline.due));
      return deadline;
    }
    case DeadlineUnit::kCalendarDays:
      deadline.due = start + rule.amount;
      break;
    case DeadlineUnit::kCalendarMonths:
      deadline.due = AddMonthsClamped(start, rule.amount, &clamped);
      break;
  }
  std::vector<std::string> notes;
  if (clamped) {
    notes.push_back(absl::StrCat("there is no ", start.day(), " ",
                                 kShortMonths[deadline.due.month() - 1], " ",
                                 deadline.due.year(),
                                 ", so the last day of that month"));
  }
  if (!calendar.IsWorkingDay(deadline.due)) {
    notes.push_back("a non-working day; calendar-day and month deadlines do "
                    "not roll forward");
  }
  deadline.explanation = absl::StrCat(from, ": due ", HumanDate(deadline.due));
  if (!notes.empty()) {
    absl::StrAppend(&deadline.explanation, " (", absl::StrJoin(notes, "; "),
                    ")");
  }
  return deadline;
}

}  // namespace casework::workflow
