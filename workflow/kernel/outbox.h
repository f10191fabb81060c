// The transactional outbox: commands one workflow's events require of
// another workflow, possibly served by another process.
//
// A case review recommendation referred to a panel must open the panel's
// referral; an escalated panel case must open its parent panel's case; a
// death review's action plan item must open an action on the shared action
// log. None of these can be written by the command that caused them (the
// other record may live in another process's data directory), so the
// source workflow declares an outbox route (Definition::Outbox):
//
//   * its message rows are read-model rows under `prefix` that the source
//     state implies until the reply is recorded (declared with
//     Definition::Rows, so they are written in the same atomic batch as the
//     event that implies them, and rebuilt from the log like every row);
//   * `deliver` turns a row into a Delivery: a command of the target
//     workflow with a request id derived from the row alone, and the link
//     command of the source workflow that records the name the target
//     replied with. The link's event removes the row: it is the message's
//     acknowledgement.
//
// The dispatcher (services/outbox.h) runs the target command in-process when
// its service is co-hosted and over gRPC otherwise, retries with backoff, and
// parks a message the target refuses for good. Both commands must be
// idempotent by their request ids (the target ideally by a natural key as
// well), so a message delivered twice, or half-delivered before a crash of
// either side, takes effect once.
#ifndef CASEWORK_WORKFLOW_KERNEL_OUTBOX_H_
#define CASEWORK_WORKFLOW_KERNEL_OUTBOX_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "workflow/kernel/command.h"
#include "workflow/kernel/context.h"

namespace casework::workflow {

// One message, ready to send.
struct OutboxDelivery {
  // The command run on the target (a command of another workflow, or of
  // another stream of the same one) and its request.
  const CommandType* target = nullptr;
  std::shared_ptr<google::protobuf::Message> request;
  // The name of the record the target opened or found, read from its
  // serialized reply.
  std::function<absl::StatusOr<std::string>(const std::string& reply)> opened;
  // The command run on the source stream with that name, and its request.
  const CommandType* link = nullptr;
  std::function<std::shared_ptr<google::protobuf::Message>(const std::string& opened)> link_request;
};

// A kind of message a workflow sends.
struct OutboxRoute {
  // Short name, for operators: "panel-referral".
  std::string name;
  // The message rows: every row under it is one message.
  std::string prefix;
  // The method of the target command every delivery runs, e.g.
  // "casework.v1.PanelService/ReceiveRecommendation": the only methods,
  // with the engine-only ones, the deployment's link key lets a peer call.
  std::string target_method;
  // The delivery of one row; reading source states with `read_state` (the
  // row's source stream is always in this process's data). DATA_LOSS for a
  // row it cannot read.
  std::function<absl::StatusOr<OutboxDelivery>(const Row& row, const ReadStateFn& read_state)>
      deliver;
};

// The name in the `field` message of a serialized Response (PanelCaseResponse
// and its panel_case, ActionResponse and its action): a Delivery's `opened`.
template <typename Response, typename Record>
std::function<absl::StatusOr<std::string>(const std::string&)> NameFromReply(
    const Record& (Response::*field)() const) {
  return [field](const std::string& reply) -> absl::StatusOr<std::string> {
    Response response;
    if (!response.ParseFromString(reply) || (response.*field)().name().empty()) {
      return absl::DataLossError(absl::StrCat("unreadable ", Response::descriptor()->full_name()));
    }
    return (response.*field)().name();
  };
}

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_OUTBOX_H_
