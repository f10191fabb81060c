// The cost of sealing personal data; see privacy_bench.h.
#include "bench/privacy_bench.h"

#include <sys/stat.h>

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/in_process.h"
#include "workflow/case_review/complaints.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/erasures/commands.h"

namespace casework::bench {
namespace {

using Steady = std::chrono::steady_clock;

constexpr char kPartnership[] = "bench";
constexpr int kComplaints = 20000;
constexpr int kComplainants = 2000;
constexpr int kSingles = 500;
constexpr int kGroup = 512;
// The complainant erased at the end has this many complaints.
constexpr int kErasedComplaints = 200;

absl::Time Start() { return absl::FromCivil(absl::CivilSecond(2026, 11, 2, 10, 0, 0), absl::UTCTimeZone()); }

v1::RecordComplaintRequest Complaint(int i, const std::string& complainant, absl::CivilDay today) {
  v1::RecordComplaintRequest r;
  r.set_parent(absl::StrCat("partnerships/", kPartnership));
  r.set_request_id(absl::StrCat("seal-", i));
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference(complainant);
  c.set_agency("shire-police");
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("niche-rms");
  c.set_source_reference(absl::StrCat("SRC-", i));
  c.set_incident_reference(absl::StrCat("INC-", i));
  const absl::CivilDay reported = today - (i % 700);
  *c.mutable_reported_date() = workflow::ToCivilDate(reported);
  *c.mutable_behaviour_date() = workflow::ToCivilDate(reported - 1);
  c.set_category(v1::PERSONAL);
  c.set_locality(absl::StrCat("ward-", i % 40));
  c.add_perpetrator_references(absl::StrCat("per-", i % 500));
  c.set_summary(
      "Loud music and shouting from the flat above until the early hours, and threats on the "
      "stairs when the caller asked them to stop; the caller's children could not sleep and "
      "the caller is afraid to use the shared entrance in the evening.");
  return r;
}

std::string Complainant(int i) {
  // The first complainant has kErasedComplaints complaints; the rest share
  // what is left.
  if (i < kErasedComplaints) return "cmp-erased";
  return absl::StrCat("cmp-", i % kComplainants);
}

absl::StatusOr<SealingFigures::Side> MeasureSide(const std::string& dir, bool sync,
                                                 std::shared_ptr<privacy::Sealer> sealer,
                                                 SealingFigures* figures) {
  SealingFigures::Side side;
  const bool sealing = sealer != nullptr;
  ASSIGN_OR_RETURN(std::unique_ptr<InProcessEngine> engine,
                   InProcessEngine::Open(dir, sync, Start(), sealer));
  const workflow::Workflow& complaints = workflow::case_review::ComplaintWorkflow();
  const auto started = Steady::now();
  for (int from = 0; from < kComplaints; from += kGroup) {
    std::vector<storage::Command> commands;
    for (int i = from; i < std::min(kComplaints, from + kGroup); ++i) {
      ASSIGN_OR_RETURN(storage::Command c,
                       engine->Make(complaints, workflow::case_review::kRecordComplaint,
                                    Complaint(i, Complainant(i), engine->today())));
      commands.push_back(std::move(c));
    }
    RETURN_IF_ERROR(engine->RunAll(std::move(commands)).status());
  }
  side.intake_per_s =
      kComplaints / std::chrono::duration<double>(Steady::now() - started).count();

  double hold_us = 0;
  for (int i = 0; i < kSingles; ++i) {
    const int n = kComplaints + i;
    ASSIGN_OR_RETURN(storage::Command c,
                     engine->Make(complaints, workflow::case_review::kRecordComplaint,
                                  Complaint(n, Complainant(n), engine->today())));
    ASSIGN_OR_RETURN(InProcessEngine::Timed timed, engine->RunTimed(std::move(c)));
    hold_us += absl::ToDoubleMicroseconds(timed.hold);
  }
  side.hold_mean_us = hold_us / kSingles;

  // The whole log read back twice (the second pass is the one measured:
  // its blocks are cached, so the figure is the cost of opening fields).
  uint64_t events = 0;
  double scan_s = 0;
  for (int pass = 0; pass < 2; ++pass) {
    events = 0;
    const auto scan_started = Steady::now();
    RETURN_IF_ERROR(engine->store().ScanLog(1, [&events](const v1::EventEnvelope&) {
      ++events;
      return true;
    }));
    scan_s = std::chrono::duration<double>(Steady::now() - scan_started).count();
  }
  side.scan_events_per_s = events / scan_s;

  if (sealing) {
    v1::EraseSubjectRequest erase;
    erase.set_parent(absl::StrCat("partnerships/", kPartnership));
    erase.set_request_id("erase-1");
    erase.set_subject(v1::COMPLAINANT);
    erase.set_reference("cmp-erased");
    erase.set_legal_basis("UK GDPR Art. 17(1)(a): no longer necessary");
    ASSIGN_OR_RETURN(storage::Command c,
                     engine->Make(workflow::erasures::ErasureWorkflow(),
                                  workflow::erasures::kEraseSubject, erase,
                                  "data_protection_officer"));
    ASSIGN_OR_RETURN(InProcessEngine::Timed timed, engine->RunTimed(std::move(c)));
    figures->erased_complaints = kErasedComplaints;
    figures->erase_ms = absl::ToDoubleMilliseconds(timed.latency);
  }
  engine.reset();  // a clean close flushes the memtables
  side.data_mb = DirectoryBytes(dir) / 1e6;
  return side;
}

}  // namespace

absl::StatusOr<SealingFigures> MeasureSealing(const std::string& dir, bool sync) {
  SealingFigures figures;
  figures.complaints = kComplaints;
  figures.singles = kSingles;
  mkdir(dir.c_str(), 0700);
  ASSIGN_OR_RETURN(figures.plain, MeasureSide(dir + "/plain", sync, nullptr, &figures));
  const std::string key_file = dir + "/master.key";
  WriteMasterKey(key_file);
  ASSIGN_OR_RETURN(std::shared_ptr<privacy::Sealer> sealer,
                   privacy::OpenSealer(key_file, dir + "/sealed.keys"));
  ASSIGN_OR_RETURN(figures.sealed, MeasureSide(dir + "/sealed", sync, sealer, &figures));
  return figures;
}

}  // namespace casework::bench
