// Verdicts: what the judge says of a submission, per test and overall.
#pragma once

#include <optional>
#include <string>

namespace pj::judge {

// Cancelled: taken off the queue or stopped by `pipejudge cancel`, not judged.
enum class Verdict { AC, WA, PE, TLE, MLE, OLE, RE, CE, IE, Cancelled };

const char* verdict_code(Verdict v);                 // "AC"
const char* verdict_code(std::optional<Verdict> v);  // "" when there is none yet
const char* verdict_description(Verdict v);          // "Accepted"
std::optional<Verdict> parse_verdict(const std::string& code);

}  // namespace pj::judge
