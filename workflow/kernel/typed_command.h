// The kit's typed command: a CommandType over one State and one Request,
// built by Definition<State> and CommandOptions (definition.h) and never
// named by a workflow. Included by workflow.h only.
#ifndef CASEWORK_WORKFLOW_KERNEL_TYPED_COMMAND_H_
#define CASEWORK_WORKFLOW_KERNEL_TYPED_COMMAND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "casework/v1/events.pb.h"
#include "google/protobuf/message.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/command.h"
#include "workflow/kernel/context.h"
#include "workflow/kernel/events.h"

namespace casework::workflow {

class Workflow;
template <typename State>
class Definition;
template <typename State, typename Request>
class CommandOptions;

namespace kernel_internal {

// Compile-time detection of the request fields the kit reads without
// reflection.
template <typename T, typename = void>
struct HasParent : std::false_type {};
template <typename T>
struct HasParent<T, std::void_t<decltype(std::declval<const T&>().parent())>> : std::true_type {};
template <typename T, typename = void>
struct HasName : std::false_type {};
template <typename T>
struct HasName<T, std::void_t<decltype(std::declval<const T&>().name())>> : std::true_type {};
template <typename T, typename = void>
struct HasExpectedVersion : std::false_type {};
template <typename T>
struct HasExpectedVersion<T, std::void_t<decltype(std::declval<const T&>().has_expected_version())>>
    : std::true_type {};
// States that record their version and last update time get them stamped
// from each event's envelope before its applier runs.
template <typename T, typename = void>
struct HasVersion : std::false_type {};
template <typename T>
struct HasVersion<T, std::void_t<decltype(std::declval<T&>().set_version(int64_t{}))>>
    : std::true_type {};
template <typename T, typename = void>
struct HasUpdateTime : std::false_type {};
template <typename T>
struct HasUpdateTime<T, std::void_t<decltype(std::declval<T&>().mutable_update_time())>>
    : std::true_type {};

// The message behind `message`, checked to be of type T.
template <typename T>
const T& As(const google::protobuf::Message& message) {
  if (message.GetDescriptor() != T::descriptor()) {
    AbortWithMessage(absl::StrCat("expected a ", T::descriptor()->full_name(), ", got a ",
                                  message.GetDescriptor()->full_name()));
  }
  return static_cast<const T&>(message);
}
template <typename T>
T& AsMutable(google::protobuf::Message& message) {
  if (message.GetDescriptor() != T::descriptor()) {
    AbortWithMessage(absl::StrCat("expected a ", T::descriptor()->full_name(), ", got a ",
                                  message.GetDescriptor()->full_name()));
  }
  return static_cast<T&>(message);
}

template <typename State, typename Request>
class TypedCommand final : public CommandType {
 public:
  using DecideFn = absl::Status (*)(const State&, const Request&, const DecideContext&, Decision&);
  using ValidateFn = void (*)(const Request&, const ValidateContext&, FieldErrors&);
  using StreamFn = std::string (*)(const Request&);
  using ReplyFn = std::function<std::string(const State&, const Request&, const v1::CommitInfo&)>;

  TypedCommand(const Workflow* workflow, CommandName<Request> name, Target target,
               DecideFn decide, ValidateFn validate)
      : CommandType(workflow, name.name, target), decide_(decide), validate_(validate) {}

  const google::protobuf::Descriptor* request_type() const override {
    return Request::descriptor();
  }
  std::unique_ptr<google::protobuf::Message> NewRequest() const override {
    return std::make_unique<Request>();
  }
  std::string RequestId(const google::protobuf::Message& request) const override {
    return As<Request>(request).request_id();
  }
  Address AddressOf(const google::protobuf::Message& message) const override {
    const Request& request = As<Request>(message);
    Address address;
    switch (target()) {
      case Target::kCreate:
        if constexpr (HasParent<Request>::value) {
          address.stream = absl::StrCat(request.parent(), "/", collection(), "/");
          address.numbered = true;
        }
        if (natural_key_ != nullptr) address.natural_key = natural_key_(request);
        break;
      case Target::kExisting:
        if constexpr (HasName<Request>::value) address.stream = request.name();
        if constexpr (HasExpectedVersion<Request>::value) {
          if (request.has_expected_version()) address.expected_version = request.expected_version();
        }
        break;
      case Target::kDerived:
        address.stream = stream_(request);
        break;
    }
    return address;
  }
  absl::Status Validate(const google::protobuf::Message& message,
                        const ValidateContext& context) const override {
    const Request& request = As<Request>(message);
    FieldErrors errors;
    if constexpr (HasParent<Request>::value) {
      ParsePartnershipName("parent", request.parent(), errors);
    }
    if constexpr (HasName<Request>::value) {
      if (target() == Target::kExisting) {
        ParseResourceName("name", request.name(), this->collection(), errors);
      }
    }
    CheckRequestId(request.request_id(), errors);
    if constexpr (HasExpectedVersion<Request>::value) {
      if (request.has_expected_version() && request.expected_version() < 0) {
        errors.Add("expected_version", "range", "must not be negative");
      }
    }
    if (validate_ != nullptr) validate_(request, context, errors);
    return errors.ToStatus();
  }
  absl::StatusOr<Events> DecideOnly(const google::protobuf::Message& state,
                                    const google::protobuf::Message& request,
                                    const DecideContext& context) const override {
    Decision decision(context);
    RETURN_IF_ERROR(decide_(As<State>(state), As<Request>(request), context, decision));
    return decision.Take();
  }
  std::string Reply(const google::protobuf::Message& state, const google::protobuf::Message& request,
                    const v1::CommitInfo& commit) const override {
    return reply_(As<State>(state), As<Request>(request), commit);
  }

 private:
  template <typename S>
  friend class ::casework::workflow::Definition;
  template <typename S, typename R>
  friend class ::casework::workflow::CommandOptions;
  DecideFn decide_;
  ValidateFn validate_;
  StreamFn stream_ = nullptr;
  StreamFn natural_key_ = nullptr;
  ReplyFn reply_;
};

}  // namespace kernel_internal

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_TYPED_COMMAND_H_
