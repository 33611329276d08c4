"""End-to-end: `pipejudge serve`, its Judge0-compatible API and its problem API.

A real `pipejudge serve` on a free loopback port, with its own instance and
state directory, its collector and two workers as its children; the client
is Python's standard library only (http.client):

  * GET /about, /statuses, /languages, /languages/ID, /workers, /config_info;
  * POST /submissions with Judge0's status ids for an AC (with and without
    expected_output), a WA, a CE, a TLE and an RE by SIGSEGV; ?wait=true;
    ?fields=; base64 both ways, with output that is not UTF-8; the run's
    own limits and arguments; compiler_options (one source, two programs;
    a bad option is a CE; a 422 for Python and for text a shell would read);
  * 422 naming each bad field, 400 for a body that is not JSON, 404 for an
    unknown token, 413 for a body over the limit, 401 without the token
    when one is configured;
  * Judge0's batch endpoints;
  * the web page's files at / (and a 404 for any other name);
  * the problem API on problems/aplusb: the listing, the languages, the
    recent submissions (newest first, Judge0's left out), a submission judged,
    its report the very one `pipejudge results ID --json` prints; its
    events as Server-Sent Events, resumed with Last-Event-ID after a client
    hung up; cancelling a queued submission; 503 when the queue is full;
  * 200 submissions from 20 concurrent clients (PJ_E2E_SERVE_LOAD): every
    one final with its own verdict, none lost, /api/health answering
    within 100 ms (p99; the figures are printed, pytest -s shows them);
  * a collector or worker pool of serve's that dies is started again;
  * SIGTERM stops serve, its collector and its workers cleanly.
"""
import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import e2e_support
from serve_support import Server

HELLO_C = '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); ' \
          'printf("%d\\n", a + b); return 0; }\n'
WRONG_C = '#include <stdio.h>\nint main(void) { puts("42"); return 0; }\n'
BROKEN_C = 'int main(void) { return missing_name; }\n'
SPIN_C = 'int main(void) { volatile unsigned long i = 0; for (;;) ++i; }\n'
CHATTY_SPIN_C = '#include <stdio.h>\nint main(void) { puts("working"); fflush(stdout); ' \
                'volatile unsigned long i = 0; for (;;) ++i; }\n'
LONG_C = '#include <stdio.h>\nint main(void) { for (int i = 0; i < 2000; i++) ' \
         'printf("line %04d\\n", i); return 0; }\n'
ARGS_C = '#include <stdio.h>\nint main(int argc, char **argv) { for (int i = 1; i < argc; i++) ' \
         'printf("%s%s", argv[i], i + 1 < argc ? "|" : "\\n"); return 0; }\n'
MIXED_C = '#include <stdio.h>\nint main(void) { puts("out"); fflush(stdout); ' \
          'fputs("err\\n", stderr); puts("out2"); return 1; }\n'
LOCAL_C = '#include <stdio.h>\nint main(void) {\n#ifdef LOCAL\n  puts("local");\n#else\n' \
          '  puts("judge");\n#endif\n  return 0;\n}\n'
SLEEP_C = '#include <unistd.h>\nint main(void) { sleep(5); return 0; }\n'
LONG_OUTPUT = "".join(f"line {i:04d}\n" for i in range(2000))
SEGV_C = '#include <stdio.h>\nint main(void) { volatile int *p = 0; puts("before"); ' \
         'fflush(stdout); *p = 1; return 0; }\n'
BYTES_C = '#include <stdio.h>\nint main(void) { fwrite("\\xff\\xfe\\x00ok\\n", 1, 6, stdout); ' \
          'return 0; }\n'
NOT_UTF8 = b"\xff\xfe\x00ok\n"
LOAD_SUBMISSIONS = int(os.environ.get("PJ_E2E_SERVE_LOAD", "200"))
LOAD_CLIENTS = 20


@pytest.fixture(scope="module")
def server(module_instances, repo_root):
    inst = module_instances.new()
    return Server(inst, "--jobs", "2", "--problems", os.path.join(repo_root, "problems"))


def submit(server, source, language_id=50, **fields):
    status, body, _ = server.post("/submissions", {"source_code": source,
                                                   "language_id": language_id, **fields})
    assert status == 201, body
    assert list(body) == ["token"]
    return body["token"]


def test_about_statuses_and_languages(server):
    status, about, _ = server.get("/about")
    assert status == 200 and about["name"] == "pipejudge" and about["version"]
    status, statuses, _ = server.get("/statuses")
    assert status == 200
    assert [s["id"] for s in statuses] == list(range(1, 15))
    assert statuses[6] == {"id": 7, "description": "Runtime Error (SIGSEGV)"}
    status, langs, _ = server.get("/languages")
    assert status == 200
    ids = {lang["id"]: lang["name"] for lang in langs}
    for judge0_id in (50, 54, 71):  # C, C++, Python 3: installed by scripts/setup.sh
        assert judge0_id in ids, ids
    status, cpp, _ = server.get("/languages/54")
    assert status == 200
    assert cpp["source_file"] == "main.cpp" and cpp["pipejudge_language"] == "cpp"
    assert "g++" in cpp["compile_cmd"]
    assert server.get("/languages/9999")[0] == 404


def test_judge0_status_ids(server):
    cases = {
        "ac": (HELLO_C, {"stdin": "1 2\n", "expected_output": "3"}, 3),
        "ac_any_output": (WRONG_C, {"stdin": ""}, 3),
        "wa": (WRONG_C, {"stdin": "1 2\n", "expected_output": "3\n"}, 4),
        "ce": (BROKEN_C, {}, 6),
        "tle": (SPIN_C, {"cpu_time_limit": 0.5}, 5),
        "segv": (SEGV_C, {}, 7),
    }
    tokens = {name: submit(server, src, **fields) for name, (src, fields, _) in cases.items()}
    results = {name: server.judge0_final(token) for name, token in tokens.items()}
    for name, (_, _, want) in cases.items():
        assert results[name]["status"]["id"] == want, (name, results[name], server.log())
        assert results[name]["token"] == tokens[name]
    ac = results["ac"]
    assert ac["stdout"] == "3\n"
    assert ac["status"] == {"id": 3, "description": "Accepted"}
    assert ac["stdin"] == "1 2\n" and ac["expected_output"] == "3"
    assert ac["source_code"] == HELLO_C and ac["language_id"] == 50
    assert float(ac["time"]) >= 0 and isinstance(ac["memory"], int) and ac["memory"] > 0
    assert ac["exit_code"] == 0 and ac["exit_signal"] is None and ac["message"] is None
    assert ac["created_at"].endswith("Z") and ac["finished_at"] >= ac["created_at"]
    assert results["ac_any_output"]["stdout"] == "42\n"
    assert results["ac_any_output"]["expected_output"] is None
    assert results["wa"]["stdout"] == "42\n"
    assert "missing_name" in results["ce"]["compile_output"]
    assert results["ce"]["time"] is None
    assert results["tle"]["status"]["description"] == "Time Limit Exceeded"
    assert results["segv"]["exit_signal"] == signal.SIGSEGV
    assert results["segv"]["status"]["description"] == "Runtime Error (SIGSEGV)"
    assert results["segv"]["message"]
    # What the program printed comes back whatever its verdict, and whole.
    assert results["segv"]["stdout"] == "before\n"
    assert results["tle"]["stdout"] is None  # it printed nothing


def test_stdout_of_every_verdict_whole(server):
    tle = submit(server, CHATTY_SPIN_C, cpu_time_limit=0.3)
    long = submit(server, LONG_C, expected_output=LONG_OUTPUT)
    result = server.judge0_final(tle)
    assert result["status"]["id"] == 5 and result["stdout"] == "working\n", result
    result = server.judge0_final(long)
    assert result["status"]["id"] == 3, result
    assert result["stdout"] == LONG_OUTPUT  # 20,000 bytes


def test_run_limits_and_arguments_of_a_request(server):
    args = submit(server, ARGS_C, command_line_arguments=" a  bb\tccc ")
    started = time.time()
    sleeper = submit(server, SLEEP_C, wall_time_limit=0.5)
    flood = submit(server, LONG_C, max_file_size=1)  # 20,000 bytes into 1 KB
    mixed = submit(server, MIXED_C, redirect_stderr_to_stdout=True)
    result = server.judge0_final(args)
    assert result["status"]["id"] == 3 and result["stdout"] == "a|bb|ccc\n", result
    result = server.judge0_final(sleeper)
    assert result["status"]["id"] == 5, result
    assert time.time() - started < 4.5  # its 5 s sleep was cut at 0.5 s (twice: re-run)
    result = server.judge0_final(flood)
    assert result["status"]["id"] == 8 and result["message"] == "output limit exceeded", result
    assert LONG_OUTPUT.startswith(result["stdout"]) and len(result["stdout"]) <= 1024, result
    result = server.judge0_final(mixed)
    assert result["status"]["id"] == 11 and result["stdout"] == "out\nerr\nout2\n", result
    assert result["stderr"] is None, result
    status, body, _ = server.post("/submissions", {"source_code": HELLO_C, "language_id": 50,
                                                   "wall_time_limit": 0, "max_file_size": 99999})
    assert status == 422 and set(body) == {"wall_time_limit", "max_file_size"}, body


def test_compiler_options(server):
    # Two programs of one source: the first one compiled (and cached) is not
    # the second's.
    result = server.judge0_final(submit(server, LOCAL_C))
    assert result["status"]["id"] == 3 and result["stdout"] == "judge\n", result
    local = submit(server, LOCAL_C, compiler_options="-O3  -DLOCAL")
    empty = submit(server, LOCAL_C, compiler_options="")
    bad = submit(server, LOCAL_C, compiler_options="-fno-such-option")
    result = server.judge0_final(local)
    assert result["status"]["id"] == 3 and result["stdout"] == "local\n", result
    assert server.judge0_final(empty)["stdout"] == "judge\n"
    result = server.judge0_final(bad)
    assert result["status"] == {"id": 6, "description": "Compilation Error"}, result
    assert "-fno-such-option" in result["compile_output"], result
    # A language whose compile step takes no options (Python's only checks
    # the syntax): a 422, as in Judge0.
    status, body, _ = server.post("/submissions", {"source_code": "print(1)\n", "language_id": 71,
                                                   "compiler_options": "-O"})
    assert status == 422, body
    assert list(body) == ["compiler_options"] and \
        body["compiler_options"][0].endswith("takes no compiler options"), body
    # No shell reads them: what one would is refused, not guessed at.
    for odd in ('-DX="a b"', "-O2; id", "-O2\n-DX", "x" * 513, 7):
        status, body, _ = server.post("/submissions", {"source_code": LOCAL_C, "language_id": 50,
                                                       "compiler_options": odd})
        assert status == 422 and list(body) == ["compiler_options"], (odd, body)
    status, config, _ = server.get("/config_info")
    assert config["enable_compiler_options"] is True
    assert config["enable_command_line_arguments"] is True
    assert "C (gcc, gnu17)" in config["allowed_languages_for_compile_options"], config
    assert not any("Python" in n for n in config["allowed_languages_for_compile_options"])


def test_wait_and_fields(server):
    status, body, _ = server.post("/submissions?wait=true&fields=status,stdout",
                                  {"source_code": HELLO_C, "language_id": 50, "stdin": "40 2"})
    assert status == 201, body
    assert body == {"status": {"id": 3, "description": "Accepted"}, "stdout": "42\n"}
    token = submit(server, HELLO_C, stdin="1 1")
    server.judge0_final(token)
    status, body, _ = server.get(f"/submissions/{token}")
    assert status == 200
    assert set(body) == {"stdout", "time", "memory", "stderr", "token", "compile_output",
                         "message", "status"}
    status, body, _ = server.get(f"/submissions/{token}?fields=token,exit_code")
    assert body == {"token": token, "exit_code": 0}
    status, body, _ = server.get(f"/submissions/{token}?fields=token,nonsense")
    assert status == 422 and "fields" in body


def test_base64_round_trip_of_output_that_is_not_utf8(server):
    b64 = lambda b: base64.b64encode(b).decode()
    status, body, _ = server.post("/submissions?base64_encoded=true",
                                  {"source_code": b64(BYTES_C.encode()), "language_id": 50,
                                   "stdin": b64(b"\xc3\x28 not utf-8 input\n")})
    assert status == 201, body
    token = body["token"]
    result = server.judge0_final(token, "&base64_encoded=true")
    assert result["status"]["id"] == 3, result
    assert base64.b64decode(result["stdout"]) == NOT_UTF8
    assert base64.b64decode(result["source_code"]).decode() == BYTES_C
    assert base64.b64decode(result["stdin"]) == b"\xc3\x28 not utf-8 input\n"
    # Without base64 the output cannot travel as JSON text: Judge0's error.
    status, body, _ = server.get(f"/submissions/{token}")
    assert status == 200 and "use base64_encoded=true" in body["error"]
    status, body, _ = server.post("/submissions?base64_encoded=true",
                                  {"source_code": "%%% not base64", "language_id": 50})
    assert status == 422 and body == {"source_code": ["is not valid base64"]}


def test_batch(server):
    status, body, _ = server.post("/submissions/batch", {"submissions": [
        {"source_code": HELLO_C, "language_id": 50, "stdin": "2 3", "expected_output": "5"},
        {"source_code": WRONG_C, "language_id": 50, "stdin": "2 3", "expected_output": "5"},
        {"source_code": HELLO_C, "language_id": 4242},
    ]})
    assert status == 201, body
    assert len(body) == 3
    assert body[2] == {"language_id": ["language with id 4242 doesn't exist"]}
    tokens = [body[0]["token"], body[1]["token"]]
    for token in tokens:
        server.judge0_final(token)
    status, body, _ = server.get(f"/submissions/batch?tokens={tokens[0]},{tokens[1]},"
                                 "0123456789abcdef&fields=token,status_id,stdout")
    assert status == 200, body
    assert body == {"submissions": [
        {"token": tokens[0], "status_id": 3, "stdout": "5\n"},
        {"token": tokens[1], "status_id": 4, "stdout": "42\n"},
        None]}
    assert server.post("/submissions/batch", {"submissions": []})[0] == 422
    assert server.post("/submissions/batch", {"submissions": [{}] * 21})[0] == 422
    assert server.get("/submissions/batch")[0] == 422


def test_bad_requests(server):
    status, body, _ = server.post("/submissions", {"language_id": "C", "cpu_time_limit": 999,
                                                   "memory_limit": 1, "stdin": 7,
                                                   "callback_url": "https://127.0.0.1:1/"})
    assert status == 422
    assert set(body) == {"source_code", "language_id", "cpu_time_limit", "memory_limit", "stdin",
                         "callback_url"}, body
    assert body["source_code"] == ["can't be blank"]
    status, body, _ = server.post("/submissions", {"source_code": "x", "language_id": 12345})
    assert status == 422 and body == {"language_id": ["language with id 12345 doesn't exist"]}
    status, body, _ = server.post("/submissions?wait=maybe", {"source_code": "x",
                                                              "language_id": 50})
    assert status == 422 and "wait" in body
    status, body, _ = server.post("/submissions", raw=b'{"source_code": "x", ')
    assert status == 400 and "JSON" in body["error"]
    status, body, _ = server.post("/submissions", [1, 2])
    assert status == 422 and "body" in body
    status, body, _ = server.get("/submissions/0123456789abcdef")
    assert status == 404 and "error" in body
    status, body, _ = server.get("/submissions/..%2F..%2Fetc")
    assert status == 404
    status, body, _ = server.post("/submissions", raw=b'{"source_code": "' + b"x" * (1 << 20) +
                                  b'", "language_id": 50}')
    assert status == 413


def test_problem_api(server, repo_root):
    status, problems, _ = server.get("/api/problems")
    assert status == 200
    by_id = {p["id"]: p for p in problems}
    aplusb = by_id["aplusb"]
    assert aplusb["name"] == "A plus B" and aplusb["type"] == ["pass-fail"]
    assert aplusb["tests"] == 8 and aplusb["samples"] == 2
    assert aplusb["limits"]["time"] == 1 and aplusb["limits"]["memory"] == 256 << 20

    def read(rel):
        with open(os.path.join(repo_root, "problems", "aplusb", "submissions", rel)) as f:
            return f.read()

    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": read("accepted/sol.c"), "language": "c"})
    assert status == 201, body
    ac_id = body["id"]
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": read("wrong_answer/off_by_one.cpp"),
                                   "language": "cpp", "all": True})
    assert status == 201, body
    wa_id = body["id"]
    reports = {}
    deadline = time.time() + 120
    while len(reports) < 2 and time.time() < deadline:
        for sid in (ac_id, wa_id):
            status, report, _ = server.get(f"/api/submissions/{sid}")
            assert status == 200
            if report["verdict"]:
                reports[sid] = report
        time.sleep(0.1)
    assert reports[ac_id]["verdict"] == "AC", reports
    assert len(reports[ac_id]["tests"]) == 8
    assert reports[wa_id]["verdict"] == "WA"
    assert len(reports[wa_id]["tests"]) == 8  # "all": every test ran
    rc, out, err = server.instance.run("results", ac_id, "--json", *server.instance.args())
    assert rc == 0, err
    assert json.loads(out) == reports[ac_id]

    assert server.post("/api/problems/nosuch/submissions", {"source": "x", "language": "c"})[0] \
        == 404
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": "", "language": "brainfudge", "file": "../x.c",
                                   "all": "yes"})
    assert status == 422 and set(body) == {"source", "language", "file", "all"}, body
    assert server.get("/api/submissions/0123456789abcdef")[0] == 404


def test_problem_api_submission_of_several_files(server, repo_root):
    folder = os.path.join(repo_root, "problems", "aplusb", "submissions", "accepted", "python_dir")
    files = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            files.append({"name": name, "content": f.read()})
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"files": files, "language": "python", "entry": "__main__.py"})
    assert status == 201, body
    sid = body["id"]
    deadline = time.time() + 120
    report = {}
    while not report.get("verdict") and time.time() < deadline:
        report = server.get(f"/api/submissions/{sid}")[1]
        time.sleep(0.1)
    assert report["verdict"] == "AC", report

    bad = [
        ({"files": files, "source": "print(1)", "language": "python"}, {"files"}),
        ({"files": [{"name": "../evil.py", "content": "x"}], "language": "python"}, {"files"}),
        ({"files": [{"name": "a.py", "content": "1"}, {"name": "a.py", "content": "2"}],
          "language": "python"}, {"files"}),
        ({"files": [{"name": "a.py"}], "language": "python"}, {"files"}),
        ({"files": [], "language": "python"}, {"files"}),
        ({"files": files, "language": "python", "entry": "nosuch.py"}, {"entry"}),
    ]
    for request, fields in bad:
        status, body, _ = server.post("/api/problems/aplusb/submissions", request)
        assert status == 422 and set(body) == fields, (request, body)


def read_events(server, sid, last_id=None, stop_after=None):
    """GET /api/submissions/SID/events: [(id, type, data)] until the stream
    ends, or until `stop_after` events (then it hangs up)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        headers = {} if last_id is None else {"Last-Event-ID": str(last_id)}
        conn.request("GET", f"/api/submissions/{sid}/events", headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        assert resp.getheader("Content-Type").startswith("text/event-stream")
        events, current = [], {}
        while stop_after is None or len(events) < stop_after:
            line = resp.readline().decode()
            if not line:
                break
            line = line.rstrip("\n")
            if line.startswith(":"):
                continue
            if not line:
                if current:
                    events.append((int(current["id"]), current["event"],
                                   json.loads(current["data"])))
                current = {}
                continue
            key, _, value = line.partition(": ")
            current[key] = value
        return events
    finally:
        conn.close()


def test_web_page_files(server):
    """GET / and the page's files, from the binary, with headers that keep
    the page to its own origin; a name that is not one of them is 404."""
    want = {"/": "text/html", "/index.html": "text/html", "/app.js": "text/javascript",
            "/style.css": "text/css", "/favicon.svg": "image/svg+xml"}
    for path, content_type in want.items():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == 200, path
        assert resp.getheader("Content-Type").startswith(content_type), path
        assert "default-src 'self'" in resp.getheader("Content-Security-Policy"), path
        assert resp.getheader("X-Content-Type-Options") == "nosniff"
        assert len(body) > 100, path
    assert b"/api/submissions/" in server.get("/app.js")[2]
    for path in ("/nosuch.js", "/appXjs", "/../README.md", "/web/app.js", "/index.html/"):
        assert server.get(path)[0] == 404, path
    assert server.post("/")[0] == 404


def test_languages_and_recent_submissions(server, repo_root):
    status, langs, _ = server.get("/api/languages")
    assert status == 200
    by_id = {lang["id"]: lang for lang in langs}
    assert "cpp" in by_id["cpp"]["extensions"] and "py" in by_id["cpython"]["extensions"]
    judge0_token = submit(server, HELLO_C, stdin="1 2")
    ids = []
    for path in ("accepted/sol.c", "wrong_answer/off_by_one.cpp"):
        with open(os.path.join(repo_root, "problems", "aplusb", "submissions", path)) as f:
            lang = "c" if path.endswith(".c") else "cpp"
            status, body, _ = server.post("/api/problems/aplusb/submissions",
                                          {"source": f.read(), "language": lang})
        assert status == 201, body
        ids.append(body["id"])
    server.judge0_final(judge0_token)
    deadline = time.time() + 120
    while time.time() < deadline:
        status, listed, _ = server.get("/api/submissions?limit=2")
        assert status == 200
        if [s["verdict"] for s in listed] == ["WA", "AC"]:
            break
        time.sleep(0.1)
    assert [s["id"] for s in listed] == ids[::-1], listed  # newest first
    assert [s["verdict"] for s in listed] == ["WA", "AC"], listed
    assert listed[0]["problem"] == "aplusb" and listed[0]["tests_total"] == 8
    assert listed[1]["tests_passed"] == 8 and listed[1]["language"] == "c"
    status, listed, _ = server.get("/api/submissions?limit=100")
    assert judge0_token not in [s["id"] for s in listed], "Judge0's are not the problem API's"
    status, listed, _ = server.get("/api/submissions?problem=aplusb&limit=1")
    assert status == 200 and [s["id"] for s in listed] == ids[1:]
    assert server.get("/api/submissions?problem=nosuch")[0] == 404
    for bad in ("0", "101", "x", "-1"):
        status, body, _ = server.get(f"/api/submissions?limit={bad}")
        assert status == 422 and "limit" in body, bad


def test_event_stream_resumes_with_last_event_id(server, repo_root):
    with open(os.path.join(repo_root, "problems", "aplusb", "submissions", "accepted",
                           "sol.c")) as f:
        source = f.read()
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": source, "language": "c", "all": True})
    assert status == 201, body
    sid = body["id"]
    # A client that hangs up after three events, then comes back.
    first = read_events(server, sid, stop_after=3)
    assert len(first) == 3
    rest = read_events(server, sid, last_id=first[-1][0])
    got = first + rest
    ids = [e[0] for e in got]
    assert ids == list(range(len(got))), ids  # every event once, in order
    types = [e[1] for e in got]
    assert types[:3] == ["queued", "compiling", "compiled"] and types[-1] == "final", types
    assert types.count("test") == 8
    assert got[2][2]["ok"] is True
    assert got[-1][2]["verdict"] == "AC"
    assert all("pid" not in e[2] for e in got)
    with server.instance.db() as db:
        stored = [r[0] for r in db.execute(
            "SELECT seq FROM events WHERE submission_id = ? ORDER BY seq", (sid,))]
    assert ids == stored
    # A stream of a judged submission is its whole story, then the end.
    assert [e[0] for e in read_events(server, sid)] == ids
    assert read_events(server, sid, last_id=ids[-1]) == []
    status, body, _ = server.get(f"/api/submissions/{sid}/events",
                                 headers={"Last-Event-ID": "x"})
    assert status == 422 and "Last-Event-ID" in body
    assert server.get("/api/submissions/0123456789abcdef/events")[0] == 404


def test_health(server):
    status, body, _ = server.get("/api/health")
    assert status == 200
    assert body["collector"] is True and body["status"] == "ok"
    # The pool's two workers each say so once they run.
    assert e2e_support.wait_for(lambda: server.get("/api/health")[1]["workers"] == 2,
                                timeout=30), server.get("/api/health")[1]
    status, workers, _ = server.get("/workers")
    assert status == 200 and len(workers) == 1
    assert workers[0]["available"] == 2 and workers[0]["idle"] + workers[0]["working"] == 2
    status, config, _ = server.get("/config_info")
    assert status == 200
    assert config["max_submission_batch_size"] == 20 and config["enable_batched_submissions"]
    assert config["cpu_time_limit"] == 5 and config["max_memory_limit"] == 512000
    assert config["enable_callbacks"] is False


def test_listen_backlog_takes_bursts_of_connections(server):
    """The HTTP library listens with a backlog of 5; beyond it, a burst of
    new connections waits a second for the client's retry, or is reset.
    serve widens it: the listening socket's backlog (ss's Send-Q) is large."""
    out = subprocess.run(["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out and out[0] == "LISTEN" and int(out[2]) >= 128, out


def test_load_from_concurrent_clients(instance):
    """LOAD_SUBMISSIONS Judge0 submissions from LOAD_CLIENTS concurrent
    clients: every one gets its own final verdict, none is lost, and
    /api/health answers throughout (its latencies are printed)."""
    server = Server(instance, "--jobs", "2")
    per_client = LOAD_SUBMISSIONS // LOAD_CLIENTS
    done = threading.Event()
    latencies = []

    def watch_health():
        while not done.is_set():
            start = time.monotonic()
            status, body, _ = server.get("/api/health")
            latencies.append(time.monotonic() - start)
            assert status == 200 and body["collector"], body
            time.sleep(0.02)  # enough calls that the 99th percentile is not the slowest one

    def client(n):
        want = {}
        for i in range(per_client):
            # n + i is never 42: WRONG_C is always wrong.
            source, status = (HELLO_C, 3) if i % 2 == 0 else (WRONG_C, 4)
            token = submit(server, source, stdin=f"{n} {i}\n", expected_output=str(n + i))
            want[token] = status
        got = {token: server.judge0_final(token, timeout=600)["status"]["id"] for token in want}
        return want, got

    watcher = threading.Thread(target=watch_health)
    watcher.start()
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
            results = list(pool.map(client, range(LOAD_CLIENTS)))
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - start
    want, got = {}, {}
    for w, g in results:
        want.update(w)
        got.update(g)
    assert len(want) == per_client * LOAD_CLIENTS  # every token its own
    assert got == want
    with instance.db() as db:
        finals = db.execute("SELECT COUNT(*) FROM events WHERE type = 'final'").fetchone()[0]
    assert finals == len(want)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"\nload: {len(want)} submissions from {LOAD_CLIENTS} clients judged in "
          f"{elapsed:.1f} s; /api/health {len(latencies)} calls, median "
          f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms")
    assert p99 < 0.1, latencies[-5:]


def test_auth_token(instance):
    server = Server(instance, "--no-workers", "--auth-token", "s3cret")
    assert server.get("/statuses")[0] == 401
    assert server.get("/statuses", headers={"X-Auth-Token": "s3cre"})[0] == 401
    status, body, _ = server.get("/statuses", headers={"X-Auth-Token": "s3cret"})
    assert status == 200 and len(body) == 14
    status, body, _ = server.post("/submissions", {"source_code": "x", "language_id": 50})
    assert status == 401
    # The page holds nothing and asks for the token; what it reads needs it.
    status, _, page = server.get("/")
    assert status == 200 and b"<title>pipejudge</title>" in page
    assert server.get("/app.js")[0] == 200
    assert server.get("/api/submissions")[0] == 401
    assert server.get("/api/problems")[0] == 401


def test_queue_full_and_cancel(instance):
    server = Server(instance, "--no-workers", "--max-queued", "1")
    token = submit(server, HELLO_C)
    status, body, _ = server.post("/submissions", {"source_code": HELLO_C, "language_id": 50})
    assert status == 503 and body == {"error": "queue is full"}
    assert server.get(f"/submissions/{token}")[1]["status"]["id"] == 1  # In Queue
    # No worker runs: it waits until it is cancelled.
    status, body, _ = server.post(f"/api/submissions/{token}/cancel")
    assert status == 200 and body == {"id": token, "cancelled": True, "was": "queued"}, body
    result = server.judge0_final(token, timeout=30)
    assert result["status"]["id"] == 13 and result["message"] == "cancelled (not judged)"
    status, body, _ = server.get(f"/api/submissions/{token}")
    assert body["verdict"] == "CANCELLED", body
    status, body, _ = server.post(f"/api/submissions/{token}/cancel")
    assert status == 409 and body["verdict"] == "CANCELLED"
    assert server.post("/api/submissions/0123456789abcdef/cancel")[0] == 404
    # The queue has room again.
    assert submit(server, HELLO_C)


def children_of(pid):
    """{pid: cmdline} of the direct children of `pid`."""
    return {p: cmd for p, ppid, cmd in e2e_support.processes() if ppid == pid}


def child_running(server, word):
    """The pid of serve's child whose command is `pipejudge WORD ...`, or None."""
    for pid, cmd in children_of(server.proc.pid).items():
        argv = cmd.split(b"\0")
        if len(argv) > 1 and argv[1] == word.encode():
            return pid
    return None


def test_collector_and_workers_that_die_are_started_again(instance):
    server = Server(instance, "--jobs", "1")
    for word in ("collector", "worker"):
        pid = child_running(server, word)
        assert pid, (word, children_of(server.proc.pid))
        os.kill(pid, signal.SIGKILL)
        assert e2e_support.wait_for(lambda: child_running(server, word) not in (None, pid),
                                    timeout=30), (word, server.log())
    assert "starting another" in server.log()
    status, body, _ = server.post("/submissions?wait=true",
                                  {"source_code": HELLO_C, "language_id": 50, "stdin": "2 2"})
    assert status == 201 and body["status"]["id"] == 3 and body["stdout"] == "4\n", body
    assert server.get("/api/health")[1]["collector"] is True


def test_sigterm_stops_everything(instance):
    server = Server(instance, "--jobs", "1")
    children = e2e_support.descendants([server.proc.pid])
    assert children, "serve started no collector or workers"
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=60) == 0, server.log()
    assert e2e_support.wait_for(lambda: not e2e_support.descendants([server.proc.pid]) and
                                not any(os.path.exists(f"/proc/{p}") for p in children),
                                timeout=10)


def test_warns_when_reachable_without_a_token(instance):
    rc, out, err = instance.run("serve", "--listen", "nowhere.invalid:0", "--no-workers",
                                *instance.args(), timeout=60)
    assert rc == 2 and "warning" in err and "auth token" in err, err


def test_usage_errors(instance):
    for argv, said in ((["--listen", "2358"], "HOST:PORT"),
                       (["--listen", "127.0.0.1:99999"], "port"),
                       (["--no-workers", "--jobs", "2"], "excludes"),
                       (["--problems", "/nonexistent-dir"], "not a directory")):
        rc, out, err = instance.run("serve", *argv, *instance.args(), timeout=60)
        assert rc == 2 and said in err, (argv, rc, err)


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
