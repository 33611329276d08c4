// Judge0's subset of routes: bind the request, check it (judge0.hpp), make
// it a one-test problem, queue it, and say the stored result as Judge0 does.
#include <string>
#include <vector>

#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/server/common.hpp"
#include "judge/server/judge0.hpp"
#include "judge/server/routes.hpp"
#include "judge/server/webhook.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace pj::judge {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

// Judge0's error for text that JSON cannot carry.
constexpr const char* kNotUtf8 =
    "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true";
// Submissions in one batch, at most (Judge0's default).
constexpr std::size_t kMaxBatch = 20;

Judge0Submission judge0_view(const ServeCore& core, const std::string& token,
                             const SubmissionDetail& d) {
  Judge0Submission s;
  s.token = token;
  s.report = d.report;
  s.started = d.row.status != "queued";
  s.created_at = d.row.submitted_at;
  s.finished_at = d.row.finished_at;
  // Read back only from where the server itself wrote them.
  fs::path file = fs::path(d.report.submission).lexically_normal();
  auto rel = file.lexically_relative(core.sources());
  if (!rel.empty() && *rel.begin() != ".." && fs::is_regular_file(file))
    s.source_code = read_small_file(file, core.options().judge0.source_max_bytes);
  if (is_judge0_package_name(d.report.problem)) {
    fs::path pkg = core.packages() / d.report.problem;
    s.stdin_data = read_small_file(pkg / "data" / "secret" / "1.in", core.options().max_body_bytes);
    if (read_small_file(pkg / "problem.yaml", 4096).find("validator_flags: compare") !=
        std::string::npos)
      s.expected_output =
          read_small_file(pkg / "data" / "secret" / "1.ans", core.options().max_body_bytes);
  }
  return s;
}

// The tries a callback gets before it is given up (the first, then one
// after each back-off that ends within the retry time).
int tries_within(const WebhookOptions& o) {
  int tries = 1;
  for (double t = backoff_delay(1, o.max_delay); t <= o.retry_for && tries < 100000;
       t += backoff_delay(tries, o.max_delay))
    ++tries;
  return tries;
}

class Judge0Api {
 public:
  explicit Judge0Api(ServeCore& core) : core_(core) {}

  void install(httplib::Server& svr) {
    svr.Post("/submissions", [this](const Req& req, Res& res) { post_judge0(req, res); });
    svr.Post("/submissions/batch",
             [this](const Req& req, Res& res) { post_judge0_batch(req, res); });
    svr.Get("/submissions/batch", [this](const Req& req, Res& res) { get_judge0_batch(req, res); });
    svr.Get(R"(/submissions/([A-Za-z0-9_-]+))",
            [this](const Req& req, Res& res) { get_judge0(req, res); });
    svr.Get("/languages", [this](const Req&, Res& res) { languages(res); });
    svr.Get(R"(/languages/(\d+))", [this](const Req& req, Res& res) { language(req, res); });
    svr.Get("/statuses", [](const Req&, Res& res) {
      json list = json::array();
      for (const auto& s : judge0_statuses())
        list.push_back({{"id", s.id}, {"description", s.description}});
      reply(res, 200, list);
    });
    svr.Get("/about", [](const Req&, Res& res) {
      reply(res, 200,
            {{"version", PIPEJUDGE_VERSION},
             {"name", "pipejudge"},
             {"compatibility", "a subset of the Judge0 CE API (see the README)"}});
    });
    svr.Get("/workers", [this](const Req&, Res& res) { workers(res); });
    svr.Get("/config_info", [this](const Req&, Res& res) { config_info(res); });
  }

 private:
  void send_judge0(httplib::Response& res, int status, const Judge0Submission& s, bool base64,
                   const std::string& fields) {
    auto all = judge0_json(s, base64);
    if (!all) {
      reply(res, status, {{"token", s.token}, {"error", kNotUtf8}});
      return;
    }
    FieldErrors errors;
    json selected = judge0_select(*all, fields, errors);
    if (!errors.empty()) return reply_errors(res, errors);
    reply(res, status, selected);
  }

  // One Judge0 request, checked and handed to the workers: its token;
  // nullopt with `errors` (a 422's) or `refusal` set.
  std::optional<std::string> submit_judge0(const json& body, bool base64, const std::string& client,
                                           FieldErrors& errors, Refusal& refusal) {
    auto request = parse_judge0_request(body, base64, core_.options().judge0, errors);
    if (request && request->callback_url && !core_.callback_refusal().empty())
      errors["callback_url"].push_back(core_.callback_refusal());
    if (!request || !errors.empty()) return std::nullopt;
    const Language* lang = core_.languages().find(request->language->language);
    if (!lang || !core_.installed(lang->id)) {
      errors["language_id"].push_back("language with id " + std::to_string(request->language->id) +
                                      " is not installed on this server");
      return std::nullopt;
    }
    if (!request->run.compiler_options.empty() && !takes_compiler_options(*lang)) {
      errors["compiler_options"].push_back("cannot be set: language " + lang->name +
                                           " takes no compiler options");
      return std::nullopt;
    }
    Problem problem = load_problem(judge0_package(core_.packages(), *request));
    fs::path file = core_.write_source(request->language->source_file, request->source_code);
    Submission submission;
    try {
      submission = load_submission(file, lang->id, core_.languages());
    } catch (const ConfigError& e) {
      errors["source_code"].push_back(e.what());
      return std::nullopt;
    }
    // Judge0 shows the program's output whatever the verdict: all of it
    // that the output limit lets through.
    RunOptions run = request->run;
    run.keep_output = run.output_bytes.value_or(problem.output_bytes);
    auto id = core_.enqueue(problem, submission, false, client, refusal, run);
    if (id && request->callback_url)
      core_.add_webhook(*id, *request->callback_url, "PUT", "judge0");
    return id;
  }

  void post_judge0(const httplib::Request& req, httplib::Response& res) {
    FieldErrors errors;
    bool base64 = query_flag(req, "base64_encoded", errors);
    bool wait = query_flag(req, "wait", errors);
    std::string fields = req.get_param_value("fields");
    if (!errors.empty()) return reply_errors(res, errors);
    auto body = parse_body(req, res);
    if (!body) return;
    Refusal refusal;
    auto id = submit_judge0(*body, base64, client_key(req), errors, refusal);
    if (!errors.empty()) return reply_errors(res, errors);
    if (!id) return reply(res, refusal.status, {{"error", refusal.error}});
    if (!wait) return reply(res, 201, {{"token", *id}});
    auto detail = core_.wait_final(*id);
    if (!detail) return reply(res, 201, {{"token", *id}});
    send_judge0(res, 201, judge0_view(core_, *id, *detail), base64, fields);
  }

  // Judge0's batch: {"submissions": [request, ...]} (at most
  // kMaxBatch); each gets its {"token"}, or its own errors.
  void post_judge0_batch(const httplib::Request& req, httplib::Response& res) {
    FieldErrors errors;
    bool base64 = query_flag(req, "base64_encoded", errors);
    if (!errors.empty()) return reply_errors(res, errors);
    auto body = parse_body(req, res);
    if (!body) return;
    auto list = body->find("submissions");
    if (list == body->end() || !list->is_array() || list->empty())
      return reply_errors(res, {{"submissions", {"must be a non-empty array"}}});
    if (list->size() > kMaxBatch)
      return reply_errors(
          res,
          {{"submissions", {"at most " + std::to_string(kMaxBatch) + " submissions per batch"}}});
    json out = json::array();
    for (const auto& item : *list) {
      FieldErrors item_errors;
      Refusal refusal;
      auto id = submit_judge0(item, base64, client_key(req), item_errors, refusal);
      if (!item_errors.empty())
        out.push_back(errors_json(item_errors));
      else if (!id)
        out.push_back({{"error", refusal.error}});
      else
        out.push_back({{"token", *id}});
    }
    reply(res, 201, out);
  }

  // GET /submissions/batch?tokens=a,b: {"submissions": [...]}, null for an
  // unknown token.
  void get_judge0_batch(const httplib::Request& req, httplib::Response& res) {
    FieldErrors errors;
    bool base64 = query_flag(req, "base64_encoded", errors);
    std::vector<std::string> tokens;
    std::string text = req.get_param_value("tokens");
    for (std::size_t start = 0; start < text.size();) {
      std::size_t comma = std::min(text.find(',', start), text.size());
      if (comma > start) tokens.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    if (tokens.empty()) errors["tokens"].push_back("can't be blank");
    if (tokens.size() > kMaxBatch)
      errors["tokens"].push_back("at most " + std::to_string(kMaxBatch) + " tokens");
    if (!errors.empty()) return reply_errors(res, errors);
    json out = json::array();
    for (const auto& token : tokens) {
      auto detail = core_.find(token);
      if (!detail) {
        out.push_back(nullptr);
        continue;
      }
      auto all = judge0_json(judge0_view(core_, token, *detail), base64);
      if (!all) {
        out.push_back({{"token", token}, {"error", kNotUtf8}});
        continue;
      }
      out.push_back(judge0_select(*all, req.get_param_value("fields"), errors));
      if (!errors.empty()) return reply_errors(res, errors);
    }
    reply(res, 200, {{"submissions", out}});
  }

  void get_judge0(const httplib::Request& req, httplib::Response& res) {
    FieldErrors errors;
    bool base64 = query_flag(req, "base64_encoded", errors);
    if (!errors.empty()) return reply_errors(res, errors);
    std::string token = req.matches[1];
    auto detail = core_.find(token);
    if (!detail)
      return reply(res, 404, {{"error", "submission with token " + token + " not found"}});
    send_judge0(res, 200, judge0_view(core_, token, *detail), base64,
                req.get_param_value("fields"));
  }

  json language_json(const Judge0Language& j0, const Language& lang, bool full) {
    json j = {{"id", j0.id}, {"name", lang.name}};
    if (!full) return j;
    auto words = [](const std::vector<std::string>& argv) -> json {
      if (argv.empty()) return nullptr;
      std::string s;
      for (const auto& w : argv) s += (s.empty() ? "" : " ") + w;
      return s;
    };
    j["is_archived"] = false;
    j["source_file"] = j0.source_file;
    j["compile_cmd"] = words(lang.compile);
    j["run_cmd"] = words(lang.run);
    j["pipejudge_language"] = lang.id;
    return j;
  }

  void languages(httplib::Response& res) {
    json list = json::array();
    for (const auto& j0 : judge0_languages()) {
      const Language* lang = core_.languages().find(j0.language);
      if (lang && core_.installed(lang->id)) list.push_back(language_json(j0, *lang, false));
    }
    reply(res, 200, list);
  }

  void language(const httplib::Request& req, httplib::Response& res) {
    const Judge0Language* j0 = nullptr;
    try {
      j0 = judge0_language(std::stoi(req.matches[1]));
    } catch (const std::exception&) {
    }
    const Language* lang = j0 ? core_.languages().find(j0->language) : nullptr;
    if (!lang || !core_.installed(lang->id))
      return reply(res, 404, {{"error", "language not found"}});
    reply(res, 200, language_json(*j0, *lang, true));
  }

  // Judge0's GET /workers: its one queue, as pipejudge's job queue and
  // workers are now.
  void workers(Res& res) {
    QueueFacts facts = core_.queue_facts();
    std::size_t idle = 0;
    for (const auto& w : facts.workers) idle += w.state == "idle";
    reply(res, 200,
          json::array({{{"queue", "live"},
                        {"size", facts.queued.size()},
                        {"available", facts.workers.size()},
                        {"idle", idle},
                        {"working", facts.workers.size() - idle},
                        {"paused", 0},
                        {"failed", facts.dead.size()}}}));
  }

  // The names of the installed languages whose compile command takes
  // compiler options (Judge0 lists names; all of them, for it, when empty).
  json compiler_options_languages() const {
    json names = json::array();
    for (const auto& j0 : judge0_languages()) {
      const Language* lang = core_.languages().find(j0.language);
      if (lang && core_.installed(lang->id) && takes_compiler_options(*lang))
        names.push_back(lang->name);
    }
    return names;
  }

  // Judge0's GET /config_info: the settings that hold here, under Judge0's
  // names (what pipejudge cannot do yet is off).
  void config_info(Res& res) {
    const Judge0Limits& l = core_.options().judge0;
    reply(res, 200,
          {{"maintenance_mode", false},
           {"enable_wait_result", true},
           {"enable_compiler_options", true},
           {"allowed_languages_for_compile_options", compiler_options_languages()},
           {"enable_command_line_arguments", true},
           {"enable_submission_delete", false},
           {"enable_callbacks", core_.callback_refusal().empty()},
           {"callbacks_max_tries", tries_within(core_.options().webhooks)},
           {"callbacks_timeout", core_.options().webhooks.timeout},
           {"enable_additional_files", false},
           {"max_queue_size", core_.options().max_queued},
           {"cpu_time_limit", l.cpu_time_default},
           {"max_cpu_time_limit", l.cpu_time_max},
           {"memory_limit", l.memory_default_kb},
           {"max_memory_limit", l.memory_max_kb},
           {"max_file_size", 1024},
           {"number_of_runs", 1},
           {"max_number_of_runs", 1},
           {"redirect_stderr_to_stdout", false},
           {"enable_per_process_and_thread_time_limit", false},
           {"enable_per_process_and_thread_memory_limit", false},
           {"enable_network", false},
           {"enable_batched_submissions", true},
           {"max_submission_batch_size", kMaxBatch},
           {"submission_cache_duration", 0},
           {"use_docs_as_homepage", false},
           {"allow_enable_network", false},
           {"allow_enable_per_process_and_thread_time_limit", false},
           {"allow_enable_per_process_and_thread_memory_limit", false}});
  }

  ServeCore& core_;
};

}  // namespace

std::optional<std::string> judge0_callback_body(const ServeCore& core, const Webhook& w,
                                                const SubmissionDetail& d) {
  // Judge0's callback: its default fields, base64 (as Judge0 sends it).
  auto all = judge0_json(judge0_view(core, w.id, d), true);
  if (!all) return std::nullopt;
  FieldErrors errors;
  return dump(judge0_select(*all, "", errors));
}

std::shared_ptr<void> install_judge0_api(httplib::Server& svr, ServeCore& core) {
  auto api = std::make_shared<Judge0Api>(core);
  api->install(svr);
  return api;
}

}  // namespace pj::judge
