#include "workflow/policy/policy_workflow.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"
#include "workflow/policy/document.h"

namespace casework::workflow {
namespace {

using State = v1::PolicyHistory;

std::string StateName(const State& state) {
  return state.versions().empty() ? std::string(kNewState) : "PUBLISHED";
}

std::string PolicyStreamOf(const v1::PublishPolicyRequest& r) {
  FieldErrors ignored;
  return PolicyStream(ParsePartnershipName("parent", r.parent(), ignored).value_or(""));
}

// The whole document, field paths reported relative to the request.
void ValidatePublishPolicy(const v1::PublishPolicyRequest& r, const ValidateContext& context,
                           FieldErrors& errors) {
  FieldErrors document;
  CheckPolicy(r.policy(), *context.registry, document);
  errors.Merge(document, "policy.");
}

// PolicyPublished with the next version number and the publish time.
absl::Status DecidePublishPolicy(const State& history, const v1::PublishPolicyRequest& r,
                                 const DecideContext& context, Decision& out) {
  v1::PolicyPublished published;
  v1::Policy& policy = *published.mutable_policy();
  policy = r.policy();
  policy.set_partnership(std::string(PartnershipOfStream(context.stream)));
  policy.set_version(history.versions_size() + 1);
  policy.mutable_publish_time()->set_seconds(absl::ToUnixSeconds(context.now));
  out.Emit(std::move(published));
  return absl::OkStatus();
}

void ApplyPublished(State& state, const v1::PolicyPublished& e) { *state.add_versions() = e.policy(); }

// The version just published.
v1::Policy PublishReply(const State& history, const v1::CommitInfo&) {
  return history.versions().empty() ? v1::Policy() : history.versions(history.versions_size() - 1);
}

absl::StatusOr<const State*> History(const DecideContext& context, absl::string_view partnership,
                                     std::shared_ptr<const google::protobuf::Message>* holder) {
  if (!context.read_state) return absl::InternalError("decision needs read_state");
  ASSIGN_OR_RETURN(*holder, context.read_state(PolicyWorkflow(), PolicyStream(partnership)));
  return &kernel_internal::As<State>(**holder);
}

}  // namespace

std::string PolicyStream(absl::string_view partnership) {
  return absl::StrCat("partnerships/", partnership, "/policy/current");
}

bool IsPolicyStream(absl::string_view stream) {
  constexpr absl::string_view kPrefix = "partnerships/", kSuffix = "/policy/current";
  if (!absl::ConsumePrefix(&stream, kPrefix) || !absl::ConsumeSuffix(&stream, kSuffix)) {
    return false;
  }
  return !stream.empty() && !absl::StrContains(stream, '/');
}

const Workflow& PolicyWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"policy", "policy", 1, "casework.v1.PolicyService", ""});
    d.States(StateName, {std::string(kNewState), "PUBLISHED"});
    d.Transitions({
        {kNewState, kPublishPolicy.name, {"PUBLISHED"}},
        {"PUBLISHED", kPublishPolicy.name, {"PUBLISHED"}},
    });
    d.OnDerivedStream(kPublishPolicy, PolicyStreamOf, DecidePublishPolicy, ValidatePublishPolicy);
    d.On<v1::PolicyPublished>(ApplyPublished);
    d.Reply(PublishReply);
    // A publishing event records the version it creates.
    d.PinnedPolicy(+[](const State& s) { return static_cast<int64_t>(s.versions_size()); });
    return std::move(d).Build();
  }();
  return *workflow;
}

absl::StatusOr<PolicyRef> PolicyInForce(const DecideContext& context,
                                         absl::string_view partnership) {
  std::shared_ptr<const google::protobuf::Message> holder;
  ASSIGN_OR_RETURN(const State* history, History(context, partnership, &holder));
  if (history->versions().empty()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_POLICY",
                           absl::StrCat("partnership ", partnership,
                                        " has no published policy; an administrator publishes "
                                        "one with PolicyService.PublishPolicy"));
  }
  return PolicyRef(holder, &history->versions(history->versions_size() - 1));
}

absl::StatusOr<PolicyRef> PolicyVersion(const DecideContext& context,
                                         absl::string_view partnership, int64_t version) {
  std::shared_ptr<const google::protobuf::Message> holder;
  ASSIGN_OR_RETURN(const State* history, History(context, partnership, &holder));
  if (version < 1 || version > history->versions_size()) {
    return absl::DataLossError(
        absl::StrCat("policy version ", version, " of ", partnership, " is missing"));
  }
  return PolicyRef(holder, &history->versions(static_cast<int>(version - 1)));
}

absl::Status MissingPolicySectionError(const v1::Policy& policy, absl::string_view section) {
  return ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, "NO_POLICY_SECTION",
      absl::StrCat("policy version ", policy.version(), " of partnership ", policy.partnership(),
                   " has no ", section, " section; an administrator publishes one with "
                   "PolicyService.PublishPolicy"));
}

}  // namespace casework::workflow
