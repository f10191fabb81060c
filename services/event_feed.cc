#include "services/event_feed.h"

#include <atomic>
#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/access.h"
#include "services/grpc_status.h"
#include "services/paging.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

// The collection of `stream`: "complaints" of
// "partnerships/eastbrook/complaints/7", "calendars" of "calendars/england".
absl::string_view StreamType(absl::string_view stream) {
  if (absl::ConsumePrefix(&stream, "partnerships/")) {
    const size_t slash = stream.find('/');
    if (slash == absl::string_view::npos) return {};
    stream.remove_prefix(slash + 1);
  }
  return stream.substr(0, stream.find('/'));
}

// The full name of an Any's message type.
absl::string_view PayloadType(const v1::EventEnvelope& event) {
  absl::string_view url = event.payload().type_url();
  return url.substr(url.rfind('/') + 1);
}

// A Subscribe call refused before it started.
class Refusal final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  explicit Refusal(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::SubscribeResponse>* RefuseSubscription(const absl::Status& status) {
  return new Refusal(status);
}

namespace {

// Whose subscription it is, for the per-caller cap.
std::string CallerOf(const v1::Actor& actor) {
  return absl::StrCat(actor.agency(), "/", actor.user());
}

absl::Status ShuttingDown() {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "SERVER_SHUTTING_DOWN",
                         "the server is shutting down: subscribe again (here after the restart, "
                         "or to another instance) from the last checkpoint or event received");
}

}  // namespace

bool FeedFilter::Matches(const v1::EventEnvelope& event) const {
  if (!stream_prefix.empty() && !absl::StartsWith(event.stream(), stream_prefix)) return false;
  if (!stream_types.empty() && !stream_types.contains(StreamType(event.stream()))) return false;
  if (!event_types.empty() && !event_types.contains(PayloadType(event))) return false;
  return true;
}

// One Subscribe call. Owned by gRPC until OnDone, and by the feed thread
// while it pumps it: deleted when the last of them lets go.
class Subscription final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  Subscription(EventFeed* feed, v1::Actor actor, FeedFilter filter, uint64_t after,
               int checkpoint_interval)
      : feed_(feed),
        actor_(std::move(actor)),
        filter_(std::move(filter)),
        interval_(static_cast<uint64_t>(checkpoint_interval)),
        next_(after + 1),
        checkpointed_(after) {}

  const v1::Actor& actor() const { return actor_; }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Sends the next message if none is in flight: from the batch in hand,
  // else from a new batch read from the log; nothing while the
  // subscription is at the head. Finishes the call once it was cancelled
  // or the feed is stopping.
  void Pump() {
    const v1::SubscribeResponse* write = nullptr;
    std::optional<absl::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || finished_) return;
      if (cancelled_) {
        finish = absl::CancelledError("the subscription was cancelled");
      } else if (stopping_) {
        finish = ShuttingDown();
      } else {
        if (batch_.empty()) {
          absl::Status read = ReadBatch();
          if (!read.ok()) finish = read;
        }
        if (!finish.has_value() && !batch_.empty()) {
          current_ = std::move(batch_.front());
          batch_.pop_front();
          writing_ = true;
          write = &current_;
        }
      }
      if (finish.has_value()) {
        finished_ = true;
        batch_.clear();
      }
    }
    // Outside the lock: gRPC may run OnWriteDone before StartWrite returns.
    if (finish.has_value()) {
      Finish(ToGrpcStatus(*finish));
    } else if (write != nullptr) {
      StartWrite(write);
    }
  }

  // The feed is stopping: finish once the message in flight is sent.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      // Not sent: the client went away (or the server is cancelling calls).
      if (!ok) cancelled_ = true;
    }
    Pump();
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    Pump();
  }

  void OnDone() override {
    feed_->Remove(this);
    Unref();
  }

 private:
  // Reads the log from next_ into batch_, up to the feed's batch limits:
  // the events that match and that the caller may read, a checkpoint every
  // interval_ positions, and one on reaching the head if one is due.
  absl::Status ReadBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const storage::EventStore& store = *feed_->deps().store;
    const FeedOptions& options = feed_->options();
    if (next_ <= store.LastPosition()) {
      // A new filter per batch: access follows the case (a death review
      // once published, a policy's new shares).
      ReadFilter access(feed_->deps(), actor_);
      absl::Status denied;
      size_t bytes = 0;
      int read = 0;
      RETURN_IF_ERROR(store.ScanLog(next_, [&](const v1::EventEnvelope& event) {
        next_ = event.global_position() + 1;
        ++read;
        if (filter_.Matches(event)) {
          absl::StatusOr<bool> may = access.MayRead(event.stream());
          if (!may.ok()) {
            denied = may.status();
            return false;
          }
          if (*may) {
            bytes += PageItemBytes(event);
            *batch_.emplace_back().mutable_event() = event;
          }
        }
        if (event.global_position() - checkpointed_ >= interval_) {
          AddCheckpoint(event.global_position(), store.LastPosition());
        }
        return static_cast<int>(batch_.size()) < options.batch_events &&
               bytes < options.batch_bytes && read < options.batch_positions;
      }));
      RETURN_IF_ERROR(denied);
    }
    // At the head: a checkpoint, at once the first time (even with nothing
    // read: the client learns it is caught up), then for the positions
    // passed since the last one at most once per
    // caught_up_checkpoint_every (the feed thread comes back for it).
    const uint64_t head = store.LastPosition();
    const absl::Time now = absl::Now();
    if (next_ > head && (next_ - 1 > checkpointed_ || (!reached_head_ && !caught_up_sent_)) &&
        now - last_caught_up_ >= options.caught_up_checkpoint_every) {
      AddCheckpoint(next_ - 1, head);
      last_caught_up_ = now;
    }
    if (next_ > head) reached_head_ = true;
    return absl::OkStatus();
  }

  void AddCheckpoint(uint64_t position, uint64_t head) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    v1::Checkpoint* checkpoint = batch_.emplace_back().mutable_checkpoint();
    checkpoint->set_position(position);
    checkpoint->set_head_position(std::max(head, position));
    checkpointed_ = position;
    caught_up_sent_ = position >= head;
  }

  EventFeed* const feed_;
  const v1::Actor actor_;
  const FeedFilter filter_;
  const uint64_t interval_;
  std::atomic<int> refs_{1};  // gRPC's, until OnDone

  absl::Mutex mu_;
  // The next log position to read, and the last checkpoint's.
  uint64_t next_ ABSL_GUARDED_BY(mu_);
  uint64_t checkpointed_ ABSL_GUARDED_BY(mu_);
  // When the last checkpoint at the head was sent.
  absl::Time last_caught_up_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool reached_head_ ABSL_GUARDED_BY(mu_) = false;
  // The last checkpoint said "caught up" (its position was the head).
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  // Read, not yet sent.
  std::deque<v1::SubscribeResponse> batch_ ABSL_GUARDED_BY(mu_);
  // The message in flight (while writing_), untouched until OnWriteDone.
  v1::SubscribeResponse current_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

EventFeed::EventFeed(const ServiceDeps& deps, FeedOptions options)
    : deps_(deps), options_(options) {
  deps_.store->SetCommitListener([this](uint64_t) { Committed(); });
  thread_ = std::thread([this] { Run(); });
}

EventFeed::~EventFeed() {
  Shutdown();
  deps_.store->SetCommitListener(nullptr);
  {
    absl::MutexLock lock(&head_mu_);
    stop_ = true;
  }
  wake_.Signal();
  thread_.join();
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventFeed::Subscribe(v1::Actor actor,
                                                                     FeedFilter filter,
                                                                     uint64_t after,
                                                                     int checkpoint_interval) {
  Subscription* subscription = nullptr;
  {
    absl::MutexLock lock(&subs_mu_);
    if (shutting_down_) return RefuseSubscription(ShuttingDown());
    if (static_cast<int>(subs_.size()) >= options_.max_subscriptions) {
      return RefuseSubscription(ErrorWithReason(
          absl::StatusCode::kResourceExhausted, "TOO_MANY_SUBSCRIPTIONS",
          absl::StrCat("the server already serves its maximum of ", options_.max_subscriptions,
                       " subscriptions; retry with backoff")));
    }
    int& mine = by_caller_[CallerOf(actor)];
    if (mine >= options_.max_subscriptions_per_caller) {
      return RefuseSubscription(ErrorWithReason(
          absl::StatusCode::kResourceExhausted, "TOO_MANY_SUBSCRIPTIONS",
          absl::StrCat("this caller already has ", mine,
                       " subscriptions open, the most one caller may; end one (one "
                       "subscription per system, filtered, is usually enough)")));
    }
    ++mine;
    subscription = new Subscription(this, std::move(actor), std::move(filter), after,
                                    checkpoint_interval);
    subs_.insert(subscription);
    count_.store(static_cast<int>(subs_.size()));
  }
  subscription->Pump();
  return subscription;
}

void EventFeed::Shutdown() {
  std::vector<Subscription*> subs;
  {
    absl::MutexLock lock(&subs_mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    for (Subscription* s : subs_) {
      s->Ref();
      subs.push_back(s);
    }
  }
  for (Subscription* s : subs) {
    s->Stop();
    s->Unref();
  }
}

int EventFeed::active() const {
  absl::MutexLock lock(&subs_mu_);
  return static_cast<int>(subs_.size());
}

void EventFeed::Committed() {
  // No one to wake (a new subscription reads the head itself; one that
  // read it just before this commit is pumped by the feed thread's
  // once-a-second round at the latest): the writer goes straight on.
  if (count_.load() == 0) return;
  // Under the lock: the feed thread looks at the head and waits while
  // holding it, so the signal cannot fall between the two.
  absl::MutexLock lock(&head_mu_);
  wake_.Signal();
}

void EventFeed::Remove(Subscription* subscription) {
  absl::MutexLock lock(&subs_mu_);
  subs_.erase(subscription);
  auto mine = by_caller_.find(CallerOf(subscription->actor()));
  if (mine != by_caller_.end() && --mine->second <= 0) by_caller_.erase(mine);
  count_.store(static_cast<int>(subs_.size()));
}

void EventFeed::Run() {
  uint64_t seen = deps_.store->LastPosition();
  for (;;) {
    {
      absl::MutexLock lock(&head_mu_);
      if (!stop_ && deps_.store->LastPosition() == seen) {
        wake_.WaitWithTimeout(&head_mu_, options_.caught_up_checkpoint_every);
      }
      if (stop_) return;
      seen = deps_.store->LastPosition();
    }
    // Every subscription: those at the head read what was committed, those
    // with a message in flight return at once.
    std::vector<Subscription*> subs;
    {
      absl::MutexLock lock(&subs_mu_);
      subs.reserve(subs_.size());
      for (Subscription* s : subs_) {
        s->Ref();
        subs.push_back(s);
      }
    }
    for (Subscription* s : subs) {
      s->Pump();
      s->Unref();
    }
  }
}

}  // namespace casework::services
