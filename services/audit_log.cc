#include "services/audit_log.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

constexpr char kSequence[] = "audit-entries";

std::string Hex16(uint64_t value) { return absl::StrFormat("%016x", value); }

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(storage::EventStore* store,
                                                         storage::Engine* engine) {
  ASSIGN_OR_RETURN(int64_t last_id, store->GetSequence(kSequence));
  return std::unique_ptr<AuditLog>(new AuditLog(engine, last_id));
}

void AuditLog::Record(std::string partnership, v1::AuditEntry entry,
                      std::function<void(absl::Status)> done) {
  auto pending = std::make_shared<std::pair<std::string, v1::AuditEntry>>(std::move(partnership),
                                                                          std::move(entry));
  engine_->SubmitSideWriteOrRun(storage::SideWrite{
      [this, pending](storage::StoreBatch& batch, absl::Time now) {
        Stage(pending->first, pending->second, batch, now);
      },
      [done = std::move(done)](absl::Status written) {
        if (written.ok()) return done(absl::OkStatus());
        done(ErrorWithReason(absl::StatusCode::kUnavailable, "AUDIT_UNAVAILABLE",
                             absl::StrCat("the read was not answered because its audit entry "
                                          "could not be written: ",
                                          written.message())));
      }});
}

void AuditLog::Stage(const std::string& partnership, v1::AuditEntry& entry,
                     storage::StoreBatch& batch, absl::Time now) {
  const int64_t id = ++last_id_;
  entry.set_name(absl::StrCat("partnerships/", partnership, "/auditEntries/", id));
  *entry.mutable_read_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
  const std::string suffix = absl::StrCat(TimeKey(now), Hex16(static_cast<uint64_t>(id)));
  const std::string value = entry.SerializeAsString();
  batch.PutRow(absl::StrCat(AllPrefix(partnership), suffix), value);
  batch.PutRow(absl::StrCat(ResourcePrefix(partnership, entry.resource()), suffix), value);
  batch.PutRow(
      absl::StrCat(PersonPrefix(partnership, entry.actor().agency(), entry.actor().user()), suffix),
      value);
  batch.PutSequence(kSequence, last_id_);
}

std::string AuditLog::AllPrefix(absl::string_view partnership) {
  return absl::StrCat("audit/", partnership, "/t/");
}

std::string AuditLog::ResourcePrefix(absl::string_view partnership, absl::string_view resource) {
  return absl::StrCat("audit/", partnership, "/r/", resource, "/");
}

std::string AuditLog::PersonPrefix(absl::string_view partnership, absl::string_view agency,
                                   absl::string_view user) {
  return absl::StrCat("audit/", partnership, "/u/", agency, "/", user, "/");
}

std::string AuditLog::TimeKey(absl::Time time) {
  return Hex16(static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMicros(time))));
}

absl::StatusOr<absl::Time> AuditLog::TimeOfKey(absl::string_view key) {
  uint64_t micros = 0;
  if (key.size() < 32 || !absl::SimpleHexAtoi(key.substr(key.size() - 32, 16), &micros)) {
    return absl::DataLossError(absl::StrCat("corrupt audit key ", key));
  }
  return absl::FromUnixMicros(static_cast<int64_t>(micros));
}

}  // namespace casework::services
