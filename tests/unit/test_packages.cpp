// Packages and submissions as content-addressed archives (judge/pipeline/packages.hpp).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "judge/engine/sha256.hpp"
#include "judge/pipeline/packages.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::judge;

namespace {

struct TempDir : pj::test::ScratchDir {
  TempDir() : ScratchDir("pj-packages") {}
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a package travels whole, named by the hash of its archive") {
  TempDir t;
  fs::path pkg = t.path / "aplusb";
  write(pkg / "problem.yaml", "name: A plus B\n");
  write(pkg / "data" / "secret" / "01.in", "1 2\n");
  write(pkg / "data" / "secret" / "01.ans", "3\n");
  write(pkg / "run.sh", "#!/bin/sh\n");
  fs::permissions(pkg / "run.sh", fs::perms::owner_exec, fs::perm_options::add);
  PackedTree packed = pack_tree(pkg);
  CHECK(packed.hash == sha256_hex(packed.archive));
  CHECK(pack_tree(pkg).hash == packed.hash);  // the same bytes, the same name

  fs::path top = unpack_tree(packed.archive, packed.hash, t.path / "copy");
  CHECK(top == t.path / "copy" / "aplusb");
  CHECK(read(top / "problem.yaml") == "name: A plus B\n");
  CHECK(read(top / "data" / "secret" / "01.ans") == "3\n");
  CHECK((fs::status(top / "run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);

  write(pkg / "data" / "secret" / "01.ans", "4\n");  // a changed test: another archive
  CHECK(pack_tree(pkg).hash != packed.hash);
}

TEST_CASE("a submission file travels as itself") {
  TempDir t;
  write(t.path / "sol.c", "int main(void) { return 0; }\n");
  PackedTree packed = pack_tree(t.path / "sol.c");
  fs::path file = unpack_tree(packed.archive, packed.hash, t.path / "copy");
  CHECK(file == t.path / "copy" / "sol.c");
  CHECK(read(file) == "int main(void) { return 0; }\n");
}

TEST_CASE("an archive that does not match its hash, or leaves its directory, is refused") {
  TempDir t;
  write(t.path / "p" / "a.txt", "a");
  PackedTree packed = pack_tree(t.path / "p");
  std::string tampered = packed.archive;
  tampered.back() ^= 1;
  CHECK_THROWS_WITH(unpack_tree(tampered, packed.hash, t.path / "x"),
                    Catch::Matchers::Contains("does not match its hash"));

  nlohmann::json evil = {
      {"name", "p"},
      {"dir", true},
      {"files",
       {{{"path", "../escaped"}, {"exec", false}, {"data", nlohmann::json::binary_t({'x'})}}}}};
  auto bytes = nlohmann::json::to_cbor(evil);
  std::string archive(bytes.begin(), bytes.end());
  CHECK_THROWS_WITH(unpack_tree(archive, sha256_hex(archive), t.path / "y"),
                    Catch::Matchers::Contains("leaves the package"));
  CHECK_FALSE(fs::exists(t.path / "y" / "escaped"));
  CHECK_FALSE(fs::exists(t.path / "escaped"));
}
