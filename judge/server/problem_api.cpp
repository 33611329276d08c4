// pipejudge's problem API: the problems of --problems, a submission to one
// of them queued, its report as stored, cancelling, and the server's health.
#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "judge/engine/error.hpp"
#include "judge/pipeline/cancel.hpp"
#include "judge/report/report_json.hpp"
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

// A submission in GET /api/submissions: a summary, not the report.
json row_json(const SubmissionRow& r) {
  json j = encode_row(r);
  j.erase("file");  // a path on the server
  return j;
}

// Submissions a listing shows at most.
constexpr std::size_t kMaxListed = 100;
constexpr std::size_t kMaxFiles = 64;  // files of one submission

class ProblemApi {
 public:
  explicit ProblemApi(ServeCore& core) : core_(core) {}

  void install(httplib::Server& svr) {
    svr.Get("/api/health", [this](const Req&, Res& res) { health(res); });
    svr.Get("/api/problems", [this](const Req&, Res& res) {
      json list = json::array();
      for (const auto& [id, p] : core_.problems()) list.push_back(problem_json(p.problem));
      reply(res, 200, list);
    });
    svr.Get("/api/languages", [this](const Req&, Res& res) { languages(res); });
    svr.Get("/api/submissions", [this](const Req& req, Res& res) { list_submissions(req, res); });
    svr.Post(R"(/api/problems/([A-Za-z0-9_.-]+)/submissions)",
             [this](const Req& req, Res& res) { post_problem(req, res); });
    svr.Get(R"(/api/submissions/([A-Za-z0-9_-]+))",
            [this](const Req& req, Res& res) { get_submission(req, res); });
    svr.Post(R"(/api/submissions/([A-Za-z0-9_-]+)/cancel)",
             [this](const Req& req, Res& res) { cancel(req, res); });
  }

 private:
  // The languages a submission may name here (toolchain installed).
  void languages(Res& res) {
    json list = json::array();
    for (const auto& [id, lang] : core_.languages().all())
      if (core_.installed(id))
        list.push_back({{"id", id}, {"name", lang.name}, {"extensions", lang.extensions}});
    reply(res, 200, list);
  }

  // GET /api/submissions?limit=N&problem=ID: the most recent submissions to
  // the problems served here, newest first (Judge0's and the command
  // line's are left out).
  void list_submissions(const Req& req, Res& res) {
    std::size_t limit = 20;
    if (req.has_param("limit")) {
      static const std::regex number("[0-9]{1,4}");
      std::string v = req.get_param_value("limit");
      if (!std::regex_match(v, number) || std::stoul(v) < 1 || std::stoul(v) > kMaxListed)
        return reply_errors(res, {{"limit", {"must be from 1 to " + std::to_string(kMaxListed)}}});
      limit = std::stoul(v);
    }
    std::string problem = req.get_param_value("problem");
    if (!problem.empty() && !core_.problems().count(problem))
      return reply(res, 404, {{"error", "no such problem"}});
    json list = json::array();
    if (auto store = ResultStore::try_open_reader(core_.instance().db_path)) {
      // Of others' submissions in between, only so many are passed over.
      for (const auto& row : store->recent(limit * 20, problem)) {
        if (list.size() == limit) break;
        if (core_.problems().count(row.problem)) list.push_back(row_json(row));
      }
    }
    reply(res, 200, list);
  }

  void health(httplib::Response& res) {
    QueueFacts facts = core_.queue_facts();
    bool collector = collector_running(core_.instance());
    reply(res, 200,
          {{"status", collector ? "ok" : "degraded: no collector is running"},
           {"collector", collector},
           {"workers", facts.workers.size()},
           {"queued", facts.queued.size()},
           {"judging", facts.leased.size()},
           {"dead", facts.dead.size()}});
  }

  // `files`: [{"name", "content"}, ...], a submission of several files;
  // nullopt if absent (errors say what is wrong with one that is there).
  std::optional<std::vector<std::pair<std::string, std::string>>> file_list(const json& body,
                                                                            FieldErrors& errors) {
    auto f = body.find("files");
    if (f == body.end() || f->is_null()) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> files;
    std::set<std::string> names;
    std::size_t bytes = 0;
    const std::size_t max_bytes = core_.options().judge0.source_max_bytes;
    if (!f->is_array() || f->empty() || f->size() > kMaxFiles) {
      errors["files"].push_back("must be a list of 1 to " + std::to_string(kMaxFiles) +
                                " {\"name\", \"content\"} objects");
      return files;
    }
    for (const json& one : *f) {
      auto name = one.is_object() ? one.find("name") : one.end();
      auto content = one.is_object() ? one.find("content") : one.end();
      if (!one.is_object() || name == one.end() || !name->is_string() || content == one.end() ||
          !content->is_string()) {
        errors["files"].push_back("each file is {\"name\": string, \"content\": string}");
        return files;
      }
      const std::string& n = name->get_ref<const std::string&>();
      const std::string& c = content->get_ref<const std::string&>();
      if (!safe_file_name(n))
        errors["files"].push_back(n + ": must be a plain file name ([A-Za-z0-9_.-], at most 64)");
      else if (!names.insert(n).second)
        errors["files"].push_back(n + ": named twice");
      if (c.find('\0') != std::string::npos)
        errors["files"].push_back(n + ": must not contain NUL bytes");
      bytes += c.size();
      files.emplace_back(n, c);
    }
    if (bytes > max_bytes)
      errors["files"].push_back("must be at most " + std::to_string(max_bytes) + " bytes in all");
    return files;
  }

  void post_problem(const httplib::Request& req, httplib::Response& res) {
    auto it = core_.problems().find(req.matches[1]);
    if (it == core_.problems().end()) return reply(res, 404, {{"error", "no such problem"}});
    const ServeCore::LoadedProblem& p = it->second;
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
    auto files = file_list(*body, errors);
    auto source = string_field("source", !files);
    auto language = string_field("language", true);
    auto file = string_field("file", false);
    auto entry = string_field("entry", false);
    if (files && (source || file))
      errors["files"].push_back("goes without source and file (one submission, one way)");
    if (entry && (!files || std::none_of(files->begin(), files->end(),
                                         [&](const auto& f) { return f.first == *entry; })))
      errors["entry"].push_back("must name one of the files");
    auto callback_url = string_field("callback_url", false);
    bool all = false;
    if (auto f = body->find("all"); f != body->end() && !f->is_null()) {
      if (f->is_boolean())
        all = f->get<bool>();
      else
        errors["all"].push_back("must be true or false");
    }
    if (source && source->empty()) errors["source"].push_back("can't be blank");
    if (source && source->size() > core_.options().judge0.source_max_bytes)
      errors["source"].push_back(
          "must be at most " + std::to_string(core_.options().judge0.source_max_bytes) + " bytes");
    if (source && source->find('\0') != std::string::npos)
      errors["source"].push_back("must not contain NUL bytes");
    const Language* lang = language ? p.languages.find(*language) : nullptr;
    if (language && (!lang || !core_.installed(lang->id)))
      errors["language"].push_back("unknown or not installed: " + *language);
    if (callback_url) {
      std::string why;
      if (!parse_http_url(*callback_url, why))
        errors["callback_url"].push_back(why);
      else if (!core_.callback_refusal().empty())
        errors["callback_url"].push_back(core_.callback_refusal());
    }
    if (file && !safe_file_name(*file))
      errors["file"].push_back("must be a plain file name ([A-Za-z0-9_.-], at most 64)");
    if (!errors.empty()) return reply_errors(res, errors);

    fs::path path;
    if (files) {
      path = core_.write_sources(*files);
    } else if (file) {
      path = core_.write_source(*file, *source);
    } else if (auto id = judge0_language_id(lang->id)) {
      path = core_.write_source(judge0_language(*id)->source_file, *source);
    } else {
      path = core_.write_source("main." + lang->extensions.front(), *source);
    }
    Submission submission;
    try {
      submission = load_submission(path, lang->id, p.languages, entry.value_or(""));
    } catch (const ConfigError& e) {
      return reply_errors(res, {{files ? "files" : file ? "file" : "source", {e.what()}}});
    }
    Refusal refusal;
    auto id = core_.enqueue(p.problem, submission, all, client_key(req), refusal);
    if (id && callback_url) core_.add_webhook(*id, *callback_url, "POST", "problem");
    if (!id) return reply(res, refusal.status, {{"error", refusal.error}});
    reply(res, 201, {{"id", *id}, {"url", "/api/submissions/" + *id}});
  }

  void get_submission(const httplib::Request& req, httplib::Response& res) {
    std::string id = req.matches[1];
    auto detail = core_.find(id);
    if (!detail) return reply(res, 404, {{"error", "no submission " + id}});
    json report = encode_submission(detail->report);
    if (auto w = core_.webhooks().find(id)) report["webhook"] = webhook_json(*w);
    reply(res, 200, report);
  }

  // `pipejudge cancel` over HTTP: off the queue if it waits, stopped by its
  // worker if it is judged (waiting up to 10 s for that); 409 if it has its
  // verdict already.
  void cancel(const Req& req, Res& res) {
    std::string id = req.matches[1];
    if (!valid_submission_id(id)) return reply(res, 404, {{"error", "no submission " + id}});
    CancelResult r = cancel_submission(core_.instance(), id, 10);
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

  ServeCore& core_;
};

}  // namespace

std::optional<std::string> problem_callback_body(const Webhook&, const SubmissionDetail& d) {
  return dump(encode_submission(d.report));
}

std::shared_ptr<void> install_problem_api(httplib::Server& svr, ServeCore& core) {
  auto api = std::make_shared<ProblemApi>(core);
  api->install(svr);
  return api;
}

}  // namespace pj::judge
