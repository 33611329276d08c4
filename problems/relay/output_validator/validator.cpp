// Relay's output validator (Kattis protocol, multi-pass). Pass 1: the
// submission sent a number; it is kept in the feedback directory and is
// the input of pass 2. Pass 2: the word must come back. The kept number
// also checks that the judge kept the feedback directory between passes.
#include <fstream>
#include <iostream>
#include <string>

namespace {

const int kAccept = 42, kReject = 43, kJudgeError = 1;
std::string feedback;

int reject(const std::string& why) {
  std::ofstream(feedback + "/judgemessage.txt") << why << "\n";
  return kReject;
}

int judge_error(const std::string& why) {
  std::ofstream(feedback + "/judgeerror.txt") << why << "\n";
  std::cerr << why << "\n";
  return kJudgeError;
}

bool is_number(const std::string& s) {
  return !s.empty() && s.size() <= 30 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return judge_error("usage: validator input answer feedback_dir");
  feedback = argv[3];
  std::ifstream input(argv[1]), answer(argv[2]);
  std::string phase, word;
  input >> phase;
  answer >> word;
  std::string said, extra;
  if (!(std::cin >> said)) return reject("no output");
  if (std::cin >> extra) return reject("more than one token of output");

  if (phase == "send") {
    if (!is_number(said))
      return reject("expected a number of at most 30 digits, got '" + said.substr(0, 40) + "'");
    std::ofstream(feedback + "/sent") << said << "\n";
    std::ofstream(feedback + "/nextpass.in") << "receive\n" << said << "\n";
    return kAccept;
  }
  if (phase == "receive") {
    std::string kept, given;
    if (!(std::ifstream(feedback + "/sent") >> kept))
      return judge_error("the feedback directory of pass 1 is gone");
    input >> given;
    if (given != kept) return judge_error("pass 2 was not given what pass 1 sent");
    if (said != word) return reject("expected '" + word + "', got '" + said.substr(0, 40) + "'");
    return kAccept;
  }
  return judge_error("the input starts with neither 'send' nor 'receive'");
}
