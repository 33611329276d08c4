// A submission's compiler options: their words, their place in a compile
// command ({options}), and the compile cache that keeps them apart.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "judge/engine/compile.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::judge;
using Catch::Matchers::Contains;
using Words = std::vector<std::string>;

namespace {

struct TempDir : pj::test::ScratchDir {
  TempDir() : ScratchDir("pj-copts") {}
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

const fs::path kShipped = fs::path(PIPEJUDGE_SOURCE_DIR) / "judge" / "engine" / "languages.yaml";

}  // namespace

TEST_CASE("compiler options are split at whitespace, with no shell", "[languages]") {
  std::string why;
  CHECK(split_compiler_options("  -O3 \t-DLOCAL  -Wl,-O1 ", why) ==
        Words{"-O3", "-DLOCAL", "-Wl,-O1"});
  CHECK(split_compiler_options("", why) == Words{});
  CHECK(split_compiler_options("   ", why) == Words{});
  CHECK(split_compiler_options("-DN=10 -std=c11 @opts", why) ==
        Words{"-DN=10", "-std=c11", "@opts"});
  CHECK(split_compiler_options(std::string(kMaxCompilerOptionsBytes, 'O'), why));

  for (const std::string& bad :
       Words{"-DX=\"a b\"", "-DX='a'", "-DX=a\\ b", "-O2;rm", "$(id)", "`id`", "-O2 | cat", "-o >x",
             "-DF(x)=x", "-O2\n-DX", "-O2\r", "a&b", std::string("-O2\0x", 5), "-D\xc3\xa9"}) {
    INFO(bad);
    why.clear();
    CHECK_FALSE(split_compiler_options(bad, why));
    CHECK_THAT(why, Contains("separated by spaces"));
  }
  CHECK_FALSE(split_compiler_options(std::string(kMaxCompilerOptionsBytes + 1, 'O'), why));
  CHECK(why == "must be at most 512 bytes");
}

TEST_CASE("{options} expands to one argument per option, or to none", "[languages]") {
  const Words tmpl{"gcc", "-O2", "{options}", "-o", "{binary}", "{sources}", "-lm"};
  CHECK(expand_command(tmpl, {"a.c", "b.c"}, "main", {"-O3", "-DLOCAL"}) ==
        Words{"gcc", "-O2", "-O3", "-DLOCAL", "-o", "main", "a.c", "b.c", "-lm"});
  CHECK(expand_command(tmpl, {"a.c"}, "main") == Words{"gcc", "-O2", "-o", "main", "a.c", "-lm"});
  // An option is taken as given: it is no template itself.
  CHECK(expand_command(tmpl, {"a.c"}, "main", {"-D{binary}"})[2] == "-D{binary}");
}

TEST_CASE("which languages take compiler options", "[languages]") {
  LanguageTable table = LanguageTable::load(kShipped);
  for (const char* id : {"c", "cpp", "rust", "go", "java", "haskell", "pascal", "fortran"}) {
    INFO(id);
    REQUIRE(table.find(id));
    CHECK(takes_compiler_options(*table.find(id)));
  }
  // A compile step that only checks the syntax, or none: no options.
  for (const char* id : {"pypy", "cpython", "javascript", "ruby", "bash", "php"}) {
    INFO(id);
    REQUIRE(table.find(id));
    CHECK_FALSE(takes_compiler_options(*table.find(id)));
  }

  TempDir dir;
  dir.write("inside.yaml",
            "x:\n  extensions: [x]\n  compile: [cc, \"-f{options}\", \"{source}\"]\n"
            "  run: [./main]\n");
  CHECK_THROWS_WITH(LanguageTable::load(dir.path / "inside.yaml"),
                    Contains("'{options}' must be a word of its own in 'compile'"));
  dir.write("run.yaml", "x:\n  extensions: [x]\n  run: [./main, \"{options}\"]\n");
  CHECK_THROWS_WITH(LanguageTable::load(dir.path / "run.yaml"),
                    Contains("'{options}' belongs in 'compile' only"));
}

TEST_CASE("the compile cache keeps programs of different options apart", "[compile]") {
  LanguageTable table = LanguageTable::load(kShipped);
  TempDir dir;
  Submission s;
  s.language = table.find("c");
  s.sources = {dir.write("sol.c", "int main(void) { return 0; }\n")};
  s.path = s.sources.front();

  const std::string plain = Compiler::cache_key(s);
  CHECK(Compiler::cache_key(s, {}) == plain);
  const std::string local = Compiler::cache_key(s, {"-DLOCAL"});
  CHECK(local != plain);
  CHECK(Compiler::cache_key(s, {"-DLOCAL"}) == local);  // the same options: the same program
  CHECK(Compiler::cache_key(s, {"-O3"}) != local);
  CHECK(Compiler::cache_key(s, {"-O3", "-DLOCAL"}) != Compiler::cache_key(s, {"-DLOCAL", "-O3"}));
  CHECK(Compiler::cache_key(s, {"-O3 -DLOCAL"}) != Compiler::cache_key(s, {"-O3", "-DLOCAL"}));
  // Options never hash like a source's name and bytes.
  Submission two = s;
  two.sources.push_back(dir.write("x", "y"));
  CHECK(Compiler::cache_key(s, {"x", "y"}) != Compiler::cache_key(two));
}
