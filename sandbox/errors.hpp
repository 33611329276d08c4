// Error text for the sandbox's messages.
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

namespace pj::sandbox {

// "<what>: <the errno's message>". Thread-safe, unlike strerror.
inline std::string errno_text(const std::string& what, int err = errno) {
  return what + ": " + std::generic_category().message(err);
}

}  // namespace pj::sandbox
