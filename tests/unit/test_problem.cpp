// Problem packages: groups and their settings, package errors, and what
// group results add up to.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/scoring.hpp"
#include "judge/engine/site_config.hpp"

namespace fs = std::filesystem;
using namespace pj::judge;
using Catch::Matchers::Contains;

namespace {

struct Package {
  fs::path dir;
  Package() {
    std::string t = (fs::temp_directory_path() / "pj-pkgtest-XXXXXX").string();
    dir = mkdtemp(t.data());
  }
  ~Package() { fs::remove_all(dir); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  void test(const std::string& rel) const {
    write(rel + ".in", "1\n");
    write(rel + ".ans", "1\n");
  }
};

const TestGroup& group(const Problem& p, const std::string& name) {
  for (const auto& g : p.groups)
    if (g.name == name) return g;
  FAIL("no group " << name);
  return p.groups.front();
}

// Reports for every test, AC unless named in `failed`.
struct Results {
  std::vector<TestReport> reports;
  std::vector<const TestReport*> by_test;
  Results(const Problem& p, const std::set<std::string>& failed,
          const std::set<std::string>& not_run = {}) {
    reports.reserve(p.tests.size());
    for (const auto& t : p.tests) {
      TestReport r;
      r.name = t.name;
      r.verdict = failed.count(t.name) ? Verdict::WA : Verdict::AC;
      reports.push_back(r);
    }
    for (std::size_t i = 0; i < reports.size(); ++i)
      by_test.push_back(not_run.count(reports[i].name) ? nullptr : &reports[i]);
  }
};

const GroupReport& report(const ScoreSheet& s, const std::string& name) {
  for (const auto& g : s.groups)
    if (g.name == name) return g;
  FAIL("no group report " << name);
  return s.groups.front();
}

Package scoring_2025() {
  Package p;
  p.write("problem.yaml", "problem_format_version: 2025-09\ntype: scoring\nname: S\n");
  p.test("data/sample/1");
  p.write("data/secret/g1/test_group.yaml", "score_aggregation: pass-fail\nmax_score: 40\n");
  p.test("data/secret/g1/a");
  p.test("data/secret/g1/b");
  p.write("data/secret/g2/test_group.yaml", "score_aggregation: sum\nmax_score: 60\n");
  p.test("data/secret/g2/a");
  p.test("data/secret/g2/b");
  p.test("data/secret/g2/c");
  return p;
}

}  // namespace

TEST_CASE("tests run in name order, samples first, groups depth first", "[problem]") {
  Package pkg = scoring_2025();
  Problem p = load_problem(pkg.dir);
  std::vector<std::string> names;
  for (const auto& t : p.tests) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"sample/1", "secret/g1/a", "secret/g1/b", "secret/g2/a",
                                          "secret/g2/b", "secret/g2/c"});
  CHECK(p.scoring);
  CHECK(p.format == FormatVersion::V2025_09);
  CHECK(group(p, "secret").max_score == 100);
  CHECK(group(p, "secret/g1").aggregation == Aggregation::PassFail);
  CHECK(group(p, "secret/g2").aggregation == Aggregation::Sum);
  CHECK_FALSE(group(p, "sample").scored);
}

TEST_CASE("2025-09 scores: pass-fail all or nothing, sum shares the maximum", "[problem]") {
  Package pkg = scoring_2025();
  Problem p = load_problem(pkg.dir);
  SECTION("everything accepted") {
    Results r(p, {});
    ScoreSheet s = score_groups(p, r.by_test);
    CHECK(s.score == Approx(100));
    CHECK(s.max_score == Approx(100));
  }
  SECTION("one failure in each group, and a failing sample") {
    Results r(p, {"sample/1", "secret/g1/b", "secret/g2/c"});
    ScoreSheet s = score_groups(p, r.by_test);
    CHECK(*s.score == Approx(40));  // 0 + 2 * 60 / 3
    CHECK(*report(s, "secret/g1").score == Approx(0));
    CHECK(report(s, "secret/g1").verdict == Verdict::WA);
    CHECK(*report(s, "secret/g2").score == Approx(40));
    CHECK(*report(s, "secret/g2").max_score == Approx(60));
    CHECK_FALSE(report(s, "sample").score.has_value());
  }
  SECTION("a test's own score counts instead of its share") {
    Results r(p, {});
    r.reports[3].score = 5;  // secret/g2/a
    CHECK(*score_groups(p, r.by_test).score == Approx(40 + 5 + 20 + 20));
  }
}

TEST_CASE("a failed pass-fail group skips its remaining tests, a sum group does not", "[problem]") {
  Package pkg = scoring_2025();
  Problem p = load_problem(pkg.dir);
  GroupTracker tracker(p);
  tracker.record_failure(1);           // secret/g1/a
  CHECK_FALSE(tracker.should_run(2));  // secret/g1/b
  CHECK(tracker.should_run(3));
  tracker.record_failure(3);  // secret/g2/a
  CHECK(tracker.should_run(4));
}

TEST_CASE("legacy groups: settings are inherited key by key, min groups, accept if any",
          "[problem]") {
  Package pkg;
  pkg.write("problem.yaml", "type: scoring\nname: L\n");
  pkg.write("data/testdata.yaml", "on_reject: continue\ngrader_flags: ignore_sample\n");
  pkg.test("data/sample/1");
  pkg.write("data/secret/testdata.yaml",
            "on_reject: continue\ngrader_flags: first_error accept_if_any_accepted\n");
  pkg.write("data/secret/g1/testdata.yaml",
            "on_reject: break\naccept_score: 30\n"
            "grader_flags: min\n");
  pkg.test("data/secret/g1/a");
  pkg.test("data/secret/g1/b");
  pkg.write("data/secret/g2/testdata.yaml", "accept_score: 70\ngrader_flags: min\n");
  pkg.test("data/secret/g2/a");
  Problem p = load_problem(pkg.dir);
  CHECK(group(p, "secret/g1").stop_on_reject);
  CHECK_FALSE(group(p, "secret/g2").stop_on_reject);  // inherited from secret
  CHECK(group(p, "secret/g2").accept_if_any);
  CHECK_FALSE(group(p, "sample").scored);

  Results all(p, {});
  CHECK(*score_groups(p, all.by_test).score == Approx(100));
  Results some(p, {"secret/g1/a"}, {"secret/g1/b"});
  ScoreSheet s = score_groups(p, some.by_test);
  CHECK(*s.score == Approx(70));
  CHECK(report(s, "secret").verdict == Verdict::AC);  // accept_if_any_accepted
  CHECK(report(s, "secret/g1").verdict == Verdict::WA);
  CHECK(report(s, "secret/g1").tests_run == 1);
  CHECK(report(s, "secret/g1").tests_total == 2);
}

TEST_CASE("package errors name the file at fault", "[problem]") {
  Package pkg;
  pkg.test("data/secret/1");
  auto error_file = [&pkg]() -> std::string {
    try {
      load_problem(pkg.dir);
    } catch (const ConfigError& e) {
      return fs::path(e.file()).filename().string() + ": " + e.what();
    }
    return "no error";
  };
  SECTION("unknown test_group.yaml key") {
    pkg.write("problem.yaml", "problem_format_version: 2025-09\n");
    pkg.write("data/secret/test_group.yaml", "score_agregation: sum\n");
    CHECK(error_file() ==
          "test_group.yaml: unknown key 'score_agregation' (problem format 2025-09)");
  }
  SECTION("no test case in the whole package") {
    pkg.write("problem.yaml", "name: x\n");
    fs::remove_all(pkg.dir / "data");
    fs::create_directories(pkg.dir / "data" / "sample");
    pkg.write("data/sample/1.interaction", ">1\n<2\n");
    CHECK(error_file() == "data: no test data (*.in/*.ans) (problem format legacy)");
  }
  SECTION("interactive in type but not in validation") {
    pkg.write("problem.yaml", "validation: custom\ntype: interactive\n");
    CHECK(error_file() ==
          "problem.yaml: type says interactive but validation does not (problem format legacy)");
  }
  SECTION("custom validation without a validator") {
    pkg.write("problem.yaml", "validation: custom\n");
    CHECK(error_file().rfind("problem.yaml: custom validation needs a validator", 0) == 0);
  }
  SECTION("a validator the package says it does not use") {
    pkg.write("problem.yaml", "validation: default\n");
    pkg.write("output_validators/v/v.cpp", "int main() { return 42; }\n");
    CHECK(error_file() ==
          "problem.yaml: validation is 'default' but the package has an output validator "
          "(problem format legacy)");
  }
  SECTION("max_score in a pass-fail problem") {
    pkg.write("problem.yaml", "problem_format_version: 2025-09\n");
    pkg.write("data/secret/test_group.yaml", "max_score: 10\n");
    CHECK(error_file() ==
          "test_group.yaml: 'max_score' is for scoring problems only (problem format 2025-09)");
  }
  SECTION("a version pipejudge does not know") {
    pkg.write("problem.yaml", "problem_format_version: 2024-01\n");
    CHECK_THAT(error_file(), Contains("'2024-01' is not one pipejudge reads"));
  }
  SECTION("testdata.yaml in a 2025-09 package") {
    pkg.write("problem.yaml", "problem_format_version: 2025-09\n");
    pkg.write("data/secret/testdata.yaml", "output_validator_args: [x]\n");
    CHECK_THAT(error_file(), Contains("testdata.yaml: is not read from 2025-09 on"));
  }
  SECTION("test_group.yaml in a 2023-07-draft package") {
    pkg.write("problem.yaml", "problem_format_version: 2023-07-draft\n");
    pkg.write("data/secret/test_group.yaml", "max_score: 1\n");
    CHECK_THAT(error_file(),
               Contains("test_group.yaml: is read from problem_format_version 2025-09"));
    CHECK_THAT(error_file(), Contains("(problem format 2023-07-draft)"));
  }
  SECTION("a legacy key in a 2023-07-draft testdata.yaml") {
    pkg.write("problem.yaml", "problem_format_version: 2023-07-draft\ntype: scoring\n");
    pkg.write("data/secret/testdata.yaml", "grading: default\n");
    CHECK(error_file() == "testdata.yaml: unknown key 'grading' (problem format 2023-07-draft)");
  }
  SECTION("multi-pass without a validator") {
    pkg.write("problem.yaml", "problem_format_version: 2025-09\ntype: multi-pass\n");
    CHECK_THAT(error_file(), Contains("problem.yaml: a multi-pass problem needs a validator"));
  }
  SECTION("multi-pass with a testlib checker") {
    pkg.write("problem.yaml", "problem_format_version: 2025-09\ntype: multi-pass\n");
    pkg.write("output_validator/chk.cpp", "#include \"testlib.h\"\nint main() {}\n");
    CHECK_THAT(error_file(), Contains("needs a validator of the Kattis protocol"));
  }
  SECTION("validation_passes below 2") {
    pkg.write(
        "problem.yaml",
        "problem_format_version: 2025-09\ntype: multi-pass\nlimits:\n  validation_passes: 1\n");
    pkg.write("output_validator/v.cpp", "int main() { return 42; }\n");
    CHECK_THAT(error_file(), Contains("validation_passes must be at least 2"));
  }
}

TEST_CASE("2023-07-draft: groups in testdata.yaml with a scoring map", "[problem]") {
  Package pkg;
  pkg.write("problem.yaml", "problem_format_version: 2023-07-draft\ntype: scoring\nname: D\n");
  pkg.test("data/sample/1");
  pkg.write(
      "data/secret/g1/testdata.yaml",
      "scoring:\n  score: 40\n  aggregation: pass-fail\noutput_validator_args: [case_sensitive]\n");
  pkg.test("data/secret/g1/a");
  pkg.write("data/secret/g2/testdata.yaml", "scoring:\n  score: 60\n  aggregation: sum\n");
  pkg.test("data/secret/g2/a");
  Problem p = load_problem(pkg.dir);
  CHECK(p.format == FormatVersion::Draft2023_07);
  CHECK(p.ac_to_time_limit == 2);
  CHECK(group(p, "secret").max_score == 100);
  CHECK(group(p, "secret/g1").max_score == 40);
  CHECK(group(p, "secret/g1").aggregation == Aggregation::PassFail);
  CHECK(group(p, "secret/g2").max_score == 60);
  CHECK(group(p, "secret/g2").aggregation == Aggregation::Sum);
  CHECK(p.tests[1].validator_args == std::vector<std::string>{"case_sensitive"});
  CHECK(p.tests[1].default_validator_flags.case_sensitive);
}

TEST_CASE("multi-pass: legacy validation words and type, validation_passes", "[problem]") {
  Package pkg;
  pkg.test("data/secret/1");
  pkg.write("output_validators/v/v.cpp", "int main() { return 42; }\n");
  pkg.write("problem.yaml", "validation: custom multi-pass\n");
  Problem legacy = load_problem(pkg.dir);
  CHECK(legacy.multi_pass);
  CHECK(legacy.validation_passes == 2);
  pkg.write("problem.yaml",
            "problem_format_version: 2025-09\ntype: [multi-pass, interactive]\n"
            "limits:\n  validation_passes: 5\n");
  Problem modern = load_problem(pkg.dir);
  CHECK(modern.multi_pass);
  CHECK(modern.interactive);
  CHECK(modern.validation_passes == 5);
}

TEST_CASE("a checker that includes testlib.h speaks testlib's protocol", "[problem]") {
  Package pkg;
  pkg.test("data/secret/1");
  pkg.write("problem.yaml", "validation: custom\n");
  pkg.write("output_validators/chk/chk.cpp", "#include \"testlib.h\"\nint main() {}\n");
  Problem p = load_problem(pkg.dir);
  REQUIRE(p.validator);
  CHECK(p.validator->protocol == ValidatorProtocol::Testlib);
  pkg.write("problem.yaml", "validation: custom\nvalidator_protocol: kattis\n");
  CHECK(load_problem(pkg.dir).validator->protocol == ValidatorProtocol::Kattis);
}

TEST_CASE("a sample group of .interaction files alone is legal", "[problem]") {
  Package pkg;
  pkg.write("problem.yaml", "name: x\n");
  pkg.test("data/secret/1");
  pkg.write("data/sample/1.interaction", ">1\n<2\n");
  Problem p = load_problem(pkg.dir);
  CHECK(p.tests.size() == 1);
  CHECK(group(p, "sample").tests.empty());
  Results all(p, {});
  CHECK(report(score_groups(p, all.by_test), "sample").tests_total == 0);
}

TEST_CASE("limits a package leaves unsaid are the format's defaults, or the site's", "[problem]") {
  Package pkg;
  pkg.write("problem.yaml", "name: x\n");
  pkg.test("data/secret/1");
  Problem p = load_problem(pkg.dir);  // no site configuration in the tests
  CHECK(p.memory_bytes == 1024ull << 20);
  CHECK(p.output_bytes == 8ull << 20);
  CHECK(p.validation_seconds == 60);
  CHECK(p.validation_memory_bytes == 1024ull << 20);

  pkg.write("site.yaml",
            "defaults:\n  memory: 64\n  validation_time: 5\n  compilation_memory: 512\n");
  PackageDefaults d = read_package_defaults(pkg.dir / "site.yaml");
  CHECK(d.memory_bytes == 64ull << 20);
  CHECK(d.validation_seconds == 5);
  CHECK(d.compilation_memory_bytes == 512ull << 20);
  CHECK(d.output_bytes == 8ull << 20);  // not said: the format's
  CHECK(read_package_defaults(pkg.dir / "none.yaml").memory_bytes == 1024ull << 20);
  pkg.write("bad.yaml", "defaults:\n  memroy: 64\n");
  CHECK_THROWS_WITH(read_package_defaults(pkg.dir / "bad.yaml"),
                    Contains("unknown key 'defaults.memroy'"));
}

TEST_CASE("the languages table is parsed once, and again when its file changes", "[languages]") {
  Package dir;
  const fs::path shipped = fs::path(PIPEJUDGE_SOURCE_DIR) / "judge" / "engine" / "languages.yaml";
  const fs::path file = dir.dir / "languages.yaml";
  fs::copy_file(shipped, file);
  const char* before = std::getenv("PIPEJUDGE_LANGUAGES");
  std::string saved = before ? before : "";
  ::setenv("PIPEJUDGE_LANGUAGES", file.c_str(), 1);

  const std::string name = LanguageTable::load_default().find("c")->name;
  CHECK(LanguageTable::load_default().find("c")->name == name);  // kept
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = "name: " + name;
  REQUIRE(text.find(key) != std::string::npos);
  text.replace(text.find(key), key.size(), "name: C, edited");
  std::ofstream(file, std::ios::trunc) << text;
  CHECK(LanguageTable::load_default().find("c")->name == "C, edited");  // read again

  if (before)
    ::setenv("PIPEJUDGE_LANGUAGES", saved.c_str(), 1);
  else
    ::unsetenv("PIPEJUDGE_LANGUAGES");
}

TEST_CASE("the site configuration names the broker and its password", "[problem]") {
  Package pkg;
  pkg.write("site.yaml", "broker: redis://10.0.0.5:6379/0?prefix=c7\nredis_password: s3cret\n");
  SiteConfig c = read_site_config(pkg.dir / "site.yaml");
  CHECK(c.broker == "redis://10.0.0.5:6379/0?prefix=c7");
  CHECK(c.redis_password == "s3cret");
  CHECK(read_site_config(pkg.dir / "none.yaml").broker.empty());
  pkg.write("bad.yaml", "broker: [a, b]\n");
  CHECK_THROWS_WITH(read_site_config(pkg.dir / "bad.yaml"), Contains("broker must be a string"));
}
