#include "workflow/kernel/diagram.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace casework::workflow {
namespace {

constexpr absl::string_view kBegin = "<!-- BEGIN TRANSITIONS";
constexpr absl::string_view kEnd = "<!-- END TRANSITIONS -->";

std::string Node(absl::string_view state) {
  return state == kNewState ? "[*]" : std::string(state);
}

// [begin, end) of the block in `doc`, end just past the end marker's line.
std::optional<std::pair<size_t, size_t>> Locate(absl::string_view doc) {
  const size_t begin = doc.find(kBegin);
  if (begin == absl::string_view::npos) return std::nullopt;
  size_t end = doc.find(kEnd, begin);
  if (end == absl::string_view::npos) return std::nullopt;
  end += kEnd.size();
  if (end < doc.size() && doc[end] == '\n') ++end;
  return std::make_pair(begin, end);
}

}  // namespace

std::string TransitionsBlock(const Workflow& workflow) {
  std::string out = absl::StrCat(kBegin, ": generated from the table of workflow \"",
                                 workflow.name(),
                                 "\" by tools/workflow_docs.cc; do not edit by hand -->\n");
  absl::StrAppend(&out, "```mermaid\nstateDiagram-v2\n");
  for (const Transition& t : workflow.transitions().transitions()) {
    for (absl::string_view to : t.to) {
      absl::StrAppend(&out, "    ", Node(t.from), " --> ", Node(to), ": ", t.command, "\n");
    }
  }
  absl::StrAppend(&out, "```\n\n| from | command | to |\n|---|---|---|\n");
  for (const Transition& t : workflow.transitions().transitions()) {
    absl::StrAppend(&out, "| ", t.from == kNewState ? "(new)" : t.from, " | ", t.command, " | ",
                    absl::StrJoin(t.to, " or "), " |\n");
  }
  absl::StrAppend(&out, kEnd, "\n");
  return out;
}

std::optional<std::string> ReplaceTransitionsBlock(absl::string_view doc, absl::string_view block) {
  std::optional<std::pair<size_t, size_t>> at = Locate(doc);
  if (!at.has_value()) return std::nullopt;
  return absl::StrCat(doc.substr(0, at->first), block, doc.substr(at->second));
}

std::optional<std::string> FindTransitionsBlock(absl::string_view doc) {
  std::optional<std::pair<size_t, size_t>> at = Locate(doc);
  if (!at.has_value()) return std::nullopt;
  return std::string(doc.substr(at->first, at->second - at->first));
}

}  // namespace casework::workflow
