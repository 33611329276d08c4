// `serve`'s configuration file (`--config FILE`, YAML) and its effective
// configuration said back (`--print-config`). The file sets what the
// command line can; an option given on the command line wins.
//
//   listen: 127.0.0.1:2358
//   auth_tokens: [s3cret]
//   problems: problems/          # relative to the file's directory
//   workers: 2
//   max_body_kib: 1024
//   max_queued: 1000
//   max_queued_per_client: 50
//   max_wait: 60
//   limits: {source_max_kib: 256, cpu_time: {default: 5, max: 15},
//            memory_kb: {default: 128000, min: 2048, max: 512000}}
//   webhooks: {secret: ..., retry_for: 3600, timeout: 10}
#pragma once

#include <filesystem>
#include <string>

#include "judge/server/server.hpp"

namespace pj::judge {

// "127.0.0.1:2358", "[::1]:2358" or ":2358" (loopback) into host and port.
// Throws ConfigError naming `what` (the option or the file).
void parse_listen(const std::string& text, ServeOptions& o, const std::string& what);

// Reads the file's settings into `o`; the others stay as they are. Throws
// ConfigError naming the file and the key for YAML that is not valid, an
// unknown key or a value out of range.
void load_serve_config(const std::filesystem::path& file, ServeOptions& o);

// The configuration as a file that sets all of it (tokens and the webhook
// secret shown as "<redacted>").
std::string serve_config_yaml(const ServeOptions& o);

}  // namespace pj::judge
