#include "services/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "casework/v1/errors.pb.h"
#include "google/rpc/status.pb.h"
#include "workflow/common/status.h"

namespace casework::services {

std::string CutText(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  const std::string suffix = absl::StrCat("... (", text.size(), " bytes)");
  size_t keep = max_bytes > suffix.size() ? max_bytes - suffix.size() : 0;
  // Do not cut a UTF-8 character in two: back up over continuation bytes.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  return absl::StrCat(text.substr(0, keep), suffix);
}

namespace {

// A BadRequest shrunk to fit `budget` bytes: descriptions cut, then as many
// violations as fit.
std::string ShrinkBadRequest(const std::string& bytes, size_t budget) {
  v1::BadRequest full;
  if (!full.ParseFromString(bytes)) return "";
  v1::BadRequest out;
  for (v1::FieldViolation v : full.violations()) {
    v.set_field(CutText(v.field(), kMaxViolationBytes));
    v.set_rule(CutText(v.rule(), 64));
    v.set_description(CutText(v.description(), kMaxViolationBytes));
    *out.add_violations() = v;
    if (out.ByteSizeLong() > budget) {
      out.mutable_violations()->RemoveLast();
      break;
    }
  }
  return out.SerializeAsString();
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(context, ": ", status.error_message()));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const std::string message = CutText(status.message(), kMaxErrorMessageBytes);
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));  // absl and gRPC codes share numbers
  rich.set_message(message);
  const std::string bad_request_url = TypeUrlOf(v1::BadRequest());
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    std::string value(payload);
    const size_t used = rich.ByteSizeLong() + type_url.size() + 16;
    const size_t budget = used < kMaxErrorDetailsBytes ? kMaxErrorDetailsBytes - used : 0;
    if (value.size() > budget) {
      if (type_url != bad_request_url) return;  // does not fit: dropped
      value = ShrinkBadRequest(value, budget);
    }
    google::protobuf::Any* any = rich.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::move(value));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      rich.SerializeAsString());
}

}  // namespace casework::services
