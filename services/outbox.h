// The outbox dispatcher: delivers the messages workflows send each other
// (workflow/kernel/outbox.h) as commands, exactly once in effect.
//
// Every poll it reads the message rows of the workflows hosted here and, for
// each message that is due:
//   1. runs the target command: in-process through the engine when the
//      target's service is hosted by this process, else over gRPC to the
//      peer that hosts it (OutboxOptions::peers), carrying the deployment's
//      link key so that the peer runs it as the engine (actor
//      "casework/links/system");
//   2. runs the link command on the source stream, here, with the name the
//      target replied with. Its event removes the row in the same atomic
//      batch: the message is acknowledged.
// Request ids are derived from the source row alone, so a message sent again
// after a crash of either process (before the link landed) gets the first
// reply from the target's request log, or its natural key.
//
// A message the target cannot take now (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, ABORTED, CANCELLED, UNKNOWN: the peer is down, slow or
// busy) is tried again after a backoff doubling from `first_retry` to
// `max_retry`. Any other refusal is for good: the message is parked (kept,
// listed by OutboxService with the error, reported on stderr and in health
// as "casework.outbox" NOT_SERVING) until an operator retries it. Retry
// schedules and parking live in memory: after a restart every message is
// tried once more, which is safe because delivery is idempotent.
//
// Threads: DeliverDue runs on the dispatcher's own thread (Start), so a
// slow peer never holds the timers; List, Get, Retry and parked() may be
// called from any thread.
#ifndef CASEWORK_SERVICES_OUTBOX_H_
#define CASEWORK_SERVICES_OUTBOX_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/calendar_provider.h"
#include "services/placement.h"
#include "services/roles.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/kernel/registry.h"

namespace casework::services {

struct OutboxOptions {
  // The address ("HOST:PORT") of the process that hosts each gRPC service
  // not hosted here, by full service name ("casework.v1.PanelService").
  std::map<std::string, std::string> peers;
  // The deployment's shared link key, sent to peers; peers run a call
  // carrying it as the engine. Required when `peers` is not empty.
  std::string link_key;
  // Credentials of the channels to peers; null: plaintext (loopback).
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;
  // Backoff between attempts of a message its target could not take now.
  absl::Duration first_retry = absl::Seconds(1);
  absl::Duration max_retry = absl::Minutes(5);
  // Deadline of one call to a peer.
  absl::Duration call_timeout = absl::Seconds(10);
  // The partnerships this instance holds: messages for any other (one
  // placed elsewhere, or nowhere while it moves) wait. Null: every one.
  std::shared_ptr<const Placement> placement;
};

// One message waiting, as operators see it.
struct OutboxMessageStatus {
  std::string key;            // its row
  std::string route;          // "panel-referral"
  std::string target_method;  // "casework.v1.PanelService/ReceiveRecommendation"
  std::string request_id;     // of the target command
  std::string peer;           // where it goes: "in-process" or the peer's address
  int attempts = 0;
  std::string last_error;  // empty before a failed attempt
  absl::Time next_attempt = absl::InfinitePast();
  bool parked = false;
};

class OutboxDispatcher {
 public:
  // `hosted(service)`: true if the gRPC service is hosted by this process.
  // Every pointer must outlive the dispatcher.
  OutboxDispatcher(const storage::EventStore* store, storage::Engine* engine,
                   const CalendarProvider* calendars, const workflow::Registry* registry,
                   const Clock* clock, std::function<bool(absl::string_view service)> hosted,
                   OutboxOptions options);

  // Delivers every message that is due and waits for each; returns how many
  // were acknowledged. Errors only when the store cannot be read. Without
  // `include_peers`, only messages whose target is in this process (start-up
  // does not wait for peers). A peer that could not take a message now is
  // not asked again in the same pass.
  absl::StatusOr<int> DeliverDue(bool include_peers = true);

  // The messages waiting for `partnership` whose row sorts after `after`,
  // at most `limit`, in row order.
  absl::StatusOr<std::vector<OutboxMessageStatus>> List(absl::string_view partnership,
                                                        absl::string_view after, int limit) const;
  // The message of row `key` of `partnership`; NOT_FOUND if there is none.
  absl::StatusOr<OutboxMessageStatus> Get(absl::string_view partnership,
                                          absl::string_view key) const;
  // Makes the message of row `key` of `partnership` due now (a parked one
  // is unparked). NOT_FOUND if the partnership has no message with that row.
  absl::Status Retry(absl::string_view partnership, absl::string_view key);
  // How many messages are parked.
  int parked() const;

  // Starts a thread that calls DeliverDue every `poll` (real time) until
  // Stop(). Errors reading the store are reported on stderr and tried again
  // at the next poll.
  void Start(absl::Duration poll);
  // Stops the thread: a call to a peer in flight is cancelled (its message
  // is sent again by the next start). Idempotent; the destructor calls it.
  void Stop();
  ~OutboxDispatcher();
  // Called (outside the dispatcher's lock) when the number of parked
  // messages changed in a pass or by Retry: health follows it.
  void SetParkedListener(std::function<void()> listener) { parked_listener_ = std::move(listener); }

 private:
  struct Attempts {
    int attempts = 0;
    absl::Time next = absl::InfinitePast();
    std::string last_error;
    bool parked = false;
  };
  // One DeliverDue pass.
  struct Pass {
    bool include_peers = true;
    absl::flat_hash_set<std::string> unreachable;  // peers that failed this pass
  };
  // Delivers one message; true if acknowledged.
  bool Deliver(const workflow::OutboxRoute& route, const storage::StoredRow& row, Pass& pass);
  // The hosted workflows' routes, by prefix.
  std::vector<const workflow::OutboxRoute*> HostedRoutes() const;
  // How operators see the message of `row`.
  OutboxMessageStatus Describe(const workflow::OutboxRoute& route,
                               const storage::StoredRow& row) const;
  // Runs `type` with `request`: here through the engine, or at the peer.
  absl::StatusOr<std::string> Run(const workflow::CommandType& type,
                                  const google::protobuf::Message& request);
  absl::StatusOr<std::string> RunHere(const workflow::CommandType& type,
                                      const google::protobuf::Message& request);
  absl::StatusOr<std::string> RunAtPeer(const std::string& address,
                                        const workflow::CommandType& type,
                                        const google::protobuf::Message& request);
  // Where `type` runs: "in-process", the peer's address, or empty (nowhere).
  std::string PeerOf(const workflow::CommandType& type) const;
  // Records a failed attempt: a retry after backoff, or parked.
  void Failed(const std::string& key, const absl::Status& error);

  const storage::EventStore* store_;
  storage::Engine* engine_;
  const CalendarProvider* calendars_;
  const workflow::Registry* registry_;
  const Clock* clock_;
  std::function<bool(absl::string_view)> hosted_;
  const OutboxOptions options_;
  // Source states for the routes' deliveries.
  const workflow::ReadStateFn read_state_;
  std::function<void()> parked_listener_;
  // Channels to peers, by address (used by DeliverDue's thread only).
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;

  mutable std::mutex mu_;
  // Messages that failed at least once, by row key (as many as the outbox
  // holds: a pass forgets the rows it no longer finds); guarded by mu_.
  absl::flat_hash_map<std::string, Attempts> attempts_;

  // The polling thread.
  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                     // guarded by thread_mu_
  grpc::ClientContext* in_flight_ = nullptr;  // guarded by thread_mu_: a call to a peer
  std::thread thread_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_OUTBOX_H_
