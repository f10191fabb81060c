// casework.v1.PolicyService: publishes and reads partnership policy.
#ifndef CASEWORK_SERVICES_POLICY_SERVICE_H_
#define CASEWORK_SERVICES_POLICY_SERVICE_H_

#include "casework/v1/policy.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::services {

// Policy version `version` of `partnership`, 0 for the version in force.
// NOT_FOUND when the partnership has published none, or not that version.
absl::StatusOr<v1::Policy> ReadPolicy(const storage::EventStore& store,
                                      const std::string& partnership, int64_t version);

class PolicyService final : public v1::PolicyService::CallbackService {
 public:
  explicit PolicyService(const ServiceDeps& deps) : deps_(deps) {}

  // Requires role "admin".
  grpc::ServerUnaryReactor* PublishPolicy(grpc::CallbackServerContext* context,
                                          const v1::PublishPolicyRequest* request,
                                          v1::Policy* response) override;
  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const v1::GetPolicyRequest* request,
                                      v1::Policy* response) override;

 private:
  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::PolicyWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_POLICY_SERVICE_H_
