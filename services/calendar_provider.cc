#include "services/calendar_provider.h"

#include "absl/strings/str_cat.h"
#include "storage/engine.h"
#include "workflow/time/calendar_workflow.h"
#include "workflow/common/status.h"

namespace casework::services {

absl::StatusOr<std::unique_ptr<CalendarProvider>> CalendarProvider::Load(
    const storage::EventStore& store) {
  ASSIGN_OR_RETURN(const workflow::Calendar* base, workflow::BundledCalendar());
  std::unique_ptr<CalendarProvider> provider(new CalendarProvider(*base));
  RETURN_IF_ERROR(provider->Refresh(store));
  return provider;
}

std::shared_ptr<const workflow::Calendar> CalendarProvider::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::Status CalendarProvider::Refresh(const storage::EventStore& store) {
  ASSIGN_OR_RETURN(storage::LoadedState loaded,
                   storage::LoadState(store, workflow::CalendarWorkflow(),
                                      workflow::kCalendarStream));
  ASSIGN_OR_RETURN(workflow::Calendar calendar,
                   workflow::ApplyAdditions(base_, workflow::kernel_internal::As<v1::CalendarAdditions>(
                                                       *loaded.state)));
  absl::MutexLock lock(&mu_);
  if (current_ == nullptr || calendar.version() >= current_->version()) {
    current_ = std::make_shared<const workflow::Calendar>(std::move(calendar));
  }
  return absl::OkStatus();
}

}  // namespace casework::services
