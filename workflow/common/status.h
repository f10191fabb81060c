// Error helpers shared by every layer below services/.
//
// Abseil 20220623 has no RETURN_IF_ERROR / ASSIGN_OR_RETURN, so the project
// keeps its own two macros here, and the builders for the typed errors whose
// machine-readable details travel to callers in the google.rpc.Status trailer
// (see proto/casework/v1/errors.proto). Details ride on absl::Status payloads
// keyed by their type URL; services/ turns them into google.protobuf.Any.
#ifndef CASEWORK_WORKFLOW_COMMON_STATUS_H_
#define CASEWORK_WORKFLOW_COMMON_STATUS_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "casework/v1/errors.pb.h"
#include "google/protobuf/message.h"

#define CASEWORK_CONCAT_INNER_(a, b) a##b
#define CASEWORK_CONCAT_(a, b) CASEWORK_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::absl::Status casework_status_ = (expr);         \
    if (!casework_status_.ok()) return casework_status_; \
  } while (0)

// `lhs = value of expr` or returns its error. `lhs` may declare a variable:
//   ASSIGN_OR_RETURN(auto rows, store.ScanRows(...));
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CASEWORK_CONCAT_(casework_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

namespace casework {

// The type URL under which `message`'s type travels in an Any.
std::string TypeUrlOf(const google::protobuf::Message& message);

// Attaches `detail` to `status` as a payload (no-op on an OK status).
void AttachDetail(absl::Status& status, const google::protobuf::Message& detail);

// Collects field-level violations of one request and turns them into a single
// INVALID_ARGUMENT whose message names every field and rule, with a
// casework.v1.BadRequest detail.
class FieldErrors {
 public:
  // Records that `field` broke `rule`; `description` explains it to a person.
  void Add(std::string field, std::string rule, std::string description);
  // Adds every violation of `other`, its field path prefixed with `prefix`
  // (e.g. "policy." for the checks of a sub-message).
  void Merge(const FieldErrors& other, absl::string_view prefix);
  bool empty() const { return violations_.empty(); }
  // OK if nothing was added, else INVALID_ARGUMENT with the details.
  absl::Status ToStatus() const;

 private:
  std::vector<v1::FieldViolation> violations_;
};


// INVALID_ARGUMENT for a single broken rule on a single field.
absl::Status FieldError(std::string field, std::string rule,
                        std::string description);

// ABORTED with a casework.v1.VersionConflict detail.
absl::Status VersionConflictError(absl::string_view stream, int64_t expected,
                                  int64_t actual);

// FAILED_PRECONDITION with a casework.v1.IllegalTransition detail.
absl::Status IllegalTransitionError(absl::string_view stream,
                                    absl::string_view current_state,
                                    absl::string_view command,
                                    const std::vector<std::string>& allowed);

// NOT_FOUND "NAME does not exist": for a record that does not exist, and,
// word for word, for one the caller may not see, so that a refusal tells
// nothing of the record, not even that it exists.
absl::Status NotFoundFor(absl::string_view name);

// `code` with a casework.v1.ErrorInfo detail carrying `reason`.
absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason,
                             absl::string_view message);
// The same, with the ErrorInfo's metadata.
absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason,
                             absl::string_view message,
                             const std::vector<std::pair<std::string, std::string>>& metadata);

// Prints "casework: <message>" to stderr and aborts. For what cannot happen
// unless the code itself is wrong (an inconsistent workflow definition),
// never for input from outside.
[[noreturn]] void AbortWithMessage(absl::string_view message);

}  // namespace casework

#endif  // CASEWORK_WORKFLOW_COMMON_STATUS_H_
