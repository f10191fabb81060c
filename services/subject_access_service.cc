#include "services/subject_access_service.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "privacy/sealer.h"
#include "services/access.h"
#include "services/call_context.h"
#include "services/data_protection_service.h"
#include "services/paging.h"
#include "storage/keys.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/events.h"

namespace casework::services {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kRedacted = "[redacted]";
constexpr int kEventsPage = 1000;

// The data protection logs themselves are not records about the person.
bool IsDataProtectionLog(absl::string_view stream) {
  return absl::StrContains(stream, "/erasures/") ||
         absl::StrContains(stream, "/subjectAccessRequests/");
}

absl::StatusOr<std::string> Json(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return out;
}

// "path: value" lines for every set scalar field of `message`.
void PlainLines(const Message& message, const std::string& path, std::string* out) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    const int count = f->is_repeated() ? message.GetReflection()->FieldSize(message, f) : 1;
    for (int i = 0; i < count; ++i) {
      const std::string item = f->is_repeated() ? absl::StrCat(name, "[", i, "]") : name;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const Message& child = f->is_repeated()
                                   ? message.GetReflection()->GetRepeatedMessage(message, f, i)
                                   : message.GetReflection()->GetMessage(message, f);
        PlainLines(child, item, out);
        continue;
      }
      std::string value;
      google::protobuf::TextFormat::PrintFieldValueToString(message, f, f->is_repeated() ? i : -1,
                                                            &value);
      absl::StrAppend(out, "    ", item, ": ", value, "\n");
    }
  }
}

}  // namespace

grpc::ServerUnaryReactor* SubjectAccessService::RequestSubjectAccess(
    grpc::CallbackServerContext* context, const v1::RequestSubjectAccessRequest* request,
    v1::SubjectAccessRequest* response) {
  absl::StatusOr<std::optional<std::string>> partnership =
      NewCommandPartnership(deps_, *context, request->parent(), request->request_id());
  if (!partnership.ok()) return FinishNow(context, partnership.status());
  if (partnership->has_value() && !request->reference().empty()) {
    absl::Status held = CheckSomethingHeld(
        deps_, {privacy::PersonKeyName(**partnership, request->subject(), request->reference())},
        "no personal data of that person is held (none was ever recorded, or it was erased)");
    if (!held.ok()) return FinishNow(context, held);
  }
  return RunCommand(deps_, context, workflow_, workflow::subject_access::kRequestSubjectAccess,
                    *request, response);
}

grpc::ServerUnaryReactor* SubjectAccessService::ExportSubjectData(
    grpc::CallbackServerContext* context, const v1::ExportSubjectDataRequest* request,
    v1::SubjectDataExport* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishRead(deps_, context, Export(filter, *request, response));
}

absl::Status SubjectAccessService::Export(ReadFilter& filter,
                                          const v1::ExportSubjectDataRequest& request,
                                          v1::SubjectDataExport* response) const {
  FieldErrors errors;
  std::optional<workflow::ResourceName> name =
      workflow::ParseResourceName("name", request.name(), workflow_.collection(), errors);
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(v1::SubjectAccessRequest recorded,
                   ReadVisibleState<v1::SubjectAccessRequest>(deps_, filter, workflow_,
                                                              request.name()));
  *response->mutable_request() = recorded;
  privacy::Sealer* sealer = deps_.store->sealer();
  const std::string& reference = workflow::subject_access::ReferenceOf(recorded);
  if (sealer == nullptr || reference == privacy::kErasedText) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_PERSONAL_DATA",
                           "nothing of the person is held any more (they were erased since the "
                           "request, or this server seals nothing)");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> key_id,
                   sealer->keys().LiveIdOf(privacy::PersonKeyName(
                       name->partnership, recorded.subject(), reference)));
  if (!key_id.has_value()) return absl::OkStatus();  // nothing held: an empty export
  const std::string prefix = storage::keys::PrivacyUsePrefix(*key_id);
  std::string text;
  RETURN_IF_ERROR(PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        const std::string stream = row.key.substr(prefix.size());
        if (IsDataProtectionLog(stream)) return Visit::kSkipped;
        ASSIGN_OR_RETURN(*response->add_records(), ExportRecord(stream, *key_id, &text));
        return Visit::kTaken;
      },
      response));
  response->set_text(std::move(text));
  return absl::OkStatus();
}

absl::StatusOr<v1::ExportedRecord> SubjectAccessService::ExportRecord(
    const std::string& stream, const std::string& key_id, std::string* text) const {
  v1::ExportedRecord record;
  record.set_record(stream);
  const workflow::Workflow* w = deps_.registry->ForStream(stream);
  if (w == nullptr) return record;
  std::shared_ptr<Message> state = w->NewState();
  absl::StrAppend(text, stream, "\n");
  for (int64_t next = 1;;) {
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                     deps_.store->ReadStream(stream, next, kEventsPage, /*open=*/false));
    for (v1::EventEnvelope& e : events) {
      RETURN_IF_ERROR(deps_.store->sealer()->OpenOnly(&e, key_id, kRedacted));
      ASSIGN_OR_RETURN(std::unique_ptr<Message> payload, workflow::UnpackPayload(e));
      RETURN_IF_ERROR(w->Apply(*state, e, *payload));
      v1::ExportedEvent& out = *record.add_events();
      out.set_stream_version(e.stream_version());
      *out.mutable_recorded_time() = e.recorded_time();
      *out.mutable_actor() = e.actor();
      out.set_type(payload->GetTypeName());
      ASSIGN_OR_RETURN(*out.mutable_json(), Json(*payload));
      absl::StrAppend(
          text, "  ",
          google::protobuf::util::TimeUtil::ToString(e.recorded_time()).substr(0, 10), " ",
          payload->GetDescriptor()->name(), ", recorded by ", e.actor().user(), " (",
          e.actor().agency(), ", ", e.actor().role(), ")\n");
      PlainLines(*payload, "", text);
      next = e.stream_version() + 1;
    }
    if (static_cast<int>(events.size()) < kEventsPage) break;
  }
  ASSIGN_OR_RETURN(*record.mutable_state_json(), Json(*state));
  return record;
}

}  // namespace casework::services
