// The panel read-model rows and replies.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"

namespace casework::workflow::panels {
namespace {

// A decision taken at `meeting` on case `stream`: a row under the meeting's
// decisions, in the order of the log.
void DecisionRow(absl::string_view stream, absl::string_view meeting, std::string decision,
                 std::string text, const v1::EventEnvelope& env, std::vector<Row>* rows) {
  std::optional<ResourceName> case_name = ResourceNameOf(stream, kCaseCollection);
  std::optional<ResourceName> meeting_name = ResourceNameOf(meeting, kMeetingCollection);
  if (!case_name || !meeting_name) return;
  v1::PanelDecision d;
  d.set_case_name(std::string(stream));
  d.set_meeting(std::string(meeting));
  d.set_decision(std::move(decision));
  d.set_text(std::move(text));
  *d.mutable_recorded_by() = env.actor();
  *d.mutable_time() = env.recorded_time();
  d.set_case_version(env.stream_version());
  rows->push_back(
      MessageRow(absl::StrCat(DecisionsPrefix(case_name->partnership, meeting_name->number),
                              SortableNumber(static_cast<int64_t>(env.global_position()))),
                 d));
}

}  // namespace

void CaseRows(absl::string_view stream, const Case& c, std::vector<Row>* rows) {
  if (c.state() == v1::PanelCase::STATE_UNSPECIFIED) return;
  std::optional<ResourceName> name = ResourceNameOf(stream, kCaseCollection);
  if (!name) return;
  const std::string n = SortableNumber(name->number);
  const std::string& p = name->partnership;
  rows->push_back({absl::StrCat(CaseRowPrefix(p, "panel"), c.panel(), "/",
                                v1::PanelCase::State_Name(c.state()), "/", n),
                   ""});
  const bool placed =
      c.state() == v1::PanelCase::MAIN_AGENDA || c.state() == v1::PanelCase::MONITORING;
  if (!c.escalated_from().empty()) {
    // The natural key of ReceiveEscalation: one parent case per escalation.
    std::optional<ResourceName> from = ResourceNameOf(c.escalated_from(), kCaseCollection);
    if (from) {
      rows->push_back({absl::StrCat(CaseRowPrefix(p, "escalatedFrom"), SortableNumber(from->number)),
                       std::string(stream)});
    }
  }
  if (!c.from_case_review().empty()) {
    std::optional<ResourceName> review = ResourceNameOf(c.from_case_review(), "caseReviews");
    if (review) {
      rows->push_back({absl::StrCat(CaseRowPrefix(p, "fromRecommendation"),
                                    SortableNumber(review->number), "/",
                                    SortableNumber(c.from_recommendation())),
                       std::string(stream)});
    }
  }
  if (c.state() == v1::PanelCase::ESCALATED && c.escalated_to().empty()) {
    rows->push_back({absl::StrCat(kEscalatingPrefix, p, "/", n), std::string(stream)});
  }
  if (placed && c.has_next_review_due()) {
    rows->push_back({absl::StrCat(CaseRowPrefix(p, "due"), c.panel(), "/",
                                  FormatDate(c.next_review_due()), "/", n),
                     ""});
  }
}

std::string CaseSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCaseCollection);
  if (!name) return std::string(stream);
  return absl::StrCat(CaseRowPrefix(name->partnership, "all"), SortableNumber(name->number));
}

void AssessmentRows(absl::string_view stream, const v1::RiskAssessed& e,
                    const v1::EventEnvelope& env, std::vector<Row>* rows) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCaseCollection);
  if (!name) return;
  rows->push_back(MessageRow(absl::StrCat(AssessmentsPrefix(name->partnership, name->number),
                                          SortableNumber(env.stream_version())),
                             AssessmentOf(e, env)));
}

void ReviewDecisionRows(absl::string_view stream, const v1::PanelCaseReviewed& e,
                        const v1::EventEnvelope& env, std::vector<Row>* rows) {
  DecisionRow(stream, e.meeting(), "review", e.summary(), env, rows);
}

void MoveDecisionRows(absl::string_view stream, const v1::PanelCasePlaced& e,
                      const v1::EventEnvelope& env, std::vector<Row>* rows) {
  if (e.meeting().empty()) return;  // placed by an assessment, not at a meeting
  DecisionRow(stream, e.meeting(), absl::StrCat("move to ", v1::PanelCase::State_Name(e.state())),
              e.reason(), env, rows);
}

void EscalateDecisionRows(absl::string_view stream, const v1::PanelCaseEscalated& e,
                          const v1::EventEnvelope& env, std::vector<Row>* rows) {
  DecisionRow(stream, e.meeting(), absl::StrCat("escalate to ", e.to_panel()), e.reason(), env,
              rows);
}

void CloseDecisionRows(absl::string_view stream, const v1::PanelCaseClosed& e,
                       const v1::EventEnvelope& env, std::vector<Row>* rows) {
  DecisionRow(stream, e.meeting(), "close",
              e.note().empty() ? e.reason() : absl::StrCat(e.reason(), ": ", e.note()), env, rows);
}

v1::PanelCaseResponse CaseReply(const Case& c, const v1::CommitInfo& commit) {
  v1::PanelCaseResponse reply;
  *reply.mutable_panel_case() = c;
  *reply.mutable_commit() = commit;
  return reply;
}

void MeetingRows(absl::string_view stream, const Meeting& m, std::vector<Row>* rows) {
  if (m.state() == v1::PanelMeeting::STATE_UNSPECIFIED) return;
  std::optional<ResourceName> name = ResourceNameOf(stream, kMeetingCollection);
  if (!name) return;
  rows->push_back({absl::StrCat(MeetingRowPrefix(name->partnership, "panel"), m.panel(), "/",
                                FormatDate(m.date()), "/", SortableNumber(name->number)),
                   ""});
}

std::string MeetingSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kMeetingCollection);
  if (!name) return std::string(stream);
  return absl::StrCat(MeetingRowPrefix(name->partnership, "all"), SortableNumber(name->number));
}

v1::PanelMeetingResponse MeetingReply(const Meeting& m, const v1::CommitInfo& commit) {
  v1::PanelMeetingResponse reply;
  *reply.mutable_meeting() = m;
  *reply.mutable_commit() = commit;
  return reply;
}

std::string CaseRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat(kCaseCollection, "/", partnership, "/", index, "/");
}

std::string MeetingRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat(kMeetingCollection, "/", partnership, "/", index, "/");
}

std::string AssessmentsPrefix(absl::string_view partnership, int64_t number) {
  return absl::StrCat(CaseRowPrefix(partnership, "assessments"), SortableNumber(number), "/");
}

std::string DecisionsPrefix(absl::string_view partnership, int64_t meeting_number) {
  return absl::StrCat(CaseRowPrefix(partnership, "decisions"), SortableNumber(meeting_number), "/");
}

std::string PanelCaseStream(absl::string_view partnership, int64_t number) {
  return FormatResourceName(partnership, kCaseCollection, number);
}

std::string PanelMeetingStream(absl::string_view partnership, int64_t number) {
  return FormatResourceName(partnership, kMeetingCollection, number);
}

}  // namespace casework::workflow::panels
