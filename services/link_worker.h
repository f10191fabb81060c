// Delivers the links between workflows that one command cannot write: an
// escalated panel case implies a row under kEscalatingPrefix (written in
// the same atomic batch as its escalation) until its link lands; for each
// such row the worker opens the parent panel's case (ReceiveEscalation) and
// records the link on the escalated case (LinkEscalation), through the
// normal engine pipeline as the "casework/links/system" actor.
//
// Both commands are idempotent (ReceiveEscalation by its natural key, both
// by request ids derived from the escalated case), so a row delivered twice,
// or half-delivered before a crash, is finished exactly once. This is a
// transactional outbox: the row is the message, the link event its
// acknowledgement.
#ifndef CASEWORK_SERVICES_LINK_WORKER_H_
#define CASEWORK_SERVICES_LINK_WORKER_H_

#include "absl/status/statusor.h"
#include "services/calendar_provider.h"
#include "storage/engine.h"
#include "storage/event_store.h"

namespace casework::services {

class LinkWorker {
 public:
  // Both pointers must outlive the worker.
  LinkWorker(const storage::EventStore* store, storage::Engine* engine,
             const CalendarProvider* calendars)
      : store_(store), engine_(engine), calendars_(calendars) {}

  // Delivers every pending link and waits for each; returns how many
  // escalations were linked. A link that cannot be delivered (its command
  // refused) is reported on stderr and left for the next poll.
  absl::StatusOr<int> DeliverPending();

 private:
  // Runs `type` with `request` and waits: the reply, or the error.
  absl::StatusOr<std::string> Run(const workflow::CommandType& type,
                                  std::shared_ptr<google::protobuf::Message> request);

  const storage::EventStore* store_;
  storage::Engine* engine_;
  const CalendarProvider* calendars_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_LINK_WORKER_H_
