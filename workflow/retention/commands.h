// Retention reviews: one stream per decision on a closed case that is due
// for review, "partnerships/{p}/retentionReviews/{n}"
// (docs/workflows/retention-reviews.md, docs/data-protection.md). API:
// casework.v1.RetentionService.
//
// The decision runs on the engine's writer, so what it reads (the case, its
// earlier reviews, which other cases use each person's key) cannot change
// under it. A DELETE records the erasures it makes (Definition::Erases): the
// engine destroys their keys once the event is durable (storage/erasure.h).
#ifndef CASEWORK_WORKFLOW_RETENTION_COMMANDS_H_
#define CASEWORK_WORKFLOW_RETENTION_COMMANDS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "casework/v1/policy.pb.h"
#include "casework/v1/retention.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::retention {

inline constexpr CommandName<v1::DecideRetentionRequest> kDecideRetention{"DecideRetention"};

// The retention review workflow (state: casework.v1.RetentionReview).
const Workflow& RetentionReviewWorkflow();

// The workflows (their WorkflowInfo::name) whose cases the schedule covers,
// the names Policy.retention uses.
const std::vector<absl::string_view>& CaseTypes();

// Years after closure `policy` keeps cases of `case_type` (6 by default).
int YearsAfterClosure(const v1::Policy& policy, absl::string_view case_type);

// The day a case closed at `closed` (Europe/London) is due for review
// after `years`.
absl::CivilDay DueDate(absl::Time closed, int years);
// The day `t` falls on in Europe/London.
absl::CivilDay LondonDay(absl::Time t);

// Read-model keys, all in the "retention" namespace:
//   retention/{p}/reviews/{n}                    -> RetentionReview, every review
//   retention/{p}/cases/{case}/{n}               -> RetentionReview, by case
// ({case} is the case's stream name with '/' escaped, EscapeKeyPart) and,
// from the kit, retention/{p}/closed/... (RetentionClosedPrefix).
std::string ReviewRowPrefix(absl::string_view partnership);
std::string CaseReviewsPrefix(absl::string_view partnership, absl::string_view case_name);

// True if `latest`, a case's latest review, deleted it and the case has not
// changed since: it closed (`closed`) before the deletion. A case
// reopened after its deletion, open or closed again, is back under the
// schedule (its new data is reviewed in turn) and counts as retained.
bool StillDeleted(const v1::RetentionReview& latest, std::optional<absl::Time> closed);

// The latest review of a case among `rows` (CaseReviewsPrefix's), if any.
std::optional<v1::RetentionReview> LatestReview(const std::vector<Row>& rows);

// The people `message` names: every (subject, reference) of a field marked
// (subject_reference), in this message and every message it holds, each
// once, in the order first met. Erased references are skipped.
std::vector<std::pair<v1::DataSubject, std::string>> PeopleNamedIn(
    const google::protobuf::Message& message);

}  // namespace casework::workflow::retention

#endif  // CASEWORK_WORKFLOW_RETENTION_COMMANDS_H_
