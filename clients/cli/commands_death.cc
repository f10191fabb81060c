// Domestic homicide reviews: notification, the decision, the chair and the
// panel, holds, Home Office quality assurance and publication. Reading a
// review before publication is for its panel, its chair and the roles the
// policy names; everyone else is told it does not exist.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casework/v1/death_reviews.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"

namespace casework::cli {
namespace {

using Reviews = v1::DeathReviewService;

void PrintReviews(Cli& cli, const std::vector<v1::DeathReview>& reviews) {
  if (cli.json()) {
    for (const v1::DeathReview& r : reviews) PrintJson(r, *cli.out);
    return;
  }
  Table table({"death review", "state", "victim", "notified", "chair", "version"});
  for (const v1::DeathReview& r : reviews) {
    table.Add({r.name() + (r.restricted() ? " (published summary)" : ""),
               Words(v1::DeathReview::State_Name(r.state())), r.notification().victim_pseudonym(),
               FormatDate(r.notification().date_notified()),
               r.has_chair() ? r.chair().agency() + "/" + r.chair().user() : "",
               std::to_string(r.version())});
  }
  table.Print(*cli.out, cli.settings.output);
}

// A step on one review.
template <typename Request>
void AddStep(CLI::App* parent, Cli& cli, const std::string& name, const std::string& help,
             grpc::Status (Reviews::Stub::*method)(grpc::ClientContext*, const Request&,
                                                   v1::DeathReviewResponse*),
             std::function<void(CLI::App*, Request*)> options) {
  static const std::map<std::string, std::string> kExampleOptions = {
      {"decide",
       " --commission --reason 'Meets the criteria' --home-office-notified-on today "
       "--family-notified-on today --agency shire-police"},
      {"appoint-chair", " --agency independent-reviews --user chair-01"},
      {"add-member", " --agency shire-police --user u-dci --senior --not-involved"},
      {"hold", " --reason criminal-trial --explanation 'Trial listed' --expected-resume +90d"},
      {"resume", " --note 'Verdict given'"},
      {"qa", " --outcome publish-after-revisions --area 'Family voice'"},
      {"publish", " --overview https://example.org/dhr-1 --summary https://example.org/dhr-1-es"}};
  auto example = kExampleOptions.find(name);
  cli::AddStep<Reviews, Request, v1::DeathReviewResponse>(
      parent, cli, name, help,
      "casectl --role partnership_chair death-reviews " + name + " 1" +
          (example == kExampleOptions.end() ? "" : example->second),
      "deathReviews", method, std::move(options),
      [](Cli& cli, const v1::DeathReviewResponse& r) { PrintReviews(cli, {r.death_review()}); });
}

// A date option; with `today`, the date is today unless given.
template <typename Set>
void DateOption(CLI::App* s, const std::string& flag, const std::string& help, Set set,
                bool today = false) {
  if (today) set(ParseDate("today", flag));
  s->add_option_function<std::string>(
      flag, [flag, set](const std::string& v) { set(ParseDate(v, flag)); }, help);
}

}  // namespace

void AddDeathReviewCommands(CLI::App& app, Cli& cli) {
  CLI::App* reviews = app.add_subcommand("death-reviews", "Domestic homicide reviews");
  reviews->require_subcommand(1);

  struct Notify {
    std::string agency, police_reference, died, notified = "today", relationship, pseudonym,
                                                circumstances;
    int age = 0;
    bool suicide = false;
  };
  auto o = std::make_shared<Notify>();
  CLI::App* notify = reviews->add_subcommand(
      "notify",
      "Record a death notified by the police; the criteria are evaluated\n"
      "  e.g. casectl death-reviews notify --agency shire-police --police-ref OP-1 "
      "--died -20d --age 41 --relationship current-intimate-partner --pseudonym 'Adult "
      "K'");
  notify->add_option("--agency", o->agency, "The notifying agency")->required();
  notify->add_option("--police-ref", o->police_reference, "The police operation's reference")
      ->required();
  notify->add_option("--died", o->died, "The date of death")->required();
  notify->add_option("--notified", o->notified, "When it was notified")->capture_default_str();
  notify->add_option("--age", o->age, "The victim's age at death")->required();
  notify
      ->add_option("--relationship", o->relationship,
                   "current-intimate-partner, former-intimate-partner, relative, ...")
      ->required();
  notify->add_flag("--suspected-suicide", o->suicide, "A suspected suicide after abuse");
  notify->add_option("--pseudonym", o->pseudonym, "How the review names the victim")->required();
  notify->add_option("--circumstances", o->circumstances, "What is known");
  notify->callback([&cli, o] {
    Client& client = cli.Connect();
    v1::NotifyDeathRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_notifying_agency(o->agency);
    request.set_police_reference(o->police_reference);
    *request.mutable_date_of_death() = ParseDate(o->died, "--died");
    *request.mutable_date_notified() = ParseDate(o->notified, "--notified");
    request.set_victim_age_at_death(o->age);
    request.set_relationship(static_cast<v1::PerpetratorRelationship>(
        ParseEnum(v1::PerpetratorRelationship_descriptor(), o->relationship, "--relationship")));
    request.set_suspected_suicide_after_abuse(o->suicide);
    request.set_victim_pseudonym(o->pseudonym);
    request.set_circumstances(o->circumstances);
    v1::DeathReviewResponse response;
    if (!Call<Reviews>(cli, &Reviews::Stub::NotifyDeath, request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    PrintReviews(cli, {response.death_review()});
  });

  AddStep<v1::RecordDecisionRequest>(
      reviews, cli, "decide", "Record whether a review is commissioned (role partnership_chair)",
      &Reviews::Stub::RecordDecision, [](CLI::App* s, v1::RecordDecisionRequest* r) {
        s->add_flag_function(
             "--commission,!--no-commission", [r](int64_t n) { r->set_commission(n > 0); },
             "Commission a review (--no-commission: do not); one is required")
            ->required();
        s->add_option_function<std::string>(
             "--reason", [r](const std::string& v) { r->set_reason(v); }, "Why")
            ->required();
        DateOption(
            s, "--decided-on", "When (default: today)",
            [r](v1::CivilDate d) { *r->mutable_decided_on() = d; }, true);
        DateOption(s, "--home-office-notified-on", "When the Home Office was told",
                   [r](v1::CivilDate d) { *r->mutable_home_office_notified_on() = d; });
        DateOption(s, "--family-notified-on", "When the family was told",
                   [r](v1::CivilDate d) { *r->mutable_family_notified_on() = d; });
        s->add_option_function<std::vector<std::string>>(
            "--agency",
            [r](const std::vector<std::string>& v) {
              for (const std::string& a : v) r->add_agencies_involved(a);
            },
            "An agency involved with the victim or perpetrator (repeat)");
      });
  AddStep<v1::AppointChairRequest>(
      reviews, cli, "appoint-chair", "Appoint the independent chair (role partnership_chair)",
      &Reviews::Stub::AppointChair, [](CLI::App* s, v1::AppointChairRequest* r) {
        s->add_option_function<std::string>(
             "--agency", [r](const std::string& v) { r->set_chair_agency(v); }, "Their agency")
            ->required();
        s->add_option_function<std::string>(
             "--user", [r](const std::string& v) { r->set_chair_user(v); }, "Their user id")
            ->required();
        s->add_option_function<std::vector<std::string>>(
            "--association",
            [r](const std::vector<std::string>& v) {
              for (const std::string& a : v) r->add_declared_associations(a);
            },
            "An agency they declare a past association with (repeat)");
        DateOption(
            s, "--on", "When (default: today)",
            [r](v1::CivilDate d) { *r->mutable_appointed_on() = d; }, true);
      });
  AddStep<v1::AddPanelMemberRequest>(
      reviews, cli, "add-member", "Add a panel member", &Reviews::Stub::AddPanelMember,
      [](CLI::App* s, v1::AddPanelMemberRequest* r) {
        s->add_option_function<std::string>(
             "--agency", [r](const std::string& v) { r->set_agency(v); }, "Their agency")
            ->required();
        s->add_option_function<std::string>(
             "--user", [r](const std::string& v) { r->set_user(v); }, "Their user id")
            ->required();
        s->add_option_function<std::string>(
            "--title", [r](const std::string& v) { r->set_role_title(v); }, "Their role");
        s->add_flag_function(
            "--senior", [r](int64_t n) { r->set_declared_senior(n > 0); },
            "They declare they are senior enough to commit their agency");
        s->add_flag_function(
            "--not-involved", [r](int64_t n) { r->set_declared_no_direct_involvement(n > 0); },
            "They declare no direct involvement in the case");
      });
  AddStep<v1::PlaceOnHoldRequest>(
      reviews, cli, "hold", "Put the review on hold for parallel proceedings",
      &Reviews::Stub::PlaceOnHold, [](CLI::App* s, v1::PlaceOnHoldRequest* r) {
        s->add_option_function<std::string>(
             "--reason",
             [r](const std::string& v) {
               r->set_reason(static_cast<v1::HoldReason>(
                   ParseEnum(v1::HoldReason_descriptor(), v, "--reason")));
             },
             "criminal-trial, inquest or other-proceedings")
            ->required();
        s->add_option_function<std::string>(
             "--explanation", [r](const std::string& v) { r->set_explanation(v); }, "Details")
            ->required();
        s->add_option_function<std::string>(
             "--expected-resume",
             [r](const std::string& v) {
               *r->mutable_expected_resume_on() = ParseDate(v, "--expected-resume");
             },
             "When it is expected to resume, e.g. +90d")
            ->required();
      });
  AddStep<v1::ResumeReviewRequest>(
      reviews, cli, "resume", "Resume a review on hold", &Reviews::Stub::ResumeReview,
      [](CLI::App* s, v1::ResumeReviewRequest* r) {
        s->add_option_function<std::string>(
             "--note", [r](const std::string& v) { r->set_note(v); }, "Why now")
            ->required();
      });
  AddStep<v1::SubmitToHomeOfficeRequest>(
      reviews, cli, "submit", "Submit the signed-off report to the Home Office",
      &Reviews::Stub::SubmitToHomeOffice, [](CLI::App* s, v1::SubmitToHomeOfficeRequest* r) {
        DateOption(
            s, "--on", "When (default: today)",
            [r](v1::CivilDate d) { *r->mutable_submitted_on() = d; }, true);
      });
  AddStep<v1::RecordQaOutcomeRequest>(
      reviews, cli, "qa", "Record the Home Office quality assurance panel's outcome",
      &Reviews::Stub::RecordQaOutcome, [](CLI::App* s, v1::RecordQaOutcomeRequest* r) {
        s->add_option_function<std::string>(
             "--outcome",
             [r](const std::string& v) {
               r->set_outcome(static_cast<v1::QaOutcome>(
                   ParseEnum(v1::QaOutcome_descriptor(), v, "--outcome")));
             },
             "publish, publish-after-revisions or resubmit")
            ->required();
        DateOption(
            s, "--on", "When (default: today)",
            [r](v1::CivilDate d) { *r->mutable_decided_on() = d; }, true);
        s->add_option_function<std::vector<std::string>>(
            "--area",
            [r](const std::vector<std::string>& v) {
              for (const std::string& a : v) r->add_areas(a);
            },
            "An area for final development (repeat)");
      });
  AddStep<v1::PublishReviewRequest>(
      reviews, cli, "publish", "Record the publication", &Reviews::Stub::PublishReview,
      [](CLI::App* s, v1::PublishReviewRequest* r) {
        DateOption(
            s, "--on", "When (default: today)",
            [r](v1::CivilDate d) { *r->mutable_published_on() = d; }, true);
        s->add_option_function<std::string>(
             "--overview", [r](const std::string& v) { r->set_overview_report_reference(v); },
             "Where the overview report is published")
            ->required();
        s->add_option_function<std::string>(
             "--summary", [r](const std::string& v) { r->set_executive_summary_reference(v); },
             "Where the executive summary is published")
            ->required();
      });

  auto state = std::make_shared<std::string>();
  CLI::App* list =
      reviews->add_subcommand("list",
                              "Reviews you may read; published summaries of the rest\n"
                              "  e.g. casectl --role partnership_chair death-reviews list");
  list->add_option("--state", *state, "Only in this state");
  list->callback([&cli, state] {
    v1::ListDeathReviewsRequest request;
    request.set_parent(cli.Connect().Parent());
    if (!state->empty()) {
      request.set_state(static_cast<v1::DeathReview::State>(
          ParseEnum(v1::DeathReview::State_descriptor(), *state, "--state")));
    }
    std::vector<v1::DeathReview> all;
    if (!ListAll<Reviews>(
            cli, &Reviews::Stub::ListDeathReviews, request,
            [](const v1::ListDeathReviewsResponse& p) -> const auto& { return p.death_reviews(); },
            &all)) {
      return;
    }
    PrintReviews(cli, all);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show =
      reviews->add_subcommand("show",
                              "One review and its deadlines\n"
                              "  e.g. casectl --role partnership_chair death-reviews show 1");
  show->add_option("review", *id, "Its number or name")->required();
  show->callback([&cli, id] {
    v1::GetDeathReviewRequest request;
    request.set_name(ResourceName(cli.Connect(), "deathReviews", *id));
    v1::DeathReview review;
    if (!Call<Reviews>(cli, &Reviews::Stub::GetDeathReview, request, &review)) return;
    if (cli.json()) return PrintJson(review, *cli.out);
    PrintReviews(cli, {review});
    if (!review.deadlines().empty()) {
      *cli.out << "\n";
      PrintDeadlines(review.deadlines(), *cli.out, cli.settings.output);
    }
  });
}

}  // namespace casework::cli
