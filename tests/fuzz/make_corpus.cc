// Writes the seed corpora of the fuzz targets from real messages:
//
//   fuzz_make_corpus OUT_DIR
//
// creates OUT_DIR/fuzz_requests, OUT_DIR/fuzz_policy and OUT_DIR/fuzz_calendar
// and (over)writes the seed files in them. Run by hand with OUT_DIR =
// tests/fuzz/corpus after changing a request message, a validator's rules or
// the bank-holiday data, and commit the result. The output is deterministic.
//
// Seeds meant to be valid are checked with the validators and the program
// fails if one is refused, so the corpus cannot silently rot.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/deadlines.pb.h"
#include "casework/v1/policy.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fuzz/request_kinds.h"
#include "workflow/common/validation.h"
#include "workflow/policy/document.h"
#include "workflow/registry.h"
#include "workflow/time/calendar.h"

namespace casework::fuzz {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Message;

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "fuzz_make_corpus: %s\n", message.c_str());
  std::exit(1);
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) Fail(absl::StrCat("cannot write ", path.string()));
  std::printf("%s (%zu bytes)\n", path.string().c_str(), bytes.size());
}

v1::CivilDate Date(int y, int m, int d) {
  v1::CivilDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// ---------------------------------------------------------------- requests

void SetString(Message& m, const char* field, const std::string& value) {
  const auto* f = m.GetDescriptor()->FindFieldByName(field);
  if (f != nullptr) m.GetReflection()->SetString(&m, f, value);
}

// A request of `kind` that its validator accepts.
std::unique_ptr<Message> ValidRequest(const RequestKind& kind, int index) {
  std::unique_ptr<Message> m = kind.make();
  const std::string method = kind.method;
  const bool action = index <= 7;
  const bool review = index >= 10 && index <= 28;
  SetString(*m, "request_id", absl::StrCat("seed-", index, "-", method));
  if (action) SetString(*m, "name", "partnerships/eastbrook/actions/12");
  if (review) SetString(*m, "name", "partnerships/eastbrook/caseReviews/4");
  if (const auto* f = m->GetDescriptor()->FindFieldByName("expected_version")) {
    m->GetReflection()->SetInt64(m.get(), f, 3);
  }
  // The text fields most commands need.
  SetString(*m, "note", "Visited the address with the housing officer.");
  SetString(*m, "reason", "The applicant asked for the review to be closed.");

  if (method == "CreateAction") {
    auto& r = static_cast<v1::CreateActionRequest&>(*m);
    r.set_parent("partnerships/eastbrook");
    r.set_title("Install CCTV on Mill Lane");
    r.set_owner_agency("eastbrook-council");
    *r.mutable_due_date() = Date(2027, 1, 29);
    r.set_source("Case review partnerships/eastbrook/caseReviews/4");
  } else if (method == "ChangeDueDate") {
    *static_cast<v1::ChangeDueDateRequest&>(*m).mutable_due_date() = Date(2027, 2, 26);
  } else if (method == "RecordComplaint") {
    auto& r = static_cast<v1::RecordComplaintRequest&>(*m);
    r.set_parent("partnerships/eastbrook");
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference("CMP-0042");
    c.set_agency("shire-police");
    c.set_agency_kind(v1::POLICE);
    c.set_source_system("niche-rms");
    c.set_source_reference("ASB/2026/118812");
    c.set_incident_reference("INC-77");
    *c.mutable_behaviour_date() = Date(2026, 10, 30);
    *c.mutable_reported_date() = Date(2026, 11, 2);
    c.set_category(v1::PERSONAL);
    c.set_hate_related(true);
    c.set_hate_strand(v1::DISABILITY);
    c.set_locality("mill-lane");
    c.add_perpetrator_references("PER-9");
    c.set_summary("Stones thrown at the window, verbal abuse.");
  } else if (method == "AcknowledgeNotice") {
    auto& r = static_cast<v1::AcknowledgeNoticeRequest&>(*m);
    r.set_name("partnerships/eastbrook/complaints/42");
    r.set_kind(v1::Notice::THRESHOLD_REACHED);
  } else if (method == "ReceiveApplication") {
    auto& r = static_cast<v1::ReceiveApplicationRequest&>(*m);
    r.set_parent("partnerships/eastbrook");
    v1::Applicant& a = *r.mutable_applicant();
    a.set_kind(v1::Applicant::INDIVIDUAL);
    a.set_complainant_reference("CMP-0042");
    a.set_representative_reference("REP-3");
    a.set_consent_recorded(true);
    a.set_locality("mill-lane");
    a.set_category(v1::PERSONAL);
    *r.mutable_received_date() = Date(2026, 11, 20);
    r.set_description("Three reports since May, nothing has changed.");
  } else if (method == "NotifyApplicant") {
    static_cast<v1::NotifyApplicantRequest&>(*m).set_channel("letter");
  } else if (method == "AssignLeadOfficer") {
    static_cast<v1::AssignLeadOfficerRequest&>(*m).set_officer("off-police-1");
  } else if (method == "RequestAgencyInformation" || method == "RecordAgencyInformation") {
    auto& r = static_cast<v1::AgencyInformationRequest&>(*m);
    r.set_agency("eastbrook-homes");
    r.set_summary("Two tenancy warnings issued in 2026.");
  } else if (method == "RecordReviewMeeting") {
    auto& r = static_cast<v1::RecordReviewMeetingRequest&>(*m);
    *r.mutable_date() = Date(2026, 12, 3);
    r.add_attendees("eastbrook-council");
    r.add_attendees("shire-police");
    r.set_victim_attended(true);
    r.set_notes("Agreed a multi-agency problem-solving plan.");
  } else if (method == "RecordOfficerHours") {
    auto& r = static_cast<v1::RecordOfficerHoursRequest&>(*m);
    r.set_hours(3.5);
    r.set_agency("shire-police");
  } else if (method == "RecordOutcome") {
    auto& r = static_cast<v1::RecordOutcomeRequest&>(*m);
    v1::Recommendation& rec = *r.add_recommendations();
    rec.set_id(1);
    rec.set_text("Install CCTV on Mill Lane");
    rec.set_lead_agency("eastbrook-council");
    *rec.mutable_due_date() = Date(2027, 1, 29);
  } else if (method == "LodgeAppeal") {
    auto& r = static_cast<v1::LodgeAppealRequest&>(*m);
    r.set_ground("The case review process was not followed");
    r.set_details("The victim was not invited to the meeting.");
  } else if (method == "SendAppealPapers") {
    static_cast<v1::SendAppealPapersRequest&>(*m).set_chair("pcc-office");
  } else if (method == "DecideAppeal") {
    auto& r = static_cast<v1::DecideAppealRequest&>(*m);
    r.set_upheld(true);
    r.set_new_lead_officer("off-homes-1");
  } else if (method == "RecordRecommendationProgress") {
    auto& r = static_cast<v1::RecommendationProgressRequest&>(*m);
    r.set_recommendation_id(1);
    r.set_completed(true);
  } else if (method == "PublishPolicy") {
    auto& r = static_cast<v1::PublishPolicyRequest&>(*m);
    r.set_parent("partnerships/eastbrook");
    *r.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  } else if (method == "AddHoliday") {
    auto& r = static_cast<v1::AddHolidayRequest&>(*m);
    *r.mutable_date() = Date(2027, 6, 4);
    r.set_title("Bank holiday for the Platinum Jubilee");
  }
  return m;
}

std::string Seed(int index, const Message& request) {
  return absl::StrCat(std::string(1, static_cast<char>(index)), request.SerializeAsString());
}

int IndexOf(const std::string& method) {
  const std::vector<RequestKind>& kinds = RequestKinds();
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (method == kinds[i].method) return static_cast<int>(i);
  }
  Fail(absl::StrCat("no request kind ", method));
}

void WriteRequests(const fs::path& dir) {
  const std::vector<RequestKind>& kinds = RequestKinds();
  // One valid request of every kind.
  for (size_t i = 0; i < kinds.size(); ++i) {
    const int index = static_cast<int>(i);
    std::unique_ptr<Message> request = ValidRequest(kinds[i], index);
    const absl::Status status = kinds[i].validate(*request, kFuzzToday);
    if (!status.ok()) {
      Fail(absl::StrCat("seed ", kinds[i].method, " is not valid: ", status.ToString()));
    }
    WriteFile(dir / absl::StrFormat("%02d-%s.bin", index, kinds[i].method), Seed(index, *request));
  }

  // A few refused ones, so the error paths are seeded too.
  auto invalid = [&](const std::string& method, const std::string& label, auto&& edit) {
    const int index = IndexOf(method);
    std::unique_ptr<Message> request = ValidRequest(RequestKinds()[index], index);
    edit(*request);
    if (RequestKinds()[index].validate(*request, kFuzzToday).ok()) {
      Fail(absl::StrCat("invalid seed ", label, " is accepted"));
    }
    WriteFile(dir / absl::StrFormat("bad-%s.bin", label), Seed(index, *request));
  };
  invalid("CreateAction", "create-action-dates-and-ids", [](Message& m) {
    auto& r = static_cast<v1::CreateActionRequest&>(m);
    *r.mutable_due_date() = Date(2023, 2, 30);
    r.set_owner_agency("Eastbrook Council");
    r.set_parent("partnerships/");
    r.set_request_id("has spaces");
  });
  invalid("RecordProgress", "record-progress-name", [](Message& m) {
    auto& r = static_cast<v1::RecordProgressRequest&>(m);
    r.set_name("partnerships/eastbrook/actions/012");
    r.set_expected_version(-1);
    r.clear_note();
  });
  invalid("RecordComplaint", "record-complaint-dates", [](Message& m) {
    v1::Complaint& c = *static_cast<v1::RecordComplaintRequest&>(m).mutable_complaint();
    *c.mutable_behaviour_date() = Date(2026, 12, 5);
    *c.mutable_reported_date() = Date(2026, 12, 1);
    c.set_hate_related(false);
    c.set_agency_kind(static_cast<v1::AgencyKind>(9));
    c.set_name("partnerships/eastbrook/complaints/1");
  });
  invalid("ReceiveApplication", "receive-application-anonymous", [](Message& m) {
    auto& r = static_cast<v1::ReceiveApplicationRequest&>(m);
    r.mutable_applicant()->clear_complainant_reference();
    r.mutable_applicant()->set_consent_recorded(false);
    *r.mutable_received_date() = Date(2026, 11, 22);
  });
  invalid("RecordOutcome", "record-outcome-exclusive", [](Message& m) {
    auto& r = static_cast<v1::RecordOutcomeRequest&>(m);
    r.set_no_further_action_reason("Nothing more to do.");
    r.mutable_recommendations(0)->mutable_due_date()->set_year(3000);
  });
  invalid("RecordOfficerHours", "record-officer-hours-range", [](Message& m) {
    static_cast<v1::RecordOfficerHoursRequest&>(m).set_hours(201);
  });
  invalid("AddHoliday", "add-holiday-lengths", [](Message& m) {
    auto& r = static_cast<v1::AddHolidayRequest&>(m);
    r.set_request_id(std::string(129, 'r'));
    r.set_title(std::string(201, 't'));
    r.clear_date();
  });
  invalid("PublishPolicy", "publish-policy-over-cap", [](Message& m) {
    auto& r = static_cast<v1::PublishPolicyRequest&>(m);
    r.mutable_policy()->mutable_case_review()->mutable_threshold()->set_complaint_count(4);
    r.mutable_policy()->mutable_case_review()->mutable_timescales()->set_acknowledge("5 days");
  });
}

// ------------------------------------------------------------------ policy

std::string ToJson(const Message& m, bool snake_case = false) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = snake_case;
  options.preserve_proto_field_names = snake_case;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(m, &json, options).ok()) Fail("to JSON");
  return json;
}

void WritePolicies(const fs::path& dir) {
  const v1::Policy llr = workflow::LlrDefaultPolicy("eastbrook");
  auto write = [&](const std::string& name, const v1::Policy& policy, bool valid) {
    if (workflow::ValidatePolicy(policy, workflow::Workflows()).ok() != valid) {
      Fail(absl::StrCat("policy seed ", name, valid ? " is refused" : " is accepted"));
    }
    WriteFile(dir / name, absl::EndsWith(name, ".pb") ? policy.SerializeAsString()
                                                       : ToJson(policy, absl::StrContains(name, "snake")));
  };

  write("llr-default.json", llr, true);
  write("llr-default-snake-case.json", llr, true);
  write("llr-default-westvale.pb", workflow::LlrDefaultPolicy("westvale"), true);

  v1::Policy weeks = llr;
  {
    v1::ThresholdPolicy& t = *weeks.mutable_case_review()->mutable_threshold();
    t.set_window("26 weeks");
    t.set_report_within("30 calendar days");
    t.clear_relevant_agencies();
    t.add_relevant_agencies(v1::POLICE);
    t.add_relevant_agencies(v1::COUNCIL);
    t.set_complaint_count(2);
    t.mutable_community()->set_enabled(false);
    t.mutable_same_incident()->set_enabled(true);
    t.mutable_same_incident()->set_min_complainants(2);
    v1::CaseReviewTimescales& s = *weeks.mutable_case_review()->mutable_timescales();
    s.set_acknowledge("2 Weeks");
    s.set_threshold_decision("  28   calendar days ");
    s.set_appeal_window("1 calendar month");
    weeks.mutable_case_review()->mutable_appeal()->set_enabled(false);
    weeks.mutable_case_review()->mutable_appeal()->clear_grounds();
  }
  write("weeks-and-same-incident.json", weeks, true);
  write("weeks-and-same-incident.pb", weeks, true);

  v1::Policy over_cap = llr;
  over_cap.mutable_case_review()->mutable_threshold()->set_complaint_count(4);
  over_cap.mutable_case_review()->mutable_threshold()->mutable_community()->set_min_complainants(1);
  write("bad-over-statutory-cap.json", over_cap, false);

  v1::Policy working_window = llr;
  working_window.mutable_case_review()->mutable_threshold()->set_window("120 working days");
  working_window.mutable_case_review()->mutable_timescales()->set_review_meeting("0 working days");
  working_window.mutable_case_review()->mutable_timescales()->clear_outcome_letter();
  write("bad-rules.json", working_window, false);

  v1::Policy duplicates = llr;
  {
    v1::CaseReviewPolicy& r = *duplicates.mutable_case_review();
    r.mutable_threshold()->add_relevant_agencies(v1::POLICE);
    r.mutable_threshold()->add_relevant_agencies(v1::AGENCY_KIND_UNSPECIFIED);
    *r.add_officers() = r.officers(0);
    r.mutable_officers(1)->set_id("Not An Id");
    for (v1::ReviewOfficer& o : *r.mutable_officers()) o.set_trained(false);
    r.mutable_appeal()->add_grounds(r.appeal().grounds(0));
    r.mutable_appeal()->add_grounds("");
    duplicates.set_title(std::string(201, 'T'));
  }
  write("bad-duplicates-and-officers.json", duplicates, false);
  write("bad-duplicates-and-officers.pb", duplicates, false);

  const std::string llr_json = ToJson(llr);
  WriteFile(dir / "broken-truncated.json", llr_json.substr(0, llr_json.size() / 2));
  WriteFile(dir / "broken-wrong-types.json",
            R"({"title": 7, "caseReview": {"threshold": {"complaintCount": "three", )"
            R"("relevantAgencies": ["POLICE", "SPACE_POLICE"]}, "officers": {}}})");
  WriteFile(dir / "broken-unknown-field.json", R"({"title": "x", "colour": "red"})");
  WriteFile(dir / "empty-object.json", "{}");
}

// ---------------------------------------------------------------- calendar

std::string Event(const std::string& title, const std::string& date,
                  const std::string& extra = R"("notes": "", "bunting": true)") {
  return absl::StrCat(R"({"title": ")", title, R"(", "date": ")", date, R"(", )", extra, "}");
}

std::string Feed(const std::vector<std::string>& events) {
  return absl::StrCat(R"({"england-and-wales": {"division": "england-and-wales", "events": [)",
                      absl::StrJoin(events, ", "), "]}}\n");
}

void WriteCalendars(const fs::path& dir) {
  const std::string_view real = workflow::BundledBankHolidaysJson();
  WriteFile(dir / "bank-holidays.json", real);

  // The real feed trimmed to 2024-2025, with the other divisions present.
  google::protobuf::Struct root;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(real.data(), real.size()), &root)
           .ok()) {
    Fail("bundled bank holidays do not parse");
  }
  // (Rebuilt event by event: printing a Struct has no stable key order.)
  std::vector<std::string> kept;
  for (const google::protobuf::Value& e : root.fields()
                                              .at("england-and-wales")
                                              .struct_value()
                                              .fields()
                                              .at("events")
                                              .list_value()
                                              .values()) {
    const auto& f = e.struct_value().fields();
    const std::string& date = f.at("date").string_value();
    if (!absl::StartsWith(date, "2024-") && !absl::StartsWith(date, "2025-")) continue;
    kept.push_back(Event(f.at("title").string_value(), date,
                         absl::StrCat(R"("notes": ")", f.at("notes").string_value(),
                                      R"(", "bunting": )",
                                      f.at("bunting").bool_value() ? "true" : "false")));
  }
  std::string trimmed = Feed(kept);
  trimmed.insert(trimmed.size() - 2, R"(, "scotland": {"division": "scotland", "events": []})");
  WriteFile(dir / "trimmed-2024-2025.json", trimmed);

  // One year, leaving out Good Friday and Christmas Day (filled in).
  WriteFile(dir / "one-year-2026.json",
            Feed({Event("New Year's Day", "2026-01-01"), Event("Easter Monday", "2026-04-06"),
                  Event("Boxing Day", "2026-12-28", R"("notes": "Substitute day")")}));
  // A proclaimed day on a Saturday and a Christmas moved by substitution.
  WriteFile(dir / "weekend-and-substitute.json",
            Feed({Event("Coronation", "2022-12-24"), Event("Christmas Day", "2022-12-27"),
                  Event("Boxing Day", "2022-12-26", R"("bunting": false)")}));
  // The edges of the supported years.
  WriteFile(dir / "edge-years.json",
            Feed({Event("Good Friday", "1583-04-08"), Event("Boxing Day", "1584-12-26"),
                  Event("New Year's Day", "1585-01-01")}));
  WriteFile(dir / "last-year.json", Feed({Event("Boxing Day", "9999-12-27")}));

  const std::string full_2024 = absl::StrCat(Event("New Year's Day", "2024-01-01"));
  WriteFile(dir / "bad-missing-year.json",
            Feed({full_2024, Event("New Year's Day", "2026-01-01")}));
  WriteFile(dir / "bad-duplicate-date.json",
            Feed({full_2024, Event("Another", "2024-01-01")}));
  WriteFile(dir / "bad-invalid-date.json", Feed({Event("Leap", "2023-02-30")}));
  WriteFile(dir / "bad-year-1582.json", Feed({Event("Old", "1582-12-25")}));
  WriteFile(dir / "bad-wrong-types.json",
            Feed({R"({"title": "Numbers", "date": 20240101, "bunting": "yes"})"}));
  WriteFile(dir / "bad-empty-events.json", Feed({}));
  WriteFile(dir / "bad-not-an-object.json", "[1, 2, 3]\n");
  WriteFile(dir / "bad-truncated.json", real.substr(0, 700));
}

}  // namespace
}  // namespace casework::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR (normally tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const fs::path requests = out / "fuzz_requests";
  const fs::path policy = out / "fuzz_policy";
  const fs::path calendar = out / "fuzz_calendar";
  for (const fs::path& dir : {requests, policy, calendar}) fs::create_directories(dir);
  casework::fuzz::WriteRequests(requests);
  casework::fuzz::WritePolicies(policy);
  casework::fuzz::WriteCalendars(calendar);
  return 0;
}
