// StoreWatch: the follower wakes when an event is stored (its outbox copy
// removed), when a process it waits on ends, on a stop signal, and not for a
// sender's temporary renamed into place; or when its own collector tells it
// so through a FIFO.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/store_notices.hpp"
#include "judge/pipeline/store_watch.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::judge;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct Outbox : pj::test::ScratchDir {
  Outbox() : ScratchDir("pj-watch") {}
};

double waited_ms(StoreWatch& w, std::initializer_list<pid_t> pids, milliseconds timeout,
                 const std::atomic<bool>& stop) {
  auto t = Clock::now();
  w.wait(pids, stop, timeout);
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

TEST_CASE("StoreWatch wakes when an event's outbox copy is removed, not before", "[watch]") {
  Outbox box;
  std::atomic<bool> stop{false};
  StoreWatch w(box.path);
  // A sender writes an event (a temporary renamed into place): no store yet.
  write_file_atomically(box.path, "abc.0000000001.json", "{}", false);
  CHECK(waited_ms(w, {}, milliseconds(300), stop) >= 250);
  CHECK(w.wakes() == 0);
  // The collector stores it and removes the copy, a little later.
  std::thread collector([&] {
    std::this_thread::sleep_for(milliseconds(50));
    fs::remove(box.path / "abc.0000000001.json");
  });
  double ms = waited_ms(w, {}, milliseconds(5000), stop);
  collector.join();
  CHECK(ms < 2000);
  CHECK(w.wakes() == 1);
  // A removal before the wait is not lost either.
  write_file_atomically(box.path, "abc.0000000002.json", "{}", false);
  fs::remove(box.path / "abc.0000000002.json");
  CHECK(waited_ms(w, {}, milliseconds(5000), stop) < 2000);
  CHECK(w.wakes() == 2);
}

TEST_CASE("StoreWatch wakes when a process it waits on ends, or at once if set to stop",
          "[watch]") {
  Outbox box;
  std::atomic<bool> stop{false};
  StoreWatch w(box.path);
  pid_t child = fork();
  if (child == 0) {
    usleep(100000);
    _exit(0);
  }
  REQUIRE(child > 0);
  double ms = waited_ms(w, {child}, milliseconds(5000), stop);
  CHECK(ms >= 50);
  CHECK(ms < 2000);
  waitpid(child, nullptr, 0);
  stop = true;
  CHECK(waited_ms(w, {}, milliseconds(5000), stop) < 100);
  CHECK(w.wakes() == 0);
}

TEST_CASE("StoreWatch tells whose events were stored since it was last asked", "[watch]") {
  Outbox box;
  std::atomic<bool> stop{false};
  StoreWatch w(box.path);
  const std::string alice = "0123456789abcdef", bob = "fedcba9876543210";
  write_file_atomically(box.path, alice + ".0000000001-0000000003.json", "{}", false);
  write_file_atomically(box.path, bob + ".0000000001.json", "{}", false);
  write_file_atomically(box.path, "not-an-event", "{}", false);
  fs::remove(box.path / (alice + ".0000000001-0000000003.json"));
  fs::remove(box.path / "not-an-event");
  w.wait({}, stop, milliseconds(5000));
  auto stored = w.take_stored();
  REQUIRE(stored);
  CHECK(*stored == std::set<std::string>{alice});  // not bob's, still waiting; not the stranger
  auto again = w.take_stored();
  REQUIRE(again);
  CHECK(again->empty());
  fs::remove(box.path / (bob + ".0000000001.json"));
  w.wait({}, stop, milliseconds(5000));
  CHECK(w.take_stored() == std::optional(std::set<std::string>{bob}));
}

TEST_CASE("StoreWatch hears a collector's store notices through its FIFO", "[watch]") {
  Outbox box;
  std::atomic<bool> stop{false};
  const fs::path fifo = box.path / "stored.fifo";
  StoreWatch w(StoreWatch::Notices{fifo});
  StoreNoticeWriter collector(fifo);
  CHECK(waited_ms(w, {}, milliseconds(200), stop) >= 150);  // nothing told: a timeout
  CHECK(w.wakes() == 0);
  const std::string alice = "0123456789abcdef", bob = "fedcba9876543210";
  std::thread later([&] {
    std::this_thread::sleep_for(milliseconds(50));
    collector.tell({alice, bob}, false);
  });
  CHECK(waited_ms(w, {}, milliseconds(5000), stop) < 2000);
  later.join();
  CHECK(w.wakes() == 1);
  CHECK(w.take_stored() == std::optional(std::set<std::string>{alice, bob}));
  // Rejected messages name nobody: any submission may have news.
  collector.tell({}, true);
  w.wait({}, stop, milliseconds(5000));
  CHECK(w.take_stored() == std::nullopt);
  CHECK(w.wakes() == 2);
}

TEST_CASE("store notices: none without a reader, and a full pipe's loss is told", "[watch]") {
  Outbox box;
  const fs::path fifo = box.path / "stored.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  StoreNoticeWriter collector(fifo);
  collector.tell({"0123456789abcdef"}, false);  // nobody listens: dropped, no error, no wait
  StoreNoticeReader reader(fifo);
  std::set<std::string> ids;
  bool lost = false;
  CHECK_FALSE(reader.take(ids, lost));
  // A reader that does not keep up: the pipe fills, notices are lost, and
  // the next one that fits says so.
  for (int i = 0; i < 20000; ++i) collector.tell({"id" + std::to_string(i)}, false);
  CHECK(reader.take(ids, lost));
  CHECK_FALSE(lost);
  CHECK(ids.size() < 20000);
  ids.clear();
  collector.tell({"last"}, false);
  CHECK(reader.take(ids, lost));
  CHECK(lost);
  CHECK(ids == std::set<std::string>{"last"});
}
