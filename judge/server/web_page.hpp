// The web page `serve` answers at / (judge/server/web/: plain HTML, CSS
// and JavaScript on the problem API), built into the binary: the page is
// the very one of the API that serves it, and no request path ever reaches
// the file system.
#pragma once

#include <string_view>
#include <vector>

namespace pj::judge {

struct WebFile {
  const char* path;  // "/app.js"
  std::string_view bytes;
};
// The page's files (generated at build time by web/embed.cmake).
const std::vector<WebFile>& web_files();

// The file a GET of `path` answers ("/" is /index.html), or nullptr.
const WebFile* web_file(std::string_view path);

}  // namespace pj::judge
