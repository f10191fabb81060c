// casework.v1.EventService: read access to event history. A case's events
// are read only by those who may read the case (services/access.h):
// ReadStream answers the NOT_FOUND a stream without events gets, ReadLog
// leaves their events out, and so does Subscribe (served by the event
// feed, services/event_feed.h).
#ifndef CASEWORK_SERVICES_EVENT_SERVICE_H_
#define CASEWORK_SERVICES_EVENT_SERVICE_H_

#include "casework/v1/events.grpc.pb.h"
#include "services/service_deps.h"

namespace casework::services {

class EventService final : public v1::EventService::CallbackService {
 public:
  explicit EventService(const ServiceDeps& deps) : deps_(deps), store_(deps.store) {}

  grpc::ServerUnaryReactor* ReadStream(grpc::CallbackServerContext* context,
                                       const v1::ReadStreamRequest* request,
                                       v1::ReadStreamResponse* response) override;
  grpc::ServerUnaryReactor* ReadLog(grpc::CallbackServerContext* context,
                                    const v1::ReadLogRequest* request,
                                    v1::ReadLogResponse* response) override;
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

 private:
  const ServiceDeps deps_;
  const storage::EventStore* store_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_EVENT_SERVICE_H_
