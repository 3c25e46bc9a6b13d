"""The phone channel (calls and SMS), as the rest of Switchboard sees it (see Channel in
connectors/base.py)."""

from __future__ import annotations

from connectors.base import (
    AccountForm,
    Badge,
    Channel,
    ChannelSettings,
    ConversationKind,
    Field,
    Limits,
    TextLimit,
    label,
)
from connectors.phone import segments
from connectors.phone.numbers import to_e164


def _sms_units(text: str) -> int:
    """What the composer and the API count: GSM-7 septets or UCS-2 code units."""
    return segments.count(text).units


def _reply_limit(kind: ConversationKind) -> TextLimit | None:
    if kind != ConversationKind.DM:
        return None
    return TextLimit(segments.MAX_SEGMENTS * segments.PART["UCS-2"], counter="sms")


CHANNEL = Channel(
    slug="phone",
    connector="connectors.phone.connector:PhoneConnector",
    names={"en": "Phone & SMS", "ko": "전화·문자"},
    badge=Badge(text="#5b2c83", background="#f1e8fa"),
    account=AccountForm(
        external_id_label=label(
            "Phone number (E.164, e.g. +8225550100)", "전화번호 (예: +8225550100)"
        ),
        external_id_normalize=to_e164,
        options=(
            Field(
                "forward_to",
                label(
                    "Forward calls to (when no agent is on shift)",
                    "착신 전환 번호 (근무 중인 상담원이 없을 때)",
                ),
                help=label("A phone number, e.g. 010-1234-5678", "전화번호, 예: 010-1234-5678"),
            ),
            Field(
                "hours",
                label("Business hours (JSON)", "상담 시간 (JSON)"),
                "json",
                help=label(
                    'e.g. {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}',
                    '예: {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}',
                ),
            ),
        ),
    ),
    # PHONE_ACCOUNT_SID, PHONE_AUTH_TOKEN (the provider account), PHONE_API_URL (its REST API),
    # PHONE_CALLBACK_URL (where statuses go; PUBLIC_BASE_URL/webhooks/phone when empty).
    settings=ChannelSettings(
        prefixes=("PHONE_",),
        defaults={
            "PHONE_ACCOUNT_SID": "",
            "PHONE_AUTH_TOKEN": "",
            "PHONE_API_URL": "https://api.twilio.com",
            "PHONE_CALLBACK_URL": "",
            "PHONE_HTTP_TIMEOUT": "20",
        },
    ),
    limits=Limits(text_length=_sms_units, reply=_reply_limit),
)
