// Subject access requests: one stream per request a data protection officer
// records, "partnerships/{p}/subjectAccessRequests/{n}"
// (docs/workflows/subject-access.md, docs/data-protection.md). API:
// casework.v1.SubjectAccessService (RequestSubjectAccess; the export is read
// with ExportSubjectData).
#ifndef CASEWORK_WORKFLOW_SUBJECT_ACCESS_COMMANDS_H_
#define CASEWORK_WORKFLOW_SUBJECT_ACCESS_COMMANDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/data_protection.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::subject_access {

inline constexpr CommandName<v1::RequestSubjectAccessRequest> kRequestSubjectAccess{
    "RequestSubjectAccess"};

// The subject access workflow (state: casework.v1.SubjectAccessRequest).
const Workflow& SubjectAccessWorkflow();

// Read-model keys:
//   subjectAccessRequests/{p}/all/{n} -> SubjectAccessRequest (summary row)
std::string SubjectAccessRowPrefix(absl::string_view partnership);
std::string SubjectAccessSummaryRow(absl::string_view stream);

// The person's reference on `request` (whichever of its fields is set).
const std::string& ReferenceOf(const v1::SubjectAccessRequest& request);

}  // namespace casework::workflow::subject_access

#endif  // CASEWORK_WORKFLOW_SUBJECT_ACCESS_COMMANDS_H_
