// Every gRPC service of the public contract is hosted by caseworkd, every
// mutating method is a command of a registered workflow taking the same
// request type, and every registered workflow's commands are methods of its
// service: a workflow written but not registered (or registered without its
// service) fails here, not in production.
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "casework/v1/death_reviews.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/hosting.h"
#include "services/server.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

std::vector<const google::protobuf::ServiceDescriptor*> ContractServices() {
  // death_reviews.proto has no service yet and nothing the server links
  // uses it: load it into the pool so that the check below still holds.
  google::protobuf::LinkMessageReflection<v1::CriteriaResult>();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (absl::string_view file : absl::StrSplit(CASEWORK_PROTO_FILES, ',')) {
    const google::protobuf::FileDescriptor* fd =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(std::string(file));
    EXPECT_NE(fd, nullptr) << file;
    if (fd == nullptr) continue;
    for (int i = 0; i < fd->service_count(); ++i) services.push_back(fd->service(i));
  }
  return services;
}

TEST(ServiceRegistryTest, EveryMutatingMethodIsARegisteredCommand) {
  const workflow::Registry& registry = workflow::Workflows();
  std::vector<const google::protobuf::ServiceDescriptor*> services = ContractServices();
  ASSERT_EQ(services.size(), 16u);
  int commands = 0;
  for (const google::protobuf::ServiceDescriptor* s : services) {
    EXPECT_NE(FindFactory(s->full_name()), nullptr) << s->full_name() << " is not hosted";
    for (int i = 0; i < s->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = s->method(i);
      // Streaming intake runs each item as its unary command.
      if (m->client_streaming() || m->input_type()->FindFieldByName("request_id") == nullptr) {
        continue;
      }
      const std::string method = absl::StrCat(s->full_name(), "/", m->name());
      const workflow::CommandType* command = registry.ForMethod(method);
      ASSERT_NE(command, nullptr) << method << " takes a request_id but is no registered command";
      EXPECT_EQ(command->request_type(), m->input_type()) << method;
      ++commands;
    }
  }
  EXPECT_EQ(commands, static_cast<int>(registry.AllCommands().size()));
}

// --services can place every service: each is in exactly one workflow
// group or hosted by every process, and "all" hosts every one caseworkd has.
TEST(ServiceRegistryTest, EveryServiceIsInOneGroupOrHostedByEveryProcess) {
  absl::StatusOr<std::set<std::string>> all = HostedServices({});
  ASSERT_TRUE(all.ok()) << all.status();
  std::set<std::string> factories;
  for (const auto& [name, make] : ServiceFactories()) {
    factories.insert(std::string(name));
    int places = 0;
    for (const ServiceGroup& group : ServiceGroups()) {
      for (absl::string_view s : group.services) places += s == name;
    }
    for (absl::string_view s : AlwaysHosted()) places += s == name;
    EXPECT_EQ(places, 1) << name;
  }
  EXPECT_EQ(*all, factories);
}

// Every outbox route names a registered command as its target: the method
// the link key opens on a peer.
TEST(ServiceRegistryTest, EveryOutboxRouteTargetsARegisteredCommand) {
  std::vector<std::string> routes;
  for (const workflow::Workflow* w : workflow::Workflows().workflows()) {
    for (const workflow::OutboxRoute& route : w->outbox()) {
      routes.push_back(route.name);
      EXPECT_NE(workflow::Workflows().ForMethod(route.target_method), nullptr)
          << route.name << ": " << route.target_method;
    }
  }
  EXPECT_THAT(routes, ::testing::UnorderedElementsAre("panel-referral", "escalation",
                                                      "plan-action"));
}

TEST(ServiceRegistryTest, EveryRegisteredCommandIsAMethodOfItsService) {
  for (const workflow::Workflow* w : workflow::Workflows().workflows()) {
    const google::protobuf::ServiceDescriptor* s =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string(w->service()));
    ASSERT_NE(s, nullptr) << w->name() << ": no service " << w->service();
    for (const workflow::CommandType* c : w->commands()) {
      const google::protobuf::MethodDescriptor* m = s->FindMethodByName(std::string(c->name()));
      ASSERT_NE(m, nullptr) << c->method();
      EXPECT_EQ(m->input_type(), c->request_type()) << c->method();
    }
  }
}

}  // namespace
}  // namespace casework::services
