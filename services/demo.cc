#include "services/demo.h"

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "services/call_context.h"

namespace casework::services {
namespace {

struct DemoAction {
  const char* title;
  const char* owner;
  int year, month, day;
  const char* source;
};

// Fictional actions in the style of a partnership action log.
constexpr DemoAction kActions[] = {
    {"Arrange a joint visit with housing to the flats on Mill Lane", "eastbrook-homes", 2026,
     12, 4, "JAG meeting November 2026"},
    {"Share the hate-crime reporting leaflet with the mosque and the synagogue",
     "eastbrook-council", 2026, 12, 11, "JAG meeting November 2026"},
    {"Review lighting and CCTV coverage of the underpass by the station", "eastbrook-council",
     2026, 11, 13, "LCDG October 2026"},
    {"Offer diversionary activities to the young people gathering at the skate park",
     "shire-police", 2027, 1, 15, "YJAG November 2026"},
};

}  // namespace

absl::Status LoadDemoPartnership(std::shared_ptr<grpc::Channel> channel) {
  auto stub = v1::ActionService::NewStub(channel);
  int i = 0;
  for (const DemoAction& a : kActions) {
    ++i;
    grpc::ClientContext context;
    context.AddMetadata(kAgencyHeader, "eastbrook-council");
    context.AddMetadata(kUserHeader, "demo-loader");
    context.AddMetadata(kRoleHeader, "system");
    v1::CreateActionRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(absl::StrCat("demo-action-", i));
    request.set_title(a.title);
    request.set_owner_agency(a.owner);
    request.mutable_due_date()->set_year(a.year);
    request.mutable_due_date()->set_month(a.month);
    request.mutable_due_date()->set_day(a.day);
    request.set_source(a.source);
    v1::ActionResponse response;
    grpc::Status status = stub->CreateAction(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("demo action ", i, ": ", status.error_message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace casework::services
