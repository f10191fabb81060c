#include "privacy/key_store.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"
#include "privacy/key_store_internal.h"
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

constexpr absl::string_view kMasterKey = "master";
constexpr absl::string_view kErasedPrefix = "erased/";
// What the master record's check seals: a wrong master key fails to open it.
constexpr absl::string_view kCheckText = "casework key store check";
constexpr absl::string_view kNamingSecretAad = "casework naming secret";
// Keys held in memory at most; the cache is cleared when it is full.
constexpr size_t kMaxCachedKeys = 1 << 16;

std::string SealNamingSecret(const MasterKey& master, const Key256& secret) {
  return Seal(master.key, secret.view(), kNamingSecretAad);
}

internal::MasterKeyRecord MasterRecord(const MasterKey& master, const Key256& secret,
                                       absl::string_view store_id) {
  internal::MasterKeyRecord record;
  record.set_store_id(std::string(store_id));
  record.set_master_key_id(master.id);
  record.set_check(Seal(master.key, kCheckText, master.id));
  record.set_wrapped_naming_secret(SealNamingSecret(master, secret));
  *record.mutable_rotated_time() = NowStamp();
  return record;
}

}  // namespace

KeyStore::KeyStore(std::unique_ptr<rocksdb::DB> db, MasterKey master, Key256 naming_secret,
                   std::string store_id)
    : db_(std::move(db)),
      naming_secret_(naming_secret),
      store_id_(std::move(store_id)),
      master_(std::move(master)) {}

KeyStore::~KeyStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (refiller_.joinable()) refiller_.join();
}

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& path,
                                                         const MasterKey& master) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  // Most name lookups are for names never sealed before (each new record
  // has its own key): a Bloom filter answers them without reading tables.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_OPEN_FAILED",
                           absl::StrCat("key store ", path, " cannot be opened: ", s.ToString()));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), S(kMasterKey), &value);
  if (s.IsNotFound()) {
    // A new store: its naming secret is made once and kept for ever.
    const Key256 secret = Key256::Random();
    const std::string id =
        absl::BytesToHexString(Key256::Random().view().substr(0, 16));
    const std::string record = MasterRecord(master, secret, id).SerializeAsString();
    if (s = db->Put(Synced(), S(kMasterKey), S(record)); !s.ok()) {
      return Failed("writing its master record", s);
    }
    return std::unique_ptr<KeyStore>(new KeyStore(std::move(db), master, secret, id));
  }
  internal::MasterKeyRecord record;
  if (!s.ok() || !record.ParseFromString(value)) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                           absl::StrCat("key store ", path, ": its master record is unreadable",
                                        s.ok() ? "" : absl::StrCat(" (", s.ToString(), ")")));
  }
  if (record.master_key_id() != master.id) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, "MASTER_KEY_MISMATCH",
        absl::StrCat("the master key file holds key ", master.id, ", but the key store ", path,
                     " was created or last rotated with key ", record.master_key_id(),
                     ": start with that key's file (nothing was read or written)"));
  }
  absl::StatusOr<std::string> check = privacy::Open(master.key, record.check(), master.id);
  absl::StatusOr<std::string> secret =
      privacy::Open(master.key, record.wrapped_naming_secret(), kNamingSecretAad);
  if (!check.ok() || *check != kCheckText || !secret.ok() || secret->size() != Key256::kSize) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                           absl::StrCat("key store ", path, ": its master record does not open ",
                                        "with master key ", master.id,
                                        " although the ids match: the store is damaged"));
  }
  return std::unique_ptr<KeyStore>(
      new KeyStore(std::move(db), master, Key256(*secret), record.store_id()));
}

std::string KeyStore::NameHash(absl::string_view name) const {
  return absl::BytesToHexString(absl::string_view(HmacSha256(naming_secret_, name)).substr(0, 16));
}

std::string KeyStore::KeyIdOf(absl::string_view name, int64_t generation) const {
  const std::string mac = HmacSha256(naming_secret_, absl::StrCat(name, "\0", generation));
  return absl::BytesToHexString(absl::string_view(mac).substr(0, 16));
}

const std::string& KeyStore::master_key_id() const {
  absl::MutexLock lock(&mu_);
  return master_.id;
}

size_t KeyStore::pending() const {
  absl::MutexLock lock(&mu_);
  return pending_.size();
}

void KeyStore::CacheLocked(const std::string& id, KeyState state, const Key256& key) {
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();
  cache_[id] = {state, key};
}

absl::StatusOr<std::pair<KeyState, Key256>> KeyStore::LoadLocked(absl::string_view id) {
  if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), S(absl::StrCat(kKeyPrefix, id)), &value);
  if (s.ok()) {
    internal::SubjectKeyRecord record;
    if (!record.ParseFromString(value)) {
      return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                             absl::StrCat("key store: key ", id, " is unreadable"));
    }
    absl::StatusOr<std::string> raw = privacy::Open(master_.key, record.wrapped(), id);
    if (!raw.ok() || raw->size() != Key256::kSize) {
      return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                             absl::StrCat("key store: key ", id, " does not open with master key ",
                                          master_.id));
    }
    Key256 key(*raw);
    CacheLocked(std::string(id), KeyState::kLive, key);
    return std::make_pair(KeyState::kLive, key);
  }
  if (!s.IsNotFound()) return Failed(absl::StrCat("reading key ", id), s);
  s = db_->Get(rocksdb::ReadOptions(), S(absl::StrCat(kErasedPrefix, id)), &value);
  if (!s.ok() && !s.IsNotFound()) return Failed(absl::StrCat("reading erasure ", id), s);
  const KeyState state = s.ok() ? KeyState::kErased : KeyState::kUnknown;
  // Unknown ids are not cached: a key made by another writer may yet appear.
  if (state == KeyState::kErased) CacheLocked(std::string(id), state, Key256());
  return std::make_pair(state, Key256());
}

absl::StatusOr<std::pair<KeyState, Key256>> KeyStore::Get(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  for (const auto& [hash, p] : pending_) {
    if (p.id == id) return std::make_pair(KeyState::kLive, p.key);
  }
  return LoadLocked(id);
}

absl::StatusOr<std::optional<std::string>> KeyStore::LiveIdOf(absl::string_view name) {
  const std::string hash = NameHash(name);
  absl::MutexLock lock(&mu_);
  if (auto it = pending_.find(hash); it != pending_.end()) {
    return std::optional<std::string>(it->second.id);
  }
  ASSIGN_OR_RETURN(std::optional<NameRecord> record, ReadNameLocked(hash));
  if (!record.has_value()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto found, LoadLocked(record->id));
  if (found.first != KeyState::kLive) return std::optional<std::string>();
  return std::optional<std::string>(record->id);
}

absl::StatusOr<std::optional<KeyStore::NameRecord>> KeyStore::ReadNameLocked(
    absl::string_view hash) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), S(absl::StrCat(kNamePrefix, hash)), &value);
  if (s.IsNotFound()) return std::optional<NameRecord>();
  if (!s.ok()) return Failed("reading a name", s);
  const std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(value, ':');
  NameRecord record;
  record.id = std::string(parts.second);
  if (!absl::SimpleAtoi(parts.first, &record.generation) || record.id.empty()) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                           "key store: a name record is unreadable");
  }
  return std::optional<NameRecord>(std::move(record));
}

absl::StatusOr<std::pair<std::string, Key256>> KeyStore::GetOrCreate(absl::string_view name) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = names_.find(name); it != names_.end()) return it->second;
  }
  const std::string hash = NameHash(name);
  absl::MutexLock lock(&mu_);
  if (auto it = pending_.find(hash); it != pending_.end()) {
    return std::make_pair(it->second.id, it->second.key);
  }
  ASSIGN_OR_RETURN(std::optional<NameRecord> record, ReadNameLocked(hash));
  int64_t generation = 0;
  if (record.has_value()) {
    ASSIGN_OR_RETURN(auto found, LoadLocked(record->id));
    if (found.first == KeyState::kLive) {
      if (names_.size() >= kMaxCachedKeys) names_.clear();
      names_[name] = {record->id, found.second};
      return std::make_pair(record->id, found.second);
    }
    // erased: the person's data from now on gets a new key
    generation = record->generation + 1;
  }
  Pending& p = pending_[hash];
  p.name_hash = hash;
  p.generation = generation;
  if (!pool_.empty()) {
    std::tie(p.id, p.key) = std::move(pool_.back());
    pool_.pop_back();
    p.pooled = true;
    ++counts_.from_pool;
  } else {
    p.id = KeyIdOf(name, generation);
    p.key = Key256::Random();
    ++counts_.outside_pool;
  }
  if (names_.size() >= kMaxCachedKeys) names_.clear();
  names_[name] = {p.id, p.key};
  return std::make_pair(p.id, p.key);
}

absl::Status KeyStore::WritePendingLocked(const std::vector<const Pending*>& pending) {
  rocksdb::WriteBatch batch;
  const google::protobuf::Timestamp now = NowStamp();
  for (const Pending* p : pending) {
    if (p->pooled) {
      batch.Delete(S(absl::StrCat(kPoolPrefix, p->id)));
    } else {
      batch.Put(S(absl::StrCat(kKeyPrefix, p->id)), KeyRecord(master_, p->id, p->key, now));
    }
    batch.Put(S(absl::StrCat(kNamePrefix, p->name_hash)), NameValue(p->generation, p->id));
  }
  if (rocksdb::Status s = db_->Write(Synced(), &batch); !s.ok()) {
    return Failed("writing new keys", s);
  }
  // The synced write made what was written unsynced before it durable.
  settled_.insert(settled_.end(), unsynced_.begin(), unsynced_.end());
  unsynced_.clear();
  for (const Pending* p : pending) {
    CacheLocked(p->id, KeyState::kLive, p->key);
    // A binding that was in a data write is in the data directory too.
    if (p->in_flight) settled_.push_back(p->id);
  }
  return absl::OkStatus();
}

absl::Status KeyStore::Persist() {
  absl::MutexLock lock(&mu_);
  if (pending_.empty()) return absl::OkStatus();
  std::vector<const Pending*> all;
  for (const auto& [hash, p] : pending_) all.push_back(&p);
  RETURN_IF_ERROR(WritePendingLocked(all));
  pending_.clear();
  return absl::OkStatus();
}

absl::Status KeyStore::EraseLocked(const internal::ErasureRecord& record) {
  const std::string& id = record.key_id();
  std::string existing;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), S(absl::StrCat(kErasedPrefix, id)), &existing);
  rocksdb::WriteBatch batch;
  batch.Delete(S(absl::StrCat(kKeyPrefix, id)));
  if (s.IsNotFound()) {
    batch.Put(S(absl::StrCat(kErasedPrefix, id)), record.SerializeAsString());
  } else if (!s.ok()) {
    return Failed("reading an erasure", s);
  }
  if (s = db_->Write(Synced(), &batch); !s.ok()) return Failed("recording an erasure", s);
  CacheLocked(id, KeyState::kErased, Key256());
  absl::erase_if(names_, [&id](const auto& entry) { return entry.second.first == id; });
  ForgetKeyedContexts();
  return absl::OkStatus();
}

absl::StatusOr<std::string> KeyStore::EraseName(absl::string_view name,
                                                internal::ErasureRecord record) {
  ASSIGN_OR_RETURN(std::optional<std::string> id, LiveIdOf(name));
  RETURN_IF_ERROR(Persist());  // a pending key of the name is erased too
  if (!id.has_value()) {
    return absl::NotFoundError("no live key for that name (never sealed, or already erased)");
  }
  record.set_key_id(*id);
  if (!record.has_erased_time()) *record.mutable_erased_time() = NowStamp();
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(EraseLocked(record));
  return *id;
}

absl::Status KeyStore::EraseId(const internal::ErasureRecord& record) {
  RETURN_IF_ERROR(Persist());
  absl::MutexLock lock(&mu_);
  return EraseLocked(record);
}

absl::StatusOr<std::vector<internal::ErasureRecord>> KeyStore::Erasures() const {
  std::vector<internal::ErasureRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(S(kErasedPrefix)); it->Valid() && it->key().starts_with(S(kErasedPrefix));
       it->Next()) {
    internal::ErasureRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                             "key store: an erasure record is unreadable");
    }
    out.push_back(std::move(record));
  }
  if (!it->status().ok()) return Failed("listing erasures", it->status());
  return out;
}

absl::StatusOr<int64_t> KeyStore::Rotate(const MasterKey& next) {
  absl::MutexLock refill(&refill_mu_);
  RETURN_IF_ERROR(Persist());
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  int64_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(S(kKeyPrefix)); it->Valid() && it->key().starts_with(S(kKeyPrefix)); it->Next()) {
    const std::string id(it->key().data() + kKeyPrefix.size(),
                         it->key().size() - kKeyPrefix.size());
    internal::SubjectKeyRecord record;
    absl::StatusOr<std::string> raw;
    if (record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      raw = privacy::Open(master_.key, record.wrapped(), id);
    }
    if (!raw.ok() || raw->size() != Key256::kSize) {
      return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_DAMAGED",
                             absl::StrCat("key store: key ", id, " does not open with master key ",
                                          master_.id, "; nothing was rotated"));
    }
    record.set_wrapped(Seal(next.key, *raw, id));
    record.set_master_key_id(next.id);
    batch.Put(it->key(), record.SerializeAsString());
    ++count;
  }
  if (!it->status().ok()) return Failed("reading keys to rotate", it->status());
  const std::string master = MasterRecord(next, naming_secret_, store_id_).SerializeAsString();
  batch.Put(S(kMasterKey), S(master));
  if (rocksdb::Status s = db_->Write(Synced(), &batch); !s.ok()) {
    return Failed("writing rotated keys", s);
  }
  master_ = next;
  ForgetKeyedContexts();
  return count;
}

absl::Status KeyStore::Compact() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (rocksdb::Status s = db_->Flush(rocksdb::FlushOptions()); !s.ok()) {
    return Failed("flushing", s);
  }
  if (rocksdb::Status s = db_->CompactRange(options, nullptr, nullptr); !s.ok()) {
    return Failed("compacting", s);
  }
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> KeyStore::Backup(const std::string& dir, int keep) {
  auto failed = [&](absl::string_view what, const rocksdb::Status& s) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_BACKUP_FAILED",
                           absl::StrCat("key store: ", what, " ", dir, ": ", s.ToString()));
  };
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return failed("cannot open the backup directory", s);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // Keys are written synced, to the write-ahead log: it is copied with the
  // tables rather than flushed first.
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(options, db_.get(), &id);
  if (!s.ok()) return failed("cannot back up to", s);
  if (keep > 0) {
    s = engine->PurgeOldBackups(static_cast<uint32_t>(keep));
    if (!s.ok()) return failed("cannot delete old backups in", s);
  }
  return id;
}

absl::StatusOr<uint32_t> RestoreKeyStoreBackup(const std::string& dir, const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_empty(path, error)) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "RESTORE_TARGET_NOT_EMPTY",
                           absl::StrCat("refusing to restore the key store into ", path,
                                        ": it is not empty (a restore never overwrites keys)"));
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                           absl::StrCat("no key store backups in ", dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(dir),
                                                            rocksdb::Env::Default(), &raw);
  if (!s.ok()) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_BACKUP_FAILED",
                           absl::StrCat("cannot read the key store backups in ", dir, ": ",
                                        s.ToString()));
  }
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                           absl::StrCat("no key store backups in ", dir));
  }
  const uint32_t id = infos.back().backup_id;
  s = engine->RestoreDBFromBackup(id, path, path);
  if (!s.ok()) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_BACKUP_FAILED",
                           absl::StrCat("cannot restore the key store from ", dir, ": ",
                                        s.ToString()));
  }
  return id;
}

}  // namespace casework::privacy
