#include <stdlib.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "judge/engine/default_validator.hpp"

using namespace std::string_literals;
using Catch::Matchers::Contains;
using pj::judge::DefaultValidatorFlags;
using pj::judge::DefaultValidatorResult;
using pj::judge::run_default_validator;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/pj_checker_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return path_ + "/" + name; }

  std::string write(const std::string& name, std::string_view content) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + path(name));
    return path(name);
  }

  // Writes `count` copies of `piece` then `tail`, one chunk at a time so the
  // test process never holds the whole file.
  std::string write_repeated(const std::string& name, std::string_view piece, size_t count,
                             std::string_view tail = "") const {
    const size_t pieces_per_chunk = std::max<size_t>(1, (1 << 20) / piece.size());
    std::string chunk;
    for (size_t i = 0; i < pieces_per_chunk; ++i) chunk += piece;
    std::ofstream out(path(name), std::ios::binary);
    for (size_t left = count; left > 0;) {
      const size_t n = std::min(left, pieces_per_chunk);
      out.write(chunk.data(), static_cast<std::streamsize>(n * piece.size()));
      left -= n;
    }
    out.write(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (!out) throw std::runtime_error("cannot write " + path(name));
    return path(name);
  }

 private:
  std::string path_;
};

DefaultValidatorFlags flags(std::initializer_list<std::string> words) {
  return DefaultValidatorFlags::parse(words);
}

DefaultValidatorResult check(std::string_view answer, std::string_view output,
                             const DefaultValidatorFlags& f = {}) {
  TempDir dir;
  return run_default_validator(dir.write("answer", answer), dir.write("output", output), f);
}

bool accepts(std::string_view answer, std::string_view output,
             const DefaultValidatorFlags& f = {}) {
  return check(answer, output, f).accepted;
}

std::string parse_error(std::initializer_list<std::string> words) {
  try {
    DefaultValidatorFlags::parse(words);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no exception";
}

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

constexpr size_t kTenMiB = 10 << 20;

}  // namespace

TEST_CASE("flags parse each word", "[default_validator]") {
  const DefaultValidatorFlags none = flags({});
  CHECK_FALSE(none.case_sensitive);
  CHECK_FALSE(none.space_change_sensitive);
  CHECK_FALSE(none.float_absolute_tolerance);
  CHECK_FALSE(none.float_relative_tolerance);

  CHECK(flags({"case_sensitive"}).case_sensitive);
  CHECK(flags({"space_change_sensitive"}).space_change_sensitive);

  const DefaultValidatorFlags both = flags({"float_tolerance", "1e-6"});
  REQUIRE(both.float_absolute_tolerance);
  REQUIRE(both.float_relative_tolerance);
  CHECK(*both.float_absolute_tolerance == 1e-6);
  CHECK(*both.float_relative_tolerance == 1e-6);

  const DefaultValidatorFlags absolute = flags({"float_absolute_tolerance", "0.5"});
  CHECK(absolute.float_absolute_tolerance == 0.5);
  CHECK_FALSE(absolute.float_relative_tolerance);

  const DefaultValidatorFlags relative = flags({"float_relative_tolerance", "0.25"});
  CHECK(relative.float_relative_tolerance == 0.25);
  CHECK_FALSE(relative.float_absolute_tolerance);
}

TEST_CASE("flags combine, later tolerances override, one string splits", "[default_validator]") {
  const DefaultValidatorFlags f =
      flags({"float_absolute_tolerance", "1e-3", "float_relative_tolerance", "1e-4",
             "case_sensitive", "space_change_sensitive"});
  CHECK(f.float_absolute_tolerance == 1e-3);
  CHECK(f.float_relative_tolerance == 1e-4);
  CHECK(f.case_sensitive);
  CHECK(f.space_change_sensitive);

  const DefaultValidatorFlags overridden =
      flags({"float_tolerance", "1e-6", "float_absolute_tolerance", "2"});
  CHECK(overridden.float_absolute_tolerance == 2.0);
  CHECK(overridden.float_relative_tolerance == 1e-6);

  const DefaultValidatorFlags yaml = flags({" float_tolerance 1e-6\tcase_sensitive "});
  CHECK(yaml.float_absolute_tolerance == 1e-6);
  CHECK(yaml.case_sensitive);
}

TEST_CASE("flag errors throw invalid_argument naming the flag", "[default_validator]") {
  REQUIRE_THROWS_AS(DefaultValidatorFlags::parse({"foo"}), std::invalid_argument);
  CHECK_THAT(parse_error({"foo"}), Contains("foo"));
  CHECK_THAT(parse_error({"case_sensitive", "Case_Sensitive"}), Contains("Case_Sensitive"));
  CHECK_THAT(parse_error({"1e-6"}), Contains("1e-6"));
  CHECK_THAT(parse_error({"float_tolerance"}), Contains("float_tolerance"));
  CHECK_THAT(parse_error({"float_absolute_tolerance"}), Contains("float_absolute_tolerance"));
  CHECK_THAT(parse_error({"float_relative_tolerance", "abc"}),
             Contains("float_relative_tolerance") && Contains("abc"));
  CHECK_THAT(parse_error({"float_tolerance", "case_sensitive"}), Contains("float_tolerance"));
  CHECK_THAT(parse_error({"float_tolerance", "1e-6x"}), Contains("1e-6x"));
  CHECK_THAT(parse_error({"float_tolerance", "-1"}), Contains("float_tolerance"));
  CHECK_THAT(parse_error({"float_tolerance", "nan"}), Contains("float_tolerance"));
  CHECK_THAT(parse_error({"float_tolerance", "inf"}), Contains("float_tolerance"));
  CHECK_THAT(parse_error({"float_tolerance", "1e999"}), Contains("float_tolerance"));
}

TEST_CASE("default: tokens compare ignoring whitespace and ASCII case", "[default_validator]") {
  CHECK(accepts("", ""));
  CHECK(accepts("  \n", ""));
  CHECK(accepts("", "\n\n"));
  CHECK(accepts("1 2\n3\n", "1 2\n3\n"));
  CHECK(accepts("1 2\n3\n", "  1\n\n2\t\t3"));
  CHECK(accepts("1 2\n", "1 2 \n\n\n"));
  CHECK(accepts("1\r\n2\r\n", "1\n2\n"));
  CHECK(accepts("1\v2\f3", "1 2 3"));
  CHECK(accepts("Yes\n", "yES\n"));
  CHECK_FALSE(accepts("12\n", "1 2\n"));
  CHECK_FALSE(accepts("1 2\n", "12\n"));
  // Only ASCII folds, as strcasecmp in the C locale: 'é' vs 'É' differ.
  CHECK_FALSE(accepts("\xc3\xa9", "\xc3\x89"));
}

TEST_CASE("a mismatch names the token, line and both tokens", "[default_validator]") {
  const DefaultValidatorResult r = check("1 2\n7\n", "1 2\n8\n");
  CHECK_FALSE(r.accepted);
  CHECK(r.message == "token 3 (line 2): expected '7', got '8'");
  CHECK(check("1 2\n7\n", "1 2\n7\n").message.empty());
}

TEST_CASE("after a long identical stretch a difference is named by its token and line",
          "[default_validator]") {
  // 180 KB alike: more than one buffer, so the fast path's counts are used.
  std::string stretch;
  for (int i = 0; i < 30000; ++i) stretch += "1 2 3\n";
  CHECK(accepts(stretch + "Foo\n", stretch + "foo\n"));
  CHECK(check(stretch + "Foo\n", stretch + "Fop\n").message ==
        "token 90001 (line 30001): expected 'Foo', got 'Fop'");
  CHECK(check(stretch + "x y\n", stretch + "x  y\n", flags({"space_change_sensitive"})).message ==
        "whitespace after token 90001 (line 30001): unexpected ' '");
  CHECK(check(stretch, stretch + "7\n").message ==
        "trailing output (line 30001): got '7' after the last expected token (token 90000)");
  CHECK(check(stretch + "1.0\n", stretch + "1.0000001\n", flags({"float_tolerance", "1e-6"}))
            .accepted);
}

TEST_CASE("long tokens are quoted only up to a cap", "[default_validator]") {
  const std::string answer(100, 'a');
  const DefaultValidatorResult r = check(answer, answer + "b");
  CHECK_FALSE(r.accepted);
  CHECK_THAT(r.message, Contains("..."));
  CHECK_THAT(r.message, Contains("first difference at byte 101"));
  CHECK(r.message.size() < 200);
}

TEST_CASE("case_sensitive: case matters", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"case_sensitive"});
  CHECK(accepts("Yes\n", "Yes\n", f));
  CHECK_FALSE(accepts("Yes\n", "yes\n", f));
  CHECK_FALSE(accepts("Yes\n", "YES\n", f));
  CHECK(accepts("Yes  \n", " Yes", f));
}

TEST_CASE("space_change_sensitive: whitespace must match exactly", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"space_change_sensitive"});
  CHECK(accepts("", "", f));
  CHECK(accepts("1 2\n3\n", "1 2\n3\n", f));
  CHECK(accepts("Yes\n", "yes\n", f));
  CHECK_FALSE(accepts("1 2\n", "1 2 \n", f));
  CHECK_FALSE(accepts("1 2\n", "1 2\n\n", f));
  CHECK_FALSE(accepts("1 2\n", "1  2\n", f));
  CHECK_FALSE(accepts("1 2\n", "1\t2\n", f));
  CHECK_FALSE(accepts("1 2\n", " 1 2\n", f));
  CHECK_FALSE(accepts("1\n2\n", "1\r\n2\r\n", f));
  CHECK_FALSE(accepts("\n", "", f));
  CHECK_FALSE(accepts("", "\n", f));
  // The same trailing whitespace differences pass without the flag.
  CHECK(accepts("1 2\n", "1 2 \n"));
  CHECK(accepts("1 2\n", "1 2"));

  const DefaultValidatorResult missing_newline = check("1\n", "1", f);
  CHECK_FALSE(missing_newline.accepted);
  CHECK(missing_newline.message ==
        "whitespace after token 1 (line 1): expected '\\n', got end of output");
  const DefaultValidatorResult extra_space = check("1 2", "1  2", f);
  CHECK(extra_space.message == "whitespace after token 1 (line 1): unexpected ' '");
}

TEST_CASE("missing, extra and empty output", "[default_validator]") {
  const DefaultValidatorResult empty = check("1\n", "");
  CHECK_FALSE(empty.accepted);
  CHECK(empty.message == "output is empty, expected '1'");

  const DefaultValidatorResult blank = check("1\n", " \n");
  CHECK_FALSE(blank.accepted);
  CHECK(blank.message == "output has no tokens, expected '1'");

  const DefaultValidatorResult missing = check("1 2 3\n", "1 2\n");
  CHECK_FALSE(missing.accepted);
  CHECK_THAT(missing.message, Contains("token 3") && Contains("output ended, expected '3'"));

  const DefaultValidatorResult extra = check("1 2\n", "1 2 3\n");
  CHECK_FALSE(extra.accepted);
  CHECK_THAT(extra.message, Contains("trailing output") && Contains("'3'"));

  const DefaultValidatorResult unexpected = check("", "x");
  CHECK_FALSE(unexpected.accepted);
  CHECK_THAT(unexpected.message, Contains("trailing output") && Contains("'x'"));
}

TEST_CASE("numbers compare as strings without a tolerance", "[default_validator]") {
  CHECK_FALSE(accepts("0", "-0"));
  CHECK_FALSE(accepts("1000", "1e3"));
  CHECK_FALSE(accepts("1", "1.0"));
  CHECK(accepts("1.5", "1.5"));
  CHECK(accepts("1E3", "1e3"));  // case-insensitive strings
}

TEST_CASE("float_tolerance: numbers compare by value", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"float_tolerance", "1e-9"});
  CHECK(accepts("0", "-0", f));
  CHECK(accepts("-0", "0", f));
  CHECK(accepts("1000", "1e3", f));
  CHECK(accepts("1e3", "1000", f));
  CHECK(accepts("1", "+1.000", f));
  CHECK(accepts("0.5", ".5", f));
  CHECK(accepts("16", "0x10", f));  // strtod, as problemtools, reads hex
  // An underflowing answer is still a (zero) number, as in problemtools.
  CHECK(accepts("1e-400", "0", f));
  CHECK_FALSE(accepts("1", "1.001", f));
  CHECK_FALSE(accepts("1 2", "1 3", f));

  const DefaultValidatorResult word = check("1.5", "abc", f);
  CHECK_FALSE(word.accepted);
  CHECK(word.message == "token 1 (line 1): expected a number like '1.5', got 'abc'");
  CHECK_FALSE(accepts("1.5", "1.5abc", f));
  CHECK_FALSE(accepts("1.5", "1.5\0"s, f));
  CHECK_FALSE(accepts("1", "1e", f));

  const DefaultValidatorResult far = check("1", "2", f);
  CHECK_FALSE(far.accepted);
  CHECK_THAT(far.message, Contains("expected '1', got '2'") && Contains("exceeds tolerance"));

  // Answer tokens that are not numbers still compare as strings.
  CHECK(accepts("abc 1", "ABC 1", f));
  CHECK_FALSE(accepts("abc 1", "abd 1", f));
}

TEST_CASE("float_tolerance 0 means equal values", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"float_tolerance", "0"});
  CHECK(accepts("1000", "1e3", f));
  CHECK(accepts("0", "-0.0", f));
  CHECK_FALSE(accepts("1", "1.0000001", f));
}

TEST_CASE("nan and inf are not numbers: they compare as strings", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"float_tolerance", "1e-6"});
  CHECK(accepts("nan", "nan", f));
  CHECK(accepts("nan", "NaN", f));
  CHECK_FALSE(accepts("nan", "1", f));
  CHECK_FALSE(accepts("nan", "-nan", f));
  CHECK_FALSE(accepts("NaN", "nan", flags({"float_tolerance", "1e-6", "case_sensitive"})));
  CHECK(accepts("inf", "INF", f));
  CHECK_FALSE(accepts("inf", "infinity", f));
  CHECK_FALSE(accepts("inf", "1e999", f));
  CHECK(accepts("1e999", "1E999", f));  // overflow: not a number
  CHECK_FALSE(accepts("1e999", "inf", f));
  // A numeric answer needs a finite number.
  CHECK_FALSE(accepts("1", "nan", f));
  CHECK_FALSE(accepts("1e308", "inf", f));
  CHECK_FALSE(accepts("1e308", "1e999", f));
}

TEST_CASE("float_absolute_tolerance boundary", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"float_absolute_tolerance", "0.25"});
  CHECK(accepts("1", "1.25", f));
  CHECK(accepts("1", "0.75", f));
  CHECK_FALSE(accepts("1", "1.2500001", f));
  CHECK_FALSE(accepts("1", "0.7499999", f));
  // Absolute only: large values get no relative slack.
  CHECK_FALSE(accepts("1e9", "1000000001", f));
  CHECK(accepts("1e9", "1000000000.25", f));
}

TEST_CASE("float_relative_tolerance boundary uses the answer's value", "[default_validator]") {
  const DefaultValidatorFlags f = flags({"float_relative_tolerance", "0.25"});
  CHECK(accepts("4", "5", f));
  CHECK(accepts("4", "3", f));
  CHECK(accepts("-4", "-5", f));
  CHECK_FALSE(accepts("4", "5.0001", f));
  CHECK_FALSE(accepts("4", "2.9999", f));
  // |5 - 3.75| = 1.25 <= 0.25 * 5, but |3.75 - 5| > 0.25 * 3.75.
  CHECK(accepts("5", "3.75", f));
  CHECK_FALSE(accepts("3.75", "5", f));
  // Relative only: an answer of 0 needs an exact 0.
  CHECK(accepts("0", "-0", f));
  CHECK_FALSE(accepts("0", "1e-300", f));
}

TEST_CASE("either tolerance is enough when both are set", "[default_validator]") {
  const DefaultValidatorFlags f =
      flags({"float_absolute_tolerance", "0.5", "float_relative_tolerance", "0.1"});
  CHECK(accepts("100", "109", f));  // relative
  CHECK(accepts("0.1", "0.5", f));  // absolute
  CHECK_FALSE(accepts("100", "111", f));
  CHECK_FALSE(accepts("0.1", "0.7", f));
}

TEST_CASE("binary data and NUL bytes compare exactly", "[default_validator]") {
  CHECK(accepts("a\0b c\n"s, "a\0b c\n"s));
  CHECK(accepts("\xff\x01\x7f"s, "\xff\x01\x7f"s));
  CHECK_FALSE(accepts("a\0b"s, "a\0c"s));
  CHECK_FALSE(accepts("a\0b"s, "a b"s));  // NUL is not whitespace
  CHECK_FALSE(accepts("a\0"s, "a"s));
  CHECK_FALSE(accepts("a"s, "a\0"s));
  CHECK_FALSE(accepts("\xff"s, "\xfe"s));

  const DefaultValidatorResult r = check("a\0b"s, "a\0c"s);
  CHECK(r.message == "token 1 (line 1): expected 'a\\x00b', got 'a\\x00c'");
}

TEST_CASE("a 10 MiB token without newline streams", "[default_validator]") {
  TempDir dir;
  const std::string answer = dir.write_repeated("answer", "x", kTenMiB);

  CHECK(run_default_validator(answer, dir.write_repeated("same", "x", kTenMiB), {}).accepted);

  const DefaultValidatorResult last =
      run_default_validator(answer, dir.write_repeated("last", "x", kTenMiB - 1, "y"), {});
  CHECK_FALSE(last.accepted);
  CHECK_THAT(last.message, Contains("first difference at byte " + std::to_string(kTenMiB)));
  CHECK(last.message.size() < 200);

  const DefaultValidatorResult longer =
      run_default_validator(answer, dir.write_repeated("longer", "x", kTenMiB + 1), {});
  CHECK_FALSE(longer.accepted);
  CHECK_THAT(longer.message, Contains("first difference at byte " + std::to_string(kTenMiB + 1)));

  const DefaultValidatorResult shorter =
      run_default_validator(answer, dir.write_repeated("shorter", "x", kTenMiB - 1), {});
  CHECK_FALSE(shorter.accepted);

  // Case folding applies past the buffered prefix too.
  const std::string upper = dir.write_repeated("upper", "X", kTenMiB);
  CHECK(run_default_validator(answer, upper, {}).accepted);
  CHECK_FALSE(run_default_validator(answer, upper, flags({"case_sensitive"})).accepted);
  const std::string tail_upper = dir.write_repeated("tail_upper", "x", kTenMiB - 1, "X");
  CHECK(run_default_validator(answer, tail_upper, {}).accepted);
  CHECK_FALSE(run_default_validator(answer, tail_upper, flags({"case_sensitive"})).accepted);

  // Then the next token still compares.
  const std::string two = dir.write_repeated("two", "x", kTenMiB, " 1");
  CHECK(run_default_validator(two, dir.write_repeated("two_same", "x", kTenMiB, "\n1\n"), {})
            .accepted);
  CHECK_FALSE(
      run_default_validator(two, dir.write_repeated("two_diff", "x", kTenMiB, " 2"), {}).accepted);
}

TEST_CASE("missing files are judge errors", "[default_validator]") {
  TempDir dir;
  const std::string present = dir.write("present", "1\n");
  const std::string absent = dir.path("absent");
  REQUIRE_THROWS_AS(run_default_validator(absent, present, {}), std::runtime_error);
  CHECK_THROWS_WITH(run_default_validator(absent, present, {}),
                    "cannot read " + absent + ": No such file or directory");
  CHECK_THROWS_WITH(run_default_validator(present, absent, {}),
                    "cannot read " + absent + ": No such file or directory");
  CHECK_THROWS_WITH(run_default_validator(present, dir.path(""), {}), Contains("Is a directory"));
}

TEST_CASE("two 200 MB files compare in constant memory", "[default_validator][big]") {
  TempDir dir;
  // 25 bytes a line, 8 Mi lines: 200 MiB and 40 Mi tokens per file.
  const std::string line = "12345 abcde -6.25 XYZ 42\n";
  const size_t lines = 8 << 20;
  const std::string answer = dir.write_repeated("answer", line, lines);
  const std::string output =
      dir.write_repeated("output", line, lines - 1, "12345 abcde -6.25 XYZ 43\n");

  // Differing only in the last token, so the whole of both files is compared.
  const long before = max_rss_kib();
  const DefaultValidatorResult differ = run_default_validator(answer, output, {});
  const long after = max_rss_kib();

  CHECK_FALSE(differ.accepted);
  CHECK(differ.message == "token " + std::to_string(lines * 5) + " (line " + std::to_string(lines) +
                              "): expected '42', got '43'");
  CHECK(after - before < 32 * 1024);
}
