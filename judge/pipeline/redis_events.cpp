// Events on Redis Streams (redis_transport.hpp names the keys). A judge's
// sink commits its events in groups, as the local one: consecutive events
// of one submission become one entry {id, first, last, events (one a
// line)} of the events stream. While the broker cannot be reached, groups
// are written to the durable outbox (and blobs stay in blobs/) and sent,
// in order, once it answers again. The collector reads the stream in the
// consumer group "collector" (one consumer name: a collector started again
// reads back what its predecessor had received but not acknowledged), and
// acknowledges an entry (XACK, XDEL) once its events are committed.
#include <unistd.h>

#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "judge/engine/sha256.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/pipeline/pending_events.hpp"
#include "judge/pipeline/redis_transport.hpp"
#include "judge/report/events.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr std::size_t kGroupBytes = 64 << 10;
constexpr double kMaxRetrySeconds = 2;
constexpr double kOutboxLookSeconds = 1;  // an idle sink looks for what others left
constexpr long long kCollectorBeatMs = 5000;

void log(const std::string& m) {
  std::fprintf(stderr, "pipejudge[%d]: %s\n", static_cast<int>(getpid()), m.c_str());
}

Argv xadd(const RedisKeys& keys, const EventGroup& g) {
  return {"XADD", keys.events(),          "*",      "id",   g.id, "first", std::to_string(g.first),
          "last", std::to_string(g.last), "events", g.lines};
}

class RedisEventSink : public EventSink {
 public:
  explicit RedisEventSink(const Instance& inst)
      : inst_(inst),
        keys_(inst),
        outbox_(inst.outbox_dir(), inst.sync),
        blobs_(inst.blobs_dir(), inst.sync) {
    make_state_dirs(inst_);
    backlog_ = !outbox_.list().empty() || !fs::is_empty(inst_.blobs_dir());
    writer_ = std::thread([this] { write_loop(); });
  }

  ~RedisEventSink() override {
    handover_.close();
    writer_.join();
  }

  RedisEventSink(const RedisEventSink&) = delete;
  RedisEventSink& operator=(const RedisEventSink&) = delete;

  void publish(const std::string& id, std::int64_t seq, const std::string& message,
               bool may_wait) override {
    handover_.publish({id, seq, message, may_wait});
  }
  std::uint64_t published() override { return handover_.published(); }
  void flush_through(std::uint64_t mark) override { handover_.flush_through(mark); }

  // Kept on disk until sent: the writer sends blobs before any later event.
  std::string put_blob(std::string_view data) override {
    std::string hash = blobs_.put(data);
    auto lock = handover_.lock();
    backlog_ = true;
    return hash;
  }

  std::vector<std::string> unstored(const std::string& id) override {
    handover_.flush_events_of(id);
    std::vector<std::string> found;
    for (const auto& name : outbox_.list_for(id)) {
      try {
        auto data = read_owned_file(outbox_.path(name), geteuid(), kGroupBytes);
        if (data)
          for (auto line : Outbox::split_lines(*data)) found.emplace_back(line);
      } catch (const std::exception&) {
      }
    }
    if (!reader_) reader_.emplace(*inst_.broker, log, false);
    std::string from = "-";
    for (;;) {
      RedisReply r = reader_->call({"XRANGE", keys_.events(), from, "+", "COUNT", "500"});
      if (r.size() == 0) break;
      for (std::size_t i = 0; i < r.size(); ++i) {
        auto fields = r[i][1].pairs();
        std::string sid, events;
        for (const auto& [k, v] : fields) {
          if (k == "id") sid = v;
          if (k == "events") events = v;
        }
        if (sid == id)
          for (auto line : Outbox::split_lines(events)) found.emplace_back(line);
      }
      from = "(" + r[r.size() - 1][0].str();
    }
    return found;
  }

  std::optional<Stored> stored(const std::string& id) override {
    if (!reader_) reader_.emplace(*inst_.broker, log, false);
    std::string value = reader_->call({"HGET", keys_.stored(), id}).str();
    Stored s;
    auto space = value.find(' ');
    if (space == std::string::npos) return s;
    s.last_seq = std::atoll(value.c_str());
    s.final = value.substr(space + 1) == "1";
    return s;
  }

 private:
  void write_loop() {
    auto lock = handover_.lock();
    std::condition_variable& wake = handover_.wake();
    double retry = 0.05;
    for (;;) {
      if (backlog_ && handover_.empty()) {
        wake.wait_for(lock, std::chrono::duration<double>(retry),
                      [&] { return handover_.closing() || !handover_.empty(); });
      } else if (!wake.wait_for(lock, std::chrono::duration<double>(kOutboxLookSeconds), [&] {
                   return handover_.closing() || !handover_.empty() || backlog_;
                 })) {
        // Idle: what other judges of this machine left in the outbox (they
        // ended while the broker was away) is sent by whoever is still here.
        lock.unlock();
        bool waiting = outbox_waiting();
        lock.lock();
        backlog_ = backlog_ || waiting;
        continue;
      }
      if (handover_.empty()) {
        bool closing = handover_.closing();
        lock.unlock();
        bool sent = drain();
        lock.lock();
        if (closing) return;  // what could not be sent waits in the outbox
        retry = sent ? 0.05 : std::min(retry * 2, kMaxRetrySeconds);
        continue;
      }
      std::vector<OutgoingEvent> taken = handover_.linger_and_take(lock);
      lock.unlock();
      std::exception_ptr failure;
      try {
        send(taken);
      } catch (...) {
        failure = std::current_exception();
      }
      handover_.written(taken.size(), failure);
      lock.lock();
    }
  }

  // Straight to the stream when nothing waits before them; else (or if the
  // broker cannot take them) to the outbox, durable, after what waits.
  void send(const std::vector<OutgoingEvent>& events) {
    std::vector<EventGroup> groups = make_event_groups(events, kGroupBytes, 0);
    bool backlog;
    {
      auto lock = handover_.lock();
      backlog = backlog_;
    }
    std::size_t sent = 0;
    if (!backlog || drain()) {
      try {
        for (; sent < groups.size(); ++sent) connection().try_call(xadd(keys_, groups[sent]));
      } catch (const std::exception& e) {
        lost(e);
      }
    }
    if (sent == groups.size()) return;
    for (std::size_t i = sent; i < groups.size(); ++i)
      outbox_.write(groups[i].id, groups[i].first, groups[i].last, groups[i].lines, false);
    outbox_.sync_dir();
    auto lock = handover_.lock();
    backlog_ = true;
  }

  bool outbox_waiting() const {
    std::error_code ec;
    return !outbox_.list().empty() || !fs::is_empty(inst_.blobs_dir(), ec);
  }

  // Sends the blobs and outbox files waiting; true if nothing waits now.
  bool drain() {
    try {
      for (const auto& e : fs::directory_iterator(inst_.blobs_dir())) {
        std::string hash = e.path().filename().string();
        if (is_temporary_name(hash)) continue;
        auto data = blobs_.get(hash, geteuid());
        if (data) connection().try_call({"SET", keys_.blob(hash), *data});
        blobs_.remove(hash);
      }
      for (const auto& name : outbox_.list()) {
        auto group = Outbox::parse_name(name);
        std::optional<std::string> data;
        try {
          data = group ? read_owned_file(outbox_.path(name), geteuid(), kGroupBytes) : std::nullopt;
        } catch (const std::runtime_error&) {
          group.reset();
        }
        if (!group) {
          outbox_.reject(name);
          log("set aside " + outbox_.path(name).string() + ": not an event file");
          continue;
        }
        if (!data) continue;
        connection().try_call(xadd(keys_, {group->id, group->first, group->last, *data, name}));
        outbox_.remove(name);
      }
    } catch (const std::exception& e) {
      lost(e);
      return false;
    }
    auto lock = handover_.lock();
    backlog_ = false;
    if (warned_) log("the broker takes events again; the outbox is sent");
    warned_ = false;
    return true;
  }

  Broker& connection() {
    if (!broker_) {
      try {
        broker_.emplace(*inst_.broker, nullptr);
      } catch (const std::exception& e) {
        throw RedisError(e.what());
      }
    }
    return *broker_;
  }

  void lost(const std::exception& e) {
    broker_.reset();
    if (!warned_)
      log(std::string("cannot send events (they wait in ") + inst_.outbox_dir().string() +
          "): " + e.what());
    warned_ = true;
  }

  Instance inst_;
  RedisKeys keys_;
  Outbox outbox_;
  BlobFiles blobs_;
  std::optional<Broker> broker_;  // the writer thread's
  std::optional<Broker> reader_;  // unstored()'s
  bool warned_ = false;
  EventHandover handover_;  // shared with the writer thread
  bool backlog_ = false;    // outbox files or blobs wait to be sent (under handover_.lock())
  std::thread writer_;
};

// What the collector stored of a submission: "<last seq> <1 if its final>".
// KEYS: the hash. ARGV: id, last seq of the entry, 1 if it holds the final.
const char* kStoredScript = R"(
local seq, fin = tonumber(ARGV[2]), ARGV[3]
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local sp = string.find(cur, ' ', 1, true)
  seq = math.max(seq, tonumber(string.sub(cur, 1, sp - 1)))
  if string.sub(cur, sp + 1) == '1' then fin = '1' end
end
redis.call('HSET', KEYS[1], ARGV[1], seq .. ' ' .. fin)
return 1)";

bool digits(const std::string& s) {
  return !s.empty() && s.size() <= 15 && s.find_first_not_of("0123456789") == std::string::npos;
}

class RedisEventSource : public EventSource {
 public:
  explicit RedisEventSource(const Instance& inst)
      : keys_(inst), url_(inst.broker->text), broker_(*inst.broker, log) {
    ensure_group(broker_, keys_.events(), kCollectorGroup);
    beat();
  }

  ~RedisEventSource() override {
    try {
      broker_.try_call({"DEL", keys_.collector()});
    } catch (const std::exception&) {
    }
  }

  std::vector<Delivery> receive(std::size_t max, double timeout) override {
    std::vector<Delivery> batch;
    try {
      if (monotonic_seconds() - last_beat_ > 1) beat();
      RedisReply r = broker_.try_call(
          {"XREADGROUP", "GROUP", kCollectorGroup, kCollectorGroup, "COUNT", std::to_string(max),
           "BLOCK", std::to_string(static_cast<long long>(timeout * 1000)), "STREAMS",
           keys_.events(), ">"},
          timeout + 5);
      if (r.size() > 0) read(r[0][1], false, batch);
    } catch (const RedisReplyError& e) {
      if (std::string(e.what()).find("NOGROUP") != std::string::npos)
        ensure_group(broker_, keys_.events(), kCollectorGroup);
      else
        throw;
    } catch (const RedisError&) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(timeout, 0.5)));
    }
    return batch;
  }

  // What was received by a collector (this one, or one that died) and not
  // acknowledged: the consumer's pending entries, from the start.
  std::vector<Delivery> recover(std::size_t max) override {
    std::vector<Delivery> batch;
    try {
      RedisReply r =
          broker_.try_call({"XREADGROUP", "GROUP", kCollectorGroup, kCollectorGroup, "COUNT",
                            std::to_string(max), "STREAMS", keys_.events(), cursor_});
      if (r.size() > 0 && r[0][1].size() > 0) {
        read(r[0][1], true, batch);
        cursor_ = r[0][1][r[0][1].size() - 1][0].str();
      }
    } catch (const RedisReplyError&) {
      ensure_group(broker_, keys_.events(), kCollectorGroup);
    } catch (const RedisError&) {
    }
    if (batch.empty()) cursor_ = "0";
    return batch;
  }

  void acknowledge(const std::vector<std::string>& receipts,
                   const std::vector<std::string>& blobs) override {
    std::vector<Argv> commands;
    for (const auto& eid : receipts) {
      commands.push_back({"XACK", keys_.events(), kCollectorGroup, eid});
      commands.push_back({"XDEL", keys_.events(), eid});
      auto it = holds_.find(eid);
      if (it == holds_.end()) continue;
      commands.push_back({"EVAL", kStoredScript, "1", keys_.stored(), it->second.id,
                          std::to_string(it->second.last), it->second.final ? "1" : "0"});
      holds_.erase(it);
    }
    for (const auto& hash : blobs) commands.push_back({"DEL", keys_.blob(hash)});
    if (!commands.empty()) broker_.transaction(commands);
  }

  void reject(const Delivery& d, const std::string& why) override {
    holds_.erase(d.receipt);
    if (d.receipt.empty() || !rejected_.insert(d.receipt).second) return;
    if (rejected_.size() > 10000) rejected_.clear();
    RedisReply r = broker_.call({"XRANGE", keys_.events(), d.receipt, d.receipt});
    std::string fields = r.size() > 0 ? fields_json(r[0][1].pairs()) : "{}";
    broker_.transaction({{"XADD", keys_.dead_events(), "*", "reason", why, "entry", d.receipt,
                          "fields", fields, "rejected_at", std::to_string(unix_seconds())},
                         {"XACK", keys_.events(), kCollectorGroup, d.receipt},
                         {"XDEL", keys_.events(), d.receipt}});
  }

  std::optional<std::string> blob(const std::string& hash) override {
    RedisReply r = broker_.call({"GET", keys_.blob(hash)});
    if (r.nil()) return std::nullopt;
    std::string data = r.str();
    if (sha256_hex(data) != hash) throw std::runtime_error("does not match its hash");
    return data;
  }

  std::string describe() const override { return "stream " + keys_.events() + " on " + url_; }

 private:
  void beat() {
    broker_.try_call(
        {"SET", keys_.collector(), consumer_name(), "PX", std::to_string(kCollectorBeatMs)});
    last_beat_ = monotonic_seconds();
  }

  // The entries of an XREADGROUP reply as deliveries, or a malformed one each.
  void read(const RedisReply& entries, bool recovered, std::vector<Delivery>& batch) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      Delivery base;
      base.receipt = entries[i][0].str();
      base.where = "entry " + base.receipt + " of " + keys_.events();
      base.recovered = recovered;
      if (entries[i][1].nil()) continue;  // deleted meanwhile: acknowledged
      std::string id, first, last, events;
      bool has_events = false;
      for (const auto& [k, v] : entries[i][1].pairs()) {
        if (k == "id") id = v;
        if (k == "first") first = v;
        if (k == "last") last = v;
        if (k == "events") events = v, has_events = true;
      }
      auto malformed = [&](std::string why) {
        Delivery d = base;
        d.state = Delivery::State::Malformed;
        d.why = std::move(why);
        batch.push_back(std::move(d));
      };
      if (!valid_submission_id(id) || !digits(first) || !digits(last) || !has_events) {
        malformed("not an event entry (fields id, first, last, events)");
        continue;
      }
      std::int64_t f = std::stoll(first), l = std::stoll(last);
      if (l < f || l - f > 100000) {
        malformed("bad seqs " + first + "-" + last);
        continue;
      }
      std::vector<std::string_view> lines;
      if (f == l)
        lines.push_back(events);
      else
        lines = Outbox::split_lines(events);
      if (lines.size() != static_cast<std::size_t>(l - f + 1)) {
        malformed("holds " + std::to_string(lines.size()) + " events, its seqs say " +
                  std::to_string(l - f + 1));
        continue;
      }
      Holds& holds = holds_[base.receipt];
      holds = {id, l, false};
      for (std::size_t k = 0; k < lines.size(); ++k) {
        if (lines[k].find("\"final\"") != std::string_view::npos) {
          auto j = nlohmann::json::parse(lines[k], nullptr, false);
          holds.final = holds.final || (j.is_object() && j.value("type", "") == "final");
        }
        Delivery d = base;
        d.data = std::string(lines[k]);
        d.expected = std::pair(id, f + static_cast<std::int64_t>(k));
        batch.push_back(std::move(d));
      }
    }
  }

  RedisKeys keys_;
  std::string url_;
  Broker broker_;
  std::string cursor_ = "0";
  double last_beat_ = 0;
  std::set<std::string> rejected_;
  // What each entry received and not yet acknowledged holds.
  struct Holds {
    std::string id;
    std::int64_t last = 0;
    bool final = false;
  };
  std::map<std::string, Holds> holds_;
};

}  // namespace

std::unique_ptr<EventSink> make_redis_event_sink(const Instance& inst) {
  return std::make_unique<RedisEventSink>(inst);
}

std::unique_ptr<EventSource> make_redis_event_source(const Instance& inst) {
  return std::make_unique<RedisEventSource>(inst);
}

}  // namespace pj::judge
