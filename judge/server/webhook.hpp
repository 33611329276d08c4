// Webhooks, the pure parts: a callback URL checked, a body signed, the wait
// before the next try.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pj::judge {

struct WebhookOptions {
  std::string secret;       // HMAC-SHA256 key of X-Pipejudge-Signature
  double retry_for = 3600;  // seconds after the verdict to keep trying
  double timeout = 10;      // one try's connect/read/write timeout, seconds
  double max_delay = 300;   // the back-off's ceiling, seconds
};

// An http:// URL a webhook goes to.
struct HttpUrl {
  std::string host;  // a name, an IPv4 address, or an IPv6 one without brackets
  int port = 80;
  std::string target;          // path and query, "/" at least
  std::string origin() const;  // "http://host:port" (IPv6 in brackets)
};

// A callback URL: http:// only (no https, no user info, no fragment), at
// most 2048 characters; nullopt with `why` otherwise.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& why);

// HMAC-SHA256 of `body` with `secret`, as lowercase hex.
std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

// The X-Pipejudge-Signature header's value: "sha256=" and the HMAC.
std::string webhook_signature(std::string_view secret, std::string_view body);

// Unix seconds, the outbox's clock (it outlives the process).
double unix_now();

// Seconds to wait after the `attempts`-th failed try: 1, 2, 4, ... up to
// `max_delay`.
double backoff_delay(int attempts, double max_delay);

}  // namespace pj::judge
