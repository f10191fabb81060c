// On-disk layout of the casework data directory (RocksDB), format version 1.
//
// Column families and their keys ("BE64" = 8-byte big-endian unsigned, so
// byte order equals numeric order):
//
//   default    "meta/format"                 -> "1"
//              "meta/privacy/key_store"      -> the key store's id (sealed data)
//              "seq/" + sequence name        -> BE64 last number handed out
//                                               (e.g. "seq/partnerships/eastbrook/actions/")
//              "keybind/" + key id           -> name HMAC + ":" + generation
//              A name's binding to a key the key store made ahead of need,
//              written with the data first sealed with it and deleted once
//              the key store holds it durably (privacy/key_store.h); those
//              left by a crash are handed to the key store at open.
//   log        BE64(global position)         -> casework.v1.EventEnvelope
//              The global log. Positions start at 1, have no gaps, and the
//              last key is the committed head (found with SeekToLast at open).
//   streams    stream + '\0' + BE64(version) -> BE64(global position)
//              Per-stream index into the log. Stream names never contain '\0'.
//   state      stream                        -> casework.internal.StateRecord
//              The folded state after the stream's last event.
//   requests   "agency/" + agency + '\0' + request_id -> casework.internal.RequestRecord
//              Idempotency: the original reply of every acknowledged command.
//              A request_id is scoped to the calling agency and bound to the
//              first command it carried (the record names its method).
//              Records written before request ids were scoped to the agency
//              are keyed method + '\0' + request_id (methods never start with
//              "agency/") and are still honoured.
//   rows       row key                       -> row value
//              Read models (queues, indexes) owned by each workflow; keys are
//              "{workflow}/{partnership}/{index}/...".
//              "privacy/uses/" + key id + "/" + stream -> ""
//              Which streams' events hold fields sealed with a data
//              subject's key (privacy/sealer.h): what erasing the key
//              re-derives. Written with the events; not a workflow's row.
//   timers     BE64(fire-at Unix seconds) + stream + '\0' + name + '\0' + BE64(generation)
//                                            -> casework.internal.TimerRecord
//              Durable timers in firing order; derived from stream states like
//              rows, so a timer exists exactly while its state implies it.
//
// Every command writes all of its keys in one WriteBatch; a group of commands
// shares one batch and one WAL sync. So either all of a command is on disk or
// none of it is.
#ifndef CASEWORK_STORAGE_KEYS_H_
#define CASEWORK_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

namespace casework::storage::keys {

inline constexpr absl::string_view kFormatVersion = "1";
inline constexpr absl::string_view kFormatKey = "meta/format";
// The id of the key store the directory's sealed fields need, set the
// first time it is opened with one.
inline constexpr absl::string_view kKeyStoreKey = "meta/privacy/key_store";

inline constexpr const char* kDefaultFamily = "default";
inline constexpr const char* kLogFamily = "log";
inline constexpr const char* kStreamsFamily = "streams";
inline constexpr const char* kStateFamily = "state";
inline constexpr const char* kRequestsFamily = "requests";
inline constexpr const char* kRowsFamily = "rows";
inline constexpr const char* kTimersFamily = "timers";

// Appends `v` as 8 big-endian bytes.
void PutBE64(std::string* out, uint64_t v);
// Reads 8 big-endian bytes. REQUIRES: in.size() >= 8.
uint64_t GetBE64(absl::string_view in);

std::string LogKey(uint64_t position);
std::string StreamKey(absl::string_view stream, int64_t version);
// The prefix of every StreamKey of `stream`: stream + '\0'.
std::string StreamPrefix(absl::string_view stream);
// The idempotency key of `request_id` sent by `agency`.
std::string RequestKey(absl::string_view agency, absl::string_view request_id);
// The key the previous format used: per method.
std::string MethodScopedRequestKey(absl::string_view method, absl::string_view request_id);
std::string SequenceKey(absl::string_view name);
// The row saying `stream` holds fields sealed with key `key_id`, and the
// prefix of every such row of the key.
std::string PrivacyUseKey(absl::string_view key_id, absl::string_view stream);
std::string PrivacyUsePrefix(absl::string_view key_id);
inline constexpr absl::string_view kKeyBindingPrefix = "keybind/";
std::string KeyBindingKey(absl::string_view key_id);
std::string TimerKey(int64_t fire_at_unix_seconds, absl::string_view stream,
                     absl::string_view name, int64_t generation);
// Timer keys below this one fire at or before `unix_seconds`.
std::string TimerKeyLimit(int64_t unix_seconds);

}  // namespace casework::storage::keys

#endif  // CASEWORK_STORAGE_KEYS_H_
