// The results database (SQLite, WAL): written by the collector only, read
// by `results` and by `submit` for its live table. Schema in README.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "judge/engine/results.hpp"
#include "judge/pipeline/sqlite.hpp"
#include "judge/report/events.hpp"

namespace pj::judge {

// An event ready to store, with the bytes of the blobs it refers to that
// the database may not have yet.
struct StoredEvent {
  Event event;
  std::map<std::string, std::string> blobs;  // hash -> bytes
  std::string received;  // the message as received (stored as the body); empty: event.body's text
};

// A submission as a listing shows it.
struct SubmissionRow {
  std::string id, problem, problem_name, file, language, language_name;
  std::string status;  // queued, compiling, judging, done
  std::optional<std::string> verdict;
  std::string reason;
  std::optional<double> score, time;
  std::optional<std::int64_t> memory;
  std::optional<std::int64_t> tests_total, tests_run, tests_passed;
  double submitted_at = 0;
  std::optional<double> finished_at;
  std::int64_t attempts = 1;  // judging attempts (more than 1: a worker died judging it)
};

// The row as JSON (`results --json`'s listing; the HTTP API's, without
// `file`, a path on the server).
nlohmann::json encode_row(const SubmissionRow& r);

// One submission whole: its listing row and its report as stored, which is
// the report the judge made (report.verdict is unset until the final).
struct SubmissionDetail {
  SubmissionRow row;
  SubmissionReport report;
};

struct EventRow {
  std::int64_t seq = 0;
  std::string type;
  nlohmann::json body;
};

class ResultStore {
 public:
  // For the collector: creates the schema if needed, WAL mode, and proves
  // it can write (a clear StoreError now rather than a silent loss later).
  // `sync`: synchronous=FULL (a commit survives a machine crash); else OFF
  // (a commit survives the process, not the machine).
  // `max_bytes` > 0 caps the file (a quota; writes beyond fail as "full").
  static ResultStore open_writer(const std::filesystem::path& db, bool sync,
                                 std::uint64_t max_bytes = 0);
  // For readers; StoreError if there is no pipejudge database there.
  static ResultStore open_reader(const std::filesystem::path& db);
  // The same, or nullopt while there is none yet (or a collector is still
  // creating it): for readers that wait for one.
  static std::optional<ResultStore> try_open_reader(const std::filesystem::path& db);

  ResultStore(ResultStore&&) noexcept;
  ResultStore& operator=(ResultStore&&) = delete;
  ~ResultStore();

  // Stores the events in one transaction; an event whose (submission id,
  // seq) is there already changes nothing. Returns how many were new.
  // Throws StoreError (and stores none of them) if the database cannot be written.
  std::size_t ingest(const std::vector<StoredEvent>& events);

  bool has_blob(const std::string& hash);
  std::optional<std::string> blob(const std::string& hash);

  // Most recent first; `problem` non-empty filters.
  std::vector<SubmissionRow> recent(std::size_t limit, const std::string& problem = {});
  std::optional<SubmissionDetail> find(const std::string& id);
  // Whether the submission has its final verdict stored: a cheap look for
  // readers that wait for many (one indexed row, no tests, no blobs).
  bool has_final(const std::string& id);
  // The stored events of one submission with seq > after_seq, in order.
  std::vector<EventRow> events(const std::string& id, std::int64_t after_seq = -1);

  const std::string& path() const { return db_.path(); }

 private:
  explicit ResultStore(Database db);
  struct Writer;
  void store_one(const StoredEvent& e, std::size_t& added);
  std::string store_output(const std::string& text);
  std::vector<TestReport> tests_of(const std::string& id);

  Database db_;
  std::unique_ptr<Writer> writer_;  // prepared statements of the collector
  // events(), prepared once: a live follower reads after every stored event.
  std::unique_ptr<Statement> events_query_;
  std::unique_ptr<Statement> final_query_;  // has_final(), prepared once
};

}  // namespace pj::judge
