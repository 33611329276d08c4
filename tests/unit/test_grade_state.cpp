// GradeState: what a batch's results are survives the run that made them,
// a run killed halfway (its log, even a half-written last line), and is
// folded into one snapshot.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "judge/batch/grade_state.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using pj::judge::GradeState;

namespace {

struct OutDir : pj::test::ScratchDir {
  OutDir() : ScratchDir("pj-grade-state") {}
};

}  // namespace

TEST_CASE("GradeState keeps what it remembered for the next run", "[grade]") {
  OutDir out;
  {
    GradeState state(out.path);
    CHECK_FALSE(state.result("k1"));
    state.remember("k1", "alice/sum/sum.c", "id1");
    state.remember("k2", "bob/sum/sum.c", "id2");
    state.remember("k3", "alice/sum/sum.c", "id3");  // alice handed in again
    CHECK(fs::exists(out.path / "grade-state.log"));
    state.compact();
    CHECK_FALSE(fs::exists(out.path / "grade-state.log"));
  }
  GradeState next(out.path);
  CHECK(next.result("k1") == "id1");
  CHECK(next.result("k2") == "id2");
  CHECK(next.latest("alice/sum/sum.c") == "id3");
  CHECK(next.latest("bob/sum/sum.c") == "id2");
  CHECK_FALSE(next.latest("carol/sum/sum.c"));
}

TEST_CASE("GradeState reads the log of a killed run, half-written line and all", "[grade]") {
  OutDir out;
  {
    GradeState state(out.path);
    state.remember("k1", "alice/sum/sum.c", "id1");
    state.compact();
    state.remember("k2", "bob/sum/sum.c", "id2");
    // Killed here: no compact(), and a line cut short by the kill.
    std::ofstream(out.path / "grade-state.log", std::ios::app) << "\n{\"key\":\"k3\",\"ent";
  }
  {
    GradeState next(out.path);
    CHECK(next.result("k1") == "id1");  // from the snapshot
    CHECK(next.result("k2") == "id2");  // from the log
    CHECK_FALSE(next.result("k3"));     // never finished: never enqueued
    // Folded into the snapshot at once; what it remembers next is not glued
    // to the cut line either.
    CHECK_FALSE(fs::exists(out.path / "grade-state.log"));
    next.remember("k4", "carol/sum/sum.c", "id4");
  }
  GradeState last(out.path);
  CHECK(last.result("k2") == "id2");
  CHECK(last.result("k4") == "id4");
}
