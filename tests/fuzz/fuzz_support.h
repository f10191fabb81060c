// Helpers shared by the fuzz targets: the checks every target makes on what
// the code under test returns, and quiet protobuf logging.
//
// A broken check prints one line to stderr and executes __builtin_trap(), so
// libFuzzer (and the standalone driver) reports it as a crash with the input.
#ifndef CASEWORK_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define CASEWORK_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "casework/v1/errors.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "workflow/time/calendar.h"
#include "workflow/time/deadline_rules.h"
#include "workflow/common/status.h"

// Traps (a crash the fuzzer records) when `cond` is false.
#define FUZZ_CHECK(cond)                                                    \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__,    \
                   __LINE__, #cond);                                        \
      __builtin_trap();                                                     \
    }                                                                       \
  } while (0)

namespace casework::fuzz {

// Protobuf logs every string field with invalid UTF-8 it meets while parsing;
// fuzzed inputs are full of them and the noise hides real reports.
inline void SilenceProtobufLogs() { google::protobuf::SetLogHandler(nullptr); }

// The contract of every validator: OK, or INVALID_ARGUMENT carrying a
// casework.v1.BadRequest detail that a client can parse (valid UTF-8 in every
// string) and that names at least one field and rule.
inline void CheckValidationStatus(const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "validator returned %s (want OK or INVALID_ARGUMENT)\n",
                 status.ToString().c_str());
    __builtin_trap();
  }
  v1::BadRequest detail;
  auto payload = status.GetPayload(TypeUrlOf(detail));
  FUZZ_CHECK(payload.has_value());
  FUZZ_CHECK(detail.ParseFromString(std::string(*payload)));
  FUZZ_CHECK(detail.violations_size() > 0);
  for (const v1::FieldViolation& v : detail.violations()) {
    FUZZ_CHECK(!v.field().empty());
    FUZZ_CHECK(!v.rule().empty());
  }
}

// ComputeDeadline of a positive `rule` from `start` (see workflow/time/deadline_rules.h):
// the due date is after the start; a working-day deadline falls on the
// rule.amount-th working day; calendar days are added as they are; a month
// keeps the day of the month or clamps it to the end of a shorter month.
inline void CheckComputedDeadline(const workflow::Calendar& calendar, absl::CivilDay start,
                                  const workflow::DeadlineRule& rule) {
  const workflow::Deadline d = workflow::ComputeDeadline(calendar, start, rule);
  FUZZ_CHECK(d.start == start);
  FUZZ_CHECK(d.rule == rule);
  FUZZ_CHECK(d.calendar_version == calendar.version());
  FUZZ_CHECK(!d.explanation.empty());
  if (rule.amount <= 0) return;
  FUZZ_CHECK(d.due > start);
  switch (rule.unit) {
    case workflow::DeadlineUnit::kWorkingDays:
      FUZZ_CHECK(calendar.IsWorkingDay(d.due));
      FUZZ_CHECK(workflow::WorkingDaysBetween(calendar, start, d.due) == rule.amount);
      break;
    case workflow::DeadlineUnit::kCalendarDays:
      FUZZ_CHECK(d.due == start + rule.amount);
      break;
    case workflow::DeadlineUnit::kCalendarMonths:
      FUZZ_CHECK(d.due.day() <= start.day());
      FUZZ_CHECK((d.due.year() - start.year()) * 12 + (d.due.month() - start.month()) ==
                 rule.amount);
      break;
  }
}

}  // namespace casework::fuzz

#endif  // CASEWORK_TESTS_FUZZ_FUZZ_SUPPORT_H_
