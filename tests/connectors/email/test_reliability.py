"""Issue 14 for email: resend only when the SMTP server did not take the message.

A real aiosmtpd server that stalls after the end of DATA (it has the message; its "250" never
arrives in time) must make the send "outcome unknown", never a retryable failure; one that
drops the connection before DATA must stay retryable.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from connectors.base import (
    AccountConfig,
    ConversationKind,
    OutboundReply,
    OutcomeUnknown,
    Participant,
    RetryableSendError,
)
from connectors.email import EmailConnector
from tests.support.servers import free_port


class Stalling:
    """Takes the message, then answers DATA only after the client has given up."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("drop-"):
            server.transport.close()  # gone before DATA: nothing was sent
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(bytes(envelope.content))
        await asyncio.sleep(3)  # the client's timeout is 1 s
        return "250 Message accepted"


@pytest.fixture
def stalling() -> Iterator[tuple[Stalling, int]]:
    handler = Stalling()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def account(port: int) -> AccountConfig:
    return AccountConfig(
        id=1,
        external_id="help@seoulsupps.example",
        options={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none", "timeout": 1},
    )


def reply(to: str) -> OutboundReply:
    return OutboundReply(
        message_uuid="0b8f6a8e-2f3c-4b55-9d3e-5f1e2c3d4a5b",
        conversation_kind=ConversationKind.EMAIL,
        thread_key="<root@mail.example.com>",
        recipient=Participant(external_id=to, email=to),
        text="주문 확인했습니다.",
        subject="주문 문의",
    )


def test_no_answer_after_the_message_is_outcome_unknown(
    stalling: tuple[Stalling, int],
) -> None:
    handler, port = stalling
    with pytest.raises(OutcomeUnknown):
        EmailConnector({}).send(account(port), reply("minho.kim@example.com"))
    assert len(handler.received) == 1  # the server has it: sending again would double it


def test_a_connection_lost_before_data_stays_retryable(stalling: tuple[Stalling, int]) -> None:
    handler, port = stalling
    with pytest.raises(RetryableSendError):
        EmailConnector({}).send(account(port), reply("drop-me@example.com"))
    assert handler.received == []
