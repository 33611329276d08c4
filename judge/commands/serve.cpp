// `pipejudge serve`: the HTTP API (Judge0-compatible, and the problem API)
// on an instance, with its collector and a pool of workers as children.
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/pipeline/local_judges.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/server/server.hpp"

namespace pj::judge {
namespace {

// "127.0.0.1:2358", "[::1]:2358" or ":2358" (loopback).
void parse_listen(const std::string& text, ServeOptions& o) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw ConfigError("--listen", "must be HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  o.host = host.empty() ? "127.0.0.1" : host;
  try {
    std::size_t used = 0;
    int port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("");
    o.port = port;
  } catch (const std::exception&) {
    throw ConfigError("--listen", "the port must be a number from 0 to 65535");
  }
}

}  // namespace

void add_serve_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    ServeOptions serve;
    std::string listen = "127.0.0.1:2358";
    std::string problems;
    std::vector<std::string> tokens;
    int jobs = 0;
    bool no_workers = false;
    std::string cache_dir;
    std::size_t max_body_kib = 1024;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "serve", "HTTP API: Judge0-compatible endpoints and pipejudge's problem API");
  cmd->add_option("--listen", opt->listen,
                  "HOST:PORT to listen on (port 0: a free one, printed); loopback by default")
      ->capture_default_str();
  cmd->add_option("--problems", opt->problems,
                  "directory of problem packages for the problem API (problem id: the "
                  "package's directory name)");
  cmd->add_option("--auth-token", opt->tokens,
                  "require this X-Auth-Token on every request (repeatable; also "
                  "$PIPEJUDGE_AUTH_TOKEN)");
  auto* jobs =
      cmd->add_option("--jobs", opt->jobs,
                      "workers to start (default: the number of cores, the machine's run slots)")
          ->check(CLI::Range(1, 1000));
  auto* cache =
      cmd->add_option("--cache-dir", opt->cache_dir, "the workers' compile cache directory");
  cmd->add_flag("--no-workers", opt->no_workers,
                "start no workers: those already running on the instance judge (a collector "
                "is started only if none runs)")
      ->excludes(jobs)
      ->excludes(cache);
  cmd->add_option("--max-body-kib", opt->max_body_kib, "larger request bodies are refused (413)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--max-queued", opt->serve.max_queued,
                  "with this many jobs queued, a new submission is refused (503)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--max-wait", opt->serve.max_wait_seconds,
                  "?wait=true waits at most this many seconds")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  add_instance_options(cmd, opt->instance, true);
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    Log log = [](const std::string& m) { log_line("serve", m); };
    ServeOptions& serve = opt->serve;
    parse_listen(opt->listen, serve);
    serve.problems_dir = opt->problems;
    if (!opt->problems.empty() && !std::filesystem::is_directory(opt->problems))
      throw ConfigError(opt->problems, "is not a directory");  // before anything starts
    serve.max_body_bytes = opt->max_body_kib << 10;
    serve.auth_tokens = opt->tokens;
    if (const char* env = std::getenv("PIPEJUDGE_AUTH_TOKEN"); env && *env)
      serve.auth_tokens.push_back(env);
    if (!loopback_host(serve.host) && serve.auth_tokens.empty())
      log("warning: listening on " + serve.host +
          ", reachable from other machines, without an auth token (--auth-token): anyone "
          "who can connect can run programs here");
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    make_state_dirs(inst);
    if (!opt->no_workers) require_isolation_or_insecure();
    const std::atomic<bool>& stop = stop_on_signals();
    {
      int workers = opt->no_workers ? 0 : opt->jobs > 0 ? opt->jobs : max_run_slots();
      LocalJudges judges(inst, workers, opt->cache_dir, log);
      run_server(inst, serve, stop, log, [&](int port) {
        // The one line on stdout: scripts wait for it.
        std::printf("listening http://%s:%d/\n",
                    serve.host.find(':') != std::string::npos ? ("[" + serve.host + "]").c_str()
                                                              : serve.host.c_str(),
                    port);
        std::fflush(stdout);
        log("listening on " + serve.host + ":" + std::to_string(port) + " (instance " + inst.name +
            ")");
      });
      log("stopping: the workers finish the jobs they are judging");
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
