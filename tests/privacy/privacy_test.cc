// Personal data: the contract's decisions on every string field, AES-256-GCM
// sealing, the master key file, the key store (wrong key, erasure, rotation)
// and the sealer on real casework messages.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/events.pb.h"
#include "casework/v1/privacy.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "privacy/cipher.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "services/server.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::privacy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::string ReasonOf(const absl::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

// --- The contract ---

void CollectUndecided(const Descriptor* type, std::vector<std::string>* undecided,
                      std::vector<std::string>* misplaced) {
  for (int i = 0; i < type->nested_type_count(); ++i) {
    CollectUndecided(type->nested_type(i), undecided, misplaced);
  }
  if (type->options().map_entry()) return;  // decided on the map field
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    const v1::DataSubject subject = f->options().GetExtension(v1::subject);
    const bool reference = f->options().GetExtension(v1::subject_reference);
    // A map's entries take the map field's decision (their keys are strings).
    const bool string_or_map = f->type() == FieldDescriptor::TYPE_STRING || f->is_map();
    if (string_or_map && subject == v1::DATA_SUBJECT_UNSPECIFIED) {
      undecided->push_back(f->full_name());
    }
    if (!string_or_map && subject != v1::DATA_SUBJECT_UNSPECIFIED) {
      misplaced->push_back(f->full_name() + ": (subject) on a field that is not a string");
    }
    if (f->is_map() && subject != v1::DATA_SUBJECT_UNSPECIFIED && IsSealedSubject(subject)) {
      misplaced->push_back(f->full_name() + ": a map's strings cannot be sealed");
    }
    if (reference && (!IsSealedSubject(subject) || subject == v1::CASE_SUBJECT)) {
      misplaced->push_back(f->full_name() + ": (subject_reference) needs a person's subject");
    }
  }
}

TEST(PrivacyContract, EveryStringFieldOfTheContractHasADecision) {
  // The server's services link every contract file into this binary.
  ASSERT_FALSE(services::ServiceFactories().empty());
  std::vector<std::string> undecided, misplaced;
  int files = 0;
  for (absl::string_view name : absl::StrSplit(CASEWORK_PROTO_FILES, ',')) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(std::string(name));
    ASSERT_NE(file, nullptr) << name << " is not linked in";
    ++files;
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectUndecided(file->message_type(i), &undecided, &misplaced);
    }
  }
  EXPECT_GE(files, 14);
  EXPECT_THAT(undecided, ::testing::IsEmpty())
      << "give each a [(subject) = ...] decision (proto/casework/v1/privacy.proto)";
  EXPECT_THAT(misplaced, ::testing::IsEmpty());
}

TEST(PrivacyContract, EveryEventTypeIsAContractMessage) {
  for (const workflow::Workflow* w : workflow::Workflows().workflows()) {
    for (const std::string& type : w->EventTypes()) {
      const Descriptor* d =
          google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
      ASSERT_NE(d, nullptr) << type;
      EXPECT_TRUE(absl::StartsWith(d->file()->name(), "casework/v1/")) << type;
    }
  }
}

TEST(PrivacyContract, TheComplaintsPersonalFieldsAreTheOnesExpected) {
  const Descriptor* d = v1::Complaint::descriptor();
  std::vector<std::string> personal;
  for (int i = 0; i < d->field_count(); ++i) {
    const v1::DataSubject s = d->field(i)->options().GetExtension(v1::subject);
    if (IsSealedSubject(s)) personal.push_back(d->field(i)->name() + ":" + v1::DataSubject_Name(s));
  }
  EXPECT_THAT(personal, UnorderedElementsAre("complainant_reference:COMPLAINANT",
                                             "perpetrator_references:PERPETRATOR",
                                             "summary:COMPLAINANT"));
}

// --- Sealing and the master key ---

TEST(Cipher, SealsAndOpensOnlyWithTheSameKeyAndAdditionalData) {
  const Key256 key = Key256::Random();
  const std::string sealed = Seal(key, "Flat 3, Mill Lane", "id-1");
  EXPECT_EQ(sealed.size(), std::string("Flat 3, Mill Lane").size() + kSealOverhead);
  EXPECT_FALSE(absl::StrContains(sealed, "Mill Lane"));
  EXPECT_EQ(*Open(key, sealed, "id-1"), "Flat 3, Mill Lane");
  EXPECT_EQ(Open(key, sealed, "id-2").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Open(Key256::Random(), sealed, "id-1").status().code(), absl::StatusCode::kDataLoss);
  std::string changed = sealed;
  changed[kNonceBytes] ^= 1;
  EXPECT_EQ(Open(key, changed, "id-1").status().code(), absl::StatusCode::kDataLoss);
  // Two seals of one value differ (fresh nonces).
  EXPECT_NE(Seal(key, "x", "a"), Seal(key, "x", "a"));
}

// Nonces are drawn from the random generator in blocks per thread: across
// many blocks, on several threads and in a forked child, none repeats.
TEST(Cipher, NoncesNeverRepeatAcrossBlocksThreadsOrAFork) {
  const Key256 key = Key256::Random();
  auto nonce_of = [&key] { return Seal(key, "x", "a").substr(0, kNonceBytes); };
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& nonces : per_thread) {
    threads.emplace_back([&nonces, &nonce_of] {
      for (int i = 0; i < 2000; ++i) nonces.push_back(nonce_of());  // 6 blocks
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& nonces : per_thread) seen.insert(nonces.begin(), nonces.end());
  nonce_of();  // this thread's block is now drawn and partly used
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    const std::string nonce = nonce_of();
    _exit(write(pipe_fds[1], nonce.data(), nonce.size()) == static_cast<ssize_t>(nonce.size())
              ? 0
              : 1);
  }
  close(pipe_fds[1]);
  std::string from_child(kNonceBytes, '\0');
  ASSERT_EQ(read(pipe_fds[0], from_child.data(), kNonceBytes), static_cast<ssize_t>(kNonceBytes));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::string parents_next = nonce_of();
  EXPECT_NE(from_child, parents_next);
  seen.insert(from_child);
  seen.insert(parents_next);
  EXPECT_EQ(seen.size(), 4u * 2000 + 2);
}

// Seal and Open keep contexts keyed for the last few keys of each thread:
// with more keys in turn than it keeps, every value still opens with its own
// key only; the standard's own vector opens; forgetting them changes nothing
// a caller sees.
TEST(Cipher, KeyedContextsServeManyKeysInTurnAndOnlyTheirOwnKey) {
  std::vector<Key256> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(Key256::Random());
  std::vector<std::string> sealed;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < keys.size(); ++i) {
      sealed.push_back(Seal(keys[i], absl::StrCat("value ", i), "aad"));
    }
  }
  for (size_t n = 0; n < sealed.size(); ++n) {
    const size_t i = n % keys.size();
    EXPECT_EQ(*Open(keys[i], sealed[n], "aad"), absl::StrCat("value ", i));
    // The previous key's context is kept and keyed: it must not open this.
    const size_t other = (i + keys.size() - 1) % keys.size();
    EXPECT_EQ(Open(keys[other], sealed[n], "aad").status().code(), absl::StatusCode::kDataLoss);
  }
  // AES-256-GCM, NIST test case 14: zero key, zero nonce, 16 zero bytes.
  const Key256 zero;
  const std::string vector = absl::HexStringToBytes(
      "000000000000000000000000"            // nonce
      "cea7403d4d606b6e074ec5d3baf39d18"    // ciphertext
      "d0d1c8a799996bf0265b98b5d48ab919");  // tag
  EXPECT_EQ(*Open(zero, vector, ""), std::string(16, '\0'));
  EXPECT_EQ(*Open(keys[0], sealed[0], "aad"), "value 0");
  EXPECT_EQ(*Open(zero, vector, ""), std::string(16, '\0'));  // its context kept
  ForgetKeyedContexts();
  EXPECT_EQ(*Open(zero, vector, ""), std::string(16, '\0'));
  EXPECT_EQ(*Open(keys[5], Seal(keys[5], "after", "aad"), "aad"), "after");
  // HMAC-SHA-256 (the key store's names), as `openssl mac` computes it.
  const Key256 mac_key(absl::HexStringToBytes(
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(absl::BytesToHexString(HmacSha256(mac_key, "casework naming check")),
              "4bedb7ea310a0f4da84d65055c3e2cc49267d9a0f46dcb21d7e39a0b5195fefb");
  }
}

// An erasure frees every thread's keyed contexts at once, also while other
// threads are sealing and opening with them: nothing they seal is lost or
// opens wrongly.
TEST(Cipher, ForgettingKeyedContextsWhileOtherThreadsSealIsSafe) {
  std::vector<Key256> keys;
  for (int i = 0; i < 10; ++i) keys.push_back(Key256::Random());
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> sealers;
  for (int t = 0; t < 2; ++t) {
    sealers.emplace_back([&, t] {
      for (int n = 0; n < 2000 || !stop.load(); ++n) {
        const Key256& key = keys[(n + t) % keys.size()];
        const std::string value = absl::StrCat("thread ", t, " value ", n);
        absl::StatusOr<std::string> opened = Open(key, Seal(key, value, "aad"), "aad");
        if (!opened.ok() || *opened != value) ++wrong;
      }
    });
  }
  for (int i = 0; i < 500; ++i) ForgetKeyedContexts();
  stop = true;
  for (std::thread& t : sealers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

std::string WriteKeyFile(const std::string& dir, const std::string& name,
                         const std::string& text, mode_t mode = 0600) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
  return path;
}

constexpr char kHexA[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kHexB[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(MasterKey, LoadsSixtyFourHexDigitsFromAPrivateFile) {
  testing::TempDir dir;
  absl::StatusOr<MasterKey> a = LoadMasterKey(WriteKeyFile(dir.path(), "a", std::string(kHexA) + "\n"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id.size(), 16u);
  EXPECT_EQ(a->id, MasterKeyFromBytes(absl::HexStringToBytes(kHexA)).id);
  EXPECT_NE(a->id, MasterKeyFromBytes(absl::HexStringToBytes(kHexB)).id);

  absl::Status open = LoadMasterKey(WriteKeyFile(dir.path(), "b", kHexA, 0644)).status();
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.message(), HasSubstr("must be 0600 or 0400"));
  absl::Status short_key = LoadMasterKey(WriteKeyFile(dir.path(), "c", "abcd")).status();
  EXPECT_THAT(short_key.message(), HasSubstr("64 hexadecimal digits"));
  absl::Status missing = LoadMasterKey(dir.path() + "/none").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.message(), HasSubstr("cannot be read"));
}

// --- The key store ---

MasterKey MasterA() { return MasterKeyFromBytes(absl::HexStringToBytes(kHexA)); }
MasterKey MasterB() { return MasterKeyFromBytes(absl::HexStringToBytes(kHexB)); }

internal::ErasureRecord Erasure(absl::string_view basis) {
  internal::ErasureRecord record;
  record.set_agency("eastbrook-council");
  record.set_user("dpo-1");
  record.set_role("admin");
  record.set_legal_basis(std::string(basis));
  return record;
}

TEST(KeyStore, AWrongMasterKeyRefusesToOpenNamingBothKeys) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/keys";
  ASSERT_TRUE(KeyStore::Open(path, MasterA()).ok());
  absl::StatusOr<std::unique_ptr<KeyStore>> wrong = KeyStore::Open(path, MasterB());
  ASSERT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(wrong.status()), "MASTER_KEY_MISMATCH");
  EXPECT_THAT(wrong.status().message(), HasSubstr(MasterA().id));
  EXPECT_THAT(wrong.status().message(), HasSubstr(MasterB().id));
}

TEST(KeyStore, KeysLiveUntilErasedAndAPersonSealedAgainGetsANewKey) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/keys";
  std::string id;
  Key256 key;
  {
    auto store = *KeyStore::Open(path, MasterA());
    auto created = *store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-1");
    id = created.first;
    key = created.second;
    EXPECT_EQ(store->pending(), 1u);
    EXPECT_EQ(store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-1")->first, id);
    ASSERT_TRUE(store->Persist().ok());
    EXPECT_EQ(store->pending(), 0u);
  }
  auto store = *KeyStore::Open(path, MasterA());
  auto found = *store->Get(id);
  EXPECT_EQ(found.first, KeyState::kLive);
  EXPECT_EQ(found.second.view(), key.view());
  EXPECT_EQ(store->Get("0123456789abcdef0123456789abcdef")->first, KeyState::kUnknown);

  absl::StatusOr<std::string> erased =
      store->EraseName("partnerships/eastbrook/COMPLAINANT/cmp-1", Erasure("Art. 17(1)(a)"));
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, id);
  EXPECT_EQ(store->Get(id)->first, KeyState::kErased);
  EXPECT_EQ(store->EraseName("partnerships/eastbrook/COMPLAINANT/cmp-1", Erasure("again"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto again = *store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-1");
  EXPECT_NE(again.first, id);
  ASSERT_TRUE(store->Persist().ok());

  std::vector<internal::ErasureRecord> erasures = *store->Erasures();
  ASSERT_EQ(erasures.size(), 1u);
  EXPECT_EQ(erasures[0].key_id(), id);
  EXPECT_EQ(erasures[0].legal_basis(), "Art. 17(1)(a)");
  EXPECT_EQ(erasures[0].user(), "dpo-1");
  EXPECT_TRUE(erasures[0].has_erased_time());
  // Erasing by id again keeps the first record.
  internal::ErasureRecord replay = Erasure("replayed");
  replay.set_key_id(id);
  ASSERT_TRUE(store->EraseId(replay).ok());
  EXPECT_EQ((*store->Erasures())[0].legal_basis(), "Art. 17(1)(a)");
}

TEST(KeyStore, KeysCreatedButNotPersistedAreGoneAfterARestart) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/keys";
  std::string id;
  {
    auto store = *KeyStore::Open(path, MasterA());
    id = store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-2")->first;
  }
  auto store = *KeyStore::Open(path, MasterA());
  EXPECT_EQ(store->Get(id)->first, KeyState::kUnknown);
}

TEST(KeyStore, RotationRewrapsEveryKeySoOnlyTheNewMasterOpensIt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/keys";
  std::string id;
  Key256 key;
  {
    auto store = *KeyStore::Open(path, MasterA());
    for (int i = 0; i < 5; ++i) {
      auto k = *store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-" + std::to_string(i));
      if (i == 3) std::tie(id, key) = k;
    }
    ASSERT_TRUE(store->Persist().ok());
    absl::StatusOr<int64_t> rotated = store->Rotate(MasterB());
    ASSERT_TRUE(rotated.ok()) << rotated.status();
    EXPECT_EQ(*rotated, 5);
    EXPECT_EQ(store->master_key_id(), MasterB().id);
  }
  EXPECT_EQ(KeyStore::Open(path, MasterA()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto store = *KeyStore::Open(path, MasterB());
  auto found = *store->Get(id);
  EXPECT_EQ(found.first, KeyState::kLive);
  EXPECT_EQ(found.second.view(), key.view());
  // Names still find their keys: the naming secret survived the rotation.
  EXPECT_EQ(store->GetOrCreate("partnerships/eastbrook/COMPLAINANT/cmp-3")->first, id);
  EXPECT_EQ(store->pending(), 0u);
}

// --- The sealer ---

v1::Complaint MakeComplaint(const std::string& name, const std::string& complainant,
                            const std::string& summary) {
  v1::Complaint c;
  c.set_name(name);
  c.set_complainant_reference(complainant);
  c.set_agency("shire-police");
  c.set_source_system("sentinel");
  c.set_source_reference("src-" + name.substr(name.rfind('/') + 1));
  c.set_locality("town-centre");
  c.add_perpetrator_references("per-77");
  c.set_summary(summary);
  return c;
}

class SealerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *KeyStore::Open(dir_.path() + "/keys", MasterA());
    sealer_ = std::make_unique<Sealer>(store_.get());
  }
  testing::TempDir dir_;
  std::unique_ptr<KeyStore> store_;
  std::unique_ptr<Sealer> sealer_;
};

TEST_F(SealerTest, SealsOnlyPersonalFieldsAndOpensThemBack) {
  const v1::Complaint plain = MakeComplaint("partnerships/eastbrook/complaints/1", "cmp-1",
                                            "Shouting outside 4 Elm Row every night");
  v1::Complaint sealed = plain;
  ASSERT_TRUE(sealer_->Seal(plain.name(), &sealed).ok());
  EXPECT_TRUE(IsSealed(sealed.complainant_reference()));
  EXPECT_TRUE(IsSealed(sealed.summary()));
  EXPECT_TRUE(IsSealed(sealed.perpetrator_references(0)));
  EXPECT_EQ(sealed.agency(), "shire-police");
  EXPECT_EQ(sealed.source_reference(), "src-1");
  EXPECT_EQ(sealed.locality(), "town-centre");
  const std::string bytes = sealed.SerializeAsString();
  EXPECT_FALSE(absl::StrContains(bytes, "Elm Row"));
  EXPECT_FALSE(absl::StrContains(bytes, "cmp-1"));
  EXPECT_FALSE(absl::StrContains(bytes, "per-77"));
  // Sealing twice changes nothing more.
  v1::Complaint twice = sealed;
  ASSERT_TRUE(sealer_->Seal(plain.name(), &twice).ok());
  EXPECT_EQ(twice.summary(), sealed.summary());

  ASSERT_TRUE(store_->Persist().ok());
  v1::Complaint opened = sealed;
  ASSERT_TRUE(sealer_->Open(&opened).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(opened, plain))
      << opened.DebugString();
}

TEST_F(SealerTest, AnEventPayloadIsSealedInsideItsEnvelope) {
  v1::ComplaintRecorded recorded;
  *recorded.mutable_complaint() =
      MakeComplaint("partnerships/eastbrook/complaints/2", "cmp-2", "Graffiti on the garage");
  v1::EventEnvelope env;
  env.set_stream("partnerships/eastbrook/complaints/2");
  env.mutable_actor()->set_user("officer-9");
  env.mutable_payload()->PackFrom(recorded);
  ASSERT_TRUE(sealer_->Seal(env.stream(), &env).ok());
  EXPECT_FALSE(absl::StrContains(env.SerializeAsString(), "Graffiti"));
  EXPECT_EQ(env.actor().user(), "officer-9");  // WORKER: held in clear
  ASSERT_TRUE(sealer_->Open(&env).ok());
  v1::ComplaintRecorded back;
  ASSERT_TRUE(env.payload().UnpackTo(&back));
  EXPECT_EQ(back.complaint().summary(), "Graffiti on the garage");
  EXPECT_EQ(back.complaint().complainant_reference(), "cmp-2");
}

TEST_F(SealerTest, ErasingAPersonErasesTheirDataWhereverItWasCopied) {
  // Two complaints of cmp-3 and one of cmp-4, and a case review whose
  // threshold explanation counted complaints of both.
  v1::Complaint a = MakeComplaint("partnerships/eastbrook/complaints/3", "cmp-3", "Noise 1");
  v1::Complaint b = MakeComplaint("partnerships/eastbrook/complaints/4", "cmp-3", "Noise 2");
  v1::Complaint c = MakeComplaint("partnerships/eastbrook/complaints/5", "cmp-4", "Noise 3");
  v1::CaseReview review;
  review.set_name("partnerships/eastbrook/caseReviews/1");
  review.mutable_applicant()->set_complainant_reference("cmp-3");
  v1::ThresholdEvaluation& evaluation = *review.mutable_threshold();
  evaluation.set_summary("3 qualifying complaints: threshold met (R1)");
  for (const v1::Complaint* x : {&a, &b, &c}) {
    v1::ConsideredComplaint& considered = *evaluation.add_considered();
    considered.set_complaint(x->name());
    considered.set_complainant_reference(x->complainant_reference());
    considered.set_counted(true);
  }
  evaluation.set_considered_total(3);
  for (v1::Complaint* x : {&a, &b, &c}) ASSERT_TRUE(sealer_->Seal(x->name(), x).ok());
  ASSERT_TRUE(sealer_->Seal(review.name(), &review).ok());
  ASSERT_TRUE(store_->Persist().ok());

  ASSERT_TRUE(
      store_->EraseName(PersonKeyName("eastbrook", v1::COMPLAINANT, "cmp-3"), Erasure("17(1)(a)"))
          .ok());
  for (v1::Complaint* x : {&a, &b, &c}) ASSERT_TRUE(sealer_->Open(x).ok());
  ASSERT_TRUE(sealer_->Open(&review).ok());
  EXPECT_EQ(a.summary(), kErasedText);
  EXPECT_EQ(a.complainant_reference(), kErasedText);
  EXPECT_EQ(b.summary(), kErasedText);
  EXPECT_EQ(a.perpetrator_references(0), "per-77");  // the perpetrator's own key
  EXPECT_EQ(c.summary(), "Noise 3");
  EXPECT_EQ(c.complainant_reference(), "cmp-4");
  // The explanation still counts and dates them; only the person is gone.
  EXPECT_EQ(review.applicant().complainant_reference(), kErasedText);
  EXPECT_EQ(review.threshold().considered_total(), 3);
  EXPECT_EQ(review.threshold().considered(0).complaint(), a.name());
  EXPECT_EQ(review.threshold().considered(0).complainant_reference(), kErasedText);
  EXPECT_EQ(review.threshold().considered(2).complainant_reference(), "cmp-4");
  EXPECT_EQ(review.threshold().summary(), "3 qualifying complaints: threshold met (R1)");
}

TEST_F(SealerTest, AReferenceHeldDirectlyByAChildNamesTheParentsFieldsToo) {
  // A case review's description is its applicant's, whose reference is in
  // the applicant message it holds.
  v1::CaseReview review;
  review.set_name("partnerships/eastbrook/caseReviews/2");
  review.mutable_applicant()->set_complainant_reference("cmp-5");
  review.set_description("Harassed on the way to work");
  v1::AgencyRequest& request = *review.add_agency_requests();
  request.set_agency("eastbrook-homes");
  request.set_summary("Tenancy file shows three reports");
  ASSERT_TRUE(sealer_->Seal(review.name(), &review).ok());
  ASSERT_TRUE(store_->Persist().ok());
  ASSERT_TRUE(
      store_->EraseName(PersonKeyName("eastbrook", v1::COMPLAINANT, "cmp-5"), Erasure("17")).ok());
  ASSERT_TRUE(sealer_->Open(&review).ok());
  EXPECT_EQ(review.description(), kErasedText);
  EXPECT_EQ(review.agency_requests(0).summary(), kErasedText);
  EXPECT_EQ(review.agency_requests(0).agency(), "eastbrook-homes");
}

TEST_F(SealerTest, OpeningForOnePersonRedactsEveryoneElse) {
  v1::CaseReview review;
  review.set_name("partnerships/eastbrook/caseReviews/3");
  review.mutable_applicant()->set_complainant_reference("cmp-6");
  review.set_description("Followed home twice");
  v1::ConsideredComplaint& other = *review.mutable_threshold()->add_considered();
  other.set_complainant_reference("cmp-7");
  review.mutable_threshold()->set_summary("2 complaints: not met");
  ASSERT_TRUE(sealer_->Seal(review.name(), &review).ok());
  ASSERT_TRUE(store_->Persist().ok());
  const std::string id =
      **store_->LiveIdOf(PersonKeyName("eastbrook", v1::COMPLAINANT, "cmp-6"));
  ASSERT_TRUE(sealer_->OpenOnly(&review, id, "[redacted]").ok());
  EXPECT_EQ(review.applicant().complainant_reference(), "cmp-6");
  EXPECT_EQ(review.description(), "Followed home twice");
  EXPECT_EQ(review.threshold().considered(0).complainant_reference(), "[redacted]");
  EXPECT_EQ(review.threshold().summary(), "[redacted]");  // the record's text
}

TEST_F(SealerTest, FreeTextWithNoPersonInReachGoesWithItsRecord) {
  v1::ActionProgressRecorded note;
  note.set_note("Met the family at the school gate");
  const std::string stream = "partnerships/eastbrook/actions/7";
  ASSERT_TRUE(sealer_->Seal(stream, &note).ok());
  ASSERT_TRUE(store_->Persist().ok());
  ASSERT_TRUE(store_->EraseName(RecordKeyName(stream, v1::CASE_SUBJECT), Erasure("retention")).ok());
  ASSERT_TRUE(sealer_->Open(&note).ok());
  EXPECT_EQ(note.note(), kErasedText);
}

TEST_F(SealerTest, AValueSealedUnderAnotherKeyStoreIsRefusedNotGuessed) {
  v1::ActionProgressRecorded note;
  note.set_note("Visited on Tuesday");
  ASSERT_TRUE(sealer_->Seal("partnerships/eastbrook/actions/8", &note).ok());
  ASSERT_TRUE(store_->Persist().ok());
  auto other = *KeyStore::Open(dir_.path() + "/other", MasterA());
  Sealer other_sealer(other.get());
  absl::Status status = other_sealer.Open(&note);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReasonOf(status), "KEY_STORE_MISMATCH");
}

TEST_F(SealerTest, StoredMessagesNameTheirTypeSoAReaderOpensThemBlind) {
  const v1::Complaint plain =
      MakeComplaint("partnerships/eastbrook/complaints/9", "cmp-9", "Bins set alight");
  absl::StatusOr<std::string> stored =
      sealer_->SealSerialized(plain.name(), plain.GetDescriptor(), plain.SerializeAsString());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(absl::StartsWith(*stored, kSealedRowPrefix));
  EXPECT_FALSE(absl::StrContains(*stored, "Bins set alight"));
  ASSERT_TRUE(store_->Persist().ok());
  absl::StatusOr<std::string> opened = sealer_->OpenSerialized(*stored);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, plain.SerializeAsString());
  // A value of a type without personal fields, or not a message, is kept.
  EXPECT_EQ(*sealer_->SealSerialized(plain.name(), v1::ErrorInfo::descriptor(), "abc"), "abc");
  EXPECT_EQ(*sealer_->SealSerialized(plain.name(), nullptr, "partnerships/x"), "partnerships/x");
  EXPECT_EQ(*sealer_->OpenSerialized("partnerships/x"), "partnerships/x");
}

TEST_F(SealerTest, MessagesWithoutPersonalFieldsAreNotWalked) {
  EXPECT_FALSE(sealer_->MayHoldPersonalData(v1::ErrorInfo::descriptor()));
  EXPECT_TRUE(sealer_->MayHoldPersonalData(v1::EventEnvelope::descriptor()));  // its payload
  EXPECT_TRUE(sealer_->MayHoldPersonalData(v1::CaseReview::descriptor()));
}

}  // namespace
}  // namespace casework::privacy
