#include "workflow/policy_stream.h"

#include "absl/strings/str_cat.h"
#include "workflow/policy.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

class PolicyAggregateImpl final : public TypedAggregate<v1::PolicyHistory> {
 public:
  absl::string_view Name() const override { return "policy"; }
  int StateSchema() const override { return 1; }

 protected:
  absl::Status ApplyTyped(v1::PolicyHistory& state, const v1::EventEnvelope&,
                          const google::protobuf::Message& payload) const override {
    if (ShortTypeName(payload) != "PolicyPublished") {
      return absl::InternalError(
          absl::StrCat("policy stream cannot apply event type ", ShortTypeName(payload)));
    }
    *state.add_versions() = static_cast<const v1::PolicyPublished&>(payload).policy();
    return absl::OkStatus();
  }
  void RowsTyped(absl::string_view, const v1::PolicyHistory&, std::vector<Row>*) const override {}
  std::string StateNameTyped(const v1::PolicyHistory& state) const override {
    return state.versions().empty() ? "NEW" : "PUBLISHED";
  }
};

absl::StatusOr<const v1::PolicyHistory*> History(
    const DecideContext& context, absl::string_view partnership,
    std::shared_ptr<const google::protobuf::Message>* holder) {
  if (!context.read_state) return absl::InternalError("decision needs read_state");
  ASSIGN_OR_RETURN(*holder, context.read_state(PolicyAggregate(), PolicyStream(partnership)));
  return static_cast<const v1::PolicyHistory*>(holder->get());
}

}  // namespace

std::string PolicyStream(absl::string_view partnership) {
  return absl::StrCat("partnerships/", partnership, "/policy/current");
}

const TypedAggregate<v1::PolicyHistory>& PolicyAggregate() {
  static const PolicyAggregateImpl* aggregate = new PolicyAggregateImpl();
  return *aggregate;
}

absl::Status ValidatePublishPolicy(const v1::PublishPolicyRequest& request) {
  FieldErrors errors;
  ParsePartnershipName("parent", request.parent(), errors);
  CheckRequestId(request.request_id(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  // Field paths are reported relative to the request.
  return PrefixFieldErrors(ValidatePolicy(request.policy()), "policy.");
}

absl::StatusOr<Events> DecidePublishPolicy(const v1::PolicyHistory& history,
                                           const v1::PublishPolicyRequest& request,
                                           const DecideContext& context) {
  FieldErrors ignored;
  v1::PolicyPublished published;
  v1::Policy& policy = *published.mutable_policy();
  policy = request.policy();
  policy.set_partnership(*ParsePartnershipName("parent", request.parent(), ignored));
  policy.set_version(history.versions_size() + 1);
  policy.mutable_publish_time()->set_seconds(absl::ToUnixSeconds(context.now));
  return MakeEvents(std::move(published));
}

absl::StatusOr<v1::Policy> PolicyInForce(const DecideContext& context,
                                         absl::string_view partnership) {
  std::shared_ptr<const google::protobuf::Message> holder;
  ASSIGN_OR_RETURN(const v1::PolicyHistory* history, History(context, partnership, &holder));
  if (history->versions().empty()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_POLICY",
                           absl::StrCat("partnership ", partnership,
                                        " has no published policy; an administrator publishes "
                                        "one with PolicyService.PublishPolicy"));
  }
  return history->versions(history->versions_size() - 1);
}

absl::StatusOr<v1::Policy> PolicyVersion(const DecideContext& context,
                                         absl::string_view partnership, int64_t version) {
  std::shared_ptr<const google::protobuf::Message> holder;
  ASSIGN_OR_RETURN(const v1::PolicyHistory* history, History(context, partnership, &holder));
  if (version < 1 || version > history->versions_size()) {
    return absl::DataLossError(absl::StrCat("policy version ", version, " of ", partnership,
                                            " is missing"));
  }
  return history->versions(static_cast<int>(version - 1));
}

}  // namespace casework::workflow
