// The case review's read-model rows and its reply.
#include "absl/strings/str_cat.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::case_review {

void CaseReviewRows(absl::string_view, const State& s, std::vector<Row>* rows) {
  if (s.name().empty()) return;
  std::optional<ResourceName> name = ResourceNameOf(s.name(), "caseReviews");
  if (!name) return;
  const std::string& p = name->partnership;
  const std::string n = SortableNumber(name->number);
  const std::string state = State::State_Name(s.state());
  rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "state"), state, "/", n), ""});
  const bool open = s.state() != State::CLOSED && s.state() != State::WITHDRAWN;
  if (open && !s.lead_officer().empty()) {
    rows->push_back(
        {absl::StrCat(CaseReviewRowPrefix(p, "lead"), EscapeKeyPart(s.lead_officer()), "/", n), ""});
  }
  if (HasMissedDeadline(s.deadlines())) {
    rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "overdue"), n), ""});
  }
}

namespace {
// caseReviews/{p}/{index}/{n}: review `stream`'s row in `index`.
std::string NumberedRow(absl::string_view stream, absl::string_view index) {
  std::optional<ResourceName> name = ResourceNameOf(stream, "caseReviews");
  if (!name) return std::string(stream);
  return absl::StrCat(CaseReviewRowPrefix(name->partnership, index), SortableNumber(name->number));
}
}  // namespace

std::string CaseReviewSummaryRow(absl::string_view stream) { return NumberedRow(stream, "all"); }

std::string ConsideredRowKey(absl::string_view stream) { return NumberedRow(stream, "considered"); }

void ConsideredRows(absl::string_view stream, const v1::ThresholdEvaluated& e,
                    const v1::EventEnvelope&, std::vector<Row>* rows) {
  // An override or an upheld appeal decides without weighing complaints: the
  // evaluation's row (if there was one) stands.
  if (e.evaluation().considered().empty()) return;
  v1::ThresholdEvaluation considered;
  *considered.mutable_considered() = e.evaluation().considered();
  rows->push_back(MessageRow(ConsideredRowKey(stream), considered));
}

v1::CaseReviewResponse CaseReviewReply(const State& s, const v1::CommitInfo& commit) {
  v1::CaseReviewResponse reply;
  *reply.mutable_case_review() = s;
  *reply.mutable_commit() = commit;
  return reply;
}

std::string CaseReviewRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat("caseReviews/", partnership, "/", index, "/");
}

}  // namespace casework::workflow::case_review
