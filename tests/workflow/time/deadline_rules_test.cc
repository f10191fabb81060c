// Tests for deadline arithmetic: working days, calendar days and months,
// explanations, calendar versions, pause/resume and rule parsing.

#include "workflow/time/deadline_rules.h"

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow/time/calendar.h"

#ifndef CASEWORK_BANK_HOLIDAYS_JSON_PATH
#error "CASEWORK_BANK_HOLIDAYS_JSON_PATH must name workflow/time/data/bank-holidays.json"
#endif

namespace casework::workflow {
namespace {

using ::testing::HasSubstr;

Calendar LoadCalendar() {
  std::ifstream in(CASEWORK_BANK_HOLIDAYS_JSON_PATH, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << CASEWORK_BANK_HOLIDAYS_JSON_PATH;
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<Calendar> calendar =
      Calendar::FromBankHolidaysJson(text.str(), 1);
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

DeadlineRule WorkingDays(int n) {
  return DeadlineRule{DeadlineUnit::kWorkingDays, n, ""};
}
DeadlineRule CalendarDays(int n) {
  return DeadlineRule{DeadlineUnit::kCalendarDays, n, ""};
}
DeadlineRule Months(int n) {
  return DeadlineRule{DeadlineUnit::kCalendarMonths, n, ""};
}

class DeadlineTest : public ::testing::Test {
 protected:
  Calendar calendar_ = LoadCalendar();
};

TEST_F(DeadlineTest, TenWorkingDaysOverChristmas2023) {
  const DeadlineRule rule{DeadlineUnit::kWorkingDays, 10, "threshold_decision"};
  const Deadline deadline =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 21), rule);
  EXPECT_EQ(deadline.start, absl::CivilDay(2023, 12, 21));
  EXPECT_EQ(deadline.due, absl::CivilDay(2024, 1, 9));
  EXPECT_EQ(deadline.rule, rule);
  EXPECT_EQ(deadline.calendar_version, 1);
  EXPECT_EQ(deadline.explanation,
            "10 working days from Thu 21 Dec 2023 (day 0), skipping weekends "
            "and Christmas Day, Boxing Day, New Year's Day: due Tue 9 Jan "
            "2024");
}

TEST_F(DeadlineTest, WorkingDayExplanations) {
  Deadline plain =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 1, 15), WorkingDays(1));
  EXPECT_EQ(plain.due, absl::CivilDay(2024, 1, 16));
  EXPECT_EQ(plain.explanation,
            "1 working day from Mon 15 Jan 2024 (day 0): due Tue 16 Jan 2024");

  Deadline weekend =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 1, 12), WorkingDays(1));
  EXPECT_EQ(weekend.due, absl::CivilDay(2024, 1, 15));
  EXPECT_EQ(weekend.explanation,
            "1 working day from Fri 12 Jan 2024 (day 0), skipping weekends: "
            "due Mon 15 Jan 2024");

  Deadline easter =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 3, 28), WorkingDays(1));
  EXPECT_EQ(easter.due, absl::CivilDay(2024, 4, 2));
  EXPECT_EQ(easter.explanation,
            "1 working day from Thu 28 Mar 2024 (day 0), skipping weekends "
            "and Good Friday, Easter Monday: due Tue 2 Apr 2024");

  Deadline holidays_only =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 12, 24), WorkingDays(1));
  EXPECT_EQ(holidays_only.due, absl::CivilDay(2024, 12, 27));
  EXPECT_EQ(holidays_only.explanation,
            "1 working day from Tue 24 Dec 2024 (day 0), skipping Christmas "
            "Day, Boxing Day: due Fri 27 Dec 2024");
}

TEST_F(DeadlineTest, StartOnNonWorkingDayCountsFromNextWorkingDay) {
  // Saturday 23 December 2023: the first working day after it is Wednesday
  // 27 December.
  EXPECT_EQ(
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 23), WorkingDays(1))
          .due,
      absl::CivilDay(2023, 12, 27));
  EXPECT_EQ(
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 23), WorkingDays(2))
          .due,
      absl::CivilDay(2023, 12, 28));
  // Good Friday 2024: Tuesday 2 April.
  EXPECT_EQ(
      ComputeDeadline(calendar_, absl::CivilDay(2024, 3, 29), WorkingDays(1))
          .due,
      absl::CivilDay(2024, 4, 2));
}

TEST_F(DeadlineTest, OneOffHolidaysInData) {
  // Thursday 26 May 2022 + 5 working days: Fri 27, Mon 30 (a working day in
  // 2022), Tue 31, Wed 1 June, then 2 and 3 June are the Jubilee holidays,
  // so Monday 6 June.
  Deadline jubilee =
      ComputeDeadline(calendar_, absl::CivilDay(2022, 5, 26), WorkingDays(5));
  EXPECT_EQ(jubilee.due, absl::CivilDay(2022, 6, 6));
  EXPECT_EQ(jubilee.explanation,
            "5 working days from Thu 26 May 2022 (day 0), skipping weekends "
            "and Spring bank holiday, Platinum Jubilee bank holiday: due Mon 6 "
            "Jun 2022");
  // Friday 16 September 2022 + 1 working day skips the State Funeral.
  EXPECT_EQ(
      ComputeDeadline(calendar_, absl::CivilDay(2022, 9, 16), WorkingDays(1))
          .due,
      absl::CivilDay(2022, 9, 20));
}

TEST_F(DeadlineTest, YearsOutsideDataUseRules) {
  // Thursday 18 April 2030 + 1 working day skips Good Friday and Easter
  // Monday computed from the rules.
  Deadline deadline =
      ComputeDeadline(calendar_, absl::CivilDay(2030, 4, 18), WorkingDays(1));
  EXPECT_EQ(deadline.due, absl::CivilDay(2030, 4, 23));
  EXPECT_EQ(deadline.explanation,
            "1 working day from Thu 18 Apr 2030 (day 0), skipping weekends "
            "and Good Friday, Easter Monday: due Tue 23 Apr 2030");
}

TEST_F(DeadlineTest, CalendarDaysDoNotRollForward) {
  Deadline weekday =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 1, 1), CalendarDays(28));
  EXPECT_EQ(weekday.due, absl::CivilDay(2024, 1, 29));
  EXPECT_EQ(weekday.explanation,
            "28 calendar days from Mon 1 Jan 2024 (day 0): due Mon 29 Jan "
            "2024");

  Deadline saturday =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 2), CalendarDays(28));
  EXPECT_EQ(saturday.due, absl::CivilDay(2023, 12, 30));
  EXPECT_EQ(saturday.explanation,
            "28 calendar days from Sat 2 Dec 2023 (day 0): due Sat 30 Dec 2023 "
            "(a non-working day; calendar-day and month deadlines do not roll "
            "forward)");

  Deadline christmas =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 24), CalendarDays(1));
  EXPECT_EQ(christmas.due, absl::CivilDay(2023, 12, 25));
}

TEST_F(DeadlineTest, MonthsClampToEndOfMonth) {
  struct Case {
    absl::CivilDay start;
    int months;
    absl::CivilDay due;
  };
  const std::vector<Case> cases = {
      {absl::CivilDay(2023, 1, 31), 1, absl::CivilDay(2023, 2, 28)},
      {absl::CivilDay(2024, 1, 31), 1, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2024, 8, 31), 1, absl::CivilDay(2024, 9, 30)},
      {absl::CivilDay(2024, 3, 15), 6, absl::CivilDay(2024, 9, 15)},
      {absl::CivilDay(2023, 10, 31), 4, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2023, 11, 30), 3, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2023, 12, 31), 2, absl::CivilDay(2024, 2, 29)},
      {absl::CivilDay(2024, 2, 29), 12, absl::CivilDay(2025, 2, 28)},
      {absl::CivilDay(2024, 2, 29), 1, absl::CivilDay(2024, 3, 29)},
      {absl::CivilDay(2023, 12, 15), 1, absl::CivilDay(2024, 1, 15)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ComputeDeadline(calendar_, c.start, Months(c.months)).due, c.due)
        << c.start << " + " << c.months;
  }
}

TEST_F(DeadlineTest, MonthExplanations) {
  Deadline clamped =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 1, 31), Months(1));
  EXPECT_EQ(clamped.explanation,
            "1 month from Wed 31 Jan 2024 (day 0): due Thu 29 Feb 2024 (there "
            "is no 31 Feb 2024, so the last day of that month)");

  Deadline plain =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 15), Months(2));
  EXPECT_EQ(plain.due, absl::CivilDay(2024, 2, 15));
  EXPECT_EQ(plain.explanation,
            "2 months from Fri 15 Dec 2023 (day 0): due Thu 15 Feb 2024");

  Deadline saturday =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 15), Months(6));
  EXPECT_EQ(saturday.due, absl::CivilDay(2024, 6, 15));
  EXPECT_EQ(saturday.explanation,
            "6 months from Fri 15 Dec 2023 (day 0): due Sat 15 Jun 2024 (a "
            "non-working day; calendar-day and month deadlines do not roll "
            "forward)");
}

TEST_F(DeadlineTest, ClampedToNonWorkingDay) {
  Deadline deadline =
      ComputeDeadline(calendar_, absl::CivilDay(2024, 5, 31), Months(1));
  EXPECT_EQ(deadline.due, absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(deadline.explanation,
            "1 month from Fri 31 May 2024 (day 0): due Sun 30 Jun 2024 (there "
            "is no 31 Jun 2024, so the last day of that month; a non-working "
            "day; calendar-day and month deadlines do not roll forward)");
}

TEST_F(DeadlineTest, WorkingDaysBetween) {
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2023, 12, 21),
                               absl::CivilDay(2024, 1, 9)),
            10);
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2024, 1, 12),
                               absl::CivilDay(2024, 1, 15)),
            1);
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2024, 1, 15),
                               absl::CivilDay(2024, 1, 15)),
            0);
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2024, 1, 15),
                               absl::CivilDay(2024, 1, 1)),
            0);
  // Saturday to Sunday: no working day.
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2024, 1, 13),
                               absl::CivilDay(2024, 1, 14)),
            0);
  // 2024 has 366 days, 104 weekend days and 8 weekday bank holidays.
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2023, 12, 31),
                               absl::CivilDay(2024, 12, 31)),
            254);
  // 2022 had 105 weekend days and 10 weekday bank holidays.
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2021, 12, 31),
                               absl::CivilDay(2022, 12, 31)),
            250);
}

TEST_F(DeadlineTest, AddWorkingDays) {
  const absl::CivilDay thursday(2023, 12, 21);
  EXPECT_EQ(AddWorkingDays(calendar_, thursday, 0), thursday);
  EXPECT_EQ(AddWorkingDays(calendar_, thursday, 1),
            absl::CivilDay(2023, 12, 22));
  EXPECT_EQ(AddWorkingDays(calendar_, thursday, 2),
            absl::CivilDay(2023, 12, 27));
  EXPECT_EQ(AddWorkingDays(calendar_, thursday, 10),
            absl::CivilDay(2024, 1, 9));
  EXPECT_EQ(AddWorkingDays(calendar_, absl::CivilDay(2024, 1, 9), -10),
            thursday);
  // Saturday 0 working days later is still Saturday (day 0).
  EXPECT_EQ(AddWorkingDays(calendar_, absl::CivilDay(2024, 1, 13), 0),
            absl::CivilDay(2024, 1, 13));
}

TEST_F(DeadlineTest, AddWorkingDaysInvertsWorkingDaysBetween) {
  for (absl::CivilDay start(2022, 11, 1); start <= absl::CivilDay(2024, 1, 31);
       ++start) {
    for (int n = 0; n <= 25; ++n) {
      const absl::CivilDay due = AddWorkingDays(calendar_, start, n);
      ASSERT_EQ(WorkingDaysBetween(calendar_, start, due), n)
          << start << " + " << n;
      if (n > 0) {
        ASSERT_TRUE(calendar_.IsWorkingDay(due)) << start << " + " << n;
        ASSERT_EQ(WorkingDaysBetween(calendar_, start, due - 1), n - 1)
            << start << " + " << n;
      }
    }
  }
}

TEST_F(DeadlineTest, PauseAndResume) {
  const DeadlineRule rule{DeadlineUnit::kWorkingDays, 20, "assessment"};
  const Deadline original =
      ComputeDeadline(calendar_, absl::CivilDay(2023, 12, 4), rule);
  EXPECT_EQ(original.due, absl::CivilDay(2024, 1, 4));

  // Paused on Friday 15 December 2023: 11 working days remain (18-22 Dec,
  // 27-29 Dec, 2-4 Jan).
  const absl::CivilDay paused(2023, 12, 15);
  const int remaining = WorkingDaysBetween(calendar_, paused, original.due);
  EXPECT_EQ(remaining, 11);

  // Resumed on Wednesday 10 January 2024: due 11 working days later.
  const absl::CivilDay resumed(2024, 1, 10);
  const Deadline resumed_deadline = ComputeDeadline(
      calendar_, resumed,
      DeadlineRule{DeadlineUnit::kWorkingDays, remaining, rule.name});
  EXPECT_EQ(resumed_deadline.due, absl::CivilDay(2024, 1, 25));
  EXPECT_EQ(WorkingDaysBetween(calendar_, resumed, resumed_deadline.due),
            remaining);
  EXPECT_EQ(resumed_deadline.rule.name, "assessment");

  // Paused after the due date: nothing remains.
  EXPECT_EQ(WorkingDaysBetween(calendar_, absl::CivilDay(2024, 1, 5),
                               original.due),
            0);
}

TEST_F(DeadlineTest, DeadlinesRecordCalendarVersion) {
  absl::StatusOr<Calendar> updated = calendar_.WithAddedHoliday(
      absl::CivilDay(2024, 1, 5), "Proclaimed bank holiday");
  ASSERT_TRUE(updated.ok()) << updated.status();
  const absl::CivilDay start(2023, 12, 21);

  const Deadline before = ComputeDeadline(calendar_, start, WorkingDays(10));
  EXPECT_EQ(before.calendar_version, 1);
  EXPECT_EQ(before.due, absl::CivilDay(2024, 1, 9));

  const Deadline after = ComputeDeadline(*updated, start, WorkingDays(10));
  EXPECT_EQ(after.calendar_version, 2);
  EXPECT_EQ(after.due, absl::CivilDay(2024, 1, 10));
  EXPECT_EQ(after.explanation,
            "10 working days from Thu 21 Dec 2023 (day 0), skipping weekends "
            "and Christmas Day, Boxing Day, New Year's Day, Proclaimed bank "
            "holiday: due Wed 10 Jan 2024");
}

TEST(DeadlineRuleTest, ToString) {
  EXPECT_EQ(WorkingDays(10).ToString(), "10 working days");
  EXPECT_EQ(WorkingDays(1).ToString(), "1 working day");
  EXPECT_EQ(CalendarDays(28).ToString(), "28 calendar days");
  EXPECT_EQ(CalendarDays(1).ToString(), "1 calendar day");
  EXPECT_EQ(Months(1).ToString(), "1 month");
  EXPECT_EQ(Months(6).ToString(), "6 months");
}

TEST(DeadlineRuleTest, ParsesRules) {
  struct Case {
    std::string text;
    DeadlineUnit unit;
    int amount;
  };
  const std::vector<Case> cases = {
      {"10 working days", DeadlineUnit::kWorkingDays, 10},
      {"1 working day", DeadlineUnit::kWorkingDays, 1},
      {"28 calendar days", DeadlineUnit::kCalendarDays, 28},
      {"1 calendar day", DeadlineUnit::kCalendarDays, 1},
      {"6 weeks", DeadlineUnit::kCalendarDays, 42},
      {"1 week", DeadlineUnit::kCalendarDays, 7},
      {"1 month", DeadlineUnit::kCalendarMonths, 1},
      {"6 months", DeadlineUnit::kCalendarMonths, 6},
      {"3 calendar months", DeadlineUnit::kCalendarMonths, 3},
      {"  15   Working  Days ", DeadlineUnit::kWorkingDays, 15},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DeadlineRule> rule = ParseDeadlineRule(c.text);
    ASSERT_TRUE(rule.ok()) << c.text << ": " << rule.status();
    EXPECT_EQ(rule->unit, c.unit) << c.text;
    EXPECT_EQ(rule->amount, c.amount) << c.text;
    EXPECT_EQ(rule->name, "") << c.text;
    // ToString parses back to the same rule.
    absl::StatusOr<DeadlineRule> again = ParseDeadlineRule(rule->ToString());
    ASSERT_TRUE(again.ok()) << rule->ToString();
    EXPECT_EQ(*again, *rule) << c.text;
  }
}

TEST(DeadlineRuleTest, RejectsBadRules) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "deadline rule \"\": is empty"},
      {"   ", "deadline rule \"   \": is empty"},
      {"0 working days",
       "deadline rule \"0 working days\": amount must be at least 1 (got 0)"},
      {"-3 working days",
       "deadline rule \"-3 working days\": amount must be at least 1 (got -3)"},
      {"ten working days",
       "deadline rule \"ten working days\": \"ten\" is not a whole number"},
      {"1.5 months",
       "deadline rule \"1.5 months\": \"1.5\" is not a whole number"},
      {"10 days",
       "deadline rule \"10 days\": unit \"days\" is ambiguous (say \"working "
       "days\" or \"calendar days\")"},
      {"10", "deadline rule \"10\": missing unit"},
      {"10 fortnights",
       "deadline rule \"10 fortnights\": unknown unit \"fortnights\""},
      {"10 working", "deadline rule \"10 working\": unknown unit \"working\""},
      {"working days",
       "deadline rule \"working days\": \"working\" is not a whole number"},
      {"10000 working days",
       "deadline rule \"10000 working days\": amount 10000 is too large (at "
       "most 9999)"},
      {"99999999999999999999 months",
       "amount 99999999999999999999 is too large (at most 9999)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DeadlineRule> rule = ParseDeadlineRule(c.text);
    EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_THAT(rule.status().message(), HasSubstr(c.message)) << c.text;
  }
}

}  // namespace
}  // namespace casework::workflow
