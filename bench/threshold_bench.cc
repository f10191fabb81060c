#include "bench/threshold_bench.h"

#include <stdlib.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/engine.h"
#include "workflow/case_review/commands.h"
#include "workflow/case_review/complaints.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/registry.h"
#include "workflow/time/calendar.h"

namespace casework::bench {
namespace {

// The engine command for `request` of command `name` of `workflow`.
template <typename Request>
storage::Command Make(const workflow::Workflow& workflow, workflow::CommandName<Request> name,
                      const Request& request,
                      const std::shared_ptr<const workflow::Calendar>& calendar) {
  return storage::MakeCommand(workflow.Command(name), std::make_shared<const Request>(request),
                              calendar);
}

// Submits every command at once and waits for all; returns the first error.
absl::StatusOr<std::vector<std::string>> RunAll(storage::Engine& engine,
                                                std::vector<storage::Command> commands) {
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = commands.size();
  std::vector<std::string> replies(commands.size());
  absl::Status first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i].meta.actor.set_agency("bench-council");
    commands[i].meta.actor.set_user("bench");
    commands[i].meta.actor.set_role("admin");
    commands[i].done = [&, i](absl::StatusOr<std::string> reply, bool) {
      std::lock_guard<std::mutex> lock(mu);
      if (reply.ok()) {
        replies[i] = *std::move(reply);
      } else if (first_error.ok()) {
        first_error = reply.status();
      }
      if (--remaining == 0) cv.notify_all();
    };
    engine.Submit(std::move(commands[i]));
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  if (!first_error.ok()) return first_error;
  return replies;
}

}  // namespace

absl::StatusOr<ThresholdFigures> MeasureThreshold(int complaints, int evaluations) {
  const char* base = getenv("TMPDIR");
  std::string dir = std::string(base != nullptr ? base : "/tmp") + "/casework-threshold-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError("mkdtemp failed");

  ThresholdFigures figures;
  figures.complaints = complaints;
  figures.evaluations = evaluations;
  {
    storage::StoreOptions options;
    options.path = dir + "/data";
    options.sync = false;  // generation only; the evaluations below are timed with it too
    ASSIGN_OR_RETURN(std::unique_ptr<storage::EventStore> store, storage::EventStore::Open(options));
    // Friday 20 November 2026, London.
    absl::TimeZone london;
    absl::LoadTimeZone("Europe/London", &london);
    ManualClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), london));
    storage::EngineOptions engine_options;
    engine_options.time_zone = london;
    storage::Engine engine(store.get(), &clock, engine_options);
    auto calendar = std::make_shared<const workflow::Calendar>(
        *workflow::Calendar::FromBankHolidaysJson(workflow::BundledBankHolidaysJson(), 1));

    // The ledger first (no policy yet, so intake raises no notices), spread
    // over the year before the applications.
    std::vector<storage::Command> intake;
    for (int i = 0; i < complaints; ++i) {
      v1::RecordComplaintRequest r;
      r.set_parent("partnerships/bench");
      r.set_request_id(absl::StrCat("c-", i));
      v1::Complaint& c = *r.mutable_complaint();
      c.set_complainant_reference("cmp-busy");
      c.set_agency("bench-police");
      c.set_agency_kind(i % 3 == 0 ? v1::POLICE : (i % 3 == 1 ? v1::COUNCIL : v1::HEALTH));
      c.set_source_system("bench");
      c.set_source_reference(absl::StrCat("SRC-", i));
      c.set_incident_reference(absl::StrCat("INC-", i / 2));  // pairs: one incident, two reports
      const absl::CivilDay reported = absl::CivilDay(2026, 11, 19) - (i % 365);
      *c.mutable_reported_date() = workflow::ToCivilDate(reported);
      *c.mutable_behaviour_date() = workflow::ToCivilDate(reported - (i % 45));
      c.set_category(v1::NUISANCE);
      c.set_hate_related(false);
      c.set_locality("mill-lane");
      intake.push_back(Make(workflow::case_review::ComplaintWorkflow(),
                            workflow::case_review::kRecordComplaint, r, calendar));
    }
    RETURN_IF_ERROR(RunAll(engine, std::move(intake)).status());

    v1::PublishPolicyRequest publish;
    publish.set_parent("partnerships/bench");
    publish.set_request_id("policy-1");
    *publish.mutable_policy() = workflow::LlrDefaultPolicy("bench");
    std::vector<storage::Command> policy;
    policy.push_back(
        Make(workflow::PolicyWorkflow(), workflow::kPublishPolicy, publish, calendar));
    RETURN_IF_ERROR(RunAll(engine, std::move(policy)).status());

    std::vector<double> times;
    for (int n = 0; n < evaluations; ++n) {
      v1::ReceiveApplicationRequest application;
      application.set_parent("partnerships/bench");
      application.set_request_id(absl::StrCat("app-", n));
      application.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
      application.mutable_applicant()->set_complainant_reference("cmp-busy");
      application.mutable_applicant()->set_locality("mill-lane");
      application.mutable_applicant()->set_category(v1::NUISANCE);
      std::vector<storage::Command> receive;
      receive.push_back(Make(workflow::case_review::CaseReviewWorkflow(),
                             workflow::case_review::kReceiveApplication, application, calendar));
      ASSIGN_OR_RETURN(std::vector<std::string> received, RunAll(engine, std::move(receive)));
      v1::CaseReviewResponse response;
      response.ParseFromString(received[0]);

      v1::CaseReviewCommand evaluate;
      evaluate.set_name(response.case_review().name());
      evaluate.set_request_id(absl::StrCat("eval-", n));
      std::vector<storage::Command> run;
      run.push_back(Make(workflow::case_review::CaseReviewWorkflow(),
                         workflow::case_review::kEvaluateThreshold, evaluate, calendar));
      const absl::Time start = absl::Now();
      ASSIGN_OR_RETURN(std::vector<std::string> evaluated, RunAll(engine, std::move(run)));
      times.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      response.ParseFromString(evaluated[0]);
      if (response.case_review().threshold().considered_size() != complaints) {
        return absl::InternalError(absl::StrCat(
            "evaluation considered ", response.case_review().threshold().considered_size(),
            " complaints, expected ", complaints));
      }
    }
    std::sort(times.begin(), times.end());
    figures.median_ms = times[times.size() / 2];
    figures.max_ms = times.back();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return figures;
}

}  // namespace casework::bench
