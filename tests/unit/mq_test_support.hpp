// Shared by the collector tests: a temporary state directory and an
// instance of our own whose queues are removed afterwards.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge::testing {

class TestInstance {
 public:
  TestInstance() {
    static std::atomic<int> counter{0};
    std::string tmpl = (std::filesystem::temp_directory_path() / "pj_mq_test_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    InstanceOptions o;
    o.name = "ut-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    o.state_dir = tmpl;
    o.no_sync = true;
    inst = resolve_instance(o);
    open_transport(inst)->remove();
  }
  ~TestInstance() {
    open_transport(inst)->remove();
    std::error_code ec;
    std::filesystem::remove_all(inst.state_dir, ec);
  }
  TestInstance(const TestInstance&) = delete;
  TestInstance& operator=(const TestInstance&) = delete;

  Instance inst;
};

}  // namespace pj::judge::testing
