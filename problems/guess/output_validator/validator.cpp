// Interactive output validator for "Guess the Number" (Kattis interface):
//
//   validator input_file answer_file feedback_dir < submission_stdout > submission_stdin
//
// The input file holds the secret x (1 <= x <= 10^9). Each query is a line
// "? y"; the reply is a line "<" (x < y), ">" (x > y) or "=" (x = y). After
// "=" the submission must exit without printing more. Exit 42 accepts,
// 43 rejects (too many queries, a malformed line, the submission gone before
// "="), with the reason in feedback_dir/judgemessage.txt. The answer file is
// not used. A broken input file is a judge error (exit 1).
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

namespace {

constexpr long long kMax = 1000000000;
constexpr int kMaxQueries = 32;
constexpr std::size_t kMaxLine = 64;  // longer lines are malformed anyway

std::string feedback_dir;

[[noreturn]] void finish(int code, const std::string& message) {
  std::ofstream(feedback_dir + "judgemessage.txt") << message << '\n';
  if (code != 42 && code != 43) std::cerr << message << '\n';
  std::exit(code);
}

[[noreturn]] void reject(const std::string& message) { finish(43, message); }

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
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " input_file answer_file feedback_dir\n";
    return 1;
  }
  feedback_dir = argv[3];
  if (!feedback_dir.empty() && feedback_dir.back() != '/') feedback_dir += '/';

  long long secret = 0;
  std::ifstream input(argv[1]);
  if (!(input >> secret) || secret < 1 || secret > kMax)
    finish(1, "judge error: the input file does not hold a secret between 1 and 10^9");

  std::string line;
  for (int q = 1;; ++q) {
    if (!read_line(line))
      reject("the submission stopped after " + queries(q - 1) + " without finding " +
             std::to_string(secret));
    if (q > kMaxQueries) reject("more than " + std::to_string(kMaxQueries) + " queries");
    auto y = parse_query(line);
    if (!y) reject("query " + std::to_string(q) + ": expected \"? y\", got \"" + shown(line) + "\"");
    if (*y < 1 || *y > kMax) reject("query " + std::to_string(q) + ": " + std::to_string(*y) + " is not in 1..10^9");
    const char* reply = secret < *y ? "<" : secret > *y ? ">" : "=";
    if (std::printf("%s\n", reply) < 0 || std::fflush(stdout) != 0)
      reject("the submission closed its input after query " + std::to_string(q));
    if (*reply == '=') {
      for (int c; (c = std::getchar()) != EOF;)
        if (!std::isspace(c)) reject("output after the number was found");
      finish(42, "found " + std::to_string(secret) + " in " + queries(q));
    }
  }
}
