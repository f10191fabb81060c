// Fuzz target: policy documents.
//
// Every input is tried twice: as a protobuf-JSON document and as a binary
// casework.v1.Policy. A document that parses goes through ValidatePolicy
// (OK or INVALID_ARGUMENT with a parseable BadRequest detail); every rule
// string in it goes through ParseDeadlineRule; a policy that validates is
// then published (the PublishPolicy command's validation must agree) and, when
// it has a case review section, its threshold is evaluated over three small
// fixed ledgers and its timescales are turned into deadlines on the bundled
// calendar.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/policy.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fuzz/fuzz_support.h"
#include "workflow/case_review/threshold.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/context.h"
#include "workflow/policy/document.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/registry.h"
#include "workflow/time/calendar.h"
#include "workflow/time/deadline_rules.h"

namespace casework::fuzz {
namespace {

namespace review = workflow::case_review;
using workflow::DeadlineRule;
using workflow::DeadlineUnit;

constexpr absl::CivilDay kApplicationDate(2026, 11, 20);

const workflow::Calendar& BundledCalendar() {
  static const workflow::Calendar* calendar = [] {
    auto c = workflow::Calendar::FromBankHolidaysJson(workflow::BundledBankHolidaysJson(), 1);
    FUZZ_CHECK(c.ok());
    return new workflow::Calendar(*std::move(c));
  }();
  return *calendar;
}

v1::LedgerEntry Entry(int n, absl::string_view complainant, absl::CivilDay behaviour,
                      absl::CivilDay reported, v1::AgencyKind kind, absl::string_view incident,
                      bool hate = false, v1::ComplaintCategory category = v1::PERSONAL) {
  v1::LedgerEntry e;
  e.set_complaint(absl::StrCat("partnerships/eastbrook/complaints/", n));
  e.set_complainant_reference(std::string(complainant));
  e.set_agency(kind == v1::POLICE ? "shire-police" : "eastbrook-council");
  e.set_agency_kind(kind);
  e.set_incident_reference(std::string(incident));
  *e.mutable_behaviour_date() = workflow::ToCivilDate(behaviour);
  *e.mutable_reported_date() = workflow::ToCivilDate(reported);
  e.set_category(category);
  e.set_hate_related(hate);
  e.set_locality("town-centre");
  return e;
}

review::ThresholdInput ThresholdInputBase(const char* applicant, v1::ComplaintCategory category) {
  review::ThresholdInput in;
  in.policy_version = 3;
  in.application_date = kApplicationDate;
  in.applicant = applicant;
  in.locality = "town-centre";
  in.category = category;
  return in;
}

// Fixed ledgers that give every rule something to count, exclude or decide.
const std::vector<review::ThresholdInput>& Ledgers() {
  static const std::vector<review::ThresholdInput>* ledgers = [] {
    using D = absl::CivilDay;
    auto* all = new std::vector<review::ThresholdInput>;

    // Complaints inside and outside the window, late reports, a shared
    // incident, a hate incident, other people's complaints in the locality
    // and about the applicant's incident, one reported after the application.
    review::ThresholdInput busy = ThresholdInputBase("cmp-1", v1::PERSONAL);
    busy.applicant_complaints = {
        Entry(1, "cmp-1", D(2026, 2, 1), D(2026, 2, 3), v1::POLICE, "INC-1"),
        Entry(2, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::COUNCIL, "INC-2"),
        Entry(3, "cmp-1", D(2026, 7, 10), D(2026, 8, 20), v1::POLICE, ""),
        Entry(4, "cmp-1", D(2026, 9, 1), D(2026, 9, 1), v1::HEALTH, "INC-3"),
        Entry(5, "cmp-1", D(2026, 9, 5), D(2026, 9, 6), v1::HOUSING_PROVIDER, "INC-2"),
        Entry(6, "cmp-1", D(2026, 10, 1), D(2026, 10, 1), v1::POLICE, "INC-4", true),
        Entry(10, "cmp-1", D(2026, 11, 19), D(2026, 11, 19), v1::COUNCIL, ""),
        Entry(11, "cmp-1", D(2026, 11, 20), D(2026, 11, 21), v1::COUNCIL, "INC-5"),
    };
    busy.locality_complaints = {
        Entry(7, "cmp-2", D(2026, 8, 1), D(2026, 8, 1), v1::POLICE, "INC-6"),
        Entry(8, "cmp-3", D(2026, 8, 2), D(2026, 8, 3), v1::COUNCIL, "INC-6"),
        Entry(9, "cmp-3", D(2026, 9, 2), D(2026, 9, 3), v1::COUNCIL, "", false, v1::NUISANCE),
    };
    busy.locality_complaints.insert(busy.locality_complaints.end(),
                                    busy.applicant_complaints.begin(),
                                    busy.applicant_complaints.end());
    busy.incident_complaints["INC-2"] = {
        busy.applicant_complaints[1],
        Entry(12, "cmp-2", D(2026, 6, 1), D(2026, 6, 4), v1::POLICE, "INC-2"),
        Entry(13, "cmp-4", D(2026, 6, 1), D(2026, 6, 5), v1::COUNCIL, "INC-2"),
    };
    busy.incident_complaints["INC-4"] = {busy.applicant_complaints[5]};
    all->push_back(busy);

    // Too few applicant complaints and no hate incident, so the community
    // and same-incident rules get to decide; same-day ties between
    // complaints 9 and 10 of one incident, and a name without a number.
    review::ThresholdInput quiet = ThresholdInputBase("cmp-1", v1::NUISANCE);
    quiet.applicant_complaints = {
        Entry(10, "cmp-1", D(2026, 7, 1), D(2026, 7, 2), v1::POLICE, "INC-8", false, v1::NUISANCE),
        Entry(9, "cmp-1", D(2026, 7, 1), D(2026, 7, 2), v1::COUNCIL, "INC-8", false, v1::NUISANCE),
    };
    quiet.applicant_complaints.back().set_complaint("imported-without-number");
    for (int i = 0; i < 6; ++i) {
      quiet.locality_complaints.push_back(Entry(20 + i, i % 2 == 0 ? "cmp-2" : "cmp-3",
                                                D(2026, 8, 1 + i), D(2026, 8, 2 + i), v1::COUNCIL,
                                                i < 2 ? "INC-9" : "", false, v1::NUISANCE));
    }
    quiet.locality_complaints.push_back(quiet.applicant_complaints[0]);
    quiet.incident_complaints["INC-8"] = {
        quiet.applicant_complaints[0],
        Entry(30, "cmp-5", D(2026, 7, 1), D(2026, 7, 3), v1::POLICE, "INC-8", false, v1::NUISANCE),
        Entry(31, "cmp-6", D(2026, 7, 1), D(2026, 7, 3), v1::HEALTH, "INC-8", false, v1::NUISANCE),
        Entry(32, "cmp-7", D(2025, 1, 1), D(2025, 1, 2), v1::POLICE, "INC-8", false, v1::NUISANCE),
    };
    all->push_back(quiet);

    // The same with an unspecified category (the community rule never
    // applies) and no applicant reference.
    review::ThresholdInput anonymous = quiet;
    anonymous.category = v1::COMPLAINT_CATEGORY_UNSPECIFIED;
    anonymous.applicant.clear();
    all->push_back(anonymous);
    return all;
  }();
  return *ledgers;
}

// ParseDeadlineRule on any text: INVALID_ARGUMENT naming the text, or a
// rule whose words parse back to the same rule.
std::optional<DeadlineRule> CheckDeadlineRule(const std::string& text) {
  absl::StatusOr<DeadlineRule> rule = workflow::ParseDeadlineRule(text);
  if (!rule.ok()) {
    FUZZ_CHECK(rule.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(rule.status().message(), "deadline rule \""));
    return std::nullopt;
  }
  FUZZ_CHECK(rule->name.empty());
  FUZZ_CHECK(rule->amount >= 1 && rule->amount <= 7 * workflow::kMaxDeadlineAmount);
  absl::StatusOr<DeadlineRule> again = workflow::ParseDeadlineRule(rule->ToString());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->unit == rule->unit && again->amount == rule->amount);
  return *rule;
}

void CheckValidPolicy(const v1::Policy& policy) {
  // Publishing the document under a well-formed request must be accepted.
  v1::PublishPolicyRequest publish;
  publish.set_parent("partnerships/eastbrook");
  publish.set_request_id("fuzz-publish-1");
  *publish.mutable_policy() = policy;
  const workflow::ValidateContext context{kApplicationDate, &workflow::Workflows()};
  const workflow::CommandType& command =
      workflow::PolicyWorkflow().Command(workflow::kPublishPolicy);
  FUZZ_CHECK(command.Validate(publish, context).ok());

  // No section is required: a document without the case review's has
  // nothing more to check.
  if (!policy.has_case_review()) return;
  const v1::ThresholdPolicy& threshold = policy.case_review().threshold();
  for (review::ThresholdInput input : Ledgers()) {
    input.policy = &threshold;
    const v1::ThresholdEvaluation evaluation = review::EvaluateThreshold(input);
    const std::string& rule = evaluation.deciding_rule();
    FUZZ_CHECK(rule == review::kRuleR1 || rule == review::kRuleR2 ||
               rule == review::kRuleCommunity || rule == review::kRuleSameIncident ||
               rule == review::kRuleNotMet);
    FUZZ_CHECK(evaluation.met() == (rule != review::kRuleNotMet));
    FUZZ_CHECK(evaluation.policy_version() == input.policy_version);
    FUZZ_CHECK(workflow::ToCivilDay(evaluation.evaluated_on()) == kApplicationDate);
    FUZZ_CHECK(workflow::ToCivilDay(evaluation.window_start()) <= kApplicationDate);
    FUZZ_CHECK(!evaluation.summary().empty());
    FUZZ_CHECK(evaluation.considered_size() >=
               static_cast<int>(input.applicant_complaints.size()));
    if (input.category == v1::COMPLAINT_CATEGORY_UNSPECIFIED) {
      FUZZ_CHECK(rule != review::kRuleCommunity);
    }

    // The notices each applicant complaint raises given the ones before it.
    std::vector<v1::LedgerEntry> earlier;
    for (const v1::LedgerEntry& added : input.applicant_complaints) {
      for (const v1::Notice& notice : review::ProactiveNotices(threshold, earlier, added)) {
        FUZZ_CHECK(notice.kind() == v1::Notice::EXPLAIN_CASE_REVIEW ||
                   notice.kind() == v1::Notice::THRESHOLD_REACHED);
        FUZZ_CHECK(notice.complaint() == added.complaint());
        FUZZ_CHECK(!notice.acknowledged());
      }
      earlier.push_back(added);
    }
  }

  // Valid timescales are valid deadline rules; compute each once.
  const v1::CaseReviewTimescales& t = policy.case_review().timescales();
  for (const std::string* text : {&t.acknowledge(), &t.threshold_decision(), &t.review_meeting(),
                                  &t.outcome_letter(), &t.appeal_window(), &t.appeal_papers()}) {
    std::optional<DeadlineRule> parsed = CheckDeadlineRule(*text);
    FUZZ_CHECK(parsed.has_value());
    CheckComputedDeadline(BundledCalendar(), kApplicationDate, *parsed);
  }
  for (const std::string* text : {&threshold.window(), &threshold.report_within()}) {
    std::optional<DeadlineRule> parsed = CheckDeadlineRule(*text);
    FUZZ_CHECK(parsed.has_value());
    FUZZ_CHECK(parsed->unit != DeadlineUnit::kWorkingDays);
  }
}

void RunPolicy(const v1::Policy& policy) {
  const absl::Status status = workflow::ValidatePolicy(policy, workflow::Workflows());
  CheckValidationStatus(status);

  // Every rule string of the document, valid or not.
  const v1::ThresholdPolicy& threshold = policy.case_review().threshold();
  const v1::CaseReviewTimescales& t = policy.case_review().timescales();
  for (const std::string* text :
       {&threshold.window(), &threshold.report_within(), &t.acknowledge(),
        &t.threshold_decision(), &t.review_meeting(), &t.outcome_letter(), &t.appeal_window(),
        &t.appeal_papers()}) {
    CheckDeadlineRule(*text);
  }

  if (status.ok()) CheckValidPolicy(policy);
}

}  // namespace
}  // namespace casework::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  casework::fuzz::SilenceProtobufLogs();
  casework::fuzz::BundledCalendar();
  casework::fuzz::Ledgers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > static_cast<size_t>(INT_MAX)) return 0;
  const char* text = reinterpret_cast<const char*>(data);

  casework::v1::Policy from_json;
  if (google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(text, size),
                                                  &from_json)
          .ok()) {
    casework::fuzz::RunPolicy(from_json);
  }

  casework::v1::Policy from_binary;
  if (from_binary.ParseFromArray(data, static_cast<int>(size))) {
    casework::fuzz::RunPolicy(from_binary);
  }
  return 0;
}
