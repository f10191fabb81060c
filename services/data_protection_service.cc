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

absl::Status DataProtectionService::CheckSomethingHeld(
    const v1::EraseSubjectRequest& request) const {
  privacy::Sealer* sealer = deps_.store->sealer();
  if (sealer == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "SEALING_NOT_CONFIGURED",
                           "this server seals no personal data (it was started without "
                           "--master_key_file), so it cannot erase any: nothing was recorded");
  }
  // The erasure the command would record, to name its keys.
  const v1::Erasure erasure = workflow::erasures::ErasureOf(request);
  FieldErrors ignored;
  const std::string partnership =
      workflow::ParsePartnershipName("parent", request.parent(), ignored).value_or("");
  for (const std::string& name : storage::ErasureKeyNames(partnership, erasure)) {
    ASSIGN_OR_RETURN(std::optional<std::string> id, sealer->keys().LiveIdOf(name));
    if (id.has_value()) return absl::OkStatus();
  }
  return ErrorWithReason(absl::StatusCode::kNotFound, "NO_PERSONAL_DATA",
                         request.record().empty()
                             ? "no personal data of that person is held (none was ever "
                               "recorded, or it was erased already)"
                             : absl::StrCat("no personal data of ", request.record(),
                                            " is held (none was recorded, or it was erased "
                                            "already)"));
}

grpc::ServerUnaryReactor* DataProtectionService::EraseSubject(
    grpc::CallbackServerContext* context, const v1::EraseSubjectRequest* request,
    v1::Erasure* response) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishNow(context, actor.status());
  // A retry of a recorded erasure is answered by the engine from its
  // record; only a new one needs something to erase.
  absl::StatusOr<std::optional<internal::RequestRecord>> prior =
      deps_.store->GetRequest(storage::keys::RequestKey(actor->agency(), request->request_id()));
  if (!prior.ok()) return FinishNow(context, prior.status());
  if (!prior->has_value() && !request->request_id().empty()) {
    FieldErrors errors;
    workflow::ParsePartnershipName("parent", request->parent(), errors);
    if (errors.empty()) {
      if (absl::Status held = CheckSomethingHeld(*request); !held.ok()) {
        return FinishNow(context, held);
      }
    }
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
