#include "judge/server/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <system_error>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/cancel.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/report/events.hpp"
#include "judge/report/report_json.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace pj::judge {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

constexpr auto kPoll = std::chrono::milliseconds(20);
// Judge0's error for text that JSON cannot carry.
constexpr const char* kNotUtf8 =
    "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true";
// Submissions in one batch, at most (Judge0's default).
constexpr std::size_t kMaxBatch = 20;
// How long a POST waits for its queued event to be stored, so that a GET
// of the id it answers finds the submission.
constexpr double kStoredWait = 5;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

json errors_json(const FieldErrors& errors) {
  json j = json::object();
  for (const auto& [field, messages] : errors) j[field] = messages;
  return j;
}

void reply_errors(httplib::Response& res, const FieldErrors& errors) {
  reply(res, 422, errors_json(errors));
}

// A ?name=true|false query flag; a value that is neither is an error.
bool query_flag(const httplib::Request& req, const char* name, FieldErrors& errors) {
  if (!req.has_param(name)) return false;
  std::string v = req.get_param_value(name);
  if (v == "true" || v == "1") return true;
  if (v.empty() || v == "false" || v == "0") return false;
  errors[name].push_back("must be true or false");
  return false;
}

std::optional<json> parse_body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    reply(res, 400, {{"error", "the request body is not valid JSON"}});
    return std::nullopt;
  }
  if (!body.is_object()) {
    reply_errors(res, {{"body", {"must be a JSON object"}}});
    return std::nullopt;
  }
  return body;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string read_small_file(const fs::path& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string data(max, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

bool safe_file_name(const std::string& name) {
  static const std::regex re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
  return std::regex_match(name, re) && name.find("..") == std::string::npos;
}

bool same_token(const std::string& a, const std::string& b) {
  // Compared in time independent of where they differ.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i)
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
  return diff == 0;
}

json problem_json(const Problem& p) {
  json type = json::array();
  type.push_back(p.scoring ? "scoring" : "pass-fail");
  if (p.interactive) type.push_back("interactive");
  if (p.multi_pass) type.push_back("multi-pass");
  std::size_t samples = 0;
  for (const auto& t : p.tests) samples += t.name.rfind("sample/", 0) == 0;
  return {
      {"id", p.short_name},
      {"name", p.name},
      {"type", type},
      {"format", format_version_name(p.format)},
      {"limits", {{"time", p.time_limit}, {"memory", p.memory_bytes}, {"output", p.output_bytes}}},
      {"tests", p.tests.size()},
      {"samples", samples}};
}

class Api {
 public:
  Api(const Instance& inst, const ServeOptions& options, const std::atomic<bool>& stop,
      const Log& log)
      : inst_(inst),
        options_(options),
        stop_(stop),
        log_(log),
        languages_(LanguageTable::load_default()),
        transport_(open_transport(inst)),
        queue_(transport_->job_queue()),
        health_queue_(transport_->job_queue()),
        sources_(fs::absolute(inst.state_dir / "serve" / "sources")),
        packages_(fs::absolute(inst.state_dir / "serve" / "judge0-packages")) {
    for (const auto& [id, lang] : languages_.all())
      if (!missing_toolchain(lang)) installed_.insert(id);
    if (!options.problems_dir.empty()) load_problems(options.problems_dir);
    fs::create_directories(sources_);
    fs::create_directories(packages_);
  }

  void install(httplib::Server& svr) {
    svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return authorised(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                  : httplib::Server::HandlerResponse::Handled;
    });
    // Judge0-compatible.
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
    // pipejudge's own.
    svr.Get("/api/health", [this](const Req&, Res& res) { health(res); });
    svr.Get("/api/problems", [this](const Req&, Res& res) {
      json list = json::array();
      for (const auto& [id, p] : problems_) list.push_back(problem_json(p.problem));
      reply(res, 200, list);
    });
    svr.Post(R"(/api/problems/([A-Za-z0-9_.-]+)/submissions)",
             [this](const Req& req, Res& res) { post_problem(req, res); });
    svr.Get(R"(/api/submissions/([A-Za-z0-9_-]+))",
            [this](const Req& req, Res& res) { get_submission(req, res); });
    svr.Get(R"(/api/submissions/([A-Za-z0-9_-]+)/events)",
            [this](const Req& req, Res& res) { stream_events(req, res); });
    svr.Post(R"(/api/submissions/([A-Za-z0-9_-]+)/cancel)",
             [this](const Req& req, Res& res) { cancel(req, res); });
  }

 private:
  struct LoadedProblem {
    Problem problem;
    LanguageTable languages;  // with the site's choices for this problem
  };

  void load_problems(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw ConfigError(dir.string(), "is not a directory");
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_directory() || !fs::exists(e.path() / "problem.yaml")) continue;
      try {
        Problem p = load_problem(e.path());
        std::string id = p.short_name;
        problems_.emplace(id, LoadedProblem{std::move(p), LanguageTable::load_default(id)});
      } catch (const ConfigError& err) {
        log_("problem " + e.path().filename().string() + " left out: " + err.file() + ": " +
             err.what());
      }
    }
    log_(std::to_string(problems_.size()) + " problems from " + dir.string());
  }

  bool authorised(const httplib::Request& req, httplib::Response& res) const {
    if (options_.auth_tokens.empty()) return true;
    std::string given = req.get_header_value("X-Auth-Token");
    bool ok = false;
    for (const auto& t : options_.auth_tokens) ok |= same_token(given, t);
    if (!ok)
      reply(res, 401,
            {{"error", given.empty() ? "an X-Auth-Token header is required"
                                     : "the X-Auth-Token is not valid"}});
    return ok;
  }

  // Writes the source into a directory of its own under the state
  // directory, under a name the server picks (or one checked by
  // safe_file_name): nothing a client sends names a path.
  fs::path write_source(const std::string& file_name, const std::string& source) {
    fs::path dir = sources_ / new_submission_id();
    fs::create_directories(dir);
    fs::path file = dir / file_name;
    write_new_file(file, source);
    return file;
  }

  // Hands the submission to the workers; nullopt with `refusal` (a 503's
  // error) if the queue refuses it.
  std::optional<std::string> enqueue(const Problem& p, const Submission& s, bool all,
                                     std::string& refusal) {
    std::optional<std::string> id;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      if (queue_->facts().queued.size() >= options_.max_queued) {
        refusal = "queue is full";
        return std::nullopt;
      }
      id = enqueue_submission(*transport_, p, s, all, Priority::Live, stop_);
    }
    if (!id) {
      refusal = "the server is shutting down";
      return std::nullopt;
    }
    // Until the collector has stored its queued event, a GET would not find it.
    auto start = std::chrono::steady_clock::now();
    while (!stop_ && seconds_since(start) < kStoredWait && !find(*id))
      std::this_thread::sleep_for(kPoll);
    return id;
  }

  std::optional<SubmissionDetail> find(const std::string& id) {
    if (!valid_submission_id(id)) return std::nullopt;
    auto store = ResultStore::try_open_reader(inst_.db_path);
    if (!store) return std::nullopt;
    return store->find(id);
  }

  // Waits for the final verdict (at most max_wait_seconds, or until we stop).
  std::optional<SubmissionDetail> wait_final(const std::string& id) {
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto d = find(id);
      if ((d && d->report.verdict) || stop_ || seconds_since(start) >= options_.max_wait_seconds)
        return d;
      std::this_thread::sleep_for(kPoll);
    }
  }

  Judge0Submission judge0_view(const std::string& token, const SubmissionDetail& d) {
    Judge0Submission s;
    s.token = token;
    s.report = d.report;
    s.started = d.row.status != "queued";
    s.created_at = d.row.submitted_at;
    s.finished_at = d.row.finished_at;
    // Read back only from where the server itself wrote them.
    fs::path file = fs::path(d.report.submission).lexically_normal();
    auto rel = file.lexically_relative(sources_);
    if (!rel.empty() && *rel.begin() != ".." && fs::is_regular_file(file))
      s.source_code = read_small_file(file, options_.judge0.source_max_bytes);
    if (is_judge0_package_name(d.report.problem)) {
      fs::path pkg = packages_ / d.report.problem;
      s.stdin_data = read_small_file(pkg / "data" / "secret" / "1.in", options_.max_body_bytes);
      if (read_small_file(pkg / "problem.yaml", 4096).find("validator_flags: compare") !=
          std::string::npos)
        s.expected_output =
            read_small_file(pkg / "data" / "secret" / "1.ans", options_.max_body_bytes);
    }
    return s;
  }

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
  // nullopt with `errors` (a 422's) or `refusal` (a 503's) set.
  std::optional<std::string> submit_judge0(const json& body, bool base64, FieldErrors& errors,
                                           std::string& refusal) {
    auto request = parse_judge0_request(body, base64, options_.judge0, errors);
    if (!request) return std::nullopt;
    const Language* lang = languages_.find(request->language->language);
    if (!lang || !installed_.count(lang->id)) {
      errors["language_id"].push_back("language with id " + std::to_string(request->language->id) +
                                      " is not installed on this server");
      return std::nullopt;
    }
    Problem problem = load_problem(judge0_package(packages_, *request));
    fs::path file = write_source(request->language->source_file, request->source_code);
    Submission submission;
    try {
      submission = load_submission(file, lang->id, languages_);
    } catch (const ConfigError& e) {
      errors["source_code"].push_back(e.what());
      return std::nullopt;
    }
    return enqueue(problem, submission, false, refusal);
  }

  void post_judge0(const httplib::Request& req, httplib::Response& res) {
    FieldErrors errors;
    bool base64 = query_flag(req, "base64_encoded", errors);
    bool wait = query_flag(req, "wait", errors);
    std::string fields = req.get_param_value("fields");
    if (!errors.empty()) return reply_errors(res, errors);
    auto body = parse_body(req, res);
    if (!body) return;
    std::string refusal;
    auto id = submit_judge0(*body, base64, errors, refusal);
    if (!errors.empty()) return reply_errors(res, errors);
    if (!id) return reply(res, 503, {{"error", refusal}});
    if (!wait) return reply(res, 201, {{"token", *id}});
    auto detail = wait_final(*id);
    if (!detail) return reply(res, 201, {{"token", *id}});
    send_judge0(res, 201, judge0_view(*id, *detail), base64, fields);
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
      std::string refusal;
      auto id = submit_judge0(item, base64, item_errors, refusal);
      if (!item_errors.empty())
        out.push_back(errors_json(item_errors));
      else if (!id)
        out.push_back({{"error", refusal}});
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
      auto detail = find(token);
      if (!detail) {
        out.push_back(nullptr);
        continue;
      }
      auto all = judge0_json(judge0_view(token, *detail), base64);
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
    auto detail = find(token);
    if (!detail)
      return reply(res, 404, {{"error", "submission with token " + token + " not found"}});
    send_judge0(res, 200, judge0_view(token, *detail), base64, req.get_param_value("fields"));
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
      const Language* lang = languages_.find(j0.language);
      if (lang && installed_.count(lang->id)) list.push_back(language_json(j0, *lang, false));
    }
    reply(res, 200, list);
  }

  void language(const httplib::Request& req, httplib::Response& res) {
    const Judge0Language* j0 = nullptr;
    try {
      j0 = judge0_language(std::stoi(req.matches[1]));
    } catch (const std::exception&) {
    }
    const Language* lang = j0 ? languages_.find(j0->language) : nullptr;
    if (!lang || !installed_.count(lang->id))
      return reply(res, 404, {{"error", "language not found"}});
    reply(res, 200, language_json(*j0, *lang, true));
  }

  QueueFacts queue_facts() {
    // A queue of its own: an answer never waits behind a submission
    // being accepted (which may wait for room in the event queue).
    std::lock_guard<std::mutex> lock(health_mutex_);
    return health_queue_->facts();
  }

  // Judge0's GET /workers: its one queue, as pipejudge's job queue and
  // workers are now.
  void workers(Res& res) {
    QueueFacts facts = queue_facts();
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

  // Judge0's GET /config_info: the settings that hold here, under Judge0's
  // names (what pipejudge cannot do yet is off).
  void config_info(Res& res) {
    const Judge0Limits& l = options_.judge0;
    reply(res, 200,
          {{"maintenance_mode", false},
           {"enable_wait_result", true},
           {"enable_compiler_options", false},
           {"allowed_languages_for_compile_options", json::array()},
           {"enable_command_line_arguments", false},
           {"enable_submission_delete", false},
           {"enable_callbacks", false},
           {"callbacks_max_tries", 0},
           {"callbacks_timeout", 0},
           {"enable_additional_files", false},
           {"max_queue_size", options_.max_queued},
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

  void health(httplib::Response& res) {
    QueueFacts facts = queue_facts();
    bool collector = collector_running(inst_);
    reply(res, 200,
          {{"status", collector ? "ok" : "degraded: no collector is running"},
           {"collector", collector},
           {"workers", facts.workers.size()},
           {"queued", facts.queued.size()},
           {"judging", facts.leased.size()},
           {"dead", facts.dead.size()}});
  }

  void post_problem(const httplib::Request& req, httplib::Response& res) {
    auto it = problems_.find(req.matches[1]);
    if (it == problems_.end()) return reply(res, 404, {{"error", "no such problem"}});
    const LoadedProblem& p = it->second;
    auto body = parse_body(req, res);
    if (!body) return;
    FieldErrors errors;
    auto string_field = [&](const char* key, bool required) -> std::optional<std::string> {
      auto f = body->find(key);
      if (f == body->end() || f->is_null()) {
        if (required) errors[key].push_back("can't be blank");
        return std::nullopt;
      }
      if (!f->is_string()) {
        errors[key].push_back("must be a string");
        return std::nullopt;
      }
      return f->get<std::string>();
    };
    auto source = string_field("source", true);
    auto language = string_field("language", true);
    auto file = string_field("file", false);
    bool all = false;
    if (auto f = body->find("all"); f != body->end() && !f->is_null()) {
      if (f->is_boolean())
        all = f->get<bool>();
      else
        errors["all"].push_back("must be true or false");
    }
    if (source && source->empty()) errors["source"].push_back("can't be blank");
    if (source && source->size() > options_.judge0.source_max_bytes)
      errors["source"].push_back("must be at most " +
                                 std::to_string(options_.judge0.source_max_bytes) + " bytes");
    if (source && source->find('\0') != std::string::npos)
      errors["source"].push_back("must not contain NUL bytes");
    const Language* lang = language ? p.languages.find(*language) : nullptr;
    if (language && (!lang || !installed_.count(lang->id)))
      errors["language"].push_back("unknown or not installed: " + *language);
    if (file && !safe_file_name(*file))
      errors["file"].push_back("must be a plain file name ([A-Za-z0-9_.-], at most 64)");
    if (!errors.empty()) return reply_errors(res, errors);

    std::string name;
    if (file) {
      name = *file;
    } else if (auto id = judge0_language_id(lang->id)) {
      name = judge0_language(*id)->source_file;
    } else {
      name = "main." + lang->extensions.front();
    }
    fs::path path = write_source(name, *source);
    Submission submission;
    try {
      submission = load_submission(path, lang->id, p.languages);
    } catch (const ConfigError& e) {
      return reply_errors(res, {{file ? "file" : "source", {e.what()}}});
    }
    std::string refusal;
    auto id = enqueue(p.problem, submission, all, refusal);
    if (!id) return reply(res, 503, {{"error", refusal}});
    reply(res, 201, {{"id", *id}, {"url", "/api/submissions/" + *id}});
  }

  void get_submission(const httplib::Request& req, httplib::Response& res) {
    std::string id = req.matches[1];
    auto detail = find(id);
    if (!detail) return reply(res, 404, {{"error", "no submission " + id}});
    reply(res, 200, encode_submission(detail->report));
  }

  // `pipejudge cancel` over HTTP: off the queue if it waits, stopped by its
  // worker if it is judged (waiting up to 10 s for that); 409 if it has its
  // verdict already.
  void cancel(const Req& req, Res& res) {
    std::string id = req.matches[1];
    if (!valid_submission_id(id)) return reply(res, 404, {{"error", "no submission " + id}});
    CancelResult r = cancel_submission(inst_, id, 10);
    using O = CancelResult::Outcome;
    switch (r.outcome) {
      case O::Removed:
        return reply(res, 200, {{"id", id}, {"cancelled", true}, {"was", "queued"}});
      case O::Stopped:
        return reply(res, 200, {{"id", id}, {"cancelled", true}, {"was", "judging"}});
      case O::Asked:
        return reply(res, 202, {{"id", id}, {"cancelled", false}, {"was", "judging"}});
      case O::Judged:
        return reply(res, 409, {{"error", "judged already"}, {"verdict", r.verdict}});
      case O::Unknown:
        break;
    }
    reply(res, 404, {{"error", "no submission " + id}});
  }

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
    auto store = ResultStore::try_open_reader(inst_.db_path);
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
                                       if (!stream->done && !stop_) {
                                         std::string out = next_events(*stream);
                                         if (!out.empty() && !sink.write(out.data(), out.size()))
                                           return false;  // the client went away
                                         if (out.empty()) std::this_thread::sleep_for(kPoll * 5);
                                       }
                                       if (stream->done || stop_) sink.done();
                                       return true;
                                     });
  }

  const Instance& inst_;
  const ServeOptions& options_;
  const std::atomic<bool>& stop_;
  Log log_;
  LanguageTable languages_;
  std::set<std::string> installed_;  // languages whose toolchain is here
  std::map<std::string, LoadedProblem> problems_;
  std::mutex queue_mutex_;
  std::unique_ptr<Transport> transport_;  // both used under queue_mutex_
  std::unique_ptr<JobQueue> queue_;
  std::mutex health_mutex_;
  std::unique_ptr<JobQueue> health_queue_;  // used under health_mutex_
  fs::path sources_, packages_;
};

}  // namespace

bool loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void run_server(const Instance& inst, const ServeOptions& options, const std::atomic<bool>& stop,
                const Log& log, const std::function<void(int)>& on_listening) {
  make_state_dirs(inst);
  Api api(inst, options, stop, log);
  httplib::Server svr;
  svr.new_task_queue = [] { return new httplib::ThreadPool(32); };
  svr.set_payload_max_length(options.max_body_bytes);
  svr.set_keep_alive_timeout(1);
  // The listening socket is not inherited by anything we start.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
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
  api.install(svr);

  int port = options.port;
  if (port == 0) {
    port = svr.bind_to_any_port(options.host);
    if (port < 0) throw ConfigError(options.host, "cannot listen on this address");
  } else if (!svr.bind_to_port(options.host, port)) {
    throw ConfigError(options.host + ":" + std::to_string(port),
                      "cannot listen on this address (in use, or not this machine's)");
  }
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
