#include "judge/server/serve_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "judge/engine/error.hpp"
#include "judge/engine/yaml_file.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

// One YAML map, its keys checked against those allowed.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, std::string file, std::set<std::string> allowed)
      : node_(node), path_(std::move(path)), file_(std::move(file)) {
    if (!node_.IsMap()) throw ConfigError(file_, where("") + "must be a map");
    for (const auto& kv : node_) {
      auto key = kv.first.as<std::string>();
      if (!allowed.count(key)) throw ConfigError(file_, "unknown key '" + where(key) + "'");
    }
  }

  bool has(const char* key) const { return node_[key] && !node_[key].IsNull(); }

  template <typename T>
  T get(const char* key) const {
    try {
      return node_[key].as<T>();
    } catch (const YAML::Exception&) {
      throw ConfigError(file_, "'" + where(key) + "' has a value of the wrong type");
    }
  }

  double number(const char* key, double low, double high) const {
    double v = get<double>(key);
    if (!std::isfinite(v) || v < low || v > high)
      throw ConfigError(file_,
                        "'" + where(key) + "' must be from " + text(low) + " to " + text(high));
    return v;
  }

  std::size_t count(const char* key, double low, double high) const {
    double v = number(key, low, high);
    if (v != std::floor(v)) throw ConfigError(file_, "'" + where(key) + "' must be a whole number");
    return static_cast<std::size_t>(v);
  }

  Section sub(const char* key, std::set<std::string> allowed) const {
    return Section(node_[key], where(key), file_, std::move(allowed));
  }

  std::string where(const std::string& key) const {
    return path_.empty() ? key : key.empty() ? path_ : path_ + "." + key;
  }

 private:
  static std::string text(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  }

  YAML::Node node_;
  std::string path_, file_;
};

}  // namespace

void parse_listen(const std::string& text, ServeOptions& o, const std::string& what) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw ConfigError(what, "must be HOST:PORT");
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
    throw ConfigError(what, "the port must be a number from 0 to 65535");
  }
}

void load_serve_config(const fs::path& file, ServeOptions& o) {
  YAML::Node root = load_yaml_map(file);
  if (!root || root.IsNull()) return;
  const std::string name = file.string();
  Section top(root, "", name,
              {"listen", "auth_tokens", "problems", "workers", "max_body_kib", "max_queued",
               "max_queued_per_client", "max_wait", "limits", "webhooks"});
  if (top.has("listen")) parse_listen(top.get<std::string>("listen"), o, name + ": listen");
  if (top.has("auth_tokens")) {
    o.auth_tokens = top.get<std::vector<std::string>>("auth_tokens");
    for (const auto& t : o.auth_tokens)
      if (t.empty()) throw ConfigError(name, "'auth_tokens' holds an empty token");
  }
  if (top.has("problems")) {
    fs::path dir = top.get<std::string>("problems");
    o.problems_dir =
        (dir.is_absolute() ? dir : fs::absolute(file).parent_path() / dir).lexically_normal();
  }
  if (top.has("workers")) o.workers = static_cast<int>(top.count("workers", 1, 1000));
  if (top.has("max_body_kib")) o.max_body_bytes = top.count("max_body_kib", 1, 1 << 20) << 10;
  if (top.has("max_queued")) o.max_queued = top.count("max_queued", 1, 1000000);
  if (top.has("max_queued_per_client"))
    o.max_queued_per_client = top.count("max_queued_per_client", 0, 1000000);
  if (top.has("max_wait")) o.max_wait_seconds = top.number("max_wait", 1, 3600);
  if (top.has("limits")) {
    Section l = top.sub("limits", {"source_max_kib", "cpu_time", "memory_kb"});
    Judge0Limits& j = o.judge0;
    if (l.has("source_max_kib")) j.source_max_bytes = l.count("source_max_kib", 1, 1 << 20) << 10;
    if (l.has("cpu_time")) {
      Section c = l.sub("cpu_time", {"default", "max"});
      if (c.has("max")) j.cpu_time_max = c.number("max", 0.01, 3600);
      if (c.has("default")) j.cpu_time_default = c.number("default", 0.01, j.cpu_time_max);
    }
    if (l.has("memory_kb")) {
      Section m = l.sub("memory_kb", {"default", "min", "max"});
      if (m.has("min")) j.memory_min_kb = m.count("min", 1024, 1 << 30);
      if (m.has("max")) j.memory_max_kb = m.count("max", double(j.memory_min_kb), 1 << 30);
      if (m.has("default"))
        j.memory_default_kb = m.count("default", double(j.memory_min_kb), double(j.memory_max_kb));
    }
    if (j.cpu_time_default > j.cpu_time_max)
      throw ConfigError(name, "'limits.cpu_time.default' is above its max");
    if (j.memory_default_kb > j.memory_max_kb || j.memory_default_kb < j.memory_min_kb)
      throw ConfigError(name, "'limits.memory_kb.default' is not within min and max");
  }
  if (top.has("webhooks")) {
    Section w = top.sub("webhooks", {"secret", "retry_for", "timeout"});
    if (w.has("secret")) o.webhooks.secret = w.get<std::string>("secret");
    if (w.has("retry_for")) o.webhooks.retry_for = w.number("retry_for", 0, 30.0 * 86400);
    if (w.has("timeout")) o.webhooks.timeout = w.number("timeout", 0.1, 600);
  }
}

std::string serve_config_yaml(const ServeOptions& o) {
  YAML::Emitter out;
  auto redacted = [](const std::string& s) { return s.empty() ? s : std::string("<redacted>"); };
  bool v6 = o.host.find(':') != std::string::npos;
  out << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value
      << (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port);
  out << YAML::Key << "auth_tokens" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& t : o.auth_tokens) out << redacted(t);
  out << YAML::EndSeq;
  out << YAML::Key << "problems" << YAML::Value;
  if (o.problems_dir.empty())
    out << YAML::Null;
  else
    out << o.problems_dir.string();
  out << YAML::Key << "workers" << YAML::Value << o.workers;
  out << YAML::Key << "max_body_kib" << YAML::Value << (o.max_body_bytes >> 10);
  out << YAML::Key << "max_queued" << YAML::Value << o.max_queued;
  out << YAML::Key << "max_queued_per_client" << YAML::Value << o.max_queued_per_client;
  out << YAML::Key << "max_wait" << YAML::Value << o.max_wait_seconds;
  const Judge0Limits& j = o.judge0;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "source_max_kib" << YAML::Value << (j.source_max_bytes >> 10);
  out << YAML::Key << "cpu_time" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "default" << YAML::Value << j.cpu_time_default << YAML::Key << "max" << YAML::Value
      << j.cpu_time_max << YAML::EndMap;
  out << YAML::Key << "memory_kb" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "default" << YAML::Value << j.memory_default_kb << YAML::Key << "min" << YAML::Value
      << j.memory_min_kb << YAML::Key << "max" << YAML::Value << j.memory_max_kb << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "webhooks" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "secret" << YAML::Value;
  if (o.webhooks.secret.empty())
    out << YAML::Null;
  else
    out << redacted(o.webhooks.secret);
  out << YAML::Key << "retry_for" << YAML::Value << o.webhooks.retry_for;
  out << YAML::Key << "timeout" << YAML::Value << o.webhooks.timeout;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace pj::judge
