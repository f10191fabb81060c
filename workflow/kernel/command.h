// Commands: what a caller asks a workflow to do.
//
// A command has a name (its gRPC method's name, e.g. "LodgeAppeal") and a
// request message (the method's request type). A workflow declares each
// command once, as a constant of its commands.h:
//
//   inline constexpr CommandName<v1::LodgeAppealRequest> kLodgeAppeal{"LodgeAppeal"};
//
// The constant is the compile-time key everything else uses: the workflow's
// definition registers the decision and the validation for it (their
// signatures must take that request type), the gRPC service runs it
// (Run(context, kLodgeAppeal, *request, response) does not compile with
// another request type), and the transition table names it.
//
// Stored forever: a command's full method name is the scope of the
// request_ids it was called with. Never rename a command.
#ifndef CASEWORK_WORKFLOW_KERNEL_COMMAND_H_
#define CASEWORK_WORKFLOW_KERNEL_COMMAND_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/common.pb.h"
#include "google/protobuf/message.h"
#include "workflow/kernel/context.h"
#include "workflow/kernel/events.h"

namespace casework::workflow {

// The name of a command and, in its type, the request message it takes.
template <typename RequestT>
struct CommandName {
  using Request = RequestT;
  absl::string_view name;
};

// Which stream a command acts on.
enum class Target {
  // A new stream "{parent}/{collection}/{n}": request.parent() names the
  // partnership and the engine allocates the next n. A natural key (see
  // Address) can send it to an existing stream instead.
  kCreate,
  // The existing stream request.name(): NOT_FOUND if it has no events;
  // honours request.expected_version when the request has one.
  kExisting,
  // A stream the workflow derives from the request (a partnership's policy,
  // the calendar); it may or may not have events yet.
  kDerived,
};

// Where one request goes, as the engine needs it.
struct Address {
  // The stream, or for a numbered create the sequence prefix, e.g.
  // "partnerships/eastbrook/caseReviews/".
  std::string stream;
  bool numbered = false;
  // Optional natural key of a new stream: a read-model row key that the
  // workflow's rows write with the stream name as its value (e.g.
  // "complaints/eastbrook/source/sentinel/ASB-1"). If the row exists the
  // command goes to that stream instead of creating one, so a create is
  // de-duplicated by its key even across request_ids.
  std::string natural_key;
  // When set, the command fails with ABORTED unless the stream is at exactly
  // this version.
  std::optional<int64_t> expected_version;
};

class Workflow;

// One command of one workflow, with its request type erased: what the engine,
// the services, the fuzzers and the generic tests handle. Made only by a
// workflow's Definition. Immutable and thread-safe.
class CommandType {
 public:
  virtual ~CommandType() = default;

  absl::string_view name() const { return name_; }
  // "casework.v1.CaseReviewService/LodgeAppeal".
  const std::string& method() const { return method_; }
  Target target() const { return target_; }
  const Workflow& workflow() const { return *workflow_; }
  // The workflow's collection ("caseReviews"): the names a command on an
  // existing stream accepts.
  absl::string_view collection() const;

  virtual const google::protobuf::Descriptor* request_type() const = 0;
  // A new, empty request message of the command's type.
  virtual std::unique_ptr<google::protobuf::Message> NewRequest() const = 0;
  // The request's request_id.
  virtual std::string RequestId(const google::protobuf::Message& request) const = 0;
  // Where the request goes. The request must have passed Validate.
  virtual Address AddressOf(const google::protobuf::Message& request) const = 0;
  // The checks every command gets (request_id; parent or name; a
  // non-negative expected_version), then the command's own field rules.
  // INVALID_ARGUMENT with a BadRequest detail naming every broken rule.
  virtual absl::Status Validate(const google::protobuf::Message& request,
                                const ValidateContext& context) const = 0;
  // The command's own decision on `state`. Call Workflow::Decide instead: it
  // checks the transition table first.
  virtual absl::StatusOr<Events> DecideOnly(const google::protobuf::Message& state,
                                            const google::protobuf::Message& request,
                                            const DecideContext& context) const = 0;
  // The serialised reply message to the caller, from the state after the
  // command and what was written.
  virtual std::string Reply(const google::protobuf::Message& state,
                            const google::protobuf::Message& request,
                            const v1::CommitInfo& commit) const = 0;

 protected:
  CommandType(const Workflow* workflow, absl::string_view name, Target target)
      : workflow_(workflow), name_(name), target_(target) {}

 private:
  friend class Workflow;
  const Workflow* workflow_;
  absl::string_view name_;
  Target target_;
  std::string method_;  // set when the workflow is built
};

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_COMMAND_H_
