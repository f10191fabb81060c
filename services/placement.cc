#include "services/placement.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

absl::StatusOr<Placement> Placement::Load(const std::string& file, const std::string& instance) {
  std::ifstream in(file);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--placement: cannot read ", file));
  std::stringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(Placement placement, Parse(text.str(), instance, file));
  placement.file_ = file;
  return placement;
}

absl::Status Placement::Reload() {
  if (file_.empty()) return absl::FailedPreconditionError("the placement was not read from a file");
  ASSIGN_OR_RETURN(Placement next, Load(file_, instance_));
  std::atomic_store(&homes_, next.homes());
  return absl::OkStatus();
}

absl::StatusOr<Placement> Placement::Parse(absl::string_view text, const std::string& instance,
                                           const std::string& origin) {
  Placement placement;
  placement.instance_ = instance;
  auto homes = std::make_shared<Homes>();
  std::set<std::string> instances;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    FieldErrors ignored;
    if (words.size() != 3 ||
        !workflow::ParsePartnershipName("", absl::StrCat("partnerships/", words[0]), ignored)) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":", line_number,
                       ": expected \"PARTNERSHIP INSTANCE HOST:PORT\", e.g. \"eastbrook "
                       "casework-a 10.0.0.11:50051\""));
    }
    if (!homes->emplace(words[0], Home{words[1], words[2]}).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":", line_number, ": partnership ", words[0], " is placed twice"));
    }
    instances.insert(words[1]);
  }
  if (instances.count(instance) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--instance: ", origin, " places no partnership on instance \"", instance,
                     "\" (it names ", absl::StrJoin(instances, ", "), ")"));
  }
  placement.homes_ = std::move(homes);
  return placement;
}

std::vector<std::string> Placement::owned() const {
  std::vector<std::string> owned;
  for (const auto& [partnership, home] : *homes()) {
    if (home.instance == instance_) owned.push_back(partnership);
  }
  return owned;
}

bool Placement::Owns(absl::string_view partnership) const {
  const std::shared_ptr<const Homes> homes = this->homes();
  auto it = homes->find(partnership);
  return it != homes->end() && it->second.instance == instance_;
}

std::optional<Placement::Refusal> Placement::RefusalFor(absl::string_view partnership) const {
  const std::shared_ptr<const Homes> homes = this->homes();
  auto it = homes->find(partnership);
  if (it == homes->end()) {
    return Refusal{"PARTNERSHIP_NOT_PLACED",
                   absl::StrCat("partnership ", partnership,
                                " is held by no instance of this deployment")};
  }
  if (it->second.instance == instance_) return std::nullopt;
  return Refusal{"PARTNERSHIP_ELSEWHERE",
                 absl::StrCat("partnership ", partnership, " is held by instance ",
                              it->second.instance, " (", it->second.address, "), not by ",
                              instance_, ": send its calls there, or through the proxy with the "
                              "header ", kPartnershipHeader, ": ", partnership)};
}

absl::Status Placement::Check(absl::string_view partnership) const {
  std::optional<Refusal> refusal = RefusalFor(partnership);
  if (!refusal.has_value()) return absl::OkStatus();
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition, refusal->reason, refusal->message);
}

std::string PartnershipOfRequest(const google::protobuf::Message& request) {
  for (const char* name : {"parent", "name"}) {
    const google::protobuf::FieldDescriptor* field =
        request.GetDescriptor()->FindFieldByName(name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    std::string scratch;
    absl::string_view value = request.GetReflection()->GetStringReference(request, field, &scratch);
    if (!absl::ConsumePrefix(&value, "partnerships/")) continue;
    return std::string(value.substr(0, std::min(value.find('/'), value.size())));
  }
  return "";
}

}  // namespace casework::services
