// AES-256-GCM sealing and the master key, on OpenSSL's EVP API.
//
// A sealed value is nonce (12 random bytes) || ciphertext || tag (16 bytes):
// 28 bytes more than the plaintext. The additional data binds it to where it
// belongs (a key id), so a value moved under another key fails to open.
#ifndef CASEWORK_PRIVACY_CIPHER_H_
#define CASEWORK_PRIVACY_CIPHER_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace casework::privacy {

// A 256-bit key. Wiped when destroyed.
class Key256 {
 public:
  static constexpr size_t kSize = 32;
  Key256() { bytes_.fill(0); }
  explicit Key256(absl::string_view raw);  // REQUIRES: raw.size() == kSize
  ~Key256();
  Key256(const Key256&) = default;
  Key256& operator=(const Key256&) = default;

  // 32 bytes from the operating system's random source.
  static Key256 Random();

  const uint8_t* data() const { return bytes_.data(); }
  absl::string_view view() const {
    return absl::string_view(reinterpret_cast<const char*>(bytes_.data()), kSize);
  }

 private:
  std::array<uint8_t, kSize> bytes_;
};

inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kSealOverhead = kNonceBytes + kTagBytes;

// Seals `plaintext` under `key` with a fresh random nonce.
std::string Seal(const Key256& key, absl::string_view plaintext, absl::string_view aad);
// Opens what Seal produced with the same key and additional data.
// DATA_LOSS if it was sealed under another key or data, or was changed.
absl::StatusOr<std::string> Open(const Key256& key, absl::string_view sealed,
                                 absl::string_view aad);

// Frees, on every thread at once, the contexts Seal and Open keep keyed for
// the keys each thread used last (OpenSSL wipes their key schedules): called
// when a key is erased or the master key rotated, so no expanded copy of a
// destroyed key outlives it. Waits for a seal or open in progress.
void ForgetKeyedContexts();

// HMAC-SHA-256 of `data` under `key`.
std::string HmacSha256(const Key256& key, absl::string_view data);

// The operator's master key: it wraps every data subject's key.
struct MasterKey {
  Key256 key;
  // 16 hex digits from a hash of the key: names it in the key store and in
  // errors without revealing it.
  std::string id;
};

// The master key from `path`: 64 hexadecimal digits (32 bytes), optionally
// followed by a newline — e.g. the output of `openssl rand -hex 32`. The file
// must not be readable by group or others (mode 0600 or 0400).
// FAILED_PRECONDITION naming the file and the rule otherwise (missing,
// unreadable, wrong length, not hex, too open).
absl::StatusOr<MasterKey> LoadMasterKey(const std::string& path);
// The master key for `raw` (32 bytes). For tests and LoadMasterKey.
MasterKey MasterKeyFromBytes(absl::string_view raw);

}  // namespace casework::privacy

#endif  // CASEWORK_PRIVACY_CIPHER_H_
