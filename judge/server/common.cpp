#include "judge/server/common.hpp"

#include <fstream>
#include <regex>

using nlohmann::json;
namespace fs = std::filesystem;

namespace pj::judge {

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

std::string client_key(const httplib::Request& req) {
  std::string token = req.get_header_value("X-Auth-Token");
  return token.empty() ? "address " + req.remote_addr : "token " + token;
}

bool same_token(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i)
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
  return diff == 0;
}

}  // namespace pj::judge
