// Replacing a range of keys (ReplaceRows, ReplaceTimers, ReplaceStates):
// the keys stored under a prefix and the keys wanted there, merged in key
// order, and only what differs written. The first part goes in a synced
// batch, like any write; a replacement that outgrows it (a rebuild's
// millions of rows) goes on in table files that RocksDB takes in whole
// (IngestExternalFile), so that it passes through no memtable and no
// write-ahead log.
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/sst_file_writer.h"
#include "storage/event_store.h"
#include "storage/parsed_rows.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

using store_internal::FromRocks;
using store_internal::ToSlice;
using store_internal::View;

namespace {

// The merge of the keys stored under a prefix (read through an iterator) and
// the keys wanted there (in key order, each once): the puts and deletes that
// make the first the second, in key order, each key at most once.
class RangeMerge {
 public:
  RangeMerge(absl::string_view prefix, const std::vector<EventStore::KeyValue>& wanted)
      : prefix_(ToSlice(prefix)), wanted_(wanted) {}

  // Positions `it` where the merge goes on: at the prefix, or after the
  // last key handled (an iterator opened after a write).
  void Seek(rocksdb::Iterator& it) const {
    it.Seek(last_.empty() ? prefix_ : ToSlice(last_));
    if (!last_.empty() && it.Valid() && it.key() == ToSlice(last_)) it.Next();
  }

  // Hands the next difference to `put(key, value)` or `del(key)`, passing
  // keys already stored with their value. False once none is left.
  template <typename Put, typename Delete>
  bool Next(rocksdb::Iterator& it, const Put& put, const Delete& del) {
    for (;;) {
      const bool stored = it.Valid() && it.key().starts_with(prefix_);
      if (!stored && next_ == wanted_.size()) return false;
      const int order = !stored                   ? 1
                        : next_ == wanted_.size() ? -1
                                                  : it.key().compare(ToSlice(wanted_[next_].first));
      if (order < 0) {  // stored, not wanted
        deleted_.assign(it.key().data(), it.key().size());
        last_ = deleted_;
        del(it.key());
        it.Next();
        return true;
      }
      const auto& [key, value] = wanted_[next_++];
      const bool differs = order > 0 || View(it.value()) != value;
      if (order == 0) it.Next();
      last_ = key;
      if (differs) {
        put(ToSlice(key), ToSlice(value));
        return true;
      }
    }
  }

 private:
  const rocksdb::Slice prefix_;
  const std::vector<EventStore::KeyValue>& wanted_;
  size_t next_ = 0;  // into wanted_
  // The last key handled: a wanted one, or the last deleted (copied, as
  // the iterator moves on).
  absl::string_view last_;
  std::string deleted_;
};

// Writes the rest of `merge` into table files of about `file_bytes` each
// in `dir`, for family `cf` of `db`; returns their paths (none if nothing
// was left to write).
absl::StatusOr<std::vector<std::string>> WriteTables(rocksdb::DB* db,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     const std::string& dir, RangeMerge& merge,
                                                     uint64_t file_bytes) {
  const rocksdb::Options options = db->GetOptions(cf);
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, cf);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  merge.Seek(*it);
  std::vector<std::string> files;
  rocksdb::Status s;
  // Whether a file is open: each is opened at its first entry, as a table
  // file cannot be empty.
  bool open = false;
  auto opened = [&] {
    if (!open) {
      files.push_back(absl::StrCat(dir, "/", files.size(), ".sst"));
      s = writer.Open(files.back());
      open = s.ok();
    }
    return open;
  };
  auto put = [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (opened()) s = writer.Put(key, value);
  };
  auto del = [&](const rocksdb::Slice& key) {
    if (opened()) s = writer.Delete(key);
  };
  while (s.ok() && merge.Next(*it, put, del)) {
    if (s.ok() && writer.FileSize() >= file_bytes) {
      s = writer.Finish();
      open = false;
    }
  }
  if (s.ok() && open) s = writer.Finish();
  if (!s.ok()) return FromRocks(s, "writing table files");
  if (!it->status().ok()) return FromRocks(it->status(), "replacing a key range");
  return files;
}

}  // namespace

absl::Status EventStore::ReplaceTimers(const std::map<std::string, internal::TimerRecord>& timers,
                                       size_t batch_bytes) {
  std::vector<std::string> values;
  values.reserve(timers.size());
  std::vector<KeyValue> wanted;
  wanted.reserve(timers.size());
  for (const auto& [key, record] : timers) {
    values.push_back(record.SerializeAsString());
    wanted.emplace_back(key, values.back());
  }
  return ReplaceRange(&Handles::timers, "", wanted, batch_bytes);
}

absl::Status EventStore::ReplaceStates(const std::vector<KeyValue>& records,
                                       size_t batch_bytes) {
  return ReplaceRange(&Handles::state, "", records, batch_bytes);
}

absl::Status EventStore::ReplaceRows(absl::string_view prefix, std::vector<KeyValue> rows,
                                     size_t batch_bytes) {
  auto key_less = [](const KeyValue& a, const KeyValue& b) { return a.first < b.first; };
  auto not_before = [](const KeyValue& a, const KeyValue& b) { return a.first >= b.first; };
  if (std::adjacent_find(rows.begin(), rows.end(), not_before) != rows.end()) {
    // Of a key given twice, the later: sorted stably, the last of each run.
    std::stable_sort(rows.begin(), rows.end(), key_less);
    auto same_key = [](const KeyValue& a, const KeyValue& b) { return a.first == b.first; };
    auto last = std::unique(rows.rbegin(), rows.rend(), same_key);
    rows.erase(rows.begin(), last.base());
  }
  return ReplaceRange(&Handles::rows, prefix, rows, batch_bytes);
}

absl::Status EventStore::ReplaceRange(rocksdb::ColumnFamilyHandle* Handles::*family,
                                      absl::string_view prefix, const std::vector<KeyValue>& wanted,
                                      size_t batch_bytes) {
  // Table files go in a directory of their own inside the data directory
  // (so that RocksDB links them in rather than copying them), emptied of
  // what a replacement stopped by a crash left, and removed after.
  const std::string dir = absl::StrCat(options_.path, "/replacing");
  std::error_code error;
  std::filesystem::remove_all(dir, error);

  RangeMerge merge(prefix, wanted);
  // The first batch: most replacements fit in it.
  bool more = false;
  StoreBatch batch = NewBatch();
  {
    absl::ReaderMutexLock lock(&db_mu_);
    ASSIGN_OR_RETURN(const Handles* h, Db());
    rocksdb::ColumnFamilyHandle* cf = h->*family;
    rocksdb::WriteBatch& b = batch.impl_->batch;
    auto put = [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
      b.Put(cf, key, value).PermitUncheckedError();
    };
    auto del = [&](const rocksdb::Slice& key) { b.Delete(cf, key).PermitUncheckedError(); };
    std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), cf));
    merge.Seek(*it);
    while ((b.Count() == 0 || b.GetDataSize() < batch_bytes) &&
           (more = merge.Next(*it, put, del))) {
    }
    if (!it->status().ok()) return FromRocks(it->status(), "replacing a key range");
  }
  // Also carries the key bindings sealing the rows made (Write): durable
  // before any table file holds a row sealed with their keys.
  if (batch.count() > 0) RETURN_IF_ERROR(Write(batch));
  if (!more) return absl::OkStatus();

  // The rest in table files.
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("replacing a key range: cannot create ", dir, ": ", error.message()));
  }
  absl::Status done = [&]() -> absl::Status {
    absl::ReaderMutexLock lock(&db_mu_);
    ASSIGN_OR_RETURN(const Handles* h, Db());
    rocksdb::ColumnFamilyHandle* cf = h->*family;
    ASSIGN_OR_RETURN(std::vector<std::string> files,
                     WriteTables(h->db, cf, dir, merge, kReplaceTableFiles * batch_bytes));
    if (files.empty()) return absl::OkStatus();
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    return FromRocks(h->db->IngestExternalFile(cf, files, ingest), "taking in table files");
  }();
  std::filesystem::remove_all(dir, error);
  // Rows changed without a write: nothing a reader parsed is known good.
  InvalidateReaders();
  return done;
}

}  // namespace casework::storage
