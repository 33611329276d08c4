"""End-to-end, in a browser: the web page of `pipejudge serve`.

A real `pipejudge serve` on a free loopback port with the bundled problems
and two workers; headless Chromium (playwright-core, tests/browser/) opens
its page at /, uploads the bundled A+B solution (problems/aplusb, C++) and
submits it, then pastes a wrong one (Python) and submits it; each time it
waits for the live rows of the tests and the verdict; then one that does
not compile, whose compiler output it shows; then it reads the recent
submissions. The screenshot is kept beside the binary under test
(artifacts/serve-page.png). With an auth token required, the page loads
without it, asks for it, and with it lists the problems and judges.
"""
import json
import os

import e2e_support
from serve_support import Server


def test_page_submits_and_shows_live_verdicts(instance, pipejudge, repo_root):
    server = Server(instance, "--jobs", "2", "--problems", os.path.join(repo_root, "problems"))
    artifacts = os.path.join(os.path.dirname(pipejudge), "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "serve-page.png")
    if os.path.exists(shot):
        os.remove(shot)
    subs = os.path.join(repo_root, "problems", "aplusb", "submissions")
    script = os.path.join(repo_root, "tests", "browser", "serve_page.mjs")
    rc, out, err = e2e_support.run(
        ["node", script, f"http://127.0.0.1:{server.port}/", shot, "aplusb",
         os.path.join(subs, "accepted", "sol.cpp"), os.path.join(subs, "wrong_answer", "wa.py"),
         "cpython", os.path.join(subs, "compile_error", "syntax.cpp")],
        os.path.dirname(script), 300)
    assert rc == 0, f"the browser check: exit {rc}: {err[-1500:]} {server.log()[-1500:]}"
    facts = json.loads(out.strip().splitlines()[-1])
    assert facts["errors"] == [], facts["errors"]
    assert facts["problem_info"].startswith("A plus B: 8 tests"), facts["problem_info"]
    assert facts["uploaded_language"] == "cpp", "the language follows the uploaded file's extension"

    first, second = facts["first"], facts["second"]
    assert first["verdict"] == "AC", first
    assert [r["verdict"] for r in first["rows"]] == ["AC"] * 8, first["rows"]
    assert all(r["class"] == "test pass" for r in first["rows"]), first["rows"]
    assert first["rows"][0]["name"] == "sample/1"
    # Each row turned green as its test event came, before the verdict.
    assert first["changes"] == [f"test {i} AC" for i in range(8)] + ["verdict AC"], first
    assert first["status"].startswith("8 of 8 tests passed"), first

    assert second["verdict"] == "WA", second
    assert second["rows"][0] == {"name": "sample/1", "verdict": "WA", "class": "test fail"}
    assert all(r["class"] == "test skipped" for r in second["rows"][1:]), second["rows"]
    assert second["changes"] == ["test 0 WA", "verdict WA"], second
    assert "expected '3'" in second["status"], second

    third = facts["third"]
    assert third["verdict"] == "CE" and third["changes"] == ["verdict CE"], third
    assert facts["compile_output_shown"], facts
    assert "error" in facts["compile_output"], facts["compile_output"]

    assert facts["recent"][:3] == [{"id": third["id"], "verdict": "CE"},
                                   {"id": second["id"], "verdict": "WA"},
                                   {"id": first["id"], "verdict": "AC"}], facts["recent"]
    # The page showed what the API stores.
    for sub in (first, second):
        status, report, _ = server.get(f"/api/submissions/{sub['id']}")
        assert status == 200 and report["verdict"] == sub["verdict"]
        assert report["language"] == ("cpp" if sub is first else "cpython")
    assert os.path.getsize(shot) > 20000


def test_page_asks_for_the_auth_token(instance, repo_root):
    server = Server(instance, "--jobs", "1", "--problems", os.path.join(repo_root, "problems"),
                    "--auth-token", "page-token")
    script = os.path.join(repo_root, "tests", "browser", "serve_page_token.mjs")
    rc, out, err = e2e_support.run(
        ["node", script, f"http://127.0.0.1:{server.port}/", "page-token", "aplusb",
         os.path.join(repo_root, "problems", "aplusb", "submissions", "accepted", "sol.py"),
         "cpython"], os.path.dirname(script), 300)
    assert rc == 0, f"the browser check: exit {rc}: {err[-1500:]} {server.log()[-1500:]}"
    facts = json.loads(out.strip().splitlines()[-1])
    # The page's own requests were refused (401) until the token was typed.
    assert facts["problems_before"] == 0, facts
    assert facts["verdict"] == "AC" and facts["rows"] == 8, facts
    assert facts["token_kept"] and facts["errors"] == [], facts
