// The key store's keys made ahead of need (privacy/key_store.h): the pool,
// its refill thread, and the bindings that ride in data writes.
#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "privacy/key_store.h"
#include "privacy/key_store_internal.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "workflow/common/status.h"

namespace casework::privacy {

using key_store_internal::Failed;
using key_store_internal::KeyRecord;
using key_store_internal::kKeyPrefix;
using key_store_internal::kNamePrefix;
using key_store_internal::kPoolPrefix;
using key_store_internal::NameValue;
using key_store_internal::NowStamp;
using key_store_internal::S;
using key_store_internal::Synced;

namespace {
// How long a refill that failed (a full disk) waits before it tries again.
constexpr absl::Duration kRefillRetry = absl::Seconds(1);
}  // namespace

KeyStore::Counts KeyStore::counts() const {
  absl::MutexLock lock(&mu_);
  Counts counts = counts_;
  counts.pool = pool_.size();
  return counts;
}

bool KeyStore::AwaitPool(size_t keys, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto held = [this, keys]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pool_.size() >= keys; };
  return mu_.AwaitWithTimeout(absl::Condition(&held), timeout);
}

absl::StatusOr<std::vector<KeyStore::Binding>> KeyStore::TakeBindings() {
  absl::MutexLock lock(&mu_);
  std::vector<const Pending*> made;
  for (const auto& [hash, p] : pending_) {
    if (!p.pooled) made.push_back(&p);
  }
  if (!made.empty()) {
    RETURN_IF_ERROR(WritePendingLocked(made));
    for (const Pending* p : made) pending_.erase(std::string(p->name_hash));
  }
  std::vector<Binding> bindings;
  for (auto& [hash, p] : pending_) {
    if (p.in_flight) continue;
    p.in_flight = true;
    bindings.push_back(Binding{p.id, hash, p.generation});
  }
  return bindings;
}

void KeyStore::BindingsWritten(const std::vector<Binding>& bindings, bool durable) {
  if (bindings.empty()) return;
  absl::MutexLock lock(&mu_);
  // Those still pending as they were (Persist may have written them meanwhile).
  std::vector<Pending*> mine;
  for (const Binding& b : bindings) {
    auto it = pending_.find(b.name_hash);
    if (it != pending_.end() && it->second.id == b.key_id) mine.push_back(&it->second);
  }
  if (durable && !mine.empty()) {
    rocksdb::WriteBatch batch;
    for (const Pending* p : mine) {
      batch.Delete(S(absl::StrCat(kPoolPrefix, p->id)));
      batch.Put(S(absl::StrCat(kNamePrefix, p->name_hash)), NameValue(p->generation, p->id));
    }
    // Unsynced: until a synced write follows, the data directory holds them.
    if (db_->Write(rocksdb::WriteOptions(), &batch).ok()) {
      for (Pending* p : mine) {
        unsynced_.push_back(p->id);
        CacheLocked(p->id, KeyState::kLive, p->key);
        pending_.erase(std::string(p->name_hash));
      }
      return;
    }
  }
  // Not written (here or in the data): the next data write carries them again.
  for (Pending* p : mine) p->in_flight = false;
}

std::vector<std::string> KeyStore::TakeSettled() {
  absl::MutexLock lock(&mu_);
  return std::exchange(settled_, {});
}

absl::Status KeyStore::Reconcile(const std::vector<Binding>& bindings) {
  if (bindings.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  for (const Binding& b : bindings) {
    batch.Delete(S(absl::StrCat(kPoolPrefix, b.key_id)));
    ASSIGN_OR_RETURN(std::optional<NameRecord> record, ReadNameLocked(b.name_hash));
    // A later generation means the key was erased and the name has a new
    // one: the binding is history.
    if (!record.has_value() || record->generation < b.generation) {
      batch.Put(S(absl::StrCat(kNamePrefix, b.name_hash)), NameValue(b.generation, b.key_id));
      names_.clear();
    }
  }
  if (rocksdb::Status s = db_->Write(Synced(), &batch); !s.ok()) {
    return Failed("writing the bindings a data directory held", s);
  }
  return absl::OkStatus();
}

absl::Status KeyStore::DestroyLeftoverPoolLocked() {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(S(kPoolPrefix)); it->Valid() && it->key().starts_with(S(kPoolPrefix));
       it->Next()) {
    const absl::string_view id(it->key().data() + kPoolPrefix.size(),
                               it->key().size() - kPoolPrefix.size());
    batch.Delete(S(absl::StrCat(kKeyPrefix, id)));
    batch.Delete(it->key());
    cache_.erase(id);
  }
  if (!it->status().ok()) return Failed("reading the pool", it->status());
  if (batch.Count() == 0) return absl::OkStatus();
  if (rocksdb::Status s = db_->Write(Synced(), &batch); !s.ok()) {
    return Failed("destroying keys an earlier process made and never gave out", s);
  }
  return absl::OkStatus();
}

void KeyStore::StartPool() {
  absl::MutexLock lock(&mu_);
  if (pool_started_) return;
  pool_started_ = true;
  // Keys an earlier process made and never gave out are destroyed, not
  // given out: a key store restored from a backup holds, as unused, keys
  // that were bound after the backup and whose bindings it never got.
  // Every key given out lost its marker with its binding, here or in
  // Reconcile, so none of these sealed anything the data directory holds.
  if (absl::Status destroyed = DestroyLeftoverPoolLocked(); !destroyed.ok()) {
    std::fprintf(stderr, "caseworkd: key store: %s\n", std::string(destroyed.message()).c_str());
  }
  refiller_ = std::thread([this] { RefillLoop(); });
}

void KeyStore::RefillLoop() {
  for (;;) {
    size_t count = 0;
    {
      absl::MutexLock lock(&mu_);
      auto wanted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || pool_.size() <= kPoolSize / 2;
      };
      mu_.Await(absl::Condition(&wanted));
      if (stopping_) return;
      count = kPoolSize - pool_.size();
    }
    if (rocksdb::Status written = Refill(count); !written.ok()) {
      // Keys are then made on demand, as without a pool; try again later.
      std::fprintf(stderr, "caseworkd: key store: filling the pool of keys: %s\n",
                   written.ToString().c_str());
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kRefillRetry);
    }
  }
}

rocksdb::Status KeyStore::Refill(size_t count) {
  absl::MutexLock refill(&refill_mu_);
  MasterKey master;
  std::vector<std::string> settling;
  {
    absl::MutexLock lock(&mu_);
    master = master_;
    // Written unsynced before this synced write: durable with it.
    settling = std::exchange(unsynced_, {});
  }
  std::vector<std::pair<std::string, Key256>> made;
  rocksdb::WriteBatch batch;
  const google::protobuf::Timestamp now = NowStamp();
  for (size_t i = 0; i < count; ++i) {
    const std::string id = absl::BytesToHexString(Key256::Random().view().substr(0, 16));
    const Key256 key = Key256::Random();
    batch.Put(S(absl::StrCat(kKeyPrefix, id)), KeyRecord(master, id, key, now));
    batch.Put(S(absl::StrCat(kPoolPrefix, id)), S(""));
    made.emplace_back(id, key);
  }
  const rocksdb::Status written = db_->Write(Synced(), &batch);
  absl::MutexLock lock(&mu_);
  std::vector<std::string>& to = written.ok() ? settled_ : unsynced_;
  to.insert(to.end(), settling.begin(), settling.end());
  if (written.ok()) {
    for (auto& key : made) pool_.push_back(std::move(key));
    ++counts_.refills;
  }
  return written;
}

}  // namespace casework::privacy
