// The live event feed behind casework.v1.EventService.Subscribe.
//
// A subscription reads the global log from its position, a batch at a
// time, and sends what its filter and the caller's access let through,
// with checkpoints; once it has reached the head it waits for the next
// commit. The writer only tells the feed the new head position
// (EventStore::SetCommitListener); events are read back from the log (a
// recent one from RocksDB's memtable), never copied to subscribers by the
// writer. So a subscriber costs the writer nothing, and holds at most one
// batch in memory (FeedOptions::batch_events, batch_bytes) however far
// behind its client is: a client that stops reading leaves its subscription
// parked on one unsent message, and when it reads again the subscription
// goes on from the log where it stopped.
//
// Threads: gRPC's callback threads send and take the next batch as each
// message is written; one feed thread wakes the subscriptions waiting at
// the head when the head moves (and once a second, to send a caught-up
// subscriber's due checkpoint).
#ifndef CASEWORK_SERVICES_EVENT_FEED_H_
#define CASEWORK_SERVICES_EVENT_FEED_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "casework/v1/events.pb.h"
#include "services/service_deps.h"

namespace casework::services {

struct FeedOptions {
  // Subscriptions at once; one more is refused with RESOURCE_EXHAUSTED
  // (TOO_MANY_SUBSCRIPTIONS). Default: 100.
  int max_subscriptions = 100;
  // Subscriptions at once of one caller (agency and user), so that one
  // system cannot take them all; one more is refused the same way.
  // Default: 8.
  int max_subscriptions_per_caller = 8;
  // One batch read from the log for a subscriber: at most this many
  // messages, and it ends once its events reach batch_bytes.
  int batch_events = 256;
  size_t batch_bytes = size_t{1} << 20;
  // Most log positions one batch reads (a batch of a rare filter ends after
  // this many, with a checkpoint, instead of scanning to the head).
  int batch_positions = 10000;
  // A subscriber at the head gets a checkpoint at most this often while
  // events it does not match keep coming.
  absl::Duration caught_up_checkpoint_every = absl::Seconds(1);
};

// What a subscription lets through (besides the caller's access).
struct FeedFilter {
  // "partnerships/{p}/", or empty for all.
  std::string stream_prefix;
  // Collections ("complaints"); empty: all.
  absl::flat_hash_set<std::string> stream_types;
  // Payload message full names; empty: all.
  absl::flat_hash_set<std::string> event_types;

  bool Matches(const v1::EventEnvelope& event) const;
};

class Subscription;

// A Subscribe call finished at once with `status`.
grpc::ServerWriteReactor<v1::SubscribeResponse>* RefuseSubscription(const absl::Status& status);

class EventFeed {
 public:
  // `deps` (store, registry, policies) must outlive the feed. Starts the
  // feed's thread and listens to the store's commits.
  EventFeed(const ServiceDeps& deps, FeedOptions options);
  // Shutdown(), then stops listening and joins the thread. Every
  // subscription must be done (the gRPC server shut down) first.
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // The reactor serving one Subscribe call for `actor` (already allowed to
  // call it), from after position `after`, with a checkpoint at least every
  // `checkpoint_interval` positions read.
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(v1::Actor actor, FeedFilter filter,
                                                             uint64_t after,
                                                             int checkpoint_interval);

  // Ends every subscription with UNAVAILABLE (SERVER_SHUTTING_DOWN) as soon
  // as its message in flight, if any, is sent; refuses new ones likewise.
  // Idempotent.
  void Shutdown();

  // Subscriptions being served now.
  int active() const;

  const ServiceDeps& deps() const { return deps_; }
  const FeedOptions& options() const { return options_; }

 private:
  friend class Subscription;
  // The store's commit listener: wakes the feed thread.
  void Committed();
  void Run();
  // Called by a subscription's OnDone.
  void Remove(Subscription* subscription);

  const ServiceDeps deps_;
  const FeedOptions options_;

  // The feed thread's wake-up (it compares the store's head with the last
  // it saw).
  absl::Mutex head_mu_;
  bool stop_ ABSL_GUARDED_BY(head_mu_) = false;
  absl::CondVar wake_;

  // The subscriptions being served. Held while the feed thread pumps them,
  // so that none is deleted meanwhile.
  mutable absl::Mutex subs_mu_;
  absl::flat_hash_set<Subscription*> subs_ ABSL_GUARDED_BY(subs_mu_);
  // Subscriptions by caller ("agency/user").
  absl::flat_hash_map<std::string, int> by_caller_ ABSL_GUARDED_BY(subs_mu_);
  // subs_.size(), for the writer: with no subscription a commit wakes no one.
  std::atomic<int> count_{0};
  bool shutting_down_ ABSL_GUARDED_BY(subs_mu_) = false;

  std::thread thread_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_EVENT_FEED_H_
