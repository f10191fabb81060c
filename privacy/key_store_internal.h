// What the key store's .cc files share: its key layout (privacy/key_store.h)
// and small helpers. Only privacy/ includes it.
#ifndef CASEWORK_PRIVACY_KEY_STORE_INTERNAL_H_
#define CASEWORK_PRIVACY_KEY_STORE_INTERNAL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "casework/internal/keys.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "privacy/cipher.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"
#include "workflow/common/status.h"

namespace casework::privacy::key_store_internal {

inline constexpr absl::string_view kNamePrefix = "name/";
inline constexpr absl::string_view kKeyPrefix = "key/";
inline constexpr absl::string_view kPoolPrefix = "pool/";

inline rocksdb::Slice S(absl::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

inline absl::Status Failed(absl::string_view what, const rocksdb::Status& s) {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_WRITE_FAILED",
                         absl::StrCat("key store: ", what, ": ", s.ToString()));
}

inline rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

inline google::protobuf::Timestamp NowStamp() {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
}

// A subject's key as the store keeps it: wrapped by the master key.
inline std::string KeyRecord(const MasterKey& master, absl::string_view id, const Key256& key,
                             const google::protobuf::Timestamp& created) {
  internal::SubjectKeyRecord record;
  record.set_wrapped(Seal(master.key, key.view(), id));
  record.set_master_key_id(master.id);
  *record.mutable_created_time() = created;
  return record.SerializeAsString();
}

// A name record's value: the generation and the key id.
inline std::string NameValue(int64_t generation, absl::string_view id) {
  return absl::StrCat(generation, ":", id);
}

}  // namespace casework::privacy::key_store_internal

#endif  // CASEWORK_PRIVACY_KEY_STORE_INTERNAL_H_
