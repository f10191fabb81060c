// The action's read-model rows and its reply.
#include "absl/strings/str_cat.h"
#include "workflow/actions/internal.h"
#include "workflow/common/validation.h"

namespace casework::workflow::actions {
namespace {

constexpr absl::string_view kCollection = "actions";

std::string StateLabel(v1::Action::State state) {
  if (state == v1::Action::STATE_UNSPECIFIED) return std::string(kNewState);
  return v1::Action::State_Name(state);
}

}  // namespace

void ActionRows(absl::string_view stream, const State& a, std::vector<Row>* rows) {
  if (a.state() == v1::Action::STATE_UNSPECIFIED) return;
  std::optional<ResourceName> name = ResourceNameOf(a.name(), kCollection);
  if (!name) return;
  const std::string n = SortableNumber(name->number);
  const std::string& p = name->partnership;
  rows->push_back({absl::StrCat(ActionRowPrefix(p, "state"), StateLabel(a.state()), "/", n), ""});
  rows->push_back({absl::StrCat(ActionRowPrefix(p, "owner"), a.owner_agency(), "/", n), ""});
  if (a.state() == v1::Action::OPEN) {
    rows->push_back({absl::StrCat(ActionRowPrefix(p, "due"), FormatDate(a.due_date()), "/", n), ""});
  }
  if (!a.source().empty()) {
    rows->push_back({absl::StrCat(ActionSourcePrefix(p, a.source()), n), ""});
  }
}

std::string ActionSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return std::string(stream);
  return absl::StrCat(ActionRowPrefix(name->partnership, "all"), SortableNumber(name->number));
}

void NoteRows(absl::string_view stream, const v1::ActionProgressRecorded& e,
              const v1::EventEnvelope& env, std::vector<Row>* rows) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return;
  rows->push_back(MessageRow(absl::StrCat(ActionNotesPrefix(name->partnership, name->number),
                                          SortableNumber(env.stream_version())),
                             NoteOf(e, env)));
}

std::string ActionNotesPrefix(absl::string_view partnership, int64_t number) {
  return absl::StrCat(ActionRowPrefix(partnership, "notes"), SortableNumber(number), "/");
}

v1::ActionResponse ActionReply(const State& a, const v1::CommitInfo& commit) {
  v1::ActionResponse reply;
  *reply.mutable_action() = a;
  *reply.mutable_commit() = commit;
  return reply;
}

std::string ActionRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat("actions/", partnership, "/", index, "/");
}

std::string ActionSourcePrefix(absl::string_view partnership, absl::string_view source) {
  return absl::StrCat(ActionRowPrefix(partnership, "source"), EscapeKeyPart(source), "/");
}

std::string ActionStream(absl::string_view partnership, int64_t number) {
  return FormatResourceName(partnership, kCollection, number);
}

}  // namespace casework::workflow::actions
