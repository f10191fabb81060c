// Many partnerships, many machines: which partnerships this caseworkd
// instance holds, and which instance holds each of the others
// (docs/scaling.md).
//
// Each partnership's data is independent (its own policy, cases and
// figures), so a partnership is the unit of placement. Every instance reads
// the same placement file, one line per partnership:
//
//   # partnership  instance     address
//   eastbrook      casework-a   10.0.0.11:50051
//   westmoor       casework-b   10.0.0.12:50051
//
// and is told its own name (caseworkd --placement=FILE --instance=NAME). A
// call naming a partnership it does not hold (in its parent or name) is
// refused with FAILED_PRECONDITION: reason PARTNERSHIP_ELSEWHERE naming the
// instance and address that holds it, or PARTNERSHIP_NOT_PLACED when the
// file places it nowhere. Callers reach the right instance through a proxy
// that routes on the x-casework-partnership header
// (deploy/nginx/casework-partnerships.conf).
//
// The file is read again on SIGHUP (Reload): a partnership being moved is
// first placed nowhere, so that nothing on any instance writes to it
// (docs/scaling.md, "Moving a partnership").
#ifndef CASEWORK_SERVICES_PLACEMENT_H_
#define CASEWORK_SERVICES_PLACEMENT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace casework::services {

// The header a caller sets to the partnership its call is for, which the
// proxy routes on: "x-casework-partnership: eastbrook".
inline constexpr char kPartnershipHeader[] = "x-casework-partnership";

class Placement {
 public:
  struct Home {
    std::string instance;
    std::string address;
  };

  // Reads the placement file; `instance` must be named in it. INVALID_ARGUMENT
  // naming the file and line for a malformed line, a partnership placed
  // twice or an unknown instance.
  static absl::StatusOr<Placement> Load(const std::string& file, const std::string& instance);
  static absl::StatusOr<Placement> Parse(absl::string_view text, const std::string& instance,
                                         const std::string& origin);

  // Reads the file Load read again and, if it is valid, holds what it says
  // from then on; otherwise keeps what it held and says why. Thread-safe:
  // a call being checked sees the old placement or the new one, whole.
  absl::Status Reload();

  const std::string& instance() const { return instance_; }
  // The partnerships this instance holds, sorted.
  std::vector<std::string> owned() const;
  bool Owns(absl::string_view partnership) const;
  // Why a call for `partnership` is refused here (its ErrorInfo reason and
  // message), or nullopt when this instance holds it.
  struct Refusal {
    std::string reason;
    std::string message;
  };
  std::optional<Refusal> RefusalFor(absl::string_view partnership) const;
  // OK if this instance holds `partnership`, else the refusal as
  // FAILED_PRECONDITION.
  absl::Status Check(absl::string_view partnership) const;

 private:
  using Homes = std::map<std::string, Home, std::less<>>;
  std::shared_ptr<const Homes> homes() const { return std::atomic_load(&homes_); }

  std::string instance_;
  std::string file_;  // what Load read; empty after Parse
  std::shared_ptr<const Homes> homes_;  // replaced whole (std::atomic_load/store)
};

// The partnership a casework request is for: the "{p}" of its "parent" or
// "name" field ("partnerships/{p}/..."); empty when it names none (the
// global log, the calendar).
std::string PartnershipOfRequest(const google::protobuf::Message& request);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_PLACEMENT_H_
