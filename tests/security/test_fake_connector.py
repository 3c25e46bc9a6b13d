"""The test connector exists only where SWITCHBOARD_FAKE_CONNECTOR says so, and has no default
secret (issue 13 §4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors import CHANNELS, connector_for, registered
from connectors.base import Capability, InvalidSignature, UnsupportedEvent
from connectors.fake.connector import sign
from switchboard.settings import DEFAULTS
from tests.support.factory import fake_delivery, fake_message

DELAYED = json.dumps({"account": "acct-1", "parse_delay": 30, "events": []}).encode()


def test_production_never_registers_the_fake_connector() -> None:
    assert "fake" not in CHANNELS
    assert "fake" not in registered({})
    assert "fake" not in registered({"SWITCHBOARD_FAKE_CONNECTOR": "0"})
    with pytest.raises(KeyError):
        connector_for("fake", {"FAKE_WEBHOOK_SECRET": "fake-secret"})
    assert DEFAULTS["SWITCHBOARD_FAKE_CONNECTOR"] == ""
    assert DEFAULTS["FAKE_WEBHOOK_SECRET"] == ""


def test_without_an_explicit_secret_every_fake_delivery_is_refused() -> None:
    connector = connector_for("fake", {"SWITCHBOARD_FAKE_CONNECTOR": "1"})
    body, _ = fake_delivery("acct-1", fake_message("m1", "hi"))
    for secret in ("", "fake-secret"):
        with pytest.raises(InvalidSignature):
            connector.verify({"X-Fake-Signature": sign(secret, body)}, body)
    enabled = connector_for(
        "fake", {"SWITCHBOARD_FAKE_CONNECTOR": "1", "FAKE_WEBHOOK_SECRET": "fake-secret"}
    )
    enabled.verify({"X-Fake-Signature": sign("fake-secret", body)}, body)


def test_the_demo_history_connector_receives_nothing_and_never_sleeps() -> None:
    settings = {"SWITCHBOARD_FAKE_CONNECTOR": "demo", "FAKE_WEBHOOK_SECRET": "fake-secret"}
    connector = connector_for("fake", settings)
    assert Capability.WEBHOOK not in connector.capabilities
    assert Capability.POLLING not in connector.capabilities
    with pytest.raises(InvalidSignature):
        connector.verify({"X-Fake-Signature": sign("fake-secret", DELAYED)}, DELAYED)
    with pytest.raises(UnsupportedEvent):
        connector.parse({}, DELAYED)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """Production: the switch unset (the suite sets it for every other test)."""
    return {"SWITCHBOARD_FAKE_CONNECTOR": "", "FAKE_WEBHOOK_SECRET": "fake-secret"}


def test_a_production_server_has_no_fake_webhook(client: Any) -> None:
    body, headers = fake_delivery("acct-1", fake_message("m1", "hi"))
    answer = client.post("/webhooks/fake", data=body, headers=headers)
    assert answer.status_code == 404


def test_the_demo_keeps_its_sample_history_workable_without_the_test_connector(
    tmp_path: Any, monkeypatch: Any
) -> None:
    from sqlalchemy import select

    from cli.demo import prepare
    from connectors.fake import DemoHistoryConnector
    from inbox.models import ChannelAccount, Conversation, Message
    from switchboard.settings import Settings
    from web import create_app

    monkeypatch.chdir(tmp_path)
    settings = Settings.load(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
            "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
            "SWITCHBOARD_FAKE_CONNECTOR": "",  # as `switchboard demo` runs outside the tests
            "FAKE_WEBHOOK_SECRET": "",
        }
    )
    info = prepare(port=5999, settings=settings)
    rt = info["runtime"]
    try:
        assert isinstance(rt.connector_by_slug("fake"), DemoHistoryConnector)
        with rt.db.session() as session:
            conversation = session.scalars(
                select(Conversation)
                .join(ChannelAccount)
                .where(ChannelAccount.connector == "fake", Conversation.kind == "dm")
                .limit(1)
            ).one()
            conversation_id = conversation.id
        client = create_app(rt).test_client()
        headers = {"Authorization": f"Bearer {info['token']}"}
        answer = client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text": "확인해 보겠습니다."},
            headers=headers,
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
        assert rt.jobs.drain()
        with rt.db.session() as session:
            sent = session.get(Message, answer.get_json()["id"])
            assert sent is not None and sent.status == "sent"
        body, fake_headers = fake_delivery("104857600054321", fake_message("m1", "hi"))
        refused = client.post("/webhooks/fake", data=body, headers=fake_headers)
        assert refused.status_code == 404
    finally:
        rt.close()
