#include "clients/cli/errors.h"

#include "casework/v1/errors.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/status.pb.h"

namespace casework::cli {
namespace {

const char* Kind(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid";
    case grpc::StatusCode::NOT_FOUND:
      return "not found";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "refused";
    case grpc::StatusCode::ABORTED:
      return "changed meanwhile";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "not signed in";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "not allowed";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "no answer in time";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already exists";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "too many requests";
    default:
      return "failed";
  }
}

}  // namespace

int ExitCodeOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kInvalid;
    case grpc::StatusCode::NOT_FOUND:
      return kNotFound;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return kRefused;
    case grpc::StatusCode::ABORTED:
      return kStale;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kDenied;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kUnavailable;
    case grpc::StatusCode::ALREADY_EXISTS:
      return kExists;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kRateLimited;
    default:
      return kOther;
  }
}

int Report(const grpc::Status& status, std::ostream& out) {
  out << "casectl: " << Kind(status.error_code()) << ": " << status.error_message() << "\n";
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& detail : rich.details()) {
      v1::BadRequest bad;
      v1::IllegalTransition illegal;
      v1::VersionConflict conflict;
      v1::ErrorInfo info;
      v1::RetryInfo retry;
      v1::RequestIdReused reused;
      if (detail.UnpackTo(&bad)) {
        for (const v1::FieldViolation& v : bad.violations()) {
          // The message already says it when one field is broken.
          if (bad.violations_size() == 1 &&
              status.error_message().find(v.description()) != std::string::npos) {
            out << "  field " << v.field() << ", rule " << v.rule() << "\n";
            continue;
          }
          out << "  " << v.field() << ": " << v.description() << " [" << v.rule() << "]\n";
        }
      } else if (detail.UnpackTo(&illegal)) {
        out << "  the case is " << illegal.current_state() << "; allowed now:";
        if (illegal.allowed_commands().empty()) out << " nothing";
        for (const std::string& c : illegal.allowed_commands()) out << " " << c;
        out << "\n";
      } else if (detail.UnpackTo(&conflict)) {
        out << "  expected version " << conflict.expected_version() << ", the case is at "
            << conflict.actual_version() << ": show it again, then retry\n";
      } else if (detail.UnpackTo(&reused)) {
        out << "  request id " << reused.request_id() << " was used for "
            << reused.original_method() << "\n";
      } else if (detail.UnpackTo(&retry)) {
        out << "  retry after "
            << google::protobuf::util::TimeUtil::DurationToMilliseconds(retry.retry_delay())
            << " ms\n";
      } else if (detail.UnpackTo(&info)) {
        out << "  reason: " << info.reason();
        for (const auto& [key, value] : info.metadata()) out << "; " << key << ": " << value;
        out << "\n";
      }
    }
  }
  return ExitCodeOf(status.error_code());
}

}  // namespace casework::cli
