"""A running `pipejudge serve` for the end-to-end suites, and a small JSON
client for it (Python's standard library only)."""
import http.client
import json
import os
import subprocess
import time


class Server:
    """A running `pipejudge serve` and a small JSON client for it."""

    def __init__(self, instance, *extra):
        self.instance = instance
        os.makedirs(instance.state, exist_ok=True)
        self.err_path = os.path.join(instance.state, "serve.log")
        self.err = open(self.err_path, "ab")
        self.proc = subprocess.Popen(
            [instance.pipejudge, "serve", "--listen", "127.0.0.1:0", *instance.args(), "--no-sync",
             *extra], cwd=instance.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.err)
        instance.procs.append(self.proc)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening http://127.0.0.1:"):
            raise RuntimeError(f"serve did not start: {line!r} {self.log()}")
        self.port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))

    def log(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, parsed JSON body or None, raw body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            data = raw if raw is not None else (None if body is None else json.dumps(body))
            h = {"Content-Type": "application/json"} if data is not None else {}
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            content = resp.read()
        finally:
            conn.close()
        try:
            parsed = json.loads(content) if content else None
        except ValueError:
            parsed = None
        return resp.status, parsed, content

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def judge0_final(self, token, query="", timeout=120, headers=None):
        """GET /submissions/TOKEN until its status is past In Queue and Processing."""
        deadline = time.time() + timeout
        while True:
            status, body, _ = self.get(f"/submissions/{token}?fields=*{query}", headers=headers)
            assert status == 200, body
            if body["status"]["id"] > 2 or time.time() > deadline:
                return body
            time.sleep(0.1)
