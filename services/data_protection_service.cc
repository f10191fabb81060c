#include "services/data_protection_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/call_context.h"
#include "services/paging.h"
#include "storage/erasure.h"
#include "storage/keys.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

absl::Status CheckSomethingHeld(const ServiceDeps& deps, const std::vector<std::string>& names,
                                const std::string& nothing_held) {
  privacy::Sealer* sealer = deps.store->sealer();
  if (sealer == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "SEALING_NOT_CONFIGURED",
                           "this server seals no personal data (it was started without "
                           "--master_key_file), so it keeps no data subject's keys: nothing was "
                           "recorded");
  }
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(std::optional<std::string> id, sealer->keys().LiveIdOf(name));
    if (id.has_value()) return absl::OkStatus();
  }
  return ErrorWithReason(absl::StatusCode::kNotFound, "NO_PERSONAL_DATA", nothing_held);
}

absl::StatusOr<std::optional<std::string>> NewCommandPartnership(
    const ServiceDeps& deps, const grpc::ServerContextBase& context, absl::string_view parent,
    const std::string& request_id) {
  ASSIGN_OR_RETURN(v1::Actor actor, ActorFromMetadata(context));
  if (request_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::optional<internal::RequestRecord> prior,
                   deps.store->GetRequest(storage::keys::RequestKey(actor.agency(), request_id)));
  if (prior.has_value()) return std::optional<std::string>();
  FieldErrors ignored;
  return workflow::ParsePartnershipName("parent", parent, ignored);
}

grpc::ServerUnaryReactor* DataProtectionService::EraseSubject(
    grpc::CallbackServerContext* context, const v1::EraseSubjectRequest* request,
    v1::Erasure* response) {
  // Only a new erasure needs something to erase.
  absl::StatusOr<std::optional<std::string>> partnership =
      NewCommandPartnership(deps_, *context, request->parent(), request->request_id());
  if (!partnership.ok()) return FinishNow(context, partnership.status());
  if (partnership->has_value()) {
    const std::string nothing =
        request->record().empty()
            ? "no personal data of that person is held (none was ever recorded, or it was "
              "erased already)"
            : absl::StrCat("no personal data of ", request->record(),
                           " is held (none was recorded, or it was erased already)");
    absl::Status held = CheckSomethingHeld(
        deps_, storage::ErasureKeyNames(**partnership, workflow::erasures::ErasureOf(*request)),
        nothing);
    if (!held.ok()) return FinishNow(context, held);
  }
  return RunCommand(deps_, context, workflow_, workflow::erasures::kEraseSubject, *request,
                    response);
}

grpc::ServerUnaryReactor* DataProtectionService::GetErasure(grpc::CallbackServerContext* context,
                                                            const v1::GetErasureRequest* request,
                                                            v1::Erasure* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response);
}

grpc::ServerUnaryReactor* DataProtectionService::ListErasures(
    grpc::CallbackServerContext* context, const v1::ListErasuresRequest* request,
    v1::ListErasuresResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request->parent(), errors);
  const PageRequest page = CheckPage(*request, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  return FinishNow(
      context,
      PageRows(
          *deps_.store, workflow::erasures::ErasureRowPrefix(*partnership), page,
          [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
            if (!response->add_erasures()->ParseFromString(row.value)) {
              return absl::DataLossError(absl::StrCat("corrupt erasure row ", row.key));
            }
            return Visit::kTaken;
          },
          response));
}

}  // namespace casework::services
