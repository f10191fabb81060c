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
//   "pool/" + key id   -> "": a key made ahead of need, not yet given to a name
//   "erased/" + key id -> casework.internal.ErasureRecord, kept for ever
// A key id is 32 hex digits: an HMAC of the name and its generation, or
// random for a key made ahead of need.
//
// Thread-safe. New keys are kept in memory until Persist() writes them (one
// synced write for a group of commands): the caller persists before it
// commits anything sealed with them.
//
// Keys made ahead of need (StartPool). Without them, data sealed for a name
// seen for the first time costs two synced writes, the key store's and then
// the data's. With them, a thread of the store keeps up to kPoolSize keys
// written (synced) before any is used; a name's new key is taken from them,
// and all that is left to record is the name's binding to it (its name
// record). The binding rides in the data's own write (TakeBindings), then
// reaches the key store unsynced (BindingsWritten); once a later synced write
// of the key store has made it durable there too, the data's copy may go
// (TakeSettled). After a crash in between, the data directory hands its
// copies back (Reconcile) before anything is served. The keys themselves
// never leave the key store.
//
// key_store.cc holds keys, names, erasure, rotation and backups;
// key_pool.cc the keys made ahead of need.
#ifndef CASEWORK_PRIVACY_KEY_STORE_H_
#define CASEWORK_PRIVACY_KEY_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "casework/internal/keys.pb.h"
#include "privacy/cipher.h"

namespace rocksdb {
class DB;
class Status;
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

  // Writes the keys created and the bindings made since the last call (and
  // not yet written by BindingsWritten), synced. A no-op when none.
  absl::Status Persist();

  // --- Keys made ahead of need (see the top of this file) ---

  // A name's binding to a key taken from the pool: what the data write that
  // first uses the key carries. The name is only its HMAC.
  struct Binding {
    std::string key_id;
    std::string name_hash;
    int64_t generation = 0;
  };
  // Keys the pool holds when full; it is refilled when half are used.
  static constexpr size_t kPoolSize = 256;
  // Destroys the keys an earlier process made and never gave out, then
  // starts the thread that fills the pool. Once only; later calls do
  // nothing. REQUIRES: the bindings the data directory holds were
  // reconciled (a key of one of those was given out).
  void StartPool();
  // Before a data write: persists (synced) the keys made outside the pool,
  // and returns the bindings made since the last call, which the write
  // must carry. They stay pending until BindingsWritten.
  absl::StatusOr<std::vector<Binding>> TakeBindings();
  // After that data write: `durable` true writes the bindings' name records
  // (unsynced: the data holds them until TakeSettled says otherwise); false
  // (the write failed) returns them to the next TakeBindings.
  void BindingsWritten(const std::vector<Binding>& bindings, bool durable);
  // Ids of bindings a synced write of the key store has made durable since
  // the last call: their copies in the data directory may be deleted.
  std::vector<std::string> TakeSettled();
  // Applies bindings a data directory held at its open: a name's record is
  // written unless the store already has that or a later generation; the
  // keys leave the pool. Synced.
  absl::Status Reconcile(const std::vector<Binding>& bindings);

  struct Counts {
    size_t pool = 0;             // keys ready in the pool
    uint64_t from_pool = 0;      // keys given out from it
    uint64_t outside_pool = 0;   // keys made on demand (the pool empty or not started)
    uint64_t refills = 0;        // synced writes that filled the pool
  };
  Counts counts() const;
  // Waits until the pool holds at least `keys` keys (for tests); false on
  // timeout.
  bool AwaitPool(size_t keys, absl::Duration timeout) const;

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
  struct Pending;
  // Writes `pending` (the key records of those made outside the pool, every
  // name record) synced; what was written unsynced before is settled too.
  absl::Status WritePendingLocked(const std::vector<const Pending*>& pending)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RefillLoop();
  // Makes `count` keys, writes them (synced) and adds them to the pool.
  rocksdb::Status Refill(size_t count);
  absl::Status DestroyLeftoverPoolLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A name record: the generation of the name's key and its id.
  struct NameRecord {
    int64_t generation = 0;
    std::string id;
  };
  // The record of the name with HMAC `hash`; nullopt if it has none.
  absl::StatusOr<std::optional<NameRecord>> ReadNameLocked(absl::string_view hash)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
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
  // Keys created, or taken from the pool, and not yet written with their
  // names, by name hash.
  struct Pending {
    std::string name_hash;
    int64_t generation = 0;
    std::string id;
    Key256 key;
    bool pooled = false;     // the key is durable; only the name record is not
    bool in_flight = false;  // taken by a data write not yet finished
  };
  absl::flat_hash_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);

  // The pool: keys written (synced) with a "pool/" marker, not given out.
  std::vector<std::pair<std::string, Key256>> pool_ ABSL_GUARDED_BY(mu_);
  bool pool_started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Bindings written unsynced, then those a synced write made durable.
  std::vector<std::string> unsynced_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> settled_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);
  // Held by a refill from reading the master key until its write is done,
  // and by Rotate: no key is ever wrapped by a master key being replaced.
  absl::Mutex refill_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::thread refiller_;
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
