// Interactor for "Higher or Lower". It follows testlib's interactor protocol,
// written in plain C++ (no testlib.h):
//
//   interactor input_file output_file
//
// It talks to the submission on stdin (the submission's output) and stdout
// (the submission's input), and writes a one-line log to output_file.
// Exit 0 ok, 1 wrong answer, 2 wrong output format (presentation error),
// 3 FAIL (the judge's own files are broken), with one line on stderr in
// testlib's words: "ok ...", "wrong answer ...", "wrong output format ...",
// "FAIL ...". As in testlib, the submission's output ending too early is a
// presentation error ("unexpected end of file").
//
// The input file holds the secret x (1 <= x <= 1000). Each query is a line
// "? y"; the reply is a line "<" (x < y), ">" (x > y) or "=" (x = y).
// At most 10 queries.
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

constexpr long long kMax = 1000;
constexpr int kMaxQueries = 10;
constexpr std::size_t kMaxLine = 64;  // longer lines are malformed anyway

enum Result { kOk = 0, kWrongAnswer = 1, kPresentationError = 2, kFail = 3 };

std::FILE* log_file = nullptr;

[[noreturn]] void quit(Result r, const std::string& message) {
  static const char* const prefix[] = {"ok ", "wrong answer ", "wrong output format ", "FAIL "};
  std::fprintf(stderr, "%s%s\n", prefix[r], message.c_str());
  if (log_file) std::fprintf(log_file, "%s%s\n", prefix[r], message.c_str());
  std::exit(r);
}

std::string queries(int n) { return std::to_string(n) + (n == 1 ? " query" : " queries"); }

// Reads one line of the submission's output into `line` (without the '\n';
// at most kMaxLine + 1 characters kept). False at end of output.
bool read_line(std::string& line) {
  line.clear();
  int c = std::getchar();
  if (c == EOF) return false;
  for (; c != EOF && c != '\n'; c = std::getchar())
    if (line.size() <= kMaxLine) line.push_back(static_cast<char>(c));
  return true;
}

// A line as it may be quoted in a message: printable ASCII only, shortened.
std::string shown(const std::string& line) {
  std::string s;
  for (char ch : line.substr(0, kMaxLine)) s += std::isprint(static_cast<unsigned char>(ch)) ? ch : '?';
  return line.size() > kMaxLine ? s + "..." : s;
}

// The y of a line "? y" (tokens separated by blanks), if the line is that.
std::optional<long long> parse_query(const std::string& line) {
  std::istringstream in(line);
  std::string mark, number, extra;
  if (!(in >> mark >> number) || (in >> extra) || mark != "?") return std::nullopt;
  if (number.size() > 10 || number.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(number);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a vanished submission shows up as a failed write or EOF
  if (argc < 3) quit(kFail, "usage: interactor input_file output_file");

  long long secret = 0;
  std::ifstream input(argv[1]);
  if (!(input >> secret) || secret < 1 || secret > kMax)
    quit(kFail, std::string("cannot read the secret (1 <= x <= 1000) from the input file ") + argv[1]);
  log_file = std::fopen(argv[2], "w");
  if (!log_file) quit(kFail, std::string("cannot write the log file ") + argv[2]);

  std::string line;
  for (int q = 1;; ++q) {
    if (!read_line(line))
      quit(kPresentationError, "unexpected end of file: the submission stopped after " + queries(q - 1) +
                                   " without finding " + std::to_string(secret));
    if (q > kMaxQueries) quit(kWrongAnswer, "more than " + queries(kMaxQueries));
    auto y = parse_query(line);
    if (!y) quit(kPresentationError, "query " + std::to_string(q) + ": expected \"? y\", got \"" + shown(line) + "\"");
    if (*y < 1 || *y > kMax)
      quit(kWrongAnswer, "query " + std::to_string(q) + ": " + std::to_string(*y) + " is not in 1..1000");
    const char* reply = secret < *y ? "<" : secret > *y ? ">" : "=";
    if (std::printf("%s\n", reply) < 0 || std::fflush(stdout) != 0)
      quit(kPresentationError, "the submission closed its input after query " + std::to_string(q));
    if (*reply == '=') quit(kOk, "found " + std::to_string(secret) + " in " + queries(q));
  }
}
