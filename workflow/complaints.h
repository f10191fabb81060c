// The complaint ledger: one stream per complaint,
// "partnerships/{p}/complaints/{n}", de-duplicated by (source system, source
// reference), with the ledger indexes the case review threshold reads.
//
// Read-model rows (key parts escaped with EscapeKeyPart):
//   complaints/{p}/source/{system}/{reference}     -> stream name (natural key)
//   complaints/{p}/complainant/{ref}/{n}           -> LedgerEntry
//   complaints/{p}/locality/{locality}/{n}         -> LedgerEntry
//   complaints/{p}/incident/{incident}/{n}         -> LedgerEntry
//   notices/{p}/open/{n}/{kind}                    -> Notice (until acknowledged)
#ifndef CASEWORK_WORKFLOW_COMPLAINTS_H_
#define CASEWORK_WORKFLOW_COMPLAINTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "casework/v1/complaints.pb.h"
#include "workflow/kernel.h"

namespace casework::workflow {

// Checks every field. `today` (London) bounds the dates.
absl::Status ValidateRecordComplaint(const v1::RecordComplaintRequest& request,
                                     absl::CivilDay today);
absl::Status ValidateAcknowledgeNotice(const v1::AcknowledgeNoticeRequest& request);

// The natural key of a complaint (see Command::natural_key).
std::string ComplaintSourceKey(absl::string_view partnership, absl::string_view system,
                               absl::string_view reference);

// Records the complaint, raising proactive notices for its complainant under
// the policy in force (none if the partnership has no policy yet). On a
// stream that already holds the complaint (same source), decides nothing.
absl::StatusOr<Events> DecideRecordComplaint(const v1::Complaint& state,
                                             const v1::RecordComplaintRequest& request,
                                             const DecideContext& context);

// NoticeAcknowledged; FAILED_PRECONDITION if no open notice of that kind.
absl::StatusOr<Events> DecideAcknowledgeNotice(const v1::Complaint& state,
                                               const v1::AcknowledgeNoticeRequest& request,
                                               const DecideContext& context);

const TypedAggregate<v1::Complaint>& ComplaintAggregate();

// What the threshold reads about a complaint.
v1::LedgerEntry LedgerEntryOf(const v1::Complaint& complaint);

// Ledger index prefixes.
std::string ComplainantLedgerPrefix(absl::string_view partnership, absl::string_view complainant);
std::string LocalityLedgerPrefix(absl::string_view partnership, absl::string_view locality);
std::string IncidentLedgerPrefix(absl::string_view partnership, absl::string_view incident);
std::string OpenNoticesPrefix(absl::string_view partnership);

// Reads ledger entries under `prefix` through context.scan_rows.
absl::StatusOr<std::vector<v1::LedgerEntry>> ReadLedger(const DecideContext& context,
                                                        absl::string_view prefix);

// Escapes '/' and '%' so that a caller-supplied reference is one key segment.
std::string EscapeKeyPart(absl::string_view part);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_COMPLAINTS_H_
