// casectl as its users run it: a process against the real caseworkd (the
// README's run command: a data directory and the demo partnership), the
// README's tour step by step, errors in plain words with their exit codes,
// JSON that parses and CSV with a header.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "casework/v1/complaints.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::cli {
namespace {

using ::casework::services::hardening::RunningCaseworkd;
using ::testing::HasSubstr;
using ::testing::Not;

struct Ran {
  int code = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Quoted(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class CasectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RunningCaseworkd>(std::vector<std::string>{
        "--data_dir=" + dir_.Sub("data"), "--listen=127.0.0.1:0", "--demo", "--request_log=false",
        "--master_key_file=" + casework::testing::EnsureMasterKeyFile(dir_.Sub("master.key"))});
    ASSERT_GT(server_->port(), 0);
    // It serves while the demo loads: wait for the whole partnership.
    ASSERT_THAT(server_->AwaitLine("demo partnership"), HasSubstr("loaded"));
  }

  // casectl `args` against the test's server (unless `args` name another),
  // as a caseworker of the council.
  Ran Casectl(const std::vector<std::string>& args, bool to_server = true) {
    // No config file of the machine's user: only what the test says.
    std::string command = absl::StrCat("XDG_CONFIG_HOME=", dir_.Sub("config"), " ", CASECTL_PATH);
    if (to_server) absl::StrAppend(&command, " --addr=127.0.0.1:", server_->port());
    for (const std::string& a : args) command += " " + Quoted(a);
    const std::string out = dir_.Sub("out"), err = dir_.Sub("err");
    command += " >" + out + " 2>" + err;
    const int status = std::system(command.c_str());
    Ran ran;
    ran.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ran.out = ReadFile(out);
    ran.err = ReadFile(err);
    return ran;
  }

  // Runs a command that must succeed; its output.
  std::string Ok(const std::vector<std::string>& args) {
    Ran ran = Casectl(args);
    EXPECT_EQ(ran.code, 0) << absl::StrJoin(args, " ") << "\n" << ran.err;
    return ran.out;
  }

  casework::testing::TempDir dir_;
  std::unique_ptr<RunningCaseworkd> server_;
};

// The number of the case review a command's output names.
std::string ReviewNumber(const std::string& out) {
  std::smatch match;
  if (!std::regex_search(out, match, std::regex("partnerships/eastbrook/caseReviews/([0-9]+)"))) {
    return "";
  }
  return match[1];
}

TEST_F(CasectlTest, TheReadmeTourTakesAComplainantToTheFigures) {
  EXPECT_THAT(Ok({"health"}), HasSubstr("SERVING"));
  // Three complaints to three agencies in the last six weeks.
  EXPECT_THAT(Ok({"complaints", "record", "--complainant", "cmp-tour", "--agency", "shire-police",
                  "--kind", "police", "--source-ref", "TOUR-1", "--behaviour-date", "-40d",
                  "--reported-date", "-39d", "--category", "personal", "--locality", "mill-lane"}),
              HasSubstr("recorded partnerships/eastbrook/complaints/"));
  Ok({"complaints", "record", "--complainant", "cmp-tour", "--agency", "eastbrook-council",
      "--kind", "council", "--source-ref", "TOUR-2", "--behaviour-date", "-20d", "--reported-date",
      "-19d", "--category", "personal", "--locality", "mill-lane"});
  const std::string third =
      Ok({"complaints", "record", "--complainant", "cmp-tour", "--agency", "eastbrook-homes",
          "--kind", "housing-provider", "--source-ref", "TOUR-3", "--behaviour-date", "-5d",
          "--reported-date", "-4d", "--category", "personal", "--locality", "mill-lane"});
  // The third reaches the threshold: the intake says so.
  EXPECT_THAT(third, HasSubstr("notice: threshold reached"));
  const std::string ledger = Ok({"complaints", "list", "--complainant", "cmp-tour"});
  EXPECT_EQ(std::count(ledger.begin(), ledger.end(), '\n'), 4) << ledger;  // header + 3

  const std::string applied =
      Ok({"reviews", "apply", "--complainant", "cmp-tour", "--locality", "mill-lane", "--category",
          "personal", "--description", "Noise and threats from a neighbour"});
  const std::string review = ReviewNumber(applied);
  ASSERT_FALSE(review.empty()) << applied;
  EXPECT_THAT(applied, HasSubstr("received"));
  EXPECT_THAT(applied, HasSubstr("acknowledge"));
  EXPECT_THAT(applied, HasSubstr("threshold_decision"));

  EXPECT_THAT(Ok({"reviews", "advance", "evaluate", review}), HasSubstr("threshold met"));
  const std::string threshold = Ok({"reviews", "threshold", review});
  EXPECT_THAT(threshold, HasSubstr("threshold met (R1_COMPLAINTS)"));
  // Three counted complaints, one row each.
  int counted = 0;
  for (absl::string_view line : absl::StrSplit(threshold, '\n')) {
    if (absl::StrContains(line, "  yes  ")) ++counted;
  }
  EXPECT_EQ(counted, 3) << threshold;

  EXPECT_THAT(Ok({"reviews", "advance", "assign-lead", review}), HasSubstr("in review"));
  Ok({"reviews", "advance", "request-info", review, "--agency", "shire-police"});
  Ok({"reviews", "advance", "record-info", review, "--agency", "shire-police", "--summary",
      "Two attendances, one warning"});
  Ok({"reviews", "advance", "meeting", review, "--date", "today", "--attendee", "eastbrook-council",
      "--attendee", "shire-police"});
  Ok({"reviews", "advance", "outcome", review, "--recommendation",
      "Joint visit by police and housing@shire-police@+14d"});
  EXPECT_THAT(Ok({"reviews", "advance", "communicate", review}), HasSubstr("outcome communicated"));

  const std::string shown = Ok({"reviews", "show", review});
  EXPECT_THAT(shown, HasSubstr("application received"));
  EXPECT_THAT(shown, HasSubstr("threshold evaluated"));
  EXPECT_THAT(shown, HasSubstr("eastbrook-council/"));

  const std::string figures = Ok({"figures", "case-reviews", "--from", "-3d", "--to", "today"});
  EXPECT_THAT(figures, HasSubstr("applications received         1"));
  EXPECT_THAT(figures, HasSubstr("reviews with recommendations  1"));

  // The applicant appeals; only the partnership chair decides it.
  Ok({"reviews", "advance", "appeal", review, "--ground",
      "The case review process was not followed"});
  Ok({"reviews", "advance", "appeal-papers", review, "--chair", "chair-01"});
  EXPECT_EQ(
      Casectl({"reviews", "advance", "decide-appeal", review, "--dismissed", "--reason", "x"}).code,
      7);
  EXPECT_THAT(Ok({"--role", "partnership_chair", "reviews", "advance", "decide-appeal", review,
                  "--dismissed", "--reason", "The process was followed"}),
              HasSubstr("outcome communicated"));
}

TEST_F(CasectlTest, APanelCaseIsReferredAssessedAndReviewedAtAQuorateMeeting) {
  const std::string referred =
      Ok({"panels", "refer", "--panel", "jag", "--subject-ref", "subj-77", "--display-name",
          "Adult R", "--born", "1988-03-04", "--referrer", "shire-police", "--reason",
          "Repeat victim of cuckooing", "--basis", "safeguarding"});
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(referred, match, std::regex("partnerships/eastbrook/panelCases/([0-9]+)")))
      << referred;
  const std::string name = match[0];
  EXPECT_THAT(referred, HasSubstr("referred"));
  const std::string scheduled = Ok({"meetings", "schedule", "--panel", "jag", "--date", "today"});
  ASSERT_TRUE(std::regex_search(scheduled, match,
                                std::regex("partnerships/eastbrook/panelMeetings/([0-9]+)")));
  const std::string meeting = match[0];
  // A new referral is on the next meeting's agenda.
  const std::string agenda = Ok({"meetings", "agenda", meeting});
  EXPECT_THAT(agenda, HasSubstr("new referral"));
  EXPECT_THAT(agenda, HasSubstr("Adult R"));
  EXPECT_THAT(Ok({"panels", "assess", name, "--reoffending", "very-high", "--harm-to-others",
                  "high", "--harm-to-self", "low", "--factor", "cuckooing", "--summary",
                  "Multi-agency assessment"}),
              HasSubstr("main agenda"));

  // Without quorum a decision is refused, saying what is missing.
  Ran early = Casectl({"panels", "review", name, "--meeting", meeting, "--summary", "Visit"});
  EXPECT_EQ(early.code, 5);
  EXPECT_THAT(early.err, HasSubstr("QUORUM_NOT_MET"));
  Ok({"meetings", "attend", meeting, "--attendee", "eastbrook-council:council", "--attendee",
      "shire-police:police:chair", "--attendee", "shire-fire:fire-and-rescue"});
  EXPECT_THAT(
      Ok({"panels", "review", name, "--meeting", meeting, "--summary", "Joint visit agreed"}),
      HasSubstr("main agenda"));
  const std::string minutes = Ok({"meetings", "show", meeting});
  EXPECT_THAT(minutes, HasSubstr("quorate"));
  EXPECT_THAT(minutes, HasSubstr("Joint visit agreed"));
  // The fire service was there: it is a member of the case now.
  EXPECT_THAT(Ok({"--agency", "shire-fire", "panels", "show", name}), HasSubstr("Adult R"));
  EXPECT_EQ(Casectl({"--agency", "eastbrook-homes", "panels", "show", name}).code, 4);
}

TEST_F(CasectlTest, ADeathReviewIsForItsReadersOnly) {
  const std::vector<std::string> chair = {"--role", "partnership_chair", "death-reviews"};
  auto as_chair = [&](std::vector<std::string> args) {
    args.insert(args.begin(), chair.begin(), chair.end());
    return Ok(args);
  };
  const std::string notified =
      as_chair({"notify", "--agency", "shire-police", "--police-ref", "OP-TEST-1", "--died", "-20d",
                "--notified", "-18d", "--age", "41", "--relationship", "current-intimate-partner",
                "--pseudonym", "Adult M"});
  std::smatch match;
  ASSERT_TRUE(std::regex_search(notified, match,
                                std::regex("partnerships/eastbrook/deathReviews/([0-9]+)")))
      << notified;
  const std::string name = match[0];
  EXPECT_THAT(notified, HasSubstr("notified"));
  EXPECT_THAT(as_chair({"decide", name, "--commission", "--reason", "Meets the criteria",
                        "--home-office-notified-on", "today", "--family-notified-on", "today",
                        "--agency", "shire-police"}),
              HasSubstr("commissioned"));
  EXPECT_THAT(as_chair({"hold", name, "--reason", "criminal-trial", "--explanation",
                        "Trial listed for the spring", "--expected-resume", "+90d"}),
              HasSubstr("on hold"));
  EXPECT_THAT(as_chair({"resume", name, "--note", "Verdict given"}), HasSubstr("commissioned"));

  // A caseworker is told it does not exist, and does not see it listed.
  Ran hidden = Casectl({"death-reviews", "show", name});
  EXPECT_EQ(hidden.code, 4);
  EXPECT_THAT(hidden.err, HasSubstr(name + " does not exist"));
  EXPECT_THAT(Ok({"death-reviews", "list"}), ::testing::Not(HasSubstr("Adult M")));
  EXPECT_THAT(as_chair({"list"}), HasSubstr("Adult M"));
}

TEST_F(CasectlTest, SettingsComeFromTheConfigFileAndTheEnvironment) {
  std::filesystem::create_directories(dir_.Sub("config/casework"));
  std::ofstream(dir_.Sub("config/casework/casectl.toml")) << "role = \"auditor\"\n";
  Ran auditor = Casectl({"reviews", "list"});
  EXPECT_EQ(auditor.code, 7);
  EXPECT_THAT(auditor.err, HasSubstr("ROLE_NOT_ALLOWED"));
  // A flag wins over the file.
  EXPECT_THAT(Ok({"--role", "caseworker", "reviews", "list"}),
              HasSubstr("partnerships/eastbrook/caseReviews/1"));
  // The environment wins over the file too.
  setenv("CASEWORK_ROLE", "spoc", 1);
  Ran spoc = Casectl({"-v", "reviews", "list"});
  unsetenv("CASEWORK_ROLE");
  EXPECT_EQ(spoc.code, 0) << spoc.err;
}

TEST_F(CasectlTest, MistakesAndRefusalsSayWhyWithTheirExitCodes) {
  // The command line itself.
  Ran unknown = Casectl({"reviews", "frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  Ran bad_kind = Casectl({"complaints", "record", "--complainant", "c", "--agency", "a", "--kind",
                          "astrologer", "--source-ref", "X", "--category", "personal"});
  EXPECT_EQ(bad_kind.code, 2);
  EXPECT_THAT(bad_kind.err, HasSubstr("--kind: \"astrologer\" is not one of: council, police"));
  Ran bad_date =
      Casectl({"reviews", "advance", "meeting", "1", "--date", "soon", "--attendee", "x"});
  EXPECT_EQ(bad_date.code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("--date: \"soon\" is not a date"));

  // A field the server refuses: named, with its rule.
  Ran invalid =
      Casectl({"complaints", "record", "--complainant", "cmp-x", "--agency", "Not An Agency",
               "--kind", "police", "--source-ref", "X-1", "--category", "personal"});
  EXPECT_EQ(invalid.code, 3);
  EXPECT_THAT(invalid.err, HasSubstr("casectl: invalid:"));
  EXPECT_THAT(invalid.err, HasSubstr("complaint.agency:"));

  // A step the review's state does not allow: the allowed ones listed.
  const std::string review =
      ReviewNumber(Ok({"reviews", "apply", "--complainant", "cmp-none", "--category", "personal",
                       "--description", "One incident only"}));
  Ran refused = Casectl({"reviews", "advance", "communicate", review});
  EXPECT_EQ(refused.code, 5);
  EXPECT_THAT(refused.err, HasSubstr("the case is RECEIVED; allowed now: AcknowledgeApplication "
                                     "EvaluateThreshold OverrideThreshold WithdrawApplication"));
  // A stale version.
  Ran stale = Casectl({"reviews", "advance", "acknowledge", review, "--expected-version", "99"});
  EXPECT_EQ(stale.code, 6);
  EXPECT_THAT(stale.err, HasSubstr("expected version 99"));
  // Nothing there (or nothing this caller may see).
  Ran missing = Casectl({"reviews", "show", "999"});
  EXPECT_EQ(missing.code, 4);
  EXPECT_THAT(missing.err, HasSubstr("partnerships/eastbrook/caseReviews/999 does not exist"));
  // A role the method does not allow.
  Ran denied = Casectl({"--role", "auditor", "reviews", "list"});
  EXPECT_EQ(denied.code, 7);
  EXPECT_THAT(denied.err, HasSubstr("reason: ROLE_NOT_ALLOWED"));
  // No server.
  Ran down = Casectl({"--addr", "127.0.0.1:1", "--timeout", "2", "health"}, false);
  EXPECT_EQ(down.code, 8);
  EXPECT_THAT(down.err, HasSubstr("casectl: unavailable:"));
}

// What an operator runs when health reports casework.outbox NOT_SERVING.
// The demo's links were delivered at start, so nothing waits.
TEST_F(CasectlTest, TheOutboxListsWhatWaitsAndRetriesByKey) {
  const std::string listed = Ok({"--role", "admin", "outbox", "list"});
  EXPECT_THAT(listed, HasSubstr("message"));
  EXPECT_THAT(listed, HasSubstr("last error"));
  EXPECT_THAT(listed, Not(HasSubstr("caseReviews/~referrals/")));
  Ran gone = Casectl(
      {"--role", "admin", "outbox", "retry", "caseReviews/~referrals/eastbrook/000000000001/1"});
  EXPECT_EQ(gone.code, 4);
  EXPECT_THAT(gone.err, HasSubstr("no outbox message caseReviews/~referrals/eastbrook/"
                                  "000000000001/1 of partnerships/eastbrook"));
  Ran denied = Casectl({"outbox", "list"});
  EXPECT_EQ(denied.code, 7);
  EXPECT_THAT(denied.err, HasSubstr("reason: ROLE_NOT_ALLOWED"));
}

// A data protection officer answers a subject access request, then erases
// the person.
TEST_F(CasectlTest, ADataProtectionOfficerExportsThenErasesAPerson) {
  const std::vector<std::string> dpo = {"--role", "data_protection_officer", "--purpose",
                                        "subject access request"};
  auto as_dpo = [&dpo](std::vector<std::string> args) {
    args.insert(args.begin(), dpo.begin(), dpo.end());
    return args;
  };
  EXPECT_THAT(Ok(as_dpo({"privacy", "request", "--subject", "complainant", "--reference",
                         "cmp-demo-3", "--received", "Letter; identity checked"})),
              HasSubstr("partnerships/eastbrook/subjectAccessRequests/1: recorded, due "));
  const std::string exported = Ok(as_dpo({"privacy", "export", "1"}));
  EXPECT_THAT(exported, HasSubstr("partnerships/eastbrook/complaints/"));
  EXPECT_THAT(exported, HasSubstr("ComplaintRecorded"));
  EXPECT_THAT(exported, HasSubstr("complainant_reference: \"cmp-demo-3\""));
  EXPECT_THAT(exported, Not(HasSubstr("cmp-demo-1")));

  EXPECT_THAT(Ok(as_dpo({"privacy", "erase", "--subject", "complainant", "--reference",
                         "cmp-demo-3", "--basis", "UK GDPR Art. 17(1)(a)"})),
              HasSubstr("partnerships/eastbrook/erasures/1: erased (UK GDPR Art. 17(1)(a))"));
  EXPECT_THAT(Ok(as_dpo({"privacy", "erasures"})), HasSubstr("complainant"));
  // Nothing of them is left to erase or export.
  Ran again = Casectl(as_dpo({"privacy", "erase", "--subject", "complainant", "--reference",
                              "cmp-demo-3", "--basis", "again"}));
  EXPECT_EQ(again.code, 4);
  EXPECT_THAT(again.err, HasSubstr("NO_PERSONAL_DATA"));
  Ran denied = Casectl({"privacy", "erasures"});
  EXPECT_EQ(denied.code, 7);
  Ran bad = Casectl(as_dpo({"privacy", "erase", "--subject", "neighbour", "--reference", "x",
                            "--basis", "b"}));
  EXPECT_THAT(bad.err, HasSubstr("--subject"));
}

// The retention schedule: the demo's complaints fall due six years after
// they were recorded; none is due today, so a deletion is refused.
TEST_F(CasectlTest, ADataProtectionOfficerListsCasesDueForRetentionReview) {
  const std::vector<std::string> dpo = {"--role", "data_protection_officer"};
  auto as_dpo = [&dpo](std::vector<std::string> args) {
    args.insert(args.begin(), dpo.begin(), dpo.end());
    return args;
  };
  EXPECT_THAT(Ok(as_dpo({"retention", "due"})), Not(HasSubstr("partnerships/")));
  const std::string later = Ok(as_dpo({"retention", "due", "--as-of", "2040-01-01"}));
  EXPECT_THAT(later, HasSubstr("partnerships/eastbrook/complaints/1"));
  EXPECT_THAT(later, HasSubstr("complaint"));
  Ran early = Casectl(as_dpo({"retention", "delete", "complaints/1", "--reason", "Period over"}));
  EXPECT_EQ(early.code, 5);
  EXPECT_THAT(early.err, HasSubstr("NOT_DUE_FOR_REVIEW"));
  EXPECT_THAT(early.err, HasSubstr("is due for review on "));
  EXPECT_THAT(Ok(as_dpo({"retention", "reviews"})), Not(HasSubstr("partnerships/")));
  Ran denied = Casectl({"retention", "due"});
  EXPECT_EQ(denied.code, 7);
}

TEST_F(CasectlTest, RetriesWithTheSameRequestIdCreateNothingNew) {
  const std::vector<std::string> apply = {
      "--request-id", "tour-apply-1",  "--verbose",          "reviews",
      "apply",        "--complainant", "cmp-retry",          "--category",
      "personal",     "--description", "Retried application"};
  Ran first = Casectl(apply);
  Ran again = Casectl(apply);
  ASSERT_EQ(first.code, 0) << first.err;
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(ReviewNumber(first.out), ReviewNumber(again.out));
  EXPECT_THAT(first.err, HasSubstr("request id tour-apply-1"));
  EXPECT_THAT(again.err, HasSubstr("a retry: the server answered with the original result"));
}

TEST_F(CasectlTest, JsonParsesAndRoundTripsAndCsvHasAHeader) {
  Ok({"complaints", "record", "--complainant", "cmp-json", "--agency", "shire-police", "--kind",
      "police", "--source-ref", "J-1", "--behaviour-date", "-2d", "--category", "nuisance",
      "--summary", "Shouting, \"again\", at night"});
  const std::string json = Ok({"-o", "json", "complaints", "list", "--complainant", "cmp-json"});
  std::vector<std::string> lines = absl::StrSplit(json, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << json;
  v1::Complaint complaint;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[0], &complaint).ok()) << lines[0];
  EXPECT_EQ(complaint.source_reference(), "J-1");
  EXPECT_EQ(complaint.summary(), "Shouting, \"again\", at night");
  std::string again;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(complaint, &again, options).ok());
  EXPECT_EQ(again, lines[0]);

  const std::string csv = Ok({"-o", "csv", "complaints", "list", "--complainant", "cmp-json"});
  std::vector<std::string> rows = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 2u) << csv;
  EXPECT_EQ(rows[0], "complaint,agency,behaviour,reported,category,incident,locality");
  EXPECT_THAT(rows[1], HasSubstr(",shire-police,"));
}

TEST_F(CasectlTest, ThePolicyGoesOutAndComesBackAndTheLogReadsInPlainWords) {
  // The demo's policy, as JSON, edited and published again by an admin.
  std::string json = Ok({"-o", "json", "policy", "show"});
  std::smatch version;
  ASSERT_TRUE(std::regex_search(json, version, std::regex("\"version\":\"([0-9]+)\""))) << json;
  const int next = std::stoi(version[1]) + 1;
  const std::string title = "\"title\":\"";
  const size_t at = json.find(title);
  ASSERT_NE(at, std::string::npos) << json;
  json.insert(at + title.size(), "Revised: ");
  const std::string file = dir_.Sub("policy.json");
  std::ofstream(file) << json;
  Ran caseworker = Casectl({"policy", "publish", file});
  EXPECT_EQ(caseworker.code, 7);
  EXPECT_THAT(Ok({"--role", "admin", "policy", "publish", file}),
              HasSubstr(absl::StrCat("published version ", next, " of partnerships/eastbrook")));
  EXPECT_THAT(Ok({"policy", "show"}), HasSubstr("title: \"Revised: "));
  std::ofstream(dir_.Sub("broken.json")) << "{\"title\": 7";
  Ran broken = Casectl({"--role", "admin", "policy", "publish", dir_.Sub("broken.json")});
  EXPECT_EQ(broken.code, 2);
  EXPECT_THAT(broken.err, HasSubstr("is not a casework.v1.Policy in JSON"));

  const std::string log = Ok({"events", "tail", "--from", "1", "--limit", "3"});
  std::vector<std::string> rows = absl::StrSplit(log, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 4u) << log;
  EXPECT_THAT(rows[0], ::testing::StartsWith("position"));
  for (int i = 1; i <= 3; ++i) EXPECT_THAT(rows[i], ::testing::StartsWith(absl::StrCat(i, " ")));
  // Somewhere in the log: the policy just published, in plain words.
  EXPECT_THAT(Ok({"events", "tail", "--from", "1", "--limit", "1000"}),
              HasSubstr("policy published"));
}

// Every command, found by walking the help from the top, has help with an
// example; a command added later is covered as it is.
TEST_F(CasectlTest, EveryCommandHasHelpWithAnExample) {
  std::vector<std::vector<std::string>> pending = {{}};
  int leaves = 0;
  while (!pending.empty()) {
    std::vector<std::string> path = pending.back();
    pending.pop_back();
    std::vector<std::string> args = path;
    args.push_back("--help");
    const std::string help = Ok(args);
    const size_t subcommands = help.find("\nSubcommands:\n");
    if (subcommands == std::string::npos) {
      ++leaves;
      EXPECT_THAT(help, HasSubstr("e.g. casectl ")) << absl::StrJoin(path, " ");
      continue;
    }
    for (absl::string_view line :
         absl::StrSplit(help.substr(subcommands + 14), '\n', absl::SkipEmpty())) {
      if (!absl::StartsWith(line, "  ") || line.size() < 3 || line[2] == ' ') continue;
      std::vector<std::string> next = path;
      next.emplace_back(line.substr(2, line.find(' ', 2) - 2));
      pending.push_back(next);
    }
  }
  EXPECT_GE(leaves, 60);
}

// Over mutual TLS: the client certificate makes the caller's agency; no
// certificate, no connection.
TEST(CasectlTlsTest, ASystemCallsWithItsCertificate) {
  casework::testing::TempDir dir;
  const std::string certs = dir.Sub("certs");
  const std::string script = std::string(CASEWORK_SOURCE_DIR) + "/deploy/partnership-ca.sh";
  for (const std::string& args :
       {absl::StrCat("init ", certs), absl::StrCat("server ", certs, " server localhost 127.0.0.1"),
        absl::StrCat("client ", certs, " police police-link.shire.example")}) {
    const std::string command = absl::StrCat("bash ", script, " ", args, " >/dev/null 2>&1");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::ofstream(dir.Sub("agencies.txt")) << "police-link.shire.example shire-police\n";
  RunningCaseworkd server(
      {"--data_dir=" + dir.Sub("data"), "--listen=127.0.0.1:0", "--request_log=false",
       "--tls_cert=" + certs + "/server.pem", "--tls_key=" + certs + "/server.key",
       "--tls_client_ca=" + certs + "/ca.pem", "--tls_agencies=" + dir.Sub("agencies.txt")});
  ASSERT_GT(server.port(), 0);
  auto run = [&](const std::string& flags) {
    const std::string command =
        absl::StrCat("XDG_CONFIG_HOME=", dir.Sub("config"), " ", CASECTL_PATH,
                     " --addr=127.0.0.1:", server.port(), " --timeout=5 ", flags, " >",
                     dir.Sub("out"), " 2>", dir.Sub("err"));
    const int status = std::system(command.c_str());
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                          ReadFile(dir.Sub("out")) + ReadFile(dir.Sub("err")));
  };
  const std::string tls = absl::StrCat(" --tls-ca=", certs, "/ca.pem --tls-cert=", certs,
                                       "/police.pem --tls-key=", certs, "/police.key");
  auto [code, text] = run(tls + " --agency=shire-police --role=integration health");
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("SERVING"));
  std::tie(code, text) =
      run(tls + " --agency=shire-police --role=integration complaints list --complainant c-1");
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("complaint"));
  // Claiming another agency than the certificate's.
  std::tie(code, text) =
      run(tls + " --agency=eastbrook-council --role=integration complaints list --complainant c");
  EXPECT_EQ(code, 7) << text;
  // Without a certificate the handshake fails.
  std::tie(code, text) = run(absl::StrCat(" --tls-ca=", certs, "/ca.pem health"));
  EXPECT_EQ(code, 8) << text;
}

}  // namespace
}  // namespace casework::cli
