#include "services/policy_service.h"

#include "absl/strings/str_cat.h"
#include "services/call_context.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

grpc::ServerUnaryReactor* PolicyService::PublishPolicy(grpc::CallbackServerContext* context,
                                                       const v1::PublishPolicyRequest* request,
                                                       v1::Policy* response) {
  return RunCommand(deps_, context, workflow_, workflow::kPublishPolicy, *request, response);
}

grpc::ServerUnaryReactor* PolicyService::GetPolicy(grpc::CallbackServerContext* context,
                                                   const v1::GetPolicyRequest* request,
                                                   v1::Policy* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  if (request->version() < 0) errors.Add("version", "range", "must not be negative");
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<v1::Policy> policy = ReadPolicy(*deps_.store, *p, request->version());
  if (policy.ok()) *response = *std::move(policy);
  return FinishNow(context, policy.status());
}

absl::StatusOr<v1::Policy> ReadPolicy(const storage::EventStore& store,
                                      const std::string& partnership, int64_t version) {
  absl::StatusOr<v1::PolicyHistory> history =
      ReadState<v1::PolicyHistory>(store, workflow::PolicyWorkflow(), workflow::PolicyStream(partnership));
  if (!history.ok() || history->versions().empty()) {
    return absl::NotFoundError(absl::StrCat("partnership ", partnership, " has published no policy"));
  }
  if (version == 0) version = history->versions_size();
  if (version > history->versions_size()) {
    return absl::NotFoundError(absl::StrCat("policy version ", version, " of ", partnership,
                                            " does not exist; the latest is ",
                                            history->versions_size()));
  }
  return history->versions(static_cast<int>(version - 1));
}

}  // namespace casework::services
