// Finding a JVM program's entry point: the class named after the submitted
// file, else the only one that declares main.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "judge/engine/jvm_classes.hpp"

using namespace pj::judge;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("the class named after the main source wins, else the only one", "[jvm]") {
  CHECK(pick_main_class({"Helper", "Solution"}, "Solution") == "Solution");
  CHECK(pick_main_class({"ab.App"}, "Adder") == "ab.App");
  CHECK(pick_main_class({"ab.App", "ab.Solution"}, "Solution") == "ab.Solution");
  CHECK_THROWS_WITH(pick_main_class({}, "Main"), Contains("no class declares"));
  CHECK_THROWS_WITH(pick_main_class({"A", "B"}, "Main"), Contains("several classes declare main"));
}

TEST_CASE("files that are not class files declare nothing", "[jvm]") {
  fs::path dir = fs::temp_directory_path() / "pj_jvm_classes_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "pkg");
  std::ofstream(dir / "Broken.class") << "\xCA\xFE\xBA\xBE truncated";
  std::ofstream(dir / "pkg" / "Text.class") << "not a class file at all";
  CHECK(classes_with_main(dir).empty());
  fs::remove_all(dir);
}
