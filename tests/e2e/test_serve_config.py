"""End-to-end: `pipejudge serve --config FILE` and `--print-config`, and the
per-client limit on submissions waiting for their verdict.

  * --print-config shows the effective configuration: the file's settings,
    options given on the command line over them, the defaults elsewhere,
    tokens and the webhook secret redacted; what it prints is itself a
    configuration file that gives the same;
  * a file that is not valid (an unknown key, a value out of range or of
    the wrong type) is a usage error naming the file and the key;
  * a serve started from a file: its auth tokens, limits, body limit and
    problems hold; a client (token) with max_queued_per_client submissions
    waiting gets 429, another client does not, and one judged (here:
    cancelled) makes room.
"""
import os
import sys

import e2e_support
from serve_support import Server

HELLO_C = '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n'


def write_config(instance, text, name="serve.yaml"):
    """Writes it into the instance's state directory (a temporary one)."""
    os.makedirs(instance.state, exist_ok=True)
    path = os.path.join(instance.state, name)
    e2e_support.write(path, text)
    return path


def print_config(instance, *argv):
    rc, out, err = instance.run("serve", *argv, "--print-config", *instance.args(), timeout=60)
    assert rc == 0, err
    return out


def test_print_config_merges_file_options_and_defaults(instance, repo_root):
    problems = os.path.join(repo_root, "problems")
    config = write_config(instance, f"""
listen: 127.0.0.1:8080
auth_tokens: [alpha, beta]
problems: {problems}
workers: 3
max_queued_per_client: 5
limits:
  cpu_time: {{default: 2, max: 4}}
webhooks: {{secret: shh, retry_for: 60}}
""")
    out = print_config(instance, "--config", config, "--listen", "127.0.0.1:9000",
                       "--webhook-timeout", "2.5")
    lines = out.splitlines()
    assert "listen: 127.0.0.1:9000" in lines, out  # the option wins
    assert "auth_tokens: [<redacted>, <redacted>]" in lines, out
    assert "alpha" not in out and "shh" not in out
    assert f"problems: {problems}" in lines and "workers: 3" in lines, out
    assert "max_queued_per_client: 5" in lines and "max_queued: 1000" in lines, out
    assert "  cpu_time: {default: 2, max: 4}" in lines, out
    assert "  memory_kb: {default: 128000, min: 2048, max: 512000}" in lines, out
    assert "  secret: <redacted>" in lines and "  retry_for: 60" in lines, out
    assert "  timeout: 2.5" in lines, out
    # What it prints is a configuration file that gives the same.
    again = write_config(instance, out, "printed.yaml")
    assert print_config(instance, "--config", again) == out
    # Without a file: the defaults.
    out = print_config(instance, "--jobs", "2")
    assert "listen: 127.0.0.1:2358" in out and "auth_tokens: []" in out and "problems: ~" in out
    assert "max_body_kib: 1024" in out and "  secret: ~" in out and "workers: 2" in out


def test_bad_config_files(instance):
    for text, said in (("bogus: 1\n", "unknown key 'bogus'"),
                       ("limits: {cpu_time: {default: 20}}\n",
                        "'limits.cpu_time.default' must be from"),
                       ("workers: [1]\n", "'workers' has a value of the wrong type"),
                       ("webhooks: {secret: x, tries: 3}\n", "unknown key 'webhooks.tries'"),
                       ("listen: nowhere\n", "HOST:PORT"),
                       ("max_body_kib: 0\n", "'max_body_kib' must be from 1"),
                       ("auth_tokens: ['']\n", "empty token"),
                       ("[1, 2]\n", "")):
        path = write_config(instance, text)
        rc, out, err = instance.run("serve", "--config", path, "--print-config", *instance.args(),
                                    timeout=60)
        assert rc == 2 and "serve.yaml" in err and said in err, (text, rc, err)
    rc, out, err = instance.run("serve", "--config", "/nonexistent.yaml", *instance.args(),
                                timeout=60)
    assert rc == 2, err


def test_serve_from_a_config_file(instance, repo_root):
    config = write_config(instance, f"""
auth_tokens: [alpha, beta]
problems: {os.path.relpath(os.path.join(repo_root, "problems"), instance.state)}
max_body_kib: 16
max_queued_per_client: 2
limits:
  source_max_kib: 8
  cpu_time: {{default: 2, max: 4}}
""")
    # Relative to the file's directory; --no-workers: the jobs stay queued.
    problems = os.path.normpath(os.path.abspath(os.path.join(repo_root, "problems")))
    assert f"problems: {problems}" in print_config(instance, "--config", config).splitlines()
    server = Server(instance, "--config", config, "--no-workers")
    alpha, beta = {"X-Auth-Token": "alpha"}, {"X-Auth-Token": "beta"}
    assert server.get("/api/problems")[0] == 401
    status, problems, _ = server.get("/api/problems", headers=alpha)
    assert status == 200 and "aplusb" in [p["id"] for p in problems]
    status, info, _ = server.get("/config_info", headers=beta)
    assert info["cpu_time_limit"] == 2 and info["max_cpu_time_limit"] == 4, info
    job = {"source_code": HELLO_C, "language_id": 50}
    status, body, _ = server.post("/submissions", {**job, "cpu_time_limit": 5}, headers=alpha)
    assert status == 422 and "cpu_time_limit" in body, body
    status, body, _ = server.post("/submissions", {**job, "source_code": "x" * 9000},
                                  headers=alpha)
    assert status == 422 and "8192 bytes" in body["source_code"][0], body
    status, body, _ = server.post("/submissions", {**job, "stdin": "y" * 20000}, headers=alpha)
    assert status == 413, body

    tokens = []
    for _ in range(2):
        status, body, _ = server.post("/submissions", job, headers=alpha)
        assert status == 201, body
        tokens.append(body["token"])
    status, body, _ = server.post("/submissions", job, headers=alpha)
    assert status == 429 and "at most 2" in body["error"], body
    status, body, _ = server.post("/api/problems/aplusb/submissions",
                                  {"source": HELLO_C, "language": "c"}, headers=alpha)
    assert status == 429, body
    status, body, _ = server.post("/submissions/batch", {"submissions": [job]}, headers=alpha)
    assert status == 201 and "error" in body[0], body
    # Another client is not held back.
    status, body, _ = server.post("/submissions", job, headers=beta)
    assert status == 201, body
    # One of alpha's judged (cancelled): room for one more.
    status, body, _ = server.post(f"/api/submissions/{tokens[0]}/cancel", headers=alpha)
    assert status == 200, body
    server.judge0_final(tokens[0], headers=alpha)
    status, body, _ = server.post("/submissions", job, headers=alpha)
    assert status == 201, body
    assert server.post("/submissions", job, headers=alpha)[0] == 429


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
