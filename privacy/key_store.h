// The key store: every data subject's key, wrapped by the operator's master
// key, and the list of erasures, in a RocksDB directory of its own (never
// inside the data directory: a backup of the data directory then holds
// ciphertext only, and erasures outlive a restored backup).
//
// Keys are found by name ("partnerships/eastbrook/COMPLAINANT/cmp-4471" for a
// person, "partnerships/eastbrook/complaints/17/CASE_SUBJECT" for a record).
// A name is never stored: its id is an HMAC of the name under a secret the
// master key wraps, so the store says nothing about whose keys it holds.
// Erasing a name destroys its key; data about the same person sealed later
// gets a new key (a new generation), erasable in turn.
//
// Layout (default column family, format 1):
//   "master"           -> casework.internal.MasterKeyRecord
//   "name/" + HMAC hex -> generation (decimal) + ":" + key id
//   "key/" + key id    -> casework.internal.SubjectKeyRecord
//   "erased/" + key id -> casework.internal.ErasureRecord, kept for ever
// A key id is 32 hex digits: an HMAC of the name and its generation.
//
// Thread-safe. New keys are kept in memory until Persist() writes them (one
// synced write for a group of commands): the caller persists before it
// commits anything sealed with them.
#ifndef CASEWORK_PRIVACY_KEY_STORE_H_
#define CASEWORK_PRIVACY_KEY_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "casework/internal/keys.pb.h"
#include "privacy/cipher.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace casework::privacy {

// What a read finds for a key id.
enum class KeyState { kLive, kErased, kUnknown };

class KeyStore {
 public:
  // Opens the key store at `path`, creating it (with `master`) if missing.
  // FAILED_PRECONDITION, ErrorInfo reason MASTER_KEY_MISMATCH, naming both
  // key ids, when the store was created or last rotated with another master
  // key; DATA_LOSS (KEY_STORE_DAMAGED) when its master record is unreadable;
  // UNAVAILABLE (KEY_STORE_OPEN_FAILED) when RocksDB cannot open it (e.g.
  // another process has it).
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(const std::string& path,
                                                        const MasterKey& master);
  ~KeyStore();

  // The live key for `name`, created (in memory, until Persist) if the name
  // has none or its key was erased. Returns the key id and the key.
  absl::StatusOr<std::pair<std::string, Key256>> GetOrCreate(absl::string_view name);
  // The key with `id`: live, erased, or never seen.
  absl::StatusOr<std::pair<KeyState, Key256>> Get(absl::string_view id);
  // The id `name`'s live key has, or nullopt if it has none.
  absl::StatusOr<std::optional<std::string>> LiveIdOf(absl::string_view name);

  // Writes the keys created since the last call, synced. A no-op when none.
  absl::Status Persist();

  // Destroys the live key of `name` and records `record` (its key_id is
  // filled in). NOT_FOUND if the name has no live key. Synced.
  absl::StatusOr<std::string> EraseName(absl::string_view name, internal::ErasureRecord record);
  // Destroys the key `record.key_id()` and records it. Idempotent: a key
  // already erased keeps its first record. Synced.
  absl::Status EraseId(const internal::ErasureRecord& record);
  // Every erasure, in key id order.
  absl::StatusOr<std::vector<internal::ErasureRecord>> Erasures() const;

  // Wraps every key (and the naming secret) with `next` instead, in one
  // synced write; from then on only `next` opens the store. Returns how many
  // keys were rewrapped.
  absl::StatusOr<int64_t> Rotate(const MasterKey& next);
  // Compacts the store so destroyed keys leave its files.
  absl::Status Compact();
  // Takes an online backup of the store into `dir` (RocksDB's
  // BackupEngine; created if missing) and keeps the newest `keep` there
  // (0: all). The keys in it stay wrapped by the master key, which is never
  // in it. Returns the backup's id. UNAVAILABLE (KEY_STORE_BACKUP_FAILED)
  // naming the cause. Thread-safe.
  absl::StatusOr<uint32_t> Backup(const std::string& dir, int keep);

  const std::string& master_key_id() const;
  // The store's own id, made when it was created (32 hex digits).
  const std::string& store_id() const { return store_id_; }
  // Keys created and not yet persisted (for tests and the engine's stats).
  size_t pending() const;

 private:
  KeyStore(std::unique_ptr<rocksdb::DB> db, MasterKey master, Key256 naming_secret,
           std::string store_id);
  std::string NameHash(absl::string_view name) const;
  std::string KeyIdOf(absl::string_view name, int64_t generation) const;
  absl::StatusOr<std::pair<KeyState, Key256>> LoadLocked(absl::string_view id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EraseLocked(const internal::ErasureRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CacheLocked(const std::string& id, KeyState state, const Key256& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<rocksdb::DB> db_;
  Key256 naming_secret_;
  const std::string store_id_;

  mutable absl::Mutex mu_;
  MasterKey master_ ABSL_GUARDED_BY(mu_);
  // Keys by id (live and erased), bounded: cleared when full.
  absl::flat_hash_map<std::string, std::pair<KeyState, Key256>> cache_ ABSL_GUARDED_BY(mu_);
  // Live keys by name (id, key): sealing a field asks for a name's key, and
  // the name's record need not be read again. Bounded like cache_; an
  // erasure drops the erased key's entries.
  absl::flat_hash_map<std::string, std::pair<std::string, Key256>> names_ ABSL_GUARDED_BY(mu_);
  // Name hash -> (generation, key id) of keys created since Persist.
  struct Pending {
    std::string name_hash;
    int64_t generation;
    std::string id;
    Key256 key;
  };
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> pending_by_name_ ABSL_GUARDED_BY(mu_);
};

// Restores the latest key store backup of `dir` (KeyStore::Backup) into
// `path`, which must not exist or be empty (FAILED_PRECONDITION, reason
// RESTORE_TARGET_NOT_EMPTY, otherwise); NOT_FOUND (NO_BACKUP) when `dir`
// holds none. Returns the backup's id.
absl::StatusOr<uint32_t> RestoreKeyStoreBackup(const std::string& dir, const std::string& path);

// "[erased]": what a personal field reads as once its subject is erased.
inline constexpr absl::string_view kErasedText = "[erased]";

}  // namespace casework::privacy

#endif  // CASEWORK_PRIVACY_KEY_STORE_H_
