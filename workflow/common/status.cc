#include "workflow/common/status.h"

#include <cstdio>
#include <cstdlib>

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace casework {

std::string TypeUrlOf(const google::protobuf::Message& message) {
  return absl::StrCat("type.googleapis.com/", message.GetTypeName());
}

void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail) {
  if (status.ok()) return;
  status.SetPayload(TypeUrlOf(detail), absl::Cord(detail.SerializeAsString()));
}

void FieldErrors::Add(std::string field, std::string rule,
                      std::string description) {
  v1::FieldViolation v;
  v.set_field(std::move(field));
  v.set_rule(std::move(rule));
  v.set_description(std::move(description));
  violations_.push_back(std::move(v));
}

void FieldErrors::Merge(const FieldErrors& other, absl::string_view prefix) {
  for (const v1::FieldViolation& v : other.violations_) {
    v1::FieldViolation& added = violations_.emplace_back(v);
    added.set_field(absl::StrCat(prefix, v.field()));
  }
}

absl::Status FieldErrors::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  v1::BadRequest detail;
  for (const v1::FieldViolation& v : violations_) {
    parts.push_back(absl::StrCat(v.field(), ": ", v.description(), " [", v.rule(), "]"));
    *detail.add_violations() = v;
  }
  absl::Status status = absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
  AttachDetail(status, detail);
  return status;
}

absl::Status FieldError(std::string field, std::string rule,
                        std::string description) {
  FieldErrors errors;
  errors.Add(std::move(field), std::move(rule), std::move(description));
  return errors.ToStatus();
}

absl::Status VersionConflictError(absl::string_view stream, int64_t expected,
                                  int64_t actual) {
  absl::Status status = absl::AbortedError(
      absl::StrCat("version conflict on ", stream, ": expected version ",
                   expected, ", current version is ", actual,
                   "; re-read and retry"));
  v1::VersionConflict detail;
  detail.set_stream(std::string(stream));
  detail.set_expected_version(expected);
  detail.set_actual_version(actual);
  AttachDetail(status, detail);
  return status;
}

absl::Status IllegalTransitionError(absl::string_view stream,
                                    absl::string_view current_state,
                                    absl::string_view command,
                                    const std::vector<std::string>& allowed) {
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      command, " is not allowed on ", stream, " in state ", current_state,
      "; allowed: ", allowed.empty() ? "none" : absl::StrJoin(allowed, ", ")));
  v1::IllegalTransition detail;
  detail.set_stream(std::string(stream));
  detail.set_current_state(std::string(current_state));
  detail.set_command(std::string(command));
  for (const std::string& a : allowed) detail.add_allowed_commands(a);
  AttachDetail(status, detail);
  return status;
}

absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason,
                             absl::string_view message) {
  return ErrorWithReason(code, reason, message, {});
}

absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason,
                             absl::string_view message,
                             const std::vector<std::pair<std::string, std::string>>& metadata) {
  absl::Status status(code, message);
  v1::ErrorInfo detail;
  detail.set_reason(std::string(reason));
  detail.set_domain("casework");
  for (const auto& [key, value] : metadata) (*detail.mutable_metadata())[key] = value;
  AttachDetail(status, detail);
  return status;
}

void AbortWithMessage(absl::string_view message) {
  std::fprintf(stderr, "casework: %.*s\n", static_cast<int>(message.size()), message.data());
  std::abort();
}

absl::Status NotFoundFor(absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(name, " does not exist"));
}

}  // namespace casework
