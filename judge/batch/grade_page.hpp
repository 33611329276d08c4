// index.html of `pipejudge grade`: one self-contained page (no server, no
// CDN) over results.json's data: a grid of students x problems coloured by
// verdict, sortable by any column, a summary per problem (how many AC, the
// verdict mix as a small bar); a click on a cell shows that submission's
// tests and compiler output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pj::judge {

std::string grade_page_html(const nlohmann::json& results);

}  // namespace pj::judge
