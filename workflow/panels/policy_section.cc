#include "workflow/panels/policy_section.h"

#include <map>
#include <set>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/common/validation.h"

namespace casework::workflow::panels {
namespace {

constexpr int kMaxPanels = 20;
constexpr int kMaxRules = 20;
constexpr int kMaxReasons = 20;
constexpr int kMaxStages = 20;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxRuleText = 500;
constexpr int kMaxAge = 130;
constexpr int kMaxCadenceDays = 366;
constexpr int kMaxQuorum = 20;
constexpr int kFactorKinds = 7;

// A list of short unique texts: closure reasons, stages.
void CheckTextList(const std::string& field, const google::protobuf::RepeatedPtrField<std::string>& items,
                   bool required, int max_items, FieldErrors& errors) {
  if (required && items.empty()) errors.Add(field, "required", "must list at least one");
  if (!CheckCount(field, items.size(), max_items, errors)) return;
  std::map<std::string, int> first;
  for (int i = 0; i < items.size(); ++i) {
    const std::string item_field = absl::StrCat(field, "[", i, "]");
    CheckText(item_field, items[i], /*required=*/true, kMaxTitle, errors);
    auto [it, inserted] = first.emplace(items[i], i);
    if (!inserted) {
      errors.Add(item_field, "duplicate", absl::StrCat("is already listed at ", field, "[", it->second, "]"));
    }
  }
}

void CheckEnumList(const std::string& field, const google::protobuf::RepeatedField<int>& items,
                   bool (*is_valid)(int), FieldErrors& errors) {
  std::set<int> seen;
  for (int i = 0; i < items.size(); ++i) {
    const std::string item_field = absl::StrCat(field, "[", i, "]");
    if (items[i] == 0 || !is_valid(items[i])) {
      errors.Add(item_field, "unknown", absl::StrCat(items[i], " is not a known value"));
    } else if (!seen.insert(items[i]).second) {
      errors.Add(item_field, "duplicate", "is listed twice");
    }
  }
}

void CheckRule(const std::string& field, const v1::PlacementRule& rule, bool last,
               FieldErrors& errors) {
  CheckText(field + ".id", rule.id(), /*required=*/true, 40, errors);
  CheckText(field + ".description", rule.description(), false, kMaxRuleText, errors);
  if (rule.min_dimensions() < 0 || rule.min_dimensions() > 3) {
    errors.Add(field + ".min_dimensions", "range", absl::StrCat("must be 0-3, got ", rule.min_dimensions()));
  }
  if (!v1::RiskLevel_IsValid(rule.dimension_at_least())) {
    errors.Add(field + ".dimension_at_least", "unknown", "is not a known risk level");
  }
  if (rule.min_aggravating_factors() < 0 || rule.min_aggravating_factors() > kFactorKinds) {
    errors.Add(field + ".min_aggravating_factors", "range",
               absl::StrCat("must be 0-", kFactorKinds, ", got ", rule.min_aggravating_factors()));
  }
  if (rule.placement() == v1::PANEL_PLACEMENT_UNSPECIFIED || !v1::PanelPlacement_IsValid(rule.placement())) {
    errors.Add(field + ".placement", "required", "must be a placement (main agenda, monitoring, decline)");
  }
  CheckText(field + ".signposting", rule.signposting(), rule.placement() == v1::PLACEMENT_DECLINE,
            kMaxRuleText, errors);
  const bool conditional = rule.dimension_at_least() != v1::RISK_LEVEL_UNSPECIFIED ||
                           rule.min_aggravating_factors() > 0;
  if (last && conditional) {
    errors.Add(field, "catch_all",
               "the last rule must have no condition, so that every assessment is placed");
  }
}

void CheckPanel(const std::string& field, const v1::PanelDefinition& panel, FieldErrors& errors) {
  CheckId(field + ".id", panel.id(), errors);
  CheckText(field + ".title", panel.title(), true, kMaxTitle, errors);
  for (const auto& [name, has, value] :
       {std::tuple{"min_age", panel.has_min_age(), panel.min_age()},
        std::tuple{"max_age", panel.has_max_age(), panel.max_age()}}) {
    if (has && (value < 0 || value > kMaxAge)) {
      errors.Add(absl::StrCat(field, ".", name), "range", absl::StrCat("must be 0-", kMaxAge, ", got ", value));
    }
  }
  if (panel.has_min_age() && panel.has_max_age() && panel.min_age() > panel.max_age()) {
    errors.Add(field + ".max_age", "order",
               absl::StrCat("must not be below min_age (", panel.min_age(), "), got ", panel.max_age()));
  }
  if (panel.subject_kinds().empty()) {
    errors.Add(field + ".subject_kinds", "required", "must list at least one kind of subject");
  }
  CheckEnumList(field + ".subject_kinds", panel.subject_kinds(),
                                      v1::PanelSubjectKind_IsValid, errors);
  if (panel.review_cadence_days() < 1 || panel.review_cadence_days() > kMaxCadenceDays) {
    errors.Add(field + ".review_cadence_days", "range",
               absl::StrCat("must be 1-", kMaxCadenceDays, ", got ", panel.review_cadence_days()));
  }
  const v1::PanelQuorum& quorum = panel.quorum();
  if (quorum.min_responsible_authorities() < 0 || quorum.min_responsible_authorities() > kMaxQuorum) {
    errors.Add(field + ".quorum.min_responsible_authorities", "range",
               absl::StrCat("must be 0-", kMaxQuorum, ", got ", quorum.min_responsible_authorities()));
  }
  if (quorum.min_responsible_authorities() > 0 && quorum.responsible_authorities().empty()) {
    errors.Add(field + ".quorum.responsible_authorities", "required",
               "must name the agency kinds that count towards quorum");
  }
  CheckEnumList(field + ".quorum.responsible_authorities",
                                quorum.responsible_authorities(), v1::AgencyKind_IsValid, errors);
  const std::string rules = field + ".placement_rules";
  if (panel.placement_rules().empty()) errors.Add(rules, "required", "must have at least one rule");
  if (CheckCount(rules, panel.placement_rules_size(), kMaxRules, errors)) {
    std::map<std::string, int> first;
    for (int i = 0; i < panel.placement_rules_size(); ++i) {
      const std::string rule_field = absl::StrCat(rules, "[", i, "]");
      CheckRule(rule_field, panel.placement_rules(i), i + 1 == panel.placement_rules_size(), errors);
      auto [it, inserted] = first.emplace(panel.placement_rules(i).id(), i);
      if (!inserted) {
        errors.Add(rule_field + ".id", "duplicate", absl::StrCat("is already used by ", rules, "[", it->second, "]"));
      }
    }
  }
  CheckTextList(field + ".closure_reasons", panel.closure_reasons(), true, kMaxReasons, errors);
}

// Parents name panels of the list, and following them always ends.
void CheckParents(const v1::PanelPolicy& section, FieldErrors& errors) {
  std::map<std::string, std::string> parent_of;
  for (const v1::PanelDefinition& p : section.panels()) parent_of.emplace(p.id(), p.parent());
  for (int i = 0; i < section.panels_size(); ++i) {
    const v1::PanelDefinition& p = section.panels(i);
    const std::string field = absl::StrCat("panels.panels[", i, "].parent");
    if (p.parent().empty()) continue;
    if (p.parent() == p.id()) {
      errors.Add(field, "self", "a panel cannot escalate to itself");
      continue;
    }
    if (parent_of.count(p.parent()) == 0) {
      errors.Add(field, "unknown", absl::StrCat(Quoted(p.parent()), " is not a panel of this policy"));
      continue;
    }
    std::string at = p.parent();
    for (size_t steps = 0; !at.empty(); ++steps) {
      if (steps > parent_of.size() || at == p.id()) {
        errors.Add(field, "cycle", "escalating from this panel comes back to it");
        break;
      }
      auto it = parent_of.find(at);
      at = it == parent_of.end() ? "" : it->second;
    }
  }
}

v1::PlacementRule Rule(absl::string_view id, absl::string_view description, v1::RiskLevel level,
                       int dimensions, int factors, v1::PanelPlacement placement,
                       absl::string_view signposting = "") {
  v1::PlacementRule r;
  r.set_id(std::string(id));
  r.set_description(std::string(description));
  r.set_dimension_at_least(level);
  r.set_min_dimensions(dimensions);
  r.set_min_aggravating_factors(factors);
  r.set_placement(placement);
  r.set_signposting(std::string(signposting));
  return r;
}

void AddPanel(v1::PanelPolicy* section, absl::string_view id, absl::string_view title,
              absl::string_view parent, std::initializer_list<v1::PanelSubjectKind> kinds,
              std::optional<int> min_age, std::optional<int> max_age, bool youth) {
  v1::PanelDefinition& p = *section->add_panels();
  p.set_id(std::string(id));
  p.set_title(std::string(title));
  p.set_parent(std::string(parent));
  for (v1::PanelSubjectKind k : kinds) p.add_subject_kinds(k);
  if (min_age) p.set_min_age(*min_age);
  if (max_age) p.set_max_age(*max_age);
  p.set_review_cadence_days(42);
  p.set_contextual_safeguarding(youth);
  v1::PanelQuorum& q = *p.mutable_quorum();
  q.set_min_responsible_authorities(3);
  for (v1::AgencyKind k : {v1::COUNCIL, v1::POLICE, v1::FIRE_AND_RESCUE, v1::HEALTH, v1::PROBATION}) {
    q.add_responsible_authorities(k);
  }
  q.set_chair_required(true);
  *p.add_placement_rules() = Rule("P1", "any dimension very high", v1::RISK_VERY_HIGH, 1, 0,
                                  v1::PLACEMENT_MAIN_AGENDA);
  *p.add_placement_rules() = Rule("P2", "any dimension high, with an aggravating factor",
                                  v1::RISK_HIGH, 1, 1, v1::PLACEMENT_MAIN_AGENDA);
  *p.add_placement_rules() = Rule("P3", "any dimension high", v1::RISK_HIGH, 1, 0,
                                  v1::PLACEMENT_MONITORING);
  *p.add_placement_rules() = Rule("P4", "two dimensions medium, with two aggravating factors",
                                  v1::RISK_MEDIUM, 2, 2, v1::PLACEMENT_MONITORING);
  *p.add_placement_rules() = Rule("P5", "below the panel's threshold", v1::RISK_LEVEL_UNSPECIFIED,
                                  0, 0, v1::PLACEMENT_DECLINE,
                                  "single-agency support through the referring agency");
  for (absl::string_view reason : {"risk reduced", "moved out of the area",
                                   "managed by a single agency", "escalated", "deceased"}) {
    p.add_closure_reasons(std::string(reason));
  }
}

}  // namespace

void ValidateSection(const v1::Policy& policy, FieldErrors& errors) {
  const v1::PanelPolicy& section = policy.panels();
  if (section.panels().empty()) errors.Add("panels.panels", "required", "must define at least one panel");
  if (CheckCount("panels.panels", section.panels_size(), kMaxPanels, errors)) {
    std::map<std::string, int> first;
    for (int i = 0; i < section.panels_size(); ++i) {
      const std::string field = absl::StrCat("panels.panels[", i, "]");
      CheckPanel(field, section.panels(i), errors);
      auto [it, inserted] = first.emplace(section.panels(i).id(), i);
      if (!inserted) {
        errors.Add(field + ".id", "duplicate", absl::StrCat("is already used by panels.panels[", it->second, "]"));
      }
    }
    CheckParents(section, errors);
  }
  CheckTextList("panels.incremental_stages", section.incremental_stages(), false, kMaxStages, errors);
}

void SetDefaultSection(absl::string_view, v1::Policy* policy) {
  v1::PanelPolicy* section = policy->mutable_panels();
  section->Clear();
  AddPanel(section, "jag", "Joint Action Group", "",
           {v1::SUBJECT_PERSON, v1::SUBJECT_GROUP, v1::SUBJECT_LOCATION}, std::nullopt, std::nullopt,
           false);
  AddPanel(section, "aarg", "Adults at Risk Group", "jag", {v1::SUBJECT_PERSON}, 18, std::nullopt,
           false);
  AddPanel(section, "yjag", "Youth Joint Action Group", "jag", {v1::SUBJECT_PERSON}, 11, 18, true);
  AddPanel(section, "central-dg", "Central Delivery Group", "jag",
           {v1::SUBJECT_GROUP, v1::SUBJECT_LOCATION}, std::nullopt, std::nullopt, false);
  AddPanel(section, "east-dg", "East Delivery Group", "jag",
           {v1::SUBJECT_GROUP, v1::SUBJECT_LOCATION}, std::nullopt, std::nullopt, false);
  for (absl::string_view stage :
       {"warning letter", "warning and visit", "acceptable behaviour contract",
        "community protection warning", "community protection notice", "civil injunction",
        "criminal behaviour order"}) {
    section->add_incremental_stages(std::string(stage));
  }
}

absl::StatusOr<PolicyPanel> PanelInForce(const DecideContext& ctx, absl::string_view id) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyInForce(ctx, ctx.partnership));
  const v1::Policy& policy = *held;
  if (!policy.has_panels()) return MissingPolicySectionError(policy, "panels");
  const v1::PanelDefinition* panel = FindPanel(policy, id);
  if (panel == nullptr) {
    std::vector<std::string> ids;
    for (const v1::PanelDefinition& p : policy.panels().panels()) ids.push_back(p.id());
    return FieldError("panel", "unknown",
                      absl::StrCat(Quoted(id), " is not a panel of policy version ", policy.version(),
                                   " (panels: ", absl::StrJoin(ids, ", "), ")"));
  }
  PolicyPanel found{held, {}};
  found.panel = *panel;
  return found;
}

absl::StatusOr<PolicyPanel> PinnedPanel(const DecideContext& ctx, int64_t version,
                                        absl::string_view id) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyVersion(ctx, ctx.partnership, version));
  const v1::Policy& policy = *held;
  if (!policy.has_panels()) return MissingPolicySectionError(policy, "panels");
  const v1::PanelDefinition* panel = FindPanel(policy, id);
  if (panel == nullptr) {
    return absl::DataLossError(
        absl::StrCat("panel ", id, " is missing from policy version ", version));
  }
  PolicyPanel found{held, {}};
  found.panel = *panel;
  return found;
}

const v1::PanelDefinition* FindPanel(const v1::Policy& policy, absl::string_view id) {
  for (const v1::PanelDefinition& p : policy.panels().panels()) {
    if (p.id() == id) return &p;
  }
  return nullptr;
}

}  // namespace casework::workflow::panels
