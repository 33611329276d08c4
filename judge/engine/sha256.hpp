// SHA-256 (OpenSSL), as lower-case hex: compile cache keys, blob names.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pj::judge {

// Incremental hashing; throws std::runtime_error if OpenSSL fails.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Length-prefixed: a sequence of fields never hashes like another one.
  void add_field(std::string_view field);
  std::string hex();  // finishes the hash

 private:
  evp_md_ctx_st* ctx_;
};

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view data);

}  // namespace pj::judge
