#include "judge/engine/input_validators.hpp"

#include <algorithm>

#include "judge/engine/package_program.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

std::vector<fs::path> validator_paths(const Problem& p) {
  std::vector<fs::path> paths;
  fs::path dir = p.dir / "input_validators";
  if (!fs::is_directory(dir)) return paths;
  for (const auto& e : fs::directory_iterator(dir)) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Why the validator did not accept the input ("" if it did).
std::string rejection(const sandbox::Result& res, const sandbox::Limits& limits) {
  if (res.ending() == sandbox::Ending::NonzeroExit && res.exit_code == 42) return {};
  std::string why =
      res.ending() == sandbox::Ending::Exited || res.ending() == sandbox::Ending::NonzeroExit
          ? "exit code " + std::to_string(res.exit_code) + " (42 means valid)"
          : sandbox::describe_ending(res, limits);
  std::string said = res.stderr_data.substr(0, res.stderr_data.find('\n'));
  return said.empty() ? why : why + " (" + said + ")";
}

}  // namespace

InputValidation validate_inputs(const Problem& p, const fs::path& cache_dir, int slot) {
  InputValidation out;
  std::vector<fs::path> validators = validator_paths(p);
  if (validators.empty()) return out;
  Workspace ws(RunIdentity::for_validator(slot));
  for (const auto& v : validators) {
    ++out.programs;
    CompileResult program;
    try {
      program = compile_package_program(v, ws, cache_dir, "input-validator");
    } catch (const std::exception& e) {
      out.failures.push_back(std::string("input validator: ") + e.what());
      continue;
    }
    for (const auto& t : p.tests) {
      fs::path box = ws.make_box("validate");
      sandbox::Spec spec = package_program_spec(p, program, box, ws.identity());
      spec.stdin_from = sandbox::Input::file(t.input);
      sandbox::Result res = sandbox::run(spec);
      ws.remove_box(box);
      ++out.checked;
      std::string why = rejection(res, spec.limits);
      if (!why.empty())
        out.failures.push_back(v.filename().string() + " rejects " + t.name + ": " + why);
    }
  }
  return out;
}

}  // namespace pj::judge
