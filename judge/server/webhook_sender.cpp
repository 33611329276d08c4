#include "judge/server/webhook_sender.hpp"

#include <fcntl.h>
#include <httplib.h>

#include <chrono>

#include "judge/server/webhook.hpp"

namespace pj::judge {
namespace {

constexpr std::size_t kSenders = 4;
constexpr auto kTick = std::chrono::milliseconds(200);
// A webhook whose submission the results database still does not know
// after this many seconds is given up (the queue may hold a submission for
// long, but its queued event is stored within seconds).
constexpr double kLostAfter = 3600;

}  // namespace

WebhookSender::WebhookSender(WebhookOutbox& outbox, const Instance& inst, WebhookOptions options,
                             Render render, Log log)
    : outbox_(outbox),
      inst_(inst),
      options_(std::move(options)),
      render_(std::move(render)),
      log_(std::move(log)),
      pool_(std::make_unique<httplib::ThreadPool>(kSenders)),
      thread_([this] { run(); }) {}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_ = true;
  wake_.notify_all();
  thread_.join();
  pool_->shutdown();
}

void WebhookSender::wake() {
  wake_.notify_all();
}

void WebhookSender::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      finalise_judged();
      std::size_t room;
      {
        std::lock_guard<std::mutex> l(mutex_);
        room = kSenders - in_flight_.size();
      }
      for (auto& w : outbox_.due(unix_now(), room + kSenders)) {
        std::lock_guard<std::mutex> l(mutex_);
        if (in_flight_.size() >= kSenders || !in_flight_.insert(w.id).second) continue;
        pool_->enqueue([this, w = std::move(w)]() mutable { send(std::move(w)); });
      }
    } catch (const std::exception& e) {
      log_(std::string("webhooks: ") + e.what());
    }
    lock.lock();
    wake_.wait_for(lock, kTick);
  }
}

// Waiting webhooks whose submission has its final verdict get their body.
void WebhookSender::finalise_judged() {
  auto waiting = outbox_.in_state("waiting", 1000);
  if (waiting.empty()) return;
  auto store = ResultStore::try_open_reader(inst_.db_path);
  if (!store) return;
  for (const auto& w : waiting) {
    auto detail = store->find(w.id);
    if (!detail && unix_now() - w.created_at > kLostAfter) {
      // Its submission never reached the results database: none will come.
      outbox_.failed_try(w.id, std::nullopt, "no such submission", std::nullopt);
      continue;
    }
    if (!detail || !detail->report.verdict) continue;
    std::optional<std::int64_t> final_seq;
    for (const auto& e : store->events(w.id))
      if (e.type == "final") final_seq = e.seq;
    if (!final_seq) continue;  // its final event is not stored yet
    std::optional<std::string> body;
    try {
      body = render_(w, *detail);
    } catch (const std::exception& e) {
      log_("webhook of " + w.id + ": no body: " + e.what());
    }
    outbox_.finalise(w.id, *final_seq, body.value_or(""), unix_now());
    if (!body) outbox_.failed_try(w.id, std::nullopt, "no body could be made", std::nullopt);
  }
}

void WebhookSender::send(Webhook w) {
  try {
    try_once(w);
  } catch (const std::exception& e) {
    // The outbox could not be written: the try counts as not made.
    log_("webhook of " + w.id + ": " + e.what());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_.erase(w.id);
}

void WebhookSender::try_once(const Webhook& w) {
  std::optional<int> status;
  std::string error;
  std::string why;
  auto url = parse_http_url(w.url, why);
  if (!stop_ && url) {
    httplib::Client client(url->origin());
    auto seconds = std::chrono::duration<double>(options_.timeout);
    auto micro = std::chrono::duration_cast<std::chrono::microseconds>(seconds);
    client.set_connection_timeout(micro);
    client.set_read_timeout(micro);
    client.set_write_timeout(micro);
    // Not inherited by the collector or workers serve starts meanwhile.
    client.set_socket_options([](socket_t sock) { ::fcntl(sock, F_SETFD, FD_CLOEXEC); });
    httplib::Headers headers = {
        {"X-Pipejudge-Signature", webhook_signature(options_.secret, w.body)},
        {"Idempotency-Key", w.idempotency_key()},
        {"X-Pipejudge-Attempt", std::to_string(w.attempts + 1)},
        {"User-Agent", "pipejudge"}};
    auto res = w.method == "PUT"
                   ? client.Put(url->target.c_str(), headers, w.body, "application/json")
                   : client.Post(url->target.c_str(), headers, w.body, "application/json");
    if (res) {
      status = res->status;
      if (res->status >= 200 && res->status < 300) {
        outbox_.delivered(w.id, res->status, unix_now());
        log_("webhook of " + w.id + " delivered (try " + std::to_string(w.attempts + 1) + ")");
      } else {
        error = "HTTP " + std::to_string(res->status);
      }
    } else {
      error = httplib::to_string(res.error());
    }
  } else if (!url) {
    error = "bad URL: " + why;
  } else {
    error = "serve stopped";
  }
  if (!error.empty()) {
    double now = unix_now();
    double next = now + backoff_delay(static_cast<int>(w.attempts + 1), options_.max_delay);
    bool give_up = !url || next > w.final_at.value_or(now) + options_.retry_for;
    if (stop_ && url) {
      // Not a try: the next start sends it.
    } else {
      outbox_.failed_try(w.id, status, error, give_up ? std::nullopt : std::optional(next));
      if (give_up) log_("webhook of " + w.id + " given up: " + error);
    }
  }
}

}  // namespace pj::judge
