#include "judge/batch/grade_page.hpp"

namespace pj::judge {
namespace {

// The page; the batch's data goes where @DATA@ is, as JSON.
constexpr const char* kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pipejudge grades</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: center; }
th.sortable { cursor: pointer; background: #f3f3f3; }
th.sortable:hover { background: #e6e6e6; }
td.cell { cursor: pointer; min-width: 64px; }
td.name { text-align: left; font-weight: 600; }
.AC { background: #c8f0c8; } .WA, .PE { background: #f6c6c6; } .TLE { background: #f8e0a8; }
.MLE, .OLE { background: #f0d0f0; } .RE { background: #f3b9a0; } .CE { background: #d8d8d8; }
.IE, .CANCELLED { background: #b8c8e8; } .none { background: #fff; color: #aaa; }
.bar { display: flex; height: 8px; width: 100px; margin: 2px auto; }
.bar span { display: block; height: 100%; }
#detail { border: 1px solid #ccc; padding: 8px 12px; min-height: 40px; }
pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>Grades</h1>
<p id="summary"></p>
<p id="insecure" hidden><strong>Judged without isolation (--insecure):</strong> these
programs could read every file the judge's user can, the answers included.</p>
<table id="grid"><thead></thead><tbody></tbody><tfoot></tfoot></table>
<h2>Submission</h2>
<div id="detail">Click a cell to see its tests.</div>
<h2>Not judged</h2>
<ul id="notjudged"></ul>
<h2>Identical submissions</h2>
<ul id="identical"></ul>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const subs = data.submissions.filter(s => s.report);
const students = [...new Set(data.submissions.map(s => s.student))].sort();
const problems = [...new Set(data.submissions.map(s => s.problem))].sort();
// A cell's points: a scoring problem's score out of 100, else 100 for AC.
function points(r) {
  if (r.score !== null && r.max_score) return 100 * r.score / r.max_score;
  return r.verdict === "AC" ? 100 : 0;
}
const best = {};
for (const s of subs) {
  const key = s.student + "\u0000" + s.problem, p = points(s.report);
  if (!(key in best) || p > best[key].points) best[key] = { points: p, sub: s };
}
const cellOf = (st, pr) => best[st + "\u0000" + pr];
const total = st => problems.reduce((t, pr) => t + (cellOf(st, pr) ? cellOf(st, pr).points : 0), 0);
function text(tag, content, cls) {
  const e = document.createElement(tag);
  e.textContent = content;
  if (cls) e.className = cls;
  return e;
}
let order = students.slice(), sortKey = null, descending = true;
function sortBy(key) {
  descending = sortKey === key ? !descending : true;
  sortKey = key;
  const value = st => key === "student" ? st : key === "total" ? total(st)
      : (cellOf(st, key) ? cellOf(st, key).points : -1);
  order = students.slice().sort((a, b) => {
    const x = value(a), y = value(b);
    if (x === y) return a < b ? -1 : 1;
    return (x < y ? -1 : 1) * (descending && key !== "student" ? -1 : 1);
  });
  render();
}
function header() {
  const row = document.createElement("tr");
  for (const key of ["student", ...problems, "total"]) {
    const th = text("th", key, "sortable");
    th.dataset.key = key;
    th.addEventListener("click", () => sortBy(key));
    row.appendChild(th);
  }
  const thead = document.querySelector("#grid thead");
  thead.replaceChildren(row);
}
function render() {
  const tbody = document.querySelector("#grid tbody");
  tbody.replaceChildren();
  for (const st of order) {
    const tr = document.createElement("tr");
    tr.className = "student";
    tr.appendChild(text("td", st, "name"));
    for (const pr of problems) {
      const c = cellOf(st, pr);
      const td = text("td", c ? c.sub.report.verdict + (c.sub.report.max_score ? " " +
          Math.round(c.points) : "") : "-", "cell " + (c ? c.sub.report.verdict : "none"));
      td.dataset.student = st;
      td.dataset.problem = pr;
      td.addEventListener("click", () => show(c ? c.sub : null, st, pr));
      tr.appendChild(td);
    }
    tr.appendChild(text("td", String(Math.round(total(st))), "total"));
    tbody.appendChild(tr);
  }
}
function footer() {
  const tr = document.createElement("tr");
  tr.appendChild(text("td", "accepted", "name"));
  for (const pr of problems) {
    const mine = subs.filter(s => s.problem === pr);
    const td = text("td", mine.filter(s => s.report.verdict === "AC").length + " of " + mine.length);
    const bar = document.createElement("div");
    bar.className = "bar";
    const counts = {};
    for (const s of mine) counts[s.report.verdict] = (counts[s.report.verdict] || 0) + 1;
    for (const [v, n] of Object.entries(counts)) {
      const span = document.createElement("span");
      span.className = v;
      span.style.width = (100 * n / mine.length) + "%";
      span.title = v + ": " + n;
      bar.appendChild(span);
    }
    td.appendChild(bar);
    tr.appendChild(td);
  }
  tr.appendChild(text("td", ""));
  document.querySelector("#grid tfoot").replaceChildren(tr);
}
function show(sub, st, pr) {
  const d = document.getElementById("detail");
  d.replaceChildren();
  if (!sub) { d.appendChild(text("p", st + " handed in nothing for " + pr + ".")); return; }
  const r = sub.report;
  d.appendChild(text("h3", st + " / " + pr + ": " + r.verdict + (r.reason ? " (" + r.reason + ")" : "")));
  d.appendChild(text("p", sub.path));
  if (r.compile && r.compile.output) d.appendChild(text("pre", r.compile.output));
  if (r.tests.length) {
    const t = document.createElement("table");
    const head = document.createElement("tr");
    for (const h of ["test", "verdict", "time", "memory", "message"]) head.appendChild(text("th", h));
    t.appendChild(head);
    for (const x of r.tests) {
      const row = document.createElement("tr");
      row.appendChild(text("td", x.name));
      row.appendChild(text("td", x.verdict, x.verdict));
      row.appendChild(text("td", x.time.toFixed(3) + " s"));
      row.appendChild(text("td", (x.memory / 1048576).toFixed(1) + " MiB"));
      row.appendChild(text("td", x.message));
      t.appendChild(row);
    }
    d.appendChild(t);
  }
}
document.getElementById("summary").textContent = students.length + " students, " +
    problems.length + " problems, " + data.submissions.length + " submissions judged, " +
    data.not_judged.length + " not judged";
document.getElementById("insecure").hidden = !subs.some(s => s.report.insecure);
for (const n of data.not_judged) document.getElementById("notjudged").appendChild(text("li", n.path + ": " + n.why));
for (const g of data.identical) document.getElementById("identical").appendChild(text("li", g.problem + ": " + g.students.join(", ")));
header();
render();
footer();
</script>
</body>
</html>
)html";

}  // namespace

std::string grade_page_html(const nlohmann::json& results) {
  // JSON inside <script>: "</" must not end the element early.
  std::string data = results.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (std::size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3))
    data.replace(at, 2, "<\\/");
  std::string page = kPage;
  page.replace(page.find("@DATA@"), 6, data);
  return page;
}

}  // namespace pj::judge
