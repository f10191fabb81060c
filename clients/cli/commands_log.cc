// The action log, the deadline queues, statutory figures, the event log,
// the policy and the server's health.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/deadlines.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/operations.grpc.pb.h"
#include "casework/v1/outbox.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace casework::cli {
namespace {

using Actions = v1::ActionService;

void PrintActions(Cli& cli, const std::vector<v1::Action>& actions) {
  if (cli.json()) {
    for (const v1::Action& a : actions) PrintJson(a, *cli.out);
    return;
  }
  Table table({"action", "state", "owner", "due", "notes", "title"});
  for (const v1::Action& a : actions) {
    table.Add({a.name(), Words(v1::Action::State_Name(a.state())), a.owner_agency(),
               FormatDate(a.due_date()), std::to_string(a.note_count()), a.title()});
  }
  table.Print(*cli.out, cli.settings.output);
}

void AddActions(CLI::App& app, Cli& cli) {
  CLI::App* actions = app.add_subcommand("actions", "The partnership's action log");
  actions->require_subcommand(1);

  struct ListOptions {
    std::string owner, state;
    bool overdue = false;
  };
  auto o = std::make_shared<ListOptions>();
  CLI::App* list = actions->add_subcommand(
      "list", "Actions, by owner or state\n  e.g. casectl actions list --owner shire-police");
  list->add_option("--owner", o->owner, "Only this agency's");
  list->add_option("--state", o->state, "open, completed, cancelled or on-hold");
  list->add_flag("--overdue", o->overdue, "Only overdue ones");
  list->callback([&cli, o] {
    v1::ListActionsRequest request;
    request.set_parent(cli.Connect().Parent());
    request.set_owner_agency(o->owner);
    if (!o->state.empty()) {
      request.set_state(static_cast<v1::Action::State>(
          ParseEnum(v1::Action::State_descriptor(), o->state, "--state")));
    }
    request.set_overdue_only(o->overdue);
    std::vector<v1::Action> all;
    if (!ListAll<Actions>(
            cli, &Actions::Stub::ListActions, request,
            [](const v1::ListActionsResponse& p) -> const auto& { return p.actions(); }, &all)) {
      return;
    }
    PrintActions(cli, all);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* show = actions->add_subcommand("show",
                                           "One action and its notes\n"
                                           "  e.g. casectl actions show 2");
  show->add_option("action", *id, "Its number or name")->required();
  show->callback([&cli, id] {
    v1::GetActionRequest request;
    request.set_name(ResourceName(cli.Connect(), "actions", *id));
    v1::Action action;
    if (!Call<Actions>(cli, &Actions::Stub::GetAction, request, &action)) return;
    if (cli.json()) return PrintJson(action, *cli.out);
    PrintActions(cli, {action});
    v1::ListActionNotesRequest notes;
    notes.set_name(action.name());
    Table table({"when", "who", "note"});
    do {
      v1::ListActionNotesResponse page;
      if (!Call<Actions>(cli, &Actions::Stub::ListActionNotes, notes, &page)) return;
      for (const v1::ProgressNote& n : page.notes()) {
        table.Add({FormatTime(n.time()), Who(n.author()), n.text()});
      }
      notes.set_page_token(page.next_page_token());
    } while (!notes.page_token().empty());
    if (!table.empty()) {
      *cli.out << "\n";
      table.Print(*cli.out, cli.settings.output);
    }
  });

  // Both steps carry a note; the positional name and --expected-version
  // are the shared step's.
  auto print = [](Cli& cli, const v1::ActionResponse& r) { PrintActions(cli, {r.action()}); };
  AddStep<Actions, v1::RecordProgressRequest, v1::ActionResponse>(
      actions, cli, "progress", "Add a progress note",
      "casectl actions progress 2 --note 'Visit done'", "actions", &Actions::Stub::RecordProgress,
      [](CLI::App* s, v1::RecordProgressRequest* r) {
        s->add_option_function<std::string>(
             "--note", [r](const std::string& v) { r->set_note(v); }, "What happened")
            ->required();
      },
      print);
  AddStep<Actions, v1::CompleteActionRequest, v1::ActionResponse>(
      actions, cli, "complete", "Complete an action", "casectl actions complete 2 --note 'Done'",
      "actions", &Actions::Stub::CompleteAction,
      [](CLI::App* s, v1::CompleteActionRequest* r) {
        s->add_option_function<std::string>(
             "--note", [r](const std::string& v) { r->set_note(v); }, "How it was done")
            ->required();
      },
      print);
}

void AddDeadlines(CLI::App& app, Cli& cli) {
  CLI::App* deadlines = app.add_subcommand("deadlines", "Deadlines due soon and overdue");
  deadlines->require_subcommand(1);
  for (const auto& [name, queue, help] :
       {std::tuple{"due", v1::ListDeadlinesRequest::DUE_SOON,
                   "Deadlines due within the next working days\n  e.g. casectl deadlines due"},
        std::tuple{"overdue", v1::ListDeadlinesRequest::OVERDUE,
                   "Deadlines missed and still open\n  e.g. casectl deadlines overdue"}}) {
    auto days = std::make_shared<int>(0);
    CLI::App* sub = deadlines->add_subcommand(name, help);
    if (queue == v1::ListDeadlinesRequest::DUE_SOON) {
      sub->add_option("--within", *days, "Working days ahead (default: the server's)");
    }
    sub->callback([&cli, queue = queue, days] {
      v1::ListDeadlinesRequest request;
      request.set_parent(cli.Connect().Parent());
      request.set_queue(queue);
      request.set_within_working_days(*days);
      std::vector<v1::DeadlineItem> items;
      if (!ListAll<v1::DeadlineService>(
              cli, &v1::DeadlineService::Stub::ListDeadlines, request,
              [](const v1::ListDeadlinesResponse& p) -> const auto& { return p.items(); },
              &items)) {
        return;
      }
      if (cli.json()) {
        for (const v1::DeadlineItem& item : items) PrintJson(item, *cli.out);
        return;
      }
      Table table({"case", "deadline", "due", "state"});
      for (const v1::DeadlineItem& item : items) {
        table.Add({item.stream(), item.deadline().name(), FormatDate(item.deadline().due()),
                   Words(v1::Deadline::State_Name(item.deadline().state()))});
      }
      table.Print(*cli.out, cli.settings.output);
    });
  }
}

void AddFigures(CLI::App& app, Cli& cli) {
  CLI::App* figures = app.add_subcommand("figures", "Statutory and management figures");
  figures->require_subcommand(1);
  struct Period {
    std::string from, to = "today";
    bool csv = false;
  };
  auto p = std::make_shared<Period>();
  CLI::App* reviews = figures->add_subcommand(
      "case-reviews",
      "The case review figures the Act requires published, for a period\n"
      "  e.g. casectl figures case-reviews --from 2026-04-01 --to 2027-03-31");
  reviews->add_option("--from", p->from, "First day")->required();
  reviews->add_option("--to", p->to, "Last day")->capture_default_str();
  reviews->add_flag("--csv", p->csv, "The server's CSV, as published");
  reviews->callback([&cli, p] {
    v1::GetCaseReviewFiguresRequest request;
    request.set_parent(cli.Connect().Parent());
    *request.mutable_from() = ParseDate(p->from, "--from");
    *request.mutable_to() = ParseDate(p->to, "--to");
    request.set_csv(p->csv);
    v1::CaseReviewFigures f;
    if (!Call<v1::CaseReviewService>(cli, &v1::CaseReviewService::Stub::GetCaseReviewFigures,
                                     request, &f)) {
      return;
    }
    if (p->csv) {
      *cli.out << f.csv();
      return;
    }
    if (cli.json()) return PrintJson(f, *cli.out);
    Table table({"figure", "value"});
    table.Add({"applications received", std::to_string(f.applications_received())});
    table.Add({"threshold not met", std::to_string(f.threshold_not_met())});
    table.Add({"reviews carried out", std::to_string(f.reviews_carried_out())});
    table.Add({"reviews with recommendations", std::to_string(f.reviews_with_recommendations())});
    table.Add({"withdrawn", std::to_string(f.withdrawn())});
    table.Add({"appeals received", std::to_string(f.appeals_received())});
    table.Add({"appeals upheld", std::to_string(f.appeals_upheld())});
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f", f.officer_hours_total());
    table.Add({"officer hours", hours});
    *cli.out << "from " << FormatDate(f.from()) << " to " << FormatDate(f.to()) << "\n";
    table.Print(*cli.out, cli.settings.output);
  });
}

void AddEvents(CLI::App& app, Cli& cli) {
  CLI::App* events = app.add_subcommand("events", "The partnership's event log");
  events->require_subcommand(1);
  auto from = std::make_shared<uint64_t>(1);
  auto limit = std::make_shared<int>(100);
  CLI::App* tail = events->add_subcommand("tail",
                                          "Events from a position of the global log, oldest first\n"
                                          "  e.g. casectl events tail --from 120");
  tail->add_option("--from", *from, "The first position")->capture_default_str();
  tail->add_option("--limit", *limit, "At most this many")->capture_default_str();
  tail->callback([&cli, from, limit] {
    v1::ReadLogRequest request;
    request.set_from_position(*from);
    request.set_page_size(std::min(*limit, 1000));
    v1::ReadLogResponse page;
    if (!Call<v1::EventService>(cli, &v1::EventService::Stub::ReadLog, request, &page)) return;
    if (cli.json()) {
      for (const v1::EventEnvelope& e : page.events()) PrintJson(e, *cli.out);
      return;
    }
    Table table({"position", "when", "stream", "who", "what"});
    for (const v1::EventEnvelope& e : page.events()) {
      table.Add({std::to_string(e.global_position()), FormatTime(e.recorded_time()), e.stream(),
                 Who(e.actor()), DescribeEvent(e)});
    }
    table.Print(*cli.out, cli.settings.output);
  });
}

void AddPolicy(CLI::App& app, Cli& cli) {
  CLI::App* policy = app.add_subcommand("policy", "The partnership's policy");
  policy->require_subcommand(1);
  auto version = std::make_shared<int64_t>(0);
  CLI::App* show = policy->add_subcommand(
      "show", "The policy in force, or a version\n  e.g. casectl policy show --version 2");
  show->add_option("--version", *version, "A published version (default: in force)");
  auto file = std::make_shared<std::string>();
  CLI::App* publish = policy->add_subcommand(
      "publish",
      "Publish a new version from a file (protobuf JSON of casework.v1.Policy; role "
      "admin)\n  e.g. casectl --role admin policy publish eastbrook-policy.json");
  publish->add_option("file", *file, "The policy document")->required()->check(CLI::ExistingFile);
  publish->callback([&cli, file] {
    Client& client = cli.Connect();
    std::ifstream in(*file);
    std::stringstream text;
    text << in.rdbuf();
    v1::PublishPolicyRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    if (!google::protobuf::util::JsonStringToMessage(text.str(), request.mutable_policy()).ok()) {
      throw std::invalid_argument(*file + " is not a casework.v1.Policy in JSON");
    }
    v1::Policy published;
    if (!Call<v1::PolicyService>(cli, &v1::PolicyService::Stub::PublishPolicy, request,
                                 &published)) {
      return;
    }
    if (cli.json()) return PrintJson(published, *cli.out);
    *cli.out << "published version " << published.version() << " of " << client.Parent() << "\n";
  });

  show->callback([&cli, version] {
    v1::GetPolicyRequest request;
    request.set_parent(cli.Connect().Parent());
    request.set_version(*version);
    v1::Policy p;
    if (!Call<v1::PolicyService>(cli, &v1::PolicyService::Stub::GetPolicy, request, &p)) return;
    if (!cli.table()) return PrintJson(p, *cli.out);
    std::string text;
    google::protobuf::TextFormat::PrintToString(p, &text);
    *cli.out << text;
  });
}

void AddHealth(CLI::App& app, Cli& cli) {
  CLI::App* health = app.add_subcommand("health", "Is the server serving?\n  e.g. casectl health");
  health->callback([&cli] {
    // grpc.health.v1.Health/Check, by its method name: the stubs of the
    // standard health service are not in the contract.
    Client& client = cli.Connect();
    grpc::GenericStub stub(client.Channel());
    std::unique_ptr<grpc::ClientContext> context = client.Context();
    // An empty HealthCheckRequest (no service named): the whole server.
    grpc::Slice empty("", 0);
    grpc::ByteBuffer request(&empty, 1), reply;
    grpc::CompletionQueue cq;
    grpc::Status status;
    auto call = stub.PrepareUnaryCall(context.get(), "/grpc.health.v1.Health/Check", request, &cq);
    call->StartCall();
    call->Finish(&reply, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    if (!status.ok()) {
      cli.exit = Report(status, *cli.err);
      return;
    }
    std::vector<grpc::Slice> slices;
    reply.Dump(&slices);
    std::string bytes;
    for (const grpc::Slice& s : slices)
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    // HealthCheckResponse: field 1, varint status (1 SERVING, 2 NOT_SERVING).
    const bool serving = bytes.size() >= 2 && bytes[0] == 0x08 && bytes[1] == 0x01;
    *cli.out << (serving ? "SERVING" : "NOT_SERVING") << " " << client.settings().addr << "\n";
    if (!serving) cli.exit = kUnavailable;
  });
}

// The messages between workflows waiting in the server's outbox
// (docs/deployment.md): what an operator looks at when health reports
// casework.outbox NOT_SERVING.
void AddOutbox(CLI::App& app, Cli& cli) {
  CLI::App* outbox =
      app.add_subcommand("outbox", "Links between cases waiting to be delivered (role admin)");
  outbox->require_subcommand(1);
  CLI::App* list = outbox->add_subcommand(
      "list", "Messages waiting, parked ones with the refusal\n  e.g. casectl outbox list");
  list->callback([&cli] {
    v1::ListOutboxMessagesRequest request;
    request.set_parent(cli.Connect().Parent());
    std::vector<v1::OutboxMessage> messages;
    if (!ListAll<v1::OutboxService>(
            cli, &v1::OutboxService::Stub::ListOutboxMessages, request,
            [](const v1::ListOutboxMessagesResponse& p) -> const auto& { return p.messages(); },
            &messages)) {
      return;
    }
    if (cli.json()) {
      for (const v1::OutboxMessage& m : messages) PrintJson(m, *cli.out);
      return;
    }
    Table table({"message", "route", "to", "attempts", "state", "last error"});
    for (const v1::OutboxMessage& m : messages) {
      table.Add({m.key(), m.route(), m.peer(), std::to_string(m.attempts()),
                 m.parked() ? "parked" : (m.attempts() > 0 ? "retrying" : "due"), m.last_error()});
    }
    table.Print(*cli.out, cli.settings.output);
  });
  auto key = std::make_shared<std::string>();
  CLI::App* retry = outbox->add_subcommand(
      "retry",
      "Deliver a message at the next poll (a parked one once its cause is fixed)\n"
      "  e.g. casectl outbox retry caseReviews/~referrals/eastbrook/000000000001/000000000002");
  retry->add_option("key", *key, "The message (its key, from casectl outbox list)")->required();
  retry->callback([&cli, key] {
    v1::RetryOutboxMessageRequest request;
    request.set_parent(cli.Connect().Parent());
    request.set_key(*key);
    v1::OutboxMessage message;
    if (!Call<v1::OutboxService>(cli, &v1::OutboxService::Stub::RetryOutboxMessage, request,
                                 &message)) {
      return;
    }
    if (cli.json()) {
      PrintJson(message, *cli.out);
      return;
    }
    *cli.out << message.key() << ": due at the next poll (" << message.attempts()
             << " failed attempts so far)\n";
  });
}

}  // namespace

// Online backups of the server's data directory (role admin; README,
// "Backup and restore").
void AddBackup(CLI::App& app, Cli& cli) {
  CLI::App* backup = app.add_subcommand(
      "backup", "Take an online backup of the server's data directory (role admin)\n"
                "  e.g. casectl --role admin backup");
  auto print = [&cli](const v1::Backup& b) {
    *cli.out << "backup " << b.id() << ": " << FormatTime(b.create_time()) << ", " << b.bytes()
             << " bytes in " << b.files() << " files, up to position " << b.last_position();
    if (b.has_took()) {
      *cli.out << absl::StrFormat(", taken in %.2f s",
                                  static_cast<double>(b.took().seconds()) + b.took().nanos() / 1e9);
    }
    if (b.key_store_backup_id() > 0) {
      *cli.out << ", key store backup " << b.key_store_backup_id();
    }
    *cli.out << "\n";
  };
  backup->callback([&cli, print] {
    v1::Backup taken;
    if (!Call<v1::OperationsService>(cli, &v1::OperationsService::Stub::CreateBackup,
                                     v1::CreateBackupRequest(), &taken)) {
      return;
    }
    if (cli.json()) return PrintJson(taken, *cli.out);
    print(taken);
  });
  CLI::App* list = app.add_subcommand(
      "backups", "The backups in the server's backup directory (role admin)\n"
                 "  e.g. casectl --role admin backups");
  list->callback([&cli, print] {
    v1::ListBackupsResponse listed;
    if (!Call<v1::OperationsService>(cli, &v1::OperationsService::Stub::ListBackups,
                                     v1::ListBackupsRequest(), &listed)) {
      return;
    }
    for (const v1::Backup& b : listed.backups()) {
      if (cli.json()) {
        PrintJson(b, *cli.out);
      } else {
        print(b);
      }
    }
  });
}

void AddLogCommands(CLI::App& app, Cli& cli) {
  AddActions(app, cli);
  AddDeadlines(app, cli);
  AddFigures(app, cli);
  AddEvents(app, cli);
  AddPolicy(app, cli);
  AddHealth(app, cli);
  AddOutbox(app, cli);
  AddBackup(app, cli);
}

}  // namespace casework::cli
