#include "services/paging.h"

#include <openssl/sha.h>

#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace casework::services {

namespace {

constexpr size_t kTypeBytes = 4;
constexpr size_t kBindingBytes = 8;
constexpr size_t kCheckBytes = 4;

std::string Sha256(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// The type prefix and binding of `request`'s tokens.
std::string BindingOf(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> filter(request.New());
  filter->CopyFrom(request);
  const google::protobuf::Descriptor* type = request.GetDescriptor();
  for (const char* field : {"page_size", "page_token"}) {
    if (const google::protobuf::FieldDescriptor* f = type->FindFieldByName(field)) {
      filter->GetReflection()->ClearField(filter.get(), f);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    filter->SerializeToCodedStream(&out);
  }
  return absl::StrCat(Sha256(type->full_name()).substr(0, kTypeBytes),
                      Sha256(bytes).substr(0, kBindingBytes));
}

}  // namespace

PageRequest CheckPage(const google::protobuf::Message& request, FieldErrors& errors) {
  const google::protobuf::Descriptor* type = request.GetDescriptor();
  const google::protobuf::Reflection* reflection = request.GetReflection();
  const google::protobuf::FieldDescriptor* size_field = type->FindFieldByName("page_size");
  const google::protobuf::FieldDescriptor* token_field = type->FindFieldByName("page_token");
  const int page_size = size_field ? reflection->GetInt32(request, size_field) : 0;
  const std::string token = token_field ? reflection->GetString(request, token_field) : "";
  PageRequest page;
  page.binding = BindingOf(request);
  if (page_size < 0 || page_size > kMaxPageSize) {
    errors.Add("page_size", "range",
               absl::StrCat("must be between 0 and ", kMaxPageSize, ", got ", page_size));
  } else if (page_size > 0) {
    page.page_size = page_size;
  }
  if (token.empty()) return page;
  std::string raw;
  if (token.size() > kMaxPageTokenBytes) {
    errors.Add("page_token", "length",
               absl::StrCat("must be at most ", kMaxPageTokenBytes, " characters, got ",
                            token.size()));
  } else if (!absl::WebSafeBase64Unescape(token, &raw) ||
             raw.size() < kTypeBytes + kBindingBytes + kCheckBytes ||
             Sha256(absl::string_view(raw).substr(0, raw.size() - kCheckBytes))
                     .substr(0, kCheckBytes) != raw.substr(raw.size() - kCheckBytes) ||
             raw.compare(0, kTypeBytes, page.binding, 0, kTypeBytes) != 0) {
    errors.Add("page_token", "format", "is not a token returned by this method");
  } else if (raw.compare(0, kTypeBytes + kBindingBytes, page.binding) != 0) {
    errors.Add("page_token", "mismatch",
               "was returned for a request with other fields (parent, name, filters or "
               "starting position); send the same fields as the first page's request, or no "
               "token to start again");
  } else {
    page.start_after = raw.substr(kTypeBytes + kBindingBytes,
                                  raw.size() - kTypeBytes - kBindingBytes - kCheckBytes);
  }
  return page;
}

std::string PageToken(const PageRequest& page, absl::string_view position) {
  std::string raw = absl::StrCat(page.binding, position);
  raw += Sha256(raw).substr(0, kCheckBytes);
  return absl::WebSafeBase64Escape(raw);
}

size_t PageItemBytes(const google::protobuf::Message& message) {
  // The element, its length prefix and tag.
  return message.ByteSizeLong() + 6;
}

namespace {

// The walk behind both overloads. `taken_bytes`, if set, tells the bytes
// the items taken so far add up to.
absl::Status Walk(const storage::EventStore& store, absl::string_view prefix,
                  const PageRequest& page,
                  const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                  const std::function<size_t()>& taken_bytes, std::string* next_page_token) {
  if (!page.start_after.empty() && !absl::StartsWith(page.start_after, prefix)) {
    return FieldError("page_token", "mismatch", "belongs to a different filter or parent");
  }
  std::string last = page.start_after;
  int taken = 0;
  int examined = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                     store.ScanRows(prefix, last, page.page_size));
    for (const storage::StoredRow& row : rows) {
      if (examined++ == kMaxRowsExamined) {
        // Mostly filtered out (another agency's cases): a short page, and
        // the token to go on from here.
        *next_page_token = PageToken(page, last);
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(Visit result, visit(row));
      if (result == Visit::kEnd) return absl::OkStatus();
      last = row.key;
      if (result != Visit::kTaken) continue;
      if (++taken == page.page_size || (taken_bytes && taken_bytes() >= kMaxPageBytes)) {
        *next_page_token = PageToken(page, last);
        return absl::OkStatus();
      }
    }
    if (static_cast<int>(rows.size()) < page.page_size) return absl::OkStatus();
  }
}

}  // namespace

absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      google::protobuf::Message* response) {
  const google::protobuf::Descriptor* type = response->GetDescriptor();
  const google::protobuf::Reflection* reflection = response->GetReflection();
  const google::protobuf::FieldDescriptor* token = type->FindFieldByName("next_page_token");
  std::vector<const google::protobuf::FieldDescriptor*> items;
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (field->is_repeated() &&
        field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      items.push_back(field);
    }
  }
  if (token == nullptr || token->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return absl::InternalError(absl::StrCat(type->full_name(), " has no next_page_token"));
  }
  // Bytes of the items taken so far: each new element is measured once.
  std::vector<int> counted(items.size(), 0);
  size_t bytes = 0;
  auto taken_bytes = [&]() {
    for (size_t i = 0; i < items.size(); ++i) {
      const int size = reflection->FieldSize(*response, items[i]);
      for (; counted[i] < size; ++counted[i]) {
        bytes += PageItemBytes(reflection->GetRepeatedMessage(*response, items[i], counted[i]));
      }
    }
    return bytes;
  };
  std::string next;
  RETURN_IF_ERROR(Walk(store, prefix, page, visit, taken_bytes, &next));
  if (!next.empty()) reflection->SetString(response, token, std::move(next));
  return absl::OkStatus();
}

absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      std::string* next_page_token) {
  return Walk(store, prefix, page, visit, nullptr, next_page_token);
}

absl::StatusOr<int64_t> NumberAtEnd(absl::string_view key) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(key.substr(key.rfind('/') + 1), &n)) {
    return absl::DataLossError(absl::StrCat("malformed index key ", key));
  }
  return n;
}

absl::Status ForEachRow(const storage::EventStore& store, absl::string_view prefix,
                        const std::function<absl::Status(const storage::StoredRow&)>& visit) {
  constexpr int kBatch = 1000;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows, store.ScanRows(prefix, after, kBatch));
    for (const storage::StoredRow& row : rows) RETURN_IF_ERROR(visit(row));
    if (static_cast<int>(rows.size()) < kBatch) return absl::OkStatus();
    after = rows.back().key;
  }
}

}  // namespace casework::services
