"""`switchboard check`, the start-up checks of web/worker/watch, and the one-line failures every
command gives for a wrong URL, an unreachable service or a missing migration (issue 19)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from cli.commands import main
from inbox.migrate import upgrade
from tests.conftest import PG_ADMIN, REDIS_TEST_URL
from tests.support.servers import free_port


def _revisions() -> tuple[str, str]:
    """The newest schema revision and the one before it (the lead re-chains at merges)."""
    from alembic.script import ScriptDirectory

    from inbox.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    return head, previous


HEAD, PREVIOUS = _revisions()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke `switchboard` with these settings on top of a clean environment."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key in ("DATABASE_URL", "REDIS_URL") or key.startswith(("SWITCHBOARD_", "META_", "X_")):
            monkeypatch.delenv(key)
    base = {
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "check-secret",
        "SWITCHBOARD_ENCRYPTION_KEY": "check-key",
        "PUBLIC_BASE_URL": "https://inbox.example.com",
    }

    def invoke(*args: str, **env: str):
        for key, value in {**base, **env}.items():
            monkeypatch.setenv(key, value)
        return CliRunner().invoke(main, list(args))

    return invoke


@pytest.fixture
def empty_pg() -> Iterator[str]:
    name = f"sb_check_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def one_error_line(result) -> str:
    """The command failed with exactly one `Error:` line and no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


def pg_on_closed_port() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/switchboard"


def redis_on_closed_port() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


# --- the mistakes, one line each -----------------------------------------------------------


@pytest.mark.postgres
def test_database_down(run) -> None:
    url = pg_on_closed_port()
    checked = run("check", DATABASE_URL=url, REDIS_URL="")
    assert (
        f"FAIL database: cannot connect to the database at DATABASE_URL={url} "
        "(connection refused): is PostgreSQL running there?" in checked.output
    )
    assert one_error_line(checked) == "Error: 1 check failed"
    line = one_error_line(
        run("user", "create", "a@example.com", "--role", "admin", DATABASE_URL=url)
    )
    assert "cannot connect to the database at DATABASE_URL=" in line
    assert "fix DATABASE_URL or start the server (--traceback for details)" in line


@pytest.mark.postgres
def test_database_missing(run) -> None:
    url = PG_ADMIN.rsplit("/", 1)[0] + "/sb_no_such_database"
    line = one_error_line(run("token", "list", DATABASE_URL=url))
    assert "database 'sb_no_such_database' does not exist at DATABASE_URL=" in line
    assert "create it (createdb sb_no_such_database) or fix DATABASE_URL" in line
    assert (
        "FAIL database: database 'sb_no_such_database' does not exist"
        in run("check", DATABASE_URL=url).output
    )


@pytest.mark.postgres
def test_database_login_refused(run, empty_pg: str) -> None:
    url = empty_pg.replace("postgres@", "sb_nobody@")
    line = one_error_line(run("token", "list", DATABASE_URL=url))
    assert "PostgreSQL refused the login in DATABASE_URL=" in line and "fix DATABASE_URL" in line


@pytest.mark.postgres
def test_empty_database_then_db_upgrade_says_what_it_did(run, empty_pg: str) -> None:
    checked = run("check", DATABASE_URL=empty_pg)
    assert f"FAIL database: {empty_pg} is empty (no schema): run `switchboard db upgrade`" in (
        checked.output
    )
    line = one_error_line(run("channel", "list", DATABASE_URL=empty_pg))
    assert "is not migrated" in line and "run `switchboard db upgrade`" in line
    first = run("db", "upgrade", DATABASE_URL=empty_pg)
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"migrated from empty to {HEAD}; 15 FAQ articles added")
    again = run("db", "upgrade", DATABASE_URL=empty_pg)
    assert again.output.strip() == f"database is up to date (schema {HEAD})"
    assert "ok   database:" in run("check", DATABASE_URL=empty_pg).output


def test_database_behind_the_code(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, PREVIOUS)
    checked = run("check", DATABASE_URL=url)
    assert (
        f"FAIL database: {url} is at revision {PREVIOUS}, this version needs {HEAD}: "
        "run `switchboard db upgrade`" in checked.output
    )
    for command in ("worker", "watch"):
        line = one_error_line(run(command, DATABASE_URL=url, REDIS_URL=REDIS_TEST_URL))
        assert line.startswith("Error: not starting: database: ") and f"needs {HEAD}" in line
    assert run("db", "upgrade", DATABASE_URL=url).output.startswith(
        f"migrated from {PREVIOUS} to {HEAD}"
    )


def test_sqlite_file_missing(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nowhere/sb.db"
    assert (
        f"FAIL database: the SQLite file of DATABASE_URL={url} does not exist: run "
        "`switchboard db upgrade`" in run("check", DATABASE_URL=url).output
    )
    made = run("db", "upgrade", DATABASE_URL=url)  # a fresh checkout: no instance/ folder yet
    assert made.output.startswith(f"migrated from empty to {HEAD}"), made.output
    assert run("check", DATABASE_URL=url).exit_code == 0


def test_not_a_database_url(run) -> None:
    for url in ("mysql://root@localhost/sb", "switchboard.db"):
        line = one_error_line(run("token", "list", DATABASE_URL=url))
        assert f"DATABASE_URL='{url}' is not a database URL: use postgresql://" in line
        assert (
            f"FAIL settings: DATABASE_URL='{url}' is not a database URL"
            in run("check", DATABASE_URL=url).output
        )


@pytest.mark.redis
def test_redis_down(run, tmp_path: Path) -> None:
    url = redis_on_closed_port()
    db = f"sqlite:///{tmp_path}/r.db"
    upgrade(db)
    checked = run("check", DATABASE_URL=db, REDIS_URL=url)
    assert (
        f"FAIL redis: cannot reach Redis at REDIS_URL={url} (connection refused): is Redis "
        "running there? fix REDIS_URL or start the server" in checked.output
    )
    for command in ("worker", "watch", "web"):
        line = one_error_line(run(command, DATABASE_URL=db, REDIS_URL=url))
        assert line.startswith("Error: not starting: redis: cannot reach Redis at REDIS_URL=")


def test_not_a_redis_url(run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/r.db"
    upgrade(db)
    line = one_error_line(run("worker", DATABASE_URL=db, REDIS_URL="localhost:6379"))
    assert "REDIS_URL='localhost:6379' is not a Redis URL: use redis://host:6379/0" in line


def test_web_refuses_to_start_on_a_bad_database(run) -> None:
    """It used to start gunicorn and answer /healthz 503; now it does not start."""
    line = one_error_line(run("web", "--port", str(free_port()), DATABASE_URL=pg_on_closed_port()))
    assert line.startswith("Error: not starting: database: cannot connect to the database")


def test_malformed_settings(run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    upgrade(db)
    checked = run(
        "check",
        DATABASE_URL=db,
        SEND_MAX_ATTEMPTS="six",
        PUBLIC_BASE_URL="inbox.example.com",
        LOG_FORMAT="xml",
        LOGIN_RATE_LIMIT="lots",
    )
    out = checked.output
    assert "FAIL settings: SEND_MAX_ATTEMPTS='six' is not a whole number of at least 1" in out
    assert "FAIL settings: PUBLIC_BASE_URL='inbox.example.com' is not an http(s) URL" in out
    assert "FAIL settings: LOG_FORMAT='xml' must be one of text, json" in out
    assert "FAIL settings: LOGIN_RATE_LIMIT='lots' must look like 10/5min" in out
    assert one_error_line(checked) == "Error: 4 checks failed"


def test_production_warnings_do_not_fail(run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/w.db"
    upgrade(db)
    checked = run(
        "check",
        DATABASE_URL=db,
        REDIS_URL=REDIS_TEST_URL,
        SECRET_KEY="",
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        SWEEP_STALE_SECONDS="0",  # 0 and decimals are fine where they mean something
        META_IG_CONTAINER_WAIT="0.5",
        REPORTS_STALE_SECONDS="30",  # a sweep: views would roll up themselves between sweeps
    )
    assert checked.exit_code == 0, checked.output
    assert "warn settings: REPORTS_STALE_SECONDS=30 is not above SWEEP_INTERVAL_SECONDS=30" in (
        checked.output
    )
    assert "warn settings: SECRET_KEY is empty: each machine would keep its own" in checked.output
    assert "warn settings: DATABASE_URL is SQLite with REDIS_URL set" in checked.output
    assert "warn settings: PUBLIC_BASE_URL=http://127.0.0.1:5000 is a loopback" in checked.output


def test_traceback_flag_shows_the_details(run) -> None:
    url = pg_on_closed_port()
    result = run("--traceback", "token", "list", DATABASE_URL=url)
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "OperationalError"


def test_passwords_are_not_shown(run) -> None:
    url = f"postgresql://sb:hunter2@127.0.0.1:{free_port()}/sb"
    line = one_error_line(run("token", "list", DATABASE_URL=url))
    assert "hunter2" not in line and "postgresql://sb:***@127.0.0.1" in line


# --- a healthy installation, with channel accounts ------------------------------------------


@pytest.mark.redis
def test_all_good_with_channel_accounts_and_a_bad_mailbox(run, tmp_path: Path) -> None:
    import sandbox.x
    from sandbox.x import BRAND, CONSUMER_KEY, CONSUMER_SECRET, DEMO_CREDENTIALS
    from tests.support.servers import serve_wsgi

    db = f"sqlite:///{tmp_path}/ok.db"
    env = {"DATABASE_URL": db, "REDIS_URL": REDIS_TEST_URL}
    assert run("db", "upgrade", **env).exit_code == 0
    with serve_wsgi(sandbox.x.create_app(sandbox.x.World())) as x_url:
        env |= {
            "X_API_URL": x_url,
            "X_CONSUMER_KEY": CONSUMER_KEY,
            "X_CONSUMER_SECRET": CONSUMER_SECRET,
        }
        creds = [f"--credential={k}={v}" for k, v in DEMO_CREDENTIALS.items()]
        added = run("channel", "add", "x", "--name", "X", "--external-id", BRAND[0], *creds, **env)
        assert added.exit_code == 0, added.output
        assert f"connection check: token works for @{BRAND[1]} (id {BRAND[0]})" in added.output
        imap_port, smtp_port = free_port(), free_port()
        mailbox = run(
            "channel", "add", "email", "--name", "mail", "--external-id", "help@example.com",
            "--credential", "imap_password=pw", "--option", "imap_host=127.0.0.1",
            "--option", f"imap_port={imap_port}", "--option", "imap_tls=none",
            "--option", "imap_user=help", "--option", "smtp_host=127.0.0.1",
            "--option", f"smtp_port={smtp_port}", "--option", "smtp_tls=none",
            "--no-check", **env,
        )  # fmt: skip
        assert mailbox.exit_code == 0, mailbox.output
        checked = run("check", **env)
    lines = checked.output.splitlines()
    assert lines[0] == "ok   settings: valid; production (Redis) mode"
    assert "ok   declarations: 9 channel declarations match their connectors" in lines
    assert any(line.startswith("ok   database: ") and "(head)" in line for line in lines)
    assert any(line.startswith("ok   redis: ") for line in lines)
    assert f"ok   channel 1 x {BRAND[0]}: token works for @{BRAND[1]} (id {BRAND[0]})" in lines
    mail = next(line for line in lines if line.startswith("FAIL mail 2 email help@example.com: "))
    assert "IMAP:" in mail and "SMTP:" in mail
    assert one_error_line(checked) == "Error: 1 check failed"


def test_a_changed_encryption_key_is_named(run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/k.db"
    assert run("db", "upgrade", DATABASE_URL=db).exit_code == 0
    added = run(
        "channel", "add", "facebook", "--name", "p", "--external-id", "1234",
        "--credential", "page_token=t", "--no-check", DATABASE_URL=db,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    checked = run("check", DATABASE_URL=db, SWITCHBOARD_ENCRYPTION_KEY="another-key")
    assert (
        "FAIL channel 1 facebook 1234: stored credentials cannot be decrypted: "
        "SWITCHBOARD_ENCRYPTION_KEY differs from the one they were saved with" in checked.output
    )


def test_json_log_lines(capsys) -> None:
    import json
    import logging

    from switchboard.logs import configure_logging

    configure_logging("json", level=logging.INFO)
    try:
        log = logging.getLogger("switchboard.test")
        log.info("polled %s", "INBOX", extra={"account_id": 7})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("job failed")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        configure_logging("text")
    assert lines[0]["message"] == "polled INBOX" and lines[0]["account_id"] == 7
    assert lines[0]["level"] == "info" and lines[0]["logger"] == "switchboard.test"
    assert lines[1]["level"] == "error" and "RuntimeError: boom" in lines[1]["exception"]


def test_database_ahead_of_the_code(run, tmp_path: Path) -> None:
    import sqlite3

    url = f"sqlite:///{tmp_path}/new.db"
    upgrade(url)
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("UPDATE alembic_version SET version_num = '0099'")
    db.commit()
    line = one_error_line(run("worker", DATABASE_URL=url, REDIS_URL=REDIS_TEST_URL))
    assert "is at revision 0099, which this version does not know" in line
    assert "a newer release migrated it; run that release" in line


# --- channel declarations (processes import a connector only when they use it) ---------------


def _misdeclared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Email's declaration naming X's connector: a slug and capability mismatch."""
    import dataclasses

    import connectors

    wrong = dataclasses.replace(
        connectors.CHANNELS["email"], connector="connectors.x.connector:XConnector"
    )
    monkeypatch.setitem(connectors.CHANNELS, "email", wrong)


def test_a_bad_channel_declaration_fails_the_check(run, monkeypatch, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/ok.db"
    assert "ok   declarations: 9 channel" in run("check", DATABASE_URL=db, REDIS_URL="").output
    _misdeclared(monkeypatch)
    checked = run("check", DATABASE_URL=db, REDIS_URL="")
    assert "FAIL declarations: channel 'email': connector slug 'x' != 'email'" in checked.output
    assert checked.exit_code != 0


def test_a_bad_channel_declaration_stops_the_web_app(monkeypatch, tmp_path: Path) -> None:
    from connectors import RegistrationError
    from web import create_app

    _misdeclared(monkeypatch)
    with pytest.raises(RegistrationError, match="channel 'email'"):
        create_app(settings=None)
