#include "services/tokens.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace casework::services {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Owners of the C libraries' objects.
struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using Jwt = std::unique_ptr<jwt_t, JwtFree>;
struct FreeString {
  void operator()(char* s) const { std::free(s); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token refused: ", why));
}

std::string Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

// The base64url field `name` of a JWK as bytes.
absl::StatusOr<std::string> Bytes(const Struct& jwk, const std::string& name,
                                  const std::string& kid) {
  std::string out;
  if (Field(jwk, name).empty() || !absl::WebSafeBase64Unescape(Field(jwk, name), &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS key ", kid, ": \"", name, "\" is missing or not base64url"));
  }
  return out;
}

// The PEM of the public key `params` describe, of OpenSSL key type `type`.
absl::StatusOr<std::string> PemOf(const char* type, OSSL_PARAM_BLD* bld, const std::string& kid) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS key ", kid, ": not a valid ", type,
                                                   " public key"));
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return absl::InternalError("cannot write a public key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<PublicKey> KeyOf(const Struct& jwk, const std::string& kid) {
  const std::string kty = Field(jwk, "kty");
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (kty == "RSA") {
    absl::StatusOr<std::string> n = Bytes(jwk, "n", kid);
    if (!n.ok()) return n.status();
    absl::StatusOr<std::string> e = Bytes(jwk, "e", kid);
    if (!e.ok()) return e.status();
    std::unique_ptr<BIGNUM, BnFree> bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), n->size(), nullptr));
    std::unique_ptr<BIGNUM, BnFree> bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), e->size(), nullptr));
    if (!OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
      return absl::InternalError("cannot build an RSA key");
    }
    absl::StatusOr<std::string> pem = PemOf("RSA", bld.get(), kid);
    if (!pem.ok()) return pem.status();
    return PublicKey{"RS256", *std::move(pem)};
  }
  if (kty == "EC") {
    if (Field(jwk, "crv") != "P-256") {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS key ", kid, ": curve \"", Field(jwk, "crv"), "\" (only P-256)"));
    }
    absl::StatusOr<std::string> x = Bytes(jwk, "x", kid);
    if (!x.ok()) return x.status();
    absl::StatusOr<std::string> y = Bytes(jwk, "y", kid);
    if (!y.ok()) return y.status();
    if (x->size() != 32 || y->size() != 32) {
      return absl::InvalidArgumentError(absl::StrCat("JWKS key ", kid, ": x and y are 32 bytes"));
    }
    const std::string point = absl::StrCat("\x04", *x, *y);
    if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
                                         0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size())) {
      return absl::InternalError("cannot build an EC key");
    }
    absl::StatusOr<std::string> pem = PemOf("EC", bld.get(), kid);
    if (!pem.ok()) return pem.status();
    return PublicKey{"ES256", *std::move(pem)};
  }
  return absl::InvalidArgumentError(
      absl::StrCat("JWKS key ", kid, ": key type \"", kty, "\" (only RSA and EC)"));
}

// The grant `name` as a JSON value (string or array), or null.
std::optional<Value> Grant(jwt_t* jwt, const char* name) {
  std::unique_ptr<char, FreeString> json(jwt_get_grants_json(jwt, name));
  if (json == nullptr) return std::nullopt;
  Value value;
  if (!google::protobuf::util::JsonStringToMessage(json.get(), &value).ok()) return std::nullopt;
  return value;
}

bool Contains(const Value& value, const std::string& wanted) {
  if (value.kind_case() == Value::kStringValue) return value.string_value() == wanted;
  if (value.kind_case() != Value::kListValue) return false;
  for (const Value& v : value.list_value().values()) {
    if (v.string_value() == wanted) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::map<std::string, PublicKey>> ParseJwks(absl::string_view json) {
  Struct doc;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &doc).ok()) {
    return absl::InvalidArgumentError("the JWKS file is not JSON");
  }
  auto keys = doc.fields().find("keys");
  if (keys == doc.fields().end() || keys->second.kind_case() != Value::kListValue) {
    return absl::InvalidArgumentError("the JWKS file has no \"keys\" array");
  }
  std::map<std::string, PublicKey> out;
  int index = 0;
  for (const Value& v : keys->second.list_value().values()) {
    const std::string kid = Field(v.struct_value(), "kid");
    if (kid.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("JWKS key ", index, " has no \"kid\""));
    }
    absl::StatusOr<PublicKey> key = KeyOf(v.struct_value(), kid);
    if (!key.ok()) return key.status();
    if (!out.emplace(kid, *std::move(key)).second) {
      return absl::InvalidArgumentError(absl::StrCat("JWKS key ", kid, " is listed twice"));
    }
    ++index;
  }
  return out;
}

absl::StatusOr<std::shared_ptr<TokenVerifier>> TokenVerifier::Load(TokenConfig config) {
  std::shared_ptr<TokenVerifier> verifier(new TokenVerifier(std::move(config)));
  absl::Status loaded = verifier->Reload();
  if (!loaded.ok()) return loaded;
  return verifier;
}

absl::StatusOr<std::map<std::string, PublicKey>> TokenVerifier::ReadKeys() const {
  absl::StatusOr<std::string> text = ReadTextFile(config_.jwks_file, "the JWKS file");
  if (!text.ok()) return text.status();
  absl::StatusOr<std::map<std::string, PublicKey>> keys = ParseJwks(*text);
  if (!keys.ok()) return keys.status();
  if (keys->empty()) {
    return absl::FailedPreconditionError("the JWKS file " + config_.jwks_file + " has no key");
  }
  return keys;
}

absl::Status TokenVerifier::Reload() {
  absl::StatusOr<std::map<std::string, PublicKey>> keys = ReadKeys();
  if (!keys.ok()) return keys.status();
  absl::MutexLock lock(&mu_);
  keys_ = *std::move(keys);
  return absl::OkStatus();
}

size_t TokenVerifier::key_count() const {
  absl::MutexLock lock(&mu_);
  return keys_.size();
}

absl::StatusOr<Person> TokenVerifier::Verify(const std::string& token, absl::Time now) const {
  // Read the header first, unverified, only to choose the key; the
  // algorithm must be the key's, so that no token picks a weaker one (a
  // public key used as an HMAC secret).
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), nullptr, 0) != 0) return Unauthenticated("not a JWT");
  Jwt unverified(raw);
  const char* kid = jwt_get_header(unverified.get(), "kid");
  if (kid == nullptr) return Unauthenticated("no key id (kid) in its header");
  PublicKey key;
  {
    absl::MutexLock lock(&mu_);
    auto it = keys_.find(kid);
    if (it == keys_.end()) return Unauthenticated(absl::StrCat("unknown signing key ", kid));
    key = it->second;
  }
  const char* alg = jwt_get_header(unverified.get(), "alg");
  if (alg == nullptr || key.alg != alg) {
    return Unauthenticated(absl::StrCat("key ", kid, " signs with ", key.alg));
  }
  raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.pem.data()),
                 static_cast<int>(key.pem.size())) != 0) {
    return Unauthenticated("its signature does not verify");
  }
  Jwt jwt(raw);
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (iss == nullptr || config_.issuer != iss) return Unauthenticated("another issuer");
  std::optional<Value> aud = Grant(jwt.get(), "aud");
  if (!aud || !Contains(*aud, config_.audience)) return Unauthenticated("another audience");
  const int64_t seconds = absl::ToUnixSeconds(now);
  const int64_t skew = absl::ToInt64Seconds(config_.skew);
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0) return Unauthenticated("no expiry (exp)");
  if (seconds > exp + skew) return Unauthenticated("expired");
  errno = 0;
  const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (errno == 0 && seconds + skew < nbf) return Unauthenticated("not valid yet (nbf)");
  Person person;
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  const char* agency = jwt_get_grant(jwt.get(), "agency");
  if (sub == nullptr || agency == nullptr) return Unauthenticated("no sub or agency claim");
  person.user = sub;
  person.agency = agency;
  std::optional<Value> roles = Grant(jwt.get(), "roles");
  if (!roles) roles = Grant(jwt.get(), "role");
  if (roles && roles->kind_case() == Value::kStringValue) person.roles.push_back(roles->string_value());
  if (roles && roles->kind_case() == Value::kListValue) {
    for (const Value& v : roles->list_value().values()) {
      if (!v.string_value().empty()) person.roles.push_back(v.string_value());
    }
  }
  if (person.roles.empty()) return Unauthenticated("no roles claim");
  return person;
}

}  // namespace casework::services
