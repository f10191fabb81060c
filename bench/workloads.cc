// The engine's action-log operations, setup and the baselines' Echo; see
// workloads.h (complaint intake, case reviews and deadlines: workloads_cases.cc).
#include "bench/workloads.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/workload_data.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::bench {

using namespace workload_data;  // NOLINT: the mix's fictional data


template <typename Service>
EngineWorkload::Stubs<Service> EngineWorkload::MakeStubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  Stubs<Service> stubs;
  for (const auto& channel : channels) stubs.push_back(Service::NewStub(channel));
  return stubs;
}

EngineWorkload::EngineWorkload(std::vector<std::shared_ptr<grpc::Channel>> channels)
    : actions_(MakeStubs<v1::ActionService>(channels)),
      events_(MakeStubs<v1::EventService>(channels)),
      complaints_(MakeStubs<v1::ComplaintService>(channels)),
      reviews_(MakeStubs<v1::CaseReviewService>(channels)),
      deadlines_(MakeStubs<v1::DeadlineService>(channels)),
      policies_(MakeStubs<v1::PolicyService>(channels)),
      run_id_(NewRunId()),
      today_(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())) {}

std::vector<Operation> EngineWorkload::Mix() {
  // The operation mix, weights in percent (README.md explains each row).
  // When a workflow lands, add its calls here with a method below, and
  // rebalance the weights.
  struct Row {
    const char* name;
    int weight;
    Maker make;
  };
  static constexpr Row kMix[] = {
      // The action log.
      {"CreateAction", 10, &EngineWorkload::CreateAction},
      {"RecordProgress", 8, &EngineWorkload::RecordProgress},
      {"ChangeDueDate", 3, &EngineWorkload::ChangeDueDate},
      {"GetAction", 10, &EngineWorkload::GetAction},
      {"ListActions", 4, &EngineWorkload::ListActions},
      {"ListActionNotes", 2, &EngineWorkload::ListActionNotes},
      {"ReadStream", 3, &EngineWorkload::ReadStream},
      {"ReadLog", 1, &EngineWorkload::ReadLog},
      // Complaint intake from the source systems.
      {"RecordComplaint", 20, &EngineWorkload::RecordComplaint},
      {"StreamComplaints", 2, &EngineWorkload::StreamComplaints},
      // Case reviews.
      {"ReceiveApplication", 2, &EngineWorkload::ReceiveApplication},
      {"EvaluateThreshold", 2, &EngineWorkload::EvaluateThreshold},
      {"AdvanceCaseReview", 14, &EngineWorkload::AdvanceCaseReview},
      {"GetCaseReview", 9, &EngineWorkload::GetCaseReview},
      {"ListCaseReviews", 4, &EngineWorkload::ListCaseReviews},
      // Deadline queues.
      {"ListDeadlines", 6, &EngineWorkload::ListDeadlines},
  };
  std::vector<Operation> mix;
  for (const Row& row : kMix) {
    mix.push_back({row.name, row.weight, [this, make = row.make](absl::BitGen& rng, int slot) {
                     return (this->*make)(rng, slot);
                   }});
  }
  return mix;
}

absl::Status EngineWorkload::RunSetup(const std::string& what, Maker make, uint64_t calls,
                                      int in_flight) {
  if (calls == 0) return absl::OkStatus();
  LevelOptions options;
  options.in_flight = in_flight;
  options.warmup = absl::ZeroDuration();
  options.duration = absl::Minutes(5);
  options.max_calls = calls;
  options.call_deadline = absl::Seconds(60);
  std::vector<Operation> mix = {
      {what, 1, [this, make](absl::BitGen& rng, int slot) { return (this->*make)(rng, slot); }}};
  absl::StatusOr<LevelResult> result = RunLevel(mix, options);
  if (!result.ok()) return result.status();
  if (result->errors > 0) {
    return absl::InternalError(absl::StrCat(
        what, ": ", result->errors, " calls failed; ",
        result->error_samples.empty() ? "" : result->error_samples.front()));
  }
  return absl::OkStatus();
}

absl::Status EngineWorkload::PublishPolicies() {
  for (const char* partnership : kPartnerships) {
    v1::PublishPolicyRequest r;
    r.set_parent(absl::StrCat("partnerships/", partnership));
    r.set_request_id(NextRequestId());
    *r.mutable_policy() = workflow::LlrDefaultPolicy(partnership);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata(services::kAgencyHeader, "eastbrook-council");
    context.AddMetadata(services::kUserHeader, "u-admin");
    context.AddMetadata(services::kRoleHeader, "admin");
    v1::Policy reply;
    grpc::Status status = policies_[0]->PublishPolicy(&context, r, &reply);
    if (!status.ok()) {
      return absl::InternalError(
          absl::StrCat("PublishPolicy for ", partnership, ": ", status.error_message()));
    }
  }
  return absl::OkStatus();
}

absl::Status EngineWorkload::SeedActions(uint64_t actions) {
  return RunSetup("CreateAction", &EngineWorkload::CreateAction, actions, 32);
}

absl::Status EngineWorkload::SeedComplaints(uint64_t complaints) {
  return RunSetup("StreamComplaints", &EngineWorkload::SeedComplaintBatch,
                  (complaints + kSeedStreamedComplaints - 1) / kSeedStreamedComplaints, 4);
}

absl::Status EngineWorkload::SeedCaseReviews(uint64_t reviews) {
  if (absl::Status s =
          RunSetup("ReceiveApplication", &EngineWorkload::ReceiveApplication, reviews, 32);
      !s.ok()) {
    return s;
  }
  // Acknowledgements come first among the steps.
  if (absl::Status s =
          RunSetup("AdvanceCaseReview", &EngineWorkload::AdvanceCaseReview, reviews, 32);
      !s.ok()) {
    return s;
  }
  // Half are evaluated, so that the mix starts with reviews at every step.
  return RunSetup("EvaluateThreshold", &EngineWorkload::EvaluateThreshold, reviews / 2, 32);
}

v1::CreateActionRequest EngineWorkload::SampleCreateRequest() {
  absl::BitGen rng;
  return NewCreateRequest(rng);
}

size_t EngineWorkload::known_actions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return known_.size();
}

std::map<std::string, uint64_t> EngineWorkload::fallbacks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fallbacks_;
}

void EngineWorkload::CountFallback(const char* operation) {
  std::lock_guard<std::mutex> lock(mu_);
  ++fallbacks_[operation];
}

std::string EngineWorkload::NextRequestId() {
  return absl::StrCat("bench-", run_id_, "-", next_request_.fetch_add(1));
}

std::unique_ptr<Call> EngineWorkload::Identified(std::unique_ptr<Call> call, absl::BitGen& rng,
                                                 const char* role) {
  if (caller_ == Caller::kTransport) {
    // The certificate names the system and its agency; the system states
    // who it is acting as.
    call->context.AddMetadata(services::kUserHeader, "bench-system");
    call->context.AddMetadata(services::kRoleHeader, "integration");
    return call;
  }
  if (caller_ == Caller::kSystem) role = "integration";
  call->context.AddMetadata(services::kAgencyHeader, kCallerAgency);
  call->context.AddMetadata(services::kUserHeader,
                            absl::StrCat("u", absl::Uniform(rng, 1000, 10000)));
  call->context.AddMetadata(services::kRoleHeader, role);
  if (caller_ == Caller::kPerson) call->context.AddMetadata(services::kPurposeHeader, "case work");
  return call;
}

std::optional<EngineWorkload::KnownAction> EngineWorkload::PickAction(absl::BitGen& rng,
                                                                      bool change_due) {
  std::lock_guard<std::mutex> lock(mu_);
  if (known_.empty()) return std::nullopt;
  KnownAction& action = known_[absl::Uniform<size_t>(rng, 0, known_.size())];
  if (change_due) ++action.due_changes;
  return action;
}

void EngineWorkload::RememberPosition(uint64_t last) {
  uint64_t head = head_position_.load();
  while (last > head && !head_position_.compare_exchange_weak(head, last)) {
  }
}

void EngineWorkload::Remember(const v1::ActionResponse& response) {
  const uint64_t last = response.commit().last_position();
  RememberPosition(last);
  KnownAction action{response.action().name(), workflow::ToCivilDay(response.action().due_date())};
  std::lock_guard<std::mutex> lock(mu_);
  if (known_.size() < kMaxKnownActions) {
    known_.push_back(std::move(action));
  } else {
    known_[last % known_.size()] = std::move(action);
  }
}

std::unique_ptr<Call> EngineWorkload::Fallback(const char* operation, absl::BitGen& rng,
                                               int slot) {
  CountFallback(operation);
  return ReceiveApplication(rng, slot);
}

// ---- The action log ----

v1::CreateActionRequest EngineWorkload::NewCreateRequest(absl::BitGen& rng) {
  const std::string partnership = PickFrom(kPartnerships, rng);
  v1::CreateActionRequest r;
  r.set_parent(absl::StrCat("partnerships/", partnership));
  r.set_request_id(NextRequestId());
  r.set_title(PickFrom(kTitles, rng));
  r.set_owner_agency(PickFrom(kAgencies, rng));
  // Due in one to eighteen weeks: nothing falls overdue while the bench runs.
  *r.mutable_due_date() = workflow::ToCivilDate(today_ + absl::Uniform(rng, 7, 127));
  r.set_source(absl::StrCat("partnerships/", partnership, "/meetings/2026-11"));
  return r;
}

std::unique_ptr<Call> EngineWorkload::CreateAction(absl::BitGen& rng, int slot) {
  return Identified(MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncCreateAction,
                             NewCreateRequest(rng),
                             [this](const v1::ActionResponse& r) { Remember(r); }),
                    rng);
}

std::unique_ptr<Call> EngineWorkload::RecordProgress(absl::BitGen& rng, int slot) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng, slot);
  v1::RecordProgressRequest r;
  r.set_name(action->name);
  r.set_request_id(NextRequestId());
  r.set_note(PickFrom(kNotes, rng));
  return Identified(
      MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncRecordProgress, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ChangeDueDate(absl::BitGen& rng, int slot) {
  std::optional<KnownAction> action = PickAction(rng, true);
  if (!action) return CreateAction(rng, slot);
  v1::ChangeDueDateRequest r;
  r.set_name(action->name);
  r.set_request_id(NextRequestId());
  *r.mutable_due_date() = workflow::ToCivilDate(action->created_due + action->due_changes);
  r.set_reason("Partner agency needs more time; agreed at the tasking meeting");
  return Identified(
      MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncChangeDueDate, r), rng);
}

std::unique_ptr<Call> EngineWorkload::GetAction(absl::BitGen& rng, int slot) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng, slot);
  v1::GetActionRequest r;
  r.set_name(action->name);
  return Identified(
      MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncGetAction, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ListActions(absl::BitGen& rng, int slot) {
  v1::ListActionsRequest r;
  r.set_parent(absl::StrCat("partnerships/", PickFrom(kPartnerships, rng)));
  r.set_page_size(kListPageSize);
  switch (absl::Uniform(rng, 0, 4)) {
    case 0:  // the whole log
      break;
    case 1:
      r.set_state(v1::Action::OPEN);
      break;
    case 2:
      r.set_owner_agency(PickFrom(kAgencies, rng));
      break;
    default:
      r.set_overdue_only(true);
      // "What will be overdue in two months?"
      *r.mutable_today() = workflow::ToCivilDate(today_ + 60);
      break;
  }
  return Identified(
      MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncListActions, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ListActionNotes(absl::BitGen& rng, int slot) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng, slot);
  v1::ListActionNotesRequest r;
  r.set_name(action->name);
  r.set_page_size(kListPageSize);
  return Identified(
      MakeCall(At(actions_, slot), &v1::ActionService::Stub::PrepareAsyncListActionNotes, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ReadStream(absl::BitGen& rng, int slot) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng, slot);
  v1::ReadStreamRequest r;
  r.set_stream(action->name);
  return Identified(
      MakeCall(At(events_, slot), &v1::EventService::Stub::PrepareAsyncReadStream, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ReadLog(absl::BitGen& rng, int slot) {
  v1::ReadLogRequest r;
  r.set_from_position(absl::Uniform<uint64_t>(absl::IntervalClosed, rng, 1,
                                              std::max<uint64_t>(head_position_.load(), 1)));
  r.set_page_size(kReadLogPageSize);
  return Identified(MakeCall(At(events_, slot), &v1::EventService::Stub::PrepareAsyncReadLog, r),
                    rng);
}

// ---- The baselines ----

EchoWorkload::EchoWorkload(std::vector<std::shared_ptr<grpc::Channel>> channels,
                           size_t payload_bytes)
    : run_id_(NewRunId()), payload_([payload_bytes] {
        std::string payload(payload_bytes, ' ');
        absl::BitGen rng;
        for (char& c : payload) c = static_cast<char>(absl::Uniform(rng, 'a', 'z'));
        return payload;
      }()) {
  for (const auto& channel : channels) stubs_.push_back(EchoService::NewStub(channel));
}

std::vector<Operation> EchoWorkload::Mix() {
  return {{"Echo", 1, [this](absl::BitGen&, int slot) {
             EchoMessage m;
             m.set_request_id(absl::StrCat("bench-", run_id_, "-", next_request_.fetch_add(1)));
             m.set_payload(payload_);
             return MakeCall(stubs_[static_cast<size_t>(slot) % stubs_.size()].get(),
                             &EchoService::Stub::PrepareAsyncEcho, std::move(m));
           }}};
}

}  // namespace casework::bench
