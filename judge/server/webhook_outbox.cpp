#include "judge/server/webhook_outbox.hpp"

#include <sqlite3.h>

using nlohmann::json;

namespace pj::judge {
namespace {

constexpr const char* kColumns =
    "id, url, method, kind, base64, state, final_seq, body, created_at, final_at, next_at, "
    "delivered_at, attempts, last_status, last_error";

Webhook row(const Statement& s) {
  Webhook w;
  w.id = s.text(0);
  w.url = s.text(1);
  w.method = s.text(2);
  w.kind = s.text(3);
  w.base64 = s.int64(4) != 0;
  w.state = s.text(5);
  w.final_seq = s.opt_int64(6);
  w.body = s.opt_text(7).value_or("");
  w.created_at = s.real(8);
  w.final_at = s.opt_real(9);
  w.next_at = s.opt_real(10);
  w.delivered_at = s.opt_real(11);
  w.attempts = s.int64(12);
  w.last_status = s.opt_int64(13);
  w.last_error = s.opt_text(14).value_or("");
  return w;
}

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

std::string Webhook::idempotency_key() const {
  return final_seq ? id + "-" + std::to_string(*final_seq) : "";
}

json webhook_json(const Webhook& w) {
  return {{"url", w.url},
          {"method", w.method},
          {"state", w.state},
          {"attempts", w.attempts},
          {"last_status", or_null(w.last_status)},
          {"last_error", w.last_error.empty() ? json(nullptr) : json(w.last_error)},
          {"next_attempt_at", w.state == "pending" ? or_null(w.next_at) : json(nullptr)},
          {"delivered_at", or_null(w.delivered_at)},
          {"idempotency_key", w.final_seq ? json(w.idempotency_key()) : json(nullptr)}};
}

WebhookOutbox::WebhookOutbox(const std::filesystem::path& db)
    : db_(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  sqlite3_busy_timeout(db_.handle(), 5000);
  // WAL with synchronous=NORMAL: a commit survives the process's death.
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=NORMAL");
  db_.exec(
      "CREATE TABLE IF NOT EXISTS webhooks ("
      " id TEXT PRIMARY KEY, url TEXT NOT NULL, method TEXT NOT NULL, kind TEXT NOT NULL,"
      " base64 INTEGER NOT NULL, state TEXT NOT NULL, final_seq INTEGER, body TEXT,"
      " created_at REAL NOT NULL, final_at REAL, next_at REAL, delivered_at REAL,"
      " attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER, last_error TEXT)");
  db_.exec("CREATE INDEX IF NOT EXISTS webhooks_state ON webhooks (state, next_at)");
}

void WebhookOutbox::add(const Webhook& w) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.prepare(
         "INSERT INTO webhooks (id, url, method, kind, base64, state, created_at) "
         "VALUES (?, ?, ?, ?, ?, 'waiting', ?)")
      .bind(w.id, w.url, w.method, w.kind, w.base64, w.created_at)
      .run();
}

std::optional<Webhook> WebhookOutbox::find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto s = db_.prepare(("SELECT " + std::string(kColumns) + " FROM webhooks WHERE id = ?").c_str());
  s.bind(id);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<Webhook> WebhookOutbox::in_state(const std::string& state, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto s = db_.prepare(("SELECT " + std::string(kColumns) +
                        " FROM webhooks WHERE state = ? ORDER BY created_at LIMIT ?")
                           .c_str());
  s.bind(state, limit);
  std::vector<Webhook> out;
  while (s.step()) out.push_back(row(s));
  return out;
}

std::vector<Webhook> WebhookOutbox::due(double now, std::size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto s = db_.prepare(("SELECT " + std::string(kColumns) +
                        " FROM webhooks WHERE state = 'pending' AND next_at <= ?"
                        " ORDER BY next_at LIMIT ?")
                           .c_str());
  s.bind(now, limit);
  std::vector<Webhook> out;
  while (s.step()) out.push_back(row(s));
  return out;
}

void WebhookOutbox::finalise(const std::string& id, std::int64_t final_seq, const std::string& body,
                             double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.prepare(
         "UPDATE webhooks SET state = 'pending', final_seq = ?, body = ?, final_at = ?, "
         "next_at = ? WHERE id = ? AND state = 'waiting'")
      .bind(final_seq, body, now, now, id)
      .run();
}

void WebhookOutbox::delivered(const std::string& id, int status, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.prepare(
         "UPDATE webhooks SET state = 'delivered', attempts = attempts + 1, last_status = ?, "
         "last_error = NULL, delivered_at = ?, next_at = NULL WHERE id = ?")
      .bind(status, now, id)
      .run();
}

void WebhookOutbox::failed_try(const std::string& id, std::optional<int> status,
                               const std::string& error, std::optional<double> next_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.prepare(
         "UPDATE webhooks SET state = ?, attempts = attempts + 1, last_status = ?, "
         "last_error = ?, next_at = ? WHERE id = ?")
      .bind(next_at ? "pending" : "failed", status, error, next_at, id)
      .run();
}

}  // namespace pj::judge
