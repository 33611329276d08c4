// What every route of `serve` shares: JSON replies and Judge0's 422 shape,
// query flags, request bodies, and the checks that keep a client's input
// away from the server's files and tokens.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "judge/server/judge0.hpp"

namespace pj::judge {

// How often a handler that waits for the store looks again.
inline constexpr auto kPoll = std::chrono::milliseconds(20);
// How long a POST waits for its queued event to be stored, so that a GET
// of the id it answers finds the submission (also how long an event stream
// waits for an event stored late).
inline constexpr double kStoredWait = 5;

// JSON as the server writes it (text that is not UTF-8 replaced).
std::string dump(const nlohmann::json& j);
void reply(httplib::Response& res, int status, const nlohmann::json& body);
nlohmann::json errors_json(const FieldErrors& errors);
// Judge0's 422: {"field": ["message", ...]}.
void reply_errors(httplib::Response& res, const FieldErrors& errors);

// A ?name=true|false query flag; a value that is neither is an error.
bool query_flag(const httplib::Request& req, const char* name, FieldErrors& errors);
// The body as a JSON object; nullopt once a 400 or 422 is set on `res`.
std::optional<nlohmann::json> parse_body(const httplib::Request& req, httplib::Response& res);

double seconds_since(std::chrono::steady_clock::time_point t);
// The first `max` bytes of a file ("" if it cannot be read).
std::string read_small_file(const std::filesystem::path& path, std::size_t max);
// A plain file name a client may give ([A-Za-z0-9_.-], at most 64, no "..").
bool safe_file_name(const std::string& name);
// Who sends a request, for per-client limits: its X-Auth-Token, or its
// address when it has none.
std::string client_key(const httplib::Request& req);
// Equal, compared in time independent of where they differ.
bool same_token(const std::string& a, const std::string& b);

}  // namespace pj::judge
