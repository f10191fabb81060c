// The request kinds fuzz_requests knows: every mutating command of every
// registered workflow (workflow::Workflows().AllCommands()), each with the
// request message its gRPC method takes and the validation the service runs
// on it before anything else.
//
// The first byte of a fuzz_requests input selects the kind (byte modulo the
// number of kinds); the rest is the serialized request. make_corpus writes
// its seeds in the same shape. The committed corpus refers to kinds by
// position, so the registry only ever APPENDS workflows and commands
// (workflow/registry.cc); the order is:
//   0-7    ActionService (CreateAction ... ResumeAction)
//   8-9    ComplaintService (RecordComplaint, AcknowledgeNotice)
//   10-28  CaseReviewService (ReceiveApplication ... WithdrawApplication)
//   29     PolicyService (PublishPolicy)
//   30     CalendarService (AddHoliday)
#ifndef CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_
#define CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/message.h"
#include "workflow/kernel/command.h"
#include "workflow/kernel/context.h"
#include "workflow/registry.h"

namespace casework::fuzz {

// The fixed "today" (Europe/London) the date checks are made against.
inline constexpr absl::CivilDay kFuzzToday(2026, 11, 21);

struct RequestKind {
  // The gRPC method's short name, e.g. "CreateAction".
  std::string method;
  // The command: its request type and its validation.
  const workflow::CommandType* command = nullptr;

  // A new, empty request message of the method's type.
  std::unique_ptr<google::protobuf::Message> make() const { return command->NewRequest(); }
  // Runs the service's validation on a request made by `make`.
  absl::Status validate(const google::protobuf::Message& request, absl::CivilDay today) const {
    return command->Validate(request, workflow::ValidateContext{today, &workflow::Workflows()});
  }
};

// Every kind, in selector order: the registry's commands, in order.
inline const std::vector<RequestKind>& RequestKinds() {
  static const std::vector<RequestKind>* kinds = [] {
    auto* out = new std::vector<RequestKind>;
    for (const workflow::CommandType* command : workflow::Workflows().AllCommands()) {
      out->push_back(RequestKind{std::string(command->name()), command});
    }
    return out;
  }();
  return *kinds;
}

}  // namespace casework::fuzz

#endif  // CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_
