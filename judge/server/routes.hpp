// The routes of `serve`, by concern; each installs its handlers on the
// server, on the shared ServeCore, and returns their state, which the
// caller keeps as long as the server runs. Handlers bind the request, convert it,
// hand it to the pipeline and convert the stored result back.
#pragma once

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

#include "judge/server/core.hpp"

namespace pj::judge {

// Judge0's subset: /submissions (and batch), /languages, /statuses,
// /about, /workers, /config_info.
std::shared_ptr<void> install_judge0_api(httplib::Server& svr, ServeCore& core);
// The body of a Judge0 callback (a PUT to callback_url) of a judged submission.
std::optional<std::string> judge0_callback_body(const ServeCore& core, const Webhook& w,
                                                const SubmissionDetail& d);
// pipejudge's own: /api/problems, /api/languages, submissions (listed, posted,
// reported, cancelled), health.
std::shared_ptr<void> install_problem_api(httplib::Server& svr, ServeCore& core);
// GET /api/submissions/{id}/events: Server-Sent Events from the stored events.
std::shared_ptr<void> install_event_stream(httplib::Server& svr, ServeCore& core);
// The body of a problem API callback (a POST): the report, as GET
// /api/submissions/{id} has it.
std::optional<std::string> problem_callback_body(const Webhook& w, const SubmissionDetail& d);
// GET / and the page's files (web_page.hpp).
std::shared_ptr<void> install_web_page(httplib::Server& svr, ServeCore& core);

}  // namespace pj::judge
