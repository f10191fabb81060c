// The ASB case review end to end over gRPC with an injected clock: the full
// lifecycle through appeal and closure, illegal transitions, and a scripted
// year of statutory figures.
#include "tests/services/case_review_fixture.h"

namespace casework::services {
namespace {

using namespace ::casework::services::case_review_testing;  // NOLINT: the fixture's helpers
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(CaseReviewTest, FullLifecycleThroughAppealAndClosure) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("L-1", "cmp-9", Date(2026, 8, 30), Date(2026, 9, 1)));
  Record(ComplaintRequest("L-2", "cmp-9", Date(2026, 9, 28), Date(2026, 10, 1), v1::COUNCIL));
  Record(ComplaintRequest("L-3", "cmp-9", Date(2026, 10, 18), Date(2026, 10, 20), v1::HOUSING_PROVIDER));

  v1::CaseReview r = Do(&Review::ReceiveApplication, Application("cmp-9"));
  EXPECT_EQ(r.name(), "partnerships/eastbrook/caseReviews/1");
  EXPECT_EQ(Due(r, "acknowledge"), "2026-11-09 RUNNING");
  EXPECT_EQ(Due(r, "threshold_decision"), "2026-11-16 RUNNING");

  // Illegal now: the outcome before anything else.
  v1::RecordOutcomeRequest early;
  early.set_no_further_action_reason("n/a");
  grpc::Status illegal =
      Fail(&Review::RecordOutcome, early, grpc::StatusCode::FAILED_PRECONDITION);
  std::optional<v1::IllegalTransition> t = DetailOf<v1::IllegalTransition>(illegal);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->current_state(), "RECEIVED");
  EXPECT_THAT(t->allowed_commands(), ElementsAre("AcknowledgeApplication", "EvaluateThreshold",
                                                 "OverrideThreshold", "WithdrawApplication"));

  r = Do(&Review::AcknowledgeApplication, v1::CaseReviewCommand());
  EXPECT_EQ(Due(r, "acknowledge"), "2026-11-09 MET");
  r = Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "R1_COMPLAINTS");
  EXPECT_EQ(r.threshold().considered_size(), 3);
  EXPECT_EQ(Due(r, "threshold_decision"), "2026-11-16 MET");
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-07 RUNNING");

  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  Do(&Review::NotifyApplicant, notify);
  r = Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  EXPECT_EQ(r.state(), v1::CaseReview::IN_REVIEW);
  EXPECT_EQ(r.lead_officer(), "off-council-1");
  EXPECT_EQ(r.lead_agency(), "eastbrook-council");

  v1::AgencyInformationRequest info;
  info.set_agency("shire-police");
  Do(&Review::RequestAgencyInformation, info);
  info.set_summary("Three attendances, one warning issued");
  Do(&Review::RecordAgencyInformation, info);
  Do(&Review::InviteVictim, v1::CaseReviewCommand());

  clock_.Set(At(2026, 11, 20));
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 11, 20);
  meeting.add_attendees("eastbrook-council");
  meeting.add_attendees("shire-police");
  meeting.add_attendees("eastbrook-homes");
  meeting.set_victim_attended(true);
  r = Do(&Review::RecordReviewMeeting, meeting);
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-07 MET");
  EXPECT_EQ(Due(r, "outcome_letter"), "2026-11-27 RUNNING");

  v1::RecordOfficerHoursRequest hours;
  hours.set_hours(12.5);
  Do(&Review::RecordOfficerHours, hours);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Joint visit by housing and police within two weeks");
  rec->set_lead_agency("eastbrook-homes");
  *rec->mutable_due_date() = Date(2026, 12, 4);
  rec = outcome.add_recommendations();
  rec->set_text("Refer the perpetrator to the JAG");
  rec->set_lead_agency("shire-police");
  *rec->mutable_due_date() = Date(2026, 12, 18);
  r = Do(&Review::RecordOutcome, outcome);
  EXPECT_EQ(r.state(), v1::CaseReview::OUTCOME_DECIDED);
  EXPECT_EQ(Due(r, "recommendation_2"), "2026-12-18 RUNNING");

  clock_.Set(At(2026, 11, 24));
  r = Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  EXPECT_EQ(Due(r, "outcome_letter"), "2026-11-27 MET");
  EXPECT_EQ(Due(r, "appeal_window"), "2026-12-22 RUNNING");

  v1::LodgeAppealRequest appeal;
  appeal.set_ground("Not happy");
  grpc::Status bad_ground =
      Fail(&Review::LodgeAppeal, appeal, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_ground.error_message(), HasSubstr("ground: must be one of the policy's grounds"));
  appeal.set_ground("The outcome did not consider all the information provided");
  r = Do(&Review::LodgeAppeal, appeal);
  EXPECT_EQ(r.state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_EQ(Due(r, "appeal_papers"), "2026-11-25 RUNNING");
  v1::SendAppealPapersRequest papers;
  papers.set_chair("chair-westvale-csp");
  r = Do(&Review::SendAppealPapers, papers);
  EXPECT_EQ(Due(r, "appeal_papers"), "2026-11-25 MET");

  v1::DecideAppealRequest decision;
  decision.set_upheld(true);
  decision.set_reason("The housing provider's records were not considered");
  r = Do(&Review::DecideAppeal, decision, "partnership_chair");
  EXPECT_EQ(r.state(), v1::CaseReview::IN_REVIEW);
  EXPECT_EQ(r.round(), 2);
  EXPECT_EQ(r.lead_officer(), "off-police-1");  // a new lead, fewest open reviews
  EXPECT_THAT(r.previous_lead_officers(), ElementsAre("off-council-1"));
  EXPECT_EQ(Due(r, "recommendation_1"), "2026-12-04 CANCELLED");
  // 25 working days from Tue 24 Nov 2026, skipping 25 and 28 December.
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-31 RUNNING");

  clock_.Set(At(2026, 12, 8));
  *meeting.mutable_date() = Date(2026, 12, 8);
  Do(&Review::RecordReviewMeeting, meeting);
  v1::RecordOutcomeRequest second;
  v1::Recommendation* again = second.add_recommendations();
  again->set_text("Acceptable behaviour contract with the perpetrator");
  again->set_lead_agency("eastbrook-homes");
  *again->mutable_due_date() = Date(2027, 1, 15);
  Do(&Review::RecordOutcome, second);
  Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  // The chair's decision is final: no second appeal.
  appeal.set_details("again");
  grpc::Status final_decision =
      Fail(&Review::LodgeAppeal, appeal, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(final_decision.error_message(), HasSubstr("the decision is final"));

  v1::RecommendationProgressRequest progress;
  progress.set_recommendation_id(1);
  progress.set_note("Contract signed");
  progress.set_completed(true);
  r = Do(&Review::RecordRecommendationProgress, progress);
  EXPECT_EQ(Due(r, "recommendation_1"), "2027-01-15 MET");
  v1::CloseCaseReviewRequest close;
  close.set_reason("Recommendations complete; the applicant was told by letter");
  r = Do(&Review::CloseCaseReview, close);
  EXPECT_EQ(r.state(), v1::CaseReview::CLOSED);
  EXPECT_EQ(Due(r, "appeal_window"), "2027-01-08 CANCELLED");

  grpc::Status after_close =
      Fail(&Review::RecordOfficerHours, hours, grpc::StatusCode::FAILED_PRECONDITION);
  std::optional<v1::IllegalTransition> closed = DetailOf<v1::IllegalTransition>(after_close);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->current_state(), "CLOSED");
  // An appeal in time re-opens a closed case (this one's appeal was
  // decided); its recommendations may still go to a panel.
  EXPECT_THAT(closed->allowed_commands(),
              ElementsAre("LodgeAppeal", "ReferRecommendation", "LinkPanelReferral"));

  EXPECT_THAT(EventTypes(r.name()),
              ElementsAre("ApplicationReceived", "DeadlineSet", "DeadlineSet",
                          "ApplicationAcknowledged", "DeadlineMet",
                          "ThresholdEvaluated", "DeadlineMet", "DeadlineSet",
                          "ApplicantNotified", "LeadOfficerAssigned",
                          "AgencyInformationRequested", "AgencyInformationReceived", "VictimInvited",
                          "ReviewMeetingRecorded", "DeadlineMet", "DeadlineSet",
                          "OfficerHoursRecorded", "OutcomeRecorded", "DeadlineSet", "DeadlineSet",
                          "OutcomeCommunicated", "DeadlineMet", "DeadlineSet",
                          "AppealLodged", "DeadlineMet", "DeadlineSet",
                          "AppealPapersSent", "DeadlineMet",
                          "AppealDecided", "DeadlineCancelled", "DeadlineCancelled",
                          "ReviewReopened", "LeadOfficerAssigned", "DeadlineSet",
                          "ReviewMeetingRecorded", "DeadlineMet", "DeadlineSet",
                          "OutcomeRecorded", "DeadlineSet",
                          "OutcomeCommunicated", "DeadlineMet", "DeadlineSet",
                          "RecommendationProgressed", "DeadlineMet",
                          "CaseReviewClosed", "ApplicantNotified", "DeadlineCancelled"));
  absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(server_->store(), London());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
}

TEST_F(CaseReviewTest, ThresholdNotMetMustBeToldBeforeClosing) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("T-1", "cmp-4", Date(2026, 10, 1), Date(2026, 10, 2)));
  Do(&Review::ReceiveApplication, Application("cmp-4"));
  v1::CaseReview r = Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_NOT_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "NOT_MET");
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met");
  grpc::Status not_told =
      Fail(&Review::CloseCaseReview, close, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(not_told.error_message(), HasSubstr("NotifyApplicant"));

  // The SPOC may still use discretion; only a SPOC.
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Victim is elderly and isolated");
  Fail(&Review::OverrideThreshold, override_request, grpc::StatusCode::PERMISSION_DENIED);
  r = Do(&Review::OverrideThreshold, override_request, "spoc");
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "SPOC_OVERRIDE");
  EXPECT_EQ(r.threshold().override_reason(), "Victim is elderly and isolated");
  // The evaluation's list stands: a Get puts it back; a command's reply, as
  // the state, carries only its count.
  EXPECT_EQ(r.threshold().considered_size(), 0);
  EXPECT_EQ(r.threshold().considered_total(), 1);
  EXPECT_EQ(Get().threshold().considered_size(), 1);
}

// A scripted year: five applications in 2025/26 and one before it.
TEST_F(CaseReviewTest, ScriptedYearGivesExactStatutoryFigures) {
  clock_.Set(At(2025, 3, 3));
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  auto three_complaints = [&](const std::string& who, int y, int m) {
    for (int i = 1; i <= 3; ++i) {
      Record(ComplaintRequest(absl::StrCat(who, "-", i), who, Date(y, m, i * 5), Date(y, m, i * 5 + 1)));
    }
  };
  auto run_review = [&](double hours, bool recommendations) {
    Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
    Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
    v1::RecordReviewMeetingRequest meeting;
    *meeting.mutable_date() = workflow::ToCivilDate(absl::ToCivilDay(clock_.Now(), London()));
    meeting.add_attendees("eastbrook-council");
    Do(&Review::RecordReviewMeeting, meeting);
    v1::RecordOfficerHoursRequest h;
    h.set_hours(hours);
    Do(&Review::RecordOfficerHours, h);
    v1::RecordOutcomeRequest outcome;
    if (recommendations) {
      v1::Recommendation* rec = outcome.add_recommendations();
      rec->set_text("Mediation between the households");
      rec->set_lead_agency("eastbrook-homes");
      *rec->mutable_due_date() = workflow::ToCivilDate(absl::ToCivilDay(clock_.Now(), London()) + 30);
    } else {
      outcome.set_no_further_action_reason("Agencies acted appropriately");
    }
    Do(&Review::RecordOutcome, outcome);
    Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  };

  // Before the period (March 2025).
  three_complaints("cmp-f", 2025, 2);
  Do(&Review::ReceiveApplication, Application("cmp-f"));
  run_review(40, true);

  // A: threshold not met (one complaint), told, closed.
  clock_.Set(At(2025, 5, 12));
  Record(ComplaintRequest("cmp-a-1", "cmp-a", Date(2025, 5, 1), Date(2025, 5, 2)));
  Do(&Review::ReceiveApplication, Application("cmp-a"));
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  Do(&Review::NotifyApplicant, notify);
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met; other support offered");
  Do(&Review::CloseCaseReview, close);

  // B: review with a recommendation, 80 hours.
  clock_.Set(At(2025, 7, 14));
  three_complaints("cmp-b", 2025, 6);
  Do(&Review::ReceiveApplication, Application("cmp-b"));
  run_review(80, true);

  // C: review, no further action, 96.5 hours.
  clock_.Set(At(2025, 9, 15));
  three_complaints("cmp-c", 2025, 8);
  Do(&Review::ReceiveApplication, Application("cmp-c"));
  run_review(96.5, false);

  // D: withdrawn during the review.
  clock_.Set(At(2025, 11, 10));
  three_complaints("cmp-d", 2025, 10);
  Do(&Review::ReceiveApplication, Application("cmp-d"));
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_reason("The applicant moved away");
  Do(&Review::WithdrawApplication, withdraw);

  // E: threshold not met, SPOC override, review with a recommendation (172
  // hours), appeal dismissed.
  // (In another locality, so the community rule does not count the others.)
  clock_.Set(At(2026, 2, 9));
  v1::RecordComplaintRequest e1 =
      ComplaintRequest("cmp-e-1", "cmp-e", Date(2026, 1, 20), Date(2026, 1, 21));
  e1.mutable_complaint()->set_locality("station-road");
  Record(e1);
  v1::ReceiveApplicationRequest e_application = Application("cmp-e");
  e_application.mutable_applicant()->set_locality("station-road");
  Do(&Review::ReceiveApplication, e_application);
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  Do(&Review::OverrideThreshold, override_request, "spoc");
  Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 2, 9);
  meeting.add_attendees("shire-police");
  Do(&Review::RecordReviewMeeting, meeting);
  v1::RecordOfficerHoursRequest h;
  h.set_hours(172);
  Do(&Review::RecordOfficerHours, h);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Community protection warning");
  rec->set_lead_agency("eastbrook-council");
  *rec->mutable_due_date() = Date(2026, 3, 31);
  Do(&Review::RecordOutcome, outcome);
  Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  v1::LodgeAppealRequest appeal;
  appeal.set_ground("The case review process was not followed");
  Do(&Review::LodgeAppeal, appeal);
  v1::SendAppealPapersRequest papers;
  papers.set_chair("chair-westvale-csp");
  Do(&Review::SendAppealPapers, papers);
  v1::DecideAppealRequest decision;
  decision.set_upheld(false);
  decision.set_reason("The process was followed");
  Do(&Review::DecideAppeal, decision, "partnership_chair");

  v1::GetCaseReviewFiguresRequest request;
  request.set_parent("partnerships/eastbrook");
  *request.mutable_from() = Date(2025, 4, 1);
  *request.mutable_to() = Date(2026, 3, 31);
  request.set_csv(true);
  v1::CaseReviewFigures f;
  grpc::Status status =
      Call(&Review::GetCaseReviewFigures, Reviews().get(), request, &f);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(f.applications_received(), 5);
  EXPECT_EQ(f.threshold_not_met(), 1);
  EXPECT_EQ(f.reviews_carried_out(), 3);
  EXPECT_EQ(f.reviews_with_recommendations(), 2);
  EXPECT_EQ(f.withdrawn(), 1);
  EXPECT_EQ(f.appeals_received(), 1);
  EXPECT_EQ(f.appeals_upheld(), 0);
  EXPECT_DOUBLE_EQ(f.officer_hours_total(), 348.5);
  EXPECT_DOUBLE_EQ(f.officer_hours_median(), 96.5);
  std::vector<std::string> agencies;
  for (const v1::AgencyCount& a : f.by_lead_agency()) agencies.push_back(absl::StrCat(a.agency(), "=", a.reviews()));
  // Leads by fewest open reviews in pool order: F council-1, B police-1,
  // C police-2, D homes-1 (then withdrawn, which frees it), E homes-1.
  EXPECT_THAT(agencies, ElementsAre("eastbrook-homes=2", "shire-police=2"));
  EXPECT_THAT(f.csv(), HasSubstr("applications_received,5\n"));
  EXPECT_THAT(f.csv(), HasSubstr("officer_hours_total,348.5\n"));
}

}  // namespace
}  // namespace casework::services
