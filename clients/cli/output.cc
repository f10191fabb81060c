#include "clients/cli/output.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace casework::cli {
namespace {

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Display width of UTF-8 text: one column per code point.
size_t Width(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The partnership's dates and times are Europe/London's, as the server's.
const absl::TimeZone& London() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone london;
    if (!absl::LoadTimeZone("Europe/London", &london)) london = absl::UTCTimeZone();
    return london;
  }();
  return zone;
}

v1::CivilDate ToDate(absl::CivilDay day) {
  v1::CivilDate date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

}  // namespace

void Table::Print(std::ostream& out, Output format) const {
  if (format == Output::kCsv) {
    for (size_t i = 0; i < header_.size(); ++i) out << (i ? "," : "") << CsvField(header_[i]);
    out << "\n";
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << CsvField(row[i]);
      out << "\n";
    }
    return;
  }
  std::vector<size_t> widths(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i) widths[i] = Width(header_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(widths[i] - Width(cells[i]) + 2, ' ');
    }
    out << text << "\n";
  };
  line(header_);
  for (const auto& row : rows_) line(row);
}

void PrintDeadlines(const google::protobuf::RepeatedPtrField<v1::Deadline>& deadlines,
                    std::ostream& out, Output format) {
  Table table({"deadline", "due", "state", "rule"});
  for (const v1::Deadline& d : deadlines) {
    table.Add({d.name(), FormatDate(d.due()), Words(v1::Deadline::State_Name(d.state())),
               d.explanation()});
  }
  table.Print(out, format);
}

void PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    throw std::runtime_error("cannot print " + message.GetTypeName() + " as JSON");
  }
  out << json << "\n";
}

std::string FormatDate(const v1::CivilDate& date) {
  if (date.year() == 0) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return text;
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(time.seconds()), London());
}

v1::CivilDate ParseDate(const std::string& text, const std::string& option) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), London());
  if (text == "today") return ToDate(today);
  int days = 0;
  if (text.size() >= 3 && text.size() <= 7 && (text.front() == '-' || text.front() == '+') &&
      text.back() == 'd' && absl::SimpleAtoi(text.substr(1, text.size() - 2), &days) && days >= 0) {
    return ToDate(today + (text.front() == '-' ? -days : days));
  }
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) return ToDate(day);
  throw std::invalid_argument(
      option + ": \"" + text +
      "\" is not a date (YYYY-MM-DD, today, -Nd for N days ago or +Nd for N days ahead)");
}

int ParseEnum(const google::protobuf::EnumDescriptor* type, const std::string& text,
              const std::string& option) {
  std::string upper;
  for (char c : text) upper += c == '-' || c == ' ' ? '_' : static_cast<char>(std::toupper(c));
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByName(upper);
  if (value != nullptr && value->number() != 0) return value->number();
  std::string names;
  for (int i = 1; i < type->value_count(); ++i) {
    names += (i > 1 ? ", " : "") + Words(type->value(i)->name());
  }
  throw std::invalid_argument(option + ": \"" + text + "\" is not one of: " + names);
}

std::string Words(const std::string& enum_name) {
  std::string words;
  for (char c : enum_name) words += c == '_' ? ' ' : static_cast<char>(std::tolower(c));
  return words;
}

std::string Who(const v1::Actor& actor) {
  return actor.agency() + "/" + actor.user() + " (" + actor.role() + ")";
}

std::string DescribeEvent(const v1::EventEnvelope& event) {
  const std::string& url = event.payload().type_url();
  const std::string type = url.substr(url.rfind('.') + 1);
  // "ApplicationReceived" -> "application received".
  std::string words;
  for (size_t i = 0; i < type.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(type[i]))) words += ' ';
    words += static_cast<char>(std::tolower(static_cast<unsigned char>(type[i])));
  }
  // The why, when the event says it: the generated types are linked in, so
  // the payload unpacks by its name.
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          url.substr(url.rfind('/') + 1));
  if (descriptor == nullptr) return words;
  std::unique_ptr<google::protobuf::Message> payload(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!event.payload().UnpackTo(payload.get())) return words;
  // A deadline's events carry it whole: its name says which.
  if (const google::protobuf::FieldDescriptor* d = descriptor->FindFieldByName("deadline");
      d != nullptr && !d->is_repeated() &&
      d->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
      payload->GetReflection()->HasField(*payload, d)) {
    const google::protobuf::Message& deadline = payload->GetReflection()->GetMessage(*payload, d);
    if (const google::protobuf::FieldDescriptor* n =
            deadline.GetDescriptor()->FindFieldByName("name");
        n != nullptr && n->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return words + ": " + deadline.GetReflection()->GetString(deadline, n);
    }
  }
  for (const char* field :
       {"name", "reason", "note", "summary", "channel", "officer", "agency", "text"}) {
    const google::protobuf::FieldDescriptor* f = descriptor->FindFieldByName(field);
    if (f == nullptr || f->is_repeated() ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    const std::string value = payload->GetReflection()->GetString(*payload, f);
    if (value.empty()) continue;
    words += ": " + value;
    break;
  }
  return words;
}

}  // namespace casework::cli
