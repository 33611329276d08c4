#include "judge/engine/compile.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "judge/engine/jvm_classes.hpp"
#include "judge/engine/program_failure.hpp"
#include "judge/engine/sha256.hpp"
#include "judge/engine/site_config.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr const char* kBinary = "main";

// Limits for the compiler itself: generous, but a hostile source (template
// explosion, #include </dev/urandom>) ends as a CE within them.
sandbox::Limits compile_limits() {
  const PackageDefaults& d = package_defaults();
  sandbox::Limits l;
  l.cpu_seconds = d.compilation_seconds;
  l.wall_seconds = 2 * d.compilation_seconds;
  l.memory_bytes = d.compilation_memory_bytes;
  l.processes = 64;
  l.output_bytes = 16ull << 20;
  l.file_bytes = 256ull << 20;
  l.open_files = 256;
  return l;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> source_names(const Submission& s) {
  std::vector<std::string> names;
  for (const auto& src : s.sources) names.push_back(src.filename().string());
  return names;
}

// Copies a tree, making everything readable (and directories/executables
// enterable) by the run identity, never writable by it. `link`: a file
// whose modes are already so (a compile cache entry) is hard-linked where
// the file system allows: no data written now, no blocks freed with the
// workspace, and the same file for every submission that uses it.
void copy_tree_readonly(const fs::path& from, const fs::path& to, bool link = false) {
  fs::create_directories(to);
  chmod(to.c_str(), 0755);
  for (const auto& entry : fs::directory_iterator(from)) {
    fs::path dest = to / entry.path().filename();
    if (entry.is_symlink()) continue;  // a compiler has no business leaving links
    if (entry.is_directory()) {
      copy_tree_readonly(entry.path(), dest, link);
    } else if (entry.is_regular_file()) {
      std::error_code ec;
      if (link && (fs::create_hard_link(entry.path(), dest, ec), !ec)) continue;
      fs::copy_file(entry.path(), dest, fs::copy_options::overwrite_existing);
      bool exec = (entry.status().permissions() & fs::perms::owner_exec) != fs::perms::none;
      chmod(dest.c_str(), exec ? 0755 : 0644);
    }
  }
}

std::string truncate_diagnostics(std::string text, std::uint64_t total_bytes) {
  if (text.size() > kMaxDiagnostics) text.resize(kMaxDiagnostics);
  if (total_bytes > text.size())
    text += "\n[pipejudge: compiler output cut at " + std::to_string(text.size()) + " of " +
            std::to_string(total_bytes) + " bytes]\n";
  return text;
}

}  // namespace

std::vector<std::string> language_environment(const Language& lang) {
  std::vector<std::string> env = program_environment();
  for (const auto& e : lang.env) {
    std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(env, [&name](const std::string& v) { return v.rfind(name, 0) == 0; });
    env.push_back(e);
  }
  return env;
}

void set_program(sandbox::Spec& spec, const CompileResult& program, std::uint64_t memory_bytes) {
  spec.argv = expand_memory_limit(program.run_argv, memory_bytes);
  spec.env = expand_memory_limit(program.run_env, memory_bytes);
  spec.files_dir = program.program_dir;
  spec.readonly_paths = program.readonly_paths;
}

Compiler::Compiler(fs::path cache_dir)
    : cache_dir_(cache_dir.empty() ? default_cache_dir() : std::move(cache_dir)) {}

fs::path Compiler::default_cache_dir() {
  if (const char* d = std::getenv("PIPEJUDGE_CACHE_DIR")) return d;
  if (geteuid() == 0) return "/var/cache/pipejudge";
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return fs::path(x) / "pipejudge";
  if (const char* h = std::getenv("HOME")) return fs::path(h) / ".cache" / "pipejudge";
  return fs::temp_directory_path() / "pipejudge-cache";
}

std::string Compiler::cache_key(const Submission& s, const std::vector<std::string>& options) {
  Sha256 h;
  h.add_field(s.language->id);
  for (const auto& w : s.language->compile) h.add_field(w);
  for (const auto& w : s.language->run) h.add_field(w);
  for (const auto& w : s.language->env) h.add_field(w);
  // Counted: options never hash like sources (an env word has an '=').
  h.add_field("options " + std::to_string(options.size()));
  for (const auto& w : options) h.add_field(w);
  for (const auto* files : {&s.sources, &s.support_files}) {
    for (const auto& f : *files) {
      h.add_field(f.filename().string());
      h.add_field(read_file(f));
    }
  }
  return h.hex();
}

CompileResult Compiler::compile(const Submission& s, Workspace& ws, const std::string& name,
                                const std::vector<std::string>& options) {
  CompileResult r = build(s, ws, name, options);
  if (r.status == CompileResult::Status::Ok) find_entry_point(s, r);
  return r;
}

// What the run command starts must be there: a compiled program (./main),
// or the JVM class with main named by `{main_class}`, found in the compiled
// classes, preferably the one named after the main source. A compiler that
// made neither failed (a Pascal unit compiles to no program), and that is CE.
void Compiler::find_entry_point(const Submission& s, CompileResult& r) {
  const std::string& program = r.run_argv.front();
  std::error_code ec;
  if (program.rfind("./", 0) == 0 && !fs::exists(r.program_dir / program.substr(2), ec)) {
    r.status = CompileResult::Status::CompileError;
    r.reason = "the compiler made no program " + program;
    return;
  }
  for (auto& word : r.run_argv) {
    if (word != "{main_class}") continue;
    try {
      word = pick_main_class(classes_with_main(r.program_dir),
                             preferred_main_class(*s.language, s.sources.front().stem().string()));
    } catch (const std::runtime_error& e) {
      r.status = CompileResult::Status::CompileError;
      r.reason = e.what();
    }
  }
}

CompileResult Compiler::build(const Submission& s, Workspace& ws, const std::string& name,
                              const std::vector<std::string>& options) {
  CompileResult r;
  const Language& lang = *s.language;
  if (!options.empty() && !takes_compiler_options(lang)) {
    r.status = CompileResult::Status::CompileError;
    r.reason = "language " + lang.name + " takes no compiler options";
    return r;
  }
  auto names = source_names(s);
  r.run_argv = expand_command(lang.run, names, kBinary);
  r.run_env = language_environment(lang);
  r.readonly_paths = lang.readonly_paths;
  r.allow_exec = lang.allow_exec;
  r.program_dir = ws.root() / name;

  std::error_code ec;
  fs::path entry = cache_dir_ / cache_key(s, options);
  if (fs::is_directory(entry, ec)) {
    copy_tree_readonly(entry, r.program_dir, /*link=*/true);
    r.cached = true;
    return r;
  }

  fs::path box = ws.make_box("compile");
  for (const auto& src : s.sources) fs::copy_file(src, box / src.filename());
  for (const auto& f : s.support_files) fs::copy_file(f, box / f.filename());
  if (lang.compile.empty()) {
    copy_tree_readonly(box, r.program_dir);
    return r;
  }
  // The options are argv words, never a shell's text, for a compiler in the
  // sandbox: whatever they name (`-o /elsewhere`, `@file`, `-include`,
  // a plugin, `-wrapper` and the like) is what this sandbox shows, as a
  // source's own #include is; a program they make it start runs here, under
  // the compile limits; output put elsewhere than {binary} leaves no program
  // (a CE). Nothing beyond the box's files and the compiler's read-only view.
  sandbox::Spec spec;
  spec.argv = expand_command(lang.compile, names, kBinary, options);
  spec.env = expand_memory_limit(r.run_env, compile_limits().memory_bytes);
  spec.readonly_paths = lang.readonly_paths;
  spec.workdir = box;
  spec.share_workdir = true;  // the compiler's output is what we are after
  spec.limits = compile_limits();
  spec.stdout_to = sandbox::Output::capture(kMaxDiagnostics);
  spec.stderr_to = sandbox::Output::capture(kMaxDiagnostics);
  spec.uid = ws.identity().uid;
  spec.cpu = ws.identity().cpu;
  spec.gid = ws.identity().gid;
  sandbox::Result res = sandbox::run(spec);
  r.seconds = res.cpu_seconds;
  r.diagnostics = truncate_diagnostics(res.stdout_data + res.stderr_data, res.output_bytes);

  if (res.ending() == sandbox::Ending::SetupFailed) {
    r.status = CompileResult::Status::JudgeError;
    r.reason = "cannot run the " + lang.name + " compiler: " + res.error;
  } else if (!res.ok()) {
    r.status = CompileResult::Status::CompileError;
    r.reason = program_failure("the compiler", res, spec.limits);
  }
  if (r.status != CompileResult::Status::Ok) return r;

  copy_tree_readonly(box, r.program_dir);
  ws.remove_box(box);
  // Publish atomically: a half-written entry is never seen by another judge.
  fs::create_directories(cache_dir_, ec);
  fs::path tmp =
      cache_dir_ / (".tmp-" + std::to_string(getpid()) + "-" + entry.filename().string());
  fs::remove_all(tmp, ec);
  copy_tree_readonly(r.program_dir, tmp);
  fs::rename(tmp, entry, ec);
  if (ec) fs::remove_all(tmp, ec);  // another judge published it first: fine
  return r;
}

}  // namespace pj::judge
