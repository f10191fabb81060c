// The retention review's definition: one command records a person's
// decision on a closed case due for review. The workflow is small enough to
// keep its validation, decision, applier, rows and policy section here; the
// people a case names are found in people.cc.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/erasures/commands.h"
#include "workflow/kernel/definition.h"
#include "workflow/kernel/registry.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/retention/commands.h"
#include "workflow/time/deadline_rules.h"

namespace casework::workflow::retention {
namespace {

using State = v1::RetentionReview;

constexpr absl::string_view kCollection = "retentionReviews";
constexpr size_t kMaxReason = 500;
constexpr int kDefaultYears = 6;
constexpr int kMaxYears = 100;
constexpr int kMaxNextReviewYears = 10;
constexpr int kMaxAlsoIn = 20;
// The records of a person read at a time while looking for those that keep
// them.
constexpr int kUsesPage = 32;

std::string StateName(const State& s) {
  switch (s.decision()) {
    case State::RETAIN: return "RETAINED";
    case State::DELETE: return "DELETED";
    default: return std::string(kNewState);
  }
}

google::protobuf::Timestamp Stamp(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

const absl::TimeZone& London() {
  static const absl::TimeZone* london = [] {
    auto* zone = new absl::TimeZone;
    if (!absl::LoadTimeZone("Europe/London", zone)) *zone = absl::UTCTimeZone();
    return zone;
  }();
  return *london;
}

void ValidateDecide(const v1::DecideRetentionRequest& r, const ValidateContext& context,
                    FieldErrors& errors) {
  FieldErrors ignored;
  const std::optional<std::string> partnership =
      ParsePartnershipName("parent", r.parent(), ignored);
  const Workflow* workflow =
      context.registry == nullptr ? nullptr : context.registry->ForStream(r.case_name());
  if (r.case_name().empty()) {
    errors.Add("case_name", "required", "must name the case to decide on");
  } else if (workflow == nullptr || !workflow->has_retention() ||
             !ResourceNameOf(r.case_name(), workflow->collection()).has_value() ||
             (partnership.has_value() &&
              PartnershipOfStream(r.case_name()) != *partnership)) {
    errors.Add("case_name", "case",
               absl::StrCat("must be a case of ", Quoted(r.parent()),
                            " under the retention schedule (a complaint, case review, action, "
                            "panel case, panel meeting or death review), e.g. \"",
                            r.parent(), "/actions/3\""));
  }
  CheckText("reason", r.reason(), true, kMaxReason, errors);
  if (r.decision() == State::RETAIN) {
    if (!r.has_next_review_date()) {
      errors.Add("next_review_date", "required", "a retained case needs its next review date");
    } else if (std::optional<absl::CivilDay> next =
                   CheckDate("next_review_date", r.next_review_date(), errors)) {
      if (*next <= context.today) {
        errors.Add("next_review_date", "future",
                   absl::StrCat("must be after today (", absl::FormatCivilTime(context.today),
                                ")"));
      } else if (*next > context.today + 366 * kMaxNextReviewYears) {
        errors.Add("next_review_date", "range",
                   absl::StrCat("must be at most ", kMaxNextReviewYears, " years on"));
      }
    }
  } else if (r.decision() == State::DELETE) {
    if (r.has_next_review_date()) {
      errors.Add("next_review_date", "delete", "a deleted case has no next review");
    }
  } else {
    errors.Add("decision", "required", "must be RETAIN or DELETE");
  }
}

// True if the latest review of `stream` deleted it.
absl::StatusOr<bool> Deleted(const DecideContext& context, const Workflow& workflow,
                             absl::string_view stream) {
  ASSIGN_OR_RETURN(std::vector<Row> rows,
                   context.scan_rows(CaseReviewsPrefix(context.partnership, stream)));
  const std::optional<State> latest = LatestReview(rows);
  if (!latest.has_value() || latest->decision() != State::DELETE) return false;
  // Reopened or changed since: retained again.
  ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> state,
                   context.read_state(workflow, stream));
  return StillDeleted(*latest, workflow.ClosedAt(*state));
}

// A DELETE's erasures: the case's own data, then each person the case names
// who appears in no other retained case; the others are kept.
absl::Status PlanDeletion(const google::protobuf::Message& case_state, State& review,
                          const DecideContext& context) {
  if (!context.streams_sealed_for) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "SEALING_NOT_CONFIGURED",
                           "this server seals no personal data (it was started without "
                           "--master_key_file), so it cannot erase a case: nothing was recorded");
  }
  const std::string legal_basis =
      absl::StrCat("retention: ", review.years_after_closure(), " years after closure, ",
                   context.stream);
  auto stamp = [&](v1::Erasure erasure) {
    *erasure.mutable_erased_by() = *context.actor;
    *erasure.mutable_erase_time() = Stamp(context.now);
    return erasure;
  };
  v1::Erasure own;
  own.set_record(review.case_name());
  own.set_legal_basis(legal_basis);
  *review.add_erasures() = stamp(std::move(own));
  for (auto& [subject, reference] : PeopleNamedIn(case_state)) {
    if (!erasures::IsPersonSubject(subject)) continue;
    // The person's records, a page at a time, until enough keep them.
    v1::KeptPerson kept;
    std::string after;
    while (kept.also_in_size() < kMaxAlsoIn) {
      ASSIGN_OR_RETURN(std::vector<std::string> streams,
                       context.streams_sealed_for(subject, reference, after, kUsesPage));
      for (const std::string& stream : streams) {
        if (kept.also_in_size() >= kMaxAlsoIn) break;  // kept: enough named
        if (stream == review.case_name()) continue;
        const Workflow* workflow = context.registry->ForStream(stream);
        if (workflow == nullptr || !workflow->has_retention()) continue;  // not a case
        ASSIGN_OR_RETURN(bool deleted, Deleted(context, *workflow, stream));
        if (deleted) continue;
        kept.add_also_in(stream);
      }
      if (static_cast<int>(streams.size()) < kUsesPage) break;
      after = streams.back();
    }
    if (kept.also_in_size() > 0) {
      kept.set_subject(subject);
      *review.add_kept() = std::move(kept);
      continue;
    }
    v1::EraseSubjectRequest person;
    person.set_subject(subject);
    person.set_reference(reference);
    person.set_legal_basis(legal_basis);
    *review.add_erasures() = stamp(erasures::ErasureOf(person));
  }
  return absl::OkStatus();
}

absl::Status DecideRetention(const State&, const v1::DecideRetentionRequest& r,
                             const DecideContext& context, Decision& out) {
  if (context.registry == nullptr || !context.read_state || !context.scan_rows) {
    return absl::InternalError("a retention decision needs the registry and row reads");
  }
  const Workflow* workflow = context.registry->ForStream(r.case_name());
  if (workflow == nullptr || !workflow->has_retention()) {
    return FieldError("case_name", "case", "must be a case under the retention schedule");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> case_state,
                   context.read_state(*workflow, r.case_name()));
  const std::string state_name = workflow->StateName(*case_state);
  if (state_name == kNewState) return NotFoundFor(r.case_name());
  const std::optional<absl::Time> closed = workflow->ClosedAt(*case_state);
  if (!closed.has_value()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NOT_DUE_FOR_REVIEW",
                           absl::StrCat(r.case_name(), " is open (", state_name,
                                        "): its retention period runs from when it closes"));
  }
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyInForce(context, context.partnership));
  const v1::Policy& policy = *held;
  const int years = YearsAfterClosure(policy, workflow->name());
  ASSIGN_OR_RETURN(std::vector<Row> rows,
                   context.scan_rows(CaseReviewsPrefix(context.partnership, r.case_name())));
  std::optional<State> latest = LatestReview(rows);
  if (latest.has_value() && latest->decision() == State::DELETE) {
    if (StillDeleted(*latest, closed)) {
      return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "ALREADY_DELETED",
                             absl::StrCat(r.case_name(), " was deleted by ", latest->name()));
    }
    latest.reset();  // reopened and closed again since: due from its new closing
  }
  const absl::CivilDay due = latest.has_value() ? ToCivilDay(latest->next_review_date())
                                                : DueDate(*closed, years);
  if (context.today < due) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NOT_DUE_FOR_REVIEW",
                           absl::StrCat(r.case_name(), " is due for review on ",
                                        absl::FormatCivilTime(due)));
  }

  v1::RetentionDecided e;
  e.set_partnership(std::string(context.partnership));
  State& review = *e.mutable_review();
  review.set_case_name(r.case_name());
  review.set_case_type(std::string(workflow->name()));
  *review.mutable_close_time() = Stamp(*closed);
  review.set_years_after_closure(years);
  *review.mutable_due_date() = ToCivilDate(due);
  review.set_decision(r.decision());
  review.set_reason(r.reason());
  *review.mutable_next_review_date() = r.next_review_date();
  *review.mutable_decided_by() = *context.actor;
  *review.mutable_decide_time() = Stamp(context.now);
  if (r.decision() == State::DELETE) RETURN_IF_ERROR(PlanDeletion(*case_state, review, context));
  out.Emit(std::move(e));
  return absl::OkStatus();
}

void ApplyDecided(State& s, const v1::RetentionDecided& e, const v1::EventEnvelope& env) {
  s = e.review();
  s.set_name(env.stream());
}

void DecidedErasures(const v1::RetentionDecided& e, std::vector<v1::Erasure>* out) {
  for (const v1::Erasure& erasure : e.review().erasures()) out->push_back(erasure);
}

std::string ReviewSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return std::string(kRetentionNamespace) + "/invalid";
  return absl::StrCat(ReviewRowPrefix(name->partnership), SortableNumber(name->number));
}

void ReviewRows(absl::string_view stream, const State& s, std::vector<Row>* rows) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name || s.case_name().empty()) return;
  rows->push_back(MessageRow(
      absl::StrCat(CaseReviewsPrefix(name->partnership, s.case_name()), SortableNumber(name->number)),
      s));
}

State ReviewReply(const State& s, const v1::CommitInfo&) { return s; }

void ValidateSection(const v1::Policy& policy, FieldErrors& errors) {
  const v1::RetentionPolicy& section = policy.retention();
  if (section.years_after_closure() < 0 || section.years_after_closure() > kMaxYears) {
    errors.Add("retention.years_after_closure", "range",
               absl::StrCat("must be 0 (six years) to ", kMaxYears));
  }
  std::vector<std::string> seen;
  for (int i = 0; i < section.periods_size(); ++i) {
    const v1::RetentionPeriod& period = section.periods(i);
    const std::string field = absl::StrCat("retention.periods[", i, "]");
    const auto& types = CaseTypes();
    if (std::find(types.begin(), types.end(), period.case_type()) == types.end()) {
      errors.Add(field + ".case_type", "one_of",
                 "must be complaint, case_review, action, panel_case, panel_meeting or "
                 "death_review");
    } else if (std::find(seen.begin(), seen.end(), period.case_type()) != seen.end()) {
      errors.Add(field + ".case_type", "duplicate",
                 absl::StrCat(Quoted(period.case_type()), " is listed twice"));
    }
    seen.push_back(period.case_type());
    if (period.years_after_closure() < 1 || period.years_after_closure() > kMaxYears) {
      errors.Add(field + ".years_after_closure", "range", absl::StrCat("must be 1 to ", kMaxYears));
    }
  }
}

void SetDefaultSection(absl::string_view, v1::Policy* policy) {
  policy->mutable_retention()->set_years_after_closure(kDefaultYears);
}

}  // namespace

const std::vector<absl::string_view>& CaseTypes() {
  static const auto* types = new std::vector<absl::string_view>{
      "complaint", "case_review", "action", "panel_case", "panel_meeting", "death_review"};
  return *types;
}

int YearsAfterClosure(const v1::Policy& policy, absl::string_view case_type) {
  for (const v1::RetentionPeriod& period : policy.retention().periods()) {
    if (period.case_type() == case_type) return period.years_after_closure();
  }
  const int years = policy.retention().years_after_closure();
  return years > 0 ? years : kDefaultYears;
}

absl::CivilDay LondonDay(absl::Time t) { return absl::ToCivilDay(t, London()); }

absl::CivilDay DueDate(absl::Time closed, int years) {
  bool clamped = false;
  return AddMonthsClamped(LondonDay(closed), 12 * years, &clamped);
}

std::string ReviewRowPrefix(absl::string_view partnership) {
  return absl::StrCat(kRetentionNamespace, "/", partnership, "/reviews/");
}

std::string CaseReviewsPrefix(absl::string_view partnership, absl::string_view case_name) {
  return absl::StrCat(kRetentionNamespace, "/", partnership, "/cases/", EscapeKeyPart(case_name),
                      "/");
}

bool StillDeleted(const v1::RetentionReview& latest, std::optional<absl::Time> closed) {
  return latest.decision() == State::DELETE && closed.has_value() &&
         absl::ToUnixSeconds(*closed) < latest.decide_time().seconds();
}

std::optional<v1::RetentionReview> LatestReview(const std::vector<Row>& rows) {
  if (rows.empty()) return std::nullopt;
  v1::RetentionReview review;
  if (!review.ParseFromString(rows.back().value)) return std::nullopt;
  return review;
}

const Workflow& RetentionReviewWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"retention_review", kCollection, 1, "casework.v1.RetentionService",
                         "docs/workflows/retention-reviews.md"});
    d.States(StateName, {std::string(kNewState), "RETAINED", "DELETED"});
    d.Transitions({{kNewState, kDecideRetention.name, {"RETAINED", "DELETED"}}});
    d.Create(kDecideRetention, DecideRetention, ValidateDecide);
    d.On<v1::RetentionDecided>(ApplyDecided);
    d.Erases(DecidedErasures);
    d.Rows(ReviewRows, {std::string(kRetentionNamespace)});
    d.SummaryRow(ReviewSummaryRow);
    d.Reply(ReviewReply);
    d.Policy({"retention", ValidateSection, SetDefaultSection});
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::retention
