// High-risk case panels and their meetings: what a panel chair and the
// caseworkers of the member agencies type.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casework/v1/panels.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"

namespace casework::cli {
namespace {

using Panels = v1::PanelService;
using Meetings = v1::PanelMeetingService;

void PrintCases(Cli& cli, const std::vector<v1::PanelCase>& cases) {
  if (cli.json()) {
    for (const v1::PanelCase& c : cases) PrintJson(c, *cli.out);
    return;
  }
  Table table({"panel case", "panel", "state", "subject", "referrer", "next review", "version"});
  for (const v1::PanelCase& c : cases) {
    table.Add({c.name(), c.panel(), Words(v1::PanelCase::State_Name(c.state())),
               c.subject().display_name(), c.referrer_agency(), FormatDate(c.next_review_due()),
               std::to_string(c.version())});
  }
  table.Print(*cli.out, cli.settings.output);
}

void PrintMeeting(Cli& cli, const v1::PanelMeeting& m) {
  Table table({"meeting", "panel", "date", "state", "attendees", "version"});
  table.Add({m.name(), m.panel(), FormatDate(m.date()),
             Words(v1::PanelMeeting::State_Name(m.state())), std::to_string(m.attendees_size()),
             std::to_string(m.version())});
  table.Print(*cli.out, cli.settings.output);
}

template <typename Request>
void AddCaseStep(CLI::App* panels, Cli& cli, const std::string& name, const std::string& help,
                 grpc::Status (Panels::Stub::*method)(grpc::ClientContext*, const Request&,
                                                      v1::PanelCaseResponse*),
                 std::function<void(CLI::App*, Request*)> options) {
  static const std::map<std::string, std::string> kExampleOptions = {
      {"assess",
       " --reoffending high --harm-to-others medium --harm-to-self low --factor cuckooing "
       "--summary 'Multi-agency assessment'"},
      {"review", " --meeting partnerships/eastbrook/panelMeetings/1 --summary 'Visit agreed'"},
      {"move",
       " --meeting partnerships/eastbrook/panelMeetings/1 --to monitoring --reason 'Settled'"},
      {"stage", " --stage 'warning letter' --date today"},
      {"escalate", " --meeting partnerships/eastbrook/panelMeetings/1 --reason 'Risk to life'"},
      {"close", " --meeting partnerships/eastbrook/panelMeetings/1 --reason 'risk reduced'"},
      {"reopen", " --reason 'New incidents'"}};
  auto example = kExampleOptions.find(name);
  AddStep<Panels, Request, v1::PanelCaseResponse>(
      panels, cli, name, help,
      "casectl panels " + name + " 1" + (example == kExampleOptions.end() ? "" : example->second),
      "panelCases", method, std::move(options),
      [](Cli& cli, const v1::PanelCaseResponse& r) { PrintCases(cli, {r.panel_case()}); });
}

// --meeting (required) for a decision taken at a meeting.
template <typename Request>
void MeetingOption(CLI::App* s, Request* r) {
  s->add_option_function<std::string>(
       "--meeting", [r](const std::string& v) { r->set_meeting(v); },
       "The meeting it was decided at: its name (partnerships/.../panelMeetings/N)")
      ->required();
}

void AddPanelCases(CLI::App& app, Cli& cli) {
  CLI::App* panels = app.add_subcommand("panels", "High-risk case panels: JAG, AARG, YJAG");
  panels->require_subcommand(1);

  struct Refer {
    std::string panel, kind = "person", reference, display_name, born, locality, referrer, reason,
                       basis;
    bool consent = false;
  };
  auto o = std::make_shared<Refer>();
  CLI::App* refer = panels->add_subcommand(
      "refer",
      "Refer a subject to a panel\n"
      "  e.g. casectl panels refer --panel aarg --subject-ref subj-12 --display-name "
      "'Adult K' --born 1990-01-01 --referrer shire-police --reason 'Cuckooing' "
      "--basis safeguarding");
  refer->add_option("--panel", o->panel, "The panel's id in the policy")->required();
  refer->add_option("--subject-kind", o->kind, "person, group or location")->capture_default_str();
  refer->add_option("--subject-ref", o->reference, "The subject's reference")->required();
  refer->add_option("--display-name", o->display_name, "How the panel names the subject")
      ->required();
  refer->add_option("--born", o->born, "A person's date of birth");
  refer->add_option("--locality", o->locality, "The beat or ward");
  refer->add_option("--referrer", o->referrer, "The referring agency")->required();
  refer->add_option("--reason", o->reason, "Why")->required();
  refer
      ->add_option("--basis", o->basis,
                   "The lawful basis: consent, law-enforcement, safeguarding, vital-interests")
      ->required();
  refer->add_flag("--consent", o->consent, "The subject's consent is recorded");
  refer->callback([&cli, o] {
    Client& client = cli.Connect();
    v1::ReferCaseRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_panel(o->panel);
    v1::PanelSubject& subject = *request.mutable_subject();
    subject.set_kind(static_cast<v1::PanelSubjectKind>(
        ParseEnum(v1::PanelSubjectKind_descriptor(), "subject_" + o->kind, "--subject-kind")));
    subject.set_reference(o->reference);
    subject.set_display_name(o->display_name);
    if (!o->born.empty()) *subject.mutable_date_of_birth() = ParseDate(o->born, "--born");
    subject.set_locality(o->locality);
    request.set_referrer_agency(o->referrer);
    request.set_reason(o->reason);
    request.set_lawful_basis(
        static_cast<v1::LawfulBasis>(ParseEnum(v1::LawfulBasis_descriptor(), o->basis, "--basis")));
    request.set_consent_recorded(o->consent);
    v1::PanelCaseResponse response;
    if (!Call<Panels>(cli, &Panels::Stub::ReferCase, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    PrintCases(cli, {response.panel_case()});
  });

  AddCaseStep<v1::AssessRiskRequest>(
      panels, cli, "assess", "Assess the risk on three dimensions; the policy's table places it",
      &Panels::Stub::AssessRisk, [](CLI::App* s, v1::AssessRiskRequest* r) {
        auto level = [s](const std::string& flag, std::function<void(v1::RiskLevel)> set) {
          s->add_option_function<std::string>(
               flag,
               [flag, set](const std::string& v) {
                 set(static_cast<v1::RiskLevel>(
                     ParseEnum(v1::RiskLevel_descriptor(), "risk_" + v, flag)));
               },
               "low, medium, high or very-high")
              ->required();
        };
        level("--reoffending", [r](v1::RiskLevel l) { r->set_reoffending(l); });
        level("--harm-to-others", [r](v1::RiskLevel l) { r->set_harm_to_others(l); });
        level("--harm-to-self", [r](v1::RiskLevel l) { r->set_harm_to_self(l); });
        s->add_option_function<std::vector<std::string>>(
            "--factor",
            [r](const std::vector<std::string>& v) {
              for (const std::string& f : v) {
                r->add_factors(static_cast<v1::AggravatingFactor>(
                    ParseEnum(v1::AggravatingFactor_descriptor(), f, "--factor")));
              }
            },
            "An aggravating factor, e.g. cuckooing (repeat)");
        s->add_option_function<std::vector<std::string>>(
            "--domain",
            [r](const std::vector<std::string>& v) {
              for (const std::string& d : v) {
                r->add_domains(static_cast<v1::SafeguardingDomain>(
                    ParseEnum(v1::SafeguardingDomain_descriptor(), d, "--domain")));
              }
            },
            "Youth panels: a safeguarding domain of concern (repeat)");
        s->add_flag_function(
            "--no-domain-concerns", [r](int64_t n) { r->set_no_domain_concerns(n > 0); },
            "Youth panels: no domain of concern");
        s->add_option_function<std::string>(
             "--summary", [r](const std::string& v) { r->set_summary(v); }, "The assessment")
            ->required();
      });
  AddCaseStep<v1::ReviewCaseRequest>(
      panels, cli, "review", "Record a review of the case at a meeting", &Panels::Stub::ReviewCase,
      [](CLI::App* s, v1::ReviewCaseRequest* r) {
        MeetingOption(s, r);
        s->add_option_function<std::string>(
             "--summary", [r](const std::string& v) { r->set_summary(v); },
             "What was discussed and agreed")
            ->required();
      });
  AddCaseStep<v1::MoveCaseRequest>(
      panels, cli, "move", "Move the case between the main agenda and monitoring at a meeting",
      &Panels::Stub::MoveCase, [](CLI::App* s, v1::MoveCaseRequest* r) {
        MeetingOption(s, r);
        s->add_option_function<std::string>(
             "--to",
             [r](const std::string& v) {
               r->set_to(static_cast<v1::PanelCase::State>(
                   ParseEnum(v1::PanelCase::State_descriptor(), v, "--to")));
             },
             "main-agenda or monitoring")
            ->required();
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
            ->required();
      });
  AddCaseStep<v1::RecordStageRequest>(
      panels, cli, "stage", "Record a stage of the incremental approach",
      &Panels::Stub::RecordStage, [](CLI::App* s, v1::RecordStageRequest* r) {
        s->add_option_function<std::string>(
             "--stage", [r](const std::string& v) { r->set_stage(v); },
             "A stage of the policy, e.g. 'warning letter'")
            ->required();
        s->add_option_function<std::string>(
             "--date", [r](const std::string& v) { *r->mutable_date() = ParseDate(v, "--date"); },
             "When")
            ->required();
        s->add_option_function<std::string>(
            "--justification", [r](const std::string& v) { r->set_justification(v); },
            "Why earlier stages were skipped");
      });
  AddCaseStep<v1::EscalateCaseRequest>(
      panels, cli, "escalate", "Escalate the case to the parent panel at a meeting",
      &Panels::Stub::EscalateCase, [](CLI::App* s, v1::EscalateCaseRequest* r) {
        MeetingOption(s, r);
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
            ->required();
      });
  AddCaseStep<v1::CloseCaseRequest>(
      panels, cli, "close", "Close the case at a meeting", &Panels::Stub::CloseCase,
      [](CLI::App* s, v1::CloseCaseRequest* r) {
        MeetingOption(s, r);
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); },
             "One of the panel's closure reasons")
            ->required();
        s->add_option_function<std::string>(
            "--note", [r](const std::string& v) { r->set_note(v); }, "A note");
      });
  AddCaseStep<v1::ReopenCaseRequest>(
      panels, cli, "reopen", "Reopen a closed or declined case", &Panels::Stub::ReopenCase,
      [](CLI::App* s, v1::ReopenCaseRequest* r) {
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
            ->required();
      });

  struct ListOptions {
    std::string panel, state;
  };
  auto l = std::make_shared<ListOptions>();
  CLI::App* list = panels->add_subcommand(
      "list", "Panel cases\n  e.g. casectl panels list --panel jag --state main-agenda");
  list->add_option("--panel", l->panel, "Only this panel's");
  list->add_option("--state", l->state, "Only in this state");
  list->callback([&cli, l] {
    v1::ListPanelCasesRequest request;
    request.set_parent(cli.Connect().Parent());
    request.set_panel(l->panel);
    if (!l->state.empty()) {
      request.set_state(static_cast<v1::PanelCase::State>(
          ParseEnum(v1::PanelCase::State_descriptor(), l->state, "--state")));
    }
    std::vector<v1::PanelCase> all;
    if (!ListAll<Panels>(
            cli, &Panels::Stub::ListPanelCases, request,
            [](const v1::ListPanelCasesResponse& p) -> const auto& { return p.panel_cases(); },
            &all)) {
      return;
    }
    PrintCases(cli, all);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show = panels->add_subcommand("show",
                                          "One panel case and its latest assessment\n"
                                          "  e.g. casectl panels show 1");
  show->add_option("name", *id, "Its number or name")->required();
  show->callback([&cli, id] {
    v1::GetPanelCaseRequest request;
    request.set_name(ResourceName(cli.Connect(), "panelCases", *id));
    v1::PanelCase c;
    if (!Call<Panels>(cli, &Panels::Stub::GetPanelCase, request, &c)) return;
    if (cli.json()) return PrintJson(c, *cli.out);
    PrintCases(cli, {c});
    if (c.has_latest_assessment()) {
      const v1::RiskAssessment& a = c.latest_assessment();
      *cli.out << "\nassessed " << FormatDate(a.assessed_on()) << " by " << Who(a.assessed_by())
               << ": reoffending " << Words(v1::RiskLevel_Name(a.reoffending()))
               << ", harm to others " << Words(v1::RiskLevel_Name(a.harm_to_others()))
               << ", harm to self " << Words(v1::RiskLevel_Name(a.harm_to_self())) << "\n"
               << "placed: " << Words(v1::PanelPlacement_Name(a.placement())) << " (rule "
               << a.rule() << ": " << a.rule_description() << ")\n";
    }
  });
}

void AddMeetings(CLI::App& app, Cli& cli) {
  CLI::App* meetings = app.add_subcommand("meetings",
                                          "Panel meetings: schedule, attendance "
                                          "and quorum, agenda, minutes");
  meetings->require_subcommand(1);

  struct Schedule {
    std::string panel, date, location;
  };
  auto o = std::make_shared<Schedule>();
  CLI::App* schedule = meetings->add_subcommand(
      "schedule",
      "Schedule a meeting of a panel\n"
      "  e.g. casectl meetings schedule --panel jag --date +7d --location 'Room 2'");
  schedule->add_option("--panel", o->panel, "The panel's id")->required();
  schedule->add_option("--date", o->date, "When")->required();
  schedule->add_option("--location", o->location, "Where");
  schedule->callback([&cli, o] {
    Client& client = cli.Connect();
    v1::ScheduleMeetingRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_panel(o->panel);
    *request.mutable_date() = ParseDate(o->date, "--date");
    request.set_location(o->location);
    v1::PanelMeetingResponse response;
    if (!Call<Meetings>(cli, &Meetings::Stub::ScheduleMeeting, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    PrintMeeting(cli, response.meeting());
  });

  AddStep<Meetings, v1::RecordAttendanceRequest, v1::PanelMeetingResponse>(
      meetings, cli, "attend", "Record who attended (AGENCY:KIND[:chair], repeat --attendee)",
      "casectl meetings attend 1 --attendee shire-police:police:chair", "panelMeetings",
      &Meetings::Stub::RecordAttendance,
      [](CLI::App* s, v1::RecordAttendanceRequest* r) {
        s->add_option_function<std::vector<std::string>>(
             "--attendee",
             [r](const std::vector<std::string>& v) {
               for (const std::string& text : v) {
                 // "shire-police:police:chair"
                 const size_t a = text.find(':');
                 const size_t b = a == std::string::npos ? a : text.find(':', a + 1);
                 v1::Attendee& attendee = *r->add_attendees();
                 attendee.set_agency(text.substr(0, a));
                 if (a == std::string::npos) {
                   throw std::invalid_argument("--attendee: \"" + text +
                                               "\" needs AGENCY:KIND, e.g. shire-police:police");
                 }
                 attendee.set_agency_kind(static_cast<v1::AgencyKind>(ParseEnum(
                     v1::AgencyKind_descriptor(), text.substr(a + 1, b - a - 1), "--attendee")));
                 attendee.set_role("panel member");
                 attendee.set_chair(b != std::string::npos && text.substr(b + 1) == "chair");
               }
             },
             "AGENCY:KIND or AGENCY:KIND:chair")
            ->required();
      },
      [](Cli& cli, const v1::PanelMeetingResponse& r) { PrintMeeting(cli, r.meeting()); });
  AddStep<Meetings, v1::CloseMeetingRequest, v1::PanelMeetingResponse>(
      meetings, cli, "close", "Close the meeting with its notes", "casectl meetings close 1",
      "panelMeetings", &Meetings::Stub::CloseMeeting,
      [](CLI::App* s, v1::CloseMeetingRequest* r) {
        s->add_option_function<std::string>(
            "--notes", [r](const std::string& v) { r->set_notes(v); }, "The minutes' notes");
      },
      [](Cli& cli, const v1::PanelMeetingResponse& r) { PrintMeeting(cli, r.meeting()); });

  auto agenda_id = std::make_shared<std::string>();
  CLI::App* agenda = meetings->add_subcommand(
      "agenda", "What a meeting must discuss\n  e.g. casectl meetings agenda 1");
  agenda->add_option("name", *agenda_id, "Its number or name")->required();
  agenda->callback([&cli, agenda_id] {
    v1::GetAgendaRequest request;
    request.set_name(ResourceName(cli.Connect(), "panelMeetings", *agenda_id));
    v1::PanelAgenda a;
    if (!Call<Meetings>(cli, &Meetings::Stub::GetAgenda, request, &a)) return;
    if (cli.json()) return PrintJson(a, *cli.out);
    *cli.out << a.panel() << " on " << FormatDate(a.date()) << "\n";
    Table table({"item", "case", "subject", "state", "due"});
    auto add = [&](const char* item, const auto& items) {
      for (const v1::AgendaItem& i : items) {
        table.Add({item, i.case_name(), i.display_name(),
                   Words(v1::PanelCase::State_Name(i.state())), FormatDate(i.next_review_due())});
      }
    };
    add("new referral", a.new_referrals());
    add("escalated in", a.escalations_in());
    add("main agenda", a.main_agenda_due());
    add("monitoring", a.monitoring_due());
    for (const v1::OverdueAction& o : a.overdue_actions()) {
      table.Add(
          {"overdue action", o.action(), o.title(), o.owner_agency(), FormatDate(o.due_date())});
    }
    table.Print(*cli.out, cli.settings.output);
  });

  auto minutes_id = std::make_shared<std::string>();
  CLI::App* show = meetings->add_subcommand("show",
                                            "A meeting's minutes: quorum, decisions, new actions\n"
                                            "  e.g. casectl meetings show 1");
  show->add_option("name", *minutes_id, "Its number or name")->required();
  show->callback([&cli, minutes_id] {
    v1::GetMeetingRequest request;
    request.set_name(ResourceName(cli.Connect(), "panelMeetings", *minutes_id));
    v1::PanelMeetingMinutes m;
    if (!Call<Meetings>(cli, &Meetings::Stub::GetMeeting, request, &m)) return;
    if (cli.json()) return PrintJson(m, *cli.out);
    PrintMeeting(cli, m.meeting());
    *cli.out << (m.quorum().quorate() ? "quorate" : "not quorate: " + m.quorum().missing())
             << "\n\n";
    Table table({"case", "decision", "text"});
    for (const v1::PanelDecision& d : m.decisions()) {
      table.Add({d.case_name(), d.decision(), d.text()});
    }
    table.Print(*cli.out, cli.settings.output);
  });
}

}  // namespace

void AddPanelCommands(CLI::App& app, Cli& cli) {
  AddPanelCases(app, cli);
  AddMeetings(app, cli);
}

}  // namespace casework::cli
