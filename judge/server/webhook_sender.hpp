// Sends the webhooks of the outbox: waits for each one's final verdict in
// the results database, then sends its body (signed, with its idempotency
// key) until a 2xx comes back, trying again with exponential back-off on
// any other answer or none, for at most `retry_for` seconds after the
// verdict. A thread of its own and a few sending threads; stops with serve.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/server/webhook.hpp"
#include "judge/server/webhook_outbox.hpp"

namespace httplib {
class ThreadPool;
}

namespace pj::judge {

class WebhookSender {
 public:
  // The body of a webhook whose submission is judged (nullopt: none can
  // be made; the webhook fails).
  using Render = std::function<std::optional<std::string>(const Webhook&, const SubmissionDetail&)>;

  WebhookSender(WebhookOutbox& outbox, const Instance& inst, WebhookOptions options, Render render,
                Log log);
  ~WebhookSender();  // stops: tries under way end (each within its timeout)
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // A new webhook was added: look now rather than at the next tick.
  void wake();

 private:
  void run();
  void finalise_judged();
  // One try of a due webhook, recorded in the outbox (send: from a
  // sending thread, which then lets the webhook be picked again).
  void send(Webhook w);
  void try_once(const Webhook& w);

  WebhookOutbox& outbox_;
  const Instance& inst_;
  WebhookOptions options_;
  Render render_;
  Log log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stop_{false};
  std::set<std::string> in_flight_;  // under mutex_
  std::unique_ptr<httplib::ThreadPool> pool_;
  std::thread thread_;
};

}  // namespace pj::judge
