#include "workflow/common/validation.h"

#include "absl/strings/match.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace casework::workflow {

std::string Quoted(absl::string_view value) {
  const bool cut = value.size() > kMaxEchoedBytes;
  std::string out = absl::StrCat("\"", absl::CHexEscape(value.substr(0, kMaxEchoedBytes)), "\"");
  if (cut) absl::StrAppend(&out, "... (", value.size(), " bytes)");
  return out;
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  if (id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

void CheckId(absl::string_view field, absl::string_view value, FieldErrors& errors) {
  if (value.empty()) {
    errors.Add(std::string(field), "required", "is required");
  } else if (!IsValidId(value)) {
    errors.Add(std::string(field), "format",
               absl::StrCat(Quoted(value),
                            " must be 1-40 characters of a-z, 0-9 and '-', "
                            "starting with a letter"));
  }
}

void CheckRequestId(absl::string_view value, FieldErrors& errors) {
  if (value.empty()) {
    errors.Add("request_id", "required",
               "is required on every mutating call (reuse it only to retry)");
    return;
  }
  if (value.size() > 128) {
    errors.Add("request_id", "length", "must be at most 128 characters");
    return;
  }
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) {
      errors.Add("request_id", "format", "must be printable ASCII without spaces");
      return;
    }
  }
}

void CheckText(absl::string_view field, absl::string_view value, bool required,
               size_t max_chars, FieldErrors& errors) {
  if (required && value.empty()) {
    errors.Add(std::string(field), "required", "is required");
  } else if (value.size() > max_chars) {
    errors.Add(std::string(field), "length",
               absl::StrCat("must be at most ", max_chars, " characters, got ",
                            value.size()));
  }
}

bool CheckCount(absl::string_view field, int items, int max_items, FieldErrors& errors) {
  if (items <= max_items) return true;
  errors.Add(std::string(field), "count",
             absl::StrCat("must have at most ", max_items, " items, got ", items));
  return false;
}

void CheckReference(absl::string_view field, absl::string_view value, bool required,
                    FieldErrors& errors) {
  if (value.empty()) {
    if (required) errors.Add(std::string(field), "required", "is required");
    return;
  }
  if (value.size() > kMaxReference) {
    errors.Add(std::string(field), "length",
               absl::StrCat("must be at most ", kMaxReference, " characters, got ",
                            value.size()));
    return;
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) {
      errors.Add(std::string(field), "format", "must be printable ASCII");
      return;
    }
  }
}

std::optional<absl::CivilDay> CheckDate(absl::string_view field,
                                        const v1::CivilDate& date,
                                        FieldErrors& errors) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    errors.Add(std::string(field), "required", "is required");
    return std::nullopt;
  }
  if (date.year() < 1900 || date.year() > 2999) {
    errors.Add(absl::StrCat(field, ".year"), "range",
               absl::StrCat("must be between 1900 and 2999, got ", date.year()));
    return std::nullopt;
  }
  if (date.month() < 1 || date.month() > 12) {
    errors.Add(absl::StrCat(field, ".month"), "range",
               absl::StrCat("must be between 1 and 12, got ", date.month()));
    return std::nullopt;
  }
  absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.day() < 1 || day.day() != date.day()) {
    errors.Add(absl::StrCat(field, ".day"), "range",
               absl::StrFormat("%04d-%02d has no day %d", date.year(),
                               date.month(), date.day()));
    return std::nullopt;
  }
  return day;
}

absl::CivilDay ToCivilDay(const v1::CivilDate& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

v1::CivilDate ToCivilDate(absl::CivilDay day) {
  v1::CivilDate date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string FormatDate(const v1::CivilDate& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::optional<std::string> ParsePartnershipName(absl::string_view field,
                                                absl::string_view name,
                                                FieldErrors& errors) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (name.empty()) {
    errors.Add(std::string(field), "required", "is required (partnerships/{partnership})");
    return std::nullopt;
  }
  if (parts.size() != 2 || parts[0] != "partnerships" || !IsValidId(parts[1])) {
    errors.Add(std::string(field), "format",
               absl::StrCat(Quoted(name), " is not of the form partnerships/{partnership}"));
    return std::nullopt;
  }
  return std::string(parts[1]);
}

std::optional<ResourceName> ParseResourceName(absl::string_view field,
                                              absl::string_view name,
                                              absl::string_view collection,
                                              FieldErrors& errors) {
  if (name.empty()) {
    errors.Add(std::string(field), "required",
               absl::StrCat("is required (partnerships/{partnership}/", collection,
                            "/{number})"));
    return std::nullopt;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  ResourceName out;
  auto all_digits = [](absl::string_view s) {
    return !s.empty() && s.size() <= 18 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (parts.size() != 4 || parts[0] != "partnerships" || !IsValidId(parts[1]) ||
      parts[2] != collection || !all_digits(parts[3]) || parts[3][0] == '0' ||
      !absl::SimpleAtoi(parts[3], &out.number)) {
    errors.Add(std::string(field), "format",
               absl::StrCat(Quoted(name), " is not of the form partnerships/{partnership}/",
                            collection, "/{number}"));
    return std::nullopt;
  }
  out.partnership = std::string(parts[1]);
  return out;
}

std::string FormatResourceName(absl::string_view partnership,
                               absl::string_view collection, int64_t number) {
  return absl::StrCat("partnerships/", partnership, "/", collection, "/", number);
}

std::string SortableNumber(int64_t number) {
  return absl::StrFormat("%012d", number);
}

absl::string_view PartnershipOfStream(absl::string_view stream) {
  constexpr absl::string_view kPrefix = "partnerships/";
  if (!absl::StartsWith(stream, kPrefix)) return {};
  stream.remove_prefix(kPrefix.size());
  return stream.substr(0, stream.find('/'));
}

std::string EscapeKeyPart(absl::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (char c : part) {
    if (c == '%') {
      out += "%25";
    } else if (c == '/') {
      out += "%2F";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<absl::CivilDay> CheckPastDate(absl::string_view field, const v1::CivilDate& date,
                                            absl::CivilDay today, FieldErrors& errors) {
  std::optional<absl::CivilDay> day = CheckDate(field, date, errors);
  if (!day || *day <= today) return day;
  errors.Add(std::string(field), "not_future",
             absl::StrCat("must not be after today (", FormatDate(ToCivilDate(today)), ")"));
  return std::nullopt;
}

std::optional<ResourceName> ResourceNameOf(absl::string_view name, absl::string_view collection) {
  FieldErrors ignored;
  return ParseResourceName("name", name, collection, ignored);
}

}  // namespace casework::workflow
