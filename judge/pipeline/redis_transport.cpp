#include "judge/pipeline/redis_transport.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "judge/engine/error.hpp"

namespace pj::judge {

RedisKeys::RedisKeys(const Instance& inst)
    : prefix(inst.broker && !inst.broker->prefix.empty() ? inst.broker->prefix
                                                         : "pipejudge:" + inst.name) {}

void ensure_group(Broker& broker, const std::string& stream, const char* group) {
  try {
    broker.call({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
  } catch (const RedisReplyError& e) {
    if (std::string(e.what()).find("BUSYGROUP") == std::string::npos) throw;
  }
}

std::string consumer_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(getpid());
}

std::string fields_json(const std::vector<std::pair<std::string, std::string>>& fields) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : fields) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

class RedisTransport : public Transport {
 public:
  explicit RedisTransport(const Instance& inst) : inst_(inst) {}

  std::unique_ptr<JobQueue> job_queue() override { return make_redis_job_queue(inst_); }
  std::unique_ptr<EventSink> event_sink() override { return make_redis_event_sink(inst_); }
  std::unique_ptr<EventSource> event_source() override { return make_redis_event_source(inst_); }

  // Every key of the deployment.
  void remove() override {
    Broker broker(*inst_.broker, nullptr);
    std::string cursor = "0";
    do {
      RedisReply r =
          broker.call({"SCAN", cursor, "MATCH", RedisKeys(inst_).prefix + ":*", "COUNT", "1000"});
      cursor = r[0].str();
      for (std::size_t i = 0; i < r[1].size(); ++i) broker.call({"DEL", r[1][i].str()});
    } while (cursor != "0");
  }

 private:
  Instance inst_;
};

}  // namespace

std::unique_ptr<Transport> make_redis_transport(const Instance& inst) {
  return std::make_unique<RedisTransport>(inst);
}

void check_broker(const Instance& inst) {
  if (inst.broker) Broker check(*inst.broker, nullptr);
}

bool redis_collector_running(const Instance& inst) {
  try {
    Broker broker(*inst.broker, nullptr);
    return broker.call({"EXISTS", RedisKeys(inst).collector()}).integer() > 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace pj::judge
