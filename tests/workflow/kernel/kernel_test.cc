// The workflow kit's own promises, on a test-only workflow: common request
// checks, NOT_FOUND for a missing stream, appliers by event type and meaning
// version, stamping of version and update time, the landing check, timers
// that may not move a state, and definitions that are refused when they are
// not whole.
#include "casework/v1/actions.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "casework/internal/records.pb.h"
#include "tests/support/test_support.h"
#include "tests/support/world.h"
#include "tests/workflow/examples.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"
#include "workflow/kernel/registry.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow {
namespace {

using ::casework::testing::DetailOf;
using ::testing::ElementsAre;

constexpr CommandName<v1::CreateActionRequest> kOpen{"Open"};
constexpr CommandName<v1::RecordProgressRequest> kNote{"Note"};

absl::Status DecideOpen(const v1::Action&, const v1::CreateActionRequest& r,
                        const DecideContext& ctx, Decision& out) {
  v1::ActionCreated e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_title(r.title());
  out.Emit(std::move(e));
  return absl::OkStatus();
}
absl::Status DecideNote(const v1::Action&, const v1::RecordProgressRequest& r,
                        const DecideContext&, Decision& out) {
  v1::ActionProgressRecorded e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  return absl::OkStatus();
}
void ValidateNote(const v1::RecordProgressRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("note", r.note(), true, 10, errors);
}
void ApplyOpened(v1::Action& a, const v1::ActionCreated& e) {
  a.set_name(FormatResourceName(e.partnership(), "notes", e.number()));
  a.set_title(e.title());
  a.set_state(v1::Action::OPEN);
}
// Version 1 of a note: the text as written. Version 2: upper-cased (a made-up
// change of meaning, to show both replay side by side).
void ApplyNoteV1(v1::Action& a, const v1::ActionProgressRecorded& e) {
  a.add_notes()->set_text(e.note());
}
void ApplyNoteV2(v1::Action& a, const v1::ActionProgressRecorded& e) {
  std::string text = e.note();
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  a.add_notes()->set_text(text);
}
v1::ActionResponse Reply(const v1::Action& a, const v1::CommitInfo& commit) {
  v1::ActionResponse r;
  *r.mutable_action() = a;
  *r.mutable_commit() = commit;
  return r;
}

Definition<v1::Action> NotesDefinition() {
  Definition<v1::Action> d({"note", "notes", 1, "casework.test.NoteService", ""});
  d.StateField(&v1::Action::state);
  d.Transitions({{kNewState, kOpen.name, {"OPEN"}}, {"OPEN", kNote.name, {"OPEN"}}});
  d.Create(kOpen, DecideOpen);
  d.Update(kNote, DecideNote, ValidateNote);
  d.On<v1::ActionCreated>(ApplyOpened);
  d.Reply(Reply);
  return d;
}

const Workflow& Notes() {
  static const Workflow* w = [] {
    Definition<v1::Action> d = NotesDefinition();
    d.On<v1::ActionProgressRecorded>(ApplyNoteV1);
    d.On<v1::ActionProgressRecorded>(ApplyNoteV2, 2);
    d.Timers([](const v1::Action& a, std::vector<TimerSpec>* timers) {
      if (a.state() == v1::Action::OPEN) timers->push_back({"close", 1, absl::CivilDay(2026, 12, 1)});
    });
    d.OnTimer([](const v1::Action&, absl::string_view,
                 const DecideContext&) -> absl::StatusOr<Events> {
      v1::ActionCompleted e;  // a timer that wrongly moves the state
      return MakeEvents(std::move(e));
    });
    d.On<v1::ActionCompleted>(+[](v1::Action& a, const v1::ActionCompleted&) {
      a.set_state(v1::Action::COMPLETED);
    });
    return std::move(d).Build();
  }();
  return *w;
}

class KernelTest : public ::testing::Test {
 protected:
  KernelTest() : registry_({&Notes()}), world_(testing::ExamplesStart(), registry_) {}

  v1::CreateActionRequest Open() {
    v1::CreateActionRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id("open-1");
    r.set_title("A note book");
    return r;
  }
  v1::RecordProgressRequest Note(const std::string& name, const std::string& text) {
    v1::RecordProgressRequest r;
    r.set_name(name);
    r.set_request_id("note-" + text);
    r.set_note(text);
    return r;
  }

  Registry registry_;
  testing::World world_;
};

TEST_F(KernelTest, EveryCommandGetsTheCommonChecksBeforeItsOwn) {
  v1::RecordProgressRequest bad = Note("partnerships/eastbrook/actions/1", "far too long a note");
  bad.clear_request_id();
  bad.set_expected_version(-1);
  testing::Outcome out = world_.When(kNote, bad);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(out.status);
  ASSERT_TRUE(detail.has_value());
  std::vector<std::string> rules;
  for (const auto& v : detail->violations()) {
    rules.push_back(v.field() + ":" + v.rule());
  }
  EXPECT_THAT(rules, ElementsAre("name:format", "request_id:required", "expected_version:range",
                                 "note:length"));
}

TEST_F(KernelTest, ACommandOnAStreamWithoutEventsIsNotFound) {
  testing::Outcome out = world_.When(kNote, Note("partnerships/eastbrook/notes/4", "hello"));
  EXPECT_EQ(out.status, absl::NotFoundError("partnerships/eastbrook/notes/4 does not exist"));
  EXPECT_EQ(world_.Version("partnerships/eastbrook/notes/4"), 0);
}

TEST_F(KernelTest, IllegalCommandsNameTheStateAndTheAllowedOnes) {
  ASSERT_TRUE(world_.When(kOpen, Open()).status.ok());
  v1::CreateActionRequest again = Open();
  again.set_request_id("open-2");
  // A create makes a new stream: allowed. Notes only on OPEN streams.
  EXPECT_TRUE(world_.When(kOpen, again).status.ok());
  const CommandType& note = Notes().Command(kNote);
  EXPECT_EQ(note.method(), "casework.test.NoteService/Note");
  EXPECT_EQ(Notes().transitions().Allowed("OPEN"), std::vector<std::string>{"Note"});
  absl::Status refused = Notes().transitions().Check("s", "COMPLETED", "Note");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  std::optional<v1::IllegalTransition> detail = DetailOf<v1::IllegalTransition>(refused);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->current_state(), "COMPLETED");
  EXPECT_EQ(detail->command(), "Note");
  EXPECT_THAT(detail->allowed_commands(), ElementsAre());
}

TEST_F(KernelTest, AppliersAreChosenByEventTypeAndMeaningVersion) {
  EXPECT_EQ(Notes().CurrentEventVersion(v1::ActionProgressRecorded::descriptor()), 2);
  EXPECT_EQ(Notes().CurrentEventVersion(v1::ActionCreated::descriptor()), 1);
  EXPECT_EQ(Notes().CurrentEventVersion(v1::ActionCancelled::descriptor()), 0);

  // New events are recorded with the current meaning...
  testing::Outcome opened = world_.When(kOpen, Open());
  ASSERT_TRUE(opened.status.ok());
  ASSERT_TRUE(world_.When(kNote, Note(opened.stream, "hello")).status.ok());
  EXPECT_EQ(world_.StateAs<v1::Action>(opened.stream).notes(0).text(), "HELLO");

  // ...and an old event (no event_version) replays with the old applier.
  v1::Action state;
  v1::EventEnvelope old_event;
  old_event.set_stream_version(7);
  v1::ActionProgressRecorded note;
  note.set_note("hello");
  ASSERT_TRUE(Notes().Apply(state, old_event, note).ok());
  old_event.set_event_version(2);
  ASSERT_TRUE(Notes().Apply(state, old_event, note).ok());
  EXPECT_EQ(state.notes(0).text(), "hello");
  EXPECT_EQ(state.notes(1).text(), "HELLO");
  // Stamped from the envelope before the applier ran.
  EXPECT_EQ(state.version(), 7);
  EXPECT_TRUE(state.has_update_time());

  old_event.set_event_version(3);
  EXPECT_EQ(Notes().Apply(state, old_event, note),
            absl::InternalError("note stream cannot apply event type ActionProgressRecorded "
                                "version 3"));
  EXPECT_EQ(Notes().Apply(state, old_event, v1::ActionCancelled()).code(),
            absl::StatusCode::kInternal);
}

TEST_F(KernelTest, ATimerThatMovesTheStateWritesNothing) {
  testing::Outcome opened = world_.When(kOpen, Open());
  ASSERT_TRUE(opened.status.ok());
  testing::Outcome fired = world_.FireTimer(opened.stream, "close");
  EXPECT_EQ(fired.status,
            absl::InternalError("a timer moved partnerships/eastbrook/notes/1 from state OPEN "
                                "to COMPLETED; timers must not change the state"));
  EXPECT_EQ(world_.Version(opened.stream), 1);
  EXPECT_EQ(Notes().timer_command().method(), "casework.internal.Timers/Fire");
}

TEST_F(KernelTest, ARegistryKnowsStreamsRowsAndMethods) {
  EXPECT_EQ(registry_.ForStream("partnerships/eastbrook/notes/3"), &Notes());
  EXPECT_EQ(registry_.ForStream("partnerships/eastbrook/actions/3"), nullptr);
  EXPECT_EQ(registry_.ForStream("notes"), nullptr);
  EXPECT_EQ(registry_.ForMethod("casework.test.NoteService/Note"), &Notes().Command(kNote));
  EXPECT_EQ(registry_.AllCommands().size(), 2u);
  EXPECT_THAT(registry_.row_prefixes(), ElementsAre());
}

TEST(KernelDefinitionTest, IncompleteDefinitionsAreRefused) {
  EXPECT_DEATH(
      {
        Definition<v1::Action> d = NotesDefinition();
        d.On<v1::ActionCreated>(ApplyOpened);
      },
      "applier of casework.v1.ActionCreated version 1 must follow version 1");
  EXPECT_DEATH(
      {
        Definition<v1::Action> d({"note", "notes", 1, "casework.test.NoteService", ""});
        d.StateField(&v1::Action::state);
        d.Transitions({{kNewState, kOpen.name, {"OPEN"}}});
        d.Create(kOpen, DecideOpen);
        d.Update(kNote, DecideNote);
        d.Reply(Reply);
        delete std::move(d).Build();
      },
      "workflow note: command Note has no row in the table");
  EXPECT_DEATH(
      {
        Definition<v1::Action> d({"note", "notes", 1, "casework.test.NoteService", ""});
        d.StateField(&v1::Action::state);
        d.Transitions({{kNewState, kOpen.name, {"OPENED"}}});
        d.Create(kOpen, DecideOpen);
        d.Reply(Reply);
        delete std::move(d).Build();
      },
      "table row NEW Open to unknown state OPENED");
  EXPECT_DEATH(Registry({&Notes(), &Notes()}), "shares its name, collection or service");
}

}  // namespace
}  // namespace casework::workflow
