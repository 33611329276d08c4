#include "judge/pipeline/redis_client.hpp"

#include <fcntl.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/engine/site_config.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/signals.hpp"

namespace pj::judge {
namespace {

constexpr double kConnectSeconds = 5;
constexpr double kCommandSeconds = 30;
constexpr double kMaxBackoffSeconds = 2;

timeval to_timeval(double seconds) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

std::string describe(const BrokerUrl& url) {
  return "redis://" + url.host + ":" + std::to_string(url.port) + "/" + std::to_string(url.db);
}

// A Redis starting (loading its append-only file) answers LOADING: not an
// error of the command, a broker not back yet.
void check_loading(const RedisReply& r, const std::string& where) {
  if (r.is_error() && r.str().starts_with("LOADING")) throw RedisError(where + ": " + r.str());
}

}  // namespace

long long RedisReply::integer() const {
  if (!at_) return 0;
  if (at_->type == REDIS_REPLY_INTEGER) return at_->integer;
  if (at_->type == REDIS_REPLY_STRING) return std::atoll(at_->str);
  return 0;
}

std::string RedisReply::str() const {
  if (!at_ || !(at_->type == REDIS_REPLY_STRING || at_->type == REDIS_REPLY_STATUS ||
                at_->type == REDIS_REPLY_ERROR))
    return {};
  return std::string(at_->str, at_->len);
}

RedisReply RedisReply::operator[](std::size_t i) const {
  if (!is_array() || i >= at_->elements) return RedisReply(r_, nullptr);
  return RedisReply(r_, at_->element[i]);
}

std::vector<std::pair<std::string, std::string>> RedisReply::pairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i + 1 < size(); i += 2)
    out.emplace_back((*this)[i].str(), (*this)[i + 1].str());
  return out;
}

RedisConnection::RedisConnection(const BrokerUrl& url, double timeout_seconds)
    : where_(describe(url)) {
  ctx_.reset(redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(timeout_seconds)));
  if (!ctx_) throw RedisError(where_ + ": cannot allocate a connection");
  if (ctx_->err) throw RedisError(where_ + ": cannot connect: " + ctx_->errstr);
  ::fcntl(ctx_->fd, F_SETFD, FD_CLOEXEC);  // no judged program inherits it
  set_timeout(timeout_seconds);
  const char* env = std::getenv("PIPEJUDGE_REDIS_PASSWORD");
  std::string password = env && *env ? env : site_config().redis_password;
  if (!password.empty()) {
    RedisReply r = command({"AUTH", password});
    if (r.is_error())
      throw RedisError(where_ + ": the broker refused the password (" +
                       (env && *env ? "$PIPEJUDGE_REDIS_PASSWORD"
                                    : "redis_password in " + site_config().file.string()) +
                       "): " + r.str());
  }
  RedisReply pong = command({"PING"});
  if (pong.is_error()) {
    std::string why = pong.str();
    if (why.starts_with("NOAUTH"))
      throw RedisError(where_ +
                       ": the broker wants a password: set $PIPEJUDGE_REDIS_PASSWORD (or "
                       "redis_password in the site configuration)");
    throw RedisError(where_ + ": " + why);
  }
  if (url.db != 0) {
    RedisReply r = command({"SELECT", std::to_string(url.db)});
    if (r.is_error())
      throw RedisError(where_ + ": database " + std::to_string(url.db) + ": " + r.str());
  }
}

void RedisConnection::set_timeout(double seconds) {
  redisSetTimeout(ctx_.get(), to_timeval(seconds));
}

RedisReply RedisConnection::command(const Argv& argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lengths.data()));
  if (!r) throw RedisError(where_ + ": " + (ctx_->err ? ctx_->errstr : "connection lost"));
  RedisReply reply(r);
  check_loading(reply, where_);
  return reply;
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<Argv>& commands) {
  for (const auto& argv : commands) {
    std::vector<const char*> args;
    std::vector<std::size_t> lengths;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lengths.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(),
                               lengths.data()) != REDIS_OK)
      throw RedisError(where_ + ": " + ctx_->errstr);
  }
  std::vector<RedisReply> replies;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(ctx_.get(), &r) != REDIS_OK || !r)
      throw RedisError(where_ + ": " + (ctx_->err ? ctx_->errstr : "connection lost"));
    replies.emplace_back(static_cast<redisReply*>(r));
  }
  for (const auto& reply : replies) check_loading(reply, where_);
  return replies;
}

Broker::Broker(BrokerUrl url, std::function<void(const std::string&)> log, bool connect_now)
    : url_(std::move(url)), log_(std::move(log)) {
  if (!connect_now) return;
  try {
    conn_.emplace(url_, kConnectSeconds);
    conn_->set_timeout(kCommandSeconds);
    connected_at_ = monotonic_seconds();
  } catch (const RedisError& e) {
    throw ConfigError(url_.text, std::string("the broker: ") + e.what());
  }
}

RedisConnection& Broker::connection() {
  if (!conn_) {
    conn_.emplace(url_, kConnectSeconds);
    conn_->set_timeout(kCommandSeconds);
    connected_at_ = monotonic_seconds();
    if (down_ && log_) log_("the broker " + describe(url_) + " answers again");
    down_ = false;
  }
  return *conn_;
}

template <typename F>
auto Broker::retrying(F&& f) -> decltype(f(std::declval<RedisConnection&>())) {
  double backoff = 0.05;
  for (;;) {
    try {
      return f(connection());
    } catch (const RedisError& e) {
      conn_.reset();
      if (!down_ && log_) log_(std::string(e.what()) + "; retrying");
      down_ = true;
      if (stop_signal() != 0) throw;
      std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
      backoff = std::min(backoff * 2, kMaxBackoffSeconds);
    }
  }
}

RedisReply Broker::call(const Argv& argv) {
  RedisReply r = retrying([&](RedisConnection& c) { return c.command(argv); });
  if (r.is_error()) throw RedisReplyError(argv.front() + ": " + r.str());
  return r;
}

RedisReply Broker::try_call(const Argv& argv, double timeout_seconds) {
  try {
    RedisConnection& c = connection();
    if (timeout_seconds > 0) c.set_timeout(timeout_seconds);
    RedisReply r = c.command(argv);
    if (timeout_seconds > 0) c.set_timeout(kCommandSeconds);
    if (r.is_error()) throw RedisReplyError(argv.front() + ": " + r.str());
    return r;
  } catch (const RedisError& e) {
    conn_.reset();
    if (!down_ && log_) log_(std::string(e.what()) + "; retrying");
    down_ = true;
    throw;
  }
}

RedisReply Broker::transaction(const std::vector<Argv>& commands) {
  std::vector<Argv> all;
  all.push_back({"MULTI"});
  all.insert(all.end(), commands.begin(), commands.end());
  all.push_back({"EXEC"});
  std::vector<RedisReply> replies = retrying([&](RedisConnection& c) { return c.pipeline(all); });
  RedisReply exec = replies.back();
  if (exec.is_error() || exec.nil()) throw RedisReplyError("EXEC: " + exec.str());
  return exec;
}

RedisReply Broker::eval(const std::string& script, const Argv& keys, const Argv& args) {
  Argv argv = {"EVAL", script, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return call(argv);
}

}  // namespace pj::judge
