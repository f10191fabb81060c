// The complaint ledger: one stream per complaint,
// "partnerships/{p}/complaints/{n}", de-duplicated by (source system, source
// reference), with the ledger indexes the case review threshold reads.
// API: casework.v1.ComplaintService.
//
// Read-model rows (key parts escaped with EscapeKeyPart):
//   complaints/{p}/source/{system}/{reference}     -> stream name (natural key)
//   complaints/{p}/complainant/{ref}/{reported yyyy-mm-dd}/{n}       -> LedgerEntry
//   complaints/{p}/locality/{locality}/{reported yyyy-mm-dd}/{n}     -> LedgerEntry
//   complaints/{p}/incident/{incident}/{n}         -> LedgerEntry
//   notices/{p}/open/{n}/{kind}                    -> Notice (until acknowledged)
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_COMPLAINTS_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_COMPLAINTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "casework/v1/complaints.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::case_review {

// Records a complaint, raising proactive notices for its complainant under
// the policy in force (none while the partnership has no policy or no
// case_review section). Sent again from the same source, with any
// request_id, it returns the recorded complaint and writes nothing.
inline constexpr CommandName<v1::RecordComplaintRequest> kRecordComplaint{"RecordComplaint"};
// FAILED_PRECONDITION if the complaint has no open notice of that kind.
inline constexpr CommandName<v1::AcknowledgeNoticeRequest> kAcknowledgeNotice{"AcknowledgeNotice"};

// The complaint workflow (state: casework.v1.Complaint).
const Workflow& ComplaintWorkflow();

// The natural key of a complaint (see Address::natural_key).
std::string ComplaintSourceKey(absl::string_view partnership, absl::string_view system,
                               absl::string_view reference);

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
// Reads the entries of a complainant or locality ledger reported from `from`
// to `to` (both included), through context.scan_range: the cost follows the
// window, not the ledger. With `limit` > 0, only the first `limit` entries
// (oldest first): fewer come back only when there are no more.
absl::StatusOr<std::vector<v1::LedgerEntry>> ReadLedgerWindow(const DecideContext& context,
                                                              absl::string_view prefix,
                                                              absl::CivilDay from,
                                                              absl::CivilDay to, int limit = 0);

// Reads the window of a complainant or locality ledger (as ReadLedgerWindow)
// oldest first, a slice at a time, for a decision that may stop early.
class LedgerWindowReader {
 public:
  // `context` must outlive the reader.
  LedgerWindowReader(const DecideContext& context, std::string prefix, absl::CivilDay from,
                     absl::CivilDay to);
  // The next at most `limit` (> 0) entries of the window: fewer once it is
  // read to its end, then none.
  absl::StatusOr<std::vector<v1::LedgerEntry>> Next(int limit);
  // Whether the window has been read to its end.
  bool done() const { return done_; }

 private:
  const DecideContext& context_;
  std::string prefix_;
  std::string after_;  // the key, after the prefix, of the last entry read
  std::string until_;
  bool done_ = false;
};

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_COMPLAINTS_H_
