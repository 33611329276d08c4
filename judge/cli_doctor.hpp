// `pipejudge doctor`: what this machine supports and what pipejudge will use.
#pragma once

#include <CLI/CLI.hpp>

namespace pj::judge {

void add_doctor_command(CLI::App& app, int& status);

}  // namespace pj::judge
