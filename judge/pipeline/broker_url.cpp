#include "judge/pipeline/broker_url.hpp"

#include <charconv>
#include <regex>
#include <string_view>

namespace pj::judge {
namespace {

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool valid_prefix(const std::string& p) {
  static const std::regex allowed("[A-Za-z0-9_.:-]{1,100}");
  return std::regex_match(p, allowed);
}

}  // namespace

std::optional<BrokerUrl> parse_broker_url(const std::string& text, std::string& error) {
  // scheme, host (a name, IPv4, or [IPv6]), port, db, query.
  static const std::regex url(
      R"(redis://([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]+))?(?:/([0-9]*))?(?:\?(.*))?)");
  std::smatch m;
  if (text.find('@') != std::string::npos) {
    error = "no user or password in the broker URL: give the password in $PIPEJUDGE_REDIS_PASSWORD";
    return std::nullopt;
  }
  if (!std::regex_match(text, m, url)) {
    error = "not a broker URL (redis://HOST[:PORT][/DB][?prefix=NAME&lease=SECONDS])";
    return std::nullopt;
  }
  BrokerUrl b;
  b.text = text;
  b.host = m[1].str();
  if (b.host.front() == '[') b.host = b.host.substr(1, b.host.size() - 2);
  if (m[2].matched && (!parse_number(m[2].str(), b.port) || b.port < 1 || b.port > 65535)) {
    error = "bad port in the broker URL (1 to 65535)";
    return std::nullopt;
  }
  if (m[3].matched && m[3].length() > 0 &&
      (!parse_number(m[3].str(), b.db) || b.db < 0 || b.db > 1000000)) {
    error = "bad database number in the broker URL";
    return std::nullopt;
  }
  std::string query = m[4].str();
  std::size_t start = 0;
  while (m[4].matched && start <= query.size()) {
    std::size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? amp : amp - start);
    start = amp == std::string::npos ? query.size() + 1 : amp + 1;
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key = pair.substr(0, eq),
                value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (key == "prefix") {
      if (!valid_prefix(value)) {
        error = "bad prefix in the broker URL (1 to 100 of letters, digits, '_', '.', ':', '-')";
        return std::nullopt;
      }
      b.prefix = value;
    } else if (key == "lease") {
      if (!parse_number(value, b.lease_seconds) || !(b.lease_seconds >= 0.5) ||
          b.lease_seconds > 86400) {
        error = "bad lease in the broker URL (seconds, 0.5 to 86400)";
        return std::nullopt;
      }
    } else {
      error = "unknown broker URL parameter '" + key + "' (prefix, lease)";
      return std::nullopt;
    }
  }
  return b;
}

}  // namespace pj::judge
