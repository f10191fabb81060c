#include "privacy/cipher.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace casework::privacy {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// AES-256-GCM, fetched once (an implicit fetch on every use costs more than
// sealing a short field).
const EVP_CIPHER* Gcm() {
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

// Contexts already keyed for the keys a thread used last. Keying one
// (expanding the AES key and deriving GCM's hash key) cost more than
// sealing a short field, and a command seals several fields, its events,
// rows and state, with the same few keys. Each use sets only a new nonce.
// A context is freed, and OpenSSL wipes its key schedule, when it is
// evicted, when its thread ends, and on every thread at once when a key is
// erased (ForgetKeyedContexts): each thread's set has a lock, held while it
// is used, so another thread may empty it.
class KeyedContexts {
 public:
  KeyedContexts() {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    Registry().push_back(this);
  }
  ~KeyedContexts() {
    {
      std::lock_guard<std::mutex> lock(RegistryMutex());
      auto& all = Registry();
      all.erase(std::find(all.begin(), all.end(), this));
    }
    Clear();
  }

  // Empties every thread's set.
  static void ForgetAll() {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    for (KeyedContexts* contexts : Registry()) contexts->Clear();
  }

  // A context keyed with `key`, to seal with (`encrypt`) or to open with,
  // for as long as `lock` is held; null if OpenSSL cannot make one.
  EVP_CIPHER_CTX* For(const Key256& key, bool encrypt, std::unique_lock<std::mutex>* lock) {
    *lock = std::unique_lock<std::mutex>(mu_);
    Slot* victim = &slots_[0];
    for (Slot& slot : slots_) {
      if (slot.ctx != nullptr && slot.encrypt == encrypt &&
          CRYPTO_memcmp(slot.key.data(), key.data(), Key256::kSize) == 0) {
        slot.used = ++clock_;
        return slot.ctx.get();
      }
      if (slot.used < victim->used) victim = &slot;
    }
    if (victim->ctx == nullptr) victim->ctx.reset(EVP_CIPHER_CTX_new());
    EVP_CIPHER_CTX* ctx = victim->ctx.get();
    const bool keyed =
        ctx != nullptr &&
        (encrypt ? EVP_EncryptInit_ex(ctx, Gcm(), nullptr, key.data(), nullptr)
                 : EVP_DecryptInit_ex(ctx, Gcm(), nullptr, key.data(), nullptr)) == 1;
    if (!keyed) {
      *victim = Slot();
      return nullptr;
    }
    victim->key = key;
    victim->encrypt = encrypt;
    victim->used = ++clock_;
    return ctx;
  }

 private:
  struct Slot {
    CipherCtx ctx{nullptr, &EVP_CIPHER_CTX_free};
    Key256 key;
    bool encrypt = false;
    uint64_t used = 0;
  };
  static std::mutex& RegistryMutex() {
    static std::mutex mu;
    return mu;
  }
  static std::vector<KeyedContexts*>& Registry() {
    static std::vector<KeyedContexts*> all;
    return all;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    for (Slot& slot : slots_) slot = Slot();
  }

  std::mutex mu_;  // held by the owning thread while it uses a context
  std::array<Slot, 8> slots_;
  uint64_t clock_ = 0;
};

EVP_CIPHER_CTX* KeyedCtx(const Key256& key, bool encrypt, std::unique_lock<std::mutex>* lock) {
  thread_local KeyedContexts contexts;
  return contexts.For(key, encrypt, lock);
}

// Nonces come from the OS-seeded random generator as before, but drawn
// 4 KiB at a time per thread: one RAND_bytes call per 12-byte nonce cost
// more than the sealing it served. A forked child drops its copy of the
// parent's bytes (it would repeat the parent's nonces), and used bytes are
// wiped.
class NonceSource {
 public:
  void Next(unsigned char* nonce) {
    if (used_ + kNonceBytes > sizeof bytes_ || fork_generation_ != ForkGeneration()) Refill();
    std::memcpy(nonce, bytes_ + used_, kNonceBytes);
    OPENSSL_cleanse(bytes_ + used_, kNonceBytes);
    used_ += kNonceBytes;
  }
  ~NonceSource() { OPENSSL_cleanse(bytes_, sizeof bytes_); }

 private:
  static std::atomic<uint64_t>& ForkGenerationCounter() {
    static std::atomic<uint64_t> generation{0};
    static const bool registered = [] {
      pthread_atfork(nullptr, nullptr, [] { ForkGenerationCounter().fetch_add(1); });
      return true;
    }();
    (void)registered;
    return generation;
  }
  static uint64_t ForkGeneration() { return ForkGenerationCounter().load(); }
  void Refill() {
    fork_generation_ = ForkGeneration();
    // Fails only when the OS random source is unusable: nothing could be
    // sealed safely, so stop rather than seal with a repeated nonce.
    if (RAND_bytes(bytes_, sizeof bytes_) != 1) std::abort();
    used_ = 0;
  }

  unsigned char bytes_[4092];  // a whole number of nonces
  size_t used_ = sizeof bytes_;
  uint64_t fork_generation_ = 0;
};

static_assert(4092 % kNonceBytes == 0, "the buffer holds whole nonces");

void NextNonce(unsigned char* nonce) {
  thread_local NonceSource source;
  source.Next(nonce);
}

}  // namespace

Key256::Key256(absl::string_view raw) { std::memcpy(bytes_.data(), raw.data(), kSize); }

Key256::~Key256() { OPENSSL_cleanse(bytes_.data(), kSize); }

Key256 Key256::Random() {
  Key256 key;
  // RAND_bytes fails only when the OS random source is unusable: nothing
  // could be sealed safely, so stop rather than seal with a weak key.
  if (RAND_bytes(key.bytes_.data(), kSize) != 1) std::abort();
  return key;
}

std::string Seal(const Key256& key, absl::string_view plaintext, absl::string_view aad) {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  NextNonce(nonce);
  std::unique_lock<std::mutex> in_use;
  EVP_CIPHER_CTX* ctx = KeyedCtx(key, /*encrypt=*/true, &in_use);
  int len = 0;
  auto* ct = nonce + kNonceBytes;
  const bool ok =
      ctx != nullptr && EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx, ct, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, ct + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, ct + plaintext.size()) == 1;
  // AES-GCM with a valid key cannot fail short of memory exhaustion.
  if (!ok) std::abort();
  return out;
}

absl::StatusOr<std::string> Open(const Key256& key, absl::string_view sealed,
                                 absl::string_view aad) {
  if (sealed.size() < kSealOverhead) {
    return absl::DataLossError(
        absl::StrCat("sealed value of ", sealed.size(), " bytes is shorter than ", kSealOverhead));
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const size_t ct_size = sealed.size() - kSealOverhead;
  const unsigned char* ct = nonce + kNonceBytes;
  std::string out(ct_size, '\0');
  std::unique_lock<std::mutex> in_use;
  EVP_CIPHER_CTX* ctx = KeyedCtx(key, /*encrypt=*/false, &in_use);
  int len = 0;
  bool ok =
      ctx != nullptr && EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, ct,
                        static_cast<int>(ct_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          const_cast<unsigned char*>(ct + ct_size)) == 1;
  int final_len = 0;
  ok = ok && EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len,
                                 &final_len) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return absl::DataLossError("sealed value does not open with this key (wrong key or changed)");
  }
  return out;
}

void ForgetKeyedContexts() { KeyedContexts::ForgetAll(); }

std::string HmacSha256(const Key256& key, absl::string_view data) {
  // HMAC and SHA-256 fetched once, and a context per thread that keeps its
  // digest: the one-shot HMAC() fetches both again on every call.
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> made(
        hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr, &EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (made != nullptr && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
    return made;
  }();
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  const bool ok = ctx != nullptr && EVP_MAC_init(ctx.get(), key.data(), Key256::kSize, nullptr) == 1 &&
                  EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                                 data.size()) == 1 &&
                  EVP_MAC_final(ctx.get(), mac, &len, sizeof mac) == 1;
  // HMAC-SHA-256 cannot fail short of memory exhaustion.
  if (!ok) std::abort();
  return std::string(reinterpret_cast<const char*>(mac), len);
}

MasterKey MasterKeyFromBytes(absl::string_view raw) {
  MasterKey master{Key256(raw), ""};
  // The id is a hash of a derived value, never of the key itself.
  const std::string mac = HmacSha256(master.key, "casework master key id");
  master.id = absl::BytesToHexString(absl::string_view(mac).substr(0, 8));
  return master;
}

absl::StatusOr<MasterKey> LoadMasterKey(const std::string& path) {
  auto refuse = [&path](absl::string_view why) {
    return absl::FailedPreconditionError(absl::StrCat("master key file ", path, ": ", why));
  };
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return refuse(absl::StrCat("cannot be read (", std::strerror(errno), ")"));
  }
  if (!S_ISREG(st.st_mode)) return refuse("is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return refuse(absl::StrCat("is readable or writable by group or others (mode ",
                               absl::StrCat(absl::Hex(st.st_mode & 0777)),
                               "); it must be 0600 or 0400: chmod 600 it"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return refuse("cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(hex);
  const bool is_hex = trimmed.size() == 2 * Key256::kSize &&
                      std::all_of(trimmed.begin(), trimmed.end(),
                                  [](char c) { return absl::ascii_isxdigit(c); });
  if (!is_hex) {
    OPENSSL_cleanse(hex.data(), hex.size());
    return refuse("must hold 64 hexadecimal digits (32 bytes), e.g. from `openssl rand -hex 32`");
  }
  std::string raw = absl::HexStringToBytes(trimmed);
  MasterKey master = MasterKeyFromBytes(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  OPENSSL_cleanse(hex.data(), hex.size());
  return master;
}

}  // namespace casework::privacy
