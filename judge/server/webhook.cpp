#include "judge/server/webhook.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <regex>

namespace pj::judge {

std::string HttpUrl::origin() const {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& why) {
  static const std::regex re(
      R"(http://([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::([0-9]{1,5}))?([/?][^\s#]*)?)",
      std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  if (text.size() > 2048) {
    why = "must be at most 2048 characters";
    return std::nullopt;
  }
  if (!std::regex_match(text.begin(), text.end(), m, re)) {
    why = "must be an http:// URL (http://host[:port]/path)";
    return std::nullopt;
  }
  HttpUrl url;
  url.host = m[1].str();
  if (url.host.front() == '[') url.host = url.host.substr(1, url.host.size() - 2);
  if (m[2].matched) {
    url.port = std::stoi(m[2].str());
    if (url.port < 1 || url.port > 65535) {
      why = "has a port out of range";
      return std::nullopt;
    }
  }
  url.target = m[3].matched ? m[3].str() : "/";
  if (url.target.front() == '?') url.target = "/" + url.target;
  return url;
}

std::string hmac_sha256_hex(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += digits[mac[i] >> 4];
    hex += digits[mac[i] & 15];
  }
  return hex;
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double backoff_delay(int attempts, double max_delay) {
  return std::min(max_delay, std::ldexp(1.0, std::clamp(attempts, 1, 40) - 1));
}

}  // namespace pj::judge
