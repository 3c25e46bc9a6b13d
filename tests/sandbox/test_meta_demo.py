"""The sandbox mounted inside another WSGI app, as `switchboard demo` runs it."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
from flask import Flask, request

from connectors.base import AccountConfig, ConversationKind, OutboundReply, Participant
from connectors.facebook import FacebookConnector
from sandbox.meta import demo
from tests.support.servers import free_port, serve_wsgi


def test_mounted_sandbox_serves_graph_simulator_and_webhooks() -> None:
    received: list[bytes] = []
    host = Flask("demo-app")

    @host.post("/webhooks/meta")
    def hook() -> str:
        received.append(request.get_data())
        return "ok"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_wsgi(demo.mount(host, base), port=port):
        page = requests.get(f"{base}{demo.PREFIX}/simulator", timeout=10)
        assert page.ok and 'fetch("_emu/threads")' in page.text
        made = requests.post(
            f"{base}{demo.PREFIX}/_emu/customers/dm", json={"text": "데모 문의"}, timeout=10
        ).json()
        assert len(received) == 1
        settings = demo.settings(base)
        connector = FacebookConnector(settings)
        (event,) = connector.parse({}, received[0])
        assert event.text == "데모 문의"
        spec = demo.ACCOUNTS["facebook"]
        account = AccountConfig(
            id=1,
            external_id=spec["external_id"],
            credentials=spec["credentials"],
            options=spec["options"],
        )
        result = connector.send(
            account,
            OutboundReply(
                message_uuid="demo-1",
                conversation_kind=ConversationKind.DM,
                thread_key=made["customer_id"],
                recipient=Participant(external_id=made["customer_id"]),
                text="안녕하세요",
                last_customer_message_at=datetime.now(UTC),
            ),
        )
        assert result.external_id.startswith("m_")
