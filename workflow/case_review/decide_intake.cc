// Case review decisions from the application to the threshold decision, and
// the steps every decision shares (Review).
#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "workflow/case_review/complaints.h"
#include "workflow/case_review/internal.h"
#include "workflow/case_review/threshold.h"
#include "workflow/common/validation.h"
#include "workflow/policy/document.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::case_review {
namespace {

// The policy in force for a new application, which must have a case_review
// section.
absl::StatusOr<PolicyRef> PolicyForNewApplication(const DecideContext& ctx) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyInForce(ctx, ctx.partnership));
  if (!held->has_case_review()) return MissingPolicySectionError(*held, "case_review");
  return held;
}

}  // namespace

std::string RecommendationDeadline(int id) { return absl::StrCat("recommendation_", id); }

v1::CivilDate Review::Today() const { return ToCivilDate(ctx.today); }

absl::StatusOr<PolicyRef> Review::Pinned() const {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyVersion(ctx, ctx.partnership, s.policy_version()));
  if (!held->has_case_review()) return MissingPolicySectionError(*held, "case_review");
  return held;
}

void Review::Met(absl::string_view deadline) { out.Emit(MeetDeadline(s.deadlines(), deadline)); }

absl::Status Review::Start(const v1::Policy& policy, absl::string_view deadline,
                           absl::CivilDay from, bool window) {
  ASSIGN_OR_RETURN(DeadlineRule rule, TimescaleRule(policy.case_review().timescales(), deadline));
  out.Emit(window ? SetWindow(*ctx.calendar, deadline, rule, from, out.NextVersion())
                  : SetDeadline(*ctx.calendar, deadline, rule, from, out.NextVersion()));
  return absl::OkStatus();
}

void Review::CancelOpen(absl::string_view reason) {
  out.EmitAll(CancelOpenDeadlines(s.deadlines(), reason));
}

void Review::CancelOpenButAppealWindow(absl::string_view reason) {
  const bool appeal_possible = !AppealOf(s, AppealAgainst(s)).decided();
  for (v1::DeadlineCancelled& c : CancelOpenDeadlines(s.deadlines(), reason)) {
    const v1::Deadline* d = FindDeadline(s.deadlines(), c.name());
    if (appeal_possible && c.name() == kAppealWindow && d->state() == v1::Deadline::RUNNING) {
      continue;
    }
    out.Emit(std::move(c));
  }
}

v1::Appeal::Against AppealAgainst(const State& s) {
  return s.threshold().met() || s.has_outcome() ? v1::Appeal::OUTCOME
                                                : v1::Appeal::THRESHOLD_DECISION;
}

const v1::Appeal& AppealOf(const State& s, v1::Appeal::Against against) {
  return against == v1::Appeal::THRESHOLD_DECISION ? s.threshold_appeal() : s.appeal();
}

v1::Appeal* MutableAppealOf(State& s, v1::Appeal::Against against) {
  return against == v1::Appeal::THRESHOLD_DECISION ? s.mutable_threshold_appeal()
                                                   : s.mutable_appeal();
}

absl::StatusOr<v1::LeadOfficerAssigned> Review::ChooseLead(
    const v1::Policy& policy, absl::string_view requested,
    const std::vector<std::string>& exclude) const {
  v1::LeadOfficerAssigned assigned;
  const auto& pool = policy.case_review().officers();
  if (!requested.empty()) {
    for (const v1::ReviewOfficer& o : pool) {
      if (o.id() != requested) continue;
      if (!o.trained() || !o.active()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "officer ", requested, " is not a trained, active member of the review pool"));
      }
      if (std::find(exclude.begin(), exclude.end(), o.id()) != exclude.end()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "officer ", requested, " has already led this review; choose another officer"));
      }
      assigned.set_officer(o.id());
      assigned.set_agency(o.agency());
      assigned.set_basis("chosen by the caller");
      return assigned;
    }
    return FieldError("officer", "pool_member",
                      absl::StrCat("\"", requested, "\" is not in the policy's officer pool"));
  }
  int best = -1;
  size_t best_load = 0;
  for (int i = 0; i < pool.size(); ++i) {
    const v1::ReviewOfficer& o = pool[i];
    if (!o.trained() || !o.active()) continue;
    if (std::find(exclude.begin(), exclude.end(), o.id()) != exclude.end()) continue;
    ASSIGN_OR_RETURN(std::vector<Row> open,
                     ctx.scan_rows(absl::StrCat(CaseReviewRowPrefix(ctx.partnership, "lead"),
                                                EscapeKeyPart(o.id()), "/")));
    if (best < 0 || open.size() < best_load) {
      best = i;
      best_load = open.size();
    }
  }
  if (best < 0) {
    return absl::FailedPreconditionError(
        "no trained, active officer in the policy's pool is free to lead this review");
  }
  assigned.set_officer(pool[best].id());
  assigned.set_agency(pool[best].agency());
  assigned.set_basis(absl::StrCat("pool: fewest open reviews (", best_load, ")"));
  return assigned;
}

absl::Status DecideReceiveApplication(const State& s, const v1::ReceiveApplicationRequest& r,
                                      const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyForNewApplication(ctx));
  const v1::Policy& policy = *held;
  absl::CivilDay received = r.has_received_date() ? ToCivilDay(r.received_date()) : ctx.today;
  if (received > ctx.today) {
    return FieldError("received_date", "not_future",
                      absl::StrCat("must not be after today (", FormatDate(review.Today()), ")"));
  }
  v1::ApplicationReceived e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  *e.mutable_applicant() = r.applicant();
  *e.mutable_received_date() = ToCivilDate(received);
  e.set_description(r.description());
  e.set_policy_version(policy.version());
  out.Emit(std::move(e));
  RETURN_IF_ERROR(review.Start(policy, kAcknowledge, received));
  return review.Start(policy, kThresholdDecision, received);
}

absl::Status DecideAcknowledgeApplication(const State& s, const v1::CaseReviewCommand& r,
                                          const DecideContext& ctx, Decision& out) {
  const v1::Deadline* d = FindDeadline(s.deadlines(), kAcknowledge);
  if (d != nullptr && (d->state() == v1::Deadline::MET || d->state() == v1::Deadline::MET_LATE)) {
    return absl::FailedPreconditionError(absl::StrCat(ctx.stream, " was already acknowledged"));
  }
  v1::ApplicationAcknowledged e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  Review(s, ctx, out).Met(kAcknowledge);
  return absl::OkStatus();
}

// Cuts `considered` to at most `max` entries, keeping the counted ones (the
// complaints that decided) before the excluded, each in its original order.
void KeepDecidingComplaints(
    google::protobuf::RepeatedPtrField<v1::ConsideredComplaint>& considered, int max) {
  if (considered.size() <= max) return;
  std::vector<bool> keep(considered.size(), false);
  int kept = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < considered.size() && kept < max; ++i) {
      if (!keep[i] && considered[i].counted() == (pass == 0)) {
        keep[i] = true;
        ++kept;
      }
    }
  }
  google::protobuf::RepeatedPtrField<v1::ConsideredComplaint> out;
  for (int i = 0; i < considered.size(); ++i) {
    if (keep[i]) out.Add(std::move(considered[i]));
  }
  considered.Swap(&out);
}

// The slices of a locality's window the community rule reads: the first,
// then four times more each time, up to the largest.
constexpr int kFirstLocalitySlice = 32;
constexpr int kLargestLocalitySlice = 4096;

absl::Status DecideEvaluateThreshold(const State& s, const v1::CaseReviewCommand&,
                                     const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  const v1::Applicant& applicant = s.applicant();
  ThresholdInput input;
  input.policy = &policy.case_review().threshold();
  input.policy_version = policy.version();
  input.application_date = ToCivilDay(s.received_date());
  input.applicant = applicant.complainant_reference();
  input.locality = applicant.locality();
  input.category = applicant.category();
  // Only the window counts: read it, not the whole ledger. R1 and R2 need
  // the applicant's complaints alone; the rules after them are read for
  // only when reached.
  const absl::CivilDay window_start = ThresholdWindowStart(*input.policy, input.application_date);
  ASSIGN_OR_RETURN(input.applicant_complaints,
                   ReadLedgerWindow(ctx, ComplainantLedgerPrefix(ctx.partnership, input.applicant),
                                    window_start, input.application_date));
  v1::ThresholdEvaluated e;
  v1::ThresholdEvaluation& evaluation = *e.mutable_evaluation();
  evaluation = EvaluateThreshold(input);
  if (!input.locality.empty() && CommunityNeedsMore(input, evaluation)) {
    // The locality's window, oldest first, a growing slice at a time until
    // the community rule is met or the window ends: a busy locality meets
    // it on its first few complaints.
    LedgerWindowReader locality(ctx, LocalityLedgerPrefix(ctx.partnership, input.locality),
                                window_start, input.application_date);
    for (int slice = kFirstLocalitySlice; CommunityNeedsMore(input, evaluation) && !locality.done();
         slice = std::min(4 * slice, kLargestLocalitySlice)) {
      ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> more, locality.Next(slice));
      if (more.empty()) break;
      std::move(more.begin(), more.end(), std::back_inserter(input.locality_complaints));
      evaluation = EvaluateThreshold(input);
    }
  }
  if (SameIncidentReached(input, evaluation)) {
    for (const v1::LedgerEntry& c : input.applicant_complaints) {
      if (c.incident_reference().empty() || input.incident_complaints.count(c.incident_reference())) {
        continue;
      }
      ASSIGN_OR_RETURN(input.incident_complaints[c.incident_reference()],
                       ReadLedger(ctx, IncidentLedgerPrefix(ctx.partnership, c.incident_reference())));
    }
    evaluation = EvaluateThreshold(input);
  }
  *evaluation.mutable_decided_by() = *ctx.actor;
  // The case keeps a bounded explanation; the ledger lists the rest.
  evaluation.set_considered_total(evaluation.considered_size());
  KeepDecidingComplaints(*evaluation.mutable_considered(), kMaxConsidered);
  const bool met = e.evaluation().met();
  out.Emit(std::move(e));
  review.Met(kThresholdDecision);
  if (met) return review.Start(policy, kReviewMeeting, ctx.today);
  return absl::OkStatus();
}

absl::Status DecideOverrideThreshold(const State& s, const v1::OverrideThresholdRequest& r,
                                     const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  if (!policy.case_review().threshold().spoc_override()) {
    return absl::FailedPreconditionError(absl::StrCat("policy version ", policy.version(), " of ",
                                                      ctx.partnership,
                                                      " does not allow a SPOC override of the threshold"));
  }
  if (ctx.actor->role() != "spoc") {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "SPOC_ONLY",
                           "only the single point of contact (role \"spoc\") may override the "
                           "threshold");
  }
  v1::ThresholdEvaluated e;
  v1::ThresholdEvaluation& ev = *e.mutable_evaluation();
  ev = s.threshold();  // keep the window and the count, if evaluated before
  ev.set_met(true);
  ev.set_deciding_rule("SPOC_OVERRIDE");
  ev.set_override_reason(r.reason());
  ev.set_summary(
      absl::StrCat("Threshold treated as met by the SPOC's discretion: ", ev.override_reason()));
  ev.set_policy_version(policy.version());
  *ev.mutable_evaluated_on() = review.Today();
  *ev.mutable_decided_by() = *ctx.actor;
  out.Emit(std::move(e));
  review.Met(kThresholdDecision);
  return review.Start(policy, kReviewMeeting, ctx.today);
}

absl::Status DecideNotifyApplicant(const State& s, const v1::NotifyApplicantRequest& r,
                                   const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  const bool not_met = s.state() == State::THRESHOLD_NOT_MET;
  v1::ApplicantNotified e;
  e.mutable_notice()->set_subject(not_met ? "threshold_not_met" : "threshold_met");
  *e.mutable_notice()->mutable_on() = review.Today();
  e.mutable_notice()->set_channel(r.channel());
  out.Emit(std::move(e));
  // Told the threshold was not met, the applicant may ask for the matter to
  // be considered further: the appeal window opens the day they were told.
  if (!not_met || FindDeadline(s.deadlines(), kAppealWindow) != nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  if (!policy.case_review().appeal().enabled()) return absl::OkStatus();
  return review.Start(policy, kAppealWindow, ctx.today, /*window=*/true);
}

}  // namespace casework::workflow::case_review
