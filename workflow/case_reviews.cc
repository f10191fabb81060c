#include "workflow/case_reviews.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/complaints.h"
#include "workflow/deadline.h"
#include "workflow/deadlines.h"
#include "workflow/policy_stream.h"
#include "workflow/status.h"
#include "workflow/threshold.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

using State = v1::CaseReview;
constexpr absl::string_view kCollection = "caseReviews";
constexpr size_t kMaxText = 4000;

// Deadline names (the policy's timescale fields).
constexpr absl::string_view kAcknowledge = "acknowledge";
constexpr absl::string_view kThresholdDecision = "threshold_decision";
constexpr absl::string_view kReviewMeeting = "review_meeting";
constexpr absl::string_view kOutcomeLetter = "outcome_letter";
constexpr absl::string_view kAppealWindow = "appeal_window";
constexpr absl::string_view kAppealPapers = "appeal_papers";

std::string RecommendationDeadline(int id) { return absl::StrCat("recommendation_", id); }

std::string StateLabel(const State& s) {
  return s.state() == State::STATE_UNSPECIFIED ? "NEW" : State::State_Name(s.state());
}

template <typename T>
const T& Req(const CaseReviewCommandSpec& c) {
  return static_cast<const T&>(*c.request);
}

// The fields every command request but ReceiveApplication has.
std::string NameOf(const google::protobuf::Message& m) {
  const auto* f = m.GetDescriptor()->FindFieldByName("name");
  return f == nullptr ? "" : m.GetReflection()->GetString(m, f);
}
std::string RequestIdOf(const google::protobuf::Message& m) {
  return m.GetReflection()->GetString(m, m.GetDescriptor()->FindFieldByName("request_id"));
}

absl::StatusOr<DeadlineRule> Timescale(const v1::Policy& policy, absl::string_view name) {
  const v1::CaseReviewTimescales& t = policy.case_review().timescales();
  std::string text;
  if (name == kAcknowledge) text = t.acknowledge();
  else if (name == kThresholdDecision) text = t.threshold_decision();
  else if (name == kReviewMeeting) text = t.review_meeting();
  else if (name == kOutcomeLetter) text = t.outcome_letter();
  else if (name == kAppealWindow) text = t.appeal_window();
  else if (name == kAppealPapers) text = t.appeal_papers();
  ASSIGN_OR_RETURN(DeadlineRule rule, ParseDeadlineRule(text));
  rule.name = std::string(name);
  return rule;
}

struct Decider {
  const State& s;
  const CaseReviewCommandSpec& command;
  const DecideContext& ctx;
  std::string partnership;
  Events events;

  int64_t NextVersion() const { return ctx.version + static_cast<int64_t>(events.size()) + 1; }

  template <typename E>
  void Emit(E event) {
    events.push_back(std::make_unique<E>(std::move(event)));
  }
  void Met(absl::string_view deadline) {
    if (auto met = MeetDeadline(s.deadlines(), deadline)) Emit(*std::move(met));
  }
  absl::Status Start(const v1::Policy& policy, absl::string_view deadline, absl::CivilDay from,
                     bool window = false) {
    ASSIGN_OR_RETURN(DeadlineRule rule, Timescale(policy, deadline));
    Emit(window ? SetWindow(*ctx.calendar, deadline, rule, from, NextVersion())
                : SetDeadline(*ctx.calendar, deadline, rule, from, NextVersion()));
    return absl::OkStatus();
  }
  absl::StatusOr<v1::Policy> Pinned() const {
    return PolicyVersion(ctx, partnership, s.policy_version());
  }
  v1::CivilDate Today() const { return ToCivilDate(ctx.today); }

  absl::Status ReceiveApplication() {
    const auto& r = Req<v1::ReceiveApplicationRequest>(command);
    ASSIGN_OR_RETURN(v1::Policy policy, PolicyInForce(ctx, partnership));
    absl::CivilDay received = r.has_received_date() ? ToCivilDay(r.received_date()) : ctx.today;
    if (received > ctx.today) {
      return FieldError("received_date", "not_future",
                        absl::StrCat("must not be after today (", FormatDate(Today()), ")"));
    }
    v1::ApplicationReceived e;
    e.set_partnership(partnership);
    e.set_number(ctx.number);
    *e.mutable_applicant() = r.applicant();
    *e.mutable_received_date() = ToCivilDate(received);
    e.set_description(r.description());
    e.set_policy_version(policy.version());
    Emit(std::move(e));
    RETURN_IF_ERROR(Start(policy, kAcknowledge, received));
    return Start(policy, kThresholdDecision, received);
  }

  absl::Status AcknowledgeApplication() {
    const v1::Deadline* d = FindDeadline(s.deadlines(), kAcknowledge);
    if (d != nullptr && (d->state() == v1::Deadline::MET || d->state() == v1::Deadline::MET_LATE)) {
      return absl::FailedPreconditionError(absl::StrCat(ctx.stream, " was already acknowledged"));
    }
    v1::ApplicationAcknowledged e;
    e.set_note(Req<v1::CaseReviewCommand>(command).note());
    Emit(std::move(e));
    Met(kAcknowledge);
    return absl::OkStatus();
  }

  absl::Status EvaluateThreshold() {
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    const v1::Applicant& applicant = s.applicant();
    ThresholdInput input;
    input.policy = &policy.case_review().threshold();
    input.policy_version = policy.version();
    input.application_date = ToCivilDay(s.received_date());
    input.applicant = applicant.complainant_reference();
    input.locality = applicant.locality();
    input.category = applicant.category();
    ASSIGN_OR_RETURN(input.applicant_complaints,
                     ReadLedger(ctx, ComplainantLedgerPrefix(partnership, input.applicant)));
    if (input.policy->community().enabled() && !input.locality.empty()) {
      ASSIGN_OR_RETURN(input.locality_complaints,
                       ReadLedger(ctx, LocalityLedgerPrefix(partnership, input.locality)));
    }
    if (input.policy->same_incident().enabled()) {
      for (const v1::LedgerEntry& e : input.applicant_complaints) {
        if (e.incident_reference().empty() || input.incident_complaints.count(e.incident_reference())) {
          continue;
        }
        ASSIGN_OR_RETURN(input.incident_complaints[e.incident_reference()],
                         ReadLedger(ctx, IncidentLedgerPrefix(partnership, e.incident_reference())));
      }
    }
    v1::ThresholdEvaluated e;
    *e.mutable_evaluation() = workflow::EvaluateThreshold(input);
    *e.mutable_evaluation()->mutable_decided_by() = *ctx.actor;
    const bool met = e.evaluation().met();
    Emit(std::move(e));
    Met(kThresholdDecision);
    if (met) return Start(policy, kReviewMeeting, ctx.today);
    return absl::OkStatus();
  }

  absl::Status OverrideThreshold() {
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    if (!policy.case_review().threshold().spoc_override()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "policy version ", policy.version(), " of ", partnership,
          " does not allow a SPOC override of the threshold"));
    }
    if (ctx.actor->role() != "spoc") {
      return ErrorWithReason(absl::StatusCode::kPermissionDenied, "SPOC_ONLY",
                             "only the single point of contact (role \"spoc\") may override the "
                             "threshold");
    }
    v1::ThresholdEvaluated e;
    v1::ThresholdEvaluation& ev = *e.mutable_evaluation();
    ev = s.threshold();  // keep what was considered, if evaluated before
    ev.set_met(true);
    ev.set_deciding_rule("SPOC_OVERRIDE");
    ev.set_override_reason(Req<v1::OverrideThresholdRequest>(command).reason());
    ev.set_summary(absl::StrCat("Threshold treated as met by the SPOC's discretion: ",
                                ev.override_reason()));
    ev.set_policy_version(policy.version());
    *ev.mutable_evaluated_on() = Today();
    *ev.mutable_decided_by() = *ctx.actor;
    Emit(std::move(e));
    Met(kThresholdDecision);
    return Start(policy, kReviewMeeting, ctx.today);
  }

  absl::Status NotifyApplicant() {
    v1::ApplicantNotified e;
    e.mutable_notice()->set_subject(s.state() == State::THRESHOLD_MET ? "threshold_met"
                                                                       : "threshold_not_met");
    *e.mutable_notice()->mutable_on() = Today();
    e.mutable_notice()->set_channel(Req<v1::NotifyApplicantRequest>(command).channel());
    Emit(std::move(e));
    return absl::OkStatus();
  }

  // The officer to lead: `requested` if given (must be in the pool), else the
  // trained, active officer with the fewest open reviews, not in `exclude`.
  absl::StatusOr<v1::LeadOfficerAssigned> ChooseLead(const v1::Policy& policy,
                                                     absl::string_view requested,
                                                     const std::vector<std::string>& exclude) {
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
                       ctx.scan_rows(absl::StrCat(CaseReviewRowPrefix(partnership, "lead"),
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

  absl::Status AssignLeadOfficer() {
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    std::vector<std::string> exclude;
    if (!s.lead_officer().empty()) exclude.push_back(s.lead_officer());
    ASSIGN_OR_RETURN(
        v1::LeadOfficerAssigned assigned,
        ChooseLead(policy, Req<v1::AssignLeadOfficerRequest>(command).officer(), exclude));
    Emit(std::move(assigned));
    return absl::OkStatus();
  }

  absl::Status RequestAgencyInformation() {
    v1::AgencyInformationRequested e;
    e.set_agency(Req<v1::AgencyInformationRequest>(command).agency());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    return absl::OkStatus();
  }

  absl::Status RecordAgencyInformation() {
    const auto& r = Req<v1::AgencyInformationRequest>(command);
    for (const v1::AgencyRequest& a : s.agency_requests()) {
      if (a.agency() == r.agency() && a.received_on().year() == 0) {
        v1::AgencyInformationReceived e;
        e.set_agency(r.agency());
        *e.mutable_on() = Today();
        e.set_summary(r.summary());
        Emit(std::move(e));
        return absl::OkStatus();
      }
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "no outstanding information request to ", r.agency(),
        "; record RequestAgencyInformation first"));
  }

  absl::Status InviteVictim() {
    v1::VictimInvited e;
    *e.mutable_on() = Today();
    e.set_note(Req<v1::CaseReviewCommand>(command).note());
    Emit(std::move(e));
    return absl::OkStatus();
  }

  absl::Status RecordReviewMeeting() {
    const auto& r = Req<v1::RecordReviewMeetingRequest>(command);
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    if (ToCivilDay(r.date()) > ctx.today) {
      return FieldError("date", "not_future", "a meeting is recorded after it took place");
    }
    v1::ReviewMeetingRecorded e;
    v1::ReviewMeeting& m = *e.mutable_meeting();
    *m.mutable_date() = r.date();
    *m.mutable_attendees() = r.attendees();
    m.set_victim_attended(r.victim_attended());
    m.set_notes(r.notes());
    Emit(std::move(e));
    Met(kReviewMeeting);
    return Start(policy, kOutcomeLetter, ToCivilDay(r.date()));
  }

  absl::Status RecordOfficerHours() {
    const auto& r = Req<v1::RecordOfficerHoursRequest>(command);
    v1::OfficerHoursRecorded e;
    e.set_hours(r.hours());
    e.set_agency(r.agency().empty() ? ctx.actor->agency() : r.agency());
    Emit(std::move(e));
    return absl::OkStatus();
  }

  absl::Status RecordOutcome() {
    const auto& r = Req<v1::RecordOutcomeRequest>(command);
    if (!s.has_meeting()) {
      return absl::FailedPreconditionError(
          "record the review meeting (RecordReviewMeeting) before the outcome");
    }
    v1::OutcomeRecorded e;
    v1::Outcome& o = *e.mutable_outcome();
    int id = 0;
    for (const v1::Recommendation& in : r.recommendations()) {
      v1::Recommendation* rec = o.add_recommendations();
      rec->set_id(++id);
      rec->set_text(in.text());
      rec->set_lead_agency(in.lead_agency());
      *rec->mutable_due_date() = in.due_date();
    }
    o.set_no_further_action_reason(r.no_further_action_reason());
    *o.mutable_decided_on() = Today();
    Emit(e);
    for (const v1::Recommendation& rec : o.recommendations()) {
      Emit(SetFixedDeadline(*ctx.calendar, RecommendationDeadline(rec.id()), ctx.today,
                            ToCivilDay(rec.due_date()), NextVersion()));
    }
    return absl::OkStatus();
  }

  absl::Status CommunicateOutcome() {
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    v1::OutcomeCommunicated e;
    *e.mutable_on() = Today();
    Emit(std::move(e));
    Met(kOutcomeLetter);
    if (policy.case_review().appeal().enabled()) {
      return Start(policy, kAppealWindow, ctx.today, /*window=*/true);
    }
    return absl::OkStatus();
  }

  absl::Status LodgeAppeal() {
    const auto& r = Req<v1::LodgeAppealRequest>(command);
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    const v1::AppealPolicy& appeal = policy.case_review().appeal();
    if (!appeal.enabled()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "policy version ", policy.version(), " of ", partnership, " has no appeal process"));
    }
    if (s.appeal().decided()) {
      return absl::FailedPreconditionError(
          "the independent chair has decided an appeal on this review; the decision is final");
    }
    const v1::Deadline* window = FindDeadline(s.deadlines(), kAppealWindow);
    if (window == nullptr || window->state() != v1::Deadline::RUNNING ||
        ctx.today > ToCivilDay(window->due())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the appeal window closed on ",
          window == nullptr ? std::string("(never opened)") : FormatDate(window->due())));
    }
    if (std::find(appeal.grounds().begin(), appeal.grounds().end(), r.ground()) ==
        appeal.grounds().end()) {
      return FieldError("ground", "policy_ground",
                        absl::StrCat("must be one of the policy's grounds: \"",
                                     absl::StrJoin(appeal.grounds(), "\", \""), "\""));
    }
    v1::AppealLodged e;
    e.set_ground(r.ground());
    e.set_details(r.details());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    Met(kAppealWindow);
    return Start(policy, kAppealPapers, ctx.today);
  }

  absl::Status SendAppealPapers() {
    v1::AppealPapersSent e;
    e.set_chair(Req<v1::SendAppealPapersRequest>(command).chair());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    Met(kAppealPapers);
    return absl::OkStatus();
  }

  absl::Status DecideAppeal() {
    const auto& r = Req<v1::DecideAppealRequest>(command);
    v1::AppealDecided e;
    e.set_upheld(r.upheld());
    e.set_reason(r.reason());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    if (!r.upheld()) return absl::OkStatus();
    ASSIGN_OR_RETURN(v1::Policy policy, Pinned());
    std::vector<std::string> exclude(s.previous_lead_officers().begin(),
                                     s.previous_lead_officers().end());
    exclude.push_back(s.lead_officer());
    ASSIGN_OR_RETURN(v1::LeadOfficerAssigned lead,
                     ChooseLead(policy, r.new_lead_officer(), exclude));
    for (const v1::Recommendation& rec : s.outcome().recommendations()) {
      const v1::Deadline* d = FindDeadline(s.deadlines(), RecommendationDeadline(rec.id()));
      if (d != nullptr && (d->state() == v1::Deadline::RUNNING || d->state() == v1::Deadline::MISSED)) {
        v1::DeadlineCancelled c;
        c.set_name(d->name());
        c.set_reason("review re-opened on appeal");
        Emit(std::move(c));
      }
    }
    v1::ReviewReopened reopened;
    reopened.set_round(s.round() + 1);
    Emit(std::move(reopened));
    Emit(std::move(lead));
    return Start(policy, kReviewMeeting, ctx.today);
  }

  absl::Status RecordRecommendationProgress() {
    const auto& r = Req<v1::RecommendationProgressRequest>(command);
    for (const v1::Recommendation& rec : s.outcome().recommendations()) {
      if (rec.id() != r.recommendation_id()) continue;
      if (rec.completed()) {
        return absl::FailedPreconditionError(
            absl::StrCat("recommendation ", rec.id(), " is already completed"));
      }
      v1::RecommendationProgressed e;
      e.set_recommendation_id(rec.id());
      e.set_note(r.note());
      e.set_completed(r.completed());
      Emit(std::move(e));
      if (r.completed()) Met(RecommendationDeadline(rec.id()));
      return absl::OkStatus();
    }
    return FieldError("recommendation_id", "exists",
                      absl::StrCat("this review has no recommendation ", r.recommendation_id()));
  }

  void CancelOpen(absl::string_view reason) {
    for (v1::DeadlineCancelled& c : CancelOpenDeadlines(s.deadlines(), reason)) Emit(std::move(c));
  }

  absl::Status CloseCaseReview() {
    const auto& r = Req<v1::CloseCaseReviewRequest>(command);
    if (s.state() == State::THRESHOLD_NOT_MET) {
      bool told = false;
      for (const v1::ApplicantNotice& n : s.applicant_notices()) {
        told |= n.subject() == "threshold_not_met";
      }
      if (!told) {
        return absl::FailedPreconditionError(
            "tell the applicant the threshold was not met (NotifyApplicant) before closing");
      }
    }
    v1::CaseReviewClosed e;
    e.set_reason(r.reason());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    v1::ApplicantNotified told;
    told.mutable_notice()->set_subject("closure");
    *told.mutable_notice()->mutable_on() = Today();
    Emit(std::move(told));
    CancelOpen("case review closed");
    return absl::OkStatus();
  }

  absl::Status WithdrawApplication() {
    v1::ApplicationWithdrawn e;
    e.set_reason(Req<v1::WithdrawApplicationRequest>(command).reason());
    *e.mutable_on() = Today();
    Emit(std::move(e));
    CancelOpen("application withdrawn");
    return absl::OkStatus();
  }

  absl::Status Run() {
    switch (command.kind) {
      case ReviewCommand::kReceiveApplication: return ReceiveApplication();
      case ReviewCommand::kAcknowledgeApplication: return AcknowledgeApplication();
      case ReviewCommand::kEvaluateThreshold: return EvaluateThreshold();
      case ReviewCommand::kOverrideThreshold: return OverrideThreshold();
      case ReviewCommand::kNotifyApplicant: return NotifyApplicant();
      case ReviewCommand::kAssignLeadOfficer: return AssignLeadOfficer();
      case ReviewCommand::kRequestAgencyInformation: return RequestAgencyInformation();
      case ReviewCommand::kRecordAgencyInformation: return RecordAgencyInformation();
      case ReviewCommand::kInviteVictim: return InviteVictim();
      case ReviewCommand::kRecordReviewMeeting: return RecordReviewMeeting();
      case ReviewCommand::kRecordOfficerHours: return RecordOfficerHours();
      case ReviewCommand::kRecordOutcome: return RecordOutcome();
      case ReviewCommand::kCommunicateOutcome: return CommunicateOutcome();
      case ReviewCommand::kLodgeAppeal: return LodgeAppeal();
      case ReviewCommand::kSendAppealPapers: return SendAppealPapers();
      case ReviewCommand::kDecideAppeal: return DecideAppeal();
      case ReviewCommand::kRecordRecommendationProgress: return RecordRecommendationProgress();
      case ReviewCommand::kCloseCaseReview: return CloseCaseReview();
      case ReviewCommand::kWithdrawApplication: return WithdrawApplication();
    }
    return absl::InternalError("unknown case review command");
  }
};

class CaseReviewAggregateImpl final : public TypedAggregate<State> {
 public:
  absl::string_view Name() const override { return "case_review"; }
  int StateSchema() const override { return 1; }

 protected:
  absl::Status ApplyTyped(State& s, const v1::EventEnvelope& env,
                          const google::protobuf::Message& payload) const override {
    s.set_version(env.stream_version());
    *s.mutable_update_time() = env.recorded_time();
    if (ApplyDeadlineEvent(payload, env, s.mutable_deadlines())) return absl::OkStatus();
    absl::string_view type = ShortTypeName(payload);
    if (type == "ApplicationReceived") {
      const auto& e = static_cast<const v1::ApplicationReceived&>(payload);
      s.set_name(FormatResourceName(e.partnership(), kCollection, e.number()));
      s.set_state(State::RECEIVED);
      *s.mutable_applicant() = e.applicant();
      *s.mutable_received_date() = e.received_date();
      s.set_description(e.description());
      s.set_policy_version(e.policy_version());
      s.set_round(1);
      *s.mutable_create_time() = env.recorded_time();
    } else if (type == "ApplicationAcknowledged") {
    } else if (type == "ThresholdEvaluated") {
      *s.mutable_threshold() = static_cast<const v1::ThresholdEvaluated&>(payload).evaluation();
      s.set_state(s.threshold().met() ? State::THRESHOLD_MET : State::THRESHOLD_NOT_MET);
    } else if (type == "ApplicantNotified") {
      *s.add_applicant_notices() = static_cast<const v1::ApplicantNotified&>(payload).notice();
    } else if (type == "LeadOfficerAssigned") {
      const auto& e = static_cast<const v1::LeadOfficerAssigned&>(payload);
      if (!s.lead_officer().empty() && s.lead_officer() != e.officer()) {
        s.add_previous_lead_officers(s.lead_officer());
      }
      s.set_lead_officer(e.officer());
      s.set_lead_agency(e.agency());
      s.set_state(State::IN_REVIEW);
    } else if (type == "AgencyInformationRequested") {
      const auto& e = static_cast<const v1::AgencyInformationRequested&>(payload);
      v1::AgencyRequest* a = s.add_agency_requests();
      a->set_agency(e.agency());
      *a->mutable_requested_on() = e.on();
    } else if (type == "AgencyInformationReceived") {
      const auto& e = static_cast<const v1::AgencyInformationReceived&>(payload);
      for (v1::AgencyRequest& a : *s.mutable_agency_requests()) {
        if (a.agency() == e.agency() && a.received_on().year() == 0) {
          *a.mutable_received_on() = e.on();
          a.set_summary(e.summary());
          break;
        }
      }
    } else if (type == "VictimInvited") {
      s.set_victim_invited(true);
    } else if (type == "ReviewMeetingRecorded") {
      *s.mutable_meeting() = static_cast<const v1::ReviewMeetingRecorded&>(payload).meeting();
    } else if (type == "OfficerHoursRecorded") {
      s.set_officer_hours(s.officer_hours() +
                          static_cast<const v1::OfficerHoursRecorded&>(payload).hours());
    } else if (type == "OutcomeRecorded") {
      *s.mutable_outcome() = static_cast<const v1::OutcomeRecorded&>(payload).outcome();
      s.set_state(State::OUTCOME_DECIDED);
    } else if (type == "OutcomeCommunicated") {
      *s.mutable_outcome()->mutable_communicated_on() =
          static_cast<const v1::OutcomeCommunicated&>(payload).on();
      s.set_state(State::OUTCOME_COMMUNICATED);
    } else if (type == "AppealLodged") {
      const auto& e = static_cast<const v1::AppealLodged&>(payload);
      s.mutable_appeal()->set_ground(e.ground());
      s.mutable_appeal()->set_details(e.details());
      *s.mutable_appeal()->mutable_lodged_on() = e.on();
      s.set_state(State::APPEAL_LODGED);
    } else if (type == "AppealPapersSent") {
      const auto& e = static_cast<const v1::AppealPapersSent&>(payload);
      s.mutable_appeal()->set_chair(e.chair());
      *s.mutable_appeal()->mutable_papers_sent_on() = e.on();
      s.set_state(State::WITH_APPEAL_CHAIR);
    } else if (type == "AppealDecided") {
      const auto& e = static_cast<const v1::AppealDecided&>(payload);
      s.mutable_appeal()->set_decided(true);
      s.mutable_appeal()->set_upheld(e.upheld());
      s.mutable_appeal()->set_decision_reason(e.reason());
      *s.mutable_appeal()->mutable_decided_on() = e.on();
      s.set_state(State::OUTCOME_COMMUNICATED);
    } else if (type == "ReviewReopened") {
      s.set_round(static_cast<const v1::ReviewReopened&>(payload).round());
      s.clear_meeting();
      s.clear_outcome();
      s.set_victim_invited(false);
      s.set_state(State::IN_REVIEW);
    } else if (type == "RecommendationProgressed") {
      const auto& e = static_cast<const v1::RecommendationProgressed&>(payload);
      for (v1::Recommendation& rec : *s.mutable_outcome()->mutable_recommendations()) {
        if (rec.id() != e.recommendation_id()) continue;
        if (!e.note().empty()) rec.add_progress(e.note());
        if (e.completed()) rec.set_completed(true);
      }
    } else if (type == "CaseReviewClosed") {
      const auto& e = static_cast<const v1::CaseReviewClosed&>(payload);
      s.set_state(State::CLOSED);
      s.set_closure_reason(e.reason());
      *s.mutable_closed_date() = e.on();
    } else if (type == "ApplicationWithdrawn") {
      const auto& e = static_cast<const v1::ApplicationWithdrawn&>(payload);
      s.set_state(State::WITHDRAWN);
      s.set_closure_reason(e.reason());
      *s.mutable_closed_date() = e.on();
    } else {
      return absl::InternalError(absl::StrCat("case review stream cannot apply event type ", type));
    }
    return absl::OkStatus();
  }

  void RowsTyped(absl::string_view stream, const State& s, std::vector<Row>* rows) const override {
    if (s.name().empty()) return;
    FieldErrors ignored;
    std::optional<ResourceName> name = ParseResourceName("name", s.name(), kCollection, ignored);
    if (!name) return;
    const std::string& p = name->partnership;
    const std::string n = SortableNumber(name->number);
    rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "all"), n), s.SerializeAsString()});
    rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "state"), StateLabel(s), "/", n), ""});
    const bool open = s.state() != State::CLOSED && s.state() != State::WITHDRAWN;
    if (open && !s.lead_officer().empty()) {
      rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "lead"), EscapeKeyPart(s.lead_officer()),
                                    "/", n),
                       ""});
    }
    for (const v1::Deadline& d : s.deadlines()) {
      if (d.state() == v1::Deadline::MISSED) {
        rows->push_back({absl::StrCat(CaseReviewRowPrefix(p, "overdue"), n), ""});
        break;
      }
    }
    DeadlineRows(p, stream, s.deadlines(), rows);
  }

  std::string StateNameTyped(const State& s) const override { return StateLabel(s); }

  void TimersTyped(const State& s, std::vector<TimerSpec>* timers) const override {
    DeadlineTimers(s.deadlines(), timers);
  }
  absl::StatusOr<Events> OnTimerTyped(const State& s, absl::string_view name,
                                      const DecideContext& context) const override {
    return OnDeadlineTimer(s.deadlines(), name, context);
  }
};

void ValidateRecommendation(int i, const v1::Recommendation& r, FieldErrors& errors) {
  const std::string field = absl::StrCat("recommendations[", i, "]");
  CheckText(absl::StrCat(field, ".text"), r.text(), true, kMaxText, errors);
  CheckId(absl::StrCat(field, ".lead_agency"), r.lead_agency(), errors);
  CheckDate(absl::StrCat(field, ".due_date"), r.due_date(), errors);
}

}  // namespace

absl::string_view ReviewCommandName(ReviewCommand kind) {
  static constexpr absl::string_view kNames[] = {
      "ReceiveApplication", "AcknowledgeApplication", "EvaluateThreshold", "OverrideThreshold",
      "NotifyApplicant", "AssignLeadOfficer", "RequestAgencyInformation",
      "RecordAgencyInformation", "InviteVictim", "RecordReviewMeeting", "RecordOfficerHours",
      "RecordOutcome", "CommunicateOutcome", "LodgeAppeal", "SendAppealPapers", "DecideAppeal",
      "RecordRecommendationProgress", "CloseCaseReview", "WithdrawApplication"};
  return kNames[static_cast<int>(kind)];
}

const TransitionTable& CaseReviewTransitions() {
  static const TransitionTable* table = new TransitionTable({
      {"NEW", "ReceiveApplication", "RECEIVED"},
      {"RECEIVED", "AcknowledgeApplication", "RECEIVED"},
      {"RECEIVED", "EvaluateThreshold", "THRESHOLD_MET or THRESHOLD_NOT_MET"},
      {"RECEIVED", "OverrideThreshold", "THRESHOLD_MET"},
      {"RECEIVED", "WithdrawApplication", "WITHDRAWN"},
      {"THRESHOLD_NOT_MET", "NotifyApplicant", "THRESHOLD_NOT_MET"},
      {"THRESHOLD_NOT_MET", "OverrideThreshold", "THRESHOLD_MET"},
      {"THRESHOLD_NOT_MET", "CloseCaseReview", "CLOSED"},
      {"THRESHOLD_NOT_MET", "WithdrawApplication", "WITHDRAWN"},
      {"THRESHOLD_MET", "NotifyApplicant", "THRESHOLD_MET"},
      {"THRESHOLD_MET", "AssignLeadOfficer", "IN_REVIEW"},
      {"THRESHOLD_MET", "WithdrawApplication", "WITHDRAWN"},
      {"IN_REVIEW", "AssignLeadOfficer", "IN_REVIEW"},
      {"IN_REVIEW", "RequestAgencyInformation", "IN_REVIEW"},
      {"IN_REVIEW", "RecordAgencyInformation", "IN_REVIEW"},
      {"IN_REVIEW", "InviteVictim", "IN_REVIEW"},
      {"IN_REVIEW", "RecordReviewMeeting", "IN_REVIEW"},
      {"IN_REVIEW", "RecordOfficerHours", "IN_REVIEW"},
      {"IN_REVIEW", "RecordOutcome", "OUTCOME_DECIDED"},
      {"IN_REVIEW", "WithdrawApplication", "WITHDRAWN"},
      {"OUTCOME_DECIDED", "RecordOfficerHours", "OUTCOME_DECIDED"},
      {"OUTCOME_DECIDED", "CommunicateOutcome", "OUTCOME_COMMUNICATED"},
      {"OUTCOME_DECIDED", "WithdrawApplication", "WITHDRAWN"},
      {"OUTCOME_COMMUNICATED", "LodgeAppeal", "APPEAL_LODGED"},
      {"OUTCOME_COMMUNICATED", "RecordRecommendationProgress", "OUTCOME_COMMUNICATED"},
      {"OUTCOME_COMMUNICATED", "RecordOfficerHours", "OUTCOME_COMMUNICATED"},
      {"OUTCOME_COMMUNICATED", "CloseCaseReview", "CLOSED"},
      {"OUTCOME_COMMUNICATED", "WithdrawApplication", "WITHDRAWN"},
      {"APPEAL_LODGED", "SendAppealPapers", "WITH_APPEAL_CHAIR"},
      {"APPEAL_LODGED", "RecordRecommendationProgress", "APPEAL_LODGED"},
      {"APPEAL_LODGED", "RecordOfficerHours", "APPEAL_LODGED"},
      {"APPEAL_LODGED", "WithdrawApplication", "WITHDRAWN"},
      {"WITH_APPEAL_CHAIR", "DecideAppeal", "IN_REVIEW (upheld) or OUTCOME_COMMUNICATED"},
      {"WITH_APPEAL_CHAIR", "RecordRecommendationProgress", "WITH_APPEAL_CHAIR"},
      {"WITH_APPEAL_CHAIR", "RecordOfficerHours", "WITH_APPEAL_CHAIR"},
      {"WITH_APPEAL_CHAIR", "WithdrawApplication", "WITHDRAWN"},
  });
  return *table;
}

absl::Status ValidateCaseReviewCommand(const CaseReviewCommandSpec& command,
                                       absl::CivilDay today) {
  FieldErrors errors;
  const google::protobuf::Message& m = *command.request;
  CheckRequestId(RequestIdOf(m), errors);
  if (command.kind == ReviewCommand::kReceiveApplication) {
    const auto& r = Req<v1::ReceiveApplicationRequest>(command);
    ParsePartnershipName("parent", r.parent(), errors);
    const v1::Applicant& a = r.applicant();
    if (a.complainant_reference().empty()) {
      errors.Add("applicant.complainant_reference", "not_anonymous",
                 "is required: anonymous applications cannot be accepted (the review needs the "
                 "victim's complaint history)");
    }
    if (a.kind() == v1::Applicant::KIND_UNSPECIFIED || !v1::Applicant::Kind_IsValid(a.kind())) {
      errors.Add("applicant.kind", "required", "is required: INDIVIDUAL, BUSINESS or COMMUNITY_GROUP");
    }
    if (!v1::ComplaintCategory_IsValid(a.category())) {
      errors.Add("applicant.category", "known_value", "must be PERSONAL, NUISANCE or ENVIRONMENTAL");
    }
    if (!a.representative_reference().empty() && !a.consent_recorded()) {
      errors.Add("applicant.consent_recorded", "consent_required",
                 "must be true when applying on the victim's behalf (representative_reference is set)");
    }
    if (r.has_received_date()) {
      if (auto d = CheckDate("received_date", r.received_date(), errors); d && *d > today) {
        errors.Add("received_date", "not_future",
                   absl::StrCat("must not be after today (", FormatDate(ToCivilDate(today)), ")"));
      }
    }
    CheckText("description", r.description(), false, kMaxText, errors);
    return errors.ToStatus();
  }
  ParseResourceName("name", NameOf(m), kCollection, errors);
  switch (command.kind) {
    case ReviewCommand::kOverrideThreshold:
      CheckText("reason", Req<v1::OverrideThresholdRequest>(command).reason(), true, kMaxText, errors);
      break;
    case ReviewCommand::kNotifyApplicant:
      CheckText("channel", Req<v1::NotifyApplicantRequest>(command).channel(), true, 40, errors);
      break;
    case ReviewCommand::kAssignLeadOfficer:
      if (const auto& o = Req<v1::AssignLeadOfficerRequest>(command).officer(); !o.empty()) {
        CheckId("officer", o, errors);
      }
      break;
    case ReviewCommand::kRequestAgencyInformation:
    case ReviewCommand::kRecordAgencyInformation:
      CheckId("agency", Req<v1::AgencyInformationRequest>(command).agency(), errors);
      CheckText("summary", Req<v1::AgencyInformationRequest>(command).summary(),
                command.kind == ReviewCommand::kRecordAgencyInformation, kMaxText, errors);
      break;
    case ReviewCommand::kRecordReviewMeeting: {
      const auto& r = Req<v1::RecordReviewMeetingRequest>(command);
      CheckDate("date", r.date(), errors);
      if (r.attendees().empty()) errors.Add("attendees", "required", "list the agencies present");
      for (int i = 0; i < r.attendees_size(); ++i) {
        CheckId(absl::StrCat("attendees[", i, "]"), r.attendees(i), errors);
      }
      CheckText("notes", r.notes(), false, kMaxText, errors);
      break;
    }
    case ReviewCommand::kRecordOfficerHours: {
      const auto& r = Req<v1::RecordOfficerHoursRequest>(command);
      if (!(r.hours() > 0 && r.hours() <= 200)) {
        errors.Add("hours", "range", absl::StrCat("must be more than 0 and at most 200, got ", r.hours()));
      }
      if (!r.agency().empty()) CheckId("agency", r.agency(), errors);
      break;
    }
    case ReviewCommand::kRecordOutcome: {
      const auto& r = Req<v1::RecordOutcomeRequest>(command);
      for (int i = 0; i < r.recommendations_size(); ++i) {
        ValidateRecommendation(i, r.recommendations(i), errors);
      }
      if (r.recommendations().empty() && r.no_further_action_reason().empty()) {
        errors.Add("no_further_action_reason", "required",
                   "is required when there are no recommendations");
      }
      if (!r.recommendations().empty() && !r.no_further_action_reason().empty()) {
        errors.Add("no_further_action_reason", "exclusive",
                   "must be empty when there are recommendations");
      }
      break;
    }
    case ReviewCommand::kLodgeAppeal:
      CheckText("ground", Req<v1::LodgeAppealRequest>(command).ground(), true, 500, errors);
      CheckText("details", Req<v1::LodgeAppealRequest>(command).details(), false, kMaxText, errors);
      break;
    case ReviewCommand::kSendAppealPapers:
      CheckId("chair", Req<v1::SendAppealPapersRequest>(command).chair(), errors);
      break;
    case ReviewCommand::kDecideAppeal: {
      const auto& r = Req<v1::DecideAppealRequest>(command);
      CheckText("reason", r.reason(), true, kMaxText, errors);
      if (!r.new_lead_officer().empty()) CheckId("new_lead_officer", r.new_lead_officer(), errors);
      if (!r.upheld() && !r.new_lead_officer().empty()) {
        errors.Add("new_lead_officer", "exclusive", "only applies when the appeal is upheld");
      }
      break;
    }
    case ReviewCommand::kRecordRecommendationProgress: {
      const auto& r = Req<v1::RecommendationProgressRequest>(command);
      if (r.recommendation_id() <= 0) errors.Add("recommendation_id", "required", "is required");
      CheckText("note", r.note(), true, kMaxText, errors);
      break;
    }
    case ReviewCommand::kCloseCaseReview:
      CheckText("reason", Req<v1::CloseCaseReviewRequest>(command).reason(), true, kMaxText, errors);
      break;
    case ReviewCommand::kWithdrawApplication:
      CheckText("reason", Req<v1::WithdrawApplicationRequest>(command).reason(), true, kMaxText, errors);
      break;
    default:
      break;
  }
  return errors.ToStatus();
}

absl::StatusOr<Events> DecideCaseReview(const State& state, const CaseReviewCommandSpec& command,
                                        const DecideContext& context) {
  const std::string current = StateLabel(state);
  if (current == "NEW" && command.kind != ReviewCommand::kReceiveApplication) {
    return absl::NotFoundError(absl::StrCat(context.stream, " does not exist"));
  }
  RETURN_IF_ERROR(CaseReviewTransitions().Check(context.stream, current,
                                                ReviewCommandName(command.kind)));
  Decider decider{state, command, context, {}, {}};
  FieldErrors ignored;
  if (command.kind == ReviewCommand::kReceiveApplication) {
    decider.partnership =
        *ParsePartnershipName("parent", Req<v1::ReceiveApplicationRequest>(command).parent(), ignored);
  } else {
    decider.partnership = ParseResourceName("name", state.name(), kCollection, ignored)->partnership;
  }
  RETURN_IF_ERROR(decider.Run());
  return std::move(decider.events);
}

const TypedAggregate<v1::CaseReview>& CaseReviewAggregate() {
  static const CaseReviewAggregateImpl* aggregate = new CaseReviewAggregateImpl();
  return *aggregate;
}

std::string CaseReviewRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat("caseReviews/", partnership, "/", index, "/");
}

}  // namespace casework::workflow
