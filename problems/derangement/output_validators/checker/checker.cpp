// Checker for "Derangement". It follows testlib's checker protocol, written
// in plain C++ (no testlib.h):
//
//   checker input_file contestant_output_file answer_file
//
// Exit 0 ok, 1 wrong answer, 2 wrong output format (presentation error),
// 3 FAIL (the judge's own files are broken), with one line on stderr in
// testlib's words: "ok ...", "wrong answer ...", "wrong output format ...",
// "FAIL ...". The answer file is not read: any derangement is right.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

enum Result { kOk = 0, kWrongAnswer = 1, kPresentationError = 2, kFail = 3 };

[[noreturn]] void quit(Result r, const std::string& message) {
  static const char* const prefix[] = {"ok ", "wrong answer ", "wrong output format ", "FAIL "};
  std::fprintf(stderr, "%s%s\n", prefix[r], message.c_str());
  std::exit(r);
}

constexpr std::size_t kKeep = 32;  // characters of a token kept for parsing and messages

// The next whitespace-separated token of f, or nothing at end of file. Only
// the first kKeep + 1 characters are kept, so garbage costs no memory.
std::optional<std::string> next_token(std::FILE* f) {
  int c;
  while ((c = std::getc(f)) != EOF && std::isspace(c)) {
  }
  if (c == EOF) return std::nullopt;
  std::string token;
  for (; c != EOF && !std::isspace(c); c = std::getc(f))
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
  if (argc < 4) quit(kFail, "usage: checker input_file contestant_output_file answer_file");

  long long n = 0;
  std::ifstream input(argv[1]);
  if (!(input >> n) || n < 2 || n > 100000)
    quit(kFail, std::string("cannot read n (2 <= n <= 100000) from the input file ") + argv[1]);

  std::FILE* out = std::fopen(argv[2], "rb");
  if (!out) quit(kFail, std::string("cannot open the contestant output file ") + argv[2]);

  std::vector<bool> seen(n + 1, false);
  for (long long i = 1; i <= n; ++i) {
    std::string p_i = "p_" + std::to_string(i);
    auto token = next_token(out);
    if (!token)
      quit(kPresentationError, "unexpected end of file: " + std::to_string(i - 1) + " of " +
                                   std::to_string(n) + " numbers read");
    auto v = parse_int(*token);
    if (!v) quit(kPresentationError, p_i + ": expected an integer, found '" + shown(*token) + "'");
    if (*v < 1 || *v > n)
      quit(kWrongAnswer, p_i + " = " + std::to_string(*v) + " is not between 1 and n = " + std::to_string(n));
    if (seen[*v]) quit(kWrongAnswer, p_i + " = " + std::to_string(*v) + " appears twice: not a permutation");
    if (*v == i) quit(kWrongAnswer, p_i + " = " + std::to_string(i) + " is a fixed point");
    seen[*v] = true;
  }
  if (auto extra = next_token(out)) quit(kPresentationError, "extra output after n numbers: '" + shown(*extra) + "'");
  quit(kOk, "a derangement of 1.." + std::to_string(n));
}
