// The case review's decisions, pure: every error path of every decision
// (exact code, exact message or detail, nothing written) and every rule they
// apply, given events -> when command -> then events. The pattern panels and
// death reviews copy.
#include "tests/workflow/case_review/decide_fixture.h"

namespace casework::workflow::case_review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Intake ----

TEST_F(CaseReviewDecideTest, ReceiveSetsTheAcknowledgeAndThresholdDeadlines) {
  Outcome out = Do(kReceiveApplication, Application("cmp-met"));
  EXPECT_EQ(out.stream, kReview);
  EXPECT_THAT(Types(out.events), ElementsAre("ApplicationReceived", "DeadlineSet", "DeadlineSet"));
  EXPECT_EQ(out.events[0],
            "ApplicationReceived{partnership: \"eastbrook\" number: 1 applicant { kind: INDIVIDUAL "
            "complainant_reference: \"cmp-met\" locality: \"mill-lane\" category: PERSONAL } "
            "received_date { year: 2026 month: 11 day: 2 } description: \"Repeated noise and "
            "intimidation from a neighbouring flat\" policy_version: 1}");
  EXPECT_EQ(Review().state(), v1::CaseReview::RECEIVED);
  EXPECT_EQ(Review().round(), 1);
  EXPECT_EQ(Deadline("acknowledge"), "2026-11-09 RUNNING");
  EXPECT_EQ(Deadline("threshold_decision"), "2026-11-16 RUNNING");
}

TEST_F(CaseReviewDecideTest, ReceiveWithoutAPolicyIsRefused) {
  World empty(At(2026, 11, 2), Workflows());
  v1::ReceiveApplicationRequest r = Application("cmp-met");
  Outcome out = empty.When(kReceiveApplication, r);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status.message(),
            "partnership eastbrook has no published policy; an administrator publishes one with "
            "PolicyService.PublishPolicy");
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(out.status)->reason(), "NO_POLICY");
  EXPECT_EQ(empty.Version(kReview), 0);
}

TEST_F(CaseReviewDecideTest, ReceiveUnderAPolicyWithoutACaseReviewSectionIsRefused) {
  v1::Policy panels_only;
  panels_only.set_title("A policy for other workflows only");
  testing::Publish(world_, panels_only);
  Outcome out = Send(kReceiveApplication, Application("cmp-met"));
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status.message(),
            "policy version 2 of partnership eastbrook has no case_review section; an "
            "administrator publishes one with PolicyService.PublishPolicy");
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(out.status)->reason(), "NO_POLICY_SECTION");
  EXPECT_EQ(world_.Version(kReview), 0);
}

TEST_F(CaseReviewDecideTest, AReceivedDateInTheFutureIsRefused) {
  v1::ReceiveApplicationRequest r = Application("cmp-met");
  *r.mutable_received_date() = Date(2026, 11, 3);
  Outcome out = Send(kReceiveApplication, r);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status.message(),
            "received_date: must not be after today (2026-11-02) [not_future]");
  EXPECT_EQ(world_.Version(kReview), 0);
}

TEST_F(CaseReviewDecideTest, AnonymousApplicationsAndMissingConsentAreRefused) {
  Outcome anonymous = Send(kReceiveApplication, Application(""));
  EXPECT_EQ(anonymous.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DetailOf<v1::BadRequest>(anonymous.status)->violations(0).rule(), "not_anonymous");
  v1::ReceiveApplicationRequest on_behalf = Application("cmp-met");
  on_behalf.mutable_applicant()->set_representative_reference("cllr-ward-4");
  Outcome no_consent = Send(kReceiveApplication, on_behalf);
  EXPECT_EQ(DetailOf<v1::BadRequest>(no_consent.status)->violations(0).field(),
            "applicant.consent_recorded");
  EXPECT_EQ(world_.Version(kReview), 0);
}

TEST_F(CaseReviewDecideTest, AcknowledgingTwiceIsRefused) {
  Received();
  Outcome out = Do(kAcknowledgeApplication, v1::CaseReviewCommand());
  EXPECT_THAT(out.events,
              ElementsAre("ApplicationAcknowledged{}", "DeadlineMet{name: \"acknowledge\"}"));
  Refused(kAcknowledgeApplication, v1::CaseReviewCommand(),
          absl::FailedPreconditionError(absl::StrCat(kReview, " was already acknowledged")));
}

// ---- Threshold ----

TEST_F(CaseReviewDecideTest, ThresholdMetStartsTheReviewMeetingDeadline) {
  Received();
  Outcome out = Do(kEvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_THAT(Types(out.events), ElementsAre("ThresholdEvaluated", "DeadlineMet", "DeadlineSet"));
  EXPECT_EQ(Review().state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(Review().threshold().deciding_rule(), "R1_COMPLAINTS");
  // The complaints weighed are their own row, written once; the state (and
  // so every later command) carries only their count.
  EXPECT_EQ(Considered().size(), 3);
  EXPECT_EQ(Review().threshold().considered_size(), 0);
  EXPECT_EQ(Review().threshold().considered_total(), 3);
  EXPECT_EQ(Review().threshold().decided_by().role(), "caseworker");
  EXPECT_EQ(Deadline("threshold_decision"), "2026-11-16 MET");
  EXPECT_EQ(Deadline("review_meeting"), "2026-12-07 RUNNING");
}

TEST_F(CaseReviewDecideTest, ThresholdNotMetStartsNothing) {
  Do(kReceiveApplication, Application("cmp-none"));
  Outcome out = Do(kEvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_THAT(Types(out.events), ElementsAre("ThresholdEvaluated", "DeadlineMet"));
  EXPECT_EQ(Review().state(), v1::CaseReview::THRESHOLD_NOT_MET);
  EXPECT_EQ(Review().threshold().deciding_rule(), "NOT_MET");
  EXPECT_EQ(Deadline("review_meeting"), "none");
}

TEST_F(CaseReviewDecideTest, TheThresholdReadsOnlyItsWindowAndKeepsABoundedExplanation) {
  // Two complaints a year before the application: outside the window, not
  // even read.
  for (const auto& r :
       {testing::ComplaintRequest("OLD-1", "cmp-met", Date(2025, 9, 1), Date(2025, 9, 2)),
        testing::ComplaintRequest("OLD-2", "cmp-met", Date(2025, 10, 1), Date(2025, 10, 2))}) {
    ASSERT_TRUE(world_.When(kRecordComplaint, r).status.ok());
  }
  Met();
  EXPECT_EQ(Considered().size(), 3);
  EXPECT_EQ(Review().threshold().considered_total(), 3);
  EXPECT_EQ(FormatDate(Review().threshold().window_start()), "2026-05-02");

  // A complainant with 250 complaints in the window: the case keeps 50.
  for (int i = 0; i < 250; ++i) {
    ASSERT_TRUE(
        world_
            .When(kRecordComplaint, testing::ComplaintRequest(absl::StrCat("MANY-", i), "cmp-many",
                                                              Date(2026, 10, 1), Date(2026, 10, 2)))
            .status.ok());
  }
  ASSERT_TRUE(world_.When(kReceiveApplication, Application("cmp-many")).status.ok());
  v1::CaseReviewCommand evaluate;
  evaluate.set_name("partnerships/eastbrook/caseReviews/2");
  evaluate.set_request_id("many");
  ASSERT_TRUE(world_.When(kEvaluateThreshold, evaluate).status.ok());
  const auto& many = world_.StateAs<v1::CaseReview>("partnerships/eastbrook/caseReviews/2");
  EXPECT_EQ(Considered("partnerships/eastbrook/caseReviews/2").size(), kMaxConsidered);
  EXPECT_EQ(many.threshold().considered_total(), 250);
  EXPECT_EQ(many.threshold().deciding_rule(), "R1_COMPLAINTS");
}

TEST_F(CaseReviewDecideTest, OtherPeoplesComplaintsAreReadOnlyAsFarAsTheRulesNeedThem) {
  // 300 complaints about personal problems in Mill Lane inside the window,
  // from three residents in turn, oldest first.
  for (int i = 0; i < 300; ++i) {
    const absl::CivilDay day = absl::CivilDay(2026, 6, 1) + i / 3;
    ASSERT_TRUE(world_
                    .When(kRecordComplaint,
                          testing::ComplaintRequest(absl::StrCat("MILL-", i),
                                                    absl::StrCat("res-", i % 3),
                                                    workflow::ToCivilDate(day),
                                                    workflow::ToCivilDate(day)))
                    .status.ok());
  }
  auto evaluate = [&](const std::string& review) {
    v1::CaseReviewCommand command;
    command.set_name(review);
    command.set_request_id(absl::StrCat("evaluate-", review));
    const int64_t before = world_.rows_scanned();
    EXPECT_TRUE(world_.When(kEvaluateThreshold, command).status.ok());
    return world_.rows_scanned() - before;
  };

  // R1 decides on the applicant's 3 complaints: nobody else's is read.
  Received();
  EXPECT_EQ(evaluate(kReview), 3);
  EXPECT_EQ(Review().threshold().deciding_rule(), "R1_COMPLAINTS");

  // A new resident: the community rule decides on the 5 oldest complaints
  // (from 2 people), read in the first slice of 32; the other 268 are not.
  ASSERT_TRUE(world_.When(kReceiveApplication, Application("cmp-new")).status.ok());
  EXPECT_EQ(evaluate("partnerships/eastbrook/caseReviews/2"), 32);
  const auto& community = world_.StateAs<v1::CaseReview>("partnerships/eastbrook/caseReviews/2");
  EXPECT_EQ(community.threshold().deciding_rule(), "COMMUNITY");
  EXPECT_THAT(community.threshold().summary(),
              ::testing::HasSubstr("community rule met (5 complaints about personal in "
                                   "mill-lane from 3 people, policy needs 5 from 2)"));
  std::vector<std::string> counted;
  for (const v1::ConsideredComplaint& c : Considered("partnerships/eastbrook/caseReviews/2")) {
    counted.push_back(absl::StrCat(c.rule(), " ", c.complaint()));
  }
  EXPECT_THAT(counted, ElementsAre("COMMUNITY partnerships/eastbrook/complaints/4",
                                   "COMMUNITY partnerships/eastbrook/complaints/5",
                                   "COMMUNITY partnerships/eastbrook/complaints/6",
                                   "COMMUNITY partnerships/eastbrook/complaints/7",
                                   "COMMUNITY partnerships/eastbrook/complaints/8"));

  // About nuisance, of which Mill Lane has none: not met, so the whole
  // window is read (these 300 and cmp-met's 3, in slices of 32, 128 and
  // 512) and nothing more.
  v1::ReceiveApplicationRequest nuisance = Application("cmp-other");
  nuisance.mutable_applicant()->set_category(v1::NUISANCE);
  ASSERT_TRUE(world_.When(kReceiveApplication, nuisance).status.ok());
  EXPECT_EQ(evaluate("partnerships/eastbrook/caseReviews/3"), 303);
  EXPECT_EQ(world_.StateAs<v1::CaseReview>("partnerships/eastbrook/caseReviews/3")
                .threshold()
                .deciding_rule(),
            "NOT_MET");
}

TEST_F(CaseReviewDecideTest, TheSpocMayTreatTheThresholdAsMetKeepingWhatWasConsidered) {
  Do(kReceiveApplication, Application("cmp-none"));
  Do(kEvaluateThreshold, v1::CaseReviewCommand());  // not met
  world_.SetActor("eastbrook-council", "u-spoc", "spoc");
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  Outcome out = Do(kOverrideThreshold, override_request);
  EXPECT_THAT(Types(out.events), ElementsAre("ThresholdEvaluated", "DeadlineSet"));
  const v1::CaseReview& review = Review();
  EXPECT_EQ(review.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(review.threshold().deciding_rule(), "SPOC_OVERRIDE");
  EXPECT_TRUE(review.threshold().met());
  EXPECT_EQ(review.threshold().summary(),
            "Threshold treated as met by the SPOC's discretion: Vulnerable victim");
  EXPECT_EQ(review.threshold().window_start().month(), 5);  // kept from the evaluation
  EXPECT_EQ(review.threshold().decided_by().user(), "u-spoc");
}

TEST_F(CaseReviewDecideTest, AnOverrideTheSpocMayNotMakeIsRefused) {
  Received();
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  Refused(kOverrideThreshold, override_request,
          absl::PermissionDeniedError(
              "only the single point of contact (role \"spoc\") may override the threshold"));
  Outcome denied = Send(kOverrideThreshold, override_request);
  EXPECT_EQ(DetailOf<v1::ErrorInfo>(denied.status)->reason(), "SPOC_ONLY");
}

TEST_F(CaseReviewDecideTest, AnOverrideThePolicyDoesNotAllowIsRefused) {
  v1::Policy strict = DefaultPolicy();
  strict.mutable_case_review()->mutable_threshold()->set_spoc_override(false);
  testing::Publish(world_, strict);  // version 2, in force for new applications
  Received();
  world_.SetActor("eastbrook-council", "u-spoc", "spoc");
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  Refused(kOverrideThreshold, override_request,
          absl::FailedPreconditionError(
              "policy version 2 of eastbrook does not allow a SPOC override of the threshold"));
}

TEST_F(CaseReviewDecideTest, ApplicantNoticesRecordWhatTheyWereToldOf) {
  Met();
  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  EXPECT_THAT(Do(kNotifyApplicant, notify).events,
              ElementsAre("ApplicantNotified{notice { subject: \"threshold_met\" on { year: 2026 "
                          "month: 11 day: 2 } channel: \"letter\" }}"));
}

TEST_F(CaseReviewDecideTest, APinnedPolicyVersionThatIsMissingIsDataLoss) {
  v1::ApplicationReceived received;
  received.set_partnership("eastbrook");
  received.set_number(1);
  received.mutable_applicant()->set_complainant_reference("cmp-met");
  *received.mutable_received_date() = Date(2026, 11, 2);
  received.set_policy_version(7);
  world_.Given(kReview, MakeEvents(std::move(received)));
  Refused(kEvaluateThreshold, v1::CaseReviewCommand(),
          absl::DataLossError("policy version 7 of eastbrook is missing"));
}

// ---- Lead officer ----

TEST_F(CaseReviewDecideTest, TheLeadIsTheTrainedOfficerWithFewestOpenReviews) {
  InReview();
  EXPECT_EQ(Review().lead_officer(), "off-council-1");
  EXPECT_EQ(Review().lead_agency(), "eastbrook-council");
  // Review 2 goes to the next free officer in pool order.
  ASSERT_TRUE(world_.When(kReceiveApplication, Application("cmp-met")).status.ok());
  v1::CaseReviewCommand evaluate;
  evaluate.set_name("partnerships/eastbrook/caseReviews/2");
  evaluate.set_request_id("ev-2");
  ASSERT_TRUE(world_.When(kEvaluateThreshold, evaluate).status.ok());
  v1::AssignLeadOfficerRequest assign;
  assign.set_name("partnerships/eastbrook/caseReviews/2");
  assign.set_request_id("lead-2");
  Outcome out = world_.When(kAssignLeadOfficer, assign);
  EXPECT_THAT(out.events,
              ElementsAre("LeadOfficerAssigned{officer: \"off-police-1\" agency: \"shire-police\" "
                          "basis: \"pool: fewest open reviews (0)\"}"));
}

TEST_F(CaseReviewDecideTest, ANamedOfficerMustBeTrainedActiveNewAndInThePool) {
  Met();
  v1::AssignLeadOfficerRequest assign;
  assign.set_officer("off-council-2");
  Refused(kAssignLeadOfficer, assign,
          absl::FailedPreconditionError(
              "officer off-council-2 is not a trained, active member of the review pool"));
  assign.set_officer("off-nobody");
  Outcome unknown = Send(kAssignLeadOfficer, assign);
  EXPECT_EQ(unknown.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status.message(),
            "officer: \"off-nobody\" is not in the policy's officer pool [pool_member]");
  assign.set_officer("off-homes-1");
  Do(kAssignLeadOfficer, assign);
  Refused(kAssignLeadOfficer, assign,
          absl::FailedPreconditionError(
              "officer off-homes-1 has already led this review; choose another officer"));
}

TEST_F(CaseReviewDecideTest, NoFreeOfficerIsRefused) {
  v1::Policy one_officer = DefaultPolicy();
  auto* officers = one_officer.mutable_case_review()->mutable_officers();
  for (v1::ReviewOfficer& o : *officers) o.set_active(o.id() == "off-council-1");
  testing::Publish(world_, one_officer);
  InReview();
  EXPECT_EQ(Review().lead_officer(), "off-council-1");
  Refused(kAssignLeadOfficer, v1::AssignLeadOfficerRequest(),
          absl::FailedPreconditionError(
              "no trained, active officer in the policy's pool is free to lead this review"));
}

// ---- The review ----

TEST_F(CaseReviewDecideTest, AgencyInformationIsRecordedAgainstARequestForIt) {
  InReview();
  v1::AgencyInformationRequest info;
  info.set_agency("eastbrook-homes");
  info.set_summary("Two warning letters");
  Refused(kRecordAgencyInformation, info,
          absl::FailedPreconditionError("no outstanding information request to eastbrook-homes; "
                                        "record RequestAgencyInformation first"));
  v1::AgencyInformationRequest ask;
  ask.set_agency("eastbrook-homes");
  Do(kRequestAgencyInformation, ask);
  EXPECT_THAT(Do(kRecordAgencyInformation, info).events,
              ElementsAre("AgencyInformationReceived{agency: \"eastbrook-homes\" on { year: 2026 "
                          "month: 11 day: 2 } summary: \"Two warning letters\"}"));
  EXPECT_EQ(Review().agency_requests(0).summary(), "Two warning letters");
}

TEST_F(CaseReviewDecideTest, AMeetingIsRecordedAfterItTookPlaceAndStartsTheOutcomeLetter) {
  InReview();
  const int64_t version = world_.Version(kReview);
  Outcome future = Send(kRecordReviewMeeting, Meeting(Date(2026, 11, 3)));
  EXPECT_EQ(future.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(future.status.message(),
            "date: a meeting is recorded after it took place [not_future]");
  EXPECT_EQ(DetailOf<v1::BadRequest>(future.status)->violations(0).rule(), "not_future");
  EXPECT_EQ(world_.Version(kReview), version);
  world_.SetNow(At(2026, 11, 6));
  Outcome out = Do(kRecordReviewMeeting, Meeting(Date(2026, 11, 4)));
  EXPECT_THAT(Types(out.events),
              ElementsAre("ReviewMeetingRecorded", "DeadlineMet", "DeadlineSet"));
  EXPECT_EQ(Deadline("review_meeting"), "2026-12-07 MET");
  EXPECT_EQ(Deadline("outcome_letter"), "2026-11-11 RUNNING");  // 5 working days from the 4th
}

TEST_F(CaseReviewDecideTest, OfficerHoursDefaultToTheCallersAgency) {
  InReview();
  v1::RecordOfficerHoursRequest hours;
  hours.set_hours(2.5);
  EXPECT_THAT(Do(kRecordOfficerHours, hours).events,
              ElementsAre("OfficerHoursRecorded{hours: 2.5 agency: \"eastbrook-council\"}"));
  hours.set_agency("shire-police");
  Do(kRecordOfficerHours, hours);
  EXPECT_EQ(Review().officer_hours(), 5.0);
}

TEST_F(CaseReviewDecideTest, TheOutcomeFollowsTheMeetingAndEachRecommendationGetsADeadline) {
  InReview();
  Refused(kRecordOutcome, TwoRecommendations(),
          absl::FailedPreconditionError(
              "record the review meeting (RecordReviewMeeting) before the outcome"));
  Do(kRecordReviewMeeting, Meeting(Date(2026, 11, 2)));
  Outcome out = Do(kRecordOutcome, TwoRecommendations());
  EXPECT_THAT(Types(out.events), ElementsAre("OutcomeRecorded", "DeadlineSet", "DeadlineSet"));
  EXPECT_EQ(Review().state(), v1::CaseReview::OUTCOME_DECIDED);
  EXPECT_EQ(Review().outcome().recommendations(1).id(), 2);
  EXPECT_EQ(Deadline("recommendation_1"), "2026-12-04 RUNNING");
  EXPECT_EQ(Deadline("recommendation_2"), "2026-12-18 RUNNING");
}

// ---- Outcome, appeal, closure ----

TEST_F(CaseReviewDecideTest, CommunicatingTheOutcomeOpensTheAppealWindow) {
  Communicated();
  EXPECT_EQ(Deadline("outcome_letter"), "2026-11-09 MET");
  EXPECT_EQ(Deadline("appeal_window"), "2026-11-30 RUNNING");
  EXPECT_TRUE(Review().deadlines().rbegin()->window());
}

TEST_F(CaseReviewDecideTest, AnAppealOnAGroundOutsideThePolicyIsRefused) {
  Communicated();
  v1::LodgeAppealRequest appeal;
  appeal.set_ground("I did not like it");
  Outcome out = Send(kLodgeAppeal, appeal);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status.message(),
            "ground: must be one of the policy's grounds: \"The case review process was not "
            "followed\", \"The outcome did not consider all the information provided\" "
            "[policy_ground]");
  EXPECT_THAT(out.events, ElementsAre());
}

TEST_F(CaseReviewDecideTest, AnAppealAfterTheWindowIsRefused) {
  Communicated();
  world_.SetNow(At(2026, 12, 1));
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("the appeal window closed on 2026-11-30"));
}

TEST_F(CaseReviewDecideTest, AnAppealUnderAPolicyWithoutAppealsIsRefused) {
  v1::Policy no_appeals = DefaultPolicy();
  no_appeals.mutable_case_review()->mutable_appeal()->set_enabled(false);
  testing::Publish(world_, no_appeals);
  Communicated();
  EXPECT_EQ(Deadline("appeal_window"), "none");
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("policy version 2 of eastbrook has no appeal process"));
}

// An appeal decision must say upheld or dismissed: one left unset is
// refused, never read as a dismissal (which is final).
TEST_F(CaseReviewDecideTest, AnAppealDecisionThatSaysNeitherIsRefused) {
  WithChair();
  v1::DecideAppealRequest unsaid;
  unsaid.set_reason("The process was followed");
  Outcome out = Send(kDecideAppeal, unsaid);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DetailOf<v1::BadRequest>(out.status)->violations(0).field(), "upheld");
  EXPECT_EQ(DetailOf<v1::BadRequest>(out.status)->violations(0).rule(), "required");
  EXPECT_EQ(Review().state(), v1::CaseReview::WITH_APPEAL_CHAIR);
}

TEST_F(CaseReviewDecideTest, TheChairsDecisionIsFinal) {
  WithChair();
  v1::DecideAppealRequest dismissed;
  dismissed.set_upheld(false);
  dismissed.set_reason("The process was followed");
  Do(kDecideAppeal, dismissed);
  EXPECT_EQ(Review().state(), v1::CaseReview::OUTCOME_COMMUNICATED);
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("the independent chair has decided an appeal against the "
                                        "outcome of this review; the decision is final"));
}

TEST_F(CaseReviewDecideTest, AnUpheldAppealReopensTheReviewWithANewLead) {
  WithChair();
  EXPECT_EQ(Deadline("appeal_papers"), "2026-11-03 MET");
  v1::DecideAppealRequest upheld;
  upheld.set_upheld(true);
  upheld.set_reason("The housing reports were missed");
  Outcome out = Do(kDecideAppeal, upheld);
  EXPECT_THAT(Types(out.events),
              ElementsAre("AppealDecided", "DeadlineCancelled", "DeadlineCancelled",
                          "ReviewReopened", "LeadOfficerAssigned", "DeadlineSet"));
  EXPECT_EQ(out.events[3], "ReviewReopened{round: 2}");
  EXPECT_EQ(Review().state(), v1::CaseReview::IN_REVIEW);
  EXPECT_EQ(Review().lead_officer(), "off-police-1");
  EXPECT_THAT(Review().previous_lead_officers(), ElementsAre("off-council-1"));
  EXPECT_FALSE(Review().has_outcome());
  EXPECT_EQ(Deadline("recommendation_1"), "2026-12-04 CANCELLED");
  // Set again from the chair's decision (today): 25 working days.
  EXPECT_EQ(Deadline("review_meeting"), "2026-12-07 RUNNING");
  EXPECT_EQ(Review().deadlines_size(), 8);
}

TEST_F(CaseReviewDecideTest, RecommendationProgressNeedsAnOpenRecommendation) {
  Communicated();
  v1::RecommendationProgressRequest progress;
  progress.set_recommendation_id(5);
  progress.set_note("Visit booked");
  Outcome missing = Send(kRecordRecommendationProgress, progress);
  EXPECT_EQ(missing.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status.message(),
            "recommendation_id: this review has no recommendation 5 [exists]");
  progress.set_recommendation_id(1);
  progress.set_completed(true);
  EXPECT_THAT(Do(kRecordRecommendationProgress, progress).events,
              ElementsAre("RecommendationProgressed{recommendation_id: 1 note: \"Visit booked\" "
                          "completed: true}",
                          "DeadlineMet{name: \"recommendation_1\"}"));
  Refused(kRecordRecommendationProgress, progress,
          absl::FailedPreconditionError("recommendation 1 is already completed"));
}

TEST_F(CaseReviewDecideTest, ANotMetCaseClosesOnlyOnceTheApplicantWasTold) {
  Do(kReceiveApplication, Application("cmp-none"));
  Do(kEvaluateThreshold, v1::CaseReviewCommand());
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met");
  Refused(kCloseCaseReview, close,
          absl::FailedPreconditionError(
              "tell the applicant the threshold was not met (NotifyApplicant) before closing"));
  v1::NotifyApplicantRequest notify;
  notify.set_channel("email");
  Do(kNotifyApplicant, notify);
  Outcome out = Do(kCloseCaseReview, close);
  EXPECT_THAT(Types(out.events),
              ElementsAre("CaseReviewClosed", "ApplicantNotified", "DeadlineCancelled"));
  EXPECT_EQ(Review().state(), v1::CaseReview::CLOSED);
  EXPECT_EQ(Deadline("acknowledge"), "2026-11-09 CANCELLED");
}

TEST_F(CaseReviewDecideTest, WithdrawalCancelsEveryOpenDeadline) {
  Received();
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_reason("The applicant moved away");
  Outcome out = Do(kWithdrawApplication, withdraw);
  EXPECT_THAT(
      out.events,
      ElementsAre("ApplicationWithdrawn{reason: \"The applicant moved away\" on { year: "
                  "2026 month: 11 day: 2 }}",
                  "DeadlineCancelled{name: \"acknowledge\" reason: \"application withdrawn\"}",
                  "DeadlineCancelled{name: \"threshold_decision\" reason: \"application "
                  "withdrawn\"}"));
  EXPECT_EQ(Review().state(), v1::CaseReview::WITHDRAWN);
}

// ---- What every command gets from the kit ----

TEST_F(CaseReviewDecideTest, AMissingReviewIsNotFoundAndAStaleVersionIsAborted) {
  Outcome missing = Send(kEvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_EQ(missing.status, absl::NotFoundError(absl::StrCat(kReview, " does not exist")));
  Received();
  v1::CaseReviewCommand stale;
  stale.set_expected_version(1);
  Outcome aborted = Send(kEvaluateThreshold, stale);
  EXPECT_EQ(aborted.status.code(), absl::StatusCode::kAborted);
  std::optional<v1::VersionConflict> conflict = DetailOf<v1::VersionConflict>(aborted.status);
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->expected_version(), 1);
  EXPECT_EQ(conflict->actual_version(), 3);
}

}  // namespace
}  // namespace casework::workflow::case_review
