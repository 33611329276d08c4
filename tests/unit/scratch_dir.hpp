// A scratch directory of a unit test's own under the temporary directory,
// removed with everything in it.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace pj::test {

struct ScratchDir {
  explicit ScratchDir(const std::string& prefix) : path(make(prefix)) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path path;

 private:
  static std::filesystem::path make(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), tmpl);
    return tmpl;
  }
};

}  // namespace pj::test
