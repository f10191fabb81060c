// Data protection: erasing a person's data and subject access requests
// (role data_protection_officer; docs/data-protection.md).
#include <memory>
#include <string>
#include <vector>

#include "casework/v1/data_protection.grpc.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/output.h"

namespace casework::cli {
namespace {

struct Person {
  std::string subject;
  std::string reference;
};

void AddPersonOptions(CLI::App* sub, Person* person) {
  sub->add_option("--subject", person->subject,
                  "complainant, representative, perpetrator or panel_subject")
      ->required();
  sub->add_option("--reference", person->reference, "Their reference, e.g. cmp-demo-3")
      ->required();
}

v1::DataSubject SubjectOf(const Person& person) {
  return static_cast<v1::DataSubject>(
      ParseEnum(v1::DataSubject_descriptor(), person.subject, "--subject"));
}

void AddErase(CLI::App* privacy, Cli& cli) {
  struct Options {
    Person person;
    std::string basis;
  };
  auto o = std::make_shared<Options>();
  CLI::App* erase = privacy->add_subcommand(
      "erase",
      "Erase a person's personal data: their key is destroyed and their fields read [erased]\n"
      "  e.g. casectl privacy erase --subject complainant --reference cmp-demo-3 "
      "--basis \"UK GDPR Art. 17(1)(a)\"");
  AddPersonOptions(erase, &o->person);
  erase->add_option("--basis", o->basis, "The legal basis, at most 500 characters")->required();
  erase->callback([&cli, o] {
    Client& client = cli.Connect();
    v1::EraseSubjectRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_subject(SubjectOf(o->person));
    request.set_reference(o->person.reference);
    request.set_legal_basis(o->basis);
    v1::Erasure erasure;
    if (!Call<v1::DataProtectionService>(cli, &v1::DataProtectionService::Stub::EraseSubject,
                                         request, &erasure)) {
      return;
    }
    if (cli.json()) return PrintJson(erasure, *cli.out);
    *cli.out << erasure.name() << ": erased (" << erasure.legal_basis() << ")\n";
  });

  CLI::App* list = privacy->add_subcommand(
      "erasures", "The partnership's erasure log\n  e.g. casectl privacy erasures");
  list->callback([&cli] {
    v1::ListErasuresRequest request;
    request.set_parent(cli.Connect().Parent());
    std::vector<v1::Erasure> erasures;
    if (!ListAll<v1::DataProtectionService>(
            cli, &v1::DataProtectionService::Stub::ListErasures, request,
            [](const v1::ListErasuresResponse& p) -> const auto& { return p.erasures(); },
            &erasures)) {
      return;
    }
    if (cli.json()) {
      for (const v1::Erasure& e : erasures) PrintJson(e, *cli.out);
      return;
    }
    Table table({"erasure", "when", "by", "what", "legal basis"});
    for (const v1::Erasure& e : erasures) {
      const std::string what =
          !e.record().empty()
              ? e.record()
              : (e.subject() != v1::DATA_SUBJECT_UNSPECIFIED
                     ? Words(v1::DataSubject_Name(e.subject()))
                     : "a key the key store had erased");
      table.Add({e.name(), FormatTime(e.erase_time()), Who(e.erased_by()), what,
                 e.legal_basis()});
    }
    table.Print(*cli.out, cli.settings.output);
  });
}

void AddSubjectAccess(CLI::App* privacy, Cli& cli) {
  struct Options {
    Person person;
    std::string received;
  };
  auto o = std::make_shared<Options>();
  CLI::App* request_cmd = privacy->add_subcommand(
      "request",
      "Record a subject access request (due in a month)\n"
      "  e.g. casectl privacy request --subject complainant --reference cmp-demo-3 "
      "--received \"letter of 2026-11-20, identity checked\"");
  AddPersonOptions(request_cmd, &o->person);
  request_cmd->add_option("--received", o->received, "How it arrived and was verified")
      ->required();
  request_cmd->callback([&cli, o] {
    Client& client = cli.Connect();
    v1::RequestSubjectAccessRequest request;
    request.set_parent(client.Parent());
    request.set_request_id(client.RequestId());
    request.set_subject(SubjectOf(o->person));
    request.set_reference(o->person.reference);
    request.set_received(o->received);
    v1::SubjectAccessRequest recorded;
    if (!Call<v1::SubjectAccessService>(
            cli, &v1::SubjectAccessService::Stub::RequestSubjectAccess, request, &recorded)) {
      return;
    }
    if (cli.json()) return PrintJson(recorded, *cli.out);
    *cli.out << recorded.name() << ": recorded, due " << FormatDate(recorded.due()) << "\n";
  });

  auto id = std::make_shared<std::string>();
  CLI::App* export_cmd = privacy->add_subcommand(
      "export",
      "What is held about the person of a request, in plain words (--json: as JSON), with "
      "everyone else's personal data redacted\n  e.g. casectl --purpose \"subject access\" "
      "privacy export 1");
  export_cmd->add_option("request", *id, "The request's number or name")->required();
  export_cmd->callback([&cli, id] {
    Client& client = cli.Connect();
    v1::ExportSubjectDataRequest request;
    request.set_name(ResourceName(client, "subjectAccessRequests", *id));
    do {
      v1::SubjectDataExport page;
      if (!Call<v1::SubjectAccessService>(
              cli, &v1::SubjectAccessService::Stub::ExportSubjectData, request, &page)) {
        return;
      }
      if (cli.json()) {
        for (const v1::ExportedRecord& r : page.records()) PrintJson(r, *cli.out);
      } else {
        *cli.out << page.text();
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
  });
}

}  // namespace

void AddPrivacyCommands(CLI::App& app, Cli& cli) {
  CLI::App* privacy = app.add_subcommand(
      "privacy", "Erasure and subject access (role data_protection_officer)");
  privacy->require_subcommand(1);
  AddErase(privacy, cli);
  AddSubjectAccess(privacy, cli);
}

}  // namespace casework::cli
