// Errors that are the user's to fix: a bad problem package, a bad submission
// file, a bad option. The CLI prints them as "pipejudge: FILE: WHAT", exit 2.
#pragma once

#include <stdexcept>
#include <string>

namespace pj::judge {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, const std::string& what)
      : std::runtime_error(what), file_(std::move(file)) {}
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace pj::judge
