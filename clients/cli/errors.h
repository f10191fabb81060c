// casectl's exit codes and its account of a refusal: the server's error
// details (proto/casework/v1/errors.proto) in plain words.
//
//   0  done
//   1  anything else (an internal error of the server, a local file)
//   2  the command line is wrong (unknown command, missing option)
//   3  INVALID_ARGUMENT: a field broke a rule (each field and rule listed)
//   4  NOT_FOUND: no such case, or not one the caller may see
//   5  FAILED_PRECONDITION: the case's state does not allow the command
//      (the allowed next commands listed), or a rule of the policy
//   6  ABORTED: the case changed since the version given (--expected-version)
//   7  UNAUTHENTICATED or PERMISSION_DENIED: who the caller is, or their role
//   8  UNAVAILABLE or DEADLINE_EXCEEDED: the server cannot be reached or is
//      refusing writes (a full disk); safe to retry with the same --request-id
//   9  ALREADY_EXISTS
//   10 RESOURCE_EXHAUSTED: a rate limit (the delay to wait is printed)
#ifndef CASEWORK_CLIENTS_CLI_ERRORS_H_
#define CASEWORK_CLIENTS_CLI_ERRORS_H_

#include <grpcpp/grpcpp.h>

#include <ostream>
#include <string>

namespace casework::cli {

enum ExitCode {
  kOk = 0,
  kOther = 1,
  kUsage = 2,
  kInvalid = 3,
  kNotFound = 4,
  kRefused = 5,
  kStale = 6,
  kDenied = 7,
  kUnavailable = 8,
  kExists = 9,
  kRateLimited = 10,
};

// The exit code of a failed call.
int ExitCodeOf(grpc::StatusCode code);

// Writes `status` to `out` in plain words ("casectl: refused: ..." and a
// line per broken field, the allowed commands, the versions) and returns
// its exit code.
int Report(const grpc::Status& status, std::ostream& out);

}  // namespace casework::cli

#endif  // CASEWORK_CLIENTS_CLI_ERRORS_H_
