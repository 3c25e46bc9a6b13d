"""What a long-lived command loads (issue 12, `thru`): `switchboard worker` and `poll` must not
load the web app (Flask), the emulators, the demo data or alembic — each is memory the idle
worker keeps for weeks and start-up time every `poll` process pays.

Each case runs the real command in a fresh interpreter (the test process has imported half the
project already) up to the point where it would start working, and lists `sys.modules` there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inbox.migrate import upgrade
from tests.conftest import REDIS_TEST_URL

# The worker's start-up check runs, then run_worker would take over: we stop there instead.
WORKER = """
import json, sys
import workers.rq_worker
from cli.commands import main

def stop(settings, queues):
    print(json.dumps(sorted(sys.modules)))
    raise SystemExit(0)

workers.rq_worker.run_worker = stop
main(["worker"])
"""

# A poll of an account that does not exist: settings, runtime and database, then a clear error.
POLL = """
import json, sys
from cli.commands import main

try:
    main(["poll", "424242"], standalone_mode=False)
except Exception as exc:
    print("failed:", exc, file=sys.stderr)
print(json.dumps(sorted(sys.modules)))
"""

# A poll of an email account whose IMAP server is a closed port: the email connector is built
# and connects, then the poll fails at once (what bench/poll_startup.py times).
POLL_EMAIL = """
import json, sys
from cli.commands import main

for args in (
    ["channel", "add", "email", "--name", "probe", "--external-id", "m@probe.test",
     "--credential", "imap_password=x", "--option", "imap_host=127.0.0.1",
     "--option", "imap_port=1", "--option", "imap_tls=none", "--option", "imap_user=m",
     "--no-check"],
    ["poll", "1"],
):
    try:
        main(args, standalone_mode=False)
    except Exception as exc:
        print("failed:", exc, file=sys.stderr)
print(json.dumps(sorted(sys.modules)))
"""

# Never in these processes: the web app and what only the demo, the emulators or a schema
# change need.
NEVER = ("flask", "werkzeug", "jinja2", "web", "cli.demo", "sandbox", "alembic", "mako")

# Never in a mail poll: the other channels' connectors and the HTTP, OAuth and Twilio client
# libraries only they use (issue 12: ~35 % of the poll's import time when the registry imported
# every connector class).
NOT_FOR_MAIL = (
    "requests",
    "urllib3",
    "tweepy",
    "oauthlib",
    "requests_oauthlib",
    "twilio",
    "connectors.fetch",
    "connectors._meta.connector",
    "connectors.facebook.connector",
    "connectors.instagram.connector",
    "connectors.whatsapp.connector",
    "connectors.x.connector",
    "connectors.phone.connector",
    "connectors.webchat.connector",
    "connectors.fake.connector",
    # nor what only other commands or sending need (issue 12, `mail`): a poll parses and stores
    "inbox.faq.service",
    "inbox.faq.search",
    "inbox.privacy",
    "workers.privacy",
    "inbox.reports.rollup",
    "smtplib",
    "connectors.email.smtp",
    "email.policy",
)


def _loaded(code: str, tmp_path: Path) -> set[str]:
    db = f"sqlite:///{tmp_path}/sb.db"
    upgrade(db)
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "REDIS_URL": REDIS_TEST_URL,
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "imports",
        "SWITCHBOARD_ENCRYPTION_KEY": "imports",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _offending(modules: set[str], never: tuple[str, ...] = NEVER) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in never))


@pytest.mark.redis
def test_worker_loads_neither_the_web_app_nor_alembic(tmp_path: Path) -> None:
    modules = _loaded(WORKER, tmp_path)
    assert "workers.ingest" in modules  # it did get as far as the worker
    assert _offending(modules) == []


def test_poll_loads_neither_the_web_app_nor_rq(tmp_path: Path) -> None:
    modules = _loaded(POLL, tmp_path)
    assert "workers.poll" in modules
    assert _offending(modules) == []
    assert "rq" not in modules  # rq is imported on the first enqueue


def test_an_email_poll_loads_only_the_email_connector(tmp_path: Path) -> None:
    modules = _loaded(POLL_EMAIL, tmp_path)
    assert "workers.poll" in modules
    assert "connectors.email.connector" in modules  # it did build the email connector
    assert "imapclient" in modules  # and connect (to a closed port)
    assert _offending(modules, NOT_FOR_MAIL) == []
    assert _offending(modules) == []


def test_the_mail_check_sees_another_connector(tmp_path: Path) -> None:
    """The same probe with one other connector built as well: the check can fail."""
    modules = _loaded(
        POLL_EMAIL.replace(
            "from cli.commands import main",
            "from cli.commands import main\nimport connectors\nconnectors.connector_for('x', {})",
        ),
        tmp_path,
    )
    assert {"connectors.x.connector", "requests", "tweepy"} <= set(
        _offending(modules, NOT_FOR_MAIL)
    )


def test_the_check_sees_a_loaded_module(tmp_path: Path) -> None:
    """The same probe, on a command that does load Flask: the check can fail."""
    modules = _loaded(
        WORKER.replace("import workers.rq_worker", "import web, workers.rq_worker"), tmp_path
    )
    assert "flask" in _offending(modules)
