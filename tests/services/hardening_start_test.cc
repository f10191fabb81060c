// Start-up failures of the real binary: a locked, file, damaged, unwritable
// or full data directory and a port in use are refused with one clear line
// and their exit code, leaving nothing behind.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tests/services/hardening_support.h"
#include "tests/storage/small_filesystem.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using namespace ::casework::services::hardening;  // NOLINT: the tests' helpers
using ::casework::testing::FillWithBallast;
using ::casework::testing::SmallFilesystem;
using ::casework::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// --- Start-up failures of the real binary ---------------------------------

TEST(CaseworkdStartTest, ALockedDataDirectoryIsRefused) {
  TempDir dir;
  ServerConfig config = TestConfig(dir.Sub("data"));
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> first = MustStart(config, &clock);
  ASSERT_NE(first, nullptr);
  Exited second = RunCaseworkd({"--data_dir=" + config.data_dir, "--listen=127.0.0.1:0"});
  EXPECT_EQ(second.code, 3);
  EXPECT_THAT(StartFailure(second.err),
              StartsWith(absl::StrCat("caseworkd: cannot start: data directory ", config.data_dir,
                                      " is in use by another process (its LOCK is held: ")));
  EXPECT_THAT(second.err, ::testing::Not(HasSubstr("Segmentation")));
  EXPECT_EQ(Health(first->InProcessChannel()), "SERVING");
}

TEST(CaseworkdStartTest, ADataDirectoryThatIsAFileIsRefused) {
  TempDir dir;
  const std::string file = dir.Sub("data");
  std::ofstream(file) << "a file";
  Exited exited = RunCaseworkd({"--data_dir=" + file, "--listen=127.0.0.1:0"});
  EXPECT_EQ(exited.code, 3);
  EXPECT_EQ(StartFailure(exited.err),
            absl::StrCat("caseworkd: cannot start: data directory ", file,
                         " is not a directory (it is a regular file); give --data_dir a "
                         "directory, or a path to create one"));
}

TEST(CaseworkdStartTest, ADamagedDataDirectoryIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  {
    ManualClock clock(kStart);
    ASSERT_NE(MustStart(TestConfig(data), &clock), nullptr);
  }
  std::ofstream(data + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  std::vector<std::string> before;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    before.push_back(absl::StrCat(e.path().filename().string(), " ", e.file_size()));
  }
  std::sort(before.begin(), before.end());
  Exited exited = RunCaseworkd({"--data_dir=" + data, "--listen=127.0.0.1:0"});
  EXPECT_EQ(exited.code, 3);
  const std::string line = StartFailure(exited.err);
  EXPECT_THAT(line, StartsWith(absl::StrCat("caseworkd: cannot start: data directory ", data,
                                            " is damaged and cannot be opened: ")));
  EXPECT_THAT(line, HasSubstr("MANIFEST-999999"));
  EXPECT_THAT(line, ::testing::EndsWith("; restore it from a backup"));
  std::vector<std::string> after;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    after.push_back(absl::StrCat(e.path().filename().string(), " ", e.file_size()));
  }
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, before);
}

TEST(CaseworkdStartTest, AnUnwritableDataDirectoryIsRefused) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  ASSERT_EQ(mkdir(data.c_str(), 0755), 0);
  const bool root = geteuid() == 0;
  // As root, run it as nobody (root may write anywhere); else take the
  // write permission away.
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  if (!root) {
    ASSERT_EQ(chmod(data.c_str(), 0555), 0);
  }
  Exited exited = RunCaseworkd({"--data_dir=" + data, "--listen=127.0.0.1:0"}, root);
  EXPECT_EQ(exited.code, 3) << exited.err;
  EXPECT_EQ(StartFailure(exited.err),
            absl::StrCat("caseworkd: cannot start: data directory ", data,
                         " cannot be written: Permission denied; run caseworkd as a user that "
                         "may write it"));
  EXPECT_TRUE(std::filesystem::is_empty(data));
}

TEST(CaseworkdStartTest, TooLittleFreeSpaceIsRefusedWithoutCreatingAnything) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  // A floor no disk here can meet: 1 EiB.
  Exited exited = RunCaseworkd(
      {"--data_dir=" + data, "--listen=127.0.0.1:0", "--min_free_disk_mb=1099511627776"});
  EXPECT_EQ(exited.code, 4);
  EXPECT_THAT(StartFailure(exited.err),
              StartsWith(absl::StrCat("caseworkd: cannot start: not enough free disk space for "
                                      "data directory ",
                                      data, ": ")));
  EXPECT_THAT(StartFailure(exited.err),
              HasSubstr("free, the floor is 1099511627776.0 MiB; free some space (or lower the "
                        "floor) and start again"));
  EXPECT_FALSE(std::filesystem::exists(data));
}

TEST(CaseworkdStartTest, OnAFullSmallDiskStartFailsCleanlyAndLeavesNoFile) {
  TempDir dir;
  SmallFilesystem disk(dir.Sub("small"), 16 * kMiB);
  if (!disk.mounted()) {
    // Without a mount, the floor test above covers the refusal; here the
    // start of a real server below its floor on an injected disk.
    auto faults = std::make_shared<storage::FaultInjector>();
    faults->SetFreeBytes(1 * kMiB);
    ServerConfig config = TestConfig(dir.Sub("data"));
    config.faults = faults;
    ManualClock clock(kStart);
    absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, &clock);
    EXPECT_EQ(server.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_FALSE(std::filesystem::exists(config.data_dir));
    return;
  }
  const std::string data = disk.path() + "/data";
  ASSERT_EQ(RunCaseworkd(
                {"--data_dir=" + data, "--listen=127.0.0.1:0", "--min_free_disk_mb=1", "--verify"})
                .code,
            0);
  ASSERT_GT(FillWithBallast(disk.path() + "/ballast"), 0u);
  const auto listing = [&] {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(data)) {
      names.push_back(absl::StrCat(e.path().filename().string(), " ", e.file_size()));
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  const std::vector<std::string> before = listing();
  for (int attempt = 0; attempt < 3; ++attempt) {
    Exited exited =
        RunCaseworkd({"--data_dir=" + data, "--listen=127.0.0.1:0", "--min_free_disk_mb=1"});
    EXPECT_EQ(exited.code, 4) << exited.err;
    EXPECT_THAT(StartFailure(exited.err),
                StartsWith(absl::StrCat("caseworkd: cannot start: not enough free disk space "
                                        "for data directory ",
                                        data, ": 0.0 MiB free")));
  }
  EXPECT_EQ(listing(), before);
  // Once space is freed a start succeeds, with no manual step.
  ASSERT_TRUE(std::filesystem::remove(disk.path() + "/ballast"));
  Exited verified = RunCaseworkd({"--data_dir=" + data, "--min_free_disk_mb=1", "--verify"});
  EXPECT_EQ(verified.code, 0) << verified.err;
}

TEST(CaseworkdStartTest, ASecondServerOnAPortInUseIsRefused) {
  TempDir dir;
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> first = MustStart(TestConfig(dir.Sub("first")), &clock);
  ASSERT_NE(first, nullptr);
  const std::string listen = absl::StrCat("127.0.0.1:", first->port());
  Exited second = RunCaseworkd({"--data_dir=" + dir.Sub("second"), "--listen=" + listen});
  EXPECT_EQ(second.code, 5);
  EXPECT_EQ(StartFailure(second.err),
            absl::StrCat("caseworkd: cannot start: cannot listen on ", listen,
                         ": the address is already in use (another process is listening on "
                         "it); stop the other server or choose another --listen"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("second")));
  EXPECT_EQ(Health(Connect(first->port())), "SERVING");

  // The same in-process: the first server keeps its port to itself.
  absl::StatusOr<std::unique_ptr<CaseworkServer>> again = CaseworkServer::Start(
      [&] {
        ServerConfig config = TestConfig(dir.Sub("third"));
        config.listen = listen;
        return config;
      }(),
      &clock);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("third")));
}

TEST(CaseworkdStartTest, BadFlagValuesAreUsageErrors) {
  TempDir dir;
  Exited exited = RunCaseworkd({"--data_dir=" + dir.Sub("data"), "--max_streams_per_connection=0"});
  EXPECT_EQ(exited.code, 2);
  EXPECT_THAT(exited.err, StartsWith("caseworkd: out of range: "));
  Exited help = RunCaseworkd({"--help"});
  for (const char* flag :
       {"--min_free_disk_mb", "--max_data_mb", "--grpc_memory_mb", "--max_streams_per_connection",
        "--max_reply_backlog_mb", "--keepalive_seconds", "--keepalive_timeout_seconds",
        "--idle_timeout_seconds", "--drain_notice_seconds", "--request_log_lines_per_second"}) {
    EXPECT_THAT(help.err, HasSubstr(std::string(flag).substr(2))) << flag;
  }
}

}  // namespace
}  // namespace casework::services
