// A Redis client for the Redis Streams transport: hiredis behind RAII.
//   RedisReply       one reply (freed with it)
//   RedisConnection  one connection (closed with it): connected, AUTH'ed
//                    ($PIPEJUDGE_REDIS_PASSWORD) and on its database, or an
//                    exception saying why
//   Broker           a connection that comes back: a command that meets a
//                    lost connection is retried on a new one, with back-off,
//                    until it goes through (or the process is asked to stop)
#pragma once

#include <hiredis/hiredis.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "judge/pipeline/broker_url.hpp"

namespace pj::judge {

// The connection is lost or cannot be made.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Redis answered with an error (a wrong command, a missing group...).
class RedisReplyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RedisReply {
 public:
  RedisReply() = default;
  explicit RedisReply(redisReply* r) : r_(r, &freeReplyObject), at_(r) {}

  bool nil() const { return !at_ || at_->type == REDIS_REPLY_NIL; }
  bool is_array() const { return at_ && at_->type == REDIS_REPLY_ARRAY; }
  bool is_error() const { return at_ && at_->type == REDIS_REPLY_ERROR; }
  long long integer() const;
  // A string, status or error's text ("" for others).
  std::string str() const;
  std::size_t size() const { return is_array() ? at_->elements : 0; }
  // The i-th element of an array (sharing this reply's memory).
  RedisReply operator[](std::size_t i) const;
  // An array of field, value pairs (XRANGE's and HGETALL's shape).
  std::vector<std::pair<std::string, std::string>> pairs() const;

 private:
  RedisReply(std::shared_ptr<redisReply> r, redisReply* at) : r_(std::move(r)), at_(at) {}
  std::shared_ptr<redisReply> r_;
  redisReply* at_ = nullptr;
};

using Argv = std::vector<std::string>;

class RedisConnection {
 public:
  // Throws RedisError: cannot connect, wrong password, no such database.
  RedisConnection(const BrokerUrl& url, double timeout_seconds);
  // One command. Throws RedisError if the connection is lost; a reply
  // error comes back as the reply.
  RedisReply command(const Argv& argv);
  // Commands sent together, their replies in order.
  std::vector<RedisReply> pipeline(const std::vector<Argv>& commands);
  void set_timeout(double seconds);

 private:
  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> ctx_;
  std::string where_;
};

class Broker {
 public:
  // Connects now: throws ConfigError (a clear error at start) if it cannot;
  // or (`connect_now` false) at the first command, retried as any.
  Broker(BrokerUrl url, std::function<void(const std::string&)> log, bool connect_now = true);

  // The command, retried across lost connections; throws RedisReplyError
  // for an error reply, RedisError only if the process is being stopped.
  RedisReply call(const Argv& argv);
  // One try, for whoever has a better thing to do than wait (a blocking
  // read): throws RedisError if the connection is lost (the next call
  // connects again).
  RedisReply try_call(const Argv& argv, double timeout_seconds = 0);
  // MULTI ... EXEC: all or none; the EXEC reply. Retried as call().
  RedisReply transaction(const std::vector<Argv>& commands);
  // A Lua script (EVAL), retried as call().
  RedisReply eval(const std::string& script, const Argv& keys, const Argv& args);
  // Monotonic time of the last (re)connection.
  double connected_at() const { return connected_at_; }
  const BrokerUrl& url() const { return url_; }

 private:
  RedisConnection& connection();
  template <typename F>
  auto retrying(F&& f) -> decltype(f(std::declval<RedisConnection&>()));

  BrokerUrl url_;
  std::function<void(const std::string&)> log_;
  std::optional<RedisConnection> conn_;
  double connected_at_ = 0;
  bool down_ = false;  // an outage was logged
};

}  // namespace pj::judge
