// Erasure by crypto-shredding through the real gRPC API and a real data
// directory: a complainant erased after their complaints counted towards a
// case review's threshold; what reads as "[erased]", what stays (counts,
// dates, figures), --verify, the files on disk after compaction, a backup
// restored after the erasure, and a wrong master key.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "casework/v1/data_protection.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/sealer.h"
#include "storage/rebuild.h"
#include "tests/services/case_review_fixture.h"

namespace casework::services::case_review_testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kErased[] = "[erased]";
constexpr char kBasis[] = "UK GDPR Art. 17(1)(a): no longer necessary";

// True if any file under `dir` holds `needle`.
bool AnyFileHolds(const std::string& dir, const std::string& needle) {
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

class DataProtectionTest : public CaseReviewTest {
 protected:
  void SetUp() override {
    // Table files uncompressed, so that searching them for a value means
    // something (a positive control below proves the search finds one).
    StartWith(/*compression=*/false);
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
  }

  void StartWith(bool compression, const std::string& master_key = "") {
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_.Sub("data");
    config.request_log = false;
    config.timer_poll = absl::ZeroDuration();
    config.compression = compression;
    config.master_key_file =
        master_key.empty() ? testing::EnsureMasterKeyFile(dir_.Sub("master.key")) : master_key;
    absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<v1::DataProtectionService::Stub> Protection() {
    return v1::DataProtectionService::NewStub(InProcess());
  }

  grpc::Status Erase(const std::string& request_id, const std::string& reference,
                     v1::Erasure* out) {
    v1::EraseSubjectRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(request_id);
    request.set_subject(v1::COMPLAINANT);
    request.set_reference(reference);
    request.set_legal_basis(kBasis);
    return Call(&v1::DataProtectionService::Stub::EraseSubject, Protection().get(), request, out,
                "data_protection_officer");
  }

  v1::Complaint GetComplaint(int n) {
    v1::GetComplaintRequest request;
    request.set_name(absl::StrCat("partnerships/eastbrook/complaints/", n));
    v1::Complaint out;
    grpc::Status status =
        Call(&v1::ComplaintService::Stub::GetComplaint, Complaints().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  int ComplaintsOf(const std::string& complainant) {
    v1::ListComplaintsRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_complainant_reference(complainant);
    v1::ListComplaintsResponse out;
    grpc::Status status =
        Call(&v1::ComplaintService::Stub::ListComplaints, Complaints().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.complaints_size();
  }

  std::string Figures() {
    v1::GetCaseReviewFiguresRequest request;
    request.set_parent("partnerships/eastbrook");
    *request.mutable_from() = Date(2026, 4, 1);
    *request.mutable_to() = Date(2027, 3, 31);
    v1::CaseReviewFigures out;
    grpc::Status status =
        Call(&v1::CaseReviewService::Stub::GetCaseReviewFigures, Reviews().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.DebugString();
  }

  // Three complaints of cmp-erase-me (a case review's applicant, threshold
  // met on them) and one of cmp-keep.
  void RecordHistory() {
    const char* summaries[] = {"Loud music from Flat 9 Orchard Court", "Shouting at Orchard Court",
                               "Threats at the Orchard Court bins"};
    for (int i = 0; i < 3; ++i) {
      v1::RecordComplaintRequest r = ComplaintRequest(absl::StrCat("S-", i), "cmp-erase-me",
                                                      Date(2026, 9, 1 + i), Date(2026, 9, 2 + i));
      r.mutable_complaint()->set_summary(summaries[i]);
      r.mutable_complaint()->add_perpetrator_references("per-next-door");
      Record(r);
    }
    v1::RecordComplaintRequest keep =
        ComplaintRequest("S-keep", "cmp-keep", Date(2026, 9, 10), Date(2026, 9, 11));
    keep.mutable_complaint()->set_summary("Keep this text");
    Record(keep);
    Do(&Review::ReceiveApplication, Application("cmp-erase-me"));
    Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  }

  // The stopped server's data directory verifies clean (with its keys), and
  // is compacted.
  void VerifyAndCompact() {
    std::unique_ptr<storage::EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(*store, London());
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
    ASSERT_TRUE(store->CompactAll().ok());
    ASSERT_TRUE(store->sealer()->keys().Compact().ok());
  }

  // The stopped server's data directory, opened with its keys.
  std::unique_ptr<storage::EventStore> OpenStore() {
    storage::StoreOptions options;
    options.path = dir_.Sub("data");
    options.compression = false;
    absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer =
        privacy::OpenSealer(dir_.Sub("master.key"), dir_.Sub("data.keys"));
    EXPECT_TRUE(sealer.ok()) << sealer.status();
    options.sealer = *sealer;
    absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
};

TEST_F(DataProtectionTest, AnErasedComplainantReadsErasedWhileCountsDatesAndFiguresStay) {
  RecordHistory();
  const v1::CaseReview before = Get();
  ASSERT_TRUE(before.threshold().met());
  ASSERT_EQ(before.threshold().considered_total(), 3);
  const std::string figures = Figures();
  ASSERT_EQ(ComplaintsOf("cmp-erase-me"), 3);

  v1::Erasure erasure;
  grpc::Status status = Erase("erase-1", "cmp-erase-me", &erasure);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(erasure.name(), "partnerships/eastbrook/erasures/1");
  EXPECT_EQ(erasure.legal_basis(), kBasis);
  EXPECT_EQ(erasure.erased_by().role(), "data_protection_officer");

  for (int n = 1; n <= 3; ++n) {
    const v1::Complaint c = GetComplaint(n);
    EXPECT_EQ(c.complainant_reference(), kErased) << n;
    EXPECT_EQ(c.summary(), kErased) << n;
    EXPECT_EQ(c.perpetrator_references(0), "per-next-door");  // another person's key
    EXPECT_EQ(workflow::FormatDate(c.reported_date()), absl::StrCat("2026-09-0", 1 + n));
    EXPECT_EQ(c.agency(), "shire-police");
  }
  EXPECT_EQ(GetComplaint(4).summary(), "Keep this text");
  EXPECT_EQ(GetComplaint(4).complainant_reference(), "cmp-keep");
  // No index keeps the reference: the ledger was derived again.
  EXPECT_EQ(ComplaintsOf("cmp-erase-me"), 0);
  EXPECT_EQ(ComplaintsOf("cmp-keep"), 1);

  const v1::CaseReview after = Get();
  EXPECT_EQ(after.applicant().complainant_reference(), kErased);
  EXPECT_TRUE(after.threshold().met());
  EXPECT_EQ(after.threshold().deciding_rule(), before.threshold().deciding_rule());
  EXPECT_EQ(after.threshold().considered_total(), 3);
  ASSERT_EQ(after.threshold().considered_size(), before.threshold().considered_size());
  for (int i = 0; i < after.threshold().considered_size(); ++i) {
    const v1::ConsideredComplaint& c = after.threshold().considered(i);
    EXPECT_EQ(c.complainant_reference(), kErased);
    EXPECT_EQ(c.complaint(), before.threshold().considered(i).complaint());
    EXPECT_EQ(c.counted(), before.threshold().considered(i).counted());
    EXPECT_EQ(workflow::FormatDate(c.reported_date()),
              workflow::FormatDate(before.threshold().considered(i).reported_date()));
  }
  EXPECT_EQ(Figures(), figures);

  // The erasure log reads "[erased]" too; a second erasure finds nothing; a
  // retry of the first is answered from its record.
  v1::GetErasureRequest get;
  get.set_name(erasure.name());
  v1::Erasure logged;
  ASSERT_TRUE(Call(&v1::DataProtectionService::Stub::GetErasure, Protection().get(), get, &logged,
                   "data_protection_officer")
                  .ok());
  EXPECT_EQ(logged.complainant_reference(), kErased);
  EXPECT_EQ(logged.subject(), v1::COMPLAINANT);
  v1::Erasure again;
  status = Erase("erase-2", "cmp-erase-me", &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("no personal data of that person is held"));
  status = Erase("erase-1", "cmp-erase-me", &again);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.name(), erasure.name());

  // Only a data protection officer erases.
  v1::EraseSubjectRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("erase-3");
  request.set_subject(v1::COMPLAINANT);
  request.set_reference("cmp-keep");
  request.set_legal_basis(kBasis);
  EXPECT_EQ(Call(&v1::DataProtectionService::Stub::EraseSubject, Protection().get(), request,
                 &again, "caseworker")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Stopped: the log verifies, and once compacted no file of the data
  // directory or the key store holds the person's reference or words.
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(VerifyAndCompact());
  EXPECT_TRUE(AnyFileHolds(dir_.Sub("data"), "cmp-keep"));  // the search finds what is there
  for (const char* value : {"cmp-erase-me", "Orchard Court", "Keep this text"}) {
    EXPECT_FALSE(AnyFileHolds(dir_.Sub("data"), value)) << value;
    EXPECT_FALSE(AnyFileHolds(dir_.Sub("data.keys"), value)) << value;
  }
}

// The writer keeps the ledger rows decisions read, opened; an erasure
// derives them again in the store, so a decision after it reads them again:
// a new evaluation over the same complaints lists the erased complainant as
// erased, never as the opened value it read before.
TEST_F(DataProtectionTest, AnEvaluationAfterAnErasureReadsTheLedgerAsErased) {
  RecordHistory();  // evaluated once: the ledger rows were read and opened
  // A fifth complaint in the locality: enough for the community rule.
  Record(ComplaintRequest("S-keep-2", "cmp-keep", Date(2026, 10, 1), Date(2026, 10, 2)));
  v1::Erasure erasure;
  ASSERT_TRUE(Erase("erase-1", "cmp-erase-me", &erasure).ok());
  v1::ReceiveApplicationRequest community = Application("cmp-keep");
  community.mutable_applicant()->set_kind(v1::Applicant::COMMUNITY_GROUP);
  Do(&Review::ReceiveApplication, community);
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  const v1::CaseReview review = Get();
  int erased = 0;
  for (const v1::ConsideredComplaint& c : review.threshold().considered()) {
    if (c.complaint() == "partnerships/eastbrook/complaints/4" ||
        c.complaint() == "partnerships/eastbrook/complaints/5") {
      EXPECT_EQ(c.complainant_reference(), "cmp-keep");
      continue;
    }
    EXPECT_EQ(c.complainant_reference(), kErased) << c.complaint();
    ++erased;
  }
  EXPECT_EQ(erased, 3) << review.threshold().DebugString();
}

// The writer keeps the ledger rows a complaint writes opened, since a
// decision has scanned that complainant's and locality's ledger: the next
// intakes read them without opening a single one.
TEST_F(DataProtectionTest, TheWriterKeepsTheLedgerRowsItWritesOpenedForTheNextDecision) {
  Record(ComplaintRequest("S-0", "cmp-many", Date(2026, 9, 1), Date(2026, 9, 2)));
  const storage::EngineStats first = server_->engine().stats();
  for (int i = 1; i < 5; ++i) {
    Record(ComplaintRequest(absl::StrCat("S-", i), "cmp-many", Date(2026, 9, 1 + i),
                            Date(2026, 9, 2 + i)));
  }
  const storage::EngineStats after = server_->engine().stats();
  EXPECT_EQ(after.row_cache_misses, first.row_cache_misses);
  EXPECT_GE(after.row_cache_hits, first.row_cache_hits + 1 + 2 + 3 + 4);
}

TEST_F(DataProtectionTest, ABackupTakenBeforeAnErasureComesBackErased) {
  RecordHistory();
  server_.reset();
  fs::copy(dir_.Sub("data"), dir_.Sub("backup"), fs::copy_options::recursive);
  ASSERT_NO_FATAL_FAILURE(StartWith(false));
  v1::Erasure erasure;
  ASSERT_TRUE(Erase("erase-1", "cmp-erase-me", &erasure).ok());

  // The data directory restored from the backup; the key store kept.
  server_.reset();
  fs::remove_all(dir_.Sub("data"));
  fs::rename(dir_.Sub("backup"), dir_.Sub("data"));
  ASSERT_NO_FATAL_FAILURE(StartWith(false));
  EXPECT_EQ(GetComplaint(1).summary(), kErased);
  EXPECT_EQ(GetComplaint(2).complainant_reference(), kErased);
  EXPECT_EQ(GetComplaint(4).summary(), "Keep this text");
  EXPECT_EQ(ComplaintsOf("cmp-erase-me"), 0);
  EXPECT_EQ(Get().applicant().complainant_reference(), kErased);
  // The erasure is in this directory's log again, from the key store.
  v1::ListErasuresRequest list;
  list.set_parent("partnerships/eastbrook");
  v1::ListErasuresResponse erasures;
  ASSERT_TRUE(Call(&v1::DataProtectionService::Stub::ListErasures, Protection().get(), list,
                   &erasures, "auditor")
                  .ok());
  ASSERT_EQ(erasures.erasures_size(), 1);
  EXPECT_EQ(erasures.erasures(0).legal_basis(), kBasis);
  EXPECT_EQ(erasures.erasures(0).key_id().size(), 32u);
  EXPECT_EQ(erasures.erasures(0).erased_by().user(), "erasures");

  server_.reset();
  ASSERT_NO_FATAL_FAILURE(VerifyAndCompact());
  EXPECT_FALSE(AnyFileHolds(dir_.Sub("data"), "cmp-erase-me"));
}

TEST_F(DataProtectionTest, AWrongMasterKeyOrNoneRefusesToStartAndServesNothing) {
  RecordHistory();
  server_.reset();
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.data_dir = dir_.Sub("data");
  config.request_log = false;
  config.timer_poll = absl::ZeroDuration();
  config.master_key_file = testing::EnsureMasterKeyFile(dir_.Sub("other.key"));
  absl::StatusOr<std::unique_ptr<CaseworkServer>> wrong = CaseworkServer::Start(config, &clock_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr("was created or last rotated with key"));

  config.master_key_file.clear();
  absl::StatusOr<std::unique_ptr<CaseworkServer>> none = CaseworkServer::Start(config, &clock_);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("holds personal data sealed with key store"));

  // The right key still opens everything.
  ASSERT_NO_FATAL_FAILURE(StartWith(false));
  EXPECT_EQ(GetComplaint(1).summary(), "Loud music from Flat 9 Orchard Court");
}

TEST_F(DataProtectionTest, ASubjectAccessExportHoldsThePersonsDataAndNoOneElses) {
  RecordHistory();
  // Another complainant's complaint in the same locality, counted by the
  // community rule or listed in the explanation beside the applicant's.
  v1::RecordComplaintRequest other =
      ComplaintRequest("S-other", "cmp-other", Date(2026, 9, 5), Date(2026, 9, 6));
  other.mutable_complaint()->set_summary("Someone else's account of the noise");
  Record(other);

  auto access = v1::SubjectAccessService::NewStub(InProcess());
  v1::RequestSubjectAccessRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("sar-1");
  request.set_subject(v1::COMPLAINANT);
  request.set_reference("cmp-erase-me");
  request.set_received("Letter of 2026-11-02; identity checked at the council's front desk");
  v1::SubjectAccessRequest recorded;
  grpc::Status status = Call(&v1::SubjectAccessService::Stub::RequestSubjectAccess, access.get(),
                             request, &recorded, "data_protection_officer");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(recorded.name(), "partnerships/eastbrook/subjectAccessRequests/1");
  EXPECT_EQ(workflow::FormatDate(recorded.due()), "2026-12-02");  // one month

  v1::ExportSubjectDataRequest export_request;
  export_request.set_name(recorded.name());
  v1::SubjectDataExport exported;
  status = Call(&v1::SubjectAccessService::Stub::ExportSubjectData, access.get(), export_request,
                &exported, "data_protection_officer");
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> records;
  std::string all;
  for (const v1::ExportedRecord& r : exported.records()) {
    records.push_back(r.record());
    absl::StrAppend(&all, r.state_json());
    for (const v1::ExportedEvent& e : r.events()) absl::StrAppend(&all, e.json());
  }
  absl::StrAppend(&all, exported.text());
  // Their three complaints and their case review, not the other person's
  // complaint nor the data protection logs.
  EXPECT_THAT(records, ::testing::ElementsAre("partnerships/eastbrook/caseReviews/1",
                                              "partnerships/eastbrook/complaints/1",
                                              "partnerships/eastbrook/complaints/2",
                                              "partnerships/eastbrook/complaints/3"));
  // Every field about them...
  for (const char* mine : {"cmp-erase-me", "Loud music from Flat 9 Orchard Court",
                           "Shouting at Orchard Court", "Threats at the Orchard Court bins",
                           "Repeated noise and intimidation"}) {
    EXPECT_THAT(all, HasSubstr(mine)) << mine;
  }
  EXPECT_THAT(exported.text(), HasSubstr("summary: \"Shouting at Orchard Court\""));
  // ... and nobody else's: the alleged perpetrator's reference, the other
  // complainant, the case's free text (which may name others).
  for (const char* theirs : {"per-next-door", "cmp-other", "Someone else", "cmp-keep",
                             "Keep this text"}) {
    EXPECT_THAT(all, ::testing::Not(HasSubstr(theirs))) << theirs;
  }
  EXPECT_THAT(all, HasSubstr("[redacted]"));
  EXPECT_THAT(all, HasSubstr("shire-police"));  // not personal: kept

  // Nothing held, nothing requested.
  request.set_request_id("sar-2");
  request.set_reference("cmp-unknown");
  status = Call(&v1::SubjectAccessService::Stub::RequestSubjectAccess, access.get(), request,
                &recorded, "data_protection_officer");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace casework::services::case_review_testing
