// What casework-bench sends: the engine's operation mix over every service
// (actions, complaint intake, case reviews, deadline queues, event history)
// and the baselines' single Echo call.
#ifndef CASEWORK_BENCH_WORKLOADS_H_
#define CASEWORK_BENCH_WORKLOADS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "bench/load.h"
#include "casework/bench/bench.grpc.pb.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/deadlines.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"

namespace casework::bench {

// Calls to a caseworkd, as a few partnerships' staff and case systems would
// make them: the action log (actions created, progressed, re-dated, read,
// listed), complaint intake pushed by several source systems one by one and
// in streamed batches (complainants and localities drawn from skewed
// distributions, so that a few have long ledgers), case reviews taken from
// the application through the threshold evaluation to closure, case review
// reads and lists, the deadline queues and event history. The mix is the
// table in Mix() (workloads.cc). Thread-safe.
//
// Calls are spread over the given channels by slot (slot % channels), so
// that no connection carries more calls than caseworkd allows at once.
class EngineWorkload {
 public:
  explicit EngineWorkload(std::vector<std::shared_ptr<grpc::Channel>> channels);

  // Who the calls say they are: a person (an agency, a user, the role each
  // call needs and a purpose: their detail reads are audited), a system
  // calling as itself (role "integration": not audited), or a system whose
  // certificate names it and its agency (mutual TLS: user and role only).
  enum class Caller { kPerson, kSystem, kTransport };
  void set_caller(Caller caller) { caller_ = caller; }

  // The measured mix.
  std::vector<Operation> Mix();

  // Set-up, before the first level (each blocking until done):
  // publishes the default policy in every partnership (role "admin").
  absl::Status PublishPolicies();
  // Creates `actions` actions.
  absl::Status SeedActions(uint64_t actions);
  // Records `complaints` complaints with reported dates over the last three
  // years, through StreamComplaints.
  absl::Status SeedComplaints(uint64_t complaints);
  // Receives and acknowledges `reviews` case reviews and evaluates half of
  // them: the mix starts with reviews waiting for each kind of step.
  absl::Status SeedCaseReviews(uint64_t reviews);

  // A CreateActionRequest like those the mix sends (to size baseline payloads).
  v1::CreateActionRequest SampleCreateRequest();
  // Actions created through this workload so far.
  size_t known_actions() const;
  // Calls of an operation that found nothing to work on and made another
  // call instead (e.g. EvaluateThreshold with no review waiting for one sent
  // a ReceiveApplication), by operation. Should stay empty.
  std::map<std::string, uint64_t> fallbacks() const;
  // Case reviews received, and those taken through their last step.
  uint64_t reviews_received() const { return reviews_received_.load(); }
  uint64_t reviews_finished() const { return reviews_finished_.load(); }
  // Complaints sent (unary and streamed), and those found already recorded.
  uint64_t complaints_sent() const { return complaints_sent_.load(); }

 private:
  struct KnownAction {
    std::string name;
    absl::CivilDay created_due;
    int due_changes = 0;
  };
  // The next step of a case review the workload is taking through its life.
  enum class ReviewStep {
    kAcknowledge,
    kEvaluate,
    kNotify,
    kOverride,
    kAssign,
    kRequestInformation,
    kRecordMeeting,
    kRecordOutcome,
    kCommunicateOutcome,
    kClose,
    kDone,
  };
  struct Review {
    std::string name;
    uint64_t order = 0;  // reception order: the oldest is advanced first
    ReviewStep next = ReviewStep::kAcknowledge;
    bool met = false;
  };
  // A stub per channel.
  template <typename Service>
  using Stubs = std::vector<std::unique_ptr<typename Service::Stub>>;
  using Maker = std::unique_ptr<Call> (EngineWorkload::*)(absl::BitGen&, int);

  // Operations of the mix.
  std::unique_ptr<Call> CreateAction(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> RecordProgress(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ChangeDueDate(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> GetAction(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ListActions(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ListActionNotes(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ReadStream(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ReadLog(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> RecordComplaint(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> StreamComplaints(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ReceiveApplication(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> EvaluateThreshold(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> AdvanceCaseReview(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> GetCaseReview(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ListCaseReviews(absl::BitGen& rng, int slot);
  std::unique_ptr<Call> ListDeadlines(absl::BitGen& rng, int slot);

  // Runs `make` until `calls` calls succeeded, `in_flight` at a time; any
  // failed call fails the set-up.
  absl::Status RunSetup(const std::string& what, Maker make, uint64_t calls, int in_flight);
  // A streamed batch of `items` complaints reported up to `max_age_days` ago.
  std::unique_ptr<Call> ComplaintBatch(absl::BitGen& rng, int slot, int items, int max_age_days);
  std::unique_ptr<Call> SeedComplaintBatch(absl::BitGen& rng, int slot);
  // The call for `review`'s next step (not kEvaluate).
  std::unique_ptr<Call> ReviewCommand(Review review, absl::BitGen& rng, int slot);
  // What the mix does when an operation finds nothing to work on.
  std::unique_ptr<Call> Fallback(const char* operation, absl::BitGen& rng, int slot);

  v1::CreateActionRequest NewCreateRequest(absl::BitGen& rng);
  // A new complaint reported up to `max_age_days` ago in a random
  // partnership (or `partnership`), from a skewed complainant and locality.
  v1::RecordComplaintRequest NewComplaint(absl::BitGen& rng, int max_age_days,
                                          const std::string& partnership = "");
  std::string NextRequestId();
  // Attaches the caller identity metadata every casework call carries.
  std::unique_ptr<Call> Identified(std::unique_ptr<Call> call, absl::BitGen& rng,
                                   const char* role = "caseworker");
  // A random known action. With `change_due`, also counts one more due-date
  // change on it, so that each change asks for a date the action never had.
  std::optional<KnownAction> PickAction(absl::BitGen& rng, bool change_due);
  void Remember(const v1::ActionResponse& response);
  void RememberPosition(uint64_t last_position);
  // Case reviews: record a received one, take one for a step, put it back
  // with its next step after a successful call.
  void ReviewReceived(const v1::CaseReviewResponse& response);
  std::optional<Review> TakeReview(bool evaluate);
  void ReviewAdvanced(Review review, const v1::CaseReviewResponse& response);
  std::optional<std::string> PickReview(absl::BitGen& rng);
  void CountFallback(const char* operation);

  template <typename Service>
  static Stubs<Service> MakeStubs(const std::vector<std::shared_ptr<grpc::Channel>>& channels);
  template <typename Stub>
  static Stub* At(const std::vector<std::unique_ptr<Stub>>& stubs, int slot) {
    return stubs[static_cast<size_t>(slot) % stubs.size()].get();
  }

  Stubs<v1::ActionService> actions_;
  Stubs<v1::EventService> events_;
  Stubs<v1::ComplaintService> complaints_;
  Stubs<v1::CaseReviewService> reviews_;
  Stubs<v1::DeadlineService> deadlines_;
  Stubs<v1::PolicyService> policies_;
  const std::string run_id_;
  const absl::CivilDay today_;
  std::atomic<uint64_t> next_request_{0};
  std::atomic<uint64_t> next_source_reference_{0};
  std::atomic<uint64_t> head_position_{0};
  Caller caller_ = Caller::kPerson;
  std::atomic<uint64_t> reviews_received_{0};
  std::atomic<uint64_t> reviews_finished_{0};
  std::atomic<uint64_t> complaints_sent_{0};
  mutable std::mutex mu_;
  std::vector<KnownAction> known_;           // guarded by mu_
  std::vector<std::string> known_reviews_;   // guarded by mu_
  std::deque<Review> to_acknowledge_;        // guarded by mu_
  std::deque<Review> to_evaluate_;           // guarded by mu_
  std::map<uint64_t, Review> to_advance_;    // guarded by mu_; by order
  uint64_t next_review_order_ = 0;           // guarded by mu_
  std::map<std::string, uint64_t> fallbacks_;  // guarded by mu_
  // Complaints recorded lately, for the duplicates integrations resend.
  std::vector<v1::RecordComplaintRequest> recent_complaints_;  // guarded by mu_
};

// The baselines' mix: one Echo call whose payload is `payload_bytes` long.
class EchoWorkload {
 public:
  EchoWorkload(std::vector<std::shared_ptr<grpc::Channel>> channels, size_t payload_bytes);
  std::vector<Operation> Mix();

 private:
  std::vector<std::unique_ptr<EchoService::Stub>> stubs_;
  const std::string run_id_;
  const std::string payload_;
  std::atomic<uint64_t> next_request_{0};
};

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_WORKLOADS_H_
