#include "tests/workflow/examples.h"

#include "tests/support/test_support.h"

namespace casework::testing {

absl::Time ExamplesStart() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 2, 10, 0, 0), London());
}

const std::map<std::string, WorkflowExamples>& AllExamples() {
  static const auto* all = new std::map<std::string, WorkflowExamples>{
      {"action", ActionExamples()},
      {"case_review", CaseReviewExamples()},
      {"complaint", ComplaintExamples()},
      {"policy", PolicyExamples()},
      {"calendar", CalendarExamples()},
      {"panel_case", PanelCaseExamples()},
      {"panel_meeting", PanelMeetingExamples()},
      {"death_review", DeathReviewExamples()},
      {"erasure", ErasureExamples()},
      {"subject_access", SubjectAccessExamples()},
      {"retention_review", RetentionReviewExamples()},
  };
  return *all;
}

}  // namespace casework::testing
