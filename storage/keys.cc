#include "storage/keys.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace casework::storage::keys {

void PutBE64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t GetBE64(absl::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string LogKey(uint64_t position) {
  std::string key;
  PutBE64(&key, position);
  return key;
}

std::string StreamPrefix(absl::string_view stream) {
  std::string key(stream.data(), stream.size());
  key.push_back('\0');
  return key;
}

std::string StreamKey(absl::string_view stream, int64_t version) {
  std::string key = StreamPrefix(stream);
  PutBE64(&key, static_cast<uint64_t>(version));
  return key;
}

std::string RequestKey(absl::string_view agency, absl::string_view request_id) {
  std::string key = absl::StrCat("agency/", agency);
  key.push_back('\0');
  key.append(request_id.data(), request_id.size());
  return key;
}

std::string MethodScopedRequestKey(absl::string_view method, absl::string_view request_id) {
  std::string key(method.data(), method.size());
  key.push_back('\0');
  key.append(request_id.data(), request_id.size());
  return key;
}

std::string SequenceKey(absl::string_view name) { return absl::StrCat("seq/", name); }

std::string TimerKey(int64_t fire_at_unix_seconds, absl::string_view stream,
                     absl::string_view name, int64_t generation) {
  std::string key;
  PutBE64(&key, static_cast<uint64_t>(std::max<int64_t>(fire_at_unix_seconds, 0)));
  key.append(stream.data(), stream.size());
  key.push_back('\0');
  key.append(name.data(), name.size());
  key.push_back('\0');
  PutBE64(&key, static_cast<uint64_t>(generation));
  return key;
}

std::string TimerKeyLimit(int64_t unix_seconds) {
  std::string key;
  PutBE64(&key, static_cast<uint64_t>(std::max<int64_t>(unix_seconds, 0) + 1));
  return key;
}

std::string PrivacyUseKey(absl::string_view key_id, absl::string_view stream) {
  return absl::StrCat(PrivacyUsePrefix(key_id), stream);
}

std::string PrivacyUsePrefix(absl::string_view key_id) {
  return absl::StrCat("privacy/uses/", key_id, "/");
}

std::string KeyBindingKey(absl::string_view key_id) {
  return absl::StrCat(kKeyBindingPrefix, key_id);
}

}  // namespace casework::storage::keys
