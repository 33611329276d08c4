// Where the broker of a deployment on many machines is:
//   redis://HOST[:PORT][/DB][?prefix=NAME&lease=SECONDS]
// PORT 6379 and DB 0 unless given; `prefix` names the deployment's keys
// (default: "pipejudge:<instance>"); `lease` is how long a worker that
// stopped answering keeps its jobs (default 10 s). The password never
// travels in the URL: it comes from $PIPEJUDGE_REDIS_PASSWORD.
#pragma once

#include <optional>
#include <string>

namespace pj::judge {

struct BrokerUrl {
  std::string text;  // as given
  std::string host;
  int port = 6379;
  int db = 0;
  std::string prefix;  // "" : the default, per instance
  double lease_seconds = 10;
};

// nullopt (and why in `error`) if `text` is not such a URL.
std::optional<BrokerUrl> parse_broker_url(const std::string& text, std::string& error);

}  // namespace pj::judge
