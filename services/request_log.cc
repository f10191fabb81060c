#include "services/request_log.h"

#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "casework/v1/errors.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/call_context.h"
#include "services/grpc_status.h"
#include "services/roles.h"
#include "services/transport.h"
#include "workflow/common/status.h"

namespace casework::services {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::CANCELLED:
      return "CANCELLED";
    case grpc::UNKNOWN:
      return "UNKNOWN";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::ABORTED:
      return "ABORTED";
    case grpc::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::INTERNAL:
      return "INTERNAL";
    case grpc::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_UNKNOWN";
  }
}

namespace {

// Longest caller-supplied values a log line carries, in bytes of input.
constexpr size_t kMaxLoggedMethod = 120;
constexpr size_t kMaxLoggedIdentity = 64;
constexpr size_t kMaxLoggedMessage = 300;

// Length of the valid UTF-8 sequence at the start of `s`, 0 if invalid.
size_t Utf8Length(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  size_t n = 0;
  uint32_t min = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  uint32_t code = c & (0xFF >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

// The descriptor of `method` ("/casework.v1.EventService/ReadLog") if it is
// one of casework's own, else null.
const google::protobuf::MethodDescriptor* CaseworkMethod(absl::string_view method) {
  if (!absl::ConsumePrefix(&method, "/casework.")) return nullptr;
  const size_t slash = method.find('/');
  if (slash == absl::string_view::npos) return nullptr;
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          absl::StrCat("casework.", method.substr(0, slash)));
  if (service == nullptr) return nullptr;
  return service->FindMethodByName(std::string(method.substr(slash + 1)));
}

// Records every enum field of `message` (recursively) whose value the
// contract does not define.
void FindUnknownEnums(const google::protobuf::Message& message, const std::string& prefix,
                      FieldErrors& errors, int depth = 0) {
  if (depth > 16) return;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_ENUM) {
      const google::protobuf::EnumDescriptor* type = field->enum_type();
      auto check = [&](int value, const std::string& at) {
        if (type->FindValueByNumber(value) == nullptr) {
          errors.Add(at, "known_value",
                     absl::StrCat(value, " is not a value of ", type->full_name()));
        }
      };
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          check(reflection->GetRepeatedEnumValue(message, field, i),
                absl::StrCat(path, "[", i, "]"));
        }
      } else {
        check(reflection->GetEnumValue(message, field), path);
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
               !field->is_map()) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          FindUnknownEnums(reflection->GetRepeatedMessage(message, field, i),
                           absl::StrCat(path, "[", i, "]."), errors, depth + 1);
        }
      } else {
        FindUnknownEnums(reflection->GetMessage(message, field), path + ".", errors, depth + 1);
      }
    }
  }
}

class CallGuard final : public grpc::experimental::Interceptor {
 public:
  CallGuard(grpc::experimental::ServerRpcInfo* info, std::shared_ptr<CallGuardState> state)
      : info_(info), state_(std::move(state)), method_(info->method()), start_(absl::Now()) {
    state_->CallStarted();
  }

  ~CallGuard() override {
    if (reservations_ > 0) state_->ReleaseReply(reserved_, reservations_);
    state_->CallFinished();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      StampMethod(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      OnRequest(methods->GetRecvMessage());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      OnReply(methods);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      OnStatus(methods);
    }
    methods->Proceed();
  }

 private:
  // Tells the handler which method it runs (services/roles.h), replacing
  // whatever a client sent under that key or kResourceKey. The value is the
  // server's own copy of the method's name, alive as long as the server.
  void StampMethod(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return;
    metadata_ = metadata;
    for (const char* internal : {kResourceKey, kThrottledKey, kIdentityAgencyKey, kIdentityUserKey,
                                 kIdentityRoleKey, kIdentityErrorKey, kLinkPeerKey,
                                 kPlacementKey}) {
      metadata->erase(grpc::string_ref(internal));
    }
    StampLinkPeer(*metadata);
    const grpc::string_ref key(kMethodKey);
    metadata->erase(key);
    metadata->emplace(key, grpc::string_ref(info_->method()));
    if (state_->options().identity != nullptr) StampIdentity(*metadata);
    if (state_->options().rate_limiter != nullptr) Throttle(*metadata);
  }

  // Marks a call that carries the deployment's link key (compared in
  // constant time), and drops the key from what handlers see.
  void StampLinkPeer(std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find(grpc::string_ref(kLinkKeyHeader));
    if (it == metadata.end()) return;
    const std::string& key = state_->options().link_key;
    const bool match = !key.empty() && it->second.size() == key.size() &&
                       CRYPTO_memcmp(it->second.data(), key.data(), key.size()) == 0;
    metadata.erase(it);
    if (match) metadata.emplace(grpc::string_ref(kLinkPeerKey), grpc::string_ref("1", 1));
  }

  // Who the call is, over mutual TLS (or why it is refused).
  void StampIdentity(std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    std::shared_ptr<const grpc::AuthContext> auth = info_->server_context()->auth_context();
    absl::StatusOr<TransportIdentity> resolved =
        state_->options().identity->Resolve(auth.get(), metadata);
    if (!resolved.ok()) {
      identity_[3] = absl::StrCat(static_cast<int>(resolved.status().code()), ":",
                                  resolved.status().message());
      metadata.emplace(grpc::string_ref(kIdentityErrorKey), grpc::string_ref(identity_[3]));
      return;
    }
    const std::pair<const char*, std::optional<std::string>*> fields[] = {
        {kIdentityAgencyKey, &resolved->agency},
        {kIdentityUserKey, &resolved->user},
        {kIdentityRoleKey, &resolved->role}};
    for (int i = 0; i < 3; ++i) {
      if (!fields[i].second->has_value()) continue;
      identity_[i] = **fields[i].second;
      metadata.emplace(grpc::string_ref(fields[i].first), grpc::string_ref(identity_[i]));
    }
  }

  // Takes a token from the caller's bucket, or marks the call as refused.
  void Throttle(std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    // Outbox deliveries from the deployment's other processes are paced by
    // their own backoff.
    if (metadata.find(grpc::string_ref(kLinkPeerKey)) != metadata.end()) return;
    auto value = [&](const char* header) {
      auto it = metadata.find(grpc::string_ref(header));
      return it == metadata.end() ? std::string()
                                  : std::string(it->second.data(), it->second.size());
    };
    const std::string stamped_agency = value(kIdentityAgencyKey);
    const std::string stamped_user = value(kIdentityUserKey);
    const std::string agency = stamped_agency.empty() ? value(kAgencyHeader) : stamped_agency;
    const std::string user = stamped_user.empty() ? value(kUserHeader) : stamped_user;
    if (agency.empty() || user.empty()) return;  // refused as unidentified anyway
    const absl::Duration wait = state_->options().rate_limiter->Take(
        absl::StrCat(agency.substr(0, 128), "/", user.substr(0, 128)));
    if (wait <= absl::ZeroDuration()) return;
    throttled_ = absl::StrCat(std::max<int64_t>(1, absl::ToInt64Microseconds(wait)));
    metadata.emplace(grpc::string_ref(kThrottledKey), grpc::string_ref(throttled_));
  }

  // When the request names a partnership another instance holds, tells
  // the handler to refuse it (services/placement.h).
  void StampPlacement(const google::protobuf::Message& request) {
    const Placement* placement = state_->options().placement.get();
    if (metadata_ == nullptr || placement == nullptr) return;
    const std::string partnership = PartnershipOfRequest(request);
    if (partnership.empty()) return;
    std::optional<Placement::Refusal> refusal = placement->RefusalFor(partnership);
    if (!refusal.has_value()) return;
    placement_ = absl::StrCat(refusal->reason, "\t", refusal->message);
    metadata_->emplace(grpc::string_ref(kPlacementKey), grpc::string_ref(placement_));
  }

  // For a detail read, tells the handler which record the request names
  // (the field its access rule declares), for the audit log.
  void StampResource(const google::protobuf::MethodDescriptor& method,
                     const google::protobuf::Message& request) {
    if (metadata_ == nullptr || !method.options().HasExtension(v1::access)) return;
    const std::string& field_name = method.options().GetExtension(v1::access).audit_resource();
    if (field_name.empty()) return;
    const google::protobuf::FieldDescriptor* field =
        request.GetDescriptor()->FindFieldByName(field_name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      return;
    }
    resource_ = request.GetReflection()->GetString(request, field);
    if (resource_.size() > kMaxStampedResource) resource_.resize(kMaxStampedResource);
    metadata_->emplace(grpc::string_ref(kResourceKey), grpc::string_ref(resource_));
  }

  void OnRequest(void* request) {
    if (request == nullptr) {
      unparsed_ = true;
      return;
    }
    const google::protobuf::MethodDescriptor* method = CaseworkMethod(method_);
    if (method == nullptr || method->client_streaming() || method->server_streaming()) return;
    // The request of a casework unary method is its generated message.
    StampResource(*method, *static_cast<const google::protobuf::Message*>(request));
    StampPlacement(*static_cast<const google::protobuf::Message*>(request));
    // Commands (requests with a request_id) check their enums in their
    // validators; a read is only answered, so it is checked here.
    if (method->input_type()->FindFieldByName("request_id") != nullptr) return;
    // The request of a casework unary method is its generated message.
    const auto* message = static_cast<const google::protobuf::Message*>(request);
    FindUnknownEnums(*message, "", unknown_enums_);
  }

  void OnReply(grpc::experimental::InterceptorBatchMethods* methods) {
    // The reply message itself, while not yet serialized.
    const void* message = methods->GetSendMessage();
    grpc::ByteBuffer* reply = methods->GetSerializedSendMessage();
    if (reply == nullptr) return;
    reply_bytes_ += reply->Length();
    const int64_t size = static_cast<int64_t>(reply->Length());
    if (size < static_cast<int64_t>(state_->options().large_reply_bytes)) return;
    // A stream's messages are bounded by its handler (the event feed holds
    // one message in flight), and the stream may last for days: they are
    // not held against the backlog until the call ends.
    const google::protobuf::MethodDescriptor* method = CaseworkMethod(method_);
    if (method != nullptr && method->server_streaming()) return;
    // Serialized, the message is no longer needed, yet it would live as long
    // as the call (for a client that does not read: for ever). Give its
    // memory back now. The reply of a casework method is its generated
    // message, and the handler has finished with it.
    if (message != nullptr && method != nullptr) {
      auto* built = const_cast<google::protobuf::Message*>(
          static_cast<const google::protobuf::Message*>(message));
      std::unique_ptr<google::protobuf::Message> empty(built->New());
      built->GetReflection()->Swap(built, empty.get());
    }
    if (state_->ReserveReply(size)) {
      reserved_ += size;
      ++reservations_;
      return;
    }
    // Over the backlog: send an empty message instead, with an error status.
    backlog_full_ = true;
    grpc::Slice empty("", 0);
    *reply = grpc::ByteBuffer(&empty, 1);
  }

  void OnStatus(grpc::experimental::InterceptorBatchMethods* methods) {
    grpc::Status status = methods->GetSendStatus();
    if (unparsed_ && status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
        status.error_message().empty()) {
      status = ToGrpcStatus(ErrorWithReason(
          absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
          absl::StrCat("the request of ", method_,
                       " could not be parsed as its request message (malformed protobuf)")));
      methods->ModifySendStatus(status);
    } else if (status.ok() && !unknown_enums_.empty()) {
      status = ToGrpcStatus(unknown_enums_.ToStatus());
      methods->ModifySendStatus(status);
    } else if (status.ok() && backlog_full_) {
      status = ToGrpcStatus(ErrorWithReason(
          absl::StatusCode::kResourceExhausted, "REPLY_BACKLOG_FULL",
          absl::StrCat("the server is holding ", state_->reply_backlog_bytes() >> 20,
                       " MiB of replies that clients have not read yet, its limit; read "
                       "replies promptly, ask for smaller pages, or retry later")));
      methods->ModifySendStatus(status);
    }
    if (state_->options().request_log) Log(status);
    if (state_->options().on_finished) {
      state_->options().on_finished(method_, status.error_code(), absl::Now() - start_);
    }
  }

  void Log(const grpc::Status& status) {
    uint64_t suppressed = 0;
    if (!state_->TakeLogLine(&suppressed)) return;
    const absl::Time now = absl::Now();
    std::string line =
        absl::StrFormat("{\"time\":\"%s\",\"method\":\"%s\",\"code\":\"%s\",\"ms\":%.2f",
                        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()),
                        JsonEscape(method_, kMaxLoggedMethod), CodeName(status.error_code()),
                        absl::ToDoubleMilliseconds(now - start_));
    if (grpc::ServerContextBase* context = info_->server_context()) {
      absl::StrAppend(&line, ",\"peer\":\"", JsonEscape(context->peer(), kMaxLoggedIdentity), "\"");
      for (const auto& [key, name] :
           {std::pair<const char*, const char*>{kAgencyHeader, "agency"}, {kUserHeader, "user"}}) {
        const std::string value = MetadataValue(*context, key);
        if (!value.empty()) {
          absl::StrAppend(&line, ",\"", name, "\":\"", JsonEscape(value, kMaxLoggedIdentity), "\"");
        }
      }
    }
    if (reply_bytes_ > 0) absl::StrAppend(&line, ",\"reply_bytes\":", reply_bytes_);
    if (!status.ok()) {
      absl::StrAppend(&line, ",\"message\":\"",
                      JsonEscape(status.error_message(), kMaxLoggedMessage), "\"");
    }
    if (suppressed > 0) absl::StrAppend(&line, ",\"suppressed\":", suppressed);
    line += "}\n";
    // Intentionally ignored: a lost log line must not fail the call.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  }

  grpc::experimental::ServerRpcInfo* info_;
  std::shared_ptr<CallGuardState> state_;
  std::string method_;
  // The call's metadata (set at its first hook) and the resource stamped in
  // it, which must live as long as the call.
  std::multimap<grpc::string_ref, grpc::string_ref>* metadata_ = nullptr;
  std::string resource_;
  std::string throttled_;
  std::string placement_;
  std::string identity_[4];  // agency, user, role, error: stamped values
  absl::Time start_;
  bool unparsed_ = false;
  bool backlog_full_ = false;
  FieldErrors unknown_enums_;
  uint64_t reply_bytes_ = 0;
  int64_t reserved_ = 0;
  int reservations_ = 0;
};

}  // namespace

std::string JsonEscape(absl::string_view value, size_t max_bytes) {
  std::string out;
  const size_t original = value.size();
  bool cut = false;
  if (value.size() > max_bytes) {
    value = value.substr(0, max_bytes);
    cut = true;
  }
  while (!value.empty()) {
    const unsigned char c = static_cast<unsigned char>(value[0]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      value.remove_prefix(1);
    } else if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
      value.remove_prefix(1);
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      value.remove_prefix(1);
    } else if (size_t n = Utf8Length(value); n > 0) {
      out.append(value.data(), n);
      value.remove_prefix(n);
    } else if (cut && value.size() < 4) {
      break;  // a character cut in two by the limit
    } else {
      out += "\\ufffd";
      value.remove_prefix(1);
    }
  }
  if (cut) absl::StrAppend(&out, "...(", original, " bytes)");
  return out;
}

bool CallGuardState::ReserveReply(int64_t bytes) {
  const int64_t max = static_cast<int64_t>(options_.max_reply_backlog_bytes);
  int64_t current = backlog_.load();
  do {
    if (current + bytes > max) {
      refused_.fetch_add(1);
      Changed();
      return false;
    }
  } while (!backlog_.compare_exchange_weak(current, current + bytes));
  held_.fetch_add(1);
  Changed();
  return true;
}

void CallGuardState::ReleaseReply(int64_t bytes, int replies) {
  backlog_.fetch_sub(bytes);
  held_.fetch_sub(replies);
  Changed();
}

void CallGuardState::CallStarted() {
  started_.fetch_add(1);
  Changed();
}

void CallGuardState::CallFinished() {
  finished_.fetch_add(1);
  Changed();
}

CallStats CallGuardState::stats() const {
  CallStats s;
  s.started = started_.load();
  s.finished = finished_.load();
  s.replies_held = held_.load();
  s.replies_refused = refused_.load();
  s.backlog_bytes = backlog_.load();
  return s;
}

void CallGuardState::Changed() {
  if (waiters_.load() == 0) return;
  std::lock_guard<std::mutex> lock(wait_mu_);
  wait_cv_.notify_all();
}

bool CallGuardState::AwaitStats(const std::function<bool(const CallStats&)>& done,
                                absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  std::unique_lock<std::mutex> lock(wait_mu_);
  waiters_.fetch_add(1);
  // Counters change without the lock: wake up now and then to look again.
  bool held = done(stats());
  while (!held && std::chrono::steady_clock::now() < deadline) {
    wait_cv_.wait_until(
        lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    held = done(stats());
  }
  waiters_.fetch_sub(1);
  return held;
}

bool CallGuardState::TakeLogLine(uint64_t* suppressed) {
  const int64_t second = absl::ToUnixSeconds(absl::Now());
  std::lock_guard<std::mutex> lock(log_mu_);
  if (second != window_second_) {
    window_second_ = second;
    lines_in_window_ = 0;
  }
  if (lines_in_window_ >= options_.log_lines_per_second) {
    ++suppressed_;
    return false;
  }
  ++lines_in_window_;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

grpc::experimental::Interceptor* CallGuardFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallGuard(info, state_);
}

}  // namespace casework::services
