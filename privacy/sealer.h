// Seals and opens the personal fields of casework messages, as their
// (casework.v1.subject) options declare (proto/casework/v1/privacy.proto),
// with the data subjects' keys from a KeyStore.
//
// A sealed field holds kSealedPrefix followed by the base64 (web-safe, no
// padding) of the key id (16 bytes) and the AES-256-GCM sealed value; its
// additional data is the key id. Fields of WORKER and NOT_PERSONAL, empty
// strings and kErasedText (what an erased field reads as) stay as they are.
// google.protobuf.Any fields holding a casework message (an event's
// payload) are sealed and opened inside.
//
// Opening a field whose key was erased gives kErasedText; a value that is
// not sealed (written before sealing began) is left as it is.
#ifndef CASEWORK_PRIVACY_SEALER_H_
#define CASEWORK_PRIVACY_SEALER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "casework/v1/privacy.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "privacy/key_store.h"

namespace casework::privacy {

// How a sealed field begins: an escape byte no sealed value's base64 has.
inline constexpr absl::string_view kSealedPrefix = "\x1bs1:";

// How a sealed stored message begins (Sealer::SealSerialized). A
// serialised message never starts with it (it would be a field 3 group).
inline constexpr absl::string_view kSealedRowPrefix = "\x1bR";

// True if `value` is a sealed field.
inline bool IsSealed(absl::string_view value) {
  return value.size() > kSealedPrefix.size() && value.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

// The name of the key a personal field of `subject` is sealed with: the
// person's ("partnerships/P/SUBJECT/REFERENCE") when `reference` is set,
// else the record's ("STREAM/SUBJECT").
std::string PersonKeyName(absl::string_view partnership, v1::DataSubject subject,
                          absl::string_view reference);
std::string RecordKeyName(absl::string_view stream, v1::DataSubject subject);

// True if fields of `subject` are sealed (every subject but NOT_PERSONAL,
// WORKER and the unset value).
bool IsSealedSubject(v1::DataSubject subject);

class Sealer {
 public:
  // `keys` must outlive the sealer.
  explicit Sealer(KeyStore* keys);
  // A sealer that owns its key store.
  explicit Sealer(std::unique_ptr<KeyStore> keys);
  ~Sealer();

  // Seals, in place, the personal fields of `message`, a record of `stream`
  // (e.g. "partnerships/eastbrook/complaints/17"). Keys it creates are
  // pending in the key store until KeyStore::Persist.
  // With `key_ids`, adds the id of every key used (once each).
  absl::Status Seal(absl::string_view stream, google::protobuf::Message* message,
                    std::vector<std::string>* key_ids = nullptr);
  // Opens, in place, only the fields sealed with key `key_id`; every other
  // sealed field becomes `redaction` (a subject access export: the person's
  // own data, no one else's).
  absl::Status OpenOnly(google::protobuf::Message* message, absl::string_view key_id,
                        absl::string_view redaction);
  // Opens, in place, every sealed field of `message`. DATA_LOSS
  // (KEY_STORE_MISMATCH) when a key is unknown to the key store (a data
  // directory opened with another key store).
  absl::Status Open(google::protobuf::Message* message);

  // Stored bytes of a message of `type` (a read-model row's value, a state
  // record): when the type may hold personal data, kSealedRowPrefix, the
  // type's full name, a newline and the message with its personal fields
  // sealed, so a reader opens it knowing nothing of its type; otherwise
  // `serialized` as it is.
  absl::StatusOr<std::string> SealSerialized(absl::string_view stream,
                                             const google::protobuf::Descriptor* type,
                                             std::string serialized);
  // What SealSerialized stored, opened: the message's bytes with its fields
  // opened; any other value as it is.
  absl::StatusOr<std::string> OpenSerialized(std::string stored);

  // True if messages of `type` (or messages they contain, or an Any) may
  // hold personal fields: the others need no walk.
  bool MayHoldPersonalData(const google::protobuf::Descriptor* type);

  KeyStore& keys() { return *keys_; }

 private:
  struct Plan;
  struct Walk;
  const Plan& PlanFor(const google::protobuf::Descriptor* type);
  const Plan& PlanForLocked(const google::protobuf::Descriptor* type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SealMessage(Walk& walk, google::protobuf::Message* message);
  // Which fields an open opens: all (null), or those of one key.
  struct OpenMode {
    absl::string_view only_key;
    absl::string_view redaction;
  };
  absl::Status OpenMessage(google::protobuf::Message* message, const OpenMode* mode);
  absl::StatusOr<std::string> SealValue(Walk& walk, v1::DataSubject subject,
                                        absl::string_view reference, absl::string_view value);
  absl::StatusOr<std::string> OpenValue(absl::string_view value, const OpenMode* mode);

  std::unique_ptr<KeyStore> owned_;
  KeyStore* keys_;
  absl::Mutex mu_;
  absl::flat_hash_map<const google::protobuf::Descriptor*, std::unique_ptr<Plan>> plans_
      ABSL_GUARDED_BY(mu_);
};

// The key store beside a data directory when none is named: the data
// directory's path with ".keys" after it (a sibling, never inside it).
std::string DefaultKeyStorePath(absl::string_view data_dir);

// The master key from `master_key_file` and the key store at
// `key_store_path` (created if missing), as a sealer: the start of a server
// that seals. Errors name the file or directory (LoadMasterKey,
// KeyStore::Open).
absl::StatusOr<std::shared_ptr<Sealer>> OpenSealer(const std::string& master_key_file,
                                                   const std::string& key_store_path);

}  // namespace casework::privacy

#endif  // CASEWORK_PRIVACY_SEALER_H_
