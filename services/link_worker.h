// Delivers the links between cases that one command cannot write, through
// the normal engine pipeline as the "casework/links/system" actor:
//   * an escalated panel case implies a row under kEscalatingPrefix
//     (written in the same atomic batch as its escalation) until its link
//     lands; for each such row the worker opens the parent panel's case
//     (ReceiveEscalation) and records the link on the escalated case
//     (LinkEscalation);
//   * a case review recommendation referred to a panel implies a row under
//     kReferralsPrefix until linked; the worker opens the panel's referral
//     (ReceiveRecommendation) and records it on the recommendation
//     (LinkPanelReferral);
//   * a death review's action plan item implies a row under
//     kPlanActionsPrefix until linked; the worker opens its action on the
//     shared action log (CreateAction, source: the review) and records it on
//     the item (LinkPlanAction).
//
// Both commands of each pair are idempotent (ReceiveEscalation by its natural key, both
// by request ids derived from the escalated case), so a row delivered twice,
// or half-delivered before a crash, is finished exactly once. This is a
// transactional outbox: the row is the message, the link event its
// acknowledgement.
#ifndef CASEWORK_SERVICES_LINK_WORKER_H_
#define CASEWORK_SERVICES_LINK_WORKER_H_

#include <functional>
#include <memory>
#include <string>

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
  // escalations and referrals were linked. A link that cannot be delivered (its command
  // refused) is reported on stderr and left for the next poll.
  absl::StatusOr<int> DeliverPending();

 private:
  absl::StatusOr<int> DeliverEscalations();
  absl::StatusOr<int> DeliverReferrals();
  absl::StatusOr<int> DeliverPlanActions();
  // Calls `deliver` for every row under `prefix`, a batch at a time;
  // returns how many it linked (true).
  absl::StatusOr<int> Drain(
      absl::string_view prefix,
      const std::function<absl::StatusOr<bool>(const storage::StoredRow&)>& deliver);
  // Opens the receiving record (`open` with `open_request`; `opened_name`
  // reads its name from the Response), then links it (`link` with the
  // request `make_link` makes of that name). False, reported, if either is
  // refused.
  template <typename Response>
  bool OpenAndLink(
      const std::string& row, const workflow::CommandType& open,
      std::shared_ptr<google::protobuf::Message> open_request,
      const std::function<std::string(const Response&)>& opened_name,
      const workflow::CommandType& link,
      const std::function<std::shared_ptr<google::protobuf::Message>(const std::string&)>&
          make_link);
  // Runs `type` with `request` and waits: the reply, or the error.
  absl::StatusOr<std::string> Run(const workflow::CommandType& type,
                                  std::shared_ptr<google::protobuf::Message> request);
  // The same, the reply parsed as Response.
  template <typename Response>
  absl::StatusOr<Response> RunFor(const workflow::CommandType& type,
                                  std::shared_ptr<google::protobuf::Message> request) {
    absl::StatusOr<std::string> reply = Run(type, std::move(request));
    if (!reply.ok()) return reply.status();
    Response response;
    if (!response.ParseFromString(*reply)) return absl::DataLossError("unreadable reply");
    return response;
  }
  // A link left for the next poll, on stderr.
  static void Report(const std::string& row, const absl::Status& status);

  const storage::EventStore* store_;
  storage::Engine* engine_;
  const CalendarProvider* calendars_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_LINK_WORKER_H_
