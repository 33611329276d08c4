// The Redis Streams transport, for judges on many machines (--broker):
//   <P>:jobs:live, :rejudge, :batch   a stream per priority, consumer group
//                                     "workers"; an entry leaves (XACK, XDEL)
//                                     once its final verdict is recorded
//   <P>:jobs:index      hash: submission id -> "<stream> <entry id>"
//   <P>:jobs:judging    hash: submission id -> the worker judging it
//   <P>:jobs:cancel     set: submissions whose worker is asked to stop
//   <P>:jobs:doorbell   list: wakes an idle worker (BLPOP) when a job comes
//   <P>:jobs:dead       stream: dead letters, and malformed job entries with
//                       the reason
//   <P>:workers         hash: worker "<host>:<pid>" -> its state (JSON)
//   <P>:alive:<worker>  its heartbeat, expiring after the lease
//   <P>:events          stream of event groups, consumer group "collector";
//                       acknowledged (XACK, XDEL) once committed
//   <P>:events:dead     stream: malformed event entries, with the reason
//   <P>:events:stored   hash: submission id -> "<last seq stored> <1 if its
//                       final is>", for judges with no results database
//   <P>:blob:<sha256>   large payloads events refer to
//   <P>:collector       the collector's heartbeat
//   <P>:package:<sha256> a problem package or a submission, for workers on
//                       other machines (packages.hpp)
// <P> is the URL's prefix, else "pipejudge:<instance>". See README, "Many
// machines".
#pragma once

#include <memory>
#include <string>

#include "judge/pipeline/job.hpp"
#include "judge/pipeline/redis_client.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

struct RedisKeys {
  explicit RedisKeys(const Instance& inst);
  std::string prefix;
  std::string jobs(Priority p) const { return prefix + ":jobs:" + priority_name(p); }
  std::string index() const { return prefix + ":jobs:index"; }
  std::string judging() const { return prefix + ":jobs:judging"; }
  std::string cancel() const { return prefix + ":jobs:cancel"; }
  std::string doorbell() const { return prefix + ":jobs:doorbell"; }
  std::string dead_jobs() const { return prefix + ":jobs:dead"; }
  std::string workers() const { return prefix + ":workers"; }
  std::string alive(const std::string& worker) const { return prefix + ":alive:" + worker; }
  std::string events() const { return prefix + ":events"; }
  std::string dead_events() const { return prefix + ":events:dead"; }
  std::string blob(const std::string& hash) const { return prefix + ":blob:" + hash; }
  std::string collector() const { return prefix + ":collector"; }
  std::string stored() const { return prefix + ":events:stored"; }
  std::string package(const std::string& hash) const { return prefix + ":package:" + hash; }
};

inline constexpr const char* kWorkersGroup = "workers";
inline constexpr const char* kCollectorGroup = "collector";

// Creates the consumer group (and the stream) unless it exists.
void ensure_group(Broker& broker, const std::string& stream, const char* group);

// "<host>:<pid>", this process's consumer name.
std::string consumer_name();

// A stream entry's fields as a JSON object (for dead letters and messages).
std::string fields_json(const std::vector<std::pair<std::string, std::string>>& fields);

std::unique_ptr<JobQueue> make_redis_job_queue(const Instance& inst);
std::unique_ptr<EventSink> make_redis_event_sink(const Instance& inst);
std::unique_ptr<EventSource> make_redis_event_source(const Instance& inst);

// Connects lazily: a judge whose broker is away keeps its events in the
// outbox. The job queue and the event source connect at once.
std::unique_ptr<Transport> make_redis_transport(const Instance& inst);

// Whether a collector of the deployment is alive (its heartbeat).
bool redis_collector_running(const Instance& inst);

}  // namespace pj::judge
