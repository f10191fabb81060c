// Writes each registered workflow's state diagram into its doc, between the
// marker lines of the generated block (workflow/kernel/diagram.h):
//
//   casework-workflow-docs SOURCE_DIR          rewrite the blocks
//   casework-workflow-docs --check SOURCE_DIR  exit 1 if any block is stale
//
// The table test suite runs the check (tests/workflow/kernel/docs_test.cc).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "workflow/kernel/diagram.h"
#include "workflow/registry.h"

int main(int argc, char** argv) {
  bool check = false;
  std::string root;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0) {
      check = true;
    } else {
      root = argv[i];
    }
  }
  if (root.empty()) {
    std::fprintf(stderr, "usage: casework-workflow-docs [--check] SOURCE_DIR\n");
    return 2;
  }
  int stale = 0;
  for (const casework::workflow::Workflow* w : casework::workflow::Workflows().workflows()) {
    if (w->info().doc.empty()) continue;
    const std::string path = root + "/" + std::string(w->info().doc);
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "%s: cannot read\n", path.c_str());
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    std::optional<std::string> updated =
        casework::workflow::ReplaceTransitionsBlock(doc, casework::workflow::TransitionsBlock(*w));
    if (!updated.has_value()) {
      std::fprintf(stderr, "%s: no generated transitions block (add the two marker lines)\n",
                   path.c_str());
      return 1;
    }
    if (*updated == doc) continue;
    ++stale;
    if (check) {
      std::printf("%s: the state diagram is stale\n", path.c_str());
    } else {
      std::ofstream(path) << *updated;
      std::printf("%s: updated\n", path.c_str());
    }
  }
  return check && stale > 0 ? 1 : 0;
}
