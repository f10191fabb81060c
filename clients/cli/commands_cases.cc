// complaints, notices and case reviews: what a caseworker or SPOC types.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"

namespace casework::cli {
namespace {

using Complaints = v1::ComplaintService;
using Reviews = v1::CaseReviewService;

// ---- complaints and notices ----

struct ComplaintOptions {
  std::string complainant, agency, kind, source_system = "casectl", source_ref, incident;
  std::string behaviour = "today", reported = "today", category, locality, hate, summary;
};

void PrintComplaints(Cli& cli, const std::vector<v1::Complaint>& complaints) {
  if (cli.json()) {
    for (const v1::Complaint& c : complaints) PrintJson(c, *cli.out);
    return;
  }
  Table table({"complaint", "agency", "behaviour", "reported", "category", "incident", "locality"});
  for (const v1::Complaint& c : complaints) {
    table.Add({c.name(), c.agency(), FormatDate(c.behaviour_date()), FormatDate(c.reported_date()),
               Words(v1::ComplaintCategory_Name(c.category())), c.incident_reference(),
               c.locality()});
  }
  table.Print(*cli.out, cli.settings.output);
}

void AddComplaints(CLI::App& app, Cli& cli) {
  CLI::App* complaints = app.add_subcommand("complaints", "Record and read complaints of ASB");
  complaints->require_subcommand(1);

  auto record_options = std::make_shared<ComplaintOptions>();
  CLI::App* record = complaints->add_subcommand(
      "record",
      "Record a complaint made to an agency\n"
      "  e.g. casectl complaints record --complainant cmp-1 --agency shire-police --kind police "
      "--source-ref P-1 --behaviour-date -20d --category personal");
  ComplaintOptions& o = *record_options;
  record->add_option("--complainant", o.complainant, "The complainant's reference")->required();
  record->add_option("--agency", o.agency, "The agency the complaint was made to")->required();
  record->add_option("--kind", o.kind, "The agency's kind: council, police, housing-provider, ...")
      ->required();
  record->add_option("--source-system", o.source_system, "The system it comes from")
      ->capture_default_str();
  record->add_option("--source-ref", o.source_ref, "Its reference in that system")->required();
  record->add_option("--incident", o.incident, "The incident reference (default: the source's)");
  record->add_option("--behaviour-date", o.behaviour, "When it happened: YYYY-MM-DD, today, -Nd")
      ->capture_default_str();
  record->add_option("--reported-date", o.reported, "When it was reported")->capture_default_str();
  record->add_option("--category", o.category, "personal, nuisance or environmental")->required();
  record->add_option("--locality", o.locality, "The beat or ward, e.g. mill-lane");
  record->add_option("--hate", o.hate, "A hate strand if hate-related: race, religion, ...");
  record->add_option("--summary", o.summary, "What happened, briefly");
  record->callback([&cli, record_options] {
    const ComplaintOptions& o = *record_options;
    Client& client = cli.Connect();
    v1::RecordComplaintRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    v1::Complaint& c = *request.mutable_complaint();
    c.set_complainant_reference(o.complainant);
    c.set_agency(o.agency);
    c.set_agency_kind(
        static_cast<v1::AgencyKind>(ParseEnum(v1::AgencyKind_descriptor(), o.kind, "--kind")));
    c.set_source_system(o.source_system);
    c.set_source_reference(o.source_ref);
    c.set_incident_reference(o.incident.empty() ? o.source_ref : o.incident);
    *c.mutable_behaviour_date() = ParseDate(o.behaviour, "--behaviour-date");
    *c.mutable_reported_date() = ParseDate(o.reported, "--reported-date");
    c.set_category(static_cast<v1::ComplaintCategory>(
        ParseEnum(v1::ComplaintCategory_descriptor(), o.category, "--category")));
    c.set_locality(o.locality);
    if (!o.hate.empty()) {
      c.set_hate_related(true);
      c.set_hate_strand(
          static_cast<v1::HateStrand>(ParseEnum(v1::HateStrand_descriptor(), o.hate, "--hate")));
    }
    c.set_summary(o.summary);
    v1::RecordComplaintResponse response;
    if (!Call<Complaints>(cli, &Complaints::Stub::RecordComplaint, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    *cli.out << (response.duplicate() ? "already recorded " : "recorded ")
             << response.complaint().name() << "\n";
    for (const v1::Notice& n : response.complaint().notices()) {
      *cli.out << "notice: " << Words(v1::Notice::Kind_Name(n.kind())) << ": " << n.reason()
               << "\n";
    }
  });

  auto complainant = std::make_shared<std::string>();
  CLI::App* list =
      complaints->add_subcommand("list",
                                 "A complainant's complaints, as the ledger holds them\n"
                                 "  e.g. casectl complaints list --complainant cmp-1");
  list->add_option("--complainant", *complainant, "The complainant's reference")->required();
  list->callback([&cli, complainant] {
    v1::ListComplaintsRequest request;
    request.set_parent(cli.Connect().Parent());
    request.set_complainant_reference(*complainant);
    std::vector<v1::Complaint> all;
    if (ListAll<Complaints>(
            cli, &Complaints::Stub::ListComplaints, request,
            [](const v1::ListComplaintsResponse& p) -> const auto& { return p.complaints(); },
            &all)) {
      PrintComplaints(cli, all);
    }
  });

  auto name = std::make_shared<std::string>();
  CLI::App* show =
      complaints->add_subcommand("show", "One complaint\n  e.g. casectl complaints show 3");
  show->add_option("complaint", *name, "Its number or name")->required();
  show->callback([&cli, name] {
    v1::GetComplaintRequest request;
    request.set_name(ResourceName(cli.Connect(), "complaints", *name));
    v1::Complaint complaint;
    if (!Call<Complaints>(cli, &Complaints::Stub::GetComplaint, request, &complaint)) return;
    PrintComplaints(cli, {complaint});
  });
}

void AddNotices(CLI::App& app, Cli& cli) {
  CLI::App* notices = app.add_subcommand("notices",
                                         "Notices to act on: explain or offer the "
                                         "case review");
  notices->require_subcommand(1);
  CLI::App* list = notices->add_subcommand("list", "Open notices\n  e.g. casectl notices list");
  list->callback([&cli] {
    v1::ListNoticesRequest request;
    request.set_parent(cli.Connect().Parent());
    v1::ListNoticesResponse response;
    if (!Call<Complaints>(cli, &Complaints::Stub::ListNotices, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    Table table({"complaint", "notice", "complainant", "reason"});
    for (const v1::Notice& n : response.notices()) {
      table.Add({n.complaint(), Words(v1::Notice::Kind_Name(n.kind())), n.complainant_reference(),
                 n.reason()});
    }
    table.Print(*cli.out, cli.settings.output);
  });
  auto complaint = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  CLI::App* ack = notices->add_subcommand(
      "ack",
      "Acknowledge a notice once acted on\n"
      "  e.g. casectl notices ack 4 --kind threshold-reached --note 'Told by phone'");
  ack->add_option("complaint", *complaint, "The complaint that raised it")->required();
  ack->add_option("--kind", *kind, "explain-case-review or threshold-reached")->required();
  ack->add_option("--note", *note, "What was done");
  ack->callback([&cli, complaint, kind, note] {
    Client& client = cli.Connect();
    v1::AcknowledgeNoticeRequest request;
    request.set_name(ResourceName(client, "complaints", *complaint));
    request.set_request_id(client.RequestId());
    request.set_kind(
        static_cast<v1::Notice::Kind>(ParseEnum(v1::Notice::Kind_descriptor(), *kind, "--kind")));
    request.set_note(*note);
    v1::RecordComplaintResponse response;
    if (!Call<Complaints>(cli, &Complaints::Stub::AcknowledgeNotice, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    *cli.out << "acknowledged " << *kind << " on " << request.name() << "\n";
  });
}

// ---- case reviews ----

// The review's events in plain words, oldest first.
bool PrintTimeline(Cli& cli, const std::string& name) {
  v1::ReadStreamRequest request;
  request.set_stream(name);
  Table table({"when", "who", "what"});
  do {
    v1::ReadStreamResponse page;
    if (!Call<v1::EventService>(cli, &v1::EventService::Stub::ReadStream, request, &page)) {
      return false;
    }
    for (const v1::EventEnvelope& e : page.events()) {
      table.Add({FormatTime(e.recorded_time()), Who(e.actor()), DescribeEvent(e)});
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  table.Print(*cli.out, cli.settings.output);
  return true;
}

// Case reviews, one line each (table or CSV; the caller prints JSON).
void PrintReviews(Cli& cli, const std::vector<v1::CaseReview>& reviews) {
  Table table({"case review", "state", "complainant", "received", "lead", "version"});
  for (const v1::CaseReview& r : reviews) {
    table.Add({r.name(), Words(v1::CaseReview::State_Name(r.state())),
               r.applicant().complainant_reference(), FormatDate(r.received_date()),
               r.lead_officer().empty() ? "" : r.lead_officer() + " (" + r.lead_agency() + ")",
               std::to_string(r.version())});
  }
  table.Print(*cli.out, cli.settings.output);
}

void PrintThreshold(Cli& cli, const v1::CaseReview& r) {
  const v1::ThresholdEvaluation& t = r.threshold();
  if (cli.json()) return PrintJson(t, *cli.out);
  if (cli.table()) {
    *cli.out << (t.met() ? "threshold met" : "threshold not met") << " (" << t.deciding_rule()
             << "): " << t.summary() << "\n";
    *cli.out << "window from " << FormatDate(t.window_start()) << ", evaluated "
             << FormatDate(t.evaluated_on()) << " under policy version " << t.policy_version()
             << "\n\n";
  }
  Table table({"complaint", "agency", "behaviour", "reported", "counted", "rule", "why"});
  for (const v1::ConsideredComplaint& c : t.considered()) {
    table.Add({c.complaint(), c.agency(), FormatDate(c.behaviour_date()),
               FormatDate(c.reported_date()), c.counted() ? "yes" : "no", c.rule(), c.reason()});
  }
  table.Print(*cli.out, cli.settings.output);
  if (cli.table() && t.considered_total() > t.considered_size()) {
    *cli.out << "(" << t.considered_total() - t.considered_size()
             << " more complaints considered; see complaints list)\n";
  }
}

bool GetReview(Cli& cli, const std::string& id, v1::CaseReview* review) {
  v1::GetCaseReviewRequest request;
  request.set_name(ResourceName(cli.Connect(), "caseReviews", id));
  return Call<Reviews>(cli, &Reviews::Stub::GetCaseReview, request, review);
}

// A step of `reviews advance`.
template <typename Request>
void AddStep(CLI::App* advance, Cli& cli, const std::string& name, const std::string& help,
             grpc::Status (Reviews::Stub::*method)(grpc::ClientContext*, const Request&,
                                                   v1::CaseReviewResponse*),
             std::function<void(CLI::App*, Request*)> options = nullptr) {
  static const std::map<std::string, std::string> kExampleOptions = {
      {"notify", " --channel letter"},
      {"request-info", " --agency shire-police"},
      {"record-info", " --agency shire-police --summary 'Two attendances'"},
      {"meeting", " --date today --attendee eastbrook-council --attendee shire-police"},
      {"hours", " --hours 6.5"},
      {"outcome", " --recommendation 'Joint visit@shire-police@+14d'"},
      {"override", " --reason 'Vulnerable victim'"},
      {"progress", " --recommendation 1 --note 'Visit done' --completed"},
      {"appeal", " --ground 'The case review process was not followed'"},
      {"appeal-papers", " --chair chair-01"},
      {"decide-appeal", " --reason 'The process was followed'"},
      {"close", " --reason 'Recommendations complete'"},
      {"withdraw", " --reason 'The applicant withdrew by phone'"}};
  auto example = kExampleOptions.find(name);
  cli::AddStep<Reviews, Request, v1::CaseReviewResponse>(
      advance, cli, name, help,
      "casectl reviews advance " + name + " 2" +
          (example == kExampleOptions.end() ? "" : example->second),
      "caseReviews", method, std::move(options),
      [](Cli& cli, const v1::CaseReviewResponse& r) { PrintReviews(cli, {r.case_review()}); });
}

void AddAdvance(CLI::App* reviews, Cli& cli) {
  CLI::App* advance = reviews->add_subcommand(
      "advance",
      "Take a case review to its next step (the server says which are allowed)\n"
      "  e.g. casectl reviews advance evaluate 1");
  advance->require_subcommand(1);
  using Cmd = v1::CaseReviewCommand;
  AddStep<Cmd>(advance, cli, "acknowledge", "Acknowledge the application",
               &Reviews::Stub::AcknowledgeApplication);
  AddStep<Cmd>(advance, cli, "evaluate", "Evaluate the threshold",
               &Reviews::Stub::EvaluateThreshold);
  AddStep<v1::NotifyApplicantRequest>(
      advance, cli, "notify", "Tell the applicant the threshold decision",
      &Reviews::Stub::NotifyApplicant, [](CLI::App* s, v1::NotifyApplicantRequest* r) {
        s->add_option_function<std::string>(
             "--channel", [r](const std::string& v) { r->set_channel(v); },
             "letter, email, phone, ...")
            ->required();
      });
  AddStep<v1::AssignLeadOfficerRequest>(
      advance, cli, "assign-lead", "Assign the lead officer (default: the policy's choice)",
      &Reviews::Stub::AssignLeadOfficer, [](CLI::App* s, v1::AssignLeadOfficerRequest* r) {
        s->add_option_function<std::string>(
            "--officer", [r](const std::string& v) { r->set_officer(v); },
            "An officer of the policy's pool");
      });
  auto agency_options = [](CLI::App* s, v1::AgencyInformationRequest* r) {
    s->add_option_function<std::string>(
         "--agency", [r](const std::string& v) { r->set_agency(v); }, "The agency")
        ->required();
    s->add_option_function<std::string>(
        "--summary", [r](const std::string& v) { r->set_summary(v); }, "What it said");
  };
  AddStep<v1::AgencyInformationRequest>(advance, cli, "request-info",
                                        "Ask an agency for its information",
                                        &Reviews::Stub::RequestAgencyInformation, agency_options);
  AddStep<v1::AgencyInformationRequest>(advance, cli, "record-info", "Record what an agency sent",
                                        &Reviews::Stub::RecordAgencyInformation, agency_options);
  AddStep<Cmd>(advance, cli, "invite-victim", "Invite the victim to the meeting",
               &Reviews::Stub::InviteVictim);
  AddStep<v1::RecordReviewMeetingRequest>(
      advance, cli, "meeting", "Record the review meeting", &Reviews::Stub::RecordReviewMeeting,
      [](CLI::App* s, v1::RecordReviewMeetingRequest* r) {
        s->add_option_function<std::string>(
             "--date", [r](const std::string& v) { *r->mutable_date() = ParseDate(v, "--date"); },
             "When it met")
            ->required();
        s->add_option_function<std::vector<std::string>>(
             "--attendee",
             [r](const std::vector<std::string>& v) {
               for (const std::string& a : v) r->add_attendees(a);
             },
             "An agency present (repeat)")
            ->required();
        s->add_flag_function(
            "--victim-attended", [r](int64_t n) { r->set_victim_attended(n > 0); },
            "The victim attended");
        s->add_option_function<std::string>(
            "--notes", [r](const std::string& v) { r->set_notes(v); }, "The meeting's notes");
      });
  AddStep<v1::RecordOfficerHoursRequest>(
      advance, cli, "hours", "Record officer hours spent", &Reviews::Stub::RecordOfficerHours,
      [](CLI::App* s, v1::RecordOfficerHoursRequest* r) {
        s->add_option_function<double>(
             "--hours", [r](double v) { r->set_hours(v); }, "Hours")
            ->required();
        s->add_option_function<std::string>(
            "--agency", [r](const std::string& v) { r->set_agency(v); }, "Whose officers");
      });
  AddStep<v1::RecordOutcomeRequest>(
      advance, cli, "outcome", "Record the outcome: recommendations or no further action",
      &Reviews::Stub::RecordOutcome, [](CLI::App* s, v1::RecordOutcomeRequest* r) {
        s->add_option_function<std::string>(
            "--no-further-action",
            [r](const std::string& v) { r->set_no_further_action_reason(v); },
            "Why nothing more is recommended");
        s->add_option_function<std::vector<std::string>>(
            "--recommendation",
            [r](const std::vector<std::string>& v) {
              for (const std::string& text : v) {
                // "TEXT@AGENCY@YYYY-MM-DD": what, by whom, by when.
                v1::Recommendation& rec = *r->add_recommendations();
                const size_t a = text.find('@');
                const size_t b = a == std::string::npos ? a : text.find('@', a + 1);
                rec.set_text(text.substr(0, a));
                if (a != std::string::npos) rec.set_lead_agency(text.substr(a + 1, b - a - 1));
                if (b != std::string::npos) {
                  *rec.mutable_due_date() = ParseDate(text.substr(b + 1), "--recommendation");
                }
              }
            },
            "TEXT@AGENCY@DUE (repeat)");
      });
  AddStep<Cmd>(advance, cli, "communicate", "Record that the outcome was communicated",
               &Reviews::Stub::CommunicateOutcome);
  auto reason = [](CLI::App* s, auto* r) {
    s->add_option_function<std::string>(
         "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
        ->required();
  };
  AddStep<v1::OverrideThresholdRequest>(
      advance, cli, "override", "Treat the threshold as met (a SPOC's discretion; role spoc)",
      &Reviews::Stub::OverrideThreshold,
      [reason](CLI::App* s, v1::OverrideThresholdRequest* r) { reason(s, r); });
  AddStep<v1::RecommendationProgressRequest>(
      advance, cli, "progress", "Record progress on a recommendation",
      &Reviews::Stub::RecordRecommendationProgress,
      [](CLI::App* s, v1::RecommendationProgressRequest* r) {
        s->add_option_function<int>(
             "--recommendation", [r](int v) { r->set_recommendation_id(v); }, "Its number, from 1")
            ->required();
        s->add_option_function<std::string>(
             "--note", [r](const std::string& v) { r->set_note(v); }, "What was done")
            ->required();
        s->add_flag_function(
            "--completed", [r](int64_t n) { r->set_completed(n > 0); }, "It is done");
      });
  AddStep<v1::LodgeAppealRequest>(
      advance, cli, "appeal", "Lodge the applicant's appeal", &Reviews::Stub::LodgeAppeal,
      [](CLI::App* s, v1::LodgeAppealRequest* r) {
        s->add_option_function<std::string>(
             "--ground", [r](const std::string& v) { r->set_ground(v); },
             "One of the policy's grounds")
            ->required();
        s->add_option_function<std::string>(
            "--details", [r](const std::string& v) { r->set_details(v); }, "The applicant's words");
      });
  AddStep<v1::SendAppealPapersRequest>(
      advance, cli, "appeal-papers", "Send the papers to the appeal chair",
      &Reviews::Stub::SendAppealPapers, [](CLI::App* s, v1::SendAppealPapersRequest* r) {
        s->add_option_function<std::string>(
             "--chair", [r](const std::string& v) { r->set_chair(v); }, "Who chairs the appeal")
            ->required();
      });
  AddStep<v1::DecideAppealRequest>(
      advance, cli, "decide-appeal", "Record the appeal's decision (role partnership_chair)",
      &Reviews::Stub::DecideAppeal, [](CLI::App* s, v1::DecideAppealRequest* r) {
        s->add_flag_function(
             "--upheld,!--dismissed", [r](int64_t n) { r->set_upheld(n > 0); },
             "The appeal is upheld (--dismissed: it is not); one is required")
            ->required();
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
            ->required();
        s->add_option_function<std::string>(
            "--new-lead", [r](const std::string& v) { r->set_new_lead_officer(v); },
            "Upheld: the officer who reviews it again");
      });
  AddStep<v1::CloseCaseReviewRequest>(
      advance, cli, "close", "Close the case review", &Reviews::Stub::CloseCaseReview,
      [reason](CLI::App* s, v1::CloseCaseReviewRequest* r) { reason(s, r); });
  AddStep<v1::WithdrawApplicationRequest>(
      advance, cli, "withdraw", "Record that the applicant withdrew",
      &Reviews::Stub::WithdrawApplication,
      [reason](CLI::App* s, v1::WithdrawApplicationRequest* r) { reason(s, r); });
}

void AddReviews(CLI::App& app, Cli& cli) {
  CLI::App* reviews = app.add_subcommand("reviews", "ASB case reviews (the Community Trigger)");
  reviews->require_subcommand(1);

  struct Apply {
    std::string complainant, kind = "individual", locality, category, description, received;
  };
  auto a = std::make_shared<Apply>();
  CLI::App* apply = reviews->add_subcommand(
      "apply",
      "Receive an application for a case review\n"
      "  e.g. casectl reviews apply --complainant cmp-1 --locality mill-lane "
      "--category personal --description 'Noise and threats'");
  apply->add_option("--complainant", a->complainant, "The applicant's reference")->required();
  apply->add_option("--kind", a->kind, "individual, business or community-group")
      ->capture_default_str();
  apply->add_option("--locality", a->locality, "The beat or ward");
  apply->add_option("--category", a->category, "personal, nuisance or environmental")->required();
  apply->add_option("--description", a->description, "What the application says")->required();
  apply->add_option("--received-date", a->received, "When it was received (default: today)");
  apply->callback([&cli, a] {
    Client& client = cli.Connect();
    v1::ReceiveApplicationRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    v1::Applicant& applicant = *request.mutable_applicant();
    applicant.set_kind(static_cast<v1::Applicant::Kind>(
        ParseEnum(v1::Applicant::Kind_descriptor(), a->kind, "--kind")));
    applicant.set_complainant_reference(a->complainant);
    applicant.set_locality(a->locality);
    applicant.set_category(static_cast<v1::ComplaintCategory>(
        ParseEnum(v1::ComplaintCategory_descriptor(), a->category, "--category")));
    request.set_description(a->description);
    if (!a->received.empty())
      *request.mutable_received_date() = ParseDate(a->received, "--received-date");
    v1::CaseReviewResponse response;
    if (!Call<Reviews>(cli, &Reviews::Stub::ReceiveApplication, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    PrintReviews(cli, {response.case_review()});
    *cli.out << "\n";
    PrintDeadlines(response.case_review().deadlines(), *cli.out, cli.settings.output);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show = reviews->add_subcommand(
      "show", "A case review: summary, deadlines and its timeline\n  e.g. casectl reviews show 1");
  show->add_option("review", *id, "Its number or name")->required();
  show->callback([&cli, id] {
    v1::CaseReview review;
    if (!GetReview(cli, *id, &review)) return;
    if (cli.json()) return PrintJson(review, *cli.out);
    PrintReviews(cli, {review});
    *cli.out << "\n";
    PrintDeadlines(review.deadlines(), *cli.out, cli.settings.output);
    *cli.out << "\n";
    PrintTimeline(cli, review.name());
  });

  auto threshold_id = std::make_shared<std::string>();
  CLI::App* threshold = reviews->add_subcommand("threshold",
                                                "The threshold decision, complaint by complaint\n"
                                                "  e.g. casectl reviews threshold 1");
  threshold->add_option("review", *threshold_id, "Its number or name")->required();
  threshold->callback([&cli, threshold_id] {
    v1::CaseReview review;
    if (GetReview(cli, *threshold_id, &review)) PrintThreshold(cli, review);
  });

  auto state = std::make_shared<std::string>();
  auto overdue = std::make_shared<bool>(false);
  CLI::App* list = reviews->add_subcommand(
      "list", "Case reviews of the partnership\n  e.g. casectl reviews list --state in-review");
  list->add_option("--state", *state, "Only in this state, e.g. threshold-met");
  list->add_flag("--overdue", *overdue, "Only those with a missed deadline");
  list->callback([&cli, state, overdue] {
    v1::ListCaseReviewsRequest request;
    request.set_parent(cli.Connect().Parent());
    if (!state->empty()) {
      request.set_state(static_cast<v1::CaseReview::State>(
          ParseEnum(v1::CaseReview::State_descriptor(), *state, "--state")));
    }
    request.set_overdue_only(*overdue);
    std::vector<v1::CaseReview> all;
    if (!ListAll<Reviews>(
            cli, &Reviews::Stub::ListCaseReviews, request,
            [](const v1::ListCaseReviewsResponse& p) -> const auto& { return p.case_reviews(); },
            &all)) {
      return;
    }
    if (!cli.json()) return PrintReviews(cli, all);
    for (const v1::CaseReview& r : all) PrintJson(r, *cli.out);
  });

  AddAdvance(reviews, cli);
}

}  // namespace

void AddCaseCommands(CLI::App& app, Cli& cli) {
  AddComplaints(app, cli);
  AddNotices(app, cli);
  AddReviews(app, cli);
}

}  // namespace casework::cli
