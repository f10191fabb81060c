// The key store's keys made ahead of need: a name's first key comes from
// the pool, its binding waits for the data write that carries it, keys never
// bound die with their pool, and a binding only the data directory kept is
// reconciled without undoing an erasure. (The data directory's side:
// tests/storage/key_binding_test.cc.)
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/cipher.h"
#include "privacy/key_store.h"
#include "tests/support/test_support.h"

namespace casework::privacy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr absl::string_view kPerson = "partnerships/eastbrook/COMPLAINANT/cmp-1";
constexpr absl::string_view kOther = "partnerships/eastbrook/COMPLAINANT/cmp-2";

MasterKey Master(char digit) {
  return MasterKeyFromBytes(absl::HexStringToBytes(std::string(64, digit)));
}

std::unique_ptr<KeyStore> OpenStore(const std::string& path, char master = '3') {
  absl::StatusOr<std::unique_ptr<KeyStore>> store = KeyStore::Open(path, Master(master));
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::unique_ptr<KeyStore> OpenWithFullPool(const std::string& path) {
  std::unique_ptr<KeyStore> store = OpenStore(path);
  if (store == nullptr) return nullptr;
  store->StartPool();
  EXPECT_TRUE(store->AwaitPool(KeyStore::kPoolSize, absl::Seconds(30)));
  return store;
}

TEST(KeyPool, ANewNameTakesAPooledKeyAndItsBindingWaitsForTheDataWrite) {
  testing::TempDir dir;
  const std::string path = dir.Sub("keys");
  std::string id;
  std::string other_id;
  std::string unbound_id;
  {
    std::unique_ptr<KeyStore> store = OpenWithFullPool(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->counts().pool, KeyStore::kPoolSize);
    EXPECT_EQ(store->counts().refills, 1u);

    absl::StatusOr<std::pair<std::string, Key256>> key = store->GetOrCreate(kPerson);
    ASSERT_TRUE(key.ok()) << key.status();
    id = key->first;
    KeyStore::Counts counts = store->counts();
    EXPECT_EQ(counts.from_pool, 1u);
    EXPECT_EQ(counts.outside_pool, 0u);
    EXPECT_EQ(counts.pool, KeyStore::kPoolSize - 1);
    EXPECT_EQ(store->Get(id)->first, KeyState::kLive);

    // The data write takes the binding; a second one finds it in flight.
    absl::StatusOr<std::vector<KeyStore::Binding>> bindings = store->TakeBindings();
    ASSERT_TRUE(bindings.ok()) << bindings.status();
    ASSERT_THAT(*bindings, SizeIs(1));
    EXPECT_EQ((*bindings)[0].key_id, id);
    EXPECT_EQ((*bindings)[0].generation, 0);
    EXPECT_THAT((*bindings)[0].name_hash, SizeIs(32));
    EXPECT_THAT(*store->TakeBindings(), IsEmpty());
    EXPECT_EQ(*store->LiveIdOf(kPerson), id);

    // A write that failed hands it to the next one.
    store->BindingsWritten(*bindings, /*durable=*/false);
    bindings = store->TakeBindings();
    ASSERT_THAT(*bindings, SizeIs(1));
    store->BindingsWritten(*bindings, /*durable=*/true);
    EXPECT_EQ(store->pending(), 0u);
    // Written unsynced: the data's copy must stay until a synced write.
    EXPECT_THAT(store->TakeSettled(), IsEmpty());
    other_id = store->GetOrCreate(kOther)->first;
    ASSERT_TRUE(store->Persist().ok());
    EXPECT_THAT(store->TakeSettled(), ElementsAre(id));
    EXPECT_THAT(store->TakeSettled(), IsEmpty());
    // Given out, but no write carried its binding before the process stopped.
    unbound_id = store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-3")->first;
  }
  std::unique_ptr<KeyStore> store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->LiveIdOf(kPerson), id);
  EXPECT_EQ(store->GetOrCreate(kPerson)->first, id);
  EXPECT_EQ(store->GetOrCreate(kOther)->first, other_id);
  EXPECT_EQ(store->Get(unbound_id)->first, KeyState::kLive);
  // The keys made and never bound die with the pool that made them; the
  // new pool's keys are all new.
  store->StartPool();
  EXPECT_EQ(store->Get(unbound_id)->first, KeyState::kUnknown);
  EXPECT_EQ(store->Get(id)->first, KeyState::kLive);
  EXPECT_EQ(store->Get(other_id)->first, KeyState::kLive);
  ASSERT_TRUE(store->AwaitPool(KeyStore::kPoolSize, absl::Seconds(30)));
  EXPECT_EQ(store->counts().refills, 1u);
}

TEST(KeyPool, ReconcilingABindingTheDataKeptNeverUndoesALaterErasure) {
  testing::TempDir dir;
  const std::string path = dir.Sub("keys");
  KeyStore::Binding held;
  {
    std::unique_ptr<KeyStore> store = OpenWithFullPool(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->GetOrCreate(kPerson).ok());
    absl::StatusOr<std::vector<KeyStore::Binding>> bindings = store->TakeBindings();
    ASSERT_TRUE(bindings.ok() && bindings->size() == 1u);
    held = (*bindings)[0];
    // The process stops after the data write, before the key store has it.
  }
  std::unique_ptr<KeyStore> store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->LiveIdOf(kPerson)->has_value());
  ASSERT_TRUE(store->Reconcile({held}).ok());
  EXPECT_EQ(*store->LiveIdOf(kPerson), held.key_id);
  // Bound now, so not among the unused keys a new pool destroys.
  store->StartPool();
  EXPECT_EQ(store->Get(held.key_id)->first, KeyState::kLive);

  internal::ErasureRecord erasure;
  erasure.set_legal_basis("UK GDPR Art. 17(1)(a)");
  ASSERT_EQ(*store->EraseName(kPerson, erasure), held.key_id);
  const std::string next = store->GetOrCreate(kPerson)->first;
  ASSERT_TRUE(store->Persist().ok());
  // A restored data directory hands the old binding back: it stays history.
  ASSERT_TRUE(store->Reconcile({held}).ok());
  EXPECT_EQ(*store->LiveIdOf(kPerson), next);
  EXPECT_EQ(store->Get(held.key_id)->first, KeyState::kErased);
}

TEST(KeyPool, RotationRewrapsKeysStillInThePool) {
  testing::TempDir dir;
  const std::string path = dir.Sub("keys");
  std::string id;
  Key256 key;
  {
    std::unique_ptr<KeyStore> store = OpenWithFullPool(path);
    ASSERT_NE(store, nullptr);
    std::tie(id, key) = *store->GetOrCreate(kPerson);
    ASSERT_TRUE(store->Persist().ok());
    absl::StatusOr<int64_t> rotated = store->Rotate(Master('4'));
    ASSERT_TRUE(rotated.ok()) << rotated.status();
    EXPECT_EQ(*rotated, static_cast<int64_t>(KeyStore::kPoolSize));
  }
  std::unique_ptr<KeyStore> store = OpenStore(path, '4');
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get(id)->second.view(), key.view());
  // The new pool's keys are wrapped by the new master key.
  store->StartPool();
  ASSERT_TRUE(store->AwaitPool(KeyStore::kPoolSize, absl::Seconds(30)));
  const std::string next = store->GetOrCreate(kOther)->first;
  EXPECT_NE(next, id);
  EXPECT_EQ(store->Get(next)->first, KeyState::kLive);
}

}  // namespace
}  // namespace casework::privacy
