// Output validator for "Any Sum" (Kattis output validator interface):
//
//   validator input_file answer_file feedback_dir < contestant_output
//
// Accepts (exit 42) exactly two positive integers a b with a + b = n, n read
// from the input file. Anything else is rejected (exit 43). Either way the
// reason goes to feedback_dir/judgemessage.txt. A broken input file is the
// judge's fault, not the submission's: exit 1 (a judge error).
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace {

std::string feedback_dir;

[[noreturn]] void finish(int code, const std::string& message) {
  std::ofstream(feedback_dir + "judgemessage.txt") << message << '\n';
  if (code != 42 && code != 43) std::cerr << message << '\n';
  std::exit(code);
}

[[noreturn]] void reject(const std::string& message) { finish(43, message); }

constexpr std::size_t kKeep = 32;  // characters of a token kept for parsing and messages

// The next whitespace-separated token of stdin, or nothing at end of input.
// Only the first kKeep + 1 characters are kept: a huge garbage token costs
// no memory and, being longer than any number, is still rejected.
std::optional<std::string> next_token() {
  int c;
  while ((c = std::getchar()) != EOF && std::isspace(c)) {
  }
  if (c == EOF) return std::nullopt;
  std::string token;
  for (; c != EOF && !std::isspace(c); c = std::getchar())
    if (token.size() <= kKeep) token.push_back(static_cast<char>(c));
  return token;
}

// A token as it may be quoted in a message: printable ASCII only, shortened.
std::string shown(const std::string& token) {
  std::string s;
  for (char ch : token.substr(0, kKeep)) s += std::isprint(static_cast<unsigned char>(ch)) ? ch : '?';
  return token.size() > kKeep ? s + "..." : s;
}

// An optionally negative decimal integer of at most 18 digits, else nothing.
std::optional<long long> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (s.size() == i || s.size() - i > 18) return std::nullopt;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " input_file answer_file feedback_dir < output\n";
    return 1;
  }
  feedback_dir = argv[3];
  if (!feedback_dir.empty() && feedback_dir.back() != '/') feedback_dir += '/';

  long long n = 0;
  std::ifstream input(argv[1]);
  if (!(input >> n) || n < 2 || n > 1000000000)
    finish(1, "judge error: the input file does not hold n with 2 <= n <= 10^9");

  const char* names[2] = {"a", "b"};
  long long v[2];
  for (int i = 0; i < 2; ++i) {
    auto token = next_token();
    if (!token) reject(std::string("output ended before ") + names[i] + ": expected two integers a b");
    auto x = parse_int(*token);
    if (!x) reject(std::string(names[i]) + ": expected an integer, found '" + shown(*token) + "'");
    if (*x < 1) reject(std::string(names[i]) + " = " + std::to_string(*x) + " is not positive");
    v[i] = *x;
  }
  if (auto extra = next_token()) reject("extra output after a and b: '" + shown(*extra) + "'");
  if (v[0] + v[1] != n)  // each is below 10^18, so the sum cannot overflow
    reject(std::to_string(v[0]) + " + " + std::to_string(v[1]) + " = " + std::to_string(v[0] + v[1]) +
           ", not n = " + std::to_string(n));
  finish(42, "ok: " + std::to_string(v[0]) + " + " + std::to_string(v[1]) + " = " + std::to_string(n));
}
