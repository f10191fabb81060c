// The erasure log's definition: one command records an erasure a data
// protection officer asks for, one (the engine's) an erasure found in the key
// store that a restored data directory had not recorded. The workflow is
// small enough to keep its validation, decisions, appliers and rows here.
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "workflow/common/validation.h"
#include "workflow/erasures/commands.h"
#include "workflow/kernel/definition.h"

namespace casework::workflow::erasures {
namespace {

using State = v1::Erasure;

constexpr absl::string_view kCollection = "erasures";
constexpr size_t kMaxLegalBasis = 500;

std::string StateName(const State& s) { return s.name().empty() ? std::string(kNewState) : "ERASED"; }

google::protobuf::Timestamp Stamp(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

// A record of the partnership: "partnerships/{p}/{collection}/{n}".
bool IsRecordOf(absl::string_view record, absl::string_view parent) {
  if (parent.empty() || !absl::ConsumePrefix(&record, parent) ||
      !absl::ConsumePrefix(&record, "/")) {
    return false;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(record, '/');
  int64_t number = 0;
  return parts.size() == 2 && !parts[0].empty() && absl::SimpleAtoi(parts[1], &number) &&
         number > 0;
}

void ValidateErase(const v1::EraseSubjectRequest& r, const ValidateContext&, FieldErrors& errors) {
  const bool person = !r.reference().empty() || r.subject() != v1::DATA_SUBJECT_UNSPECIFIED;
  if (person == !r.record().empty()) {
    errors.Add("reference", "one_of",
               "name a person (subject and reference) or a record, exactly one of them");
  } else if (person) {
    if (!IsPersonSubject(r.subject())) {
      errors.Add("subject", "person",
                 "must be COMPLAINANT, REPRESENTATIVE, PERPETRATOR or PANEL_SUBJECT for a person");
    }
    CheckReference("reference", r.reference(), true, errors);
  } else if (!IsRecordOf(r.record(), r.parent())) {
    errors.Add("record", "format",
               absl::StrCat("must be a record of ", Quoted(r.parent()),
                            ", \"partnerships/{p}/{collection}/{number}\""));
  }
  CheckText("legal_basis", r.legal_basis(), true, kMaxLegalBasis, errors);
}

void ValidateReapply(const v1::ReapplyErasureRequest& r, const ValidateContext&,
                     FieldErrors& errors) {
  if (r.key_id().size() != 32) errors.Add("key_id", "format", "must be 32 hex digits");
  CheckText("legal_basis", r.legal_basis(), false, kMaxLegalBasis, errors);
}

absl::Status DecideErase(const State&, const v1::EraseSubjectRequest& r,
                         const DecideContext& context, Decision& out) {
  v1::SubjectErased e;
  e.set_partnership(std::string(context.partnership));
  v1::Erasure& erasure = *e.mutable_erasure();
  erasure = ErasureOf(r);
  *erasure.mutable_erased_by() = *context.actor;
  *erasure.mutable_erase_time() = Stamp(context.now);
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideReapply(const State&, const v1::ReapplyErasureRequest& r,
                           const DecideContext& context, Decision& out) {
  v1::ErasureReapplied e;
  e.set_partnership(std::string(context.partnership));
  v1::Erasure& erasure = *e.mutable_erasure();
  erasure.set_key_id(r.key_id());
  erasure.set_legal_basis(r.legal_basis());
  *erasure.mutable_first_erase_time() = r.first_erase_time();
  *erasure.mutable_erased_by() = *context.actor;
  *erasure.mutable_erase_time() = Stamp(context.now);
  out.Emit(std::move(e));
  return absl::OkStatus();
}

void ApplyErased(State& s, const v1::SubjectErased& e, const v1::EventEnvelope& env) {
  s = e.erasure();
  s.set_name(env.stream());
}

void ApplyReapplied(State& s, const v1::ErasureReapplied& e, const v1::EventEnvelope& env) {
  s = e.erasure();
  s.set_name(env.stream());
}

void SubjectErasures(const v1::SubjectErased& e, std::vector<v1::Erasure>* out) {
  out->push_back(e.erasure());
}

void ErasureRows(absl::string_view, const State&, std::vector<Row>*) {}

State ErasureReply(const State& s, const v1::CommitInfo&) { return s; }

}  // namespace

bool IsPersonSubject(v1::DataSubject subject) {
  return subject == v1::COMPLAINANT || subject == v1::REPRESENTATIVE ||
         subject == v1::PERPETRATOR || subject == v1::PANEL_SUBJECT;
}

v1::Erasure ErasureOf(const v1::EraseSubjectRequest& request) {
  v1::Erasure erasure;
  erasure.set_subject(request.subject());
  switch (request.subject()) {
    case v1::COMPLAINANT: erasure.set_complainant_reference(request.reference()); break;
    case v1::REPRESENTATIVE: erasure.set_representative_reference(request.reference()); break;
    case v1::PERPETRATOR: erasure.set_perpetrator_reference(request.reference()); break;
    case v1::PANEL_SUBJECT: erasure.set_panel_subject_reference(request.reference()); break;
    default: break;
  }
  erasure.set_record(request.record());
  erasure.set_legal_basis(request.legal_basis());
  return erasure;
}

std::string ErasureRowPrefix(absl::string_view partnership) {
  return absl::StrCat(kCollection, "/", partnership, "/all/");
}

std::string ErasureSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return "";
  return absl::StrCat(ErasureRowPrefix(name->partnership), SortableNumber(name->number));
}

const Workflow& ErasureWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"erasure", kCollection, 1,
                         "casework.v1.DataProtectionService", "docs/workflows/erasures.md"});
    d.States(StateName, {std::string(kNewState), "ERASED"});
    d.Transitions({
        {kNewState, kEraseSubject.name, {"ERASED"}},
        {kNewState, kReapplyErasure.name, {"ERASED"}},
    });
    d.Create(kEraseSubject, DecideErase, ValidateErase);
    d.Create(kReapplyErasure, DecideReapply, ValidateReapply);
    d.On<v1::SubjectErased>(ApplyErased);
    d.On<v1::ErasureReapplied>(ApplyReapplied);
    d.Erases(SubjectErasures);
    d.Rows(ErasureRows, {std::string(kCollection)});
    d.SummaryRow(ErasureSummaryRow);
    d.Reply(ErasureReply);
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::erasures
