// The retention schedule through the real gRPC API, on a real sealed data
// directory: a scripted history of complaints and actions closed over
// seven years, the cases the review job lists on given days (exactly those
// past their period), and decisions to retain and to delete — what a
// deletion erases, who it keeps and why, and that every decision is
// recorded.
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/retention.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/case_review_fixture.h"
#include "workflow/registry.h"
#include "workflow/retention/commands.h"

namespace casework::services::case_review_testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kErased[] = "[erased]";

std::string ReasonOf(const grpc::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

std::string Complaint(int n) { return absl::StrCat("partnerships/eastbrook/complaints/", n); }
std::string ActionName(int n) { return absl::StrCat("partnerships/eastbrook/actions/", n); }

class RetentionTest : public CaseReviewTest {
 protected:
  void SetUp() override {
    clock_.Set(At(2019, 1, 10));
    Start();  // sealed, as deployed
    v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
    v1::RetentionPeriod& actions = *policy.mutable_retention()->add_periods();
    actions.set_case_type("action");
    actions.set_years_after_closure(5);
    Publish(policy);
  }

  std::unique_ptr<v1::RetentionService::Stub> Retention() {
    return v1::RetentionService::NewStub(InProcess());
  }
  std::unique_ptr<v1::ActionService::Stub> Actions() {
    return v1::ActionService::NewStub(InProcess());
  }

  void RecordOn(absl::CivilDay day, const std::string& source, const std::string& complainant,
                const std::string& summary, const std::string& perpetrator = "") {
    clock_.Set(absl::FromCivil(day + 0, absl::UTCTimeZone()) + absl::Hours(10));
    const v1::CivilDate date = Date(day.year(), day.month(), day.day());
    v1::RecordComplaintRequest r = ComplaintRequest(source, complainant, date, date);
    r.mutable_complaint()->set_summary(summary);
    if (!perpetrator.empty()) r.mutable_complaint()->add_perpetrator_references(perpetrator);
    Record(r);
  }

  // Creates an action on `created` and, if `completed` is set, completes it
  // then.
  void ActionOn(absl::CivilDay created, std::optional<absl::CivilDay> completed,
                const std::string& title) {
    clock_.Set(absl::FromCivil(created, absl::UTCTimeZone()) + absl::Hours(10));
    v1::CreateActionRequest create;
    create.set_parent("partnerships/eastbrook");
    create.set_request_id(absl::StrCat("act-", ++actions_made_));
    create.set_title(title);
    create.set_owner_agency("eastbrook-council");
    *create.mutable_due_date() = Date(created.year() + 1, 1, 31);
    v1::ActionResponse out;
    grpc::Status made =
        Call(&v1::ActionService::Stub::CreateAction, Actions().get(), create, &out);
    ASSERT_TRUE(made.ok()) << made.error_message();
    if (!completed.has_value()) return;
    clock_.Set(absl::FromCivil(*completed, absl::UTCTimeZone()) + absl::Hours(10));
    v1::CompleteActionRequest complete;
    complete.set_name(out.action().name());
    complete.set_request_id(absl::StrCat("done-", actions_made_));
    complete.set_note("Visit made with housing; no further concerns");
    grpc::Status status =
        Call(&v1::ActionService::Stub::CompleteAction, Actions().get(), complete, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The cases due on `as_of` (today when unset), as "name due-date".
  std::vector<std::string> Due(std::optional<v1::CivilDate> as_of = std::nullopt,
                               std::vector<v1::DueCase>* cases = nullptr) {
    v1::ListDueForReviewRequest request;
    request.set_parent("partnerships/eastbrook");
    if (as_of.has_value()) *request.mutable_as_of() = *as_of;
    v1::ListDueForReviewResponse out;
    grpc::Status status = Call(&v1::RetentionService::Stub::ListDueForReview, Retention().get(),
                               request, &out, "data_protection_officer");
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.next_page_token(), "");
    std::vector<std::string> names;
    for (const v1::DueCase& c : out.cases()) {
      names.push_back(absl::StrCat(c.case_name(), " ", workflow::FormatDate(c.due_date())));
      if (cases != nullptr) cases->push_back(c);
    }
    return names;
  }

  grpc::Status Decide(const std::string& request_id, const std::string& case_name,
                      v1::RetentionReview::Decision decision, v1::RetentionReview* out,
                      std::optional<v1::CivilDate> next_review = std::nullopt,
                      const std::string& role = "data_protection_officer") {
    v1::DecideRetentionRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(request_id);
    request.set_case_name(case_name);
    request.set_decision(decision);
    request.set_reason(decision == v1::RetentionReview::RETAIN
                           ? "Linked to injunction proceedings still before the court"
                           : "Retention period over; no reason to keep it");
    if (next_review.has_value()) *request.mutable_next_review_date() = *next_review;
    return Call(&v1::RetentionService::Stub::DecideRetention, Retention().get(), request, out,
                role);
  }

  v1::RetentionReview GetReview(const std::string& name) {
    v1::GetRetentionReviewRequest request;
    request.set_name(name);
    v1::RetentionReview out;
    grpc::Status status = Call(&v1::RetentionService::Stub::GetRetentionReview, Retention().get(),
                               request, &out, "data_protection_officer");
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::Complaint GetComplaint(int n) {
    v1::GetComplaintRequest request;
    request.set_name(Complaint(n));
    v1::Complaint out;
    grpc::Status status =
        Call(&v1::ComplaintService::Stub::GetComplaint, Complaints().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Seven years of history:
  //   complaints/1  2019-01-10  cmp-old   (due 2025-01-10)
  //   complaints/2  2019-01-10  cmp-gone  (due 2025-01-10)
  //   complaints/3  2019-02-01  cmp-old, about per-only-here (due 2025-02-01)
  //   actions/1     closed 2019-03-01 (due 2024-03-01: actions keep 5 years)
  //   actions/2     open since 2019-03-01: never due
  //   actions/3     closed 2021-06-01 (due 2026-06-01)
  //   complaints/4  2025-05-01  cmp-old   (due 2031-05-01)
  void ScriptHistory() {
    RecordOn(absl::CivilDay(2019, 1, 10), "S-1", "cmp-old", "Noise from the garages at Hollin Row");
    RecordOn(absl::CivilDay(2019, 1, 10), "S-2", "cmp-gone", "Graffiti on the Hollin Row shelter");
    RecordOn(absl::CivilDay(2019, 2, 1), "S-3", "cmp-old", "Threats by the Hollin Row garages",
             "per-only-here");
    ActionOn(absl::CivilDay(2019, 2, 1), absl::CivilDay(2019, 3, 1), "Joint visit to Hollin Row");
    ActionOn(absl::CivilDay(2019, 3, 1), std::nullopt, "Install lighting at the garages");
    ActionOn(absl::CivilDay(2021, 5, 1), absl::CivilDay(2021, 6, 1), "Letter to the garage owners");
    RecordOn(absl::CivilDay(2025, 5, 1), "S-4", "cmp-old", "Noise again at the garages");
    clock_.Set(At(2026, 11, 30));
  }

  int actions_made_ = 0;
};

TEST_F(RetentionTest, TheReviewJobListsExactlyTheCasesPastTheirDate) {
  ScriptHistory();
  std::vector<v1::DueCase> cases;
  EXPECT_THAT(Due(std::nullopt, &cases),
              ElementsAre(ActionName(1) + " 2024-03-01", ActionName(3) + " 2026-06-01",
                          Complaint(1) + " 2025-01-10", Complaint(2) + " 2025-01-10",
                          Complaint(3) + " 2025-02-01"));
  EXPECT_EQ(cases[0].case_type(), "action");
  EXPECT_EQ(cases[2].case_type(), "complaint");
  EXPECT_EQ(cases[0].close_time().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilHour(2019, 3, 1, 10), absl::UTCTimeZone())));
  EXPECT_EQ(cases[0].last_review(), "");
  // The day before actions/3 falls due, and the day complaints/4 does.
  EXPECT_THAT(Due(Date(2026, 5, 31)),
              ElementsAre(ActionName(1) + " 2024-03-01", Complaint(1) + " 2025-01-10",
                          Complaint(2) + " 2025-01-10", Complaint(3) + " 2025-02-01"));
  EXPECT_THAT(Due(Date(2024, 3, 1)), ElementsAre(ActionName(1) + " 2024-03-01"));
  EXPECT_THAT(Due(Date(2024, 2, 29)), ElementsAre());
  EXPECT_EQ(Due(Date(2031, 5, 1)).size(), 6u);

  // Not yet due, or still open: refused, with the date.
  v1::RetentionReview review;
  grpc::Status status = Decide("d-early", Complaint(4), v1::RetentionReview::DELETE, &review);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "NOT_DUE_FOR_REVIEW");
  EXPECT_THAT(status.error_message(), HasSubstr("is due for review on 2031-05-01"));
  status = Decide("d-open", ActionName(2), v1::RetentionReview::DELETE, &review);
  EXPECT_EQ(ReasonOf(status), "NOT_DUE_FOR_REVIEW");
  EXPECT_THAT(status.error_message(), HasSubstr("is open (OPEN)"));
  // Only a data protection officer decides.
  status = Decide("d-cw", Complaint(2), v1::RetentionReview::DELETE, &review, std::nullopt,
                  "caseworker");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A retained case needs a next review date after today.
  status = Decide("d-bad", Complaint(1), v1::RetentionReview::RETAIN, &review, Date(2026, 11, 30));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("next_review_date"));
}

TEST_F(RetentionTest, RetainAndDeleteAreRecordedAndDeleteErasesWhoIsInNoOtherRetainedCase) {
  ScriptHistory();
  v1::RetentionReview retained;
  grpc::Status status =
      Decide("d-1", Complaint(1), v1::RetentionReview::RETAIN, &retained, Date(2027, 6, 1));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retained.name(), "partnerships/eastbrook/retentionReviews/1");
  EXPECT_EQ(retained.case_type(), "complaint");
  EXPECT_EQ(retained.years_after_closure(), 6);
  EXPECT_EQ(workflow::FormatDate(retained.due_date()), "2025-01-10");
  EXPECT_EQ(retained.decided_by().role(), "data_protection_officer");
  EXPECT_EQ(retained.erasures_size(), 0);
  // Not due again until its next review.
  EXPECT_THAT(Due(), ElementsAre(ActionName(1) + " 2024-03-01", ActionName(3) + " 2026-06-01",
                                 Complaint(2) + " 2025-01-10", Complaint(3) + " 2025-02-01"));
  std::vector<v1::DueCase> later;
  Due(Date(2027, 6, 1), &later);
  ASSERT_EQ(later[2].case_name(), Complaint(1));
  EXPECT_EQ(workflow::FormatDate(later[2].due_date()), "2027-06-01");
  EXPECT_EQ(later[2].last_review(), retained.name());

  // cmp-gone is in complaints/2 alone: erased with it.
  v1::RetentionReview gone;
  status = Decide("d-2", Complaint(2), v1::RetentionReview::DELETE, &gone);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(gone.erasures_size(), 2);
  EXPECT_EQ(gone.erasures(0).record(), Complaint(2));
  EXPECT_EQ(gone.erasures(1).subject(), v1::COMPLAINANT);
  // The reply names whom it erased; read again, the reference is erased too.
  EXPECT_EQ(gone.erasures(1).complainant_reference(), "cmp-gone");
  EXPECT_EQ(GetReview(gone.name()).erasures(1).complainant_reference(), kErased);
  EXPECT_THAT(gone.erasures(1).legal_basis(), HasSubstr("retention: 6 years after closure"));
  EXPECT_EQ(gone.kept_size(), 0);
  const v1::Complaint two = GetComplaint(2);
  EXPECT_EQ(two.complainant_reference(), kErased);
  EXPECT_EQ(two.summary(), kErased);
  EXPECT_EQ(workflow::FormatDate(two.reported_date()), "2019-01-10");  // what is not personal stays

  // cmp-old is also in complaints/1 (retained) and complaints/4: kept;
  // per-only-here is in complaints/3 alone: erased.
  v1::RetentionReview three;
  status = Decide("d-3", Complaint(3), v1::RetentionReview::DELETE, &three);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(three.erasures_size(), 2);
  EXPECT_EQ(three.erasures(1).subject(), v1::PERPETRATOR);
  EXPECT_EQ(three.erasures(1).perpetrator_reference(), "per-only-here");
  EXPECT_EQ(GetReview(three.name()).erasures(1).perpetrator_reference(), kErased);
  ASSERT_EQ(three.kept_size(), 1);
  EXPECT_EQ(three.kept(0).subject(), v1::COMPLAINANT);
  EXPECT_THAT(three.kept(0).also_in(), ElementsAre(Complaint(1), Complaint(4)));
  const v1::Complaint three_now = GetComplaint(3);
  EXPECT_EQ(three_now.complainant_reference(), "cmp-old");
  EXPECT_THAT(three_now.perpetrator_references(), ElementsAre(kErased));
  EXPECT_EQ(GetComplaint(1).complainant_reference(), "cmp-old");

  // An action's own text is the record's: erased.
  v1::RetentionReview action;
  ASSERT_TRUE(Decide("d-4", ActionName(1), v1::RetentionReview::DELETE, &action).ok());
  v1::GetActionRequest get;
  get.set_name(ActionName(1));
  v1::Action read;
  ASSERT_TRUE(Call(&v1::ActionService::Stub::GetAction, Actions().get(), get, &read).ok());
  EXPECT_EQ(read.title(), kErased);
  EXPECT_EQ(read.state(), v1::Action::COMPLETED);
  // Reopened after its deletion and completed again: back under the
  // schedule, due five years after its new closing.
  v1::ReopenActionRequest reopen;
  reopen.set_name(ActionName(1));
  reopen.set_request_id("reopen-1");
  reopen.set_reason("The problem came back");
  v1::ActionResponse reopened;
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::ReopenAction, Actions().get(), reopen, &reopened).ok());
  v1::CompleteActionRequest complete;
  complete.set_name(ActionName(1));
  complete.set_request_id("complete-again-1");
  complete.set_note("Done again");
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::CompleteAction, Actions().get(), complete, &reopened).ok());
  EXPECT_THAT(Due(Date(2031, 11, 30)),
              ::testing::Contains(ActionName(1) + " 2031-11-30"));

  // A deleted case is deleted for good; the retry of the decision replays it.
  v1::RetentionReview again;
  status = Decide("d-5", Complaint(2), v1::RetentionReview::DELETE, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "ALREADY_DELETED");
  EXPECT_THAT(status.error_message(), HasSubstr("retentionReviews/2"));
  ASSERT_TRUE(Decide("d-2", Complaint(2), v1::RetentionReview::DELETE, &again).ok());
  EXPECT_EQ(again.name(), gone.name());

  EXPECT_THAT(Due(), ElementsAre(ActionName(3) + " 2026-06-01"));

  // Every decision is recorded, oldest first; and by case.
  v1::ListRetentionReviewsRequest list;
  list.set_parent("partnerships/eastbrook");
  v1::ListRetentionReviewsResponse reviews;
  ASSERT_TRUE(Call(&v1::RetentionService::Stub::ListRetentionReviews, Retention().get(), list,
                   &reviews, "auditor")
                  .ok());
  ASSERT_EQ(reviews.reviews_size(), 4);
  EXPECT_EQ(reviews.reviews(0).decision(), v1::RetentionReview::RETAIN);
  EXPECT_EQ(reviews.reviews(3).case_name(), ActionName(1));
  list.set_case_name(Complaint(2));
  ASSERT_TRUE(Call(&v1::RetentionService::Stub::ListRetentionReviews, Retention().get(), list,
                   &reviews, "auditor")
                  .ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).name(), gone.name());
}

TEST_F(RetentionTest, ThePolicyNamesKnownCaseTypesOnce) {
  v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
  policy.mutable_retention()->add_periods()->set_case_type("case_reveiw");
  policy.mutable_retention()->mutable_periods(0)->set_years_after_closure(0);
  v1::PublishPolicyRequest request;
  request.set_request_id("policy-bad");
  *request.mutable_policy() = policy;
  request.set_parent("partnerships/eastbrook");
  v1::Policy out;
  grpc::Status status =
      Call(&v1::PolicyService::Stub::PublishPolicy, Policies().get(), request, &out, "admin");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("retention.periods[0].case_type"));
  EXPECT_THAT(status.error_message(), HasSubstr("retention.periods[0].years_after_closure"));
}

// The policy's case types are exactly the workflows under the schedule.
TEST(RetentionCaseTypesTest, AreTheWorkflowsThatDeclareRetention) {
  std::vector<std::string> declared;
  for (const workflow::Workflow* w : workflow::Workflows().workflows()) {
    if (w->has_retention()) declared.emplace_back(w->name());
  }
  std::vector<std::string> listed(workflow::retention::CaseTypes().begin(),
                                  workflow::retention::CaseTypes().end());
  std::sort(declared.begin(), declared.end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(declared, listed);
}

}  // namespace
}  // namespace casework::services::case_review_testing
