// What casectl prints: aligned tables for people, CSV and protobuf's JSON
// mapping for scripts; dates in and out.
#ifndef CASEWORK_CLIENTS_CLI_OUTPUT_H_
#define CASEWORK_CLIENTS_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "casework/v1/common.pb.h"
#include "casework/v1/deadlines.pb.h"
#include "casework/v1/events.pb.h"
#include "clients/cli/client.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace casework::cli {

// Rows under a header: aligned columns, or CSV (RFC 4180 quoting) with the
// header as its first row.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out, Output format) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A case's deadlines: name, due date, state and the rule's explanation.
void PrintDeadlines(const google::protobuf::RepeatedPtrField<v1::Deadline>& deadlines,
                    std::ostream& out, Output format);

// `message` in protobuf's JSON mapping (field names as in the .proto), one
// line per message.
void PrintJson(const google::protobuf::Message& message, std::ostream& out);

// "2026-11-20"; empty for an unset date.
std::string FormatDate(const v1::CivilDate& date);
// "2026-11-20 14:05" in Europe/London; empty when unset.
std::string FormatTime(const google::protobuf::Timestamp& time);

// A date as typed: "2026-11-20", "today", or a number of days before or
// after today ("-3d", "+14d"). Throws std::invalid_argument naming `option` otherwise.
v1::CivilDate ParseDate(const std::string& text, const std::string& option);

// The number of the value of `type` named `text` in any case ("police" for
// POLICE). Throws std::invalid_argument naming `option` and the values
// otherwise.
int ParseEnum(const google::protobuf::EnumDescriptor* type, const std::string& text,
              const std::string& option);

// An event in plain words: "application received", with the payload's
// reason, note, summary or channel when it has one.
std::string DescribeEvent(const v1::EventEnvelope& event);

// "eastbrook-council/u1 (caseworker)".
std::string Who(const v1::Actor& actor);

// The enum value's name without the type's prefix, in lower case with
// spaces: THRESHOLD_MET -> "threshold met".
std::string Words(const std::string& enum_name);

}  // namespace casework::cli

#endif  // CASEWORK_CLIENTS_CLI_OUTPUT_H_
