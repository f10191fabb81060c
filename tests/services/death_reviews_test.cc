// Death reviews over gRPC: who may read a review (Get, List, its history in
// the event log, its deadlines) before and after publication, the action
// plan delivered to the shared action log, and the figures.
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/deadlines.grpc.pb.h"
#include "casework/v1/death_reviews.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {


using ::casework::testing::At;
using ::casework::testing::Date;

// Who calls: an agency, a user and a role.
struct Who {
  std::string agency, user, role;
};
const Who kCoordinator{"eastbrook-council", "u-coord", "partnership_chair"};
const Who kMember{"shire-police", "u-dci", "caseworker"};
const Who kChair{"independent-reviews", "chair-01", "independent_chair"};
const Who kOutsider{"westmoor-housing", "u-officer", "caseworker"};
const Who kColleague{"shire-police", "u-response", "caseworker"};  // a member's agency

class DeathReviewsTest : public casework::testing::ServerFixture {
 protected:
  DeathReviewsTest() : ServerFixture(At(2026, 11, 2)) {}  // Monday 2 November 2026

  void SetUp() override {
    ServerFixture::SetUp();
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
    reviews_ = v1::DeathReviewService::NewStub(InProcess());
  }

  template <typename Stub, typename Request, typename Response>
  static grpc::Status As(const Who& who,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                         Stub* stub, const Request& request, Response* response) {
    grpc::ClientContext context;
    casework::testing::SetIdentity(context, who.agency, who.user, who.role);
    return (stub->*method)(&context, request, response);
  }

  // Runs a review command as the coordinator, asserting it succeeds.
  template <typename Request>
  void Do(grpc::Status (v1::DeathReviewService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                                v1::DeathReviewResponse*),
          Request request, const Who& who = kCoordinator) {
    request.set_name(review_);
    request.set_request_id(absl::StrCat("rq-", ++requests_));
    v1::DeathReviewResponse out;
    grpc::Status status = As(who, method, reviews_.get(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // A review notified on 1 October, commissioned, with a chair, a police
  // panel member and an IMR due on 16 November.
  void Commission() {
    v1::NotifyDeathRequest notify;
    notify.set_parent("partnerships/eastbrook");
    notify.set_request_id("notify");
    notify.set_notifying_agency("shire-police");
    notify.set_police_reference("SP-HOM-2026-021");
    *notify.mutable_date_of_death() = Date(2026, 9, 29);
    *notify.mutable_date_notified() = Date(2026, 10, 1);
    notify.set_victim_age_at_death(52);
    notify.set_relationship(v1::CURRENT_INTIMATE_PARTNER);
    notify.set_victim_pseudonym("Adult K");
    v1::DeathReviewResponse out;
    ASSERT_TRUE(As(kCoordinator, &v1::DeathReviewService::Stub::NotifyDeath, reviews_.get(),
                   notify, &out).ok());
    review_ = out.death_review().name();
    v1::RecordDecisionRequest decision;
    decision.set_commission(true);
    decision.set_reason("Meets the criteria");
    *decision.mutable_decided_on() = Date(2026, 10, 12);
    *decision.mutable_home_office_notified_on() = Date(2026, 10, 12);
    decision.add_agencies_involved("eastbrook-council");
    Do(&v1::DeathReviewService::Stub::RecordDecision, decision);
    v1::AppointChairRequest chair;
    chair.set_chair_agency(kChair.agency);
    chair.set_chair_user(kChair.user);
    *chair.mutable_appointed_on() = Date(2026, 10, 14);
    Do(&v1::DeathReviewService::Stub::AppointChair, chair);
    v1::AddPanelMemberRequest member;
    member.set_agency(kMember.agency);
    member.set_user(kMember.user);
    member.set_role_title("Detective Chief Inspector, public protection");
    member.set_declared_senior(true);
    member.set_declared_no_direct_involvement(true);
    Do(&v1::DeathReviewService::Stub::AddPanelMember, member);
    v1::AgreeTermsOfReferenceRequest terms;
    *terms.mutable_agreed_on() = Date(2026, 10, 20);
    terms.set_document_reference("DHR-21/TOR");
    Do(&v1::DeathReviewService::Stub::AgreeTermsOfReference, terms);
    v1::RequestAgencyReportRequest imr;
    imr.set_agency("shire-police");
    imr.set_kind(v1::IMR);
    *imr.mutable_requested_on() = Date(2026, 10, 21);
    *imr.mutable_due_on() = Date(2026, 11, 16);
    Do(&v1::DeathReviewService::Stub::RequestAgencyReport, imr);
  }

  // From AGENCY_REPORTS to PUBLISHED, publishing on 2 November.
  void TakeToPublication() {
    v1::ReceiveAgencyReportRequest received;
    received.set_report_id(1);
    *received.mutable_received_on() = Date(2026, 10, 28);
    received.set_document_reference("DHR-21/IMR/police");
    Do(&v1::DeathReviewService::Stub::ReceiveAgencyReport, received);
    v1::RecordDraftRequest draft;
    *draft.mutable_drafted_on() = Date(2026, 10, 29);
    draft.set_overview_report_reference("DHR-21/OR/v1");
    draft.set_executive_summary_reference("DHR-21/ES/v1");
    Do(&v1::DeathReviewService::Stub::RecordDraft, draft);
    v1::SignOffReviewRequest sign;
    *sign.mutable_signed_off_on() = Date(2026, 10, 30);
    Do(&v1::DeathReviewService::Stub::SignOffReview, sign);
    v1::SubmitToHomeOfficeRequest submit;
    *submit.mutable_submitted_on() = Date(2026, 10, 30);
    Do(&v1::DeathReviewService::Stub::SubmitToHomeOffice, submit);
    v1::RecordQaOutcomeRequest qa;
    qa.set_outcome(v1::PUBLISH);
    *qa.mutable_decided_on() = Date(2026, 11, 2);
    Do(&v1::DeathReviewService::Stub::RecordQaOutcome, qa);
    v1::PublishReviewRequest publish;
    *publish.mutable_published_on() = Date(2026, 11, 2);
    publish.set_overview_report_reference("eastbrook.gov.example/dhr-21");
    publish.set_executive_summary_reference("eastbrook.gov.example/dhr-21-summary");
    Do(&v1::DeathReviewService::Stub::PublishReview, publish);
  }

  grpc::Status Get(const Who& who, v1::DeathReview* out) {
    v1::GetDeathReviewRequest get;
    get.set_name(review_);
    return As(who, &v1::DeathReviewService::Stub::GetDeathReview, reviews_.get(), get, out);
  }
  std::vector<std::string> Listed(const Who& who) {
    v1::ListDeathReviewsRequest list;
    list.set_parent("partnerships/eastbrook");
    v1::ListDeathReviewsResponse out;
    grpc::Status status = As(who, &v1::DeathReviewService::Stub::ListDeathReviews, reviews_.get(),
                             list, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::DeathReview& r : out.death_reviews()) {
      names.push_back(absl::StrCat(r.name(), r.restricted() ? " (summary)" : ""));
    }
    return names;
  }
  // The streams of the events `who` reads from the start of the log.
  std::vector<std::string> LogStreams(const Who& who) {
    auto events = v1::EventService::NewStub(InProcess());
    v1::ReadLogRequest read;
    read.set_page_size(1000);
    v1::ReadLogResponse out;
    EXPECT_TRUE(As(who, &v1::EventService::Stub::ReadLog, events.get(), read, &out).ok());
    std::vector<std::string> streams;
    for (const v1::EventEnvelope& e : out.events()) {
      if (streams.empty() || streams.back() != e.stream()) streams.push_back(e.stream());
    }
    return streams;
  }
  // The streams of the events the event feed sends `who`, up to the head.
  std::vector<std::string> FeedStreams(const Who& who) {
    casework::testing::FeedRead read =
        casework::testing::ReadFeedUntilCaughtUp(InProcess(), {}, who.agency, who.user, who.role);
    EXPECT_TRUE(read.status.ok()) << read.status.error_message();
    std::vector<std::string> streams;
    for (const v1::EventEnvelope& e : read.events) {
      if (streams.empty() || streams.back() != e.stream()) streams.push_back(e.stream());
    }
    return streams;
  }
  std::vector<std::string> DueSoon(const Who& who) {
    auto deadlines = v1::DeadlineService::NewStub(InProcess());
    v1::ListDeadlinesRequest list;
    list.set_parent("partnerships/eastbrook");
    list.set_queue(v1::ListDeadlinesRequest::DUE_SOON);
    list.set_within_working_days(20);
    v1::ListDeadlinesResponse out;
    EXPECT_TRUE(As(who, &v1::DeadlineService::Stub::ListDeadlines, deadlines.get(), list, &out).ok());
    std::vector<std::string> items;
    for (const v1::DeadlineItem& i : out.items()) {
      items.push_back(absl::StrCat(i.stream(), "#", i.deadline().name()));
    }
    return items;
  }

  std::unique_ptr<v1::DeathReviewService::Stub> reviews_;
  std::string review_;
  int requests_ = 0;
};

TEST_F(DeathReviewsTest, OnlyItsReadersSeeAReviewBeforePublication) {
  Commission();
  const std::string imr = review_ + "#agency_report/1";

  for (const Who& reader : {kCoordinator, kMember, kChair}) {
    SCOPED_TRACE(reader.user);
    v1::DeathReview review;
    grpc::Status status = Get(reader, &review);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(review.restricted());
    EXPECT_EQ(review.notification().victim_pseudonym(), "Adult K");
    EXPECT_EQ(review.state(), v1::DeathReview::AGENCY_REPORTS);
    EXPECT_THAT(Listed(reader), ::testing::ElementsAre(review_));
    EXPECT_THAT(LogStreams(reader), ::testing::Contains(review_));
    EXPECT_EQ(FeedStreams(reader), LogStreams(reader));
    EXPECT_THAT(DueSoon(reader), ::testing::Contains(imr));
  }
  for (const Who& outsider : {kOutsider, kColleague}) {
    SCOPED_TRACE(outsider.user);
    v1::DeathReview review;
    grpc::Status status = Get(outsider, &review);
    // The answer a missing review gets, word for word.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(status.error_message(), review_ + " does not exist");
    EXPECT_THAT(Listed(outsider), ::testing::IsEmpty());
    EXPECT_THAT(LogStreams(outsider), ::testing::Not(::testing::Contains(review_)));
    // The event feed leaves out exactly what the log does.
    EXPECT_THAT(FeedStreams(outsider), ::testing::Not(::testing::Contains(review_)));
    EXPECT_EQ(FeedStreams(outsider), LogStreams(outsider));
    EXPECT_THAT(LogStreams(outsider), ::testing::Contains("partnerships/eastbrook/policy/current"));
    EXPECT_THAT(DueSoon(outsider), ::testing::Not(::testing::Contains(imr)));

    auto events = v1::EventService::NewStub(InProcess());
    v1::ReadStreamRequest read;
    read.set_stream(review_);
    v1::ReadStreamResponse history;
    EXPECT_EQ(As(outsider, &v1::EventService::Stub::ReadStream, events.get(), read, &history)
                  .error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(history.events_size(), 0);

    v1::RecordFamilyContactRequest contact;
    contact.set_name(review_);
    contact.set_request_id("outsider-contact");
    *contact.mutable_contacted_on() = Date(2026, 11, 2);
    contact.set_summary("Called the family");
    v1::DeathReviewResponse reply;
    grpc::Status refused = As(outsider, &v1::DeathReviewService::Stub::RecordFamilyContact,
                              reviews_.get(), contact, &reply);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_FALSE(reply.has_death_review());
  }
  // No caller may claim to be the engine.
  v1::DeathReview review;
  EXPECT_EQ(Get({"casework", "links", "system"}, &review).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(review.has_notification());
}

TEST_F(DeathReviewsTest, AfterPublicationThePartnershipReadsThePublishedSummary) {
  Commission();
  TakeToPublication();
  v1::DeathReview summary;
  grpc::Status status = Get(kOutsider, &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(summary.restricted());
  EXPECT_EQ(summary.state(), v1::DeathReview::PUBLISHED);
  EXPECT_EQ(summary.publication().executive_summary_reference(),
            "eastbrook.gov.example/dhr-21-summary");
  EXPECT_EQ(workflow::FormatDate(summary.publication().published_on()), "2026-11-02");
  EXPECT_EQ(summary.notification().victim_pseudonym(), "");
  EXPECT_EQ(summary.notification().police_reference(), "");
  EXPECT_EQ(summary.panel_members_size(), 0);
  EXPECT_EQ(summary.agency_reports_size(), 0);
  EXPECT_THAT(Listed(kOutsider), ::testing::ElementsAre(review_ + " (summary)"));
  EXPECT_THAT(Listed(kMember), ::testing::ElementsAre(review_));
  // Its history stays with its readers.
  EXPECT_THAT(LogStreams(kOutsider), ::testing::Not(::testing::Contains(review_)));
}

TEST_F(DeathReviewsTest, ActionPlanItemsReachTheActionLogAndCloseTheReview) {
  Commission();
  TakeToPublication();
  v1::AddActionPlanItemRequest item;
  item.set_recommendation("GPs ask about domestic abuse at every consultation for injuries");
  item.set_action("Routine enquiry audit across GP practices");
  item.set_lead_agency("shire-health");
  *item.mutable_due_on() = Date(2027, 3, 31);
  Do(&v1::DeathReviewService::Stub::AddActionPlanItem, item);

  absl::StatusOr<int> linked = server_->outbox().DeliverDue();
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(*linked, 1);
  EXPECT_EQ(*server_->outbox().DeliverDue(), 0);
  v1::DeathReview review;
  ASSERT_TRUE(Get(kCoordinator, &review).ok());
  ASSERT_EQ(review.action_plan_size(), 1);
  const std::string action_name = review.action_plan(0).action_name();
  ASSERT_TRUE(absl::StartsWith(action_name, "partnerships/eastbrook/actions/")) << action_name;

  auto actions = v1::ActionService::NewStub(InProcess());
  v1::GetActionRequest get;
  get.set_name(action_name);
  v1::Action action;
  ASSERT_TRUE(As(kCoordinator, &v1::ActionService::Stub::GetAction, actions.get(), get, &action).ok());
  EXPECT_EQ(action.title(), "Routine enquiry audit across GP practices");
  EXPECT_EQ(action.owner_agency(), "shire-health");
  EXPECT_EQ(action.source(), review_);
  EXPECT_EQ(workflow::FormatDate(action.due_date()), "2027-03-31");

  v1::CloseReviewRequest close;
  *close.mutable_closed_on() = Date(2026, 11, 2);
  close.set_name(review_);
  close.set_request_id("close-early");
  v1::DeathReviewResponse refused;
  grpc::Status open = As(kCoordinator, &v1::DeathReviewService::Stub::CloseReview, reviews_.get(),
                         close, &refused);
  EXPECT_EQ(open.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(open.error_message(), ::testing::HasSubstr(action_name + ", OPEN"));

  v1::CompleteActionRequest complete;
  complete.set_name(action_name);
  complete.set_request_id("complete");
  complete.set_note("Audit done in all 14 practices");
  v1::ActionResponse completed;
  // The action's owner completes it (the partnership chair may not).
  EXPECT_EQ(As(kCoordinator, &v1::ActionService::Stub::CompleteAction, actions.get(), complete,
               &completed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(As(Who{"shire-health", "u-gp-lead", "caseworker"},
                 &v1::ActionService::Stub::CompleteAction, actions.get(), complete, &completed)
                  .ok());
  Do(&v1::DeathReviewService::Stub::CloseReview, close);
  ASSERT_TRUE(Get(kCoordinator, &review).ok());
  EXPECT_EQ(review.state(), v1::DeathReview::CLOSED);
}

TEST_F(DeathReviewsTest, FiguresCountEveryReviewWithoutNamingAny) {
  Commission();
  v1::PlaceOnHoldRequest hold;
  hold.set_reason(v1::CRIMINAL_TRIAL);
  hold.set_explanation("Trial listed for January");
  *hold.mutable_expected_resume_on() = Date(2027, 1, 29);
  Do(&v1::DeathReviewService::Stub::PlaceOnHold, hold);
  clock_.Set(At(2026, 11, 12));
  v1::GetDeathReviewFiguresRequest request;
  request.set_parent("partnerships/eastbrook");
  v1::DeathReviewFigures figures;
  ASSERT_TRUE(As(kOutsider, &v1::DeathReviewService::Stub::GetDeathReviewFigures, reviews_.get(),
                 request, &figures).ok());
  EXPECT_EQ(figures.notified(), 1);
  EXPECT_EQ(figures.commissioned(), 1);
  EXPECT_EQ(figures.on_hold(), 1);
  EXPECT_EQ(figures.holds(), 1);
  EXPECT_EQ(figures.days_on_hold(), 10);
  ASSERT_EQ(figures.open_by_stage_size(), 1);
  EXPECT_EQ(figures.open_by_stage(0).state(), v1::DeathReview::AGENCY_REPORTS);
  EXPECT_NEAR(figures.mean_months_to_decision(), 11 / 30.44, 1e-9);
}

}  // namespace
}  // namespace casework::services
