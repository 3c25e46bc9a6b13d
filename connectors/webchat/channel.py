"""The webchat channel, as the rest of Switchboard sees it (see Channel in connectors/base.py)."""

from __future__ import annotations

from connectors.base import AccountForm, Badge, Channel, ChannelSettings, Field, label
from connectors.webchat.connector import WebchatConnector

CHANNEL = Channel(
    slug="webchat",
    connector=WebchatConnector,
    names={"en": "Web chat", "ko": "웹 채팅"},
    badge=Badge(text="#9a4d00", background="#fff3e0"),
    account=AccountForm(
        external_id_label=label("Widget id"),
        options=(
            Field("title", label("Widget title")),
            Field(
                "allowed_origins",
                label("Sites allowed to embed the widget (one per line)"),
                "lines",
                help=label("e.g. https://shop.example.com, or * for any site"),
            ),
            Field(
                "hours",
                label("Opening hours (JSON)"),
                "json",
                help=label('e.g. {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}'),
            ),
            Field("self_service", label("Offer FAQ answers first"), "checkbox", default=True),
            Field(
                "offline_email_account",
                label("Mailbox that answers messages outside the hours"),
                help=label("The address of a connected email account"),
            ),
        ),
    ),
    # WEBCHAT_TOKEN_SECRET (else SECRET_KEY), WEBCHAT_SESSION_DAYS (connector.py)
    settings=ChannelSettings(prefixes=("WEBCHAT_",)),
)
