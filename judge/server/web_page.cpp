// GET / and the page's files, from memory, with headers that keep the page
// to its own origin (no inline script, no framing).
#include "judge/server/web_page.hpp"

#include <string>

#include "judge/server/routes.hpp"

namespace pj::judge {
namespace {

const char* content_type(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

const WebFile* web_file(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const auto& f : web_files())
    if (path == f.path) return &f;
  return nullptr;
}

std::shared_ptr<void> install_web_page(httplib::Server& svr, ServeCore&) {
  auto handler = [](const httplib::Request& req, httplib::Response& res) {
    const WebFile* f = web_file(req.path);
    if (!f) {
      res.status = 404;
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action "
                   "'self'");
    res.set_content(std::string(f->bytes), content_type(f->path));
  };
  svr.Get("/", handler);
  for (const auto& f : web_files()) svr.Get(f.path, handler);
  return nullptr;
}

}  // namespace pj::judge
