// `pipejudge serve`'s HTTP API: Judge0-compatible endpoints and pipejudge's
// own problem API, on the instance's pipeline. Handlers bind the request,
// convert it, hand the submission to the job queue (never judging here)
// and convert the stored result back.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/server/judge0.hpp"
#include "judge/server/webhook.hpp"

namespace pj::judge {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 2358;
  // X-Auth-Token values accepted; empty: no authentication.
  std::vector<std::string> auth_tokens;
  // The problem API's packages: each directory in it that holds a
  // problem.yaml (problem id = its name). Empty: no problems.
  std::filesystem::path problems_dir;
  std::size_t max_body_bytes = 1 << 20;  // larger requests get 413
  std::size_t max_queued = 1000;         // queued jobs beyond which a POST gets 503
  // A client's (its X-Auth-Token, or its address without one) submissions
  // waiting for their verdict beyond which its POST gets 429; 0: no limit.
  std::size_t max_queued_per_client = 0;
  int workers = 0;               // worker processes `serve` starts (0: one per run slot)
  double max_wait_seconds = 60;  // ?wait=true waits at most this long
  Judge0Limits judge0;
  // Callbacks (Judge0's callback_url, the problem API's): refused while
  // no secret is set.
  WebhookOptions webhooks;
};

// True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost).
bool loopback_host(const std::string& host);

// Listens and answers until `stop` is set. `on_listening` is told the port
// once the socket is bound (port 0 picks a free one). Throws ConfigError if
// the address cannot be bound or the problems cannot be loaded.
void run_server(const Instance& inst, const ServeOptions& options, const std::atomic<bool>& stop,
                const Log& log, const std::function<void(int port)>& on_listening);

}  // namespace pj::judge
