#include "services/outbox.h"

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/grpc_status.h"
#include "services/service_deps.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

constexpr int kBatch = 256;
constexpr char kInProcess[] = "in-process";

// Codes that say "not now": the target may take the message later.
bool Transient(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

// The row prefix of `route` for one partnership: routes key their rows
// "{prefix}{partnership}/...".
std::string PartnershipPrefix(const workflow::OutboxRoute& route, absl::string_view partnership) {
  return absl::StrCat(route.prefix, partnership, "/");
}

}  // namespace

OutboxDispatcher::OutboxDispatcher(const storage::EventStore* store, storage::Engine* engine,
                                   const CalendarProvider* calendars,
                                   const workflow::Registry* registry, const Clock* clock,
                                   std::function<bool(absl::string_view)> hosted,
                                   OutboxOptions options)
    : store_(store),
      engine_(engine),
      calendars_(calendars),
      registry_(registry),
      clock_(clock),
      hosted_(std::move(hosted)),
      options_(std::move(options)),
      read_state_([store](const workflow::Workflow& workflow, absl::string_view stream) {
        return ReadStateMessage(*store, workflow, std::string(stream));
      }) {}

std::string OutboxDispatcher::PeerOf(const workflow::CommandType& type) const {
  const absl::string_view service = type.workflow().service();
  if (hosted_(service)) return kInProcess;
  auto it = options_.peers.find(std::string(service));
  return it == options_.peers.end() ? std::string() : it->second;
}

absl::StatusOr<std::string> OutboxDispatcher::RunHere(const workflow::CommandType& type,
                                                      const google::protobuf::Message& request) {
  std::shared_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  storage::Command c = storage::MakeCommand(type, std::move(copy), calendars_->Current());
  c.meta.actor = workflow::EngineActor(kLinksUser);
  c.meta.causation_id = c.meta.request_id;
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
  std::future<absl::StatusOr<std::string>> reply = promise->get_future();
  c.done = [promise](absl::StatusOr<std::string> r, bool) { promise->set_value(std::move(r)); };
  engine_->Submit(std::move(c));
  return reply.get();
}

absl::StatusOr<std::string> OutboxDispatcher::RunAtPeer(const std::string& address,
                                                        const workflow::CommandType& type,
                                                        const google::protobuf::Message& request) {
  std::shared_ptr<grpc::Channel>& channel = channels_[address];
  if (channel == nullptr) {
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(4 << 20);
    channel = grpc::CreateCustomChannel(address,
                                        options_.peer_credentials != nullptr
                                            ? options_.peer_credentials
                                            : grpc::InsecureChannelCredentials(),
                                        arguments);
  }
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  context.AddMetadata(kLinkKeyHeader, options_.link_key);
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (stopping_) return absl::CancelledError("the outbox is stopping");
    in_flight_ = &context;
  }
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer send(&slice, 1);
  grpc::ByteBuffer received;
  std::promise<grpc::Status> promise;
  std::future<grpc::Status> finished = promise.get_future();
  stub.UnaryCall(&context, absl::StrCat("/", type.method()), grpc::StubOptions(), &send, &received,
                 [&promise](grpc::Status s) { promise.set_value(std::move(s)); });
  const grpc::Status status = finished.get();
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    in_flight_ = nullptr;
  }
  RETURN_IF_ERROR(FromGrpcStatus(status, address));
  std::vector<grpc::Slice> slices;
  if (!received.Dump(&slices).ok()) return absl::DataLossError("unreadable reply");
  std::string reply;
  for (const grpc::Slice& s : slices) {
    reply.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return reply;
}

absl::StatusOr<std::string> OutboxDispatcher::Run(const workflow::CommandType& type,
                                                  const google::protobuf::Message& request) {
  const std::string peer = PeerOf(type);
  if (peer == kInProcess) return RunHere(type, request);
  if (peer.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(type.workflow().service(),
                     " is not hosted by this process and no peer hosts it (--peers)"));
  }
  return RunAtPeer(peer, type, request);
}

void OutboxDispatcher::Failed(const std::string& key, const absl::Status& error) {
  std::lock_guard<std::mutex> lock(mu_);
  Attempts& a = attempts_[key];
  ++a.attempts;
  a.last_error = std::string(error.ToString());
  if (Transient(error.code())) {
    absl::Duration wait = options_.first_retry;
    for (int i = 1; i < a.attempts && wait < options_.max_retry; ++i) wait *= 2;
    a.next = clock_->Now() + std::min(wait, options_.max_retry);
  } else {
    a.parked = true;
  }
  std::fprintf(stderr, "caseworkd: outbox: %s %s (attempt %d): %s\n", key.c_str(),
               a.parked ? "parked" : "will be retried", a.attempts, a.last_error.c_str());
}

bool OutboxDispatcher::Deliver(const workflow::OutboxRoute& route, const storage::StoredRow& row,
                               Pass& pass) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attempts_.find(row.key);
    if (it != attempts_.end() && (it->second.parked || it->second.next > clock_->Now())) {
      return false;
    }
  }
  absl::StatusOr<workflow::OutboxDelivery> delivery =
      route.deliver(workflow::Row{row.key, row.value}, read_state_);
  if (!delivery.ok()) {
    Failed(row.key, delivery.status());
    return false;
  }
  // A message for a partnership held elsewhere waits for it to come back.
  if (const std::string partnership = PartnershipOfRequest(*delivery->request);
      options_.placement != nullptr && !partnership.empty() &&
      !options_.placement->Owns(partnership)) {
    return false;
  }
  if (delivery->target->method() != route.target_method) {
    Failed(row.key,
           absl::InternalError(absl::StrCat("route ", route.name, " declares ", route.target_method,
                                            " but delivers ", delivery->target->method())));
    return false;
  }
  // A peer that could not take a message this pass is not asked again
  // until the next: one unreachable peer costs one call per pass.
  const std::string peer = PeerOf(*delivery->target);
  if (peer != kInProcess && (!pass.include_peers || pass.unreachable.contains(peer))) {
    return false;
  }
  absl::StatusOr<std::string> reply = Run(*delivery->target, *delivery->request);
  if (!reply.ok() && peer != kInProcess && Transient(reply.status().code())) {
    pass.unreachable.insert(peer);
  }
  absl::StatusOr<std::string> opened =
      reply.ok() ? delivery->opened(*reply) : absl::StatusOr<std::string>(reply.status());
  if (!opened.ok()) {
    Failed(row.key, opened.status());
    return false;
  }
  absl::StatusOr<std::string> linked = RunHere(*delivery->link, *delivery->link_request(*opened));
  if (!linked.ok()) {
    Failed(row.key, linked.status());
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  attempts_.erase(row.key);
  return true;
}

std::vector<const workflow::OutboxRoute*> OutboxDispatcher::HostedRoutes() const {
  std::vector<const workflow::OutboxRoute*> routes;
  for (const workflow::Workflow* w : registry_->workflows()) {
    if (!hosted_(w->service())) continue;
    for (const workflow::OutboxRoute& route : w->outbox()) routes.push_back(&route);
  }
  std::sort(routes.begin(), routes.end(),
            [](const auto* a, const auto* b) { return a->prefix < b->prefix; });
  return routes;
}

absl::StatusOr<int> OutboxDispatcher::DeliverDue(bool include_peers) {
  Pass pass;
  pass.include_peers = include_peers;
  const int parked_before = parked();
  int acknowledged = 0;
  // Messages seen this pass: schedules of the others (acknowledged, or
  // removed by a rebuild) are forgotten, so the map stays as small as the
  // outbox.
  absl::flat_hash_set<std::string> seen;
  for (const workflow::OutboxRoute* route : HostedRoutes()) {
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                       store_->ScanRows(route->prefix, after, kBatch));
      for (const storage::StoredRow& row : rows) {
        if (Deliver(*route, row, pass)) {
          ++acknowledged;
        } else {
          seen.insert(row.key);
        }
      }
      if (static_cast<int>(rows.size()) < kBatch) break;
      after = rows.back().key;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    absl::erase_if(attempts_, [&](const auto& entry) { return !seen.contains(entry.first); });
  }
  if (parked() != parked_before && parked_listener_) parked_listener_();
  return acknowledged;
}

OutboxMessageStatus OutboxDispatcher::Describe(const workflow::OutboxRoute& route,
                                               const storage::StoredRow& row) const {
  OutboxMessageStatus m;
  m.key = row.key;
  m.route = route.name;
  absl::StatusOr<workflow::OutboxDelivery> d =
      route.deliver(workflow::Row{row.key, row.value}, read_state_);
  if (d.ok()) {
    m.target_method = d->target->method();
    m.request_id = d->target->RequestId(*d->request);
    m.peer = PeerOf(*d->target);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attempts_.find(row.key);
    if (it != attempts_.end()) {
      m.attempts = it->second.attempts;
      m.last_error = it->second.last_error;
      m.next_attempt = it->second.next;
      m.parked = it->second.parked;
    }
  }
  if (!d.ok() && m.last_error.empty()) m.last_error = std::string(d.status().ToString());
  return m;
}

absl::StatusOr<std::vector<OutboxMessageStatus>> OutboxDispatcher::List(
    absl::string_view partnership, absl::string_view after, int limit) const {
  std::vector<OutboxMessageStatus> out;
  // Routes in prefix order, so that the rows come in key order and `after`
  // (a row key) says which routes are done.
  for (const workflow::OutboxRoute* route : HostedRoutes()) {
    const std::string prefix = PartnershipPrefix(*route, partnership);
    std::string start;
    if (!after.empty()) {
      if (absl::StartsWith(after, prefix)) {
        start = std::string(after);
      } else if (after > prefix) {
        continue;
      }
    }
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                     store_->ScanRows(prefix, start, limit - static_cast<int>(out.size())));
    for (const storage::StoredRow& row : rows) out.push_back(Describe(*route, row));
    if (static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

absl::StatusOr<OutboxMessageStatus> OutboxDispatcher::Get(absl::string_view partnership,
                                                          absl::string_view key) const {
  for (const workflow::OutboxRoute* route : HostedRoutes()) {
    if (!absl::StartsWith(key, PartnershipPrefix(*route, partnership))) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> value, store_->GetRow(key));
    if (value.has_value()) return Describe(*route, storage::StoredRow{std::string(key), *value});
  }
  return absl::NotFoundError(
      absl::StrCat("no outbox message ", key, " of partnerships/", partnership));
}

absl::Status OutboxDispatcher::Retry(absl::string_view partnership, absl::string_view key) {
  RETURN_IF_ERROR(Get(partnership, key).status());
  const int parked_before = parked();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attempts_.find(std::string(key));
    if (it != attempts_.end()) {
      it->second.parked = false;
      it->second.next = absl::InfinitePast();
    }
  }
  if (parked() != parked_before && parked_listener_) parked_listener_();
  return absl::OkStatus();
}

void OutboxDispatcher::Start(absl::Duration poll) {
  std::lock_guard<std::mutex> lock(thread_mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, poll] {
    std::unique_lock<std::mutex> lock(thread_mu_);
    while (!stopping_) {
      lock.unlock();
      absl::StatusOr<int> delivered = DeliverDue();
      if (!delivered.ok()) {
        std::fprintf(stderr, "caseworkd: outbox: %s\n",
                     std::string(delivered.status().ToString()).c_str());
      }
      lock.lock();
      wake_.wait_for(lock, absl::ToChronoMilliseconds(poll), [this] { return stopping_; });
    }
  });
}

void OutboxDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(thread_mu_);
    stopping_ = true;
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

int OutboxDispatcher::parked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(attempts_.begin(), attempts_.end(),
                                        [](const auto& entry) { return entry.second.parked; }));
}

}  // namespace casework::services
