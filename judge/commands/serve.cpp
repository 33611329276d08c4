// `pipejudge serve`: the HTTP API (Judge0-compatible, and the problem API)
// on an instance, with its collector and a pool of workers as children.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/pipeline/local_judges.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/server/serve_config.hpp"
#include "judge/server/server.hpp"

namespace pj::judge {

void add_serve_command(CLI::App& app, int& status) {
  // What the command line says; an option not given leaves the file's
  // value (or the default) alone.
  struct Options {
    InstanceOptions instance;
    std::string config;
    bool print_config = false;
    std::string listen;
    std::string problems;
    std::vector<std::string> tokens;
    int jobs = 0;
    bool no_workers = false;
    std::string cache_dir;
    std::size_t max_body_kib = 1024, max_queued = 1000, max_queued_per_client = 0;
    double max_wait = 60;
    WebhookOptions webhooks;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("serve", kServeSummary);
  cmd->add_option("--config", opt->config,
                  "YAML file of settings (listen, auth_tokens, problems, workers, limits, "
                  "webhooks...); options given here win over it")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--print-config", opt->print_config,
                "print the effective configuration (as a --config file) and exit");
  auto* listen = cmd->add_option(
      "--listen", opt->listen,
      "HOST:PORT to listen on (port 0: a free one, printed); default 127.0.0.1:2358");
  auto* problems = cmd->add_option("--problems", opt->problems,
                                   "directory of problem packages for the problem API (problem "
                                   "id: the package's directory name)");
  auto* tokens = cmd->add_option("--auth-token", opt->tokens,
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
  auto* body = cmd->add_option("--max-body-kib", opt->max_body_kib,
                               "larger request bodies are refused (413); default 1024")
                   ->check(CLI::Range(1, 1 << 20));
  auto* queued = cmd->add_option("--max-queued", opt->max_queued,
                                 "with this many jobs queued, a new submission is refused (503); "
                                 "default 1000")
                     ->check(CLI::Range(1, 1000000));
  auto* per_client = cmd->add_option("--max-queued-per-client", opt->max_queued_per_client,
                                     "a client (auth token, or address) with this many "
                                     "submissions waiting for their verdict is refused (429); "
                                     "default 0, no limit")
                         ->check(CLI::Range(0, 1000000));
  auto* wait = cmd->add_option("--max-wait", opt->max_wait,
                               "?wait=true waits at most this many seconds; default 60")
                   ->check(CLI::Range(1.0, 3600.0));
  auto* secret =
      cmd->add_option("--webhook-secret", opt->webhooks.secret,
                      "HMAC-SHA256 key of the callbacks' X-Pipejudge-Signature (also "
                      "$PIPEJUDGE_WEBHOOK_SECRET); without one, callback_url is refused");
  auto* retry_for = cmd->add_option("--webhook-retry-for", opt->webhooks.retry_for,
                                    "seconds after the verdict to keep trying a callback that "
                                    "fails; default 3600")
                        ->check(CLI::Range(0.0, 30.0 * 86400));
  auto* timeout = cmd->add_option("--webhook-timeout", opt->webhooks.timeout,
                                  "seconds one try of a callback may take (connecting, sending, "
                                  "answering); default 10")
                      ->check(CLI::Range(0.1, 600.0));
  add_instance_options(cmd, opt->instance, true);
  add_insecure_option(cmd);
  cmd->callback([=, &status] {
    Log log = [](const std::string& m) { log_line("serve", m); };
    ServeOptions serve;
    if (!opt->config.empty()) load_serve_config(opt->config, serve);
    if (listen->count()) parse_listen(opt->listen, serve, "--listen");
    if (problems->count()) serve.problems_dir = std::filesystem::absolute(opt->problems);
    if (tokens->count()) serve.auth_tokens = opt->tokens;
    if (const char* env = std::getenv("PIPEJUDGE_AUTH_TOKEN"); env && *env)
      serve.auth_tokens.push_back(env);
    if (jobs->count()) serve.workers = opt->jobs;
    if (opt->no_workers) serve.workers = 0;
    if (body->count()) serve.max_body_bytes = opt->max_body_kib << 10;
    if (queued->count()) serve.max_queued = opt->max_queued;
    if (per_client->count()) serve.max_queued_per_client = opt->max_queued_per_client;
    if (wait->count()) serve.max_wait_seconds = opt->max_wait;
    if (secret->count()) serve.webhooks.secret = opt->webhooks.secret;
    if (const char* env = std::getenv("PIPEJUDGE_WEBHOOK_SECRET");
        env && *env && serve.webhooks.secret.empty())
      serve.webhooks.secret = env;
    if (retry_for->count()) serve.webhooks.retry_for = opt->webhooks.retry_for;
    if (timeout->count()) serve.webhooks.timeout = opt->webhooks.timeout;
    int workers = opt->no_workers ? 0 : serve.workers > 0 ? serve.workers : max_run_slots();
    if (opt->print_config) {
      ServeOptions shown = serve;
      shown.workers = workers;
      std::fputs(serve_config_yaml(shown).c_str(), stdout);
      status = kExitAccepted;
      return;
    }
    if (!serve.problems_dir.empty() && !std::filesystem::is_directory(serve.problems_dir))
      throw ConfigError(serve.problems_dir.string(),
                        "is not a directory");  // before anything starts
    if (!loopback_host(serve.host) && serve.auth_tokens.empty())
      log("warning: listening on " + serve.host +
          ", reachable from other machines, without an auth token (--auth-token): anyone "
          "who can connect can run programs here");
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    make_state_dirs(inst);
    if (workers > 0) require_isolation_or_insecure();
    const std::atomic<bool>& stop = stop_on_signals();
    {
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
