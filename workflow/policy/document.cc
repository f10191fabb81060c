#include "workflow/policy/document.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "workflow/common/validation.h"

namespace casework::workflow {

namespace {

// The access section: each share names a case type the policy may share
// (Workflow::shareable) once, and agencies.
void CheckAccess(const v1::AccessPolicy& access, const Registry& registry, FieldErrors& errors) {
  if (!CheckCount("access.shares", access.shares_size(), kMaxCaseShares, errors)) return;
  std::vector<std::string> shareable;
  for (const Workflow* workflow : registry.workflows()) {
    if (workflow->shareable()) shareable.emplace_back(workflow->name());
  }
  std::set<std::string> types;
  for (int i = 0; i < access.shares_size(); ++i) {
    const v1::CaseShare& share = access.shares(i);
    const std::string prefix = absl::StrCat("access.shares[", i, "]");
    if (std::find(shareable.begin(), shareable.end(), share.case_type()) == shareable.end()) {
      errors.Add(prefix + ".case_type", "unknown",
                 absl::StrCat(Quoted(share.case_type()), " is not a case type that may be shared (",
                              absl::StrJoin(shareable, ", "), ")"));
    } else if (!types.insert(share.case_type()).second) {
      errors.Add(prefix + ".case_type", "duplicate",
                 absl::StrCat(Quoted(share.case_type()), " is shared twice: list its agencies once"));
    }
    if (share.agencies().empty()) {
      errors.Add(prefix + ".agencies", "required", "must name at least one agency");
    }
    if (!CheckCount(prefix + ".agencies", share.agencies_size(), kMaxSharedAgencies, errors)) {
      continue;
    }
    std::set<std::string> agencies;
    for (int j = 0; j < share.agencies_size(); ++j) {
      const std::string field = absl::StrCat(prefix, ".agencies[", j, "]");
      CheckId(field, share.agencies(j), errors);
      if (!agencies.insert(share.agencies(j)).second) {
        errors.Add(field, "duplicate", absl::StrCat(Quoted(share.agencies(j)), " is listed twice"));
      }
    }
  }
}

}  // namespace

absl::Status ValidatePolicy(const v1::Policy& policy, const Registry& registry) {
  FieldErrors errors;
  CheckPolicy(policy, registry, errors);
  return errors.ToStatus();
}

void CheckPolicy(const v1::Policy& policy, const Registry& registry, FieldErrors& errors) {
  CheckText("title", policy.title(), /*required=*/false, kMaxPolicyTitleChars, errors);
  const auto& purposes = policy.audit().purposes();
  if (CheckCount("audit.purposes", purposes.size(), kMaxAuditPurposes, errors)) {
    std::set<std::string> seen;
    for (int i = 0; i < purposes.size(); ++i) {
      const std::string field = absl::StrCat("audit.purposes[", i, "]");
      CheckText(field, purposes[i], /*required=*/true, kMaxAuditPurposeChars, errors);
      if (!seen.insert(purposes[i]).second) {
        errors.Add(field, "duplicate", absl::StrCat(Quoted(purposes[i]), " is listed twice"));
      }
    }
  }
  CheckAccess(policy.access(), registry, errors);
  const google::protobuf::Descriptor* descriptor = policy.GetDescriptor();
  for (const Workflow* workflow : registry.workflows()) {
    const PolicySection* section = workflow->policy_section();
    if (section == nullptr) continue;
    const google::protobuf::FieldDescriptor* field =
        descriptor->FindFieldByName(std::string(section->field));
    if (field == nullptr) {
      AbortWithMessage(absl::StrCat("workflow ", workflow->name(), " owns policy section ",
                                    section->field, ", which casework.v1.Policy does not have"));
    }
    if (policy.GetReflection()->HasField(policy, field)) section->validate(policy, errors);
  }
}

v1::Policy DefaultPolicy(absl::string_view partnership, const Registry& registry) {
  v1::Policy policy;
  policy.set_partnership(std::string(partnership));
  for (const Workflow* workflow : registry.workflows()) {
    if (const PolicySection* section = workflow->policy_section()) {
      section->set_default(partnership, &policy);
    }
  }
  return policy;
}

void CheckDeadlineRuleField(absl::string_view field, const std::string& text,
                            absl::string_view example, bool calendar_only, FieldErrors& errors) {
  if (text.empty()) {
    errors.Add(std::string(field), "required", absl::StrCat("is required, e.g. \"", example, "\""));
    return;
  }
  absl::StatusOr<DeadlineRule> rule = ParseDeadlineRule(text);
  if (!rule.ok()) {
    errors.Add(std::string(field), "deadline_rule", std::string(rule.status().message()));
    return;
  }
  if (calendar_only && rule->unit == DeadlineUnit::kWorkingDays) {
    errors.Add(std::string(field), "unit",
               absl::StrCat("must be in calendar days, weeks or months (the "
                            "threshold is counted on calendar dates), got \"",
                            text, "\""));
  }
}

void CheckTimescales(const google::protobuf::Message& timescales, absl::string_view prefix,
                     FieldErrors& errors) {
  const google::protobuf::Descriptor* d = timescales.GetDescriptor();
  const google::protobuf::Reflection* r = timescales.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = d->field(i);
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING || field->is_repeated()) {
      continue;
    }
    CheckDeadlineRuleField(absl::StrCat(prefix, field->name()), r->GetString(timescales, field),
                           "10 working days", /*calendar_only=*/false, errors);
  }
}

absl::StatusOr<DeadlineRule> TimescaleRule(const google::protobuf::Message& timescales,
                                           absl::string_view name) {
  const google::protobuf::FieldDescriptor* field =
      timescales.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return absl::InvalidArgumentError(absl::StrCat(timescales.GetDescriptor()->full_name(),
                                                   " has no timescale called ", name));
  }
  ASSIGN_OR_RETURN(DeadlineRule rule,
                   ParseDeadlineRule(timescales.GetReflection()->GetString(timescales, field)));
  rule.name = std::string(name);
  return rule;
}

}  // namespace casework::workflow
