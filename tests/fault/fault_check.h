// The fault harness's verdict on a data directory after its rounds: every
// acknowledged command exactly once and where it was acknowledged, each
// due timer fired once, everything derived equal to a fold of the log, and,
// when sealed, every key the data used live and bound to its name.
#ifndef CASEWORK_TESTS_FAULT_FAULT_CHECK_H_
#define CASEWORK_TESTS_FAULT_FAULT_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

namespace casework::fault {

// An acknowledged command: request id kind + "-" + id, and the log
// position its reply named.
struct Ack {
  char kind;  // 'c' complaint, 'a' action
  std::string id;
  uint64_t first_position;
};

struct CheckCounts {
  int lost = 0;
  int duplicated = 0;
  int mismatched = 0;
};

// Opens `data_dir` (with the key store beside it and `master_key_file`
// when that is not empty) and checks it against `acks`; each problem is
// also a line on stderr. Exits the harness if the directory cannot be
// opened.
CheckCounts CheckDataDirectory(const std::string& data_dir, const std::string& master_key_file,
                               const std::vector<Ack>& acks);

}  // namespace casework::fault

#endif  // CASEWORK_TESTS_FAULT_FAULT_CHECK_H_
