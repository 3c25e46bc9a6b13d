"""The `switchboard` command: every subcommand (docs/design.md §5), clear errors for bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.commands import main


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "REDIS_URL": "",
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SWITCHBOARD_ENCRYPTION_KEY": "cli-test-key",
        "SECRET_KEY": "cli-secret",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("db", "upgrade")
    return run


def test_user_and_token(cli):
    out = cli(
        "user", "create", "mina@seoulsupps.example", "--role", "agent", "--name", "김미나"
    ).output
    assert "created agent mina@seoulsupps.example" in out and "password:" in out
    token = cli("token", "create", "mina@seoulsupps.example").output.strip()
    assert token.startswith("sb_")
    dup = cli("user", "create", "mina@seoulsupps.example", "--role", "agent", ok=False)
    assert dup.exit_code != 0 and "already exists" in dup.output
    bad = cli("user", "create", "x@example.com", "--role", "boss", ok=False)
    assert bad.exit_code == 2 and "boss" in bad.output
    assert (
        "no user nobody@example.com"
        in cli("token", "create", "nobody@example.com", ok=False).output
    )


def test_channel_add_list_remove(cli):
    out = cli(
        "channel",
        "add",
        "facebook",
        "--name",
        "서울서플 페이지",
        "--external-id",
        "104857600012345",
        "--connector",
        "fake",
        "--credential",
        "page_token=secret-token",
        "--option",
        "window_hours=24",
    ).output
    assert "added facebook account 1" in out
    listing = cli("channel", "list").output
    assert "104857600012345" in listing and "secret-token" not in listing
    assert (
        "already connected"
        in cli(
            "channel",
            "add",
            "facebook",
            "--name",
            "again",
            "--external-id",
            "104857600012345",
            "--connector",
            "fake",
            ok=False,
        ).output
    )
    assert (
        "unknown channel 'myspace'"
        in cli("channel", "add", "myspace", "--name", "n", "--external-id", "1", ok=False).output
    )
    assert (
        "KEY=VALUE"
        in cli(
            "channel",
            "add",
            "x",
            "--name",
            "n",
            "--external-id",
            "1",
            "--connector",
            "fake",
            "--credential",
            "oops",
            ok=False,
        ).output
    )
    assert "removed channel account 1" in cli("channel", "remove", "1").output
    assert "no channel account 99" in cli("channel", "remove", "99", ok=False).output
    assert "no channel account 99" in cli("poll", "99", ok=False).output


def test_credentials_are_encrypted_at_rest(cli, tmp_path):
    import sqlite3

    cli(
        "channel",
        "add",
        "x",
        "--name",
        "X",
        "--external-id",
        "1580012345678901248",
        "--connector",
        "fake",
        "--credential",
        "bearer_token=very-secret-value",
    )
    raw = (
        sqlite3.connect(tmp_path / "cli.db")
        .execute("SELECT credentials FROM channel_account")
        .fetchone()[0]
    )
    assert b"very-secret-value" not in raw


def test_faq_export_and_import_round_trip(cli, tmp_path):
    exported = cli("faq", "export").output
    articles = json.loads(exported)
    slugs = {a["slug"] for a in (articles["articles"] if isinstance(articles, dict) else articles)}
    assert {"order-status", "refund-return", "contact-channels"} <= slugs and len(slugs) == 15
    path = tmp_path / "faq.json"
    path.write_text(exported, encoding="utf-8")
    assert "unchanged 15" in cli("faq", "import", str(path)).output
    path.write_text("{not json", encoding="utf-8")
    assert cli("faq", "import", str(path), ok=False).exit_code == 1


def test_worker_and_watch_need_redis(cli):
    for command in ("worker", "watch"):
        result = cli(command, ok=False)
        assert result.exit_code == 1 and "REDIS_URL is not set" in result.output


def test_demo_seeds_forty_conversations_on_every_channel_and_a_reply_is_sent(tmp_path, monkeypatch):
    from cli.demo import prepare
    from inbox.models import ChannelAccount, Conversation, Message
    from switchboard.settings import Settings
    from web import create_app

    monkeypatch.chdir(tmp_path)
    settings = Settings.load(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": "",
            "SWITCHBOARD_ENCRYPTION_KEY": "",
        }
    )
    info = prepare(settings=settings)
    rt = info["runtime"]
    try:
        assert info["conversations"] >= 40
        with rt.db.session() as s:
            channels = set(
                s.scalars(
                    select(ChannelAccount.channel).join(
                        Conversation, Conversation.channel_account_id == ChannelAccount.id
                    )
                )
            )
            assert channels >= {"facebook", "instagram", "x", "email", "webchat"}
            korean = s.scalar(
                select(func.count()).select_from(Message).where(Message.text.like("%배송%"))
            )
            assert korean > 0
            conversation_id = s.scalars(select(Conversation.id).order_by(Conversation.id)).first()
        client = create_app(rt).test_client()
        headers = {"Authorization": f"Bearer {info['token']}"}
        reply = client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text": "확인 후 안내드리겠습니다."},
            headers=headers,
        )
        assert reply.status_code == 201, reply.get_json()
        assert rt.jobs.drain()
        with rt.db.session() as s:
            assert s.get(Message, reply.get_json()["id"]).status == "sent"
        again = prepare(settings=settings)  # a restart keeps data and prints the same login
        assert again["password"] == info["password"] and again["seeded"] == 0
        again["runtime"].close()
    finally:
        rt.close()


# --- issue 19: tokens, channel checks, progress, demo start-up --------------------------------


def test_token_list_revoke_and_expiry(cli):
    cli("user", "create", "ops@seoulsupps.example", "--role", "admin")
    assert cli("token", "list").output.strip() == "no API tokens"
    cli("token", "create", "ops@seoulsupps.example", "--name", "zapier")
    cli("token", "create", "ops@seoulsupps.example", "--name", "short", "--expires-in", "12h")
    listing = cli("token", "list").output.splitlines()
    assert len(listing) == 2
    assert "zapier" in listing[0] and "never used" in listing[0] and "never expires" in listing[0]
    assert "short" in listing[1] and " expires 20" in listing[1]
    assert "sb_" not in "".join(listing)  # the token itself is never shown again
    bad = cli("token", "create", "ops@seoulsupps.example", "--expires-in", "soon", ok=False)
    assert "--expires-in 'soon': use a number with d, h or m" in bad.output
    assert (
        "revoked API token 1 (zapier) of ops@seoulsupps.example"
        in cli("token", "revoke", "1").output
    )
    assert len(cli("token", "list").output.splitlines()) == 1
    gone = cli("token", "revoke", "1", ok=False)
    assert "no API token 1 (see `switchboard token list`)" in gone.output


def test_channel_add_checks_the_connection(cli):
    refused = cli(
        "channel", "add", "facebook", "--name", "page", "--external-id", "104857600012345",
        ok=False,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert (
        "connection check failed: not connected: no page_token credential; give it with "
        "--credential page_token=..." in refused.output
    )
    assert "--no-check to save it anyway" in refused.output
    assert cli("channel", "list").output.strip() == "no channel accounts"
    saved = cli(
        "channel", "add", "facebook", "--name", "page", "--external-id", "104857600012345",
        "--no-check",
    )  # fmt: skip
    assert "added facebook account 1" in saved.output
    assert "not connected" in cli("channel", "list").output


def test_channel_add_reports_a_wrong_token(cli, monkeypatch):
    import sandbox.x
    from sandbox.x import BRAND, CONSUMER_KEY, CONSUMER_SECRET
    from tests.support.servers import serve_wsgi

    with serve_wsgi(sandbox.x.create_app(sandbox.x.World())) as x_url:
        monkeypatch.setenv("X_API_URL", x_url)
        monkeypatch.setenv("X_CONSUMER_KEY", CONSUMER_KEY)
        monkeypatch.setenv("X_CONSUMER_SECRET", CONSUMER_SECRET)
        wrong = cli(
            "channel", "add", "x", "--name", "X", "--external-id", BRAND[0],
            "--credential", "bearer_token=not-a-real-token", ok=False,
        )  # fmt: skip
    assert wrong.exit_code == 1
    line = wrong.output.strip().splitlines()[-1]
    assert line.startswith("Error: connection check failed: ")
    assert line.endswith("(fix the credentials/options, or add --no-check to save it anyway)")
    assert cli("channel", "list").output.strip() == "no channel accounts"


def test_admin_page_shows_an_account_without_credentials_as_not_connected(tmp_path, monkeypatch):
    from inbox.channels import add_account
    from inbox.users import create_user
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from tests.web.ui.conftest import PASSWORD, login
    from web import create_app

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/admin.db"
    from inbox.migrate import upgrade

    upgrade(url)
    settings = Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(tmp_path),
            "SECRET_KEY": "s",
            "SWITCHBOARD_ENCRYPTION_KEY": "k",
        }
    )
    rt = build_runtime(settings)
    try:
        with rt.db.session() as s:
            create_user(s, email="boss@example.com", role="admin", password=PASSWORD)
            for external_id, creds in (("111", {}), ("222", {"page_token": "t"})):
                add_account(
                    s,
                    channel="facebook",
                    connector="facebook",
                    name=f"page {external_id}",
                    external_id=external_id,
                    sealed_credentials=rt.seal(creds),
                )
        client = create_app(rt).test_client()
        login(client, "boss@example.com")
        page = client.get("/admin/channels").get_data(as_text=True)
        assert page.count("연결되지 않음") == 1  # Korean UI: "Not connected", for page 111 only
        with rt.db.session() as s:
            from inbox.channels import account_by_external_id

            ids = {e: account_by_external_id(s, "facebook", e).id for e in ("111", "222")}
        bare = client.get(f"/admin/channels/{ids['111']}").get_data(as_text=True)
        assert "연결되지 않음" in bare
        assert "연결되지 않음" not in client.get(f"/admin/channels/{ids['222']}").get_data(
            as_text=True
        )
    finally:
        rt.close()


def _fake_feed(account: str, count: int) -> list:
    from connectors.base import ConversationKind, EventKind, InboundEvent, Participant

    return [
        InboundEvent(
            kind=EventKind.MESSAGE,
            account_external_id=account,
            external_id=f"backfill-{n}",
            thread_key=f"customer-{n % 7}",
            conversation_kind=ConversationKind.DM,
            sent_at=datetime(2026, 12, 1, tzinfo=UTC),
            customer=Participant(external_id=f"customer-{n % 7}"),
            text=f"message {n}",
        )
        for n in range(count)
    ]


@pytest.fixture
def backfill(cli, monkeypatch):
    """A fake account with 180 waiting events (4 pages of 50)."""
    from connectors.fake import FakeConnector

    FakeConnector.reset()
    cli(
        "channel", "add", "email", "--name", "archive", "--external-id", "archive@example.com",
        "--connector", "fake",
    )  # fmt: skip
    FakeConnector.feeds["archive@example.com"] = _fake_feed("archive@example.com", 180)
    yield FakeConnector
    FakeConnector.reset()


def _stored_messages(tmp_path) -> int:
    import sqlite3

    return (
        sqlite3.connect(tmp_path / "cli.db").execute("SELECT count(*) FROM message").fetchone()[0]
    )


def test_poll_prints_one_summary_line_when_not_a_terminal(cli, backfill, tmp_path):
    out = cli("poll", "1").output.splitlines()
    assert len(out) == 1
    assert out[0].startswith("polled account 1: 180 events, done at ")
    assert "events/s)" in out[0]
    assert _stored_messages(tmp_path) == 180


def test_poll_stops_at_a_committed_page_on_ctrl_c_and_resumes(cli, backfill, tmp_path, monkeypatch):
    import dataclasses
    import os
    import signal

    import connectors

    original = connectors.FAKE
    fake = original.connector_class

    class InterruptedOnSecondPage(fake):  # type: ignore[misc,valid-type]
        """The operator presses Ctrl+C while the second page is being fetched."""

        def poll(self, account, stream, cursor):
            if cursor == "50":
                os.kill(os.getpid(), signal.SIGINT)
            return super().poll(account, stream, cursor)

    # connectors.registered() reads the fake channel's declaration when a runtime builds it
    interrupted = dataclasses.replace(connectors.FAKE, connector=InterruptedOnSecondPage)
    monkeypatch.setattr(connectors, "FAKE", interrupted)
    stopped = cli("poll", "1").output
    assert "stopping after the current batch" in stopped
    assert "polled account 1: 100 events" in stopped
    assert "stopped by Ctrl+C at a committed point, run again to resume" in stopped
    assert _stored_messages(tmp_path) == 100  # the interrupted page was still committed
    monkeypatch.setattr(connectors, "FAKE", original)
    resumed = cli("poll", "1").output
    assert "polled account 1: 80 events" in resumed  # from the cursor, not from the start
    assert _stored_messages(tmp_path) == 180


def test_progress_bar_on_a_terminal():
    import io

    from cli.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = Progress("importing faq.json", total=200, unit="articles", stream=screen)
    progress._drawn = -1e9
    progress.advance(50)
    drawn = screen.getvalue()
    assert drawn.startswith("\rimporting faq.json [######                  ] 50/200 articles ")
    assert "/s ETA " in drawn
    progress.finish("created 50, updated 0, unchanged 0")
    last = screen.getvalue().rsplit("\r", 1)[-1]
    assert last.startswith("\x1b[Kcreated 50, updated 0, unchanged 0 in ")
    assert last.endswith(" articles/s)\n")


def test_faq_import_summary_and_batches(cli, tmp_path):
    articles = json.loads(cli("faq", "export").output)
    items = articles["articles"] if isinstance(articles, dict) else articles
    many = []
    for n in range(120):
        item = json.loads(json.dumps(items[n % len(items)]))
        item["slug"] = f"bulk-{n}"
        many.append(item)
    doc = {**articles, "articles": many} if isinstance(articles, dict) else many
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = cli("faq", "import", str(path)).output.splitlines()
    assert len(out) == 1 and out[0].startswith("created 120, updated 0, unchanged 0 in ")
    assert "unchanged 120" in cli("faq", "import", str(path)).output


def test_demo_fails_early_on_a_port_it_cannot_have(tmp_path, monkeypatch):
    import os
    import socket

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/demo.db")
    monkeypatch.setenv("SWITCHBOARD_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", "")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["demo", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port} (the port is in use by another program): "
        "choose another --port or --host"
    )
    assert not (tmp_path / "demo.db").exists()  # nothing prepared, no token minted
    if os.geteuid() != 0:  # root may bind port 1
        low = CliRunner().invoke(main, ["demo", "--port", "1"])
        assert "cannot listen on 127.0.0.1:1 (permission denied: ports below 1024 need root)" in (
            low.output
        )
        assert "API token" not in low.output
    assert CliRunner().invoke(main, ["demo", "--port", "0"]).exit_code == 2


def test_demo_keeps_one_token(tmp_path, monkeypatch):
    from cli.demo import prepare
    from inbox.tokens import list_tokens, revoke_token
    from switchboard.settings import Settings

    monkeypatch.chdir(tmp_path)
    settings = Settings.load(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": "",
            "SWITCHBOARD_ENCRYPTION_KEY": "",
        }
    )
    first = prepare(settings=settings)
    first["runtime"].close()
    second = prepare(settings=settings)
    rt = second["runtime"]
    try:
        assert second["token"] == first["token"]
        with rt.db.session() as s:
            demo_tokens = [t for t in list_tokens(s) if t.name == "demo"]
            assert len(demo_tokens) == 1
            revoke_token(s, demo_tokens[0].id)
    finally:
        rt.close()
    third = prepare(settings=settings)
    try:
        assert third["token"] != first["token"]
        with third["runtime"].db.session() as s:
            assert len([t for t in list_tokens(s) if t.name == "demo"]) == 1
    finally:
        third["runtime"].close()


def test_poll_says_why_an_account_is_not_polled(cli, tmp_path):
    import sqlite3

    cli(
        "channel", "add", "webchat", "--name", "widget", "--external-id", "shop",
    )  # fmt: skip
    assert (
        "is not polled: its webchat connector receives webhooks"
        in cli("poll", "1", ok=False).output
    )
    cli(
        "channel", "add", "x", "--name", "X", "--external-id", "42", "--connector", "fake",
    )  # fmt: skip
    db = sqlite3.connect(tmp_path / "cli.db")
    db.execute(
        "UPDATE channel_account SET health = 'reconnect_needed', health_detail = 'token revoked' "
        "WHERE id = 2"
    )
    db.commit()
    expired = cli("poll", "2", ok=False).output
    assert "channel account 2 (x 42) needs reconnecting (token revoked)" in expired
    db.execute("UPDATE channel_account SET enabled = 0 WHERE id = 2")
    db.commit()
    assert "channel account 2 (x 42) is disconnected" in cli("poll", "2", ok=False).output


def test_reports_refresh_builds_the_roll_up_once(cli):
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from tests.support.factory import Factory

    assert "rolled up 0 hours" in cli("reports", "refresh").output  # nothing yet
    rt = build_runtime(Settings.load())
    try:
        factory = Factory(rt)
        factory.inbound(factory.account("facebook"), customer="cli-1")
    finally:
        rt.close()
    assert "rolled up 1 hours" in cli("reports", "refresh").output  # the new conversation's hour
    assert "rolled up 1 hours" in cli("reports", "refresh", "--full").output
