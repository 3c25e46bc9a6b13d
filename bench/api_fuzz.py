"""Schema-driven fuzzing of /api/v1 (issue 13): schemathesis against our own OpenAPI document.

The demo's data (seeded conversations, contacts, channel accounts, an admin token) in a fresh
PostgreSQL database, the demo app (inbox + sandboxes) served over loopback HTTP by a threaded
WSGI server in this process, and the `schemathesis` CLI run against
`/api/v1/openapi.json` with the admin's token. It passes when schemathesis reports no
failure of the checks below: no 5xx, every status code and content type documented, every
response body matching its schema.

Too slow for CI's budget; run by hand after changing the API or its document:

    .venv/bin/python bench/api_fuzz.py                   # ~5 minutes on 2 cores
    .venv/bin/python bench/api_fuzz.py --max-examples 20 # a quicker look

The command and its last result are in docs/security.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import fresh_pg_database  # noqa: E402

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workers", default="1")
    parser.add_argument("--checks", default=",".join(CHECKS))
    args = parser.parse_args()

    from cli.demo import demo_app, prepare
    from switchboard.settings import Settings

    url = fresh_pg_database("bench_api_fuzz")
    instance = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
    settings = Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(instance),
            "SECRET_KEY": "api-fuzz",
            "SWITCHBOARD_ENCRYPTION_KEY": "api-fuzz",
            "SWITCHBOARD_FAKE_CONNECTOR": "demo",
        }
    )
    os.environ["SWITCHBOARD_DOTENV"] = "/nonexistent"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), threaded=True)
    port = server.server_port
    info = prepare(host="127.0.0.1", port=port, settings=settings)
    app = demo_app(info["runtime"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(ROOT / ".venv" / "bin" / "schemathesis"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {info['token']}",
        "--checks",
        args.checks,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        args.workers,
        "--generation-database",
        "none",
        "--no-color",
        "--suppress-health-check",
        "all",
    ]
    shown = [p if not p.startswith("Authorization") else "Authorization: Bearer …" for p in command]
    print("$", " ".join(shown), flush=True)
    started = time.monotonic()
    result = subprocess.run(command, check=False, cwd=instance)  # its .schemathesis/ cache
    elapsed = time.monotonic() - started
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"schemathesis exit code {result.returncode} after {elapsed:.0f} s; load {load}")
    server.shutdown()
    info["runtime"].close()
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
