// The broker URL of --broker (judge/pipeline/broker_url.hpp).
#include <catch2/catch.hpp>

#include "judge/pipeline/broker_url.hpp"

using pj::judge::parse_broker_url;

namespace {

std::string error_of(const std::string& text) {
  std::string error;
  CHECK_FALSE(parse_broker_url(text, error).has_value());
  return error;
}

}  // namespace

TEST_CASE("a broker URL with only a host takes the default port, database and lease") {
  std::string error;
  auto b = parse_broker_url("redis://judge-broker.example", error);
  REQUIRE(b);
  CHECK(b->host == "judge-broker.example");
  CHECK(b->port == 6379);
  CHECK(b->db == 0);
  CHECK(b->prefix.empty());
  CHECK(b->lease_seconds == 10);
  CHECK(b->text == "redis://judge-broker.example");
}

TEST_CASE("a broker URL gives port, database, prefix and lease") {
  std::string error;
  auto b = parse_broker_url("redis://10.0.0.5:6380/3?prefix=contest-7&lease=2.5", error);
  REQUIRE(b);
  CHECK(b->host == "10.0.0.5");
  CHECK(b->port == 6380);
  CHECK(b->db == 3);
  CHECK(b->prefix == "contest-7");
  CHECK(b->lease_seconds == 2.5);
  auto v6 = parse_broker_url("redis://[::1]:7000/", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7000);
  CHECK(v6->db == 0);
}

TEST_CASE("a bad broker URL is refused with the reason") {
  CHECK(error_of("http://localhost:6379").find("not a broker URL") != std::string::npos);
  CHECK(error_of("redis://").find("not a broker URL") != std::string::npos);
  CHECK(error_of("redis://h:0").find("bad port") != std::string::npos);
  CHECK(error_of("redis://h:65536").find("bad port") != std::string::npos);
  CHECK(error_of("redis://h:6379/x").find("not a broker URL") != std::string::npos);
  CHECK(error_of("redis://h?lease=0").find("bad lease") != std::string::npos);
  CHECK(error_of("redis://h?lease=ten").find("bad lease") != std::string::npos);
  CHECK(error_of("redis://h?prefix=a b").find("bad prefix") != std::string::npos);
  CHECK(error_of("redis://h?prefix=").find("bad prefix") != std::string::npos);
  CHECK(error_of("redis://h?db=2").find("unknown broker URL parameter 'db'") != std::string::npos);
}

TEST_CASE("a password in the broker URL is refused: it would show in the process list") {
  CHECK(error_of("redis://:secret@localhost:6379").find("PIPEJUDGE_REDIS_PASSWORD") !=
        std::string::npos);
  CHECK(error_of("redis://user:secret@localhost").find("PIPEJUDGE_REDIS_PASSWORD") !=
        std::string::npos);
}
