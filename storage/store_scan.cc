// EventStore's whole-family scans of request records and sequences: what
// moving a partnership reads (storage/transfer.h).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/event_store.h"
#include "storage/keys.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

using store_internal::FromRocks;
using store_internal::View;

absl::Status EventStore::ScanRequests(
    const std::function<bool(absl::string_view key, const internal::RequestRecord&)>& fn) const {
  // Chunks are read under the lock and handed to `fn` outside it.
  constexpr size_t kChunk = 1024;
  std::string after;
  bool first = true;
  std::vector<std::pair<std::string, internal::RequestRecord>> chunk;
  for (;;) {
    chunk.clear();
    {
      absl::ReaderMutexLock lock(&db_mu_);
      ASSIGN_OR_RETURN(const Handles* h, Db());
      std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->requests));
      if (first) {
        it->SeekToFirst();
      } else {
        it->Seek(after);
        if (it->Valid() && View(it->key()) == after) it->Next();
      }
      for (; it->Valid() && chunk.size() < kChunk; it->Next()) {
        auto& [key, record] = chunk.emplace_back();
        key = std::string(View(it->key()));
        if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          return absl::DataLossError(absl::StrCat("corrupt request record ", key));
        }
      }
      RETURN_IF_ERROR(FromRocks(it->status(), "reading request records"));
    }
    for (const auto& [key, record] : chunk) {
      if (!fn(key, record)) return absl::OkStatus();
    }
    if (chunk.size() < kChunk) return absl::OkStatus();
    after = chunk.back().first;
    first = false;
  }
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> EventStore::ScanSequences(
    absl::string_view prefix) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  const std::string start = keys::SequenceKey(prefix);
  const std::string names = keys::SequenceKey("");
  std::vector<std::pair<std::string, int64_t>> found;
  std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->meta));
  for (it->Seek(start); it->Valid() && absl::StartsWith(View(it->key()), start); it->Next()) {
    if (it->value().size() != 8) {
      return absl::DataLossError(absl::StrCat("corrupt sequence ", View(it->key())));
    }
    found.emplace_back(std::string(View(it->key()).substr(names.size())),
                       static_cast<int64_t>(keys::GetBE64(View(it->value()))));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading sequences"));
  return found;
}

}  // namespace casework::storage
