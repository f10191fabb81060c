#include "services/access.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/policy_cache.h"
#include "services/roles.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

absl::StatusOr<bool> ReadFilter::MayRead(absl::string_view stream) {
  const workflow::Workflow* workflow = deps_.registry->ForStream(stream);
  if (workflow == nullptr || !workflow->restricted()) return true;
  if (auto it = verdicts_.find(stream); it != verdicts_.end()) return it->second;
  absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> state =
      ReadStateMessage(*deps_.store, *workflow, std::string(stream));
  if (!state.ok() && !absl::IsNotFound(state.status())) return state.status();
  bool verdict = false;
  if (state.ok()) {
    ASSIGN_OR_RETURN(verdict, MayReadState(*workflow, stream, **state));
  }
  verdicts_.emplace(std::string(stream), verdict);
  return verdict;
}

absl::StatusOr<bool> ReadFilter::MayReadState(const workflow::Workflow& workflow,
                                              absl::string_view stream,
                                              const google::protobuf::Message& state) {
  if (workflow.MayRead(state, actor_)) return true;
  if (!workflow.shareable()) return false;
  return Shared(workflow, stream);
}

absl::StatusOr<bool> ReadFilter::Shared(const workflow::Workflow& workflow,
                                        absl::string_view stream) {
  const std::string partnership(workflow::PartnershipOfStream(stream));
  if (partnership.empty()) return false;
  const std::string key = absl::StrCat(partnership, "/", workflow.name());
  if (auto it = shared_.find(key); it != shared_.end()) return it->second;
  if (deps_.policies == nullptr) return absl::InternalError("no policy cache");
  ASSIGN_OR_RETURN(workflow::PolicyRef policy, deps_.policies->InForce(partnership));
  bool shared = false;
  for (const v1::CaseShare& share : policy->access().shares()) {
    if (share.case_type() != workflow.name()) continue;
    shared = std::find(share.agencies().begin(), share.agencies().end(), actor_.agency()) !=
             share.agencies().end();
    break;
  }
  shared_.emplace(key, shared);
  return shared;
}

void SetNextSteps(const workflow::Workflow& workflow, const v1::Actor& actor,
                  google::protobuf::Message& resource) {
  const google::protobuf::FieldDescriptor* field =
      resource.GetDescriptor()->FindFieldByName("next_steps");
  if (field == nullptr || !field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return;
  }
  const google::protobuf::Reflection* reflection = resource.GetReflection();
  reflection->ClearField(&resource, field);
  if (!workflow.MayRead(resource, actor)) return;
  for (const std::string& command : workflow.transitions().Allowed(workflow.StateName(resource))) {
    const std::string rpc = absl::StrCat("/", workflow.service(), "/", command);
    if (!CheckRole(rpc, AccessOf(rpc), actor.role()).ok()) continue;
    reflection->AddString(&resource, field, command);
  }
}

}  // namespace casework::services
