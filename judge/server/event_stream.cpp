// GET /api/submissions/{id}/events: a submission's events as Server-Sent
// Events, read from the results database as the collector stores them (a
// client that reconnects with Last-Event-ID gets what it missed).
#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "judge/report/report_json.hpp"
#include "judge/server/common.hpp"
#include "judge/server/routes.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

class EventStreams {
 public:
  explicit EventStreams(ServeCore& core) : core_(core) {}

  void install(httplib::Server& svr) {
    svr.Get(R"(/api/submissions/([A-Za-z0-9_-]+)/events)",
            [this](const Req& req, Res& res) { stream_events(req, res); });
  }

 private:
  // One stream of GET /api/submissions/{id}/events.
  struct EventStream {
    EventStream(ResultStore s, std::string submission)
        : store(std::move(s)), id(std::move(submission)) {}
    ResultStore store;
    std::string id;
    std::int64_t last = -1;  // the last event sent (or the client's Last-Event-ID)
    bool done = false;       // the final has been sent
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> gap_since;
  };

  // An event as a client sees it: the stored body without the envelope's
  // sender fields, with its blob references replaced by their text.
  static json client_event(EventStream& s, const EventRow& row) {
    json body = row.body;
    for (const char* internal : {"v", "pid", "uid"}) body.erase(internal);
    for (auto& [key, value] : body.items()) {
      if (auto hash = blob_ref_hash(value)) value = s.store.blob(*hash).value_or("");
    }
    return body;
  }

  // What is stored after `s.last`, in seq order, as SSE messages. A gap (an
  // event stored late) is waited for, for at most kStoredWait seconds, then
  // passed over.
  std::string next_events(EventStream& s) {
    auto now = std::chrono::steady_clock::now();
    std::string out;
    // Judged before we look: then every event up to the final is stored.
    auto d = s.store.find(s.id);
    bool judged = d && d->report.verdict;
    auto rows = s.store.events(s.id, s.last);
    // Nothing after the client's last event, and judged: it has them all.
    if (rows.empty() && judged) s.done = true;
    for (const auto& row : rows) {
      if (row.seq != s.last + 1) {
        if (!s.gap_since) s.gap_since = now;
        if (std::chrono::duration<double>(now - *s.gap_since).count() < kStoredWait) break;
      }
      s.gap_since.reset();
      out += "id: " + std::to_string(row.seq) + "\nevent: " + row.type +
             "\ndata: " + dump(client_event(s, row)) + "\n\n";
      s.last = row.seq;
      if (row.type == "final") {
        s.done = true;
        break;
      }
    }
    // A comment now and then keeps proxies from closing a quiet stream.
    if (out.empty() && std::chrono::duration<double>(now - s.last_write).count() > 15)
      out = ": waiting\n\n";
    if (!out.empty()) s.last_write = now;
    return out;
  }

  void stream_events(const Req& req, Res& res) {
    std::string id = req.matches[1];
    auto store = ResultStore::try_open_reader(core_.instance().db_path);
    if (!store || !store->find(id)) return reply(res, 404, {{"error", "no submission " + id}});
    auto stream = std::make_shared<EventStream>(std::move(*store), id);
    if (req.has_header("Last-Event-ID")) {
      std::string v = req.get_header_value("Last-Event-ID");
      static const std::regex number("-?[0-9]{1,10}");
      if (!std::regex_match(v, number) || std::stoll(v) < -1)
        return reply_errors(res, {{"Last-Event-ID", {"must be the id of an event (an integer)"}}});
      stream->last = std::stoll(v);
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream",
                                     [this, stream](std::size_t, httplib::DataSink& sink) {
                                       if (!stream->done && !core_.stopping()) {
                                         std::string out = next_events(*stream);
                                         if (!out.empty() && !sink.write(out.data(), out.size()))
                                           return false;  // the client went away
                                         if (out.empty()) std::this_thread::sleep_for(kPoll * 5);
                                       }
                                       if (stream->done || core_.stopping()) sink.done();
                                       return true;
                                     });
  }

  ServeCore& core_;
};

}  // namespace

std::shared_ptr<void> install_event_stream(httplib::Server& svr, ServeCore& core) {
  auto streams = std::make_shared<EventStreams>(core);
  streams->install(svr);
  return streams;
}

}  // namespace pj::judge
