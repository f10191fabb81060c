// People's identities from bearer tokens: JWTs signed (RS256 or ES256) by
// the partnership's identity provider, verified with libjwt against the
// public keys of a JWKS file the operator configures (reloaded on SIGHUP).
//
// A token is accepted when its header names a key of the file (`kid`) and
// that key's algorithm, its signature verifies, `iss` and `aud` are the
// configured ones, and it is within `nbf`/`exp` (with a minute's skew). It
// names the person (`sub`), their agency (`agency`) and their roles
// (`roles`, an array, or `role`). Anything else is UNAUTHENTICATED with the
// reason in the message.
#ifndef CASEWORK_SERVICES_TOKENS_H_
#define CASEWORK_SERVICES_TOKENS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace casework::services {

// The whole of file `path`, or FAILED_PRECONDITION "cannot read <what> <path>"
// (for the operator's key, certificate and map files).
absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what);

struct TokenConfig {
  // The JWKS file: {"keys": [{"kty": "RSA", "kid": ..., "n": ..., "e": ...},
  // {"kty": "EC", "crv": "P-256", "kid": ..., "x": ..., "y": ...}]}.
  std::string jwks_file;
  std::string issuer;
  std::string audience;
  absl::Duration skew = absl::Seconds(60);
};

struct Person {
  std::string user;
  std::string agency;
  std::vector<std::string> roles;
};

// A public key of the JWKS: its algorithm ("RS256" or "ES256") and PEM.
struct PublicKey {
  std::string alg;
  std::string pem;
};

// The keys of a JWKS document by `kid`: INVALID_ARGUMENT naming the key and
// the problem for a key without kid, of another type or curve, or whose
// numbers do not make a key.
absl::StatusOr<std::map<std::string, PublicKey>> ParseJwks(absl::string_view json);

class TokenVerifier {
 public:
  // Reads the JWKS file: the error of ParseJwks, FAILED_PRECONDITION if it
  // cannot be read or holds no key.
  static absl::StatusOr<std::shared_ptr<TokenVerifier>> Load(TokenConfig config);

  // Reads the JWKS file again; on failure keeps the keys it had.
  absl::Status Reload();
  size_t key_count() const;

  // The person `token` names, verified as of `now`.
  absl::StatusOr<Person> Verify(const std::string& token, absl::Time now) const;

 private:
  explicit TokenVerifier(TokenConfig config) : config_(std::move(config)) {}
  absl::StatusOr<std::map<std::string, PublicKey>> ReadKeys() const;

  const TokenConfig config_;
  mutable absl::Mutex mu_;
  std::map<std::string, PublicKey> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_TOKENS_H_
