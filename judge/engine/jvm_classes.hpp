// The entry point of a compiled JVM program, as Kattis and DOMjudge find it:
// the class named after the submitted file, else the one class that
// declares `public static void main(String[])` — read from the class files
// themselves, so packages and any file name work.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

// Binary names ("Main", "pkg.sub.Solver") of the classes under `dir` that
// declare public static void main(String[]), sorted. Unreadable or
// malformed class files are skipped.
std::vector<std::string> classes_with_main(const std::filesystem::path& dir);

// The class to run: the candidate whose simple name is `preferred` (the
// main source's name), else the only candidate. Throws std::runtime_error
// saying why there is none to pick (no candidate, or several).
std::string pick_main_class(const std::vector<std::string>& candidates,
                            const std::string& preferred);

}  // namespace pj::judge
