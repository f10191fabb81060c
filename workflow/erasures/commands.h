// The partnership's erasure log: one stream per erasure of a data subject's
// personal data, "partnerships/{p}/erasures/{n}" (docs/workflows/erasures.md,
// docs/data-protection.md). API: casework.v1.DataProtectionService.
//
// The decision only records the erasure; the engine destroys the keys once
// the event is durable (storage/erasure.h).
#ifndef CASEWORK_WORKFLOW_ERASURES_COMMANDS_H_
#define CASEWORK_WORKFLOW_ERASURES_COMMANDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/data_protection.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::erasures {

inline constexpr CommandName<v1::EraseSubjectRequest> kEraseSubject{"EraseSubject"};
inline constexpr CommandName<v1::ReapplyErasureRequest> kReapplyErasure{"ReapplyErasure"};

// The erasure workflow (state: casework.v1.Erasure).
const Workflow& ErasureWorkflow();

// Read-model keys:
//   erasures/{p}/all/{n} -> Erasure, every erasure (its summary row)
std::string ErasureRowPrefix(absl::string_view partnership);
std::string ErasureSummaryRow(absl::string_view stream);

// The subjects a person's erasure may name.
bool IsPersonSubject(v1::DataSubject subject);

// What `request` erases: the subject with the reference in its own field,
// or the record, and the legal basis (the erasure's recorded fields but
// who and when).
v1::Erasure ErasureOf(const v1::EraseSubjectRequest& request);

}  // namespace casework::workflow::erasures

#endif  // CASEWORK_WORKFLOW_ERASURES_COMMANDS_H_
