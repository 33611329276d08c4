// pipejudge: an online-judge runner. The same commands make pipejudge-serve,
// which alone serves HTTP (PIPEJUDGE_SERVER; see cli.hpp).
#include <cstdio>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/pipeline/sqlite.hpp"

int main(int argc, char** argv) {
  CLI::App app{"pipejudge: compile, run in a sandbox, check, report verdicts"};
  app.require_subcommand(1);
  int status = pj::judge::kExitAccepted;
  pj::judge::add_run_command(app, status);
  pj::judge::add_submit_command(app, status);
  pj::judge::add_collector_command(app, status);
  pj::judge::add_worker_command(app, status);
  pj::judge::add_enqueue_command(app, status);
  pj::judge::add_results_command(app, status);
  pj::judge::add_verify_command(app, status);
  pj::judge::add_doctor_command(app, status);
  pj::judge::add_languages_command(app, status);
  pj::judge::add_cancel_command(app, status);
  pj::judge::add_queue_command(app, status);
  pj::judge::add_grade_command(app, status);
#ifdef PIPEJUDGE_SERVER
  pj::judge::add_serve_command(app, status);
#else
  pj::judge::add_serve_handover(app);
#endif
  try {
    pj::judge::allow_insecure_if_asked_by_environment();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : pj::judge::kExitUsage;
  } catch (const pj::judge::ConfigError& e) {
    std::fprintf(stderr, "pipejudge: %s: %s\n", e.file().c_str(), e.what());
    return pj::judge::kExitUsage;
  } catch (const pj::judge::StoreError& e) {
    std::fprintf(stderr, "pipejudge: %s: %s\n", e.path().c_str(), e.what());
    return pj::judge::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pipejudge: internal error: %s\n", e.what());
    return pj::judge::kExitUsage;
  }
  return status;
}
