#include "judge/pipeline/store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "judge/engine/sha256.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/report/report_json.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

constexpr const char* kSchemaVersion = "8";

// Every statement is idempotent: the collector runs it at each start.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
-- Every event as received; the primary key is what makes storing idempotent.
CREATE TABLE IF NOT EXISTS events(
  submission_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  sender_pid INTEGER,
  received_at REAL NOT NULL,
  PRIMARY KEY (submission_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions(
  id TEXT PRIMARY KEY,
  problem TEXT, problem_name TEXT, problem_dir TEXT, file TEXT,
  language TEXT, language_name TEXT, run_all INTEGER,
  stage INTEGER NOT NULL DEFAULT 0,
  submitted_at REAL NOT NULL,
  finished_at REAL,
  compile_ok INTEGER, compile_cached INTEGER, compile_time REAL, compile_reason TEXT,
  compile_output TEXT,
  verdict TEXT, reason TEXT, score REAL, time REAL, memory INTEGER,
  tests_total INTEGER, tests_run INTEGER, tests_passed INTEGER,
  final_seq INTEGER,
  max_score REAL, groups TEXT,
  time_limit REAL, memory_limit INTEGER, output_limit INTEGER,
  attempts INTEGER, attempt_seq INTEGER, insecure INTEGER);
CREATE INDEX IF NOT EXISTS submissions_recent ON submissions(submitted_at);
CREATE INDEX IF NOT EXISTS submissions_problem ON submissions(problem, submitted_at);
CREATE TABLE IF NOT EXISTS tests(
  submission_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  verdict TEXT NOT NULL,
  time REAL, wall_time REAL, memory INTEGER,
  exit_code INTEGER, signal TEXT, message TEXT,
  score REAL, team_message TEXT, stderr TEXT, passes INTEGER, rerun_first_time REAL,
  output TEXT,
  PRIMARY KEY (submission_id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blobs(
  hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  data BLOB NOT NULL);
)sql";

// How a database of an older schema version is brought up to this one, a
// version at a time: version 1 lacked the groups and the tests' score and
// team message, version 2 the failing tests' stderr, version 3 the limits,
// version 4 the passes of multi-pass tests, version 5 the judging attempts,
// version 6 whether it was judged without isolation and the first run's
// time of a test re-run near its limit, version 7 a test's kept output.
constexpr std::array<const char*, 7> kMigrations = {
    R"sql(
ALTER TABLE submissions ADD COLUMN max_score REAL;
ALTER TABLE submissions ADD COLUMN groups TEXT;
ALTER TABLE tests ADD COLUMN score REAL;
ALTER TABLE tests ADD COLUMN team_message TEXT;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE tests ADD COLUMN stderr TEXT;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE submissions ADD COLUMN time_limit REAL;
ALTER TABLE submissions ADD COLUMN memory_limit INTEGER;
ALTER TABLE submissions ADD COLUMN output_limit INTEGER;
UPDATE meta SET value = '4' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE tests ADD COLUMN passes INTEGER;
UPDATE meta SET value = '5' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE submissions ADD COLUMN attempts INTEGER;
ALTER TABLE submissions ADD COLUMN attempt_seq INTEGER;
UPDATE meta SET value = '6' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE submissions ADD COLUMN insecure INTEGER;
ALTER TABLE tests ADD COLUMN rerun_first_time REAL;
UPDATE meta SET value = '7' WHERE key = 'schema_version';
)sql",
    R"sql(
ALTER TABLE tests ADD COLUMN output TEXT;
UPDATE meta SET value = '8' WHERE key = 'schema_version';
)sql"};

constexpr const char* kSubmissionColumns =
    "id, problem, problem_name, file, language, language_name, stage, verdict, reason, score, "
    "time, memory, tests_total, tests_run, tests_passed, submitted_at, finished_at, "
    "COALESCE(attempts, 1)";

const char* stage_name(std::int64_t stage) {
  switch (stage) {
    case 0:
      return "queued";
    case 1:
      return "compiling";
    case 2:
      return "judging";
    default:
      return "done";
  }
}

SubmissionRow read_submission(const Statement& s) {
  SubmissionRow r;
  r.id = s.text(0);
  r.problem = s.text(1);
  r.problem_name = s.text(2);
  r.file = s.text(3);
  r.language = s.text(4);
  r.language_name = s.text(5);
  r.status = stage_name(s.int64(6));
  r.verdict = s.opt_text(7);
  r.reason = s.text(8);
  r.score = s.opt_real(9);
  r.time = s.opt_real(10);
  r.memory = s.opt_int64(11);
  r.tests_total = s.opt_int64(12);
  r.tests_run = s.opt_int64(13);
  r.tests_passed = s.opt_int64(14);
  r.submitted_at = s.real(15);
  r.finished_at = s.opt_real(16);
  r.attempts = s.int64(17);
  return r;
}

// A database of an older schema is brought up to this one (by its writer).
void migrate(Database& db) {
  for (std::size_t from = 1; from <= kMigrations.size(); ++from) {
    Statement s = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
    if (s.step() && s.text(0) == std::to_string(from)) db.exec(kMigrations[from - 1]);
  }
}

void check_schema_version(Database& db) {
  try {
    Statement s = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!s.step() || s.text(0) != kSchemaVersion)
      throw StoreError(db.path(),
                       "results database of another schema version (this pipejudge "
                       "reads version " +
                           std::string(kSchemaVersion) +
                           "; an older one is upgraded when a collector opens it)");
  } catch (const StoreError& e) {
    if (e.code() == SQLITE_ERROR &&
        std::string(e.what()).find("no such table") != std::string::npos)
      throw StoreError(db.path(), "not a pipejudge results database");
    throw;
  }
}

}  // namespace

struct ResultStore::Writer {
  explicit Writer(Database& db)
      : insert_event(db.prepare(
            "INSERT OR IGNORE INTO events(submission_id, seq, type, body, sender_pid, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?)")),
        insert_blob(db.prepare("INSERT OR IGNORE INTO blobs(hash, size, data) VALUES (?, ?, ?)")),
        // Every event (any order): the row, and the earliest time heard of.
        // Written only when that changes: most events change nothing, and a
        // row rewritten is its indexes rewritten too.
        touch(db.prepare(
            "INSERT INTO submissions(id, submitted_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
            "SET submitted_at = excluded.submitted_at "
            "WHERE excluded.submitted_at < submissions.submitted_at")),
        queued(db.prepare(
            "UPDATE submissions SET problem = ?, problem_name = ?, problem_dir = ?, file = ?, "
            "language = ?, language_name = ?, run_all = ?, tests_total = COALESCE(tests_total, ?), "
            "time_limit = ?, memory_limit = ?, output_limit = ? WHERE id = ?")),
        // An attempt's compiling starts it over: what earlier attempts (whose
        // worker died) said of the tests goes, and their late events are
        // left out; events arrive in any order.
        compiling(db.prepare("UPDATE submissions SET stage = MAX(stage, 1), "
                             "attempts = MAX(COALESCE(attempts, 1), ?), "
                             "attempt_seq = MAX(COALESCE(attempt_seq, 0), ?) WHERE id = ?")),
        drop_earlier_tests(db.prepare("DELETE FROM tests WHERE submission_id = ? AND seq < ?")),
        compiled(db.prepare(
            "UPDATE submissions SET compile_ok = ?, compile_cached = ?, compile_time = ?, "
            "compile_reason = ?, compile_output = ?, stage = MAX(stage, 2) "
            "WHERE id = ? AND ? > COALESCE(attempt_seq, 0)")),
        test(
            db.prepare("INSERT INTO tests(submission_id, idx, seq, name, verdict, time, wall_time, "
                       "memory, exit_code, signal, message, score, team_message, stderr, passes, "
                       "rerun_first_time, output) "
                       "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                       "WHERE ? > (SELECT COALESCE(attempt_seq, 0) FROM submissions WHERE id = ?) "
                       "ON CONFLICT(submission_id, idx) DO UPDATE SET seq = excluded.seq, "
                       "name = excluded.name, verdict = excluded.verdict, time = excluded.time, "
                       "wall_time = excluded.wall_time, memory = excluded.memory, "
                       "exit_code = excluded.exit_code, signal = excluded.signal, "
                       "message = excluded.message, score = excluded.score, "
                       "team_message = excluded.team_message, stderr = excluded.stderr, "
                       "passes = excluded.passes, rerun_first_time = excluded.rerun_first_time, "
                       "output = excluded.output "
                       "WHERE excluded.seq > tests.seq")),
        judging(db.prepare("UPDATE submissions SET stage = 2 WHERE id = ? AND stage < 2")),
        // The earliest final wins, whatever order the events arrive in.
        final_(db.prepare(
            "UPDATE submissions SET verdict = ?, reason = ?, score = ?, time = ?, memory = ?, "
            "tests_total = ?, tests_run = ?, tests_passed = ?, max_score = ?, groups = ?, "
            "finished_at = ?, final_seq = ?, stage = 3, "
            "attempts = MAX(COALESCE(attempts, 1), COALESCE(?, 1)), insecure = ? "
            "WHERE id = ? AND (final_seq IS NULL OR final_seq > ?)")) {}

  Statement insert_event, insert_blob, touch, queued, compiling, drop_earlier_tests, compiled, test,
      judging, final_;
};

ResultStore::ResultStore(Database db) : db_(std::move(db)) {}
ResultStore::ResultStore(ResultStore&&) noexcept = default;
ResultStore::~ResultStore() = default;

ResultStore ResultStore::open_writer(const fs::path& path, bool sync, std::uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::is_directory(path.parent_path(), ec))
    throw StoreError(path.string(), "cannot open the results database: no directory " +
                                        path.parent_path().string());
  try {
    Database db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    chmod(path.c_str(), 0600);
    // Without sync nothing here is fsync'ed, checkpoints included: the
    // database is throwaway (submit's private instance) or a benchmark.
    db.exec(sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
    {
      Statement mode = db.prepare("PRAGMA journal_mode = WAL");
      if (!mode.step() || mode.text(0) != "wal")
        throw StoreError(path.string(), "cannot switch to WAL mode");
    }
    if (max_bytes) {
      std::int64_t page_size = 4096;
      {
        Statement page = db.prepare("PRAGMA page_size");
        if (page.step()) page_size = page.int64(0);
      }
      db.exec("PRAGMA max_page_count = " +
              std::to_string(std::max<std::uint64_t>(1, max_bytes / page_size)));
    }
    // Creating the schema and stamping the start is the proof it can write.
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(kSchema);
      migrate(db);
      db.exec(std::string("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '") +
              kSchemaVersion + "')");
      Statement stamp =
          db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('collector_started', ?)");
      stamp.bind(std::to_string(unix_seconds())).run();
      db.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    check_schema_version(db);
    ResultStore store(std::move(db));
    store.writer_ = std::make_unique<Writer>(store.db_);
    return store;
  } catch (const StoreError& e) {
    throw StoreError(e.path(),
                     std::string("cannot open the results database for writing: ") + e.what(),
                     e.code());
  }
}

std::optional<ResultStore> ResultStore::try_open_reader(const fs::path& path) {
  try {
    return open_reader(path);
  } catch (const StoreError&) {
    return std::nullopt;
  }
}

ResultStore ResultStore::open_reader(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw StoreError(path.string(), "no results database (has a collector run for this instance?)");
  try {
    Database db(path, SQLITE_OPEN_READONLY);
    check_schema_version(db);
    return ResultStore(std::move(db));
  } catch (const StoreError& e) {
    throw StoreError(e.path(), std::string("cannot read the results database: ") + e.what(),
                     e.code());
  }
}

std::size_t ResultStore::ingest(const std::vector<StoredEvent>& events) {
  if (!writer_) throw StoreError(path(), "opened for reading only");
  std::size_t added = 0;
  db_.exec("BEGIN IMMEDIATE");
  try {
    for (const auto& e : events) store_one(e, added);
    db_.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return added;
}

void ResultStore::store_one(const StoredEvent& se, std::size_t& added) {
  Writer& w = *writer_;
  const Event& e = se.event;
  const json& b = e.body;
  w.insert_event
      .bind(e.id, e.seq, std::string(event_type_name(e.type)),
            se.received.empty() ? b.dump(-1, ' ', false, json::error_handler_t::replace)
                                : se.received,
            e.pid, unix_seconds())
      .run();
  if (db_.changes() == 0) return;  // delivered before: changes nothing
  ++added;
  for (const auto& [hash, data] : se.blobs)
    w.insert_blob.bind(hash, data.size(), Statement::Bytes{data}).run();
  w.touch.bind(e.id, e.ts).run();
  TextLookup lookup = [&](const std::string& hash) {
    auto it = se.blobs.find(hash);
    return it != se.blobs.end() ? it->second : blob(hash).value_or(std::string());
  };
  switch (e.type) {
    case EventType::Queued: {
      QueuedFacts q = decode_queued(b, lookup);
      w.queued
          .bind(q.problem, q.problem_name, q.problem_dir, q.file, q.language, q.language_name,
                q.run_all, q.tests_total, q.limits.time, q.limits.memory, q.limits.output, e.id)
          .run();
      break;
    }
    case EventType::Compiling:
      w.compiling.bind(decode_compiling(b), e.seq, e.id).run();
      w.drop_earlier_tests.bind(e.id, e.seq).run();
      break;
    case EventType::Compiled: {
      CompileReport c = decode_compile(b, lookup);
      std::optional<std::string> output;
      if (!c.output.empty()) output = store_output(c.output);
      w.compiled.bind(c.ok, c.cached, c.seconds, c.reason, output, e.id, e.seq).run();
      break;
    }
    case EventType::Test: {
      TestReport t = decode_test(b, lookup);
      std::optional<std::string> signal, output;
      if (!t.signal.empty()) signal = t.signal;
      if (!t.output.empty()) output = store_output(t.output);
      w.test
          .bind(e.id, decode_test_index(b), e.seq, t.name, verdict_code(t.verdict), t.time,
                t.wall_time, t.memory, t.exit_code, signal, t.message, t.score, t.team_message,
                t.error_output, t.passes, t.rerun_first_time, output, e.seq, e.id)
          .run();
      w.judging.bind(e.id).run();
      break;
    }
    case EventType::Final: {
      FinalFacts f = decode_final(b, lookup);
      w.final_
          .bind(verdict_code(f.verdict), f.reason, f.score, f.time, f.memory, f.tests_total,
                f.tests_run, f.tests_passed, f.max_score,
                encode_groups(f.groups).dump(-1, ' ', false, json::error_handler_t::replace), e.ts,
                e.seq, f.attempts, f.insecure, e.id, e.seq)
          .run();
      break;
    }
  }
}

// Compiler output and a test's kept output are blobs; their rows refer to
// them by hash.
std::string ResultStore::store_output(const std::string& text) {
  std::string hash = sha256_hex(text);
  writer_->insert_blob.bind(hash, text.size(), Statement::Bytes{text}).run();
  return hash;
}

bool ResultStore::has_blob(const std::string& hash) {
  Statement s = db_.prepare("SELECT 1 FROM blobs WHERE hash = ?");
  return s.bind(hash).step();
}

std::optional<std::string> ResultStore::blob(const std::string& hash) {
  Statement s = db_.prepare("SELECT data FROM blobs WHERE hash = ?");
  if (!s.bind(hash).step()) return std::nullopt;
  return s.text(0);
}

std::vector<SubmissionRow> ResultStore::recent(std::size_t limit, const std::string& problem) {
  std::string sql = std::string("SELECT ") + kSubmissionColumns + " FROM submissions" +
                    (problem.empty() ? "" : " WHERE problem = ?") +
                    " ORDER BY submitted_at DESC, id LIMIT ?";
  Statement s = db_.prepare(sql.c_str());
  if (problem.empty()) {
    s.bind(limit);
  } else {
    s.bind(problem, limit);
  }
  std::vector<SubmissionRow> rows;
  while (s.step()) rows.push_back(read_submission(s));
  return rows;
}

namespace {

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json encode_row(const SubmissionRow& r) {
  return {{"id", r.id},
          {"problem", r.problem},
          {"problem_name", r.problem_name},
          {"file", r.file},
          {"language", r.language},
          {"language_name", r.language_name},
          {"status", r.status},
          {"verdict", or_null(r.verdict)},
          {"reason", r.reason},
          {"score", or_null(r.score)},
          {"time", or_null(r.time)},
          {"memory", or_null(r.memory)},
          {"tests_total", or_null(r.tests_total)},
          {"tests_run", or_null(r.tests_run)},
          {"tests_passed", or_null(r.tests_passed)},
          {"submitted_at", r.submitted_at},
          {"finished_at", or_null(r.finished_at)},
          {"attempts", r.attempts}};
}

std::optional<SubmissionDetail> ResultStore::find(const std::string& id) {
  std::string sql = std::string("SELECT ") + kSubmissionColumns +
                    ", compile_ok, compile_cached, compile_time, compile_reason, compile_output, "
                    "max_score, groups, time_limit, memory_limit, output_limit, insecure "
                    "FROM submissions WHERE id = ?";
  Statement s = db_.prepare(sql.c_str());
  if (!s.bind(id).step()) return std::nullopt;
  SubmissionDetail d;
  d.row = read_submission(s);
  const SubmissionRow& row = d.row;
  SubmissionReport& r = d.report;
  r.problem = row.problem;
  r.problem_name = row.problem_name;
  r.submission = row.file;
  r.language = row.language;
  r.language_name = row.language_name;
  r.limits = {s.opt_real(25).value_or(0), static_cast<std::uint64_t>(s.opt_int64(26).value_or(0)),
              static_cast<std::uint64_t>(s.opt_int64(27).value_or(0))};
  if (row.verdict) r.verdict = parse_verdict(*row.verdict);
  r.reason = row.reason;
  r.time = row.time.value_or(0);
  r.memory = static_cast<std::uint64_t>(row.memory.value_or(0));
  r.compile.ok = s.opt_int64(18).value_or(0) != 0;
  r.compile.cached = s.opt_int64(19).value_or(0) != 0;
  r.compile.seconds = s.opt_real(20).value_or(0);
  r.compile.reason = s.opt_text(21).value_or("");
  if (auto hash = s.opt_text(22)) r.compile.output = blob(*hash).value_or(std::string());
  r.tests = tests_of(id);
  r.tests_total = static_cast<std::size_t>(row.tests_total.value_or(0));
  r.max_score = s.opt_real(23);
  r.insecure = s.opt_int64(28).value_or(0) != 0;
  if (r.max_score) r.score = row.score;
  if (auto groups = s.opt_text(24)) {
    json parsed = json::parse(*groups, nullptr, /*allow_exceptions=*/false);
    try {
      r.groups = decode_groups(parsed);
    } catch (const SchemaError&) {
      // not what the collector wrote (the file was edited): shown without groups
    }
  }
  return d;
}

bool ResultStore::has_final(const std::string& id) {
  if (!final_query_)
    final_query_ = std::make_unique<Statement>(
        db_.prepare("SELECT verdict IS NOT NULL FROM submissions WHERE id = ?"));
  Statement& s = *final_query_;
  bool final = s.bind(id).step() && s.int64(0) != 0;
  s.reset();  // a statement left on a row would hold its read snapshot
  return final;
}

std::vector<TestReport> ResultStore::tests_of(const std::string& id) {
  Statement s = db_.prepare(
      "SELECT name, verdict, time, wall_time, memory, exit_code, signal, message, score, "
      "team_message, stderr, passes, rerun_first_time, output FROM tests "
      "WHERE submission_id = ? "
      "ORDER BY idx");
  s.bind(id);
  std::vector<TestReport> tests;
  while (s.step()) {
    TestReport& t = tests.emplace_back();
    t.name = s.text(0);
    t.verdict = parse_verdict(s.text(1)).value_or(Verdict::IE);
    t.time = s.real(2);
    t.wall_time = s.real(3);
    t.memory = static_cast<std::uint64_t>(s.int64(4));
    if (auto code = s.opt_int64(5)) t.exit_code = static_cast<int>(*code);
    t.signal = s.opt_text(6).value_or("");
    t.message = s.opt_text(7).value_or("");
    t.score = s.opt_real(8);
    t.team_message = s.opt_text(9).value_or("");
    t.error_output = s.opt_text(10).value_or("");
    if (auto passes = s.opt_int64(11)) t.passes = static_cast<int>(*passes);
    t.rerun_first_time = s.opt_real(12);
    if (auto hash = s.opt_text(13)) t.output = blob(*hash).value_or(std::string());
  }
  return tests;
}

std::vector<EventRow> ResultStore::events(const std::string& id, std::int64_t after_seq) {
  if (!events_query_)
    events_query_ = std::make_unique<Statement>(db_.prepare(
        "SELECT seq, type, body FROM events WHERE submission_id = ? AND seq > ? ORDER BY seq"));
  Statement& s = *events_query_;
  s.bind(id, after_seq);
  std::vector<EventRow> rows;
  while (s.step()) {
    json body = json::parse(s.text(2), nullptr, false);
    rows.push_back({s.int64(0), s.text(1), std::move(body)});
  }
  return rows;
}

}  // namespace pj::judge
