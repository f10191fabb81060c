// Shared test helpers: temporary directories, gRPC metadata, rich-error
// decoding, the calendar and request builders. The engine harness is
// engine_harness.h, the server fixture server_fixture.h, the pure workflow
// harness world.h and table_check.h.
#ifndef CASEWORK_TESTS_SUPPORT_TEST_SUPPORT_H_
#define CASEWORK_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/common.pb.h"
#include "casework/v1/errors.pb.h"
#include "google/rpc/status.pb.h"
#include "workflow/time/calendar.h"

namespace casework::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its contents
// when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Sets the identity metadata every casework call needs, and a purpose (for
// the detail reads the audit log records).
void SetIdentity(grpc::ClientContext& context, const std::string& agency = "eastbrook-council",
                 const std::string& user = "u-test", const std::string& role = "caseworker");

// The google.rpc.Status from the status's details (empty message if none).
google::rpc::Status RichStatus(const grpc::Status& status);

// A unary call through the generic stub, with the test identity: raw bytes
// in, raw bytes out (the reply's bytes are appended to `response`).
grpc::Status GenericUnary(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& request, std::string* response);
// The same with `context` (its identity and metadata as the caller set them).
grpc::Status GenericUnaryAs(const std::shared_ptr<grpc::Channel>& channel,
                            grpc::ClientContext& context, const std::string& method,
                            const std::string& request, std::string* response);

// The service names grpc.reflection.v1alpha.ServerReflection lists.
std::vector<std::string> ReflectedServices(const std::shared_ptr<grpc::Channel>& channel);

// The first detail of type T in a gRPC status or an absl status, if any.
template <typename T>
std::optional<T> DetailOf(const grpc::Status& status) {
  const google::rpc::Status rich = RichStatus(status);
  for (const auto& any : rich.details()) {
    T detail;
    if (any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}
template <typename T>
std::optional<T> DetailOf(const absl::Status& status) {
  T probe;
  auto payload =
      status.GetPayload("type.googleapis.com/" + probe.GetTypeName());
  if (!payload.has_value()) return std::nullopt;
  if (!probe.ParseFromString(std::string(*payload))) return std::nullopt;
  return probe;
}

// Europe/London from the system time-zone database.
absl::TimeZone London();
// 10:00 on that day in London: when a test's commands happen.
absl::Time At(int y, int m, int d);
// The date y-m-d as a casework.v1.CivilDate.
v1::CivilDate Date(int y, int m, int d);

// The bundled England and Wales calendar (version 1).
std::shared_ptr<const workflow::Calendar> TestCalendar();

// Request builders with sensible defaults.
v1::CreateActionRequest CreateRequest(const std::string& request_id,
                                      const std::string& partnership = "eastbrook",
                                      const std::string& title = "Visit the flats");
v1::RecordProgressRequest ProgressRequest(const std::string& request_id, const std::string& name,
                                          const std::string& note = "Visited, spoke to residents");

// Writes a new random master key (64 hex digits, mode 0600) to `path`
// unless the file exists; returns `path`.
std::string EnsureMasterKeyFile(const std::string& path);

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_TEST_SUPPORT_H_
