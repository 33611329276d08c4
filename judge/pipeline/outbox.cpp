#include "judge/pipeline/outbox.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "judge/engine/sha256.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/report/events.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr std::string_view kSuffix = ".json";

}  // namespace

std::vector<EventGroup> make_event_groups(const std::vector<OutgoingEvent>& events,
                                          std::size_t max_bytes, std::size_t header_bytes) {
  std::vector<EventGroup> groups;
  for (const auto& e : events) {
    EventGroup* g = groups.empty() ? nullptr : &groups.back();
    if (g && g->id == e.id && e.seq == g->last + 1 &&
        header_bytes + e.id.size() + g->lines.size() + 1 + e.message.size() <= max_bytes) {
      g->lines += '\n';
      g->lines += e.message;
      g->last = e.seq;
    } else {
      groups.push_back({e.id, e.seq, e.seq, e.message, {}});
    }
  }
  return groups;
}

Outbox::Outbox(fs::path dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}

std::string Outbox::file_name(const std::string& id, std::int64_t seq) {
  return file_name(id, seq, seq);
}

std::string Outbox::file_name(const std::string& id, std::int64_t first, std::int64_t last) {
  char digits[48];
  if (first == last)
    std::snprintf(digits, sizeof digits, "%010lld", static_cast<long long>(first));
  else
    std::snprintf(digits, sizeof digits, "%010lld-%010lld", static_cast<long long>(first),
                  static_cast<long long>(last));
  return id + "." + digits + std::string(kSuffix);
}

std::optional<OutboxName> Outbox::parse_name(const std::string& name) {
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::string stem = name.substr(0, name.size() - kSuffix.size());
  auto dot = stem.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string id = stem.substr(0, dot), seqs = stem.substr(dot + 1);
  auto number = [](const std::string& s) -> std::optional<std::int64_t> {
    if (s.empty() || s.size() > 10 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoll(s);
  };
  auto dash = seqs.find('-');
  auto first = number(seqs.substr(0, dash));
  auto last = dash == std::string::npos ? first : number(seqs.substr(dash + 1));
  if (!valid_submission_id(id) || !first || !last || *last < *first) return std::nullopt;
  if (dash != std::string::npos && *last == *first) return std::nullopt;  // one name per file
  return OutboxName{id, *first, *last};
}

std::vector<std::string_view> Outbox::split_lines(std::string_view data) {
  std::vector<std::string_view> lines;
  for (;;) {
    auto end = data.find('\n');
    lines.push_back(data.substr(0, end));
    if (end == std::string_view::npos) return lines;
    data.remove_prefix(end + 1);
  }
}

std::string Outbox::write(const std::string& id, std::int64_t first, std::int64_t last,
                          std::string_view lines, bool sync_dir) const {
  std::string name = file_name(id, first, last);
  write_file_atomically(dir_, name, lines, sync_, sync_dir, true);
  return name;
}

void Outbox::sync_dir() const {
  if (sync_) fsync_directory(dir_);
}

std::vector<std::string> Outbox::list() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_temporary_name(name) || is_spare_name(name) || name == "rejected") continue;
    names.push_back(std::move(name));
  }
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw std::system_error(ec, "cannot list " + dir_.string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Outbox::list_for(const std::string& id) const {
  std::vector<std::string> mine;
  for (auto& name : list()) {
    auto parsed = parse_name(name);
    if (parsed && parsed->id == id) mine.push_back(std::move(name));
  }
  return mine;
}

void Outbox::remove(const std::string& name) const {
  if (parse_name(name)) retire_file(dir_, name, retired_++);
}

void Outbox::reject(const std::string& name) const {
  fs::path rejected = dir_ / "rejected";
  std::error_code ec;
  fs::create_directory(rejected, ec);
  fs::rename(dir_ / name, rejected / name, ec);
  if (ec) fs::remove(dir_ / name, ec);  // cannot keep it: at least never retry it
}

void Outbox::remove_stale_temporaries(std::chrono::seconds age) const {
  std::error_code ec;
  auto cutoff = fs::file_time_type::clock::now() - age;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    if (is_temporary_name(it->path().filename().string()) &&
        fs::last_write_time(it->path(), ignored) < cutoff)
      fs::remove(it->path(), ignored);
  }
}

BlobFiles::BlobFiles(fs::path dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}

std::string BlobFiles::put(std::string_view data) const {
  if (data.size() > kMaxBlobBytes)
    throw std::runtime_error("blob of " + std::to_string(data.size()) + " bytes is over the limit");
  std::string hash = sha256_hex(data);
  std::error_code ec;
  // Same name, same bytes: an existing file is already the blob.
  if (!fs::exists(dir_ / hash, ec)) write_file_atomically(dir_, hash, data, sync_);
  return hash;
}

std::optional<std::string> BlobFiles::get(const std::string& hash, uid_t owner) const {
  auto data = read_owned_file(dir_ / hash, owner, kMaxBlobBytes);
  if (data && sha256_hex(*data) != hash)
    throw std::runtime_error("blob " + hash + " does not match its hash");
  return data;
}

void BlobFiles::remove(const std::string& hash) const {
  ::unlink((dir_ / hash).c_str());
}

}  // namespace pj::judge
