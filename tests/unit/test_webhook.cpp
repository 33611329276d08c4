// Webhooks: callback URLs checked, bodies signed (RFC 4231's HMAC-SHA256
// vectors), the back-off, and the outbox kept across a reopening.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "judge/server/judge0.hpp"
#include "judge/server/webhook.hpp"
#include "judge/server/webhook_outbox.hpp"

using namespace pj::judge;
namespace fs = std::filesystem;

TEST_CASE("A callback URL is http:// with a host, an optional port and a path") {
  std::string why;
  auto u = parse_http_url("http://127.0.0.1:8080/hooks/a?x=1", why);
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8080);
  CHECK(u->target == "/hooks/a?x=1");
  CHECK(u->origin() == "http://127.0.0.1:8080");
  u = parse_http_url("http://example.org", why);
  REQUIRE(u);
  CHECK(u->port == 80);
  CHECK(u->target == "/");
  u = parse_http_url("http://[::1]:9/x", why);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->origin() == "http://[::1]:9");
  for (const char* bad : {"https://example.org/", "ftp://x/", "http://user@host/", "http://", "",
                          "http://host:99999/", "http://host/#frag", "http://ho st/",
                          "file:///etc/passwd", "/relative"})
    CHECK_FALSE(parse_http_url(bad, why));
  CHECK_FALSE(parse_http_url("http://h/" + std::string(3000, 'a'), why));
  CHECK(why == "must be at most 2048 characters");
}

TEST_CASE("Judge0's callback_url is checked as a URL") {
  Judge0Limits limits;
  FieldErrors errors;
  auto ok = parse_judge0_request(
      {{"source_code", "x"}, {"language_id", 50}, {"callback_url", "http://127.0.0.1:1/cb"}}, false,
      limits, errors);
  REQUIRE(ok);
  CHECK(ok->callback_url == "http://127.0.0.1:1/cb");
  CHECK_FALSE(parse_judge0_request({{"source_code", "x"}, {"language_id", 50}, {"callback_url", 5}},
                                   false, limits, errors));
  CHECK(errors.at("callback_url").front() == "must be a string");
}

TEST_CASE("Bodies are signed with HMAC-SHA256") {
  // RFC 4231, test cases 1 and 2.
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(webhook_signature("Jefe", "what do ya want for nothing?").rfind("sha256=5bdc", 0) == 0);
}

TEST_CASE("The back-off doubles up to its ceiling") {
  CHECK(backoff_delay(1, 300) == 1);
  CHECK(backoff_delay(2, 300) == 2);
  CHECK(backoff_delay(5, 300) == 16);
  CHECK(backoff_delay(20, 300) == 300);
  CHECK(backoff_delay(1000, 300) == 300);
}

TEST_CASE("The outbox keeps each webhook's state across a reopening") {
  char tmpl[] = "/tmp/pj_webhook_test_XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  fs::path dir = tmpl;
  fs::path db = dir / "webhooks.db";
  {
    WebhookOutbox box(db);
    Webhook w;
    w.id = "abc";
    w.url = "http://127.0.0.1:1/";
    w.method = "POST";
    w.kind = "problem";
    w.created_at = 100;
    box.add(w);
    CHECK_THROWS(box.add(w));  // one per submission
    CHECK(box.in_state("waiting", 10).size() == 1);
    CHECK(box.due(1e12, 10).empty());  // not judged yet
    box.finalise("abc", 7, "{\"verdict\":\"AC\"}", 200);
    box.finalise("abc", 8, "other", 201);  // once only
    auto due = box.due(200, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].idempotency_key() == "abc-7");
    CHECK(due[0].body == "{\"verdict\":\"AC\"}");
    box.failed_try("abc", 500, "HTTP 500", 201);
    CHECK(box.due(200.5, 10).empty());
  }
  {
    WebhookOutbox box(db);
    auto w = box.find("abc");
    REQUIRE(w);
    CHECK(w->state == "pending");
    CHECK(w->attempts == 1);
    CHECK(w->last_status == 500);
    CHECK(box.due(201, 10).size() == 1);
    box.delivered("abc", 204, 202);
    w = box.find("abc");
    CHECK(w->state == "delivered");
    CHECK(w->attempts == 2);
    CHECK(w->delivered_at == 202);
    CHECK(webhook_json(*w)["idempotency_key"] == "abc-7");
    CHECK(box.due(1e12, 10).empty());
    CHECK_FALSE(box.find("nope"));
  }
  fs::remove_all(dir);
}
