// The fixture of the command engine's tests (engine_test.cc,
// engine_retry_test.cc, engine_threads_test.cc): a store and an engine in a
// temporary directory, with helpers to run commands and read what they wrote.
#ifndef CASEWORK_TESTS_STORAGE_ENGINE_FIXTURE_H_
#define CASEWORK_TESTS_STORAGE_ENGINE_FIXTURE_H_

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "tests/support/engine_harness.h"
#include "tests/support/test_support.h"
#include "workflow/actions/commands.h"

namespace casework::storage {

using ::casework::testing::ActionOutcome;
using ::casework::testing::ActionRequest;
using ::casework::testing::AsActionRequest;
using ::casework::testing::CreateRequest;
using ::casework::testing::DetailOf;
using ::casework::testing::ProgressRequest;
using ::casework::testing::RunAction;
using ::casework::testing::TestCalendar;

inline const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 11, 2, 9, 30, 0), absl::UTCTimeZone());

class EngineTest : public casework::testing::EngineHarness {
 protected:
  EngineTest() : EngineHarness(kStart) {}

  v1::ActionResponse Create(const std::string& request_id) {
    ActionOutcome out = RunAction(*engine_, CreateRequest(request_id));
    EXPECT_TRUE(out.response.ok()) << out.response.status();
    return out.response.ok() ? *out.response : v1::ActionResponse();
  }
  // "ActionCreated@1/1 ActionProgressRecorded@2/2": type@version/position.
  std::string History(const std::string& stream) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events = store_->ReadStream(stream, 1, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    std::string out;
    for (const v1::EventEnvelope& e : *events) {
      std::string type = e.payload().type_url().substr(e.payload().type_url().rfind('.') + 1);
      absl::StrAppend(&out, out.empty() ? "" : " ", type, "@", e.stream_version(), "/",
                      e.global_position());
    }
    return out;
  }
  // Submits a prepared command and waits for its outcome.
  absl::StatusOr<std::string> Submit(Command command) {
    std::promise<absl::StatusOr<std::string>> promise;
    command.done = [&promise](absl::StatusOr<std::string> reply, bool) {
      promise.set_value(std::move(reply));
    };
    std::future<absl::StatusOr<std::string>> future = promise.get_future();
    engine_->Submit(std::move(command));
    return future.get();
  }
  // A RecordProgress command on `action` by a caseworker, without `done`.
  Command ProgressCommand(const std::string& request_id, const std::string& action) {
    Command c = MakeCommand(
        workflow::actions::ActionWorkflow().Command(workflow::actions::kRecordProgress),
        std::make_shared<const v1::RecordProgressRequest>(ProgressRequest(request_id, action)),
        TestCalendar());
    c.meta.actor.set_agency("eastbrook-council");
    c.meta.actor.set_user("u-test");
    c.meta.actor.set_role("caseworker");
    return c;
  }
  std::vector<std::string> RowKeys(const std::string& prefix) {
    std::vector<std::string> keys;
    absl::StatusOr<std::vector<StoredRow>> rows = store_->ScanRows(prefix, "", 1000);
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (const StoredRow& row : *rows) keys.push_back(row.key);
    return keys;
  }
};

}  // namespace casework::storage

#endif  // CASEWORK_TESTS_STORAGE_ENGINE_FIXTURE_H_
