#include "judge/engine/jvm_classes.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr std::uint16_t kPublic = 0x0001, kStatic = 0x0008;

// A bounds-checked reader of a class file's big-endian fields
// (The Java Virtual Machine Specification, chapter 4).
class ClassReader {
 public:
  explicit ClassReader(std::string bytes) : b_(std::move(bytes)) {}

  std::uint32_t u(int n) {
    if (pos_ + n > b_.size()) throw std::out_of_range("truncated class file");
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    return v;
  }
  std::string bytes(std::size_t n) {
    if (pos_ + n > b_.size()) throw std::out_of_range("truncated class file");
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void skip(std::size_t n) { bytes(n); }

 private:
  std::string b_;
  std::size_t pos_ = 0;
};

// The constant pool's text entries, and for each Class entry its name's index.
struct ConstantPool {
  std::vector<std::string> utf8;
  std::vector<std::uint32_t> class_name;

  const std::string& text(std::uint32_t i) const {
    static const std::string none;
    return i < utf8.size() ? utf8[i] : none;
  }
};

// Returns false for a tag this reader does not know (a newer class format).
bool read_constant_pool(ClassReader& r, ConstantPool& pool) {
  std::uint32_t count = r.u(2);
  pool.utf8.assign(count, {});
  pool.class_name.assign(count, 0);
  for (std::uint32_t i = 1; i < count; ++i) {
    switch (r.u(1)) {
      case 1:  // Utf8
        pool.utf8[i] = r.bytes(r.u(2));
        break;
      case 7:  // Class: its name's index
        pool.class_name[i] = r.u(2);
        break;
      case 8:
      case 16:
      case 19:
      case 20:  // String, MethodType, Module, Package
        r.skip(2);
        break;
      case 15:  // MethodHandle
        r.skip(3);
        break;
      case 3:
      case 4:
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        r.skip(4);
        break;
      case 5:
      case 6:  // Long and Double take two entries
        r.skip(8);
        ++i;
        break;
      default:
        return false;
    }
  }
  return true;
}

void skip_attributes(ClassReader& r) {
  for (std::uint32_t n = r.u(2); n > 0; --n) {
    r.skip(2);
    r.skip(r.u(4));
  }
}

// The class's binary name if it declares public static void main(String[]).
std::optional<std::string> main_class_of(std::string bytes) {
  ClassReader r(std::move(bytes));
  if (r.u(4) != 0xCAFEBABE) return std::nullopt;
  r.skip(4);  // minor and major version
  ConstantPool pool;
  if (!read_constant_pool(r, pool)) return std::nullopt;
  r.skip(2);  // access flags
  std::uint32_t this_class = r.u(2);
  r.skip(2);                                    // super class
  r.skip(2 * r.u(2));                           // interfaces
  for (std::uint32_t n = r.u(2); n > 0; --n) {  // fields
    r.skip(6);
    skip_attributes(r);
  }
  bool has_main = false;
  for (std::uint32_t n = r.u(2); n > 0; --n) {  // methods
    std::uint32_t flags = r.u(2), name = r.u(2), descriptor = r.u(2);
    skip_attributes(r);
    has_main |= pool.text(name) == "main" && pool.text(descriptor) == "([Ljava/lang/String;)V" &&
                (flags & (kPublic | kStatic)) == (kPublic | kStatic);
  }
  if (!has_main || this_class >= pool.class_name.size()) return std::nullopt;
  std::string binary_name = pool.text(pool.class_name[this_class]);
  if (binary_name.empty()) return std::nullopt;
  std::replace(binary_name.begin(), binary_name.end(), '/', '.');
  return binary_name;
}

std::string simple_name(const std::string& binary_name) {
  return binary_name.substr(binary_name.rfind('.') + 1);
}

}  // namespace

std::vector<std::string> classes_with_main(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".class") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    try {
      if (auto name = main_class_of(std::move(bytes))) found.push_back(*name);
    } catch (const std::out_of_range&) {
      // not a class file we can read: it declares nothing we can run
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string pick_main_class(const std::vector<std::string>& candidates,
                            const std::string& preferred) {
  for (const auto& c : candidates)
    if (simple_name(c) == preferred) return c;
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty())
    throw std::runtime_error("no class declares public static void main(String[])");
  std::string list;
  for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
  throw std::runtime_error("several classes declare main (" + list + ") and none is named " +
                           preferred);
}

}  // namespace pj::judge
