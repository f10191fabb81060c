// The complaint ledger figures; see threshold_bench.h.
#include "bench/threshold_bench.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/in_process.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "workflow/actions/commands.h"
#include "workflow/case_review/commands.h"
#include "workflow/case_review/complaints.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/registry.h"

namespace casework::bench {
namespace {

constexpr char kPartnership[] = "bench";
constexpr int kApplicantComplaints = 10000;
constexpr int kApplicantInWindow = 5;
constexpr int kLocalityComplaints = 100000;
constexpr int kLocalityComplainants = 3000;
constexpr int kLocalityYears = 5;
constexpr int kEvaluations = 5;
constexpr int kIntakes = 20;
constexpr int kCommunityEvaluations = 3;
// Commands built and queued at once while loading.
constexpr int kChunk = 8192;

using Steady = std::chrono::steady_clock;

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Max(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

v1::RecordComplaintRequest Complaint(const std::string& id, const std::string& complainant,
                                     const std::string& locality, absl::CivilDay reported,
                                     int delay_days, v1::AgencyKind kind,
                                     v1::ComplaintCategory category, const std::string& incident) {
  v1::RecordComplaintRequest r;
  r.set_parent(absl::StrCat("partnerships/", kPartnership));
  r.set_request_id(absl::StrCat("ledger-", id));
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference(complainant);
  c.set_agency(kind == v1::POLICE ? "shire-police" : "eastbrook-council");
  c.set_agency_kind(kind);
  c.set_source_system(kind == v1::POLICE ? "niche-rms" : "sentinel");
  c.set_source_reference(absl::StrCat("SRC-", id));
  c.set_incident_reference(incident);
  *c.mutable_reported_date() = workflow::ToCivilDate(reported);
  *c.mutable_behaviour_date() = workflow::ToCivilDate(reported - delay_days);
  c.set_category(category);
  c.set_locality(locality);
  c.set_summary("Noise and shouting late at night from the flats opposite");
  return r;
}

// Records complaints 0..n-1 made by `make`, kChunk at a time.
absl::Status RecordMany(InProcessEngine& engine, int n,
                        const std::function<v1::RecordComplaintRequest(int)>& make) {
  for (int start = 0; start < n; start += kChunk) {
    std::vector<storage::Command> commands;
    for (int i = start; i < std::min(n, start + kChunk); ++i) {
      ASSIGN_OR_RETURN(storage::Command c,
                       engine.Make(workflow::case_review::ComplaintWorkflow(),
                                   workflow::case_review::kRecordComplaint, make(i)));
      commands.push_back(std::move(c));
    }
    RETURN_IF_ERROR(engine.RunAll(std::move(commands)).status());
  }
  return absl::OkStatus();
}

// Receives an application by `complainant` about `locality`; its name.
absl::StatusOr<std::string> Receive(InProcessEngine& engine, const std::string& id,
                                    const std::string& complainant, const std::string& locality) {
  v1::ReceiveApplicationRequest r;
  r.set_parent(absl::StrCat("partnerships/", kPartnership));
  r.set_request_id(absl::StrCat("app-", id));
  r.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  r.mutable_applicant()->set_complainant_reference(complainant);
  r.mutable_applicant()->set_locality(locality);
  r.mutable_applicant()->set_category(v1::NUISANCE);
  ASSIGN_OR_RETURN(storage::Command c,
                   engine.Make(workflow::case_review::CaseReviewWorkflow(),
                               workflow::case_review::kReceiveApplication, r));
  std::vector<storage::Command> commands;
  commands.push_back(std::move(c));
  ASSIGN_OR_RETURN(std::vector<std::string> replies, engine.RunAll(std::move(commands)));
  v1::CaseReviewResponse response;
  if (!response.ParseFromString(replies[0])) return absl::DataLossError("bad application reply");
  return response.case_review().name();
}

absl::StatusOr<storage::Command> Evaluation(InProcessEngine& engine, const std::string& review,
                                            const std::string& id) {
  v1::CaseReviewCommand r;
  r.set_name(review);
  r.set_request_id(absl::StrCat("eval-", id));
  return engine.Make(workflow::case_review::CaseReviewWorkflow(),
                     workflow::case_review::kEvaluateThreshold, r);
}

}  // namespace

absl::StatusOr<LedgerFigures> MeasureLedger(const std::string& dir, bool sync) {
  // Friday 20 November 2026, 10:00 in London.
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError("cannot load time zone Europe/London (install tzdata)");
  }
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), london);
  ASSIGN_OR_RETURN(std::unique_ptr<InProcessEngine> engine,
                   InProcessEngine::Open(dir, /*sync=*/false, now));
  const absl::CivilDay today = engine->today();
  LedgerFigures f;
  const Steady::time_point setup_start = Steady::now();

  // The ledgers first (no policy yet, so intake reads nothing).
  //
  // The long ledger: a handful of complaints in the 6 months before today,
  // the rest spread over the five years before the window.
  const int window_days = today - (absl::CivilDay(absl::CivilMonth(today) - 6) +
                                   (absl::CivilDay(today).day() - 1));
  f.applicant_complaints = kApplicantComplaints;
  f.applicant_in_window = kApplicantInWindow;
  RETURN_IF_ERROR(RecordMany(*engine, kApplicantComplaints, [&](int i) {
    const absl::CivilDay reported =
        i < kApplicantInWindow ? today - (10 + 20 * i)
                               : today - (window_days + 1 + (i * 7) % (kLocalityYears * 365));
    return Complaint(absl::StrCat("busy-", i), "cmp-busy", "old-town", reported, 3,
                     i % 2 == 0 ? v1::POLICE : v1::COUNCIL, v1::NUISANCE,
                     absl::StrCat("INC-busy-", i));
  }));
  // The busy locality: 100,000 complaints from 3,000 residents over five
  // years, one day after another.
  f.locality_complaints = kLocalityComplaints;
  const int locality_days = kLocalityYears * 365;
  RETURN_IF_ERROR(RecordMany(*engine, kLocalityComplaints, [&](int i) {
    const int age = static_cast<int>(static_cast<int64_t>(i) * locality_days / kLocalityComplaints);
    if (age <= window_days) ++f.locality_in_window;
    static constexpr v1::ComplaintCategory kCategories[] = {v1::NUISANCE, v1::NUISANCE,
                                                            v1::PERSONAL, v1::ENVIRONMENTAL};
    return Complaint(absl::StrCat("mill-", i), absl::StrCat("res-", i % kLocalityComplainants),
                     "mill-lane", today - age, i % 20, i % 3 == 0 ? v1::POLICE : v1::COUNCIL,
                     kCategories[i % 4], absl::StrCat("INC-mill-", i / 2));
  }));
  {
    v1::PublishPolicyRequest publish;
    publish.set_parent(absl::StrCat("partnerships/", kPartnership));
    publish.set_request_id("policy-1");
    *publish.mutable_policy() = workflow::LlrDefaultPolicy(kPartnership);
    ASSIGN_OR_RETURN(storage::Command c, engine->Make(workflow::PolicyWorkflow(),
                                                      workflow::kPublishPolicy, publish, "admin"));
    std::vector<storage::Command> commands;
    commands.push_back(std::move(c));
    RETURN_IF_ERROR(engine->RunAll(std::move(commands)).status());
  }
  // Measure as caseworkd runs: tables on disk, WAL synced as asked.
  RETURN_IF_ERROR(engine->Reopen(sync));
  f.setup_s = std::chrono::duration<double>(Steady::now() - setup_start).count();

  // The applicant with 10,000 complaints.
  std::vector<double> holds, replies;
  for (int n = 0; n < kEvaluations; ++n) {
    ASSIGN_OR_RETURN(std::string review,
                     Receive(*engine, absl::StrCat("busy-", n), "cmp-busy", "old-town"));
    ASSIGN_OR_RETURN(storage::Command c, Evaluation(*engine, review, absl::StrCat("busy-", n)));
    ASSIGN_OR_RETURN(InProcessEngine::Timed timed, engine->RunTimed(std::move(c)));
    v1::CaseReviewResponse response;
    response.ParseFromString(timed.reply);
    const v1::ThresholdEvaluation& t = response.case_review().threshold();
    if (t.considered_total() != kApplicantInWindow) {
      return absl::InternalError(absl::StrCat("the evaluation considered ", t.considered_total(),
                                              " complaints, expected the ", kApplicantInWindow,
                                              " inside the window"));
    }
    f.eval_rule = t.deciding_rule();
    holds.push_back(Ms(timed.hold));
    replies.push_back(Ms(timed.latency));
  }
  f.evaluations = kEvaluations;
  f.eval_hold_median_ms = Median(holds);
  f.eval_hold_max_ms = Max(holds);
  f.eval_reply_median_ms = Median(replies);

  // Intake for that complainant: reads the window for the notices.
  std::vector<double> intake;
  for (int n = 0; n < kIntakes; ++n) {
    ASSIGN_OR_RETURN(
        storage::Command c,
        engine->Make(workflow::case_review::ComplaintWorkflow(),
                     workflow::case_review::kRecordComplaint,
                     Complaint(absl::StrCat("intake-", n), "cmp-busy", "old-town", today, 1,
                               v1::POLICE, v1::NUISANCE, absl::StrCat("INC-intake-", n))));
    ASSIGN_OR_RETURN(InProcessEngine::Timed timed, engine->RunTimed(std::move(c)));
    intake.push_back(absl::ToDoubleMicroseconds(timed.hold));
  }
  f.intakes = kIntakes;
  double sum = 0;
  for (double us : intake) sum += us;
  f.intake_hold_mean_us = sum / kIntakes;
  f.intake_hold_max_us = Max(intake);

  // The community rule over the busy locality, with an unrelated write
  // submitted 1 ms into each evaluation.
  const std::string evaluate_method =
      workflow::case_review::CaseReviewWorkflow()
          .Command(workflow::case_review::kEvaluateThreshold)
          .method();
  std::vector<double> community, waits;
  for (int n = 0; n < kCommunityEvaluations; ++n) {
    // A new resident, with no complaints of their own: R1 and R2 do not
    // decide, the community rule does.
    ASSIGN_OR_RETURN(std::string review, Receive(*engine, absl::StrCat("mill-", n),
                                                 absl::StrCat("new-res-", n), "mill-lane"));
    ASSIGN_OR_RETURN(storage::Command eval, Evaluation(*engine, review, absl::StrCat("mill-", n)));
    v1::CreateActionRequest create;
    create.set_parent(absl::StrCat("partnerships/", kPartnership));
    create.set_request_id(absl::StrCat("unrelated-", n));
    create.set_title("Arrange joint visit to the flats with housing and neighbourhood police");
    create.set_owner_agency("eastbrook-council");
    *create.mutable_due_date() = workflow::ToCivilDate(today + 28);
    ASSIGN_OR_RETURN(storage::Command unrelated,
                     engine->Make(workflow::actions::ActionWorkflow(),
                                  workflow::actions::kCreateAction, create));

    std::mutex mu;
    std::condition_variable cv;
    int remaining = 2;
    absl::Status error;
    std::string eval_reply;
    Steady::time_point unrelated_done;
    eval.done = [&](absl::StatusOr<std::string> reply, bool) {
      std::lock_guard<std::mutex> lock(mu);
      if (reply.ok()) {
        eval_reply = *std::move(reply);
      } else if (error.ok()) {
        error = reply.status();
      }
      if (--remaining == 0) cv.notify_all();
    };
    unrelated.done = [&](absl::StatusOr<std::string> reply, bool) {
      std::lock_guard<std::mutex> lock(mu);
      unrelated_done = Steady::now();
      if (!reply.ok() && error.ok()) error = reply.status();
      if (--remaining == 0) cv.notify_all();
    };
    auto hold_of = [&](const storage::EngineStats& stats) {
      auto it = stats.holds.find(evaluate_method);
      return it == stats.holds.end() ? storage::WriterHold{} : it->second;
    };
    const storage::WriterHold before = hold_of(engine->engine().stats());
    engine->engine().Submit(std::move(eval));
    absl::SleepFor(absl::Milliseconds(1));
    const Steady::time_point unrelated_submitted = Steady::now();
    engine->engine().Submit(std::move(unrelated));
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return remaining == 0; });
    }
    RETURN_IF_ERROR(error);
    const storage::WriterHold after = hold_of(engine->engine().stats());
    v1::CaseReviewResponse response;
    response.ParseFromString(eval_reply);
    f.community_rule = response.case_review().threshold().deciding_rule();
    community.push_back(Ms(after.total - before.total));
    waits.push_back(std::chrono::duration<double, std::milli>(unrelated_done - unrelated_submitted)
                        .count());
  }
  f.community_evaluations = kCommunityEvaluations;
  f.community_hold_median_ms = Median(community);
  f.community_hold_max_ms = Max(community);
  f.unrelated_wait_median_ms = Median(waits);
  f.unrelated_wait_max_ms = Max(waits);
  return f;
}

}  // namespace casework::bench
