"""The `switchboard` command: every subcommand of DESIGN §5, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from switchboard.cli import main


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
    from inbox.models import ChannelAccount, Conversation, Message
    from switchboard.demo import prepare
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
