// A small RAII wrapper over the SQLite C API: a connection and its
// prepared statements. Errors throw StoreError naming the database.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pj::judge {

class StoreError : public std::runtime_error {
 public:
  StoreError(std::string path, const std::string& what, int code = 0)
      : std::runtime_error(what), path_(std::move(path)), code_(code) {}
  const std::string& path() const { return path_; }
  int code() const { return code_; }  // SQLite's primary result code, 0 if none

 private:
  std::string path_;
  int code_;
};

class Statement {
 public:
  // A value bound as a BLOB (raw bytes) rather than TEXT.
  struct Bytes {
    std::string_view data;
  };

  Statement(sqlite3* db, const std::string& path, const char* sql);
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds left to right from parameter 1 (after a reset).
  template <typename... Args>
  Statement& bind(const Args&... args) {
    reset();
    int i = 0;
    (bind_one(++i, args), ...);
    return *this;
  }
  // true: a row is ready; false: done.
  bool step();
  void reset();
  // Runs to the end, ignoring rows.
  void run() {
    while (step()) {
    }
  }

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<double> opt_real(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  void bind_one(int i, std::nullptr_t);
  void bind_one(int i, std::int64_t v);
  void bind_one(int i, int v) { bind_one(i, static_cast<std::int64_t>(v)); }
  void bind_one(int i, std::size_t v) { bind_one(i, static_cast<std::int64_t>(v)); }
  void bind_one(int i, bool v) { bind_one(i, static_cast<std::int64_t>(v)); }
  void bind_one(int i, double v);
  void bind_one(int i, const std::string& v);
  void bind_one(int i, const char* v) { bind_one(i, std::string(v)); }
  template <typename T>
  void bind_one(int i, const std::optional<T>& v) {
    if (v) {
      bind_one(i, *v);
    } else {
      bind_one(i, nullptr);
    }
  }
  void bind_one(int i, const Bytes& v);
  [[noreturn]] void fail(int rc) const;

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // `flags`: SQLITE_OPEN_READONLY, or READWRITE | CREATE.
  Database(const std::filesystem::path& path, int flags);
  Database(Database&& o) noexcept;
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;
  ~Database();

  void exec(const std::string& sql);
  Statement prepare(const char* sql) { return Statement(db_, path_, sql); }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace pj::judge
