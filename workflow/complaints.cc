#include "workflow/complaints.h"

#include "absl/strings/str_cat.h"
#include "workflow/policy_stream.h"
#include "workflow/status.h"
#include "workflow/threshold.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

constexpr absl::string_view kCollection = "complaints";

void CheckReference(absl::string_view field, absl::string_view value, bool required,
                    FieldErrors& errors) {
  if (value.empty()) {
    if (required) errors.Add(std::string(field), "required", "is required");
    return;
  }
  if (value.size() > 100) {
    errors.Add(std::string(field), "length", "must be at most 100 characters");
    return;
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      errors.Add(std::string(field), "format", "must be printable ASCII");
      return;
    }
  }
}

class ComplaintAggregateImpl final : public TypedAggregate<v1::Complaint> {
 public:
  absl::string_view Name() const override { return "complaint"; }
  int StateSchema() const override { return 1; }

 protected:
  absl::Status ApplyTyped(v1::Complaint& c, const v1::EventEnvelope& env,
                          const google::protobuf::Message& payload) const override {
    c.set_version(env.stream_version());
    absl::string_view type = ShortTypeName(payload);
    if (type == "ComplaintRecorded") {
      const auto& e = static_cast<const v1::ComplaintRecorded&>(payload);
      c = e.complaint();
      c.set_name(FormatResourceName(e.partnership(), kCollection, e.number()));
      c.set_version(env.stream_version());
      *c.mutable_record_time() = env.recorded_time();
    } else if (type == "NoticeRaised") {
      *c.add_notices() = static_cast<const v1::NoticeRaised&>(payload).notice();
    } else if (type == "NoticeAcknowledged") {
      const auto& e = static_cast<const v1::NoticeAcknowledged&>(payload);
      for (v1::Notice& n : *c.mutable_notices()) {
        if (n.kind() == e.kind()) {
          n.set_acknowledged(true);
          n.set_acknowledged_by(absl::StrCat(env.actor().agency(), "/", env.actor().user()));
        }
      }
    } else {
      return absl::InternalError(absl::StrCat("complaint stream cannot apply event type ", type));
    }
    return absl::OkStatus();
  }

  void RowsTyped(absl::string_view stream, const v1::Complaint& c,
                 std::vector<Row>* rows) const override {
    if (c.name().empty()) return;
    FieldErrors ignored;
    std::optional<ResourceName> name = ParseResourceName("name", c.name(), kCollection, ignored);
    if (!name) return;
    const std::string& p = name->partnership;
    const std::string n = SortableNumber(name->number);
    const std::string entry = LedgerEntryOf(c).SerializeAsString();
    rows->push_back({ComplaintSourceKey(p, c.source_system(), c.source_reference()),
                     std::string(stream)});
    rows->push_back({absl::StrCat(ComplainantLedgerPrefix(p, c.complainant_reference()), n), entry});
    if (!c.locality().empty()) {
      rows->push_back({absl::StrCat(LocalityLedgerPrefix(p, c.locality()), n), entry});
    }
    if (!c.incident_reference().empty()) {
      rows->push_back({absl::StrCat(IncidentLedgerPrefix(p, c.incident_reference()), n), entry});
    }
    for (const v1::Notice& notice : c.notices()) {
      if (notice.acknowledged()) continue;
      rows->push_back({absl::StrCat(OpenNoticesPrefix(p), n, "/", v1::Notice::Kind_Name(notice.kind())),
                       notice.SerializeAsString()});
    }
  }

  std::string StateNameTyped(const v1::Complaint& c) const override {
    return c.name().empty() ? "NEW" : "RECORDED";
  }
};

}  // namespace

std::string EscapeKeyPart(absl::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (char c : part) {
    if (c == '%') {
      out += "%25";
    } else if (c == '/') {
      out += "%2F";
    } else {
      out.push_back(c);
    }
  }
  return out;
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

absl::StatusOr<std::vector<v1::LedgerEntry>> ReadLedger(const DecideContext& context,
                                                        absl::string_view prefix) {
  if (!context.scan_rows) return absl::InternalError("decision needs scan_rows");
  ASSIGN_OR_RETURN(std::vector<Row> rows, context.scan_rows(prefix));
  std::vector<v1::LedgerEntry> entries(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!entries[i].ParseFromString(rows[i].value)) {
      return absl::DataLossError(absl::StrCat("corrupt ledger row ", rows[i].key));
    }
  }
  return entries;
}

absl::Status ValidateRecordComplaint(const v1::RecordComplaintRequest& request,
                                     absl::CivilDay today) {
  FieldErrors errors;
  ParsePartnershipName("parent", request.parent(), errors);
  CheckRequestId(request.request_id(), errors);
  if (!request.has_complaint()) {
    errors.Add("complaint", "required", "is required");
    return errors.ToStatus();
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
  for (int i = 0; i < c.perpetrator_references_size(); ++i) {
    CheckReference(absl::StrCat("complaint.perpetrator_references[", i, "]"),
                   c.perpetrator_references(i), true, errors);
  }
  CheckText("complaint.summary", c.summary(), false, 2000, errors);
  if (!c.name().empty() || c.version() != 0 || c.notices_size() > 0) {
    errors.Add("complaint.name", "output_only", "name, version and notices are set by the server");
  }
  return errors.ToStatus();
}

absl::Status ValidateAcknowledgeNotice(const v1::AcknowledgeNoticeRequest& request) {
  FieldErrors errors;
  ParseResourceName("name", request.name(), kCollection, errors);
  CheckRequestId(request.request_id(), errors);
  if (request.kind() == v1::Notice::KIND_UNSPECIFIED || !v1::Notice::Kind_IsValid(request.kind())) {
    errors.Add("kind", "required", "is required: EXPLAIN_CASE_REVIEW or THRESHOLD_REACHED");
  }
  CheckText("note", request.note(), true, 2000, errors);
  return errors.ToStatus();
}

absl::StatusOr<Events> DecideRecordComplaint(const v1::Complaint& state,
                                             const v1::RecordComplaintRequest& request,
                                             const DecideContext& context) {
  if (!state.name().empty()) return Events();  // already recorded from this source
  FieldErrors ignored;
  const std::string partnership = *ParsePartnershipName("parent", request.parent(), ignored);
  v1::ComplaintRecorded recorded;
  *recorded.mutable_complaint() = request.complaint();
  recorded.set_number(context.number);
  recorded.set_partnership(partnership);
  Events events = MakeEvents(recorded);

  absl::StatusOr<v1::Policy> policy = PolicyInForce(context, partnership);
  if (absl::IsFailedPrecondition(policy.status())) return events;  // no rules yet
  RETURN_IF_ERROR(policy.status());
  ASSIGN_OR_RETURN(std::vector<v1::LedgerEntry> earlier,
                   ReadLedger(context, ComplainantLedgerPrefix(
                                           partnership, request.complaint().complainant_reference())));
  v1::Complaint added = request.complaint();
  added.set_name(FormatResourceName(partnership, kCollection, context.number));
  for (v1::Notice& notice :
       ProactiveNotices(policy->case_review().threshold(), earlier, LedgerEntryOf(added))) {
    v1::NoticeRaised raised;
    *raised.mutable_notice() = std::move(notice);
    events.push_back(std::make_unique<v1::NoticeRaised>(std::move(raised)));
  }
  return events;
}

absl::StatusOr<Events> DecideAcknowledgeNotice(const v1::Complaint& state,
                                               const v1::AcknowledgeNoticeRequest& request,
                                               const DecideContext& context) {
  if (state.name().empty()) {
    return absl::NotFoundError(absl::StrCat(context.stream, " does not exist"));
  }
  for (const v1::Notice& n : state.notices()) {
    if (n.kind() == request.kind() && !n.acknowledged()) {
      v1::NoticeAcknowledged e;
      e.set_kind(request.kind());
      e.set_note(request.note());
      return MakeEvents(std::move(e));
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      context.stream, " has no open ", v1::Notice::Kind_Name(request.kind()), " notice"));
}

const TypedAggregate<v1::Complaint>& ComplaintAggregate() {
  static const ComplaintAggregateImpl* aggregate = new ComplaintAggregateImpl();
  return *aggregate;
}

}  // namespace casework::workflow
