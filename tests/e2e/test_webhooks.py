"""End-to-end: the webhooks of `pipejudge serve`.

A real `serve` (its own instance, two workers, the bundled problems) and a
receiver started by the test on 127.0.0.1 that answers as each test tells
it (500s, then 200):

  * the problem API's callback_url: a POST of the report on the final
    verdict; a receiver that answers 500 twice, then 200, gets exactly one
    accepted delivery after two retries spaced by the back-off, every try
    with the same body, a valid X-Pipejudge-Signature (HMAC-SHA256 of the
    body with the secret) and the Idempotency-Key "<id>-<final seq>"; the
    delivery's state in GET /api/submissions/{id};
  * Judge0's callback_url: a PUT of Judge0's default fields, base64;
  * serve SIGKILLed after a failed try and started again on the same
    instance still delivers, once, with the same key;
  * a callback to a receiver that never accepts (or to no one) is given
    up after --webhook-retry-for seconds, and says so;
  * callback_url refused (422) without a secret, or when not http://.
"""
import base64
import hashlib
import hmac
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import e2e_support
from serve_support import Server

SECRET = "webhook-test-secret"


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers
    with the statuses of `answers` in turn (then `then`)."""

    def __init__(self, answers=(), then=200):
        self.answers = list(answers)
        self.then = then
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = receiver.answers.pop(0) if receiver.answers else receiver.then
                    receiver.requests.append({"method": self.command, "path": self.path,
                                              "headers": dict(self.headers), "body": body,
                                              "status": status, "at": time.monotonic()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = handle_one

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def accepted(self):
        with self.lock:
            return [r for r in self.requests if 200 <= r["status"] < 300]

    def wait(self, pred, timeout=90):
        assert e2e_support.wait_for(pred, timeout=timeout), self.requests

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*args, **kwargs):
        made.append(Receiver(*args, **kwargs))
        return made[-1]
    yield make
    for r in made:
        r.close()


def start(instance, repo_root, *extra):
    return Server(instance, "--jobs", "2", "--problems", os.path.join(repo_root, "problems"),
                  "--webhook-secret", SECRET, *extra)


def aplusb(repo_root, path):
    with open(os.path.join(repo_root, "problems", "aplusb", "submissions", path)) as f:
        return f.read()


def signed(request):
    want = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"].get("X-Pipejudge-Signature", ""), want)


def final_seq(instance, sid):
    with instance.db() as db:
        return db.execute("SELECT seq FROM events WHERE submission_id = ? AND type = 'final'",
                          (sid,)).fetchone()[0]


def post_problem(server, repo_root, url, path="accepted/sol.c", language="c"):
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": aplusb(repo_root, path), "language": language,
                                   "callback_url": url})
    assert status == 201, body
    return body["id"]


def test_problem_callback_retried_until_accepted(instance, repo_root, receiver):
    rec = receiver(answers=[500, 500])
    server = start(instance, repo_root)
    sid = post_problem(server, repo_root, rec.url + "/hook?site=1")
    status, report, _ = server.get(f"/api/submissions/{sid}")
    assert report["webhook"]["state"] in ("waiting", "pending", "delivered"), report["webhook"]
    rec.wait(lambda: rec.accepted())
    time.sleep(2.5)  # nothing more comes once one is accepted
    assert len(rec.requests) == 3, rec.requests
    assert len(rec.accepted()) == 1
    assert [r["status"] for r in rec.requests] == [500, 500, 200]
    key = f"{sid}-{final_seq(instance, sid)}"
    for n, r in enumerate(rec.requests, 1):
        assert r["method"] == "POST" and r["path"] == "/hook?site=1"
        assert r["headers"]["Content-Type"] == "application/json"
        assert r["headers"]["Idempotency-Key"] == key
        assert r["headers"]["X-Pipejudge-Attempt"] == str(n)
        assert signed(r), r["headers"]
        assert r["body"] == rec.requests[0]["body"]
    # Exponential back-off: about 1 s, then 2 s.
    gaps = [b["at"] - a["at"] for a, b in zip(rec.requests, rec.requests[1:])]
    assert 0.8 < gaps[0] < 2.5 and 1.8 < gaps[1] < 4.5 and gaps[1] > gaps[0], gaps
    # The body is the report, as the API gives it.
    sent = json.loads(rec.requests[0]["body"])
    status, report, _ = server.get(f"/api/submissions/{sid}")
    webhook = report.pop("webhook")
    assert sent == report and sent["verdict"] == "AC"
    assert webhook["state"] == "delivered" and webhook["attempts"] == 3, webhook
    assert webhook["last_status"] == 200 and webhook["idempotency_key"] == key
    assert webhook["url"] == rec.url + "/hook?site=1" and webhook["method"] == "POST"
    # A tampered body does not verify.
    forged = dict(rec.requests[0], body=rec.requests[0]["body"].replace(b'"AC"', b'"WA"'))
    assert not signed(forged)


def test_judge0_callback_is_a_put_of_judge0_fields(instance, repo_root, receiver):
    rec = receiver()
    server = start(instance, repo_root)
    status, body, _ = server.post("/submissions", {
        "source_code": aplusb(repo_root, "accepted/sol.c"), "language_id": 50, "stdin": "2 3",
        "expected_output": "5", "callback_url": rec.url + "/judge0"})
    assert status == 201, body
    token = body["token"]
    rec.wait(lambda: rec.accepted())
    [r] = rec.requests
    assert r["method"] == "PUT" and r["path"] == "/judge0" and signed(r)
    assert r["headers"]["Idempotency-Key"] == f"{token}-{final_seq(instance, token)}"
    sent = json.loads(r["body"])
    assert set(sent) == {"stdout", "time", "memory", "stderr", "token", "compile_output",
                         "message", "status"}, sent
    assert sent["token"] == token and sent["status"] == {"id": 3, "description": "Accepted"}
    assert base64.b64decode(sent["stdout"]) == b"5\n"
    status, info, _ = server.get("/config_info")
    assert info["enable_callbacks"] is True and info["callbacks_max_tries"] > 3
    # In a batch too, each with its own.
    status, body, _ = server.post("/submissions/batch", {"submissions": [
        {"source_code": aplusb(repo_root, "accepted/sol.c"), "language_id": 50,
         "stdin": "1 1", "callback_url": rec.url + f"/batch/{n}"} for n in range(2)]})
    assert status == 201, body
    rec.wait(lambda: len(rec.accepted()) == 3)
    by_path = {r["path"]: json.loads(r["body"]) for r in rec.requests[1:]}
    assert {p: b["token"] for p, b in by_path.items()} == {
        "/batch/0": body[0]["token"], "/batch/1": body[1]["token"]}, by_path


def test_delivered_after_serve_is_killed_and_started_again(instance, repo_root, receiver):
    rec = receiver(then=500)
    server = start(instance, repo_root)
    sid = post_problem(server, repo_root, rec.url + "/hook")
    # Killed between tries: once the first failed one is recorded.
    assert e2e_support.wait_for(
        lambda: server.get(f"/api/submissions/{sid}")[1]["webhook"]["attempts"] >= 1, timeout=90)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(30)
    # Its collector and workers end with it (they are told when it dies).
    time.sleep(1)
    tries_before = len(rec.requests)
    rec.then = 200
    server = start(instance, repo_root)
    rec.wait(lambda: rec.accepted())
    time.sleep(2.5)
    assert len(rec.accepted()) == 1, rec.requests
    assert len(rec.requests) == tries_before + 1, rec.requests
    keys = {r["headers"]["Idempotency-Key"] for r in rec.requests}
    assert keys == {f"{sid}-{final_seq(instance, sid)}"}
    assert all(signed(r) for r in rec.requests)
    assert len({r["body"] for r in rec.requests}) == 1
    status, report, _ = server.get(f"/api/submissions/{sid}")
    assert report["webhook"]["state"] == "delivered", report["webhook"]
    assert report["webhook"]["attempts"] == tries_before + 1


def test_given_up_after_the_retry_time(instance, repo_root, receiver):
    rec = receiver(then=503)
    server = start(instance, repo_root, "--webhook-retry-for", "2.5")
    sid = post_problem(server, repo_root, rec.url + "/down")

    def given_up():
        return server.get(f"/api/submissions/{sid}")[1]["webhook"]["state"] == "failed"
    assert e2e_support.wait_for(given_up, timeout=90)
    webhook = server.get(f"/api/submissions/{sid}")[1]["webhook"]
    # Tries at 0, 1 and 3 s after the verdict: the next (7 s) is past 2.5 s.
    assert webhook["attempts"] == 2 and len(rec.requests) == 2, (webhook, rec.requests)
    assert webhook["last_status"] == 503 and webhook["last_error"] == "HTTP 503"


def test_unreachable_receiver(instance, repo_root):
    """No one listens: the try fails with the client's error; with no retry
    time left, the webhook is given up at once."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start(instance, repo_root, "--webhook-retry-for", "0")
    sid = post_problem(server, repo_root, f"http://127.0.0.1:{port}/nobody")

    def webhook():
        return server.get(f"/api/submissions/{sid}")[1]["webhook"]
    assert e2e_support.wait_for(lambda: webhook()["state"] == "failed", timeout=90), webhook()
    w = webhook()
    assert w["attempts"] == 1 and w["last_status"] is None and w["last_error"], w


def test_callback_url_refused(instance, repo_root, receiver):
    server = Server(instance, "--no-workers", "--problems", os.path.join(repo_root, "problems"))
    status, body, _ = server.post("/submissions", {"source_code": "x", "language_id": 50,
                                                   "callback_url": "http://127.0.0.1:9/"})
    assert status == 422 and "webhook secret" in body["callback_url"][0], body
    status, body, _ = server.post("/api/problems/aplusb/submissions", {
        "source": "x", "language": "c", "callback_url": "http://127.0.0.1:9/"})
    assert status == 422 and list(body) == ["callback_url"], body
    status, info, _ = server.get("/config_info")
    assert info["enable_callbacks"] is False
    for bad in ("https://example.org/", "file:///etc/passwd", "http://a@b/", 7):
        status, body, _ = server.post("/api/problems/aplusb/submissions",
                                      {"source": "x", "language": "c", "callback_url": bad})
        assert status == 422 and "callback_url" in body, (bad, body)
