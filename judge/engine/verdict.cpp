#include "judge/engine/verdict.hpp"

#include <array>
#include <utility>

namespace pj::judge {
namespace {

constexpr std::array<std::pair<const char*, const char*>, 10> kNames = {{
    {"AC", "Accepted"},
    {"WA", "Wrong Answer"},
    {"PE", "Presentation Error"},
    {"TLE", "Time Limit Exceeded"},
    {"MLE", "Memory Limit Exceeded"},
    {"OLE", "Output Limit Exceeded"},
    {"RE", "Run-Time Error"},
    {"CE", "Compile Error"},
    {"IE", "Internal Error (the judge's fault)"},
    {"CANCELLED", "Cancelled (not judged)"},
}};

}  // namespace

const char* verdict_code(Verdict v) {
  return kNames[static_cast<int>(v)].first;
}
const char* verdict_code(std::optional<Verdict> v) {
  return v ? verdict_code(*v) : "";
}

const char* verdict_description(Verdict v) {
  return kNames[static_cast<int>(v)].second;
}

std::optional<Verdict> parse_verdict(const std::string& code) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (code == kNames[i].first) return static_cast<Verdict>(i);
  return std::nullopt;
}

}  // namespace pj::judge
