// The action commands' own field rules.
#include "workflow/actions/internal.h"
#include "workflow/common/validation.h"

namespace casework::workflow::actions {
namespace {

constexpr size_t kMaxTitle = 500;
constexpr size_t kMaxNote = 4000;

}  // namespace

void ValidateCreate(const v1::CreateActionRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("title", r.title(), true, kMaxTitle, errors);
  CheckId("owner_agency", r.owner_agency(), errors);
  CheckDate("due_date", r.due_date(), errors);
  CheckText("source", r.source(), false, kMaxTitle, errors);
}

void ValidateProgress(const v1::RecordProgressRequest& r, const ValidateContext&,
                      FieldErrors& errors) {
  CheckText("note", r.note(), true, kMaxNote, errors);
}

void ValidateDueDate(const v1::ChangeDueDateRequest& r, const ValidateContext&,
                     FieldErrors& errors) {
  CheckDate("due_date", r.due_date(), errors);
  CheckText("reason", r.reason(), true, kMaxNote, errors);
}

void ValidateComplete(const v1::CompleteActionRequest& r, const ValidateContext&,
                      FieldErrors& errors) {
  CheckText("note", r.note(), true, kMaxNote, errors);
}

void ValidateCancel(const v1::CancelActionRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxNote, errors);
}

void ValidateReopen(const v1::ReopenActionRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxNote, errors);
}

void ValidateHold(const v1::PutActionOnHoldRequest& r, const ValidateContext&,
                  FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxNote, errors);
}

void ValidateResume(const v1::ResumeActionRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("note", r.note(), false, kMaxNote, errors);
}

}  // namespace casework::workflow::actions
