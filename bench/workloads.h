// What casework-bench sends: the engine's operation mix over ActionService
// and EventService, and the baselines' single Echo call.
#ifndef CASEWORK_BENCH_WORKLOADS_H_
#define CASEWORK_BENCH_WORKLOADS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/time/civil_time.h"
#include "bench/load.h"
#include "casework/bench/bench.grpc.pb.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"

namespace casework::bench {

// Calls to a caseworkd, as a few partnerships' staff would make them:
// actions created across partnerships with unique request_ids, progress and
// due-date changes on actions created earlier, reads, filtered lists and
// event history. The mix is the table in Mix() (workloads.cc). Thread-safe.
class EngineWorkload {
 public:
  explicit EngineWorkload(std::shared_ptr<grpc::Channel> channel);

  // The measured mix.
  std::vector<Operation> Mix();
  // CreateAction only: seeds the actions the rest of the mix works on.
  std::vector<Operation> SeedMix();
  // A CreateActionRequest like those the mix sends (to size baseline payloads).
  v1::CreateActionRequest SampleCreateRequest();
  // Actions created through this workload so far.
  size_t known_actions() const;

 private:
  struct KnownAction {
    std::string name;
    absl::CivilDay created_due;
    int due_changes = 0;
  };

  std::unique_ptr<Call> CreateAction(absl::BitGen& rng);
  std::unique_ptr<Call> RecordProgress(absl::BitGen& rng);
  std::unique_ptr<Call> ChangeDueDate(absl::BitGen& rng);
  std::unique_ptr<Call> GetAction(absl::BitGen& rng);
  std::unique_ptr<Call> ListActions(absl::BitGen& rng);
  std::unique_ptr<Call> ReadStream(absl::BitGen& rng);
  std::unique_ptr<Call> ReadLog(absl::BitGen& rng);

  v1::CreateActionRequest NewCreateRequest(absl::BitGen& rng);
  std::string NextRequestId();
  // Attaches the caller identity metadata every casework call carries.
  static std::unique_ptr<Call> Identified(std::unique_ptr<Call> call, absl::BitGen& rng);
  // A random known action. With `change_due`, also counts one more due-date
  // change on it, so that each change asks for a date the action never had.
  std::optional<KnownAction> PickAction(absl::BitGen& rng, bool change_due);
  void Remember(const v1::ActionResponse& response);

  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::EventService::Stub> events_;
  const std::string run_id_;
  const absl::CivilDay today_;
  std::atomic<uint64_t> next_request_{0};
  std::atomic<uint64_t> head_position_{0};
  mutable std::mutex mu_;
  std::vector<KnownAction> known_;  // guarded by mu_
};

// The baselines' mix: one Echo call whose payload is `payload_bytes` long.
class EchoWorkload {
 public:
  EchoWorkload(std::shared_ptr<grpc::Channel> channel, size_t payload_bytes);
  std::vector<Operation> Mix();

 private:
  std::unique_ptr<EchoService::Stub> stub_;
  const std::string run_id_;
  const std::string payload_;
  std::atomic<uint64_t> next_request_{0};
};

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_WORKLOADS_H_
