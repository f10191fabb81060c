// Table examples of the case review and its complaint ledger.
#include "tests/workflow/examples.h"

#include "tests/workflow/case_review/case_review_world.h"
#include "workflow/case_review/commands.h"
#include "workflow/case_review/complaints.h"
#include "workflow/registry.h"

namespace casework::testing {

WorkflowExamples CaseReviewExamples() {
  using namespace workflow::case_review;  // NOLINT(build/namespaces)
  auto name = [](auto command) { return std::string(command.name); };
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/caseReviews/1";
  ex.setup = [](World& world) {
    PublishDefault(world);
    RecordThreeComplaints(world);
    world.SetActor("eastbrook-council", "u-spoc", "spoc");  // may override the threshold
  };
  const v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");

  v1::ReceiveApplicationRequest met = Application("cmp-met");
  v1::ReceiveApplicationRequest not_met = Application("cmp-none");
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  v1::AgencyInformationRequest ask;
  ask.set_agency("eastbrook-homes");
  v1::AgencyInformationRequest answer = ask;
  answer.set_summary("Two warning letters sent");
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 11, 2);
  meeting.add_attendees("eastbrook-council");
  meeting.add_attendees("shire-police");
  v1::RecordOfficerHoursRequest hours;
  hours.set_hours(3.5);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Joint visit");
  rec->set_lead_agency("eastbrook-homes");
  *rec->mutable_due_date() = Date(2026, 12, 4);
  v1::LodgeAppealRequest appeal;
  appeal.set_ground(policy.case_review().appeal().grounds(0));
  v1::SendAppealPapersRequest papers;
  papers.set_chair("csp-chair");
  v1::DecideAppealRequest upheld;
  upheld.set_upheld(true);
  upheld.set_reason("The housing reports were missed");
  v1::DecideAppealRequest dismissed;
  dismissed.set_upheld(false);
  dismissed.set_reason("The process was followed");
  v1::RecommendationProgressRequest progress;
  progress.set_recommendation_id(1);
  progress.set_note("Visit booked");
  v1::CloseCaseReviewRequest close;
  close.set_reason("Review complete");
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_reason("The applicant moved away");

  ex.requests[name(kReceiveApplication)] = Fixed(met);
  ex.requests[name(kAcknowledgeApplication)] = Named<v1::CaseReviewCommand>();
  ex.requests[name(kEvaluateThreshold)] = Named<v1::CaseReviewCommand>();
  ex.requests[name(kOverrideThreshold)] = Named(override_request);
  ex.requests[name(kNotifyApplicant)] = Named(notify);
  ex.requests[name(kAssignLeadOfficer)] = Named<v1::AssignLeadOfficerRequest>();
  ex.requests[name(kRequestAgencyInformation)] = Named(ask);
  ex.requests[name(kRecordAgencyInformation)] = Named(answer);
  ex.requests[name(kInviteVictim)] = Named<v1::CaseReviewCommand>();
  ex.requests[name(kRecordReviewMeeting)] = Named(meeting);
  ex.requests[name(kRecordOfficerHours)] = Named(hours);
  ex.requests[name(kRecordOutcome)] = Named(outcome);
  ex.requests[name(kCommunicateOutcome)] = Named<v1::CaseReviewCommand>();
  ex.requests[name(kLodgeAppeal)] = Named(appeal);
  ex.requests[name(kSendAppealPapers)] = Named(papers);
  ex.requests[name(kDecideAppeal)] = Named(upheld);
  ex.requests[name(kRecordRecommendationProgress)] = Named(progress);
  ex.requests[name(kCloseCaseReview)] = Named(close);
  ex.requests[name(kWithdrawApplication)] = Named(withdraw);
  // The first recommendation handed to the JAG, about the place.
  v1::ReferRecommendationRequest refer;
  refer.set_recommendation_id(1);
  refer.set_panel("jag");
  refer.mutable_subject()->set_kind(v1::SUBJECT_LOCATION);
  refer.mutable_subject()->set_reference("LOC-MILL");
  refer.mutable_subject()->set_display_name("Mill Lane flats");
  refer.set_lawful_basis(v1::LAW_ENFORCEMENT);
  ex.requests[name(kReferRecommendation)] = Named(refer);
  v1::LinkPanelReferralRequest link;
  link.set_recommendation_id(1);
  link.set_panel_case("partnerships/eastbrook/panelCases/1");
  ex.requests[name(kLinkPanelReferral)] = Named(link);
  // The JAG's referral of it (what the server's outbox opens).
  const RequestMaker receive = [refer](const std::string& review) {
    auto r = std::make_unique<v1::ReceiveRecommendationRequest>();
    r->set_parent("partnerships/eastbrook");
    r->set_request_id("receive-recommendation");
    r->set_case_review(review);
    r->set_recommendation_id(1);
    r->set_panel("jag");
    *r->mutable_subject() = refer.subject();
    r->set_lawful_basis(refer.lawful_basis());
    r->set_reason("Joint visit");
    r->set_referrer_agency("eastbrook-council");
    *r->mutable_due_date() = Date(2026, 12, 4);
    return r;
  };

  auto step = [&](auto command, RequestMaker maker) { return Step{name(command), maker}; };
  const std::vector<Step> received = {step(kReceiveApplication, Fixed(met))};
  std::vector<Step> path = received;
  ex.paths["RECEIVED"] = path;
  path.push_back(step(kEvaluateThreshold, Named<v1::CaseReviewCommand>()));
  ex.paths["THRESHOLD_MET"] = path;
  path.push_back(step(kAssignLeadOfficer, Named<v1::AssignLeadOfficerRequest>()));
  ex.paths["IN_REVIEW"] = path;
  path.push_back(step(kRecordReviewMeeting, Named(meeting)));
  path.push_back(step(kRecordOutcome, Named(outcome)));
  ex.paths["OUTCOME_DECIDED"] = path;
  path.push_back(step(kCommunicateOutcome, Named<v1::CaseReviewCommand>()));
  ex.paths["OUTCOME_COMMUNICATED"] = path;
  ex.paths["CLOSED"] = path;
  ex.paths["CLOSED"].push_back(step(kCloseCaseReview, Named(close)));
  path.push_back(step(kLodgeAppeal, Named(appeal)));
  ex.paths["APPEAL_LODGED"] = path;
  path.push_back(step(kSendAppealPapers, Named(papers)));
  ex.paths["WITH_APPEAL_CHAIR"] = path;
  const std::vector<Step> not_met_path = {step(kReceiveApplication, Fixed(not_met)),
                                          step(kEvaluateThreshold, Named<v1::CaseReviewCommand>())};
  ex.paths["THRESHOLD_NOT_MET"] = not_met_path;
  std::vector<Step> threshold_appeal = not_met_path;
  threshold_appeal.push_back(step(kNotifyApplicant, Named(notify)));
  threshold_appeal.push_back(step(kLodgeAppeal, Named(appeal)));
  threshold_appeal.push_back(step(kSendAppealPapers, Named(papers)));
  ex.paths["WITHDRAWN"] = {step(kReceiveApplication, Fixed(met)),
                           step(kWithdrawApplication, Named(withdraw))};

  for (const char* state : {"OUTCOME_DECIDED", "OUTCOME_COMMUNICATED", "APPEAL_LODGED",
                            "WITH_APPEAL_CHAIR", "CLOSED"}) {
    ex.cases.push_back({state,
                        {step(kReferRecommendation, Named(refer)),
                         Step{"ReceiveRecommendation", receive, /*elsewhere=*/true}},
                        step(kLinkPanelReferral, Named(link))});
  }
  ex.cases.insert(
      ex.cases.end(),
      {
          // An applicant without qualifying complaints: not met.
          {"RECEIVED",
           {},
           step(kEvaluateThreshold, Named<v1::CaseReviewCommand>()),
           {step(kReceiveApplication, Fixed(not_met))}},
          {"RECEIVED", {}, step(kEvaluateThreshold, Named<v1::CaseReviewCommand>())},
          // Information is recorded against a request for it.
          {"IN_REVIEW",
           {step(kRequestAgencyInformation, Named(ask))},
           step(kRecordAgencyInformation, Named(answer))},
          // The outcome follows the meeting.
          {"IN_REVIEW",
           {step(kRecordReviewMeeting, Named(meeting))},
           step(kRecordOutcome, Named(outcome))},
          // A "not met" case closes once the applicant was told.
          {"THRESHOLD_NOT_MET",
           {step(kNotifyApplicant, Named(notify))},
           step(kCloseCaseReview, Named(close))},
          // The chair upholds (the review re-opens) or dismisses (final).
          {"WITH_APPEAL_CHAIR", {}, step(kDecideAppeal, Named(upheld))},
          {"WITH_APPEAL_CHAIR", {}, step(kDecideAppeal, Named(dismissed))},
          // Told "not met", the applicant may appeal; the chair's decision
          // treats the threshold as met or closes the case.
          {"THRESHOLD_NOT_MET",
           {step(kNotifyApplicant, Named(notify))},
           step(kLodgeAppeal, Named(appeal))},
          {"WITH_APPEAL_CHAIR", {}, step(kDecideAppeal, Named(upheld)), threshold_appeal},
          {"WITH_APPEAL_CHAIR", {}, step(kDecideAppeal, Named(dismissed)), threshold_appeal},
      });
  return ex;
}

WorkflowExamples ComplaintExamples() {
  using namespace workflow::case_review;  // NOLINT(build/namespaces)
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/complaints/9";
  // A first complaint, so that the second raises an EXPLAIN_CASE_REVIEW notice.
  ex.setup = [](World& world) {
    PublishDefault(world);
    Outcome out = world.When(
        kRecordComplaint, ComplaintRequest("C-1", "cmp-2", Date(2026, 10, 1), Date(2026, 10, 2)));
    if (!out.status.ok()) AbortWithMessage(out.status.ToString());
  };
  const v1::RecordComplaintRequest second =
      ComplaintRequest("C-2", "cmp-2", Date(2026, 10, 20), Date(2026, 10, 21));
  v1::AcknowledgeNoticeRequest ack;
  ack.set_request_id("ack-1");
  ack.set_kind(v1::Notice::EXPLAIN_CASE_REVIEW);
  ack.set_note("Explained the case review by phone");
  ex.requests[std::string(kRecordComplaint.name)] = Fixed(second);
  ex.requests[std::string(kAcknowledgeNotice.name)] = Named(ack);
  ex.paths["RECORDED"] = {{std::string(kRecordComplaint.name), Fixed(second)}};
  return ex;
}

}  // namespace casework::testing
