// The engine's operation mix and the baselines' Echo; see workloads.h.
#include "bench/workloads.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"

namespace casework::bench {
namespace {

// Fictional partnerships, agencies and action titles in the style of a CSP
// action log.
constexpr const char* kPartnerships[] = {"eastbrook", "westmere", "northfield", "southwick"};
constexpr const char* kAgencies[] = {"eastbrook-council", "shire-police",    "shire-fire",
                                     "nhs-shire-icb",     "probation-shire", "eastbrook-homes"};
constexpr const char* kTitles[] = {
    "Arrange joint visit to the flats with housing and neighbourhood police",
    "Share ASB hotspot data for the town centre with the licensing team",
    "Review CCTV coverage on the canal towpath after recent incidents",
    "Agree a youth diversion offer for the skate park group",
    "Write to the landlord about fly-tipping behind the shopping parade",
    "Refer the repeat-caller household to the community MARAC coordinator",
};
constexpr const char* kNotes[] = {
    "Visited with housing officer; residents report less noise since the last meeting",
    "Data shared with licensing; awaiting their review at the next panel",
    "Landlord replied, clearance booked for next week",
    "Spoke to the youth service, two sessions offered on Friday evenings",
};
constexpr int kListPageSize = 20;
constexpr int kReadLogPageSize = 50;
// Most known actions kept for the mix to pick from.
constexpr size_t kMaxKnownActions = 200000;

template <typename T, size_t N>
const T& PickFrom(const T (&items)[N], absl::BitGen& rng) {
  return items[absl::Uniform<size_t>(rng, 0, N)];
}

std::string NewRunId() {
  absl::BitGen rng;
  return absl::StrFormat("%012x", absl::Uniform<uint64_t>(rng) & 0xffffffffffffULL);
}

}  // namespace

EngineWorkload::EngineWorkload(std::shared_ptr<grpc::Channel> channel)
    : actions_(v1::ActionService::NewStub(channel)),
      events_(v1::EventService::NewStub(channel)),
      run_id_(NewRunId()),
      today_(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())) {}

std::vector<Operation> EngineWorkload::Mix() {
  // The operation mix, weights in percent. When a workflow lands, add its
  // calls here (e.g. complaint intake: SubmitComplaint, case reviews:
  // RequestCaseReview) with a method below, and rebalance the weights.
  struct Row {
    const char* name;
    int weight;
    std::unique_ptr<Call> (EngineWorkload::*make)(absl::BitGen&);
  };
  static constexpr Row kMix[] = {
      {"CreateAction", 45, &EngineWorkload::CreateAction},
      {"RecordProgress", 20, &EngineWorkload::RecordProgress},
      {"ChangeDueDate", 5, &EngineWorkload::ChangeDueDate},
      {"GetAction", 15, &EngineWorkload::GetAction},
      {"ListActions", 10, &EngineWorkload::ListActions},
      {"ReadStream", 4, &EngineWorkload::ReadStream},
      {"ReadLog", 1, &EngineWorkload::ReadLog},
  };
  std::vector<Operation> mix;
  for (const Row& row : kMix) {
    mix.push_back({row.name, row.weight,
                   [this, make = row.make](absl::BitGen& rng) { return (this->*make)(rng); }});
  }
  return mix;
}

std::vector<Operation> EngineWorkload::SeedMix() {
  return {{"CreateAction", 1, [this](absl::BitGen& rng) { return CreateAction(rng); }}};
}

v1::CreateActionRequest EngineWorkload::SampleCreateRequest() {
  absl::BitGen rng;
  return NewCreateRequest(rng);
}

size_t EngineWorkload::known_actions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return known_.size();
}

std::string EngineWorkload::NextRequestId() {
  return absl::StrCat("bench-", run_id_, "-", next_request_.fetch_add(1));
}

std::unique_ptr<Call> EngineWorkload::Identified(std::unique_ptr<Call> call, absl::BitGen& rng) {
  call->context.AddMetadata(services::kAgencyHeader, PickFrom(kAgencies, rng));
  call->context.AddMetadata(services::kUserHeader,
                            absl::StrCat("u", absl::Uniform(rng, 1000, 10000)));
  call->context.AddMetadata(services::kRoleHeader, "caseworker");
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

void EngineWorkload::Remember(const v1::ActionResponse& response) {
  uint64_t head = head_position_.load();
  const uint64_t last = response.commit().last_position();
  while (last > head && !head_position_.compare_exchange_weak(head, last)) {
  }
  KnownAction action{response.action().name(), workflow::ToCivilDay(response.action().due_date())};
  std::lock_guard<std::mutex> lock(mu_);
  if (known_.size() < kMaxKnownActions) {
    known_.push_back(std::move(action));
  } else {
    known_[last % known_.size()] = std::move(action);
  }
}

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

std::unique_ptr<Call> EngineWorkload::CreateAction(absl::BitGen& rng) {
  return Identified(
      MakeCall(actions_.get(), &v1::ActionService::Stub::PrepareAsyncCreateAction,
               NewCreateRequest(rng), [this](const v1::ActionResponse& r) { Remember(r); }),
      rng);
}

std::unique_ptr<Call> EngineWorkload::RecordProgress(absl::BitGen& rng) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng);
  v1::RecordProgressRequest r;
  r.set_name(action->name);
  r.set_request_id(NextRequestId());
  r.set_note(PickFrom(kNotes, rng));
  return Identified(
      MakeCall(actions_.get(), &v1::ActionService::Stub::PrepareAsyncRecordProgress, r), rng);
}

std::unique_ptr<Call> EngineWorkload::ChangeDueDate(absl::BitGen& rng) {
  std::optional<KnownAction> action = PickAction(rng, true);
  if (!action) return CreateAction(rng);
  v1::ChangeDueDateRequest r;
  r.set_name(action->name);
  r.set_request_id(NextRequestId());
  *r.mutable_due_date() = workflow::ToCivilDate(action->created_due + action->due_changes);
  r.set_reason("Partner agency needs more time; agreed at the tasking meeting");
  return Identified(
      MakeCall(actions_.get(), &v1::ActionService::Stub::PrepareAsyncChangeDueDate, r), rng);
}

std::unique_ptr<Call> EngineWorkload::GetAction(absl::BitGen& rng) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng);
  v1::GetActionRequest r;
  r.set_name(action->name);
  return Identified(MakeCall(actions_.get(), &v1::ActionService::Stub::PrepareAsyncGetAction, r),
                    rng);
}

std::unique_ptr<Call> EngineWorkload::ListActions(absl::BitGen& rng) {
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
  return Identified(MakeCall(actions_.get(), &v1::ActionService::Stub::PrepareAsyncListActions, r),
                    rng);
}

std::unique_ptr<Call> EngineWorkload::ReadStream(absl::BitGen& rng) {
  std::optional<KnownAction> action = PickAction(rng, false);
  if (!action) return CreateAction(rng);
  v1::ReadStreamRequest r;
  r.set_stream(action->name);
  return Identified(MakeCall(events_.get(), &v1::EventService::Stub::PrepareAsyncReadStream, r),
                    rng);
}

std::unique_ptr<Call> EngineWorkload::ReadLog(absl::BitGen& rng) {
  v1::ReadLogRequest r;
  r.set_from_position(absl::Uniform<uint64_t>(absl::IntervalClosed, rng, 1,
                                              std::max<uint64_t>(head_position_.load(), 1)));
  r.set_page_size(kReadLogPageSize);
  return Identified(MakeCall(events_.get(), &v1::EventService::Stub::PrepareAsyncReadLog, r), rng);
}

EchoWorkload::EchoWorkload(std::shared_ptr<grpc::Channel> channel, size_t payload_bytes)
    : stub_(EchoService::NewStub(channel)), run_id_(NewRunId()), payload_([payload_bytes] {
        std::string payload(payload_bytes, ' ');
        absl::BitGen rng;
        for (char& c : payload) c = static_cast<char>(absl::Uniform(rng, 'a', 'z'));
        return payload;
      }()) {}

std::vector<Operation> EchoWorkload::Mix() {
  return {{"Echo", 1, [this](absl::BitGen&) {
             EchoMessage m;
             m.set_request_id(absl::StrCat("bench-", run_id_, "-", next_request_.fetch_add(1)));
             m.set_payload(payload_);
             return MakeCall(stub_.get(), &EchoService::Stub::PrepareAsyncEcho, std::move(m));
           }}};
}

}  // namespace casework::bench
