#include "services/audit_log.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

constexpr char kSequence[] = "audit-entries";

std::string Hex16(uint64_t value) { return absl::StrFormat("%016x", value); }

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(storage::EventStore* store,
                                                         const Clock* clock) {
  ASSIGN_OR_RETURN(int64_t last_id, store->GetSequence(kSequence));
  return std::unique_ptr<AuditLog>(new AuditLog(store, clock, last_id));
}

AuditLog::AuditLog(storage::EventStore* store, const Clock* clock, int64_t last_id)
    : store_(store), clock_(clock), last_id_(last_id), thread_([this] { Run(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void AuditLog::Record(std::string partnership, v1::AuditEntry entry,
                      std::function<void(absl::Status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(partnership), std::move(entry), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("the audit log is closing: the server is shutting down"));
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

void AuditLog::Run() {
  for (;;) {
    std::deque<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      group.swap(queue_);
    }
    storage::StoreBatch batch = store_->NewBatch();
    for (Pending& p : group) {
      const absl::Time now = clock_->Now();
      const int64_t id = ++last_id_;
      p.entry.set_name(absl::StrCat("partnerships/", p.partnership, "/auditEntries/", id));
      p.entry.mutable_read_time()->set_seconds(absl::ToUnixSeconds(now));
      p.entry.mutable_read_time()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(
                                                                    absl::ToUnixSeconds(now)))));
      const std::string suffix = absl::StrCat(TimeKey(now), Hex16(static_cast<uint64_t>(id)));
      const std::string value = p.entry.SerializeAsString();
      batch.PutRow(absl::StrCat(AllPrefix(p.partnership), suffix), value);
      batch.PutRow(absl::StrCat(ResourcePrefix(p.partnership, p.entry.resource()), suffix), value);
      batch.PutRow(absl::StrCat(PersonPrefix(p.partnership, p.entry.actor().agency(),
                                             p.entry.actor().user()),
                                suffix),
                   value);
    }
    batch.PutSequence(kSequence, last_id_);
    const absl::Status written = store_->WriteAlongside(batch);
    if (!written.ok()) {
      absl::Status refused = ErrorWithReason(
          absl::StatusCode::kUnavailable, "AUDIT_UNAVAILABLE",
          absl::StrCat("the read was not answered because its audit entry could not be "
                       "written: ",
                       written.message()));
      for (Pending& p : group) p.done(refused);
      continue;
    }
    for (Pending& p : group) p.done(absl::OkStatus());
  }
}

}  // namespace casework::services
