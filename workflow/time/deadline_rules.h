// Deadline arithmetic on England and Wales civil dates.
//
// Policy states deadlines as "within N working days / calendar days / months
// of event X". This file turns such a rule and the date of X into a due date,
// using a Calendar for working days, and records the rule, the calendar
// version and a one-sentence explanation with every result.
//
// Counting rule ("within N days of X"):
//   * The day of event X is day 0 and never counts.
//   * N working days: the due date is the Nth working day strictly after X.
//     If X itself is a non-working day, the count still starts with the first
//     working day after X.
//   * N calendar days: the due date is X + N, even if that is a weekend or
//     holiday (no roll-forward).
//   * N calendar months: the same day of the month N months later, clamped to
//     the last day of that month when the day does not exist there (31 Jan +
//     1 month = 28 Feb, or 29 Feb in a leap year; 31 Aug + 1 month = 30 Sep).
//     No roll-forward either.
//
// Pausing and resuming a working-day clock: when the clock stops on date P
// with due date D, the remaining allowance is WorkingDaysBetween(cal, P, D);
// when it restarts on date R, the new due date is
// ComputeDeadline(cal, R, {kWorkingDays, remaining, name}).due, i.e. exactly
// `remaining` working days after R.

#ifndef CASEWORK_WORKFLOW_TIME_DEADLINE_RULES_H_
#define CASEWORK_WORKFLOW_TIME_DEADLINE_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "workflow/time/calendar.h"

namespace casework::workflow {

// The largest amount ParseDeadlineRule accepts (before converting weeks to
// days).
inline constexpr int kMaxDeadlineAmount = 9999;

// The unit a deadline is counted in.
enum class DeadlineUnit {
  // Working days per the Calendar (not weekends, bank or common-law holidays).
  kWorkingDays,
  // Every day counts; the due date may be a non-working day.
  kCalendarDays,
  // Calendar months, clamped to the end of a shorter month.
  kCalendarMonths,
};

// A deadline rule from policy, e.g. {kWorkingDays, 10, "threshold_decision"}
// for "the threshold decision is due within 10 working days".
struct DeadlineRule {
  // What `amount` counts.
  DeadlineUnit unit = DeadlineUnit::kWorkingDays;
  // How many units. ParseDeadlineRule only produces 1..kMaxDeadlineAmount
  // (weeks become 7 calendar days each); 0 makes the deadline the start date
  // and a negative amount counts backwards.
  int amount = 0;
  // The policy name of the deadline, e.g. "threshold_decision". Free text;
  // may be empty.
  std::string name;

  // Returns the rule in words, without the name: "10 working days",
  // "1 working day", "28 calendar days", "1 month", "6 months". The result
  // parses back to the same unit and amount with ParseDeadlineRule.
  std::string ToString() const;

  friend bool operator==(const DeadlineRule& a, const DeadlineRule& b) {
    return a.unit == b.unit && a.amount == b.amount && a.name == b.name;
  }
  friend bool operator!=(const DeadlineRule& a, const DeadlineRule& b) {
    return !(a == b);
  }
};

// Parses a rule such as "10 working days", "1 working day",
// "28 calendar days", "6 weeks" (= 42 calendar days), "1 month" or
// "6 months" ("calendar month(s)" and "calendar week(s)" are accepted too).
// Case and surrounding or repeated spaces do not matter; singular and plural
// are both accepted. The returned rule has an empty name.
//
// Returns kInvalidArgument, with a message starting `deadline rule "<text>":`,
// if the text is empty, the amount is not a whole number, is zero or
// negative or exceeds kMaxDeadlineAmount, or the unit is missing, unknown or
// ambiguous (a bare "days" must say "working" or "calendar").
absl::StatusOr<DeadlineRule> ParseDeadlineRule(std::string_view text);

// A computed deadline.
struct Deadline {
  // The date of the event the deadline runs from (day 0).
  absl::CivilDay start;
  // The last day on which the action is in time.
  absl::CivilDay due;
  // The rule that was applied.
  DeadlineRule rule;
  // Calendar::version() of the calendar used.
  int64_t calendar_version = 0;
  // One sentence saying how `due` was reached, e.g. "10 working days from Thu
  // 21 Dec 2023 (day 0), skipping weekends and Christmas Day, Boxing Day, New
  // Year's Day: due Tue 9 Jan 2024".
  std::string explanation;
};

// Applies `rule` to the event date `start` using `calendar` (see the counting
// rule at the top of this file). Returns the due date together with the rule,
// the calendar's version and an explanation. Never fails.
Deadline ComputeDeadline(const Calendar& calendar, absl::CivilDay start,
                         const DeadlineRule& rule);

// Returns the number of working days d with from < d <= to, or 0 if
// to <= from.
int WorkingDaysBetween(const Calendar& calendar, absl::CivilDay from,
                       absl::CivilDay to);

// Returns the nth working day strictly after `from` (n > 0), `from` itself
// (n == 0), or the |n|th working day strictly before `from` (n < 0). For
// n >= 0, WorkingDaysBetween(calendar, from, AddWorkingDays(calendar, from,
// n)) == n.
absl::CivilDay AddWorkingDays(const Calendar& calendar, absl::CivilDay from,
                              int n);

// The day `months` calendar months after `start` (the corresponding date),
// the last day of the target month when that day does not exist (31
// January + 1 month = the last day of February). Sets *clamped when it did
// not.
absl::CivilDay AddMonthsClamped(absl::CivilDay start, int months, bool* clamped);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_TIME_DEADLINE_RULES_H_
