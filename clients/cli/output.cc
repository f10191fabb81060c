#include "clients/cli/output.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <stdexcept>

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

v1::CivilDate FromTm(const std::tm& tm) {
  v1::CivilDate date;
  date.set_year(tm.tm_year + 1900);
  date.set_month(tm.tm_mon + 1);
  date.set_day(tm.tm_mday);
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
  // The partnership works in Europe/London.
  static const bool tz_set = [] { return setenv("TZ", "Europe/London", 0) == 0; }();
  (void)tz_set;
  tzset();
  const std::time_t seconds = static_cast<std::time_t>(time.seconds());
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
  return text;
}

v1::CivilDate ParseDate(const std::string& text, const std::string& option) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  if (text == "today") return FromTm(tm);
  if (text.size() >= 3 && (text.front() == '-' || text.front() == '+') && text.back() == 'd') {
    const std::string days = text.substr(1, text.size() - 2);
    if (std::all_of(days.begin(), days.end(), ::isdigit) && days.size() <= 5) {
      tm.tm_mday += (text.front() == '-' ? -1 : 1) * std::stoi(days);
      tm.tm_hour = 12;  // clear of any clock change
      std::mktime(&tm);
      return FromTm(tm);
    }
  }
  int y = 0, m = 0, d = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &rest) == 3) {
    v1::CivilDate date;
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
    return date;
  }
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
