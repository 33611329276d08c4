#include "judge/pipeline/packages.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "judge/engine/error.hpp"
#include "judge/engine/sha256.hpp"
#include "judge/pipeline/redis_transport.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

constexpr std::uintmax_t kMaxTreeBytes = 256u << 20;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw ConfigError(p.string(), "cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json file_entry(const fs::path& file, const std::string& rel) {
  std::string data = read_all(file);
  fs::perms perms = fs::status(file).permissions();
  bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
  return {{"path", rel},
          {"exec", exec},
          {"data", json::binary_t(std::vector<std::uint8_t>(data.begin(), data.end()))}};
}

// A relative path that stays inside the tree.
bool safe_path(const std::string& rel) {
  fs::path p(rel);
  if (rel.empty() || p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

}  // namespace

PackedTree pack_tree(const fs::path& path) {
  fs::path root = fs::absolute(path).lexically_normal();
  if (root.filename().empty()) root = root.parent_path();
  bool dir = fs::is_directory(root);
  std::vector<std::string> rels;
  std::uintmax_t total = 0;
  if (dir) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      rels.push_back(fs::relative(e.path(), root).string());
      total += e.file_size();
    }
  } else {
    rels.push_back(root.filename().string());
    total = fs::file_size(root);
  }
  if (total > kMaxTreeBytes)
    throw ConfigError(root.string(), "too large to send to other machines (256 MiB at most)");
  std::sort(rels.begin(), rels.end());
  json files = json::array();
  for (const auto& rel : rels) files.push_back(file_entry(dir ? root / rel : root, rel));
  json tree = {{"name", root.filename().string()}, {"dir", dir}, {"files", std::move(files)}};
  std::vector<std::uint8_t> bytes = json::to_cbor(tree);
  PackedTree packed;
  packed.archive.assign(bytes.begin(), bytes.end());
  packed.hash = sha256_hex(packed.archive);
  return packed;
}

fs::path unpack_tree(const std::string& archive, const std::string& hash, const fs::path& into) {
  if (sha256_hex(archive) != hash) throw std::runtime_error("does not match its hash " + hash);
  json tree = json::from_cbor(archive, true, false);
  if (tree.is_discarded() || !tree.is_object() || !tree.value("name", json()).is_string() ||
      !tree.value("dir", json()).is_boolean() || !tree.value("files", json()).is_array())
    throw std::runtime_error("not a package archive");
  std::string name = tree["name"].get<std::string>();
  if (!safe_path(name) || name.find('/') != std::string::npos)
    throw std::runtime_error("bad name in the package archive");
  fs::create_directories(into);
  fs::path top = into / name;
  if (tree["dir"].get<bool>()) fs::create_directory(top);
  for (const auto& f : tree["files"]) {
    if (!f.is_object() || !f.value("path", json()).is_string() || !f.contains("data") ||
        !f["data"].is_binary())
      throw std::runtime_error("bad file in the package archive");
    std::string rel = f["path"].get<std::string>();
    if (!safe_path(rel)) throw std::runtime_error("a path leaves the package: " + rel);
    fs::path out = tree["dir"].get<bool>() ? top / rel : top;
    fs::create_directories(out.parent_path());
    const auto& data = f["data"].get_binary();
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!o) throw std::runtime_error("cannot write " + out.string());
    o.close();
    // Readable by the run identities that compile and run it (copied into
    // their boxes with these bits); the state directory keeps others out.
    ::chmod(out.c_str(), f.value("exec", false) ? 0755 : 0644);
  }
  return top;
}

void upload_tree(Broker& broker, const Instance& inst, const PackedTree& tree) {
  std::string key = RedisKeys(inst).package(tree.hash);
  if (broker.call({"EXISTS", key}).integer() > 0) return;
  broker.call({"SET", key, tree.archive});
}

fs::path fetch_tree(const Instance& inst, const std::string& hash,
                    const std::function<void(const std::string&)>& log) {
  fs::path base = inst.state_dir / "packages";
  fs::path dir = base / hash;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir)) return e.path();  // verified when fetched
  }
  Broker broker(*inst.broker, log, false);  // a broker away is waited for
  RedisReply r = broker.call({"GET", RedisKeys(inst).package(hash)});
  if (r.nil()) throw ConfigError(hash, "the broker has no package with this hash");
  fs::create_directories(base);
  std::string tmpl = (base / ".fetch-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw ConfigError(base.string(), "cannot create a directory");
  fs::path tmp = tmpl;
  try {
    fs::path top = unpack_tree(r.str(), hash, tmp / "tree");
    fs::path name = top.filename();
    fs::rename(tmp / "tree", dir, ec);  // another judge of this machine may have been first
    fs::remove_all(tmp);
    if (log && !ec)
      log("fetched package " + hash + " (" + name.string() + ", " + std::to_string(r.str().size()) +
          " bytes)");
    return dir / name;
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    throw ConfigError(hash, std::string("package from the broker: ") + e.what());
  }
}

}  // namespace pj::judge
