// The engine and erasures, on a real sealed RocksDB directory: an erasure
// takes effect once its group is durable, so it ends its group, and a later
// command that seals new data about the same subject gets the key's next
// generation rather than the key being destroyed.
#include <memory>
#include <string>
#include <vector>

#include "casework/v1/actions.pb.h"
#include "casework/v1/data_protection.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "storage/engine.h"
#include "tests/support/engine_harness.h"
#include "tests/support/test_support.h"
#include "workflow/actions/commands.h"
#include "workflow/erasures/commands.h"

namespace casework::storage {
namespace {

using ::testing::ElementsAre;

// An engine on a sealed store in a fresh directory.
struct SealedEngine {
  void Open() {
    StoreOptions options;
    options.path = dir.Sub("data");
    absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer = privacy::OpenSealer(
        testing::EnsureMasterKeyFile(dir.Sub("master.key")), dir.Sub("keys"));
    ASSERT_TRUE(sealer.ok()) << sealer.status();
    options.sealer = *sealer;
    absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store = *std::move(opened);
    engine = std::make_unique<Engine>(store.get(), &clock);
  }

  testing::TempDir dir;
  ManualClock clock{testing::At(2026, 11, 2)};
  std::unique_ptr<EventStore> store;
  std::unique_ptr<Engine> engine;  // destroyed before the store
};

// The erasure of record `record`, as a data protection officer asks for it.
v1::EraseSubjectRequest RecordErasure(const std::string& record) {
  v1::EraseSubjectRequest erase;
  erase.set_parent("partnerships/eastbrook");
  erase.set_request_id("erase-1");
  erase.set_record(record);
  erase.set_legal_basis("UK GDPR Art. 17: the record is no longer needed");
  return erase;
}

const workflow::CommandType& EraseCommand() {
  return workflow::erasures::ErasureWorkflow().Command(workflow::erasures::kEraseSubject);
}

// Erases `record` in a group of its own; the erasure must succeed.
void EraseRecord(Engine& engine, const std::string& record) {
  std::vector<testing::EngineOutcome> outcomes = testing::RunCommands(
      engine,
      {{&EraseCommand(), std::make_shared<const v1::EraseSubjectRequest>(RecordErasure(record))}});
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].reply.ok()) << outcomes[0].reply.status();
}

// The notes of `action`'s progress events, in order, as stored.
std::vector<std::string> NotesOf(const EventStore& store, const std::string& action) {
  absl::StatusOr<std::vector<v1::EventEnvelope>> events = store.ReadStream(action, 1, 100);
  EXPECT_TRUE(events.ok()) << events.status();
  std::vector<std::string> notes;
  for (const v1::EventEnvelope& e : events.value_or(std::vector<v1::EventEnvelope>{})) {
    v1::ActionProgressRecorded note;
    if (e.payload().UnpackTo(&note)) notes.push_back(note.note());
  }
  return notes;
}

TEST(EngineErasureTest, AnErasureEndsItsGroupSoDataSealedAfterItIsNotErasedWithIt) {
  SealedEngine sealed;
  ASSERT_NO_FATAL_FAILURE(sealed.Open());
  EventStore* store = sealed.store.get();
  Engine* engine = sealed.engine.get();

  testing::ActionOutcome created = testing::RunAction(*engine, testing::CreateRequest("a-1"));
  ASSERT_TRUE(created.response.ok()) << created.response.status();
  const std::string action = created.response->action().name();
  ASSERT_TRUE(testing::RunAction(*engine, testing::ProgressRequest("p-1", action,
                                                                   "Before the erasure"))
                  .response.ok());

  // In one group: the action's record is erased, then a new note is added.
  const workflow::CommandType& note_command =
      workflow::actions::ActionWorkflow().Command(workflow::actions::kRecordProgress);
  std::vector<testing::EngineOutcome> outcomes = testing::RunCommands(
      *engine,
      {{&EraseCommand(), std::make_shared<const v1::EraseSubjectRequest>(RecordErasure(action))},
       {&note_command, std::make_shared<const v1::RecordProgressRequest>(
                           testing::ProgressRequest("p-2", action, "After the erasure"))}});
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0].reply.ok()) << outcomes[0].reply.status();
  ASSERT_TRUE(outcomes[1].reply.ok()) << outcomes[1].reply.status();
  // They went in two groups: the erasure's, then the note's.
  EXPECT_EQ(engine->stats().groups, 4u);

  // What was there before is erased; what came after stays.
  EXPECT_THAT(NotesOf(*store, action),
              ElementsAre(std::string(privacy::kErasedText), "After the erasure"));
}

// The readers' cache of opened rows (storage/opened_rows.h): the summary
// row a command writes is found opened by the next read, and after an
// erasure the bytes stored before it open as erased, not from the cache.
TEST(EngineErasureTest, ReadersFindWrittenSummariesOpenedAndNoneSurvivesAnErasure) {
  SealedEngine sealed;
  ASSERT_NO_FATAL_FAILURE(sealed.Open());
  EventStore* store = sealed.store.get();
  Engine* engine = sealed.engine.get();
  const OpenedRows& opened = store->opened_rows();

  testing::ActionOutcome created = testing::RunAction(*engine, testing::CreateRequest("a-1"));
  ASSERT_TRUE(created.response.ok()) << created.response.status();
  const std::string action = created.response->action().name();
  const std::string summary = workflow::actions::ActionWorkflow().SummaryRowKey(action);
  ASSERT_FALSE(summary.empty());
  EXPECT_GT(opened.bytes(), 0u);
  auto title_of = [](const std::optional<std::string>& row) {
    v1::Action a;
    return row.has_value() && a.ParseFromString(*row) ? a.title() : "(no row)";
  };
  const uint64_t hits = opened.hits(), misses = opened.misses();
  absl::StatusOr<std::optional<std::string>> row = store->GetRow(summary);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(title_of(*row), created.response->action().title());
  EXPECT_EQ(opened.hits(), hits + 1);
  EXPECT_EQ(opened.misses(), misses);
  absl::StatusOr<std::vector<StoredRow>> stored = store->ScanRows(summary, "", 1, false);
  ASSERT_TRUE(stored.ok() && stored->size() == 1u);
  const std::string stored_before = (*stored)[0].value;
  ASSERT_NE(stored_before, **row);  // sealed as stored
  // A parsed copy under a row the erasure does not write goes too
  // (storage/parsed_rows.h).
  ParsedRows& parsed = store->parsed_rows();
  parsed.Put("partnerships/eastbrook/other/row", std::make_shared<v1::Action>(), 10,
             parsed.generation());
  ASSERT_GT(parsed.bytes(), 0u);

  ASSERT_NO_FATAL_FAILURE(EraseRecord(*engine, action));

  EXPECT_EQ(opened.bytes(), 0u);
  EXPECT_EQ(parsed.bytes(), 0u);
  absl::StatusOr<std::string> before = store->OpenRow(stored_before);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(title_of(*before), privacy::kErasedText);
  row = store->GetRow(summary);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(title_of(*row), privacy::kErasedText);
}

// A stream's "privacy/uses" rows say which keys sealed something of it:
// what an erasure of a key folds again. They are never deleted, so the
// engine writes each once per stream and key, not with every command; it
// writes them again only once the stream's state has left its cache (here:
// a restart), and an erasure after many commands still finds the stream.
TEST(EngineErasureTest, AStreamsUseRowsAreWrittenOncePerKeyNotByEveryCommand) {
  SealedEngine sealed;
  ASSERT_NO_FATAL_FAILURE(sealed.Open());
  EventStore* store = sealed.store.get();

  testing::ActionOutcome created =
      testing::RunAction(*sealed.engine, testing::CreateRequest("a-1"));
  ASSERT_TRUE(created.response.ok()) << created.response.status();
  const std::string action = created.response->action().name();
  for (const std::string id : {"p-1", "p-2", "p-3"}) {
    ASSERT_TRUE(testing::RunAction(*sealed.engine,
                                   testing::ProgressRequest(id, action, "Visited the address"))
                    .response.ok());
  }
  auto uses = [&] {
    absl::StatusOr<std::vector<StoredRow>> rows = store->ScanRows("privacy/uses/", "", 100, false);
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> streams;
    for (const StoredRow& row : rows.value_or(std::vector<StoredRow>{})) {
      streams.push_back(row.key.substr(row.key.rfind("/partnerships/") + 1));
    }
    return streams;
  };
  const std::vector<std::string> marked = uses();
  ASSERT_FALSE(marked.empty());
  for (const std::string& stream : marked) EXPECT_EQ(stream, action);
  // Four commands sealed data of the action; each key's row went once.
  EXPECT_EQ(sealed.engine->stats().use_rows, marked.size());

  // A new engine knows nothing of what was marked: the next command marks
  // the keys it seals with again (the same rows, the same keys), once.
  sealed.engine = std::make_unique<Engine>(store, &sealed.clock);
  for (const std::string id : {"p-4", "p-5"}) {
    ASSERT_TRUE(
        testing::RunAction(*sealed.engine, testing::ProgressRequest(id, action, "Visited again"))
            .response.ok());
  }
  EXPECT_EQ(sealed.engine->stats().use_rows, marked.size());
  EXPECT_EQ(uses(), marked);

  // The record's erasure folds the action again: every note is erased,
  // those whose command wrote no use row too.
  ASSERT_NO_FATAL_FAILURE(EraseRecord(*sealed.engine, action));
  EXPECT_THAT(NotesOf(*store, action),
              ElementsAre(std::string(privacy::kErasedText), std::string(privacy::kErasedText),
                          std::string(privacy::kErasedText), std::string(privacy::kErasedText),
                          std::string(privacy::kErasedText)));
}

}  // namespace
}  // namespace casework::storage
