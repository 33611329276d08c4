#include "judge/server/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "judge/engine/error.hpp"
#include "judge/server/common.hpp"
#include "judge/server/core.hpp"
#include "judge/server/routes.hpp"
#include "judge/server/web_page.hpp"
#include "judge/server/webhook_sender.hpp"

namespace pj::judge {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

// With tokens configured, a request needs X-Auth-Token with one of them;
// false once a 401 is set on `res`.
bool authorised(const ServeOptions& options, const Req& req, Res& res) {
  if (options.auth_tokens.empty()) return true;
  std::string given = req.get_header_value("X-Auth-Token");
  bool ok = false;
  for (const auto& t : options.auth_tokens) ok |= same_token(given, t);
  if (!ok)
    reply(res, 401,
          {{"error", given.empty() ? "an X-Auth-Token header is required"
                                   : "the X-Auth-Token is not valid"}});
  return ok;
}

// The library listens with a backlog of 5: under load, a connection beyond
// it waits for the client's retry (a second or more) or is reset. A second
// listen() on the listening socket widens it.
void widen_backlog(int sock) {
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (sock >= 0 && ::getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 &&
      accepting)
    ::listen(sock, SOMAXCONN);
}

}  // namespace

bool loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void run_server(const Instance& inst, const ServeOptions& options, const std::atomic<bool>& stop,
                const Log& log, const std::function<void(int)>& on_listening) {
  make_state_dirs(inst);
  ServeCore core(inst, options, stop, log);
  httplib::Server svr;
  svr.new_task_queue = [] { return new httplib::ThreadPool(32); };
  svr.set_payload_max_length(options.max_body_bytes);
  svr.set_keep_alive_timeout(1);
  // The listening socket is not inherited by anything we start.
  socket_t listening = -1;
  svr.set_socket_options([&listening](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    listening = sock;
  });
  svr.set_exception_handler([log](const Req&, Res& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log("internal error: " + what);
    reply(res, 500, {{"error", "internal error: " + what}});
  });
  svr.set_error_handler([](const Req&, Res& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 413   ? "request body too large"
                       : res.status == 404 ? "not found"
                                           : "request refused";
    reply(res, res.status, {{"error", what}});
  });
  svr.set_pre_routing_handler([&options](const Req& req, Res& res) {
    // The page itself holds nothing: it asks for the token and sends it.
    bool page = req.method == "GET" && web_file(req.path);
    return page || authorised(options, req, res) ? httplib::Server::HandlerResponse::Unhandled
                                                 : httplib::Server::HandlerResponse::Handled;
  });
  WebhookSender webhooks(
      core.webhooks(), inst, options.webhooks,
      [&core](const Webhook& w, const SubmissionDetail& d) {
        return w.kind == "judge0" ? judge0_callback_body(core, w, d) : problem_callback_body(w, d);
      },
      log);
  std::vector<std::shared_ptr<void>> routes = {
      install_judge0_api(svr, core), install_problem_api(svr, core),
      install_event_stream(svr, core), install_web_page(svr, core)};

  int port = options.port;
  if (port == 0) {
    port = svr.bind_to_any_port(options.host);
    if (port < 0) throw ConfigError(options.host, "cannot listen on this address");
  } else if (!svr.bind_to_port(options.host, port)) {
    throw ConfigError(options.host + ":" + std::to_string(port),
                      "cannot listen on this address (in use, or not this machine's)");
  }
  widen_backlog(listening);
  on_listening(port);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!stop && !done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // stop() does nothing before listening has begun: ask until it ends.
    while (!done) {
      svr.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  svr.listen_after_bind();
  done = true;
  watcher.join();
}

}  // namespace pj::judge
