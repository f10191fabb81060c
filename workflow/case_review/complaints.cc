#include "workflow/case_review/complaints.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "workflow/case_review/threshold.h"
#include "workflow/common/roles.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::case_review {
namespace {

using State = v1::Complaint;
constexpr absl::string_view kCollection = "complaints";

// Most perpetrator references on one complaint.
constexpr int kMaxPerpetrators = 50;
// Most characters of a complaint's summary and of a notice acknowledgement.
constexpr size_t kMaxSummary = 2000;

void ValidateRecordComplaint(const v1::RecordComplaintRequest& request,
                             const ValidateContext& context, FieldErrors& errors) {
  const absl::CivilDay today = context.today;
  if (!request.has_complaint()) {
    errors.Add("complaint", "required", "is required");
    return;
  }
  const v1::Complaint& c = request.complaint();
  CheckReference("complaint.complainant_reference", c.complainant_reference(), true, errors);
  CheckId("complaint.agency", c.agency(), errors);
  if (c.agency_kind() == v1::AGENCY_KIND_UNSPECIFIED) {
    errors.Add("complaint.agency_kind", "required",
               "is required: COUNCIL, POLICE, HOUSING_PROVIDER or HEALTH");
  } else if (!v1::AgencyKind_IsValid(c.agency_kind())) {
    errors.Add("complaint.agency_kind", "known_agency", "is not a known kind of agency");
  }
  CheckReference("complaint.source_system", c.source_system(), true, errors);
  CheckReference("complaint.source_reference", c.source_reference(), true, errors);
  CheckReference("complaint.incident_reference", c.incident_reference(), false, errors);
  CheckReference("complaint.locality", c.locality(), false, errors);
  std::optional<absl::CivilDay> behaviour =
      CheckDate("complaint.behaviour_date", c.behaviour_date(), errors);
  std::optional<absl::CivilDay> reported =
      CheckDate("complaint.reported_date", c.reported_date(), errors);
  if (behaviour && reported && *reported < *behaviour) {
    errors.Add("complaint.reported_date", "date_order",
               absl::StrCat("must not be before behaviour_date (", FormatDate(c.behaviour_date()),
                            "), got ", FormatDate(c.reported_date())));
  }
  if (reported && *reported > today) {
    errors.Add("complaint.reported_date", "not_future",
               absl::StrCat("must not be in the future (today is ", FormatDate(ToCivilDate(today)),
                            ")"));
  }
  if (c.category() == v1::COMPLAINT_CATEGORY_UNSPECIFIED ||
      !v1::ComplaintCategory_IsValid(c.category())) {
    errors.Add("complaint.category", "required", "is required: PERSONAL, NUISANCE or ENVIRONMENTAL");
  }
  if (!v1::HateStrand_IsValid(c.hate_strand())) {
    errors.Add("complaint.hate_strand", "known_value", "is not a known hate strand");
  } else if (c.hate_related() && c.hate_strand() == v1::HATE_STRAND_UNSPECIFIED) {
    errors.Add("complaint.hate_strand", "required", "is required when hate_related is true");
  }
  if (!c.hate_related() && c.hate_strand() != v1::HATE_STRAND_UNSPECIFIED) {
    errors.Add("complaint.hate_strand", "consistency", "is set but hate_related is false");
  }
  if (CheckCount("complaint.perpetrator_references", c.perpetrator_references_size(),
                 kMaxPerpetrators, errors)) {
    for (int i = 0; i < c.perpetrator_references_size(); ++i) {
      CheckReference(absl::StrCat("complaint.perpetrator_references[", i, "]"),
                     c.perpetrator_references(i), true, errors);
    }
  }
  CheckText("complaint.summary", c.summary(), false, kMaxSummary, errors);
  if (!c.name().empty() || c.version() != 0 || c.notices_size() > 0 || c.has_record_time() ||
      !c.recorded_by_agency().empty()) {
    errors.Add("complaint.name", "output_only",
               "name, version, record_time, notices and recorded_by_agency are set by the "
               "server");
  }
}

void ValidateAcknowledgeNotice(const v1::AcknowledgeNoticeRequest& request, const ValidateContext&,
                               FieldErrors& errors) {
  if (request.kind() == v1::Notice::KIND_UNSPECIFIED || !v1::Notice::Kind_IsValid(request.kind())) {
    errors.Add("kind", "required", "is required: EXPLAIN_CASE_REVIEW or THRESHOLD_REACHED");
  }
  CheckText("note", request.note(), true, kMaxSummary, errors);
}

std::string SourceKeyOf(const v1::RecordComplaintRequest& request) {
  FieldErrors ignored;
  return ComplaintSourceKey(
      ParsePartnershipName("parent", request.parent(), ignored).value_or(""),
      request.complaint().source_system(), request.complaint().source_reference());
}

// Records the complaint and the notices it raises for its complainant. On a
// stream that already holds it (same source), decides nothing.
absl::Status DecideRecordComplaint(const State& state, const v1::RecordComplaintRequest& request,
                                   const DecideContext& context, Decision& out) {
  if (!state.name().empty()) return absl::OkStatus();  // already recorded from this source
  v1::ComplaintRecorded recorded;
  *recorded.mutable_complaint() = request.complaint();
  recorded.set_number(context.number);
  recorded.set_partnership(std::string(context.partnership));
  out.Emit(std::move(recorded));

  absl::StatusOr<PolicyRef> in_force = PolicyInForce(context, context.partnership);
  if (absl::IsFailedPrecondition(in_force.status())) return absl::OkStatus();  // no rules yet
  RETURN_IF_ERROR(in_force.status());
  const v1::Policy& policy = **in_force;
  if (!policy.has_case_review()) return absl::OkStatus();
  // The notices look at the window that ends on the day this one was reported.
  const absl::CivilDay reported = ToCivilDay(request.complaint().reported_date());
  const v1::ThresholdPolicy& threshold = policy.case_review().threshold();
  v1::Complaint added = request.complaint();
  added.set_name(FormatResourceName(context.partnership, kCollection, context.number));
  const v1::LedgerEntry entry = LedgerEntryOf(added);
  const std::string ledger = ComplainantLedgerPrefix(
      context.partnership, request.complaint().complainant_reference());
  const absl::CivilDay from = ThresholdWindowStart(threshold, reported);
  // A complainant with a long window has had its notices already: the
  // oldest few entries (twice what R1 needs, and two more) usually show that
  // no notice can be raised any more, and then the rest is not read.
  const int probe = 2 * std::max(2, threshold.complaint_count()) + 2;
  ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> earlier,
                   ReadLedgerWindow(context, ledger, from, reported, probe));
  if (static_cast<int>(earlier.size()) == probe) {
    if (NoNoticeCanBeRaised(threshold, earlier, entry)) return absl::OkStatus();
    ASSIGN_OR_RETURN(earlier, ReadLedgerWindow(context, ledger, from, reported));
  }
  for (v1::Notice& notice : ProactiveNotices(threshold, earlier, entry)) {
    v1::NoticeRaised raised;
    *raised.mutable_notice() = std::move(notice);
    out.Emit(std::move(raised));
  }
  return absl::OkStatus();
}

absl::Status DecideAcknowledgeNotice(const State& state, const v1::AcknowledgeNoticeRequest& request,
                                     const DecideContext& context, Decision& out) {
  for (const v1::Notice& n : state.notices()) {
    if (n.kind() == request.kind() && !n.acknowledged()) {
      v1::NoticeAcknowledged e;
      e.set_kind(request.kind());
      e.set_note(request.note());
      out.Emit(std::move(e));
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      context.stream, " has no open ", v1::Notice::Kind_Name(request.kind()), " notice"));
}

void ApplyComplaintRecorded(State& c, const v1::ComplaintRecorded& e,
                            const v1::EventEnvelope& env) {
  c = e.complaint();
  c.set_name(FormatResourceName(e.partnership(), kCollection, e.number()));
  c.set_version(env.stream_version());
  *c.mutable_record_time() = env.recorded_time();
  c.set_recorded_by_agency(env.actor().agency());
}

void ApplyNoticeRaised(State& c, const v1::NoticeRaised& e) { *c.add_notices() = e.notice(); }

void ApplyNoticeAcknowledged(State& c, const v1::NoticeAcknowledged& e,
                             const v1::EventEnvelope& env) {
  for (v1::Notice& n : *c.mutable_notices()) {
    if (n.kind() == e.kind()) {
      n.set_acknowledged(true);
      n.set_acknowledged_by(absl::StrCat(env.actor().agency(), "/", env.actor().user()));
    }
  }
}

void ComplaintRows(absl::string_view stream, const State& c, std::vector<Row>* rows) {
  if (c.name().empty()) return;
  std::optional<ResourceName> name = ResourceNameOf(c.name(), kCollection);
  if (!name) return;
  const std::string& p = name->partnership;
  const std::string n = SortableNumber(name->number);
  const v1::LedgerEntry entry = LedgerEntryOf(c);
  rows->push_back(
      {ComplaintSourceKey(p, c.source_system(), c.source_reference()), std::string(stream)});
  // By reported date: the threshold reads its window and nothing else.
  const std::string reported = FormatDate(c.reported_date());
  rows->push_back(
      MessageRow(absl::StrCat(ComplainantLedgerPrefix(p, c.complainant_reference()), reported, "/", n),
                 entry));
  if (!c.locality().empty()) {
    rows->push_back(
        MessageRow(absl::StrCat(LocalityLedgerPrefix(p, c.locality()), reported, "/", n), entry));
  }
  if (!c.incident_reference().empty()) {
    rows->push_back(
        MessageRow(absl::StrCat(IncidentLedgerPrefix(p, c.incident_reference()), n), entry));
  }
  for (const v1::Notice& notice : c.notices()) {
    if (notice.acknowledged()) continue;
    rows->push_back(MessageRow(
        absl::StrCat(OpenNoticesPrefix(p), n, "/", v1::Notice::Kind_Name(notice.kind())), notice));
  }
}

std::string StateName(const State& c) {
  return c.name().empty() ? std::string(kNewState) : "RECORDED";
}

// The complaint, and whether it was recorded before (a command that wrote
// nothing).
v1::RecordComplaintResponse ComplaintReply(const State& c, const v1::CommitInfo& commit) {
  v1::RecordComplaintResponse reply;
  *reply.mutable_complaint() = c;
  reply.set_duplicate(commit.first_position() == 0);
  *reply.mutable_commit() = commit;
  return reply;
}

}  // namespace

const Workflow& ComplaintWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"complaint", "complaints", 1, "casework.v1.ComplaintService", ""});
    d.States(StateName, {std::string(kNewState), "RECORDED"});
    // A complaint is whole once recorded: its retention runs from then.
    d.Retention([](const State& s) -> int64_t { return s.record_time().seconds(); });
    d.Transitions({
        {kNewState, kRecordComplaint.name, {"RECORDED"}},
        // The same source again: the recorded complaint, nothing written.
        {"RECORDED", kRecordComplaint.name, {"RECORDED"}},
        {"RECORDED", kAcknowledgeNotice.name, {"RECORDED"}},
    });
    d.Create(kRecordComplaint, DecideRecordComplaint, ValidateRecordComplaint)
        .NaturalKey(SourceKeyOf);
    d.Update(kAcknowledgeNotice, DecideAcknowledgeNotice, ValidateAcknowledgeNotice);
    d.Reply(ComplaintReply);
    d.On<v1::ComplaintRecorded>(ApplyComplaintRecorded);
    d.On<v1::NoticeRaised>(ApplyNoticeRaised);
    d.On<v1::NoticeAcknowledged>(ApplyNoticeAcknowledged);
    d.Rows(ComplaintRows, {"complaints", "notices"});
    // A complaint's parties: the agency it was made to, the agency that
    // recorded it (its system's retries find it again), and the partnership
    // chair. A case review shows the complaints it counted to the review's
    // parties.
    d.ReadAccess(+[](const State& c, const v1::Actor& actor) {
      return actor.agency() == c.agency() || actor.agency() == c.recorded_by_agency() ||
             actor.role() == kPartnershipChairRole;
    });
    return std::move(d).Build();
  }();
  return *workflow;
}

std::string ComplaintSourceKey(absl::string_view partnership, absl::string_view system,
                               absl::string_view reference) {
  return absl::StrCat("complaints/", partnership, "/source/", EscapeKeyPart(system), "/",
                      EscapeKeyPart(reference));
}

std::string ComplainantLedgerPrefix(absl::string_view partnership, absl::string_view complainant) {
  return absl::StrCat("complaints/", partnership, "/complainant/", EscapeKeyPart(complainant), "/");
}
std::string LocalityLedgerPrefix(absl::string_view partnership, absl::string_view locality) {
  return absl::StrCat("complaints/", partnership, "/locality/", EscapeKeyPart(locality), "/");
}
std::string IncidentLedgerPrefix(absl::string_view partnership, absl::string_view incident) {
  return absl::StrCat("complaints/", partnership, "/incident/", EscapeKeyPart(incident), "/");
}
std::string OpenNoticesPrefix(absl::string_view partnership) {
  return absl::StrCat("notices/", partnership, "/open/");
}

v1::LedgerEntry LedgerEntryOf(const v1::Complaint& c) {
  v1::LedgerEntry e;
  e.set_complaint(c.name());
  e.set_complainant_reference(c.complainant_reference());
  e.set_agency(c.agency());
  e.set_agency_kind(c.agency_kind());
  e.set_incident_reference(c.incident_reference());
  *e.mutable_behaviour_date() = c.behaviour_date();
  *e.mutable_reported_date() = c.reported_date();
  e.set_category(c.category());
  e.set_hate_related(c.hate_related());
  e.set_locality(c.locality());
  return e;
}

namespace {

absl::StatusOr<std::vector<v1::LedgerEntry>> ParseLedger(const std::vector<Row>& rows) {
  std::vector<v1::LedgerEntry> entries(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!entries[i].ParseFromString(rows[i].value)) {
      return absl::DataLossError(absl::StrCat("corrupt ledger row ", rows[i].key));
    }
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<v1::LedgerEntry>> ReadLedger(const DecideContext& context,
                                                        absl::string_view prefix) {
  if (!context.scan_rows) return absl::InternalError("decision needs scan_rows");
  ASSIGN_OR_RETURN(std::vector<Row> rows, context.scan_rows(prefix));
  return ParseLedger(rows);
}

namespace {

// Keys continue "{yyyy-mm-dd}/{n}": '~' sorts after '/', so "{day}~" sorts
// after every complaint reported on that day and before the next day's.
std::string AfterDay(absl::CivilDay day) { return absl::StrCat(FormatDate(ToCivilDate(day)), "~"); }

}  // namespace

absl::StatusOr<std::vector<v1::LedgerEntry>> ReadLedgerWindow(const DecideContext& context,
                                                              absl::string_view prefix,
                                                              absl::CivilDay from,
                                                              absl::CivilDay to, int limit) {
  if (!context.scan_range) return absl::InternalError("decision needs scan_range");
  ASSIGN_OR_RETURN(std::vector<Row> rows,
                   context.scan_range(prefix, AfterDay(from - 1), AfterDay(to), limit));
  return ParseLedger(rows);
}

LedgerWindowReader::LedgerWindowReader(const DecideContext& context, std::string prefix,
                                       absl::CivilDay from, absl::CivilDay to)
    : context_(context),
      prefix_(std::move(prefix)),
      after_(AfterDay(from - 1)),
      until_(AfterDay(to)),
      done_(to < from) {}

absl::StatusOr<std::vector<v1::LedgerEntry>> LedgerWindowReader::Next(int limit) {
  if (done_) return std::vector<v1::LedgerEntry>();
  if (!context_.scan_range) return absl::InternalError("decision needs scan_range");
  limit = std::max(1, limit);
  ASSIGN_OR_RETURN(std::vector<Row> rows, context_.scan_range(prefix_, after_, until_, limit));
  done_ = static_cast<int>(rows.size()) < limit;
  if (!rows.empty()) after_ = rows.back().key.substr(prefix_.size());
  return ParseLedger(rows);
}

}  // namespace casework::workflow::case_review
