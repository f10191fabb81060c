// caseworkd's offline modes, run on a stopped server's data directory
// instead of serving: --verify, --rebuild, --compact, --backup,
// --restore_from, --rotate_master_key, and moving a partnership
// (--export_partnership, --import_partnership; docs/scaling.md). Also the
// exit codes and helpers the server's start shares with them.
#ifndef CASEWORK_SERVICES_CASEWORKD_OFFLINE_H_
#define CASEWORK_SERVICES_CASEWORKD_OFFLINE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace casework::caseworkd {

// Exit codes (caseworkd.cc lists them for operators).
inline constexpr int kExitOther = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDataDir = 3;
inline constexpr int kExitNoSpace = 4;
inline constexpr int kExitListen = 5;

// The exit code for a failed start, from the error's reason.
int ExitCodeOf(const absl::Status& status);
// One line on stderr for a failed start; returns its exit code.
int StartFailed(const absl::Status& status);
uint64_t Mebibytes(int64_t mb);
// --key_store, or the default beside `data_dir`.
std::string KeyStorePath(const std::string& data_dir);

// True when the command line asks for an offline mode; RunOffline runs it
// and returns the process's exit code.
bool OfflineModeRequested();
int RunOffline(const std::string& data_dir);

}  // namespace casework::caseworkd

#endif  // CASEWORK_SERVICES_CASEWORKD_OFFLINE_H_
