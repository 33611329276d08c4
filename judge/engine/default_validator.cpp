// The default output validator, following problemtools' default_validator.cc
// (Kattis/ICPC) but streaming both files through fixed-size buffers.
#include "judge/engine/default_validator.hpp"

#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sandbox/fd.hpp"

namespace pj::judge {
namespace {

constexpr size_t kBufferSize = 64 * 1024;
// Bytes of each token kept in memory. Longer tokens are compared chunk-wise as
// strings and are never numbers: this bounds memory however long a token is.
constexpr size_t kTokenPrefixCap = 64 * 1024;
// Bytes of a token quoted in a message.
constexpr size_t kQuoteCap = 50;
constexpr int kEof = -1;

// The C locale's isspace() set, which problemtools uses; NUL is not whitespace.
constexpr bool is_space(int c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// is_space() of every byte, for the fast path's loop.
constexpr auto kSpaceTable = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = is_space(c) ? 1 : 0;
  return t;
}();

// strcasecmp() in the C locale: only ASCII letters fold.
int fold_case(int c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool same_byte(int a, int b, bool case_sensitive) {
  return case_sensitive ? a == b : fold_case(a) == fold_case(b);
}

// Escapes a byte so messages stay printable whatever the files contain.
std::string escape_byte(unsigned char c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case '\\':
      return "\\\\";
    default:
      break;
  }
  if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
  char hex[8];
  std::snprintf(hex, sizeof hex, "\\x%02x", c);
  return hex;
}

// 'token' with at most kQuoteCap bytes shown; `more` says bytes follow unseen.
std::string quote(std::string_view token, bool more = false) {
  std::string out = "'";
  for (char c : token.substr(0, kQuoteCap)) out += escape_byte(static_cast<unsigned char>(c));
  if (more || token.size() > kQuoteCap) out += "...";
  return out + "'";
}

std::string describe_byte(int c) {
  return c == kEof ? "end of output" : quote(std::string(1, static_cast<char>(c)));
}

locale_t c_locale() {
  static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  if (locale == static_cast<locale_t>(nullptr)) throw std::runtime_error("cannot create C locale");
  return locale;
}

// problemtools' isfloat(): the whole token is a strtod() number (decimal or
// hex) and is finite. So "nan", "inf" and overflowing values like "1e999" are
// not numbers and compare as strings, while an underflow like "1e-400" is.
// An embedded NUL stops strtod early, so such a token fails the whole-token test.
std::optional<double> parse_number(const std::string& token) {
  if (token.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = strtod_l(token.c_str(), &end, c_locale());
  if (end != token.c_str() + token.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Buffered sequential reader over a file descriptor.
class FileReader {
 public:
  explicit FileReader(const std::string& path)
      : path_(path), buffer_(std::make_unique<char[]>(kBufferSize)) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) throw_read_error();
  }

  int peek() {
    if (pos_ == end_ && !refill()) return kEof;
    return static_cast<unsigned char>(buffer_[pos_]);
  }

  int get() {
    const int c = peek();
    if (c == kEof) return c;
    ++pos_;
    if (c == '\n') ++line_;
    return c;
  }

  bool at_token() {
    const int c = peek();
    return c != kEof && !is_space(c);
  }

  // Consumes whitespace up to the next token or the end, counting lines.
  void skip_spaces() {
    for (;;) {
      const char* buf = buffer_.get();
      while (pos_ < end_ && is_space(static_cast<unsigned char>(buf[pos_]))) {
        if (buf[pos_] == '\n') ++line_;
        ++pos_;
      }
      if (pos_ < end_ || !refill()) return;
    }
  }

  // The token at the read position when whitespace follows it inside the
  // buffer (the fast path's case), without consuming it; else empty.
  std::string_view buffered_token() const {
    const char* buf = buffer_.get();
    for (size_t stop = pos_; stop < end_; ++stop) {
      if (is_space(static_cast<unsigned char>(buf[stop]))) return {buf + pos_, stop - pos_};
    }
    return {};
  }

  // Consumes `n` bytes of a token (no newline among them).
  void skip_token_bytes(size_t n) { pos_ += n; }

  // What the buffer holds from the read position on (no refill).
  std::string_view buffered() const { return {buffer_.get() + pos_, end_ - pos_}; }
  // Consumes `n` buffered bytes holding `newlines` newlines.
  void skip_bytes(size_t n, uint64_t newlines) {
    pos_ += n;
    line_ += newlines;
  }

  // Appends the current token's bytes to `out` until whitespace, end of file
  // or `out` holds `cap` bytes.
  void read_token(std::string& out, size_t cap) {
    while (out.size() < cap && peek() != kEof) {
      const size_t limit = std::min(end_, pos_ + (cap - out.size()));
      size_t stop = pos_;
      while (stop < limit && !is_space(static_cast<unsigned char>(buffer_[stop]))) ++stop;
      out.append(buffer_.get() + pos_, stop - pos_);
      pos_ = stop;
      if (stop < limit) return;
    }
  }

  uint64_t line() const { return line_; }
  uint64_t bytes_consumed() const { return consumed_before_buffer_ + pos_; }

 private:
  bool refill() {
    if (eof_) return false;
    consumed_before_buffer_ += end_;
    pos_ = end_ = 0;
    for (;;) {
      const ssize_t n = ::read(fd_.get(), buffer_.get(), kBufferSize);
      if (n > 0) {
        end_ = static_cast<size_t>(n);
        return true;
      }
      if (n == 0) {
        eof_ = true;
        return false;
      }
      if (errno != EINTR) throw_read_error();
    }
  }

  [[noreturn]] void throw_read_error() const {
    throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
  }

  std::string path_;
  pj::sandbox::UniqueFd fd_;
  std::unique_ptr<char[]> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t consumed_before_buffer_ = 0;
  uint64_t line_ = 1;
};

// Index of the first differing byte, counting a length difference as a
// difference at the shorter length; nullopt if equal.
std::optional<size_t> first_difference(std::string_view a, std::string_view b,
                                       bool case_sensitive) {
  if (a == b) return std::nullopt;  // the common case, at memcmp speed
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (!same_byte(static_cast<unsigned char>(a[i]), static_cast<unsigned char>(b[i]),
                   case_sensitive)) {
      return i;
    }
  }
  if (a.size() != b.size()) return common;
  return std::nullopt;
}

// Compares the rest of two tokens whose first `index` bytes matched, one byte
// at a time straight from the buffers; returns the first differing index.
std::optional<uint64_t> compare_token_tails(FileReader& answer, FileReader& output,
                                            bool case_sensitive, uint64_t index) {
  for (;; ++index) {
    const bool answer_more = answer.at_token();
    const bool output_more = output.at_token();
    if (!answer_more || !output_more) {
      if (answer_more == output_more) return std::nullopt;
      return index;
    }
    if (!same_byte(answer.get(), output.get(), case_sensitive)) return index;
  }
}

class Checker {
 public:
  Checker(const std::string& answer_path, const std::string& output_path,
          const DefaultValidatorFlags& flags)
      : answer_(answer_path),
        output_(output_path),
        flags_(flags),
        use_floats_(flags.float_absolute_tolerance || flags.float_relative_tolerance) {}

  DefaultValidatorResult run() {
    for (uint64_t token = 1;; ++token) {
      if (flags_.space_change_sensitive) {
        if (auto wrong = skip_whitespace(token - 1)) return reject(*wrong);
      } else {
        answer_.skip_spaces();
        output_.skip_spaces();
      }
      if (!answer_.at_token()) break;
      if (!output_.at_token()) return reject(missing_token(token));
      if (uint64_t same = skip_identical_tokens()) {
        token += same - 1;
      } else if (!same_buffered_tokens()) {
        if (auto wrong = compare_tokens(token)) return reject(*wrong);
      }
      tokens_matched_ = token;
    }
    if (output_.at_token()) return reject(trailing_output());
    return DefaultValidatorResult{true, ""};
  }

 private:
  static DefaultValidatorResult reject(std::string message) {
    return DefaultValidatorResult{false, std::move(message)};
  }

  // Where a token starts in the output; formatted only for a message.
  struct Position {
    uint64_t token;
    uint64_t line;
  };

  // The fastest path, for the usual accepted output: from the start of a
  // token in both files, the longest run of bytes the two buffers have
  // alike, cut back to just after its last whitespace byte, holds whole
  // tokens that are equal in every mode, and whitespace that is equal too.
  // Consumes that run, counting its tokens and lines (for later messages);
  // returns how many tokens it held (0: none, nothing consumed).
  uint64_t skip_identical_tokens() {
    const std::string_view a = answer_.buffered(), b = output_.buffered();
    const size_t n = std::min(a.size(), b.size());
    size_t same = 0;
    while (same < n) {
      const size_t step = std::min<size_t>(4096, n - same);
      if (std::memcmp(a.data() + same, b.data() + same, step) != 0) {
        while (a[same] == b[same]) ++same;
        break;
      }
      same += step;
    }
    while (same > 0 && !is_space(static_cast<unsigned char>(a[same - 1]))) --same;
    if (same == 0) return 0;
    // Branch-free: a token ends where a space follows a non-space; the run
    // starts with a token, so "before it" counts as a non-space.
    uint64_t tokens = 0, newlines = 0;
    unsigned previous = 0;
    for (size_t i = 0; i < same; ++i) {
      const auto c = static_cast<unsigned char>(a[i]);
      const unsigned space = kSpaceTable[c];
      tokens += space & ~previous;
      newlines += c == '\n';
      previous = space;
    }
    answer_.skip_bytes(same, newlines);
    output_.skip_bytes(same, newlines);
    return tokens;
  }

  // The fast path: both tokens whole in their buffers and equal as the
  // slow path would find them (with a float tolerance, byte for byte only:
  // equal bytes are always within it). Consumes them if so; otherwise
  // consumes nothing, and compare_tokens() decides and words the message.
  bool same_buffered_tokens() {
    const std::string_view a = answer_.buffered_token();
    const std::string_view b = output_.buffered_token();
    if (a.empty() || b.empty() || a.size() != b.size()) return false;
    if (a != b && (use_floats_ || flags_.case_sensitive || first_difference(a, b, false)))
      return false;
    answer_.skip_token_bytes(a.size());
    output_.skip_token_bytes(b.size());
    return true;
  }

  static std::string describe(Position at) {
    return "token " + std::to_string(at.token) + " (line " + std::to_string(at.line) + ")";
  }

  std::string whitespace_where(uint64_t tokens_done) const {
    const std::string line = " (line " + std::to_string(output_.line()) + ")";
    if (tokens_done == 0) return "whitespace before token 1" + line;
    return "whitespace after token " + std::to_string(tokens_done) + line;
  }

  // Consumes whitespace up to the next tokens. With space_change_sensitive the
  // output's whitespace must equal the answer's byte for byte, as in problemtools.
  std::optional<std::string> skip_whitespace(uint64_t tokens_done) {
    while (is_space(answer_.peek())) {
      const int expected = answer_.get();
      if (!flags_.space_change_sensitive) continue;
      const int got = output_.peek();
      if (got != expected) {
        return whitespace_where(tokens_done) + ": expected " + describe_byte(expected) + ", got " +
               describe_byte(got);
      }
      output_.get();
    }
    while (is_space(output_.peek())) {
      if (flags_.space_change_sensitive) {
        return whitespace_where(tokens_done) + ": unexpected " + describe_byte(output_.peek());
      }
      output_.get();
    }
    return std::nullopt;
  }

  std::string missing_token(uint64_t token) {
    read_prefix(answer_, answer_token_);
    const std::string expected = quote(answer_token_, answer_.at_token());
    if (token == 1 && output_.bytes_consumed() == 0) return "output is empty, expected " + expected;
    if (token == 1) return "output has no tokens, expected " + expected;
    return describe({token, output_.line()}) + ": output ended, expected " + expected;
  }

  std::string trailing_output() {
    read_prefix(output_, output_token_);
    const std::string got = quote(output_token_, output_.at_token());
    const std::string line = "(line " + std::to_string(output_.line()) + ")";
    if (tokens_matched_ == 0) return "trailing output " + line + ": expected no tokens, got " + got;
    return "trailing output " + line + ": got " + got + " after the last expected token (token " +
           std::to_string(tokens_matched_) + ")";
  }

  static void read_prefix(FileReader& reader, std::string& token) {
    token.clear();
    reader.read_token(token, kTokenPrefixCap);
  }

  std::optional<std::string> compare_tokens(uint64_t token) {
    const Position position{token, output_.line()};
    read_prefix(answer_, answer_token_);
    read_prefix(output_, output_token_);
    const bool answer_more = answer_.at_token();
    const bool output_more = output_.at_token();
    if (use_floats_ && !answer_more) {
      if (const auto expected = parse_number(answer_token_)) {
        return compare_numbers(position, *expected, output_more);
      }
    }
    return compare_strings(position, answer_more, output_more);
  }

  std::optional<std::string> compare_numbers(Position position, double expected, bool output_more) {
    const auto got = output_more ? std::nullopt : parse_number(output_token_);
    if (!got) {
      return describe(position) + ": expected a number like " + quote(answer_token_) + ", got " +
             quote(output_token_, output_more);
    }
    if (within_tolerance(expected, *got)) return std::nullopt;
    char difference[64];
    std::snprintf(difference, sizeof difference, "%.3g", std::fabs(expected - *got));
    return describe(position) + ": expected " + quote(answer_token_) + ", got " +
           quote(output_token_) + " (difference " + difference + " exceeds tolerance)";
  }

  // problemtools: accept if within the absolute tolerance or within the
  // relative tolerance scaled by the judge's value; an unset tolerance never accepts.
  bool within_tolerance(double expected, double got) const {
    const double difference = std::fabs(expected - got);
    const auto& absolute = flags_.float_absolute_tolerance;
    const auto& relative = flags_.float_relative_tolerance;
    if (absolute && difference <= *absolute) return true;
    return relative && difference <= *relative * std::fabs(expected);
  }

  std::optional<std::string> compare_strings(Position position, bool answer_more,
                                             bool output_more) {
    std::optional<uint64_t> difference =
        first_difference(answer_token_, output_token_, flags_.case_sensitive);
    // Equal prefixes have equal lengths; only tokens longer than the cap continue.
    if (!difference && (answer_more || output_more)) {
      difference =
          compare_token_tails(answer_, output_, flags_.case_sensitive, answer_token_.size());
    }
    if (!difference) return std::nullopt;
    std::string message = describe(position) + ": expected " + quote(answer_token_, answer_more) +
                          ", got " + quote(output_token_, output_more);
    // The quotes look alike when the tokens differ past what they show.
    if (*difference >= kQuoteCap) {
      message += " (first difference at byte " + std::to_string(*difference + 1) + ")";
    }
    return message;
  }

  FileReader answer_;
  FileReader output_;
  const DefaultValidatorFlags flags_;
  const bool use_floats_;
  uint64_t tokens_matched_ = 0;
  // Reused across tokens so a long run of tokens does not reallocate.
  std::string answer_token_;
  std::string output_token_;
};

// Flags may arrive as one word each or as problem.yaml's single
// space-separated string; both split into the same list.
std::vector<std::string> split_words(const std::vector<std::string>& words) {
  std::vector<std::string> items;
  for (const std::string& word : words) {
    size_t i = 0;
    while (i < word.size()) {
      while (i < word.size() && is_space(static_cast<unsigned char>(word[i]))) ++i;
      const size_t start = i;
      while (i < word.size() && !is_space(static_cast<unsigned char>(word[i]))) ++i;
      if (i > start) items.push_back(word.substr(start, i - start));
    }
  }
  return items;
}

// Reads the value after a tolerance flag at items[index]; a tolerance must be
// a finite non-negative number.
double parse_tolerance(const std::vector<std::string>& items, size_t index) {
  const std::string& flag = items[index];
  if (index + 1 == items.size()) {
    throw std::invalid_argument("validator flag " + flag + " needs a number");
  }
  const std::string& value = items[index + 1];
  const auto tolerance = parse_number(value);
  if (!tolerance || *tolerance < 0) {
    throw std::invalid_argument("validator flag " + flag + ": invalid tolerance " + quote(value));
  }
  return *tolerance;
}

}  // namespace

DefaultValidatorFlags DefaultValidatorFlags::parse(const std::vector<std::string>& words) {
  const std::vector<std::string> items = split_words(words);
  DefaultValidatorFlags flags;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& word = items[i];
    if (word == "case_sensitive") {
      flags.case_sensitive = true;
    } else if (word == "space_change_sensitive") {
      flags.space_change_sensitive = true;
    } else if (word == "float_tolerance") {
      flags.float_absolute_tolerance = flags.float_relative_tolerance = parse_tolerance(items, i++);
    } else if (word == "float_absolute_tolerance") {
      flags.float_absolute_tolerance = parse_tolerance(items, i++);
    } else if (word == "float_relative_tolerance") {
      flags.float_relative_tolerance = parse_tolerance(items, i++);
    } else {
      throw std::invalid_argument("unknown validator flag " + quote(word));
    }
  }
  return flags;
}

DefaultValidatorResult run_default_validator(const std::string& answer_path,
                                             const std::string& output_path,
                                             const DefaultValidatorFlags& flags) {
  return Checker(answer_path, output_path, flags).run();
}

}  // namespace pj::judge
