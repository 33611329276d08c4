// The page of `pipejudge serve`: the problem API from the browser. Every
// value from the server is shown through textContent, never as markup.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { problems: [], languages: [], current: null, stream: null };

// --- the API ---------------------------------------------------------------

function headers(extra = {}) {
  const token = localStorage.getItem("pipejudge-token");
  return token ? { ...extra, "X-Auth-Token": token } : extra;
}

async function api(method, path, body) {
  const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}) };
  if (body) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const data = await res.json().catch(() => null);
  if (res.status === 401) askForToken();
  return { status: res.status, data };
}

function askForToken() {
  $("#token-box").hidden = false;
  $("#token").focus();
}

// The event stream of a submission, read with fetch (an EventSource cannot
// send X-Auth-Token). Reconnects with Last-Event-ID after a broken
// connection; ends after the final event or when `signal` aborts.
async function followEvents(id, onEvent, signal) {
  let last = null;
  for (let attempt = 0; !signal.aborted; attempt++) {
    let final = false;
    try {
      const h = headers(last === null ? {} : { "Last-Event-ID": String(last) });
      const res = await fetch(`/api/submissions/${encodeURIComponent(id)}/events`,
                              { headers: h, signal });
      if (res.status === 401) return askForToken();
      if (res.status === 404 || res.status === 422) return;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = parseMessage(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!message) continue;
          if (message.id !== null) last = message.id;
          attempt = 0;
          onEvent(message.event, message.data);
          if (message.event === "final") final = true;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    if (final) return;
    await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 4000)));
  }
}

// One SSE message: {id, event, data} (data parsed as JSON); null for a comment.
function parseMessage(text) {
  let id = null, event = "message";
  const data = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = Number(value);
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  return { id, event, data: JSON.parse(data.join("\n")) };
}

// --- showing things ----------------------------------------------------------

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

const passed = (verdict) => verdict === "AC";
const seconds = (t) => (t === null || t === undefined ? "" : `${Number(t).toFixed(3)} s`);
const mib = (b) => (b === null || b === undefined ? "" : `${(b / 1048576).toFixed(1)} MiB`);

function showVerdict(el, verdict, text) {
  el.textContent = text ?? verdict ?? "…";
  el.classList.toggle("pass", !!verdict && passed(verdict));
  el.classList.toggle("fail", !!verdict && !passed(verdict));
  if (verdict) el.dataset.verdict = verdict;
  else delete el.dataset.verdict;
}

function testRow(index) {
  const body = $("#tests tbody");
  while (body.children.length <= index) {
    const tr = document.createElement("tr");
    tr.className = "test pending";
    tr.dataset.index = String(body.children.length);
    cell(tr, String(body.children.length + 1), "num");
    for (let i = 0; i < 5; i++) cell(tr, i === 1 ? "…" : "");
    body.appendChild(tr);
  }
  return body.children[index];
}

function onEvent(type, e) {
  if (type === "queued") {
    $("#live-status").textContent =
      `queued: ${e.problem_name || e.problem}, ${e.language_name || e.language}`;
    for (let i = 0; i < e.tests_total; i++) testRow(i);
  } else if (type === "compiling") {
    $("#live-status").textContent = "compiling";
  } else if (type === "compiled") {
    $("#live-status").textContent = e.ok ? "judging" : "compilation failed";
    if (e.output) {
      $("#compile").hidden = false;
      $("#compile-output").textContent = e.output;
    }
  } else if (type === "test") {
    const tr = testRow(e.index);
    const tds = tr.children;
    tds[1].textContent = e.name;
    tds[2].textContent = e.verdict;
    tds[3].textContent = seconds(e.time);
    tds[3].className = "num";
    tds[4].textContent = mib(e.memory);
    tds[4].className = "num";
    tds[5].textContent = e.message || "";
    tr.dataset.verdict = e.verdict;
    tr.className = `test ${passed(e.verdict) ? "pass" : "fail"}`;
  } else if (type === "final") {
    showVerdict($("#verdict"), e.verdict);
    const score = e.max_score !== undefined && e.max_score !== null ? `, score ${e.score} of ${e.max_score}` : "";
    $("#live-status").textContent =
      `${e.tests_passed} of ${e.tests_total} tests passed${score}` + (e.reason ? `: ${e.reason}` : "");
    if (e.verdict === "CE") $("#compile").hidden = false;
    for (const tr of document.querySelectorAll("#tests tr.pending")) {
      tr.className = "test skipped";
      tr.children[2].textContent = "not run";
    }
    refreshRecent();
  }
}

function watch(id) {
  if (state.stream) state.stream.abort();
  state.stream = new AbortController();
  state.current = id;
  $("#live-id").textContent = id;
  showVerdict($("#verdict"), null, "…");
  $("#live-status").textContent = "waiting for the judge";
  $("#compile").hidden = true;
  $("#compile-output").textContent = "";
  $("#tests tbody").replaceChildren();
  followEvents(id, onEvent, state.stream.signal);
}

async function refreshRecent() {
  const { status, data } = await api("GET", "/api/submissions?limit=20");
  if (status !== 200) return;
  const body = $("#recent tbody");
  body.replaceChildren(...data.map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.id = s.id;
    cell(tr, s.id);
    cell(tr, s.problem_name || s.problem);
    cell(tr, s.language_name || s.language);
    const v = document.createElement("span");
    v.className = "verdict";
    showVerdict(v, s.verdict, s.verdict ?? s.status);
    cell(tr, "").appendChild(v);
    cell(tr, s.tests_total === null ? "" : `${s.tests_passed ?? 0}/${s.tests_total}`, "num");
    cell(tr, seconds(s.time), "num");
    cell(tr, new Date(s.submitted_at * 1000).toLocaleTimeString());
    tr.addEventListener("click", () => watch(s.id));
    return tr;
  }));
}

async function refreshHealth() {
  const { status, data } = await api("GET", "/api/health");
  $("#health").textContent = status === 200
    ? `${data.status} · ${data.workers} workers · ${data.queued} queued · ${data.judging} judging`
    : `health: HTTP ${status}`;
}

// --- the form ------------------------------------------------------------------

function showProblem() {
  const p = state.problems.find((x) => x.id === $("#problem").value);
  $("#problem-info").textContent = p
    ? `${p.name}: ${p.tests} tests (${p.samples} samples), ${p.limits.time} s, ` +
      `${mib(p.limits.memory)}, ${p.type.join(", ")}`
    : "";
}

function languageOfFile(name) {
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "";
  const lang = state.languages.find((l) => l.extensions.includes(ext));
  return lang ? lang.id : null;
}

async function loadLists() {
  const [problems, languages] = await Promise.all([api("GET", "/api/problems"),
                                                   api("GET", "/api/languages")]);
  if (problems.status !== 200 || languages.status !== 200) return;
  state.problems = problems.data;
  state.languages = languages.data;
  // Loaded again (a token typed in): the choices made stay.
  const problem = $("#problem").value;
  const language = $("#language").value || localStorage.getItem("pipejudge-language");
  $("#problem").replaceChildren(...state.problems.map((p) => new Option(`${p.id} — ${p.name}`, p.id)));
  $("#language").replaceChildren(...state.languages.map((l) => new Option(l.name, l.id)));
  if (state.problems.some((p) => p.id === problem)) $("#problem").value = problem;
  if (state.languages.some((l) => l.id === language)) $("#language").value = language;
  showProblem();
}

async function submit(event) {
  event.preventDefault();
  $("#submit-error").textContent = "";
  $("#submit").disabled = true;
  try {
    const body = { source: $("#source").value, language: $("#language").value,
                   all: $("#all").checked };
    const file = $("#upload").files[0];
    // An uploaded file keeps its name (Main.java's class) if it is of the language chosen.
    if (file && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(file.name) &&
        languageOfFile(file.name) === body.language) body.file = file.name;
    const { status, data } = await api(
        "POST", `/api/problems/${encodeURIComponent($("#problem").value)}/submissions`, body);
    if (status !== 201) {
      const why = data && typeof data === "object"
        ? Object.entries(data).map(([k, v]) => `${k}: ${[].concat(v).join("; ")}`).join("\n")
        : `HTTP ${status}`;
      $("#submit-error").textContent = why;
      return;
    }
    localStorage.setItem("pipejudge-language", body.language);
    watch(data.id);
    refreshRecent();
  } finally {
    $("#submit").disabled = false;
  }
}

function start() {
  $("#problem").addEventListener("change", showProblem);
  $("#upload").addEventListener("change", async () => {
    const file = $("#upload").files[0];
    if (!file) return;
    $("#source").value = await file.text();
    const lang = languageOfFile(file.name);
    if (lang) $("#language").value = lang;
  });
  $("#token").value = localStorage.getItem("pipejudge-token") || "";
  $("#token").addEventListener("change", () => {
    localStorage.setItem("pipejudge-token", $("#token").value);
    loadLists();
    refreshRecent();
    refreshHealth();
  });
  $("#submit-form").addEventListener("submit", submit);
  loadLists();
  refreshRecent();
  refreshHealth();
  setInterval(refreshRecent, 5000);
  setInterval(refreshHealth, 10000);
}

start();
