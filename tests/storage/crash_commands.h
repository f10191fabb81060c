// The commands crash_child issues, rebuilt from their request ids by
// crash_test to resubmit them.
#ifndef CASEWORK_TESTS_STORAGE_CRASH_COMMANDS_H_
#define CASEWORK_TESTS_STORAGE_CRASH_COMMANDS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.pb.h"

namespace casework::testing {

inline v1::CreateActionRequest CrashCreate(const std::string& request_id, int thread) {
  v1::CreateActionRequest r;
  r.set_parent(absl::StrCat("partnerships/crash", thread));
  r.set_request_id(request_id);
  r.set_title("Crash test action " + request_id);
  r.set_owner_agency("eastbrook-homes");
  r.mutable_due_date()->set_year(2027);
  r.mutable_due_date()->set_month(1 + thread % 12);
  r.mutable_due_date()->set_day(1 + thread % 28);
  return r;
}

inline v1::RecordProgressRequest CrashProgress(const std::string& request_id,
                                               const std::string& stream) {
  v1::RecordProgressRequest r;
  r.set_name(stream);
  r.set_request_id(request_id);
  r.set_note("Note " + request_id);
  return r;
}

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_STORAGE_CRASH_COMMANDS_H_
