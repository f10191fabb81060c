// Table examples of the erasure log.
#include "tests/workflow/examples.h"
#include "workflow/erasures/commands.h"

namespace casework::testing {

WorkflowExamples ErasureExamples() {
  using namespace workflow::erasures;  // NOLINT(build/namespaces)
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/erasures/1";
  v1::EraseSubjectRequest erase;
  erase.set_parent("partnerships/eastbrook");
  erase.set_request_id("ex-erase");
  erase.set_subject(v1::COMPLAINANT);
  erase.set_reference("cmp-4471");
  erase.set_legal_basis("UK GDPR Art. 17(1)(a): no longer necessary");
  ex.requests[std::string(kEraseSubject.name)] = Fixed(erase);
  v1::ReapplyErasureRequest reapply;
  reapply.set_parent("partnerships/eastbrook");
  reapply.set_request_id("ex-reapply");
  reapply.set_key_id("0123456789abcdef0123456789abcdef");
  reapply.set_legal_basis("UK GDPR Art. 17(1)(a): no longer necessary");
  ex.requests[std::string(kReapplyErasure.name)] = Fixed(reapply);
  ex.paths["ERASED"] = {{std::string(kEraseSubject.name), ex.requests[std::string(kEraseSubject.name)]}};
  return ex;
}

}  // namespace casework::testing
