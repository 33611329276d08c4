// The webhooks' durable outbox: one row per submission that asked for a
// callback, in a SQLite database of serve's own in the instance's state
// directory (serve/webhooks.db). A row is written before the client hears
// of its submission, and every try is recorded, so a serve killed at any
// instant and started again sends what it had not sent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "judge/pipeline/sqlite.hpp"

namespace pj::judge {

struct Webhook {
  std::string id;       // the submission's
  std::string url;      // http:// only
  std::string method;   // "PUT" (Judge0's callback_url) or "POST" (the problem API's)
  std::string kind;     // "judge0" or "problem": which body it carries
  bool base64 = false;  // Judge0's: the text fields in base64
  // waiting: for the final verdict; pending: to be sent (at next_at);
  // delivered: a 2xx came back; failed: given up (retry time over).
  std::string state = "waiting";
  std::optional<std::int64_t> final_seq;
  std::string body;  // once final: the bytes sent, every try the same
  double created_at = 0;
  std::optional<double> final_at, next_at, delivered_at;
  std::int64_t attempts = 0;
  std::optional<std::int64_t> last_status;  // the receiver's HTTP status
  std::string last_error;                   // why the last try failed
  // The Idempotency-Key header: the submission id and its final seq.
  std::string idempotency_key() const;
};

// The state a client sees (GET /api/submissions/{id}: "webhook").
nlohmann::json webhook_json(const Webhook& w);

class WebhookOutbox {
 public:
  // Opens (creating) the outbox; throws StoreError.
  explicit WebhookOutbox(const std::filesystem::path& db);

  // A new webhook, waiting for its verdict.
  void add(const Webhook& w);
  std::optional<Webhook> find(const std::string& id);
  // Those of a state, oldest first.
  std::vector<Webhook> in_state(const std::string& state, std::size_t limit);
  // Pending ones whose time has come, oldest first.
  std::vector<Webhook> due(double now, std::size_t limit);
  // The verdict is stored: the body to send from now on.
  void finalise(const std::string& id, std::int64_t final_seq, const std::string& body, double now);
  // One try's outcome: delivered, or failed with the next try at
  // `next_at` (nullopt: given up).
  void delivered(const std::string& id, int status, double now);
  void failed_try(const std::string& id, std::optional<int> status, const std::string& error,
                  std::optional<double> next_at);

 private:
  std::mutex mutex_;
  Database db_;
};

}  // namespace pj::judge
