// Request validation, resource-name and row-key helpers shared by every
// workflow.
//
// Each helper checks one field against one rule and records a violation in a
// FieldErrors, so a request with several mistakes is answered with all of them
// at once.
#ifndef CASEWORK_WORKFLOW_COMMON_VALIDATION_H_
#define CASEWORK_WORKFLOW_COMMON_VALIDATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "casework/v1/common.pb.h"
#include "workflow/common/status.h"

namespace casework::workflow {

// Longest caller-supplied value echoed in an error message, in bytes.
inline constexpr size_t kMaxEchoedBytes = 64;

// `value` in double quotes for an error message: at most kMaxEchoedBytes of
// it, with quotes, backslashes, control and non-ASCII bytes escaped (C
// style), and "... (N bytes)" after the closing quote when it was cut. A
// message never carries a caller's long or multi-line input back.
std::string Quoted(absl::string_view value);

// Identifiers of partnerships and agencies: 1-40 characters of a-z, 0-9 and
// '-', starting with a letter, e.g. "eastbrook", "shire-police".
bool IsValidId(absl::string_view id);

// Records "required" or "format" violations for an identifier field.
void CheckId(absl::string_view field, absl::string_view value, FieldErrors& errors);

// request_id: required, 1-128 printable ASCII characters.
void CheckRequestId(absl::string_view value, FieldErrors& errors);

// Free text: required when `required`, at most `max_chars` bytes.
void CheckText(absl::string_view field, absl::string_view value, bool required,
               size_t max_chars, FieldErrors& errors);

// A repeated field: at most `max_items` items ("count" violation).
// Returns false (so callers skip checking each item) when there are more.
bool CheckCount(absl::string_view field, int items, int max_items, FieldErrors& errors);

// A reference from another system (complainant, source, incident,
// perpetrator, locality): required when `required`, at most kMaxReference
// bytes of printable ASCII.
inline constexpr size_t kMaxReference = 100;
void CheckReference(absl::string_view field, absl::string_view value, bool required,
                    FieldErrors& errors);

// A civil date: all of year (1900-2999), month and day set and valid.
// Returns the date when valid.
std::optional<absl::CivilDay> CheckDate(absl::string_view field,
                                        const v1::CivilDate& date,
                                        FieldErrors& errors);

// CheckDate, and not after `today` ("not_future": "must not be after today
// (2026-11-02)"). Returns the date when valid and not after today.
std::optional<absl::CivilDay> CheckPastDate(absl::string_view field, const v1::CivilDate& date,
                                            absl::CivilDay today, FieldErrors& errors);

// Converts between CivilDate and absl::CivilDay.
absl::CivilDay ToCivilDay(const v1::CivilDate& date);
v1::CivilDate ToCivilDate(absl::CivilDay day);
// "2024-05-14".
std::string FormatDate(const v1::CivilDate& date);

// "partnerships/{p}" -> p, recording a violation on `field` otherwise.
std::optional<std::string> ParsePartnershipName(absl::string_view field,
                                                absl::string_view name,
                                                FieldErrors& errors);

// A resource name "partnerships/{p}/{collection}/{number}".
struct ResourceName {
  std::string partnership;
  int64_t number = 0;
};
std::optional<ResourceName> ParseResourceName(absl::string_view field,
                                              absl::string_view name,
                                              absl::string_view collection,
                                              FieldErrors& errors);
// The resource name `name` of `collection`, or nullopt: for names the
// engine already checked (streams, stored links), where there is no caller
// to report a violation to.
std::optional<ResourceName> ResourceNameOf(absl::string_view name, absl::string_view collection);
std::string FormatResourceName(absl::string_view partnership,
                               absl::string_view collection, int64_t number);

// Zero-padded decimal so that keys sort in numeric order.
std::string SortableNumber(int64_t number);

// The partnership of a stream "partnerships/{p}/...", or empty for a stream
// outside partnerships.
absl::string_view PartnershipOfStream(absl::string_view stream);

// Escapes '/' and '%' so that a caller-supplied reference is one key segment.
std::string EscapeKeyPart(absl::string_view part);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_COMMON_VALIDATION_H_
