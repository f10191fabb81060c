// Moving a partnership between data directories (storage/transfer.h): a
// real sealed server holds two partnerships; one is exported from its
// stopped directory and imported into another server's directory (its own
// master key and key store, its own partnership already there). The moved
// partnership then answers there as it did: its records, personal fields
// included (sealed with the target's keys), its numbering, its retried
// commands (same reply, positions mapped), its feed; the target's own
// partnership is untouched; erased data stays erased; and a damaged,
// cut-short, mis-keyed or repeated import writes nothing.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/data_protection.grpc.pb.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/cipher.h"
#include "privacy/sealer.h"
#include "services/server.h"
#include "storage/rebuild.h"
#include "storage/transfer.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {


std::string ReasonOf(const absl::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

// One sealed server over a data directory of its own, with its own master
// key and key store.
class Instance {
 public:
  Instance(const testing::TempDir& dir, std::string name, ManualClock* clock)
      : data_(dir.Sub(name)), key_(testing::EnsureMasterKeyFile(dir.Sub(name + ".key"))),
        clock_(clock) {}

  void Start() {
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.data_dir = data_;
    config.request_log = false;
    config.timer_poll = absl::ZeroDuration();
    config.master_key_file = key_;
    absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void Stop() { server_.reset(); }

  // The stopped instance's directory, opened as the offline modes do.
  absl::StatusOr<std::unique_ptr<storage::EventStore>> OpenStore() {
    storage::StoreOptions options;
    options.path = data_;
    ASSIGN_OR_RETURN(options.sealer,
                     privacy::OpenSealer(key_, privacy::DefaultKeyStorePath(data_)));
    return storage::EventStore::Open(options);
  }

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response, const std::string& partnership,
                    const std::string& role = "caseworker") {
    grpc::ClientContext context;
    testing::SetIdentity(context, partnership + "-council", "u-1", role);
    Stub stub(server_->InProcessChannel());
    return (stub.*method)(&context, request, response);
  }

  CaseworkServer& server() { return *server_; }

 private:
  const std::string data_;
  const std::string key_;
  ManualClock* clock_;
  std::unique_ptr<CaseworkServer> server_;
};

class TransferTest : public ::testing::Test {
 protected:
  TransferTest()
      : clock_(testing::At(2026, 11, 2)),
        source_(dir_, "source", &clock_),
        target_(dir_, "target", &clock_),
        file_(dir_.Sub("eastbrook.export")) {
    transfer_key_ = privacy::Key256::Random();
  }

  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(dir_.Sub("")));
    // The target already serves northfield.
    ASSERT_NO_FATAL_FAILURE(target_.Start());
    Publish(target_, "northfield");
    CreateAction(target_, "northfield", "north-1", "Northfield's own action");
    target_.Stop();

    // The source holds eastbrook and westmoor, their commands interleaved.
    ASSERT_NO_FATAL_FAILURE(source_.Start());
    Publish(source_, "eastbrook");
    Publish(source_, "westmoor");
    first_ = CreateAction(source_, "eastbrook", "east-1", "Joint visit with housing");
    CreateAction(source_, "westmoor", "west-1", "Westmoor's action");
    v1::RecordProgressRequest note;
    note.set_name(first_.action().name());
    note.set_request_id("east-note-1");
    note.set_note("Spoke to the complainant at home; the noise continues at night");
    v1::ActionResponse noted;
    ASSERT_TRUE(source_.Call(&v1::ActionService::Stub::RecordProgress, note, &noted, "eastbrook")
                    .ok());
    CreateAction(source_, "eastbrook", "east-2", "Letter to the tenant");
    kept_ = RecordComplaint(source_, "SEN-1", "cmp-kept");
    erased_ = RecordComplaint(source_, "SEN-2", "cmp-erased");
    RecordComplaint(source_, "SEN-3", "cmp-west", "westmoor");
    // One complainant is erased at the source before the move.
    v1::EraseSubjectRequest erase;
    erase.set_parent("partnerships/eastbrook");
    erase.set_request_id("erase-1");
    erase.set_subject(v1::COMPLAINANT);
    erase.set_reference("cmp-erased");
    erase.set_legal_basis("UK GDPR Art. 17: the complainant asked");
    v1::Erasure erasure;
    ASSERT_TRUE(source_
                    .Call(&v1::DataProtectionService::Stub::EraseSubject, erase, &erasure,
                          "eastbrook", "data_protection_officer")
                    .ok());
    source_head_ = source_.server().store().LastPosition();
    source_.Stop();
  }

  void Publish(Instance& at, const std::string& p) {
    v1::PublishPolicyRequest request;
    request.set_parent("partnerships/" + p);
    request.set_request_id("policy-" + p);
    *request.mutable_policy() = workflow::LlrDefaultPolicy(p);
    v1::Policy out;
    grpc::Status status =
        at.Call(&v1::PolicyService::Stub::PublishPolicy, request, &out, p, "admin");
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::CreateActionRequest ActionRequest(const std::string& p, const std::string& request_id,
                                        const std::string& title) {
    v1::CreateActionRequest request;
    request.set_parent("partnerships/" + p);
    request.set_request_id(request_id);
    request.set_title(title);
    request.set_owner_agency(p + "-council");
    *request.mutable_due_date() = testing::Date(2027, 1, 29);
    return request;
  }

  v1::ActionResponse CreateAction(Instance& at, const std::string& p,
                                  const std::string& request_id, const std::string& title) {
    v1::ActionResponse out;
    grpc::Status status = at.Call(&v1::ActionService::Stub::CreateAction,
                                  ActionRequest(p, request_id, title), &out, p);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::RecordComplaintResponse RecordComplaint(Instance& at, const std::string& source_ref,
                                              const std::string& complainant,
                                              const std::string& p = "eastbrook") {
    v1::RecordComplaintRequest r;
    r.set_parent("partnerships/" + p);
    r.set_request_id("rq-" + source_ref);
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference(complainant);
    c.set_agency(p + "-council");
    c.set_agency_kind(v1::COUNCIL);
    c.set_source_system("sentinel");
    c.set_source_reference(source_ref);
    c.set_incident_reference("INC-" + source_ref);
    *c.mutable_behaviour_date() = testing::Date(2026, 10, 20);
    *c.mutable_reported_date() = testing::Date(2026, 10, 21);
    c.set_category(v1::PERSONAL);
    c.set_locality("mill-lane");
    c.set_summary("Shouting and banging on the landing after midnight");
    v1::RecordComplaintResponse out;
    grpc::Status status = at.Call(&v1::ComplaintService::Stub::RecordComplaint, r, &out, p);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  absl::StatusOr<storage::TransferReport> Export(const std::string& p = "eastbrook") {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::EventStore> store, source_.OpenStore());
    return storage::ExportPartnership(*store, p, transfer_key_, file_);
  }

  absl::StatusOr<storage::TransferReport> Import(const std::string& file,
                                                 const privacy::Key256& key,
                                                 const std::string& p = "eastbrook") {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::EventStore> store, target_.OpenStore());
    absl::TimeZone london;
    if (!absl::LoadTimeZone("Europe/London", &london)) return absl::InternalError("tzdata");
    return storage::ImportPartnership(*store, p, key, file, london);
  }

  uint64_t TargetHead() {
    absl::StatusOr<std::unique_ptr<storage::EventStore>> store = target_.OpenStore();
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? (*store)->LastPosition() : 0;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  Instance source_;
  Instance target_;
  const std::string file_;
  privacy::Key256 transfer_key_;
  v1::ActionResponse first_;
  v1::RecordComplaintResponse kept_;
  v1::RecordComplaintResponse erased_;
  uint64_t source_head_ = 0;
};

TEST_F(TransferTest, AMovedPartnershipAnswersOnItsNewInstanceAsItDid) {
  absl::StatusOr<storage::TransferReport> exported = Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  // Policy, two actions (one with a note), two complaints, the erasure log:
  // every event of eastbrook's streams and none of westmoor's.
  EXPECT_EQ(exported->partnership, "eastbrook");
  EXPECT_EQ(exported->source_head, source_head_);
  EXPECT_GT(exported->events, 0u);
  EXPECT_LT(exported->events, source_head_);
  EXPECT_GT(exported->requests, 0u);

  const uint64_t target_head = TargetHead();
  absl::StatusOr<storage::TransferReport> imported = Import(file_, transfer_key_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->events, exported->events);
  EXPECT_EQ(imported->streams, exported->streams);
  EXPECT_EQ(imported->requests, exported->requests);
  EXPECT_EQ(imported->requests_conflicting, 0u);
  EXPECT_EQ(imported->first_position, target_head + 1);
  EXPECT_EQ(imported->last_position, target_head + exported->events);
  EXPECT_EQ(imported->source_first_position, exported->source_first_position);

  ASSERT_NO_FATAL_FAILURE(target_.Start());
  // Its records, personal fields open.
  v1::GetActionRequest get;
  get.set_name(first_.action().name());
  v1::Action action;
  ASSERT_TRUE(target_.Call(&v1::ActionService::Stub::GetAction, get, &action, "eastbrook").ok());
  EXPECT_EQ(action.title(), "Joint visit with housing");
  v1::GetComplaintRequest complaint_name;
  complaint_name.set_name(kept_.complaint().name());
  v1::Complaint complaint;
  ASSERT_TRUE(target_
                  .Call(&v1::ComplaintService::Stub::GetComplaint, complaint_name, &complaint,
                        "eastbrook")
                  .ok());
  EXPECT_EQ(complaint.complainant_reference(), "cmp-kept");
  EXPECT_EQ(complaint.summary(), "Shouting and banging on the landing after midnight");
  // Erased at the source, erased here.
  complaint_name.set_name(erased_.complaint().name());
  ASSERT_TRUE(target_
                  .Call(&v1::ComplaintService::Stub::GetComplaint, complaint_name, &complaint,
                        "eastbrook")
                  .ok());
  EXPECT_EQ(complaint.complainant_reference(), privacy::kErasedText);

  // A retried command gets its first reply, at the positions it has here.
  v1::ActionResponse retried;
  ASSERT_TRUE(target_
                  .Call(&v1::ActionService::Stub::CreateAction,
                        ActionRequest("eastbrook", "east-1", "Joint visit with housing"), &retried,
                        "eastbrook")
                  .ok());
  EXPECT_EQ(retried.action().name(), first_.action().name());
  EXPECT_EQ(retried.commit().first_version(), first_.commit().first_version());
  // Its create was eastbrook's second event (after its policy).
  EXPECT_EQ(retried.commit().first_position(), imported->first_position + 1);
  EXPECT_NE(retried.commit().first_position(), first_.commit().first_position());
  // New records go on from its numbering.
  v1::ActionResponse third =
      CreateAction(target_, "eastbrook", "east-3", "Follow-up visit after the letter");
  EXPECT_EQ(third.action().name(), "partnerships/eastbrook/actions/3");
  EXPECT_EQ(third.commit().first_position(), imported->last_position + 1);
  // Its list (derived again here) holds all three.
  v1::ListActionsRequest list;
  list.set_parent("partnerships/eastbrook");
  v1::ListActionsResponse listed;
  ASSERT_TRUE(target_.Call(&v1::ActionService::Stub::ListActions, list, &listed, "eastbrook").ok());
  EXPECT_EQ(listed.actions_size(), 3);
  // The target's own partnership is as it was.
  list.set_parent("partnerships/northfield");
  ASSERT_TRUE(
      target_.Call(&v1::ActionService::Stub::ListActions, list, &listed, "northfield").ok());
  ASSERT_EQ(listed.actions_size(), 1);
  EXPECT_EQ(listed.actions(0).title(), "Northfield's own action");

  // Personal fields are sealed with the target's keys, recorded as used.
  const storage::EventStore& store = target_.server().store();
  absl::StatusOr<std::vector<v1::EventEnvelope>> raw =
      store.ReadStream(kept_.complaint().name(), 1, 1, /*open=*/false);
  ASSERT_TRUE(raw.ok()) << raw.status();
  v1::ComplaintRecorded recorded;
  ASSERT_EQ(raw->size(), 1u);
  ASSERT_TRUE(raw->front().payload().UnpackTo(&recorded));
  EXPECT_TRUE(privacy::IsSealed(recorded.complaint().complainant_reference()));
  target_.Stop();

  // The directory verifies, and so does the import against the file.
  absl::StatusOr<std::unique_ptr<storage::EventStore>> reopened = target_.OpenStore();
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  absl::TimeZone london;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  absl::StatusOr<storage::VerifyReport> verified = storage::VerifyStore(**reopened, london);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_THAT(verified->problems, ::testing::IsEmpty());
  absl::StatusOr<storage::TransferReport> checked =
      storage::VerifyImport(**reopened, transfer_key_, file_);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->events, exported->events);
}

TEST_F(TransferTest, TheFeedOfAMovedPartnershipResumesFromTheTargetsPositions) {
  // What a subscriber of eastbrook read at the source.
  v1::SubscribeRequest request;
  request.set_partnership("partnerships/eastbrook");
  ASSERT_NO_FATAL_FAILURE(source_.Start());
  testing::FeedRead before = testing::ReadFeedUntilCaughtUp(source_.server().InProcessChannel(),
                                                            request, "eastbrook-council");
  source_.Stop();
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  ASSERT_FALSE(before.events.empty());

  ASSERT_TRUE(Export().ok());
  absl::StatusOr<storage::TransferReport> imported = Import(file_, transfer_key_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_NO_FATAL_FAILURE(target_.Start());
  testing::FeedRead after = testing::ReadFeedUntilCaughtUp(target_.server().InProcessChannel(),
                                                           request, "eastbrook-council");
  ASSERT_TRUE(after.status.ok()) << after.status.error_message();
  // The same events, in the same order, at the target's positions.
  ASSERT_EQ(after.events.size(), before.events.size());
  for (size_t i = 0; i < after.events.size(); ++i) {
    EXPECT_EQ(after.events[i].event_id(), before.events[i].event_id());
    EXPECT_GE(after.events[i].global_position(), imported->first_position);
    EXPECT_LE(after.events[i].global_position(), imported->last_position);
  }
  // A subscriber that read all of it at the source resumes after the
  // import's last position and sees only what is new.
  CreateAction(target_, "eastbrook", "east-after-move", "Visit after the move");
  request.set_after_position(imported->last_position);
  after = testing::ReadFeedUntilCaughtUp(target_.server().InProcessChannel(), request,
                                         "eastbrook-council");
  ASSERT_FALSE(after.events.empty());
  for (const v1::EventEnvelope& e : after.events) {
    EXPECT_EQ(e.stream(), "partnerships/eastbrook/actions/3");
    EXPECT_GT(e.global_position(), imported->last_position);
  }
}

TEST_F(TransferTest, ADamagedMisKeyedOrRepeatedImportWritesNothing) {
  ASSERT_TRUE(Export().ok());
  const uint64_t head = TargetHead();

  // Another transfer key.
  absl::StatusOr<storage::TransferReport> refused = Import(file_, privacy::Key256::Random());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReasonOf(refused.status()), "TRANSFER_FILE_DAMAGED");

  // One byte changed.
  std::string bytes;
  {
    std::ifstream in(file_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 200u);
  std::string changed = bytes;
  changed[changed.size() / 2] ^= 0x01;
  const std::string changed_file = dir_.Sub("changed.export");
  std::ofstream(changed_file, std::ios::binary) << changed;
  refused = Import(changed_file, transfer_key_);
  EXPECT_EQ(ReasonOf(refused.status()), "TRANSFER_FILE_DAMAGED") << refused.status();

  // Cut short, at an item's end (its last item, the trailer, missing) and
  // in the middle of one.
  const std::string short_file = dir_.Sub("short.export");
  std::ofstream(short_file, std::ios::binary) << bytes.substr(0, bytes.size() - 40);
  refused = Import(short_file, transfer_key_);
  EXPECT_EQ(ReasonOf(refused.status()), "TRANSFER_FILE_DAMAGED") << refused.status();

  // Named as another partnership.
  refused = Import(file_, transfer_key_, "westmoor");
  EXPECT_EQ(ReasonOf(refused.status()), "TRANSFER_WRONG_PARTNERSHIP") << refused.status();
  EXPECT_EQ(TargetHead(), head);

  // Once in, a second import is refused.
  ASSERT_TRUE(Import(file_, transfer_key_).ok());
  const uint64_t after = TargetHead();
  refused = Import(file_, transfer_key_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(refused.status()), "PARTNERSHIP_ALREADY_HERE");
  EXPECT_EQ(TargetHead(), after);
}

TEST_F(TransferTest, AnExportNeverOverwritesAndNamesAPartnershipItDoesNotHold) {
  absl::StatusOr<storage::TransferReport> none = Export("northfield");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(none.status()), "PARTNERSHIP_NOT_FOUND");
  EXPECT_FALSE(std::filesystem::exists(file_));
  EXPECT_FALSE(std::filesystem::exists(file_ + ".partial"));

  ASSERT_TRUE(Export().ok());
  EXPECT_EQ((std::filesystem::status(file_).permissions() & std::filesystem::perms::group_all),
            std::filesystem::perms::none);
  absl::StatusOr<storage::TransferReport> again = Export();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace casework::services
