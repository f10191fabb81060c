// The retention schedule: cases due for review, and decisions to retain or
// delete them (role data_protection_officer; docs/data-protection.md).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "casework/v1/retention.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"

namespace casework::cli {
namespace {

// "actions/3" under the partnership, or a full name as it is.
std::string CaseName(Client& client, const std::string& text) {
  return absl::StartsWith(text, "partnerships/") ? text : absl::StrCat(client.Parent(), "/", text);
}

void PrintReview(Cli& cli, const v1::RetentionReview& review) {
  if (cli.json()) return PrintJson(review, *cli.out);
  *cli.out << review.name() << ": " << review.case_name() << " "
           << (review.decision() == v1::RetentionReview::RETAIN ? "retained" : "deleted");
  if (review.decision() == v1::RetentionReview::RETAIN) {
    *cli.out << " until its review on " << FormatDate(review.next_review_date());
  }
  *cli.out << "\n";
  for (const v1::Erasure& e : review.erasures()) {
    *cli.out << "  erased: "
             << (e.record().empty() ? Words(v1::DataSubject_Name(e.subject()))
                                    : "the case's own data")
             << "\n";
  }
  for (const v1::KeptPerson& k : review.kept()) {
    *cli.out << "  kept: " << Words(v1::DataSubject_Name(k.subject())) << ", also in "
             << absl::StrJoin(k.also_in(), ", ") << "\n";
  }
}

void AddDue(CLI::App* retention, Cli& cli) {
  auto as_of = std::make_shared<std::string>();
  CLI::App* due = retention->add_subcommand(
      "due", "Closed cases due for their retention review\n  e.g. casectl retention due");
  due->add_option("--as-of", *as_of, "The day to list for (YYYY-MM-DD); default today");
  due->callback([&cli, as_of] {
    v1::ListDueForReviewRequest request;
    request.set_parent(cli.Connect().Parent());
    if (!as_of->empty()) *request.mutable_as_of() = ParseDate(*as_of, "--as-of");
    std::vector<v1::DueCase> cases;
    if (!ListAll<v1::RetentionService>(
            cli, &v1::RetentionService::Stub::ListDueForReview, request,
            [](const v1::ListDueForReviewResponse& p) -> const auto& { return p.cases(); },
            &cases)) {
      return;
    }
    if (cli.json()) {
      for (const v1::DueCase& c : cases) PrintJson(c, *cli.out);
      return;
    }
    Table table({"case", "type", "closed", "due", "last review"});
    for (const v1::DueCase& c : cases) {
      table.Add({c.case_name(), Words(c.case_type()), FormatTime(c.close_time()),
                 FormatDate(c.due_date()), c.last_review()});
    }
    table.Print(*cli.out, cli.settings.output);
  });
}

void AddDecisions(CLI::App* retention, Cli& cli) {
  struct Options {
    std::string case_name;
    std::string reason;
    std::string next_review;
  };
  auto decide = [&cli](const Options& o, v1::RetentionReview::Decision decision) {
    Client& client = cli.Connect();
    v1::DecideRetentionRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_case_name(CaseName(client, o.case_name));
    request.set_decision(decision);
    request.set_reason(o.reason);
    if (!o.next_review.empty()) {
      *request.mutable_next_review_date() = ParseDate(o.next_review, "--next-review");
    }
    v1::RetentionReview review;
    if (!Call<v1::RetentionService>(cli, &v1::RetentionService::Stub::DecideRetention, request,
                                    &review)) {
      return;
    }
    PrintReview(cli, review);
  };

  auto retain_options = std::make_shared<Options>();
  CLI::App* retain = retention->add_subcommand(
      "retain",
      "Keep a case due for review until a next review\n  e.g. casectl retention retain "
      "actions/3 --next-review 2028-01-31 --reason \"Injunction still in force\"");
  retain->add_option("case", retain_options->case_name, "The case, e.g. actions/3")->required();
  retain->add_option("--next-review", retain_options->next_review, "YYYY-MM-DD")->required();
  retain->add_option("--reason", retain_options->reason, "Why, at most 500 characters")
      ->required();
  retain->callback([decide, retain_options] { decide(*retain_options, v1::RetentionReview::RETAIN); });

  auto delete_options = std::make_shared<Options>();
  CLI::App* del = retention->add_subcommand(
      "delete",
      "Delete a case due for review: its own data and the people in no other retained case are "
      "erased\n  e.g. casectl retention delete complaints/2 --reason \"Period over\"");
  del->add_option("case", delete_options->case_name, "The case, e.g. complaints/2")->required();
  del->add_option("--reason", delete_options->reason, "Why, at most 500 characters")->required();
  del->callback([decide, delete_options] { decide(*delete_options, v1::RetentionReview::DELETE); });

  auto filter = std::make_shared<std::string>();
  CLI::App* reviews = retention->add_subcommand(
      "reviews", "Every retention decision, or one case's\n  e.g. casectl retention reviews");
  reviews->add_option("case", *filter, "Only this case's, e.g. actions/3");
  reviews->callback([&cli, filter] {
    Client& client = cli.Connect();
    v1::ListRetentionReviewsRequest request;
    request.set_parent(client.Parent());
    if (!filter->empty()) request.set_case_name(CaseName(client, *filter));
    std::vector<v1::RetentionReview> all;
    if (!ListAll<v1::RetentionService>(
            cli, &v1::RetentionService::Stub::ListRetentionReviews, request,
            [](const v1::ListRetentionReviewsResponse& p) -> const auto& { return p.reviews(); },
            &all)) {
      return;
    }
    if (cli.json()) {
      for (const v1::RetentionReview& r : all) PrintJson(r, *cli.out);
      return;
    }
    Table table({"review", "case", "decision", "when", "by", "next review"});
    for (const v1::RetentionReview& r : all) {
      table.Add({r.name(), r.case_name(), Words(v1::RetentionReview::Decision_Name(r.decision())),
                 FormatTime(r.decide_time()), Who(r.decided_by()),
                 r.has_next_review_date() ? FormatDate(r.next_review_date()) : ""});
    }
    table.Print(*cli.out, cli.settings.output);
  });
}

}  // namespace

void AddRetentionCommands(CLI::App& app, Cli& cli) {
  CLI::App* retention = app.add_subcommand(
      "retention", "The retention schedule: cases due for review, retain or delete them "
                   "(role data_protection_officer)");
  retention->require_subcommand(1);
  AddDue(retention, cli);
  AddDecisions(retention, cli);
}

}  // namespace casework::cli
